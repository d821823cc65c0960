/**
 * The `.safetensors` format: an 8-byte little-endian header length N, N bytes
 * of JSON (`{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]},
 * ..., "__metadata__": {"k": "v"}}`, padded with spaces), then the tensors'
 * row-major little-endian bytes, each at `8 + N + b` up to `8 + N + e`.
 *
 * Chosen only by an explicit option (`save(obj, path, {format: 'safetensors'})`,
 * `load(path, {format: 'safetensors'})`), never by file extension.
 */
import { type Tensor, isTensor } from '../tensor.js';
import { ITEM_SIZE as ITEM, type DType } from '../dtype.js';
import { storageId, storageNbytes, storageBytes, fromStorageBytes } from '../storage.js';
import { FdSource, type ByteSource } from './zip.js';
import { resolveDevice, type MapLocation } from './checkpoint.js';
import { writeFileAtomic } from './atomic.js';
import { checkOptions } from '../errors.js';

/** safetensors dtype codes; float4_e2m1fn_x2 and the bits types have none here. */
const CODE_OF: Readonly<Partial<Record<DType, string>>> = {
  float32: 'F32',
  float64: 'F64',
  float16: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
  uint16: 'U16',
  uint32: 'U32',
  uint64: 'U64',
  float8_e5m2: 'F8_E5M2',
  float8_e4m3fn: 'F8_E4M3',
  float8_e8m0fnu: 'F8_E8M0',
  float8_e4m3fnuz: 'F8_E4M3FNUZ',
  float8_e5m2fnuz: 'F8_E5M2FNUZ',
};
const DTYPE_OF: Readonly<Record<string, DType>> = Object.fromEntries(Object.entries(CODE_OF).map(([k, v]) => [v, k as DType]));
/** Order of the reference implementation (its Dtype enum), larger first, then name. */
const RANK: Readonly<Partial<Record<DType, number>>> = {
  bool: 0,
  uint8: 4,
  int8: 5,
  float8_e5m2: 6,
  float8_e4m3fn: 7,
  float8_e8m0fnu: 8,
  float8_e4m3fnuz: 9,
  float8_e5m2fnuz: 10,
  int16: 11,
  uint16: 12,
  float16: 13,
  bfloat16: 14,
  int32: 15,
  uint32: 16,
  float32: 17,
  float64: 19,
  int64: 20,
  uint64: 21,
};
/** Header size limit of the reference implementation (100 MB). */
const MAX_HEADER = 100_000_000;

/** Error for a malformed safetensors file or an unsavable value. */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** Options for {@link saveSafetensors}. */
export interface SafetensorsSaveOptions {
  /** The `__metadata__` map (string values only); default none. */
  metadata?: Readonly<Record<string, string>>;
}

interface Planned {
  name: string;
  tensor: Tensor;
  dtype: DType;
  shape: number[];
  nbytes: number;
}

function entriesOf(obj: unknown): [string, unknown][] {
  if (obj instanceof Map) {
    for (const k of obj.keys()) {
      if (typeof k !== 'string') throw new SafetensorsError(`safetensors keys must be strings, got ${typeof k}`);
    }
    return [...obj.entries()] as [string, unknown][];
  }
  if (typeof obj === 'object' && obj !== null && !Array.isArray(obj) && !isTensor(obj)) {
    const p = Object.getPrototypeOf(obj);
    if (p === Object.prototype || p === null) return Object.entries(obj);
  }
  throw new SafetensorsError('safetensors holds a flat name → tensor mapping; pass a plain object or Map of tensors');
}

/**
 * Writes a name → tensor mapping as safetensors (atomically, like `save`).
 * Tensors are written row-major from any device; each must own its bytes:
 * @throws SafetensorsError for a non-tensor value, the reserved name
 *   `__metadata__`, non-string metadata, a dtype the format has no code for
 *   (float4_e2m1fn_x2, bits*), or two
 *   entries sharing memory (the format cannot express sharing: drop one of
 *   the tied names first); TypeError for an unknown option; fs errors.
 */
export function saveSafetensors(obj: unknown, path: string, opts: SafetensorsSaveOptions = {}): void {
  checkOptions(opts, ['metadata'], 'saveSafetensors');
  const plan: Planned[] = [];
  const byStorage = new Map<string, { name: string; start: number; end: number }[]>();
  for (const [name, t] of entriesOf(obj)) {
    if (!isTensor(t)) throw new SafetensorsError(`safetensors values must be tensors, but '${name}' is not`);
    if (name === '__metadata__') throw new SafetensorsError("'__metadata__' is reserved and cannot name a tensor");
    if (t.isDisposed) throw new SafetensorsError(`Cannot save the disposed tensor '${name}'`);
    const dtype = t.dtype;
    if (CODE_OF[dtype] === undefined) throw new SafetensorsError(`Cannot save '${name}': safetensors has no dtype code for ${dtype} tensors`);
    const shape = t.shape;
    const numel = shape.reduce((a, b) => a * b, 1);
    plan.push({ name, tensor: t, dtype, shape, nbytes: numel * ITEM[dtype] });
  }
  // Refuse overlapping memory (tied weights, views): the file would silently untie them.
  for (const p of plan) {
    if (p.nbytes === 0) continue;
    const id = storageId(p.tensor);
    const start = p.tensor.storageOffset() * ITEM[p.dtype];
    const span = p.shape.reduce((acc, s, i) => acc + (s - 1) * p.tensor.stride()[i], 0);
    const end = start + (span + 1) * ITEM[p.dtype];
    const list = byStorage.get(id) ?? [];
    for (const o of list) {
      if (start < o.end && o.start < end) {
        throw new SafetensorsError(`Tensors '${o.name}' and '${p.name}' share memory; safetensors cannot represent sharing (save only one of them)`);
      }
    }
    list.push({ name: p.name, start, end });
    byStorage.set(id, list);
  }
  const meta = opts.metadata;
  if (meta !== undefined) {
    if (typeof meta !== 'object' || meta === null) throw new SafetensorsError('safetensors metadata must be an object of strings');
    for (const [k, v] of Object.entries(meta)) {
      if (typeof v !== 'string') throw new SafetensorsError(`safetensors metadata values must be strings, but '${k}' is ${typeof v}`);
    }
  }
  plan.sort((a, b) => RANK[b.dtype]! - RANK[a.dtype]! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (meta !== undefined && Object.keys(meta).length > 0) header.__metadata__ = meta;
  let offset = 0;
  for (const p of plan) {
    header[p.name] = { dtype: CODE_OF[p.dtype], shape: p.shape, data_offsets: [offset, offset + p.nbytes] };
    offset += p.nbytes;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) json = Buffer.concat([json, Buffer.alloc(padded - json.byteLength, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.byteLength));
  writeFileAtomic(path, (sink) => {
    sink.write(len);
    sink.write(json);
    for (const p of plan) {
      const bytes = rowMajorBytes(p.tensor, p.nbytes);
      if (bytes.byteLength !== p.nbytes) throw new Error(`internal: '${p.name}' produced ${bytes.byteLength} bytes, expected ${p.nbytes}`);
      sink.write(bytes);
    }
  });
}

/** The tensor's elements, row-major, as bytes (a copy). */
function rowMajorBytes(t: Tensor, nbytes: number): Uint8Array {
  if (nbytes === 0) return new Uint8Array(0);
  if (t.isContiguous() && t.storageOffset() === 0 && storageNbytes(t) === nbytes) return storageBytes(t);
  const c = t.isContiguous() ? t.clone() : t.contiguous();
  try {
    const b = storageBytes(c);
    const off = c.storageOffset() * t.elementSize();
    return b.subarray(off, off + nbytes);
  } finally {
    c.dispose();
  }
}

/** Options for {@link loadSafetensors}. */
export interface SafetensorsLoadOptions {
  /** Target device (the file records none; locations are reported as `cpu`); default CPU. */
  mapLocation?: MapLocation;
}

interface HeaderEntry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** Parsed, validated safetensors header. */
export interface SafetensorsHeader {
  /** The `__metadata__` map (empty if none). */
  metadata: Record<string, string>;
  /** Tensor descriptions in file order. */
  tensors: { name: string; dtype: DType; shape: number[]; dataOffsets: [number, number] }[];
  /** File offset where the data section starts (8 + header length). */
  dataStart: number;
}

function readHeader(source: ByteSource): SafetensorsHeader & { entries: HeaderEntry[] } {
  if (source.size < 8) throw new SafetensorsError(`Not a safetensors file: ${source.size} bytes is too short for the header length`);
  const lenBuf = Buffer.alloc(8);
  source.readInto(0, lenBuf);
  const n = lenBuf.readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER)) throw new SafetensorsError(`Invalid safetensors header: length ${n} exceeds the 100 MB limit`);
  if (n > BigInt(source.size - 8)) {
    throw new SafetensorsError(`Truncated safetensors file: the header needs ${n} bytes but only ${source.size - 8} follow`);
  }
  const json = Buffer.alloc(Number(n));
  source.readInto(8, json);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    throw new SafetensorsError(`Invalid safetensors header: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SafetensorsError('Invalid safetensors header: expected a JSON object');
  }
  const dataStart = 8 + Number(n);
  const dataSize = source.size - dataStart;
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new SafetensorsError('Invalid safetensors header: __metadata__ must be an object of strings');
      }
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw new SafetensorsError(`Invalid safetensors header: __metadata__ value '${k}' is not a string`);
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const bad = (why: string): never => {
      throw new SafetensorsError(`Invalid safetensors header: tensor '${name}' ${why}`);
    };
    if (typeof raw !== 'object' || raw === null) bad('is not an object');
    const { dtype: code, shape, data_offsets: offs } = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof code !== 'string') bad('has no dtype');
    const dtype = DTYPE_OF[code as string];
    if (dtype === undefined || !Object.hasOwn(DTYPE_OF, code as string)) {
      bad(`has unsupported dtype ${JSON.stringify(code)} (supported: ${Object.keys(DTYPE_OF).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0) || shape.length > 64) {
      bad('has an invalid shape');
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      bad('has invalid data_offsets');
    }
    const [begin, end] = offs as [number, number];
    let numel = 1;
    for (const s of shape as number[]) numel *= s;
    if (end < begin || end > dataSize) bad(`has data_offsets [${begin}, ${end}] outside the ${dataSize}-byte data section`);
    if (end - begin !== numel * ITEM[dtype]) {
      bad(`has ${end - begin} bytes but shape [${shape}] of ${code} needs ${numel * ITEM[dtype]}`);
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // As the reference implementation: the tensors tile the data section exactly.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin !== pos) {
      throw new SafetensorsError(
        e.begin < pos
          ? `Invalid safetensors header: tensor '${e.name}' overlaps another tensor`
          : `Invalid safetensors header: ${e.begin - pos} unused bytes before tensor '${e.name}'`,
      );
    }
    pos = e.end;
  }
  if (pos !== dataSize) throw new SafetensorsError(`Invalid safetensors file: ${dataSize - pos} bytes after the last tensor`);
  return {
    metadata,
    tensors: entries.map((e) => ({ name: e.name, dtype: e.dtype, shape: e.shape, dataOffsets: [e.begin, e.end] })),
    dataStart,
    entries,
  };
}

/**
 * Reads only the header of a safetensors file (names, dtypes, shapes, metadata).
 * @throws SafetensorsError for a malformed header; fs errors.
 */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const src = FdSource.open(path);
  try {
    const { metadata, tensors, dataStart } = readHeader(src);
    return { metadata, tensors, dataStart };
  } finally {
    src.close();
  }
}

/**
 * Loads a safetensors file as a plain object name → tensor (header order).
 * @throws SafetensorsError for a malformed or truncated file; CheckpointError
 *   when `mapLocation` names an unavailable CUDA device; TypeError for an
 *   unknown option; fs errors.
 */
export function loadSafetensors(path: string, opts: SafetensorsLoadOptions = {}): Record<string, Tensor> {
  checkOptions(opts, ['mapLocation'], 'loadSafetensors');
  const device = resolveDevice('cpu', opts.mapLocation, 'a safetensors file');
  const src = FdSource.open(path);
  const out: Record<string, Tensor> = {};
  const made: Tensor[] = [];
  try {
    const { entries, dataStart } = readHeader(src);
    for (const e of entries) {
      const bytes = new Uint8Array(e.end - e.begin);
      src.readInto(dataStart + e.begin, bytes);
      const flat = fromStorageBytes(bytes, e.dtype, device);
      made.push(flat);
      const strides: number[] = new Array(e.shape.length);
      let acc = 1;
      for (let i = e.shape.length - 1; i >= 0; i--) {
        strides[i] = acc;
        acc *= Math.max(1, e.shape[i]);
      }
      const t = flat.asStrided(e.shape, strides, 0);
      made.push(t);
      Object.defineProperty(out, e.name, { value: t, enumerable: true, writable: true, configurable: true });
    }
    const kept = new Set(Object.values(out));
    for (const t of made) if (!kept.has(t)) t.dispose();
    return out;
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  } finally {
    src.close();
  }
}
