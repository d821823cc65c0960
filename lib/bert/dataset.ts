/**
 * The course's `BERTCSVDataset`: reads the CSV written by `prepare-data`
 * (columns `BERT Input`, `BERT Label`, `Segment Label`, `Is Next`; lists as
 * JSON) and serves rows as int64 tensors.
 *
 * The file is parsed once (csv-parse) into compact typed arrays: all ids of
 * a column in one `Int32Array`, with row offsets, so a million rows cost a
 * few typed arrays rather than millions of JS arrays. Bad rows are skipped
 * and reported together in one warning; a file without a usable row is an
 * error. With DataLoader workers, the arrays move to SharedArrayBuffers once
 * and workers map them instead of parsing the file again.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';
import { Dataset, checkIndex, type WorkerSpec } from '../torch/utils/data/index.js';
import { checkOptions, rangeError } from '../torch/utils/index.js';

import { BERT_CSV_COLUMNS } from './constants.js';

export { BERT_CSV_COLUMNS };

/** One row as tensors (int64): three 1-d sequences of equal length and a 0-d `isNext`. */
export interface BertSample {
  bertInput: Tensor;
  bertLabel: Tensor;
  segmentLabel: Tensor;
  isNext: Tensor;
}

/** One row as plain data: views into the dataset's arrays (do not modify). */
export interface RawBertSample {
  bertInput: Int32Array;
  bertLabel: Int32Array;
  segmentLabel: Uint8Array;
  isNext: number;
}

/** Every row in flat arrays: row `i` spans `offsets[i]` to `offsets[i + 1]`. */
export interface BERTCSVData {
  inputs: Int32Array;
  labels: Int32Array;
  segments: Uint8Array;
  isNext: Uint8Array;
  /** Length rows + 1. */
  offsets: Int32Array;
}

/** A row that was left out, and why. */
export interface SkippedRow {
  /** 1-based line number in the file (the record's first line). */
  line: number;
  reason: string;
}

/** Options of {@link BERTCSVDataset}. */
export interface BERTCSVDatasetOptions {
  /** Ids in `BERT Input`/`BERT Label` must be below this. Default: no upper check. */
  vocabSize?: number;
  /** Rows longer than this many tokens are bad (the model's longest sequence). Default: no limit. */
  maxLength?: number;
  /** Receives the one warning about skipped rows. Default `console.warn`; `null` = silent. */
  onWarning?: ((message: string) => void) | null;
  /** Skipped rows listed in the warning (the rest are counted). Default 10. */
  maxReported?: number;
}

/** Growable Int32Array. */
class IntBuffer {
  data: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  trimmed(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const isWs = (c: number): boolean => c === SPACE || c === TAB || c === LF || c === CR;

/**
 * Scans a JSON list of integers (`[2, 45, 4, 3]`) in `s[from, to)` into
 * `out`. Returns the count, or -1 when the text is anything else (then `out`
 * is left as it was). Integers are JSON integers within the int32 range.
 */
function scanIntList(s: string, from: number, to: number, out: IntBuffer): number {
  const start = out.length;
  const n = to;
  let i = from;
  while (i < n && isWs(s.charCodeAt(i))) i++;
  if (i >= n || s.charCodeAt(i) !== 91 /* [ */) return -1;
  i++;
  while (i < n && isWs(s.charCodeAt(i))) i++;
  let count = 0;
  if (i < n && s.charCodeAt(i) === 93 /* ] */) {
    i++;
  } else {
    for (;;) {
      let neg = false;
      if (i < n && s.charCodeAt(i) === 45 /* - */) {
        neg = true;
        i++;
      }
      const d0 = i;
      let v = 0;
      while (i < n) {
        const c = s.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        v = v * 10 + c;
        i++;
      }
      const digits = i - d0;
      // No digits, a leading zero ("01"), a fraction/exponent or beyond int32: not ours.
      if (digits === 0 || (digits > 1 && s.charCodeAt(d0) === 48) || digits > 10 || v > 2147483647) {
        out.length = start;
        return -1;
      }
      out.push(neg ? -v : v);
      count++;
      while (i < n && isWs(s.charCodeAt(i))) i++;
      if (i >= n) {
        out.length = start;
        return -1;
      }
      const c = s.charCodeAt(i++);
      if (c === 93 /* ] */) break;
      if (c !== 44 /* , */) {
        out.length = start;
        return -1;
      }
      while (i < n && isWs(s.charCodeAt(i))) i++;
    }
  }
  while (i < n && isWs(s.charCodeAt(i))) i++;
  if (i !== n) {
    out.length = start;
    return -1;
  }
  return count;
}

/** Why a cell is not a list of integers (the slow path, for the message). */
function listProblem(column: string, cell: string): string {
  let v: unknown;
  try {
    v = JSON.parse(cell);
  } catch {
    return `'${column}' is not valid JSON: ${preview(cell)}`;
  }
  if (!Array.isArray(v)) return `'${column}' is not a list: ${preview(cell)}`;
  const bad = v.find((x) => typeof x !== 'number' || !Number.isInteger(x));
  if (bad !== undefined) return `'${column}' has a non-integer value ${preview(JSON.stringify(bad))}`;
  return `'${column}' has a value outside the int32 range`;
}

function preview(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 40 ? `'${one.slice(0, 40)}...' (${s.length} characters)` : `'${one}'`;
}

const IS_NEXT = /^\s*(?:([01])(?:\.0*)?|(true|false))\s*$/i;

/**
 * Converts int32 values to int64 without BigInt arithmetic (little-endian:
 * low word = value, high word = sign).
 */
export function int64FromInt32(src: ArrayLike<number>): BigInt64Array {
  const out = new BigInt64Array(src.length);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    words[2 * i] = v;
    words[2 * i + 1] = v < 0 ? -1 : 0;
  }
  return out;
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('lib/bert/dataset.ts assumes a little-endian machine');
}

function shareArray<A extends Int32Array | Uint8Array>(a: A): A {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buf: SharedArrayBuffer) => A;
  const shared = new Ctor(new SharedArrayBuffer(a.byteLength));
  (shared as Int32Array).set(a as Int32Array);
  return shared;
}

/**
 * The course's dataset over a CSV of pretraining examples.
 *
 * @example
 * const ds = new BERTCSVDataset('data/train.csv', { vocabSize: tokenizer.vocabSize });
 * const { bertInput, bertLabel, segmentLabel, isNext } = ds.get(0);
 */
export class BERTCSVDataset extends Dataset<BertSample> {
  /** The file read (informational). */
  readonly path: string;
  /** Rows left out, with line numbers and reasons. */
  readonly skippedRows: SkippedRow[];
  /** Data rows in the file (usable + skipped). */
  readonly totalRows: number;
  private store: BERTCSVData;

  /**
   * Reads and parses `path`.
   *
   * @throws Error when the file cannot be read, is empty, lacks one of the
   *   four columns in its header, has no data row, or has no usable row.
   *   Bad rows (invalid JSON, lists of different lengths, ids outside the
   *   vocabulary, missing fields, non-integer values, a bad `Is Next`) are
   *   skipped and reported in one warning.
   */
  constructor(path: string, options: BERTCSVDatasetOptions = {}) {
    super();
    checkOptions(options, ['vocabSize', 'maxLength', 'onWarning', 'maxReported'], 'BERTCSVDataset');
    const { vocabSize, maxLength } = options;
    if (vocabSize !== undefined && (!Number.isInteger(vocabSize) || vocabSize <= 0)) rangeError('a positive integer', 'vocabSize', vocabSize);
    if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength <= 0)) rangeError('a positive integer', 'maxLength', maxLength);
    this.path = path;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`Cannot read ${path}: ${(e as Error).message}`);
    }
    const parsed = parseBertCsv(text, path, vocabSize, { maxLength });
    this.store = parsed.data;
    this.skippedRows = parsed.skipped;
    this.totalRows = parsed.totalRows;
    if (parsed.skipped.length > 0 && options.onWarning !== null) {
      const warn = options.onWarning ?? ((m: string) => console.warn(m));
      warn(skippedMessage(path, parsed.skipped, parsed.totalRows, options.maxReported ?? 10));
    }
  }

  /**
   * A dataset over already parsed arrays (used by DataLoader workers, which
   * receive them as SharedArrayBuffers).
   */
  static fromData(data: BERTCSVData, path = '<memory>'): BERTCSVDataset {
    const ds = Object.create(BERTCSVDataset.prototype) as BERTCSVDataset;
    Object.assign(ds, { path, skippedRows: [], totalRows: data.offsets.length - 1, store: data });
    return ds;
  }

  /** Number of usable rows. */
  get length(): number {
    return this.store.offsets.length - 1;
  }

  /** The flat arrays of every row (do not modify). */
  get data(): BERTCSVData {
    return this.store;
  }

  /** Length of row `index` (tokens). */
  rowLength(index: number): number {
    const i = checkIndex(index, this.length, 'BERTCSVDataset');
    return this.store.offsets[i + 1] - this.store.offsets[i];
  }

  /**
   * Row `index` as int64 tensors, like the course's `__getitem__`
   * (negative indices count from the end, as pandas' `iloc`).
   *
   * @throws RangeError for an index out of range.
   */
  get(index: number): BertSample {
    const r = this.getRaw(index);
    const n = r.bertInput.length;
    return {
      bertInput: torch.fromTypedArray(int64FromInt32(r.bertInput), [n]),
      bertLabel: torch.fromTypedArray(int64FromInt32(r.bertLabel), [n]),
      segmentLabel: torch.fromTypedArray(int64FromInt32(r.segmentLabel), [n]),
      isNext: torch.fromTypedArray(int64FromInt32([r.isNext]), []),
    };
  }

  /**
   * Row `index` as views into the flat arrays (no copy, no tensor).
   *
   * @throws RangeError for an index out of range.
   */
  override getRaw(index: number): RawBertSample {
    const i = checkIndex(index, this.length, 'BERTCSVDataset');
    const s = this.store;
    const a = s.offsets[i];
    const b = s.offsets[i + 1];
    return {
      bertInput: s.inputs.subarray(a, b),
      bertLabel: s.labels.subarray(a, b),
      segmentLabel: s.segments.subarray(a, b),
      isNext: s.isNext[i],
    };
  }

  /**
   * How a DataLoader worker rebuilds this dataset: the arrays move to
   * SharedArrayBuffers (once) and the worker wraps them, without reading the
   * file again.
   */
  override workerSpec(): WorkerSpec {
    const s = this.store;
    this.store = {
      inputs: shareArray(s.inputs),
      labels: shareArray(s.labels),
      segments: shareArray(s.segments),
      isNext: shareArray(s.isNext),
      offsets: shareArray(s.offsets),
    };
    return { module: import.meta.url, exportName: 'BERTCSVDataset', factory: 'fromData', args: [this.store, this.path] };
  }
}

/** The one warning about skipped rows. */
function skippedMessage(path: string, skipped: SkippedRow[], total: number, maxReported: number): string {
  const listed = skipped.slice(0, maxReported).map((r) => `line ${r.line}: ${r.reason}`);
  const more = skipped.length > maxReported ? `; and ${skipped.length - maxReported} more` : '';
  return `${path}: skipped ${skipped.length} bad row(s) of ${total}: ${listed.join('; ')}${more}`;
}

/** Collects rows into flat arrays, validating each. */
class RowBuilder {
  readonly inputs: IntBuffer;
  readonly labels: IntBuffer;
  readonly segments: IntBuffer;
  readonly isNext: number[] = [];
  readonly offsets: number[] = [0];
  readonly skipped: SkippedRow[] = [];
  totalRows = 0;

  constructor(
    estimate: number,
    private readonly vocabSize: number | undefined,
    private readonly maxLength: number | undefined,
  ) {
    this.inputs = new IntBuffer(estimate);
    this.labels = new IntBuffer(estimate);
    this.segments = new IntBuffer(estimate);
  }

  bad(line: number, reason: string): void {
    this.skipped.push({ line, reason });
  }

  /**
   * Adds one record whose three list cells are `text[starts[k], ends[k])`
   * and whose `Is Next` cell is `isNextCell`.
   */
  add(line: number, text: string, starts: readonly number[], ends: readonly number[], isNextCell: string): void {
    const { inputs, labels, segments, vocabSize } = this;
    const bufs = [inputs, labels, segments];
    const mark = inputs.length;
    const counts = [0, 0, 0];
    let problem: string | null = null;
    for (let k = 0; k < 3; k++) {
      const c = scanIntList(text, starts[k], ends[k], bufs[k]);
      if (c < 0) {
        problem = listProblem(BERT_CSV_COLUMNS[k], text.slice(starts[k], ends[k]));
        break;
      }
      counts[k] = c;
    }
    const n = counts[0];
    if (problem === null) {
      if (n === 0) problem = `'BERT Input' is empty`;
      else if (n !== counts[1] || n !== counts[2]) {
        problem = `list lengths differ: BERT Input ${n}, BERT Label ${counts[1]}, Segment Label ${counts[2]}`;
      } else if (this.maxLength !== undefined && n > this.maxLength) {
        problem = `${n} tokens, longer than the model's maximum length ${this.maxLength}`;
      }
    }
    if (problem === null) {
      const limit = vocabSize ?? 2147483647;
      for (let k = 0; k < 2 && problem === null; k++) {
        const d = bufs[k].data;
        for (let j = mark; j < mark + n; j++) {
          const v = d[j];
          if (v < 0 || v >= limit) {
            problem =
              v < 0 ? `'${BERT_CSV_COLUMNS[k]}' has a negative id ${v}` : `'${BERT_CSV_COLUMNS[k]}' has id ${v} outside the vocabulary (size ${vocabSize})`;
            break;
          }
        }
      }
    }
    if (problem === null) {
      const d = segments.data;
      for (let j = mark; j < mark + n; j++) {
        if (d[j] < 0 || d[j] > 2) {
          problem = `'Segment Label' has value ${d[j]} (expected 0, 1 or 2)`;
          break;
        }
      }
    }
    let next = 0;
    if (problem === null) {
      if (isNextCell === '1') next = 1;
      else if (isNextCell !== '0') {
        const m = IS_NEXT.exec(isNextCell);
        if (m === null) problem = `'Is Next' is ${preview(isNextCell)} (expected 0 or 1)`;
        else next = m[1] !== undefined ? Number(m[1]) : m[2].toLowerCase() === 'true' ? 1 : 0;
      }
    }
    if (problem !== null) {
      inputs.length = mark;
      labels.length = mark;
      segments.length = mark;
      this.bad(line, problem);
      return;
    }
    this.isNext.push(next);
    this.offsets.push(inputs.length);
  }
}

/** Splits one CSV header line into names (csv-parse). */
function headerFields(line: string, path: string, header: string): string[] {
  try {
    const rec = parse(line, { relax_column_count: true }) as string[][];
    if (rec.length === 1) return rec[0];
  } catch {
    // reported below
  }
  throw new Error(`${path} has a wrong header: it cannot be read as CSV (expected ${header})`);
}

/**
 * The fast path for regular files (those written by prepare-data or pandas):
 * one record per line, fields plain or in quotes without inner quotes or
 * line breaks. Returns false as soon as a line is anything else; the caller
 * then parses the whole file with csv-parse.
 */
function parseRegular(text: string, bodyStart: number, col: readonly number[], width: number, rows: RowBuilder): boolean {
  if (/\r(?!\n)/.test(text)) return false;
  const starts = [0, 0, 0];
  const ends = [0, 0, 0];
  const fieldStart = new Array<number>(width + 1);
  const fieldEnd = new Array<number>(width + 1);
  const listCol = [col[0], col[1], col[2]];
  let pos = bodyStart;
  let line = 1;
  const n = text.length;
  while (pos < n) {
    line++;
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = n;
    let end = eol;
    if (end > pos && text.charCodeAt(end - 1) === CR) end--;
    const lineStart = pos;
    pos = eol + 1;
    if (end === lineStart) continue; // empty line
    // Split into fields.
    let fields = 0;
    let i = lineStart;
    for (;;) {
      if (i < end && text.charCodeAt(i) === 34 /* " */) {
        const close = text.indexOf('"', i + 1);
        if (close < 0 || close >= end) return false; // line break inside quotes
        const after = close + 1;
        if (after < end && text.charCodeAt(after) !== 44 /* , */) return false; // "" escape or junk after the quote
        if (fields <= width) {
          fieldStart[fields] = i + 1;
          fieldEnd[fields] = close;
        }
        fields++;
        i = after;
      } else {
        let j = i;
        while (j < end && text.charCodeAt(j) !== 44) {
          if (text.charCodeAt(j) === 34) return false; // a quote inside a plain field
          j++;
        }
        if (fields <= width) {
          fieldStart[fields] = i;
          fieldEnd[fields] = j;
        }
        fields++;
        i = j;
      }
      if (i >= end) break;
      i++; // the comma
      if (i === end) {
        // trailing comma: one more empty field
        if (fields <= width) {
          fieldStart[fields] = i;
          fieldEnd[fields] = i;
        }
        fields++;
        break;
      }
    }
    rows.totalRows++;
    if (fields !== width) {
      rows.bad(line, `expected ${width} fields but found ${fields}`);
      continue;
    }
    for (let k = 0; k < 3; k++) {
      starts[k] = fieldStart[listCol[k]];
      ends[k] = fieldEnd[listCol[k]];
    }
    rows.add(line, text, starts, ends, text.slice(fieldStart[col[3]], fieldEnd[col[3]]));
  }
  return true;
}

/** The exact path: the whole file through csv-parse (quotes, escapes, line breaks in fields, CSV errors). */
function parseWithCsvParse(text: string, path: string, header: string, col: readonly number[], width: number, rows: RowBuilder): void {
  const csvErrors = new Map<number, string>();
  const records = parse(text, {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      const line = (err as { lines?: number } | undefined)?.lines ?? 0;
      const message = (err?.message ?? 'unreadable record').replace(/ instead of delimiter.*$/, '');
      if (!csvErrors.has(line)) csvErrors.set(line, `CSV error: ${message}`);
      return undefined;
    },
  }) as unknown as { info: { lines: number }; record: string[] }[];
  if (records.length === 0 || (csvErrors.size > 0 && Math.min(...csvErrors.keys()) <= records[0].info.lines)) {
    throw new Error(`${path} has a wrong header: it cannot be read as CSV (expected ${header})`);
  }
  const starts = [0, 0, 0];
  for (let r = 1; r < records.length; r++) {
    const { info, record } = records[r];
    let newlines = 0;
    for (const f of record) for (let k = f.indexOf('\n'); k >= 0; k = f.indexOf('\n', k + 1)) newlines++;
    const line = info.lines - newlines;
    rows.totalRows++;
    if (record.length !== width) {
      rows.bad(line, `expected ${width} fields but found ${record.length}`);
      continue;
    }
    // One string holding the three list cells, so that add() reads them by range.
    const cells = [record[col[0]], record[col[1]], record[col[2]]];
    const joined = cells.join('\u0000');
    const ends = [cells[0].length, cells[0].length + 1 + cells[1].length, joined.length];
    starts[1] = cells[0].length + 1;
    starts[2] = ends[1] + 1;
    rows.add(line, joined, starts, ends, record[col[3]]);
  }
  for (const [line, reason] of csvErrors) {
    rows.totalRows++;
    rows.bad(line, reason);
  }
}

/**
 * Parses the CSV text into flat arrays. Regular files (one record per line)
 * take a fast path; anything else goes through csv-parse, with the same
 * results for the rows both can read. `fastPath: false` forces csv-parse.
 *
 * @throws Error for an empty file, a wrong header, no data row or no usable row.
 */
export function parseBertCsv(
  text: string,
  path: string,
  vocabSize?: number,
  options: { fastPath?: boolean; maxLength?: number } = {},
): { data: BERTCSVData; skipped: SkippedRow[]; totalRows: number } {
  const header = BERT_CSV_COLUMNS.join(',');
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim().length === 0) throw new Error(`${path} is empty (expected the header ${header})`);
  let headEnd = body.indexOf('\n');
  if (headEnd < 0) headEnd = body.length;
  const headLine = body.slice(0, headEnd).replace(/\r$/, '');
  const head = headerFields(headLine, path, header);
  const missing = BERT_CSV_COLUMNS.filter((c) => !head.includes(c));
  if (missing.length > 0) {
    const found = head.map((h) => `'${h.length > 40 ? `${h.slice(0, 40)}...` : h}'`).join(', ');
    throw new Error(`${path} has a wrong header: missing column(s) ${missing.map((m) => `'${m}'`).join(', ')} (found ${found}; expected ${header})`);
  }
  const col = BERT_CSV_COLUMNS.map((c) => head.indexOf(c));
  const width = head.length;

  const estimate = Math.ceil(body.length / 12);
  let rows = new RowBuilder(estimate, vocabSize, options.maxLength);
  if (!(options.fastPath ?? true) || !parseRegular(body, Math.min(headEnd + 1, body.length), col, width, rows)) {
    rows = new RowBuilder(estimate, vocabSize, options.maxLength);
    parseWithCsvParse(body, path, header, col, width, rows);
  }
  const { skipped, totalRows, isNext, offsets, inputs, labels, segments } = rows;
  skipped.sort((x, y) => x.line - y.line);

  if (totalRows === 0) throw new Error(`${path} has no data rows (only the header)`);
  if (isNext.length === 0) {
    throw new Error(
      `${path} has no usable row: all ${totalRows} row(s) are bad (${skipped
        .slice(0, 3)
        .map((s) => `line ${s.line}: ${s.reason}`)
        .join('; ')})`,
    );
  }
  return {
    data: {
      inputs: inputs.trimmed(),
      labels: labels.trimmed(),
      segments: Uint8Array.from(segments.data.subarray(0, segments.length)),
      isNext: Uint8Array.from(isNext),
      offsets: Int32Array.from(offsets),
    },
    skipped,
    totalRows,
  };
}
