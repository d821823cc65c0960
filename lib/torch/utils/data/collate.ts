/**
 * Collation: merging samples into a batch, as `default_collate` does in
 * PyTorch, in two forms:
 * - {@link defaultCollate}: tensors out (main thread);
 * - {@link defaultCollateRaw} + {@link wrapTensorData}: the same batch as
 *   plain data ({@link TensorData} leaves holding typed arrays) built where
 *   the samples are (a worker thread), then wrapped as tensors on the main
 *   thread. Native tensor handles never cross threads.
 */
import { Tensor } from '../../tensor.js';
import { stack } from '../../generated/public.js';
import { fromTypedArray } from '../../creation.js';
import { dtypeOfTypedArray, type DType, type TypedArray } from '../../dtype.js';

/** Tag of a {@link TensorData} object. */
export const TENSOR_DATA_TAG = '__torchTensorData__';

/** A tensor as plain data: its elements (row-major), shape and dtype. Survives `postMessage`. */
export interface TensorData {
  readonly [TENSOR_DATA_TAG]: true;
  data: TypedArray;
  shape: number[];
  dtype: DType;
}

/**
 * A collation that runs without tensors (`raw`, usable in worker threads)
 * followed by wrapping on the main thread (`wrap`). `module`/`exportName`
 * say where `raw` is exported so a worker can import it.
 */
export interface RawCollate<R = unknown, B = unknown> {
  /**
   * Which samples `raw` takes: `'raw'` = from `dataset.getRaw(i)` when the
   * dataset has it (else `get`); `'get'` = always from `dataset.get(i)`.
   */
  input: 'raw' | 'get';
  /** Samples → plain data. */
  raw(samples: unknown[]): R;
  /** Plain data → the batch (tensors). Runs on the main thread. */
  wrap(raw: R): B;
  /** Module path or URL that exports `raw`. */
  module: string;
  /** Name of the export. */
  exportName: string;
}

/** A collate function; with `rawCollate` it can run in DataLoader workers. */
export type CollateFn<T = unknown, B = unknown> = ((samples: T[]) => B) & { rawCollate?: RawCollate<unknown, B> };

/** Whether `v` is a {@link TensorData}. */
export function isTensorData(v: unknown): v is TensorData {
  return typeof v === 'object' && v !== null && (v as Record<string, unknown>)[TENSOR_DATA_TAG] === true;
}

/** Makes a {@link TensorData}. */
export function tensorData(data: TypedArray, shape: number[], dtype: DType = dtypeOfTypedArray(data)): TensorData {
  return { [TENSOR_DATA_TAG]: true, data, shape, dtype };
}

const COLLATE_TYPES = 'tensors, typed arrays, numbers, booleans, bigints, strings, arrays or objects';

function describeElem(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'Object';
  return typeof v;
}

/** Concatenates equal-length typed arrays of one kind into a [B, ...] block. */
function stackTyped(batch: TypedArray[]): TensorData {
  const first = batch[0];
  const len = first.length;
  const Ctor = first.constructor as { new (n: number): TypedArray };
  const out = new Ctor(len * batch.length);
  batch.forEach((a, i) => {
    if (a.constructor !== first.constructor) {
      throw new TypeError(`default_collate: typed arrays of different kinds in one batch (${first.constructor.name} and ${a.constructor.name})`);
    }
    if (a.length !== len) {
      throw new RangeError(`stack expects each tensor to be equal size, but got [${len}] at entry 0 and [${a.length}] at entry ${i}`);
    }
    (out as unknown as { set(x: ArrayLike<number | bigint>, o: number): void }).set(a, i * len);
  });
  return tensorData(out, [batch.length, len]);
}

function numbersData(batch: unknown[]): TensorData {
  const kind = typeof batch[0];
  for (const v of batch) {
    if (typeof v !== kind) throw new TypeError(`default_collate: mixed ${kind} and ${typeof v} in one batch`);
  }
  if (kind === 'bigint') return tensorData(BigInt64Array.from(batch as bigint[]), [batch.length], 'int64');
  if (kind === 'boolean')
    return tensorData(
      Uint8Array.from(batch as boolean[], (b) => (b ? 1 : 0)),
      [batch.length],
      'bool',
    );
  const nums = batch as number[];
  if (nums.every((x) => Number.isInteger(x))) {
    return tensorData(
      BigInt64Array.from(nums, (x) => BigInt(x)),
      [batch.length],
      'int64',
    );
  }
  return tensorData(Float64Array.from(nums), [batch.length], 'float64');
}

/**
 * The shared walk of default collation; `leaf` turns a {@link TensorData}
 * into the output leaf and `tensors` merges tensor samples.
 */
function collateWith(batch: unknown[], leaf: (d: TensorData) => unknown, tensors: (ts: Tensor[]) => unknown): unknown {
  if (batch.length === 0) throw new RangeError('default_collate: the batch is empty');
  const elem = batch[0];
  if (elem instanceof Tensor) {
    for (const t of batch) {
      if (!(t instanceof Tensor)) throw new TypeError(`default_collate: mixed Tensor and ${describeElem(t)} in one batch`);
    }
    return tensors(batch as Tensor[]);
  }
  if (isTensorData(elem)) {
    const parts = batch as TensorData[];
    const block = stackTyped(parts.map((p) => p.data));
    return leaf(tensorData(block.data, [batch.length, ...elem.shape], elem.dtype));
  }
  if (ArrayBuffer.isView(elem) && !(elem instanceof DataView)) return leaf(stackTyped(batch as TypedArray[]));
  const t = typeof elem;
  if (t === 'number' || t === 'boolean' || t === 'bigint') return leaf(numbersData(batch));
  if (t === 'string') return batch.slice();
  if (Array.isArray(elem)) {
    const n = elem.length;
    for (const s of batch) {
      if (!Array.isArray(s) || s.length !== n) throw new RangeError('each element in list of batch should be of equal size');
    }
    return Array.from({ length: n }, (_, i) =>
      collateWith(
        batch.map((s) => (s as unknown[])[i]),
        leaf,
        tensors,
      ),
    );
  }
  if (t === 'object' && elem !== null && Object.getPrototypeOf(elem) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(elem as object))
      out[k] = collateWith(
        batch.map((s) => (s as Record<string, unknown>)[k]),
        leaf,
        tensors,
      );
    return out;
  }
  throw new TypeError(`default_collate: batch must contain ${COLLATE_TYPES}; found ${describeElem(elem)}`);
}

/** Turns a {@link TensorData} into a tensor (one copy). */
export function tensorFromData(d: TensorData): Tensor {
  return fromTypedArray(d.data, d.shape, { dtype: d.dtype });
}

/**
 * PyTorch's `default_collate`: tensors are stacked along a new dimension 0;
 * numbers become a tensor (int64 when all are integers, else float64),
 * booleans a bool tensor, bigints int64; typed arrays are stacked as tensors
 * of their own dtype; strings stay a list; arrays and objects are collated
 * position by position / key by key.
 *
 * @throws TypeError for unsupported element types; RangeError for an empty
 *   batch or samples of different sizes.
 */
export const defaultCollate: CollateFn<unknown, unknown> = Object.assign(
  (batch: unknown[]): unknown => collateWith(batch, tensorFromData, (ts) => stack(ts, 0)),
  {
    rawCollate: {
      input: 'get',
      raw: (samples: unknown[]): unknown => defaultCollateRaw(samples),
      wrap: (raw: unknown): unknown => wrapTensorData(raw),
      module: import.meta.url,
      exportName: 'defaultCollateRaw',
    } satisfies RawCollate<unknown, unknown>,
  },
);

/**
 * {@link defaultCollate} without tensors: the same structure with
 * {@link TensorData} leaves. Tensor samples are copied out with
 * `toTypedArray()`.
 */
export function defaultCollateRaw(batch: unknown[]): unknown {
  return collateWith(
    batch,
    (d) => d,
    (ts) => {
      const parts = ts.map((x) => tensorData(x.toTypedArray(), x.shape, x.dtype));
      const block = stackTyped(parts.map((p) => p.data));
      return tensorData(block.data, [ts.length, ...ts[0].shape], ts[0].dtype);
    },
  );
}

/** Replaces every {@link TensorData} in a structure by a tensor. */
export function wrapTensorData(raw: unknown): unknown {
  if (isTensorData(raw)) return tensorFromData(raw);
  if (Array.isArray(raw)) return raw.map(wrapTensorData);
  if (typeof raw === 'object' && raw !== null && Object.getPrototypeOf(raw) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) out[k] = wrapTensorData(v);
    return out;
  }
  return raw;
}

/**
 * PyTorch's `default_convert` (used when `batchSize` is null): typed arrays
 * become tensors, arrays and objects are converted element by element,
 * everything else is left as is.
 */
export function defaultConvert(sample: unknown): unknown {
  if (sample instanceof Tensor) return sample;
  if (ArrayBuffer.isView(sample) && !(sample instanceof DataView)) {
    const a = sample as TypedArray;
    return fromTypedArray(a, [a.length]);
  }
  if (isTensorData(sample)) return tensorFromData(sample);
  if (Array.isArray(sample)) return sample.map(defaultConvert);
  if (typeof sample === 'object' && sample !== null && Object.getPrototypeOf(sample) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(sample)) out[k] = defaultConvert(v);
    return out;
  }
  return sample;
}

/** Every ArrayBuffer that a structure owns whole (safe to transfer to another thread). */
export function transferables(raw: unknown, out: ArrayBuffer[] = [], seen = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(raw)) {
    const buf = raw.buffer;
    if (buf instanceof ArrayBuffer && raw.byteOffset === 0 && raw.byteLength === buf.byteLength && !seen.has(buf)) {
      seen.add(buf);
      out.push(buf);
    }
  } else if (Array.isArray(raw)) {
    for (const v of raw) transferables(v, out, seen);
  } else if (typeof raw === 'object' && raw !== null) {
    for (const v of Object.values(raw)) transferables(v, out, seen);
  }
  return out;
}
