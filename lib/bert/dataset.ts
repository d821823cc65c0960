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

/** The four columns, as the course names them. */
export const BERT_CSV_COLUMNS = ['BERT Input', 'BERT Label', 'Segment Label', 'Is Next'] as const;

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
 * Scans a JSON list of integers (`[2, 45, 4, 3]`) into `out`. Returns the
 * count, or -1 when the text is anything else (then `out` is left as it was).
 * Integers are JSON integers within the int32 range.
 */
function scanIntList(s: string, out: IntBuffer): number {
  const start = out.length;
  const n = s.length;
  let i = 0;
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
    for (const k of Object.keys(options)) {
      if (!['vocabSize', 'onWarning', 'maxReported'].includes(k)) {
        throw new TypeError(`Unknown option '${k}' for BERTCSVDataset; expected one of: vocabSize, onWarning, maxReported`);
      }
    }
    const vocabSize = options.vocabSize;
    if (vocabSize !== undefined && (!Number.isInteger(vocabSize) || vocabSize <= 0)) {
      throw new RangeError(`Expected positive integer for vocabSize but received ${String(vocabSize)}`);
    }
    this.path = path;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`Cannot read ${path}: ${(e as Error).message}`);
    }
    const parsed = parseBertCsv(text, path, vocabSize);
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

/**
 * Parses the CSV text into flat arrays.
 *
 * @throws Error for an empty file, a wrong header, no data row or no usable row.
 */
export function parseBertCsv(
  text: string,
  path: string,
  vocabSize?: number,
): { data: BERTCSVData; skipped: SkippedRow[]; totalRows: number } {
  const header = BERT_CSV_COLUMNS.join(',');
  if (text.replace(/^\uFEFF/, '').trim().length === 0) {
    throw new Error(`${path} is empty (expected the header ${header})`);
  }
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
  const head = records[0].record;
  const missing = BERT_CSV_COLUMNS.filter((c) => !head.includes(c));
  if (missing.length > 0) {
    const found = head.map((h) => `'${h.length > 40 ? h.slice(0, 40) + '...' : h}'`).join(', ');
    throw new Error(
      `${path} has a wrong header: missing column(s) ${missing.map((m) => `'${m}'`).join(', ')} (found ${found}; expected ${header})`,
    );
  }
  const col = BERT_CSV_COLUMNS.map((c) => head.indexOf(c));
  const width = head.length;

  const estimate = Math.ceil(text.length / 12);
  const inputs = new IntBuffer(estimate);
  const labels = new IntBuffer(estimate);
  const segments = new IntBuffer(estimate);
  const isNext: number[] = [];
  const offsets: number[] = [0];
  const skipped: SkippedRow[] = [];

  // Data records, with csv-parse's skipped records merged in by line.
  const bad = (line: number, reason: string): void => {
    skipped.push({ line, reason });
  };
  let totalRows = 0;
  for (let r = 1; r < records.length; r++) {
    const { info, record } = records[r];
    let newlines = 0;
    for (const f of record) for (let k = f.indexOf('\n'); k >= 0; k = f.indexOf('\n', k + 1)) newlines++;
    const line = info.lines - newlines;
    totalRows++;
    if (record.length !== width) {
      bad(line, `expected ${width} fields but found ${record.length}`);
      continue;
    }
    const mark = inputs.length;
    const lists: [IntBuffer, string][] = [
      [inputs, record[col[0]]],
      [labels, record[col[1]]],
      [segments, record[col[2]]],
    ];
    const counts: number[] = [];
    let problem: string | null = null;
    for (let k = 0; k < 3; k++) {
      const [buf, cell] = lists[k];
      const c = scanIntList(cell, buf);
      if (c < 0) {
        problem = listProblem(BERT_CSV_COLUMNS[k], cell);
        break;
      }
      counts.push(c);
    }
    if (problem === null) {
      if (counts[0] === 0) problem = `'BERT Input' is empty`;
      else if (counts[0] !== counts[1] || counts[0] !== counts[2]) {
        problem = `list lengths differ: BERT Input ${counts[0]}, BERT Label ${counts[1]}, Segment Label ${counts[2]}`;
      }
    }
    if (problem === null) {
      for (const [k, buf] of [[0, inputs], [1, labels]] as const) {
        for (let j = mark; j < mark + counts[0]; j++) {
          const v = buf.data[j];
          if (v < 0 || (vocabSize !== undefined && v >= vocabSize)) {
            problem =
              v < 0
                ? `'${BERT_CSV_COLUMNS[k]}' has a negative id ${v}`
                : `'${BERT_CSV_COLUMNS[k]}' has id ${v} outside the vocabulary (size ${vocabSize})`;
            break;
          }
        }
        if (problem !== null) break;
      }
    }
    if (problem === null) {
      for (let j = mark; j < mark + counts[0]; j++) {
        const v = segments.data[j];
        if (v < 0 || v > 2) {
          problem = `'Segment Label' has value ${v} (expected 0, 1 or 2)`;
          break;
        }
      }
    }
    let next = 0;
    if (problem === null) {
      const m = IS_NEXT.exec(record[col[3]]);
      if (m === null) problem = `'Is Next' is ${preview(record[col[3]])} (expected 0 or 1)`;
      else next = m[1] !== undefined ? Number(m[1]) : m[2].toLowerCase() === 'true' ? 1 : 0;
    }
    if (problem !== null) {
      inputs.length = mark;
      labels.length = mark;
      segments.length = mark;
      bad(line, problem);
      continue;
    }
    isNext.push(next);
    offsets.push(inputs.length);
  }
  for (const [line, reason] of csvErrors) {
    totalRows++;
    skipped.push({ line, reason });
  }
  skipped.sort((x, y) => x.line - y.line);

  if (totalRows === 0) throw new Error(`${path} has no data rows (only the header)`);
  if (isNext.length === 0) {
    throw new Error(
      `${path} has no usable row: all ${totalRows} row(s) are bad (${skipped.slice(0, 3).map((s) => `line ${s.line}: ${s.reason}`).join('; ')})`,
    );
  }
  if (inputs.length > 2147483647) throw new Error(`${path} has more than 2^31 tokens`);
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
