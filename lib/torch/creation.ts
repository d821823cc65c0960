/** Tensor creation: from data, filled, ranges and random. */
import { native } from './native.js';
import { Tensor } from './tensor.js';
import { wrap, shapeArgs, op } from './handle.js';
import { dtypeCode, dtypeOfTypedArray, getDefaultDtype, hasNumberForm, isDType, ITEM_SIZE, type DType, type TypedArray } from './dtype.js';
import { deviceString, type DeviceLike } from './device.js';
import { checkOptions, describe, rangeError, typeError } from './errors.js';
import type { Generator } from './generator.js';

/** Options shared by every factory. */
export interface TensorOptions {
  /** Element type (default: inferred from data, else the default float dtype). */
  dtype?: DType;
  /** Device (default 'cpu'). */
  device?: DeviceLike;
  /** Track gradients (default false). */
  requiresGrad?: boolean;
}

const OPTION_KEYS = ['dtype', 'device', 'requiresGrad'] as const;

/** Nested array input accepted by torch.tensor. */
export type NestedInput = number | boolean | bigint | NestedInput[];

function finish(t: Tensor, opts: TensorOptions, inferred: DType): Tensor {
  const dtype = opts.dtype ?? inferred;
  const dev = opts.device === undefined ? 'cpu' : deviceString(opts.device);
  let out = t;
  if (dtype !== t.dtype || dev !== 'cpu') {
    out = t.to({ dtype, device: dev });
    if (out !== t) t.dispose();
  }
  if (opts.requiresGrad) out.requiresGrad_(true);
  return out;
}

function checkOpts(opts: TensorOptions | undefined, where: string): TensorOptions {
  if (opts === undefined) return {};
  checkOptions(opts, OPTION_KEYS, where);
  if (opts.dtype !== undefined && !isDType(opts.dtype)) dtypeCode(opts.dtype);
  return opts;
}

/**
 * Creates a tensor from a number, boolean, bigint, nested arrays or a typed
 * array (copying the data). Dtype is inferred as in PyTorch: all-integer
 * numbers give int64, any fraction gives the default float dtype, booleans
 * give bool; typed arrays keep their own type (Uint16Array uint16,
 * Uint32Array uint32, BigUint64Array uint64, ... see {@link dtypeOfTypedArray}).
 * Bigints keep all 64 bits for int64 and uint64 tensors. With a dtype that
 * has no number form (bits*, float4_e2m1fn_x2), a typed array of elements of
 * the same size gives the raw bits.
 * @throws TypeError for ragged arrays, values that are not numbers/booleans/bigints
 *   or an unsupported view (DataView...), or, for a dtype without a number form,
 *   anything but a typed array of its element size; RangeError for a bigint outside int64
 *   (uint64 for a uint64 tensor) or a negative integer for a uint64 tensor.
 */
export function tensor(data: NestedInput | TypedArray | Tensor, opts?: TensorOptions): Tensor {
  const o = checkOpts(opts, 'tensor');
  if (data instanceof Tensor) {
    const c = data.detach();
    const d = c.clone();
    c.dispose();
    return finish(d, o, d.dtype);
  }
  if (ArrayBuffer.isView(data)) {
    const ta = data as TypedArray;
    const src = dtypeOfTypedArray(ta);
    if (o.dtype !== undefined && !hasNumberForm(o.dtype)) {
      // bits*/float4 elements have no values to convert: the array gives their raw bits.
      if (ta.BYTES_PER_ELEMENT !== ITEM_SIZE[o.dtype]) {
        typeError(`a typed array of ${ITEM_SIZE[o.dtype]}-byte elements (raw bits) for a ${o.dtype} tensor`, 'data', ta);
      }
      return finish(wrap<Tensor>(native.fromBytes(ta, dtypeCode(o.dtype), [ta.length])), o, o.dtype);
    }
    const t = wrap<Tensor>(native.fromBytes(ta, dtypeCode(src), [ta.length]));
    return finish(t, o, src);
  }
  if (o.dtype !== undefined && !hasNumberForm(o.dtype)) {
    typeError(`a typed array of ${ITEM_SIZE[o.dtype]}-byte elements (raw bits) for a ${o.dtype} tensor`, 'data', data);
  }
  const shape: number[] = [];
  let probe: NestedInput = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const numel = shape.reduce((a, b) => a * b, 1);
  const flat = new Float64Array(numel);
  // Bigint inputs by position (numbers elsewhere), to keep all 64 bits.
  let big: (bigint | undefined)[] | null = null;
  const unsigned = o.dtype === 'uint64';
  let pos = 0;
  let kind: 'int' | 'float' | 'bool' | null = null;
  let beyondInt64 = false;
  const visit = (v: NestedInput, d: number): void => {
    if (d < shape.length) {
      if (!Array.isArray(v)) throw new TypeError(`Expected a sequence at dim ${d} but received ${describe(v)}`);
      if (v.length !== shape[d]) throw new TypeError(`expected sequence of length ${shape[d]} at dim ${d} (got ${v.length})`);
      for (const x of v) visit(x, d + 1);
      return;
    }
    if (Array.isArray(v)) throw new TypeError(`expected a number at dim ${d} but received a sequence`);
    if (typeof v === 'boolean') {
      kind ??= 'bool';
      flat[pos++] = v ? 1 : 0;
    } else if (typeof v === 'number') {
      if (!Number.isInteger(v)) kind = 'float';
      else {
        if (kind !== 'float') kind = 'int';
        if (v >= 2 ** 63 || v < -(2 ** 63)) beyondInt64 = true;
      }
      flat[pos++] = v;
    } else if (typeof v === 'bigint') {
      const max = unsigned ? 18446744073709551615n : 9223372036854775807n;
      if (v > max || v < -9223372036854775808n) {
        throw new RangeError(`Expected a value that fits in ${unsigned ? 'uint64' : 'int64'} but received ${v}`);
      }
      if (kind !== 'float') kind = 'int';
      big ??= new Array<bigint | undefined>(numel);
      big[pos] = v;
      flat[pos++] = Number(v);
    } else {
      throw new TypeError(`Expected numbers or booleans in tensor data but received ${describe(v)}`);
    }
  };
  visit(data, 0);
  // Integral numbers beyond int64 (1e20) read as floats, as a float literal would.
  const inferred: DType = kind === 'bool' ? 'bool' : kind === 'int' && !beyondInt64 ? 'int64' : getDefaultDtype();
  const target = o.dtype ?? inferred;
  let t: Tensor;
  const make = INTEGER_ARRAYS[target];
  if (make !== undefined) {
    // Integer and bool tensors are written here, each value checked as PyTorch's torch.tensor checks it.
    const arr = make(numel);
    for (let i = 0; i < numel; i++) arr[i] = toInteger(big?.[i] ?? flat[i], target) as never;
    t = wrap<Tensor>(native.fromBytes(arr, dtypeCode(target), shape));
  } else {
    t = wrap<Tensor>(native.fromBytes(flat, dtypeCode('float64'), shape));
  }
  return finish(t, o, inferred);
}

type IntegerArray = Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

const INTEGER_ARRAYS: Partial<Record<DType, (n: number) => IntegerArray>> = {
  int8: (n) => new Int8Array(n),
  int16: (n) => new Int16Array(n),
  int32: (n) => new Int32Array(n),
  int64: (n) => new BigInt64Array(n),
  uint8: (n) => new Uint8Array(n),
  uint16: (n) => new Uint16Array(n),
  uint32: (n) => new Uint32Array(n),
  uint64: (n) => new BigUint64Array(n),
  bool: (n) => new Uint8Array(n),
};

// [lowest, max] of the integer dtypes below 64 bits.
const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

function overflow(dtype: DType): never {
  throw new RangeError(`value cannot be converted to type ${dtype} without overflow`);
}

/**
 * One value of torch.tensor data as an element of an integer or bool tensor,
 * by PyTorch's rules (c10::checked_convert): fractions truncate toward zero;
 * NaN, infinities and values outside the type's range throw; negative
 * integers may wrap into the unsigned types when their magnitude fits (-1 as
 * uint8 is 255); uint64 refuses negative values.
 */
function toInteger(v: number | bigint, dtype: DType): number | bigint {
  if (dtype === 'bool') return v !== 0 && v !== 0n ? 1 : 0;
  if (dtype === 'int64' || dtype === 'uint64') {
    let x: bigint;
    if (typeof v === 'bigint') x = v;
    else {
      if (Number.isNaN(v) || !Number.isFinite(v)) overflow(dtype);
      const tv = Math.trunc(v);
      if (tv >= 2 ** 64 || (dtype === 'int64' && tv >= 2 ** 63)) overflow(dtype);
      x = BigInt(tv);
    }
    if (dtype === 'int64' && (x < -(2n ** 63n) || x >= 2n ** 63n)) overflow(dtype);
    if (dtype === 'uint64' && x < 0n) throw new RangeError(`Expected a value that fits in uint64 but received ${v}`);
    return x;
  }
  const [lo, hi] = INT_RANGE[dtype] as [number, number];
  const integral = typeof v === 'bigint' || Number.isInteger(v);
  const x = typeof v === 'bigint' ? Number(v) : v; // exact enough against 32-bit bounds
  if (integral) {
    // an integer: within the range, or (unsigned) a negative one whose magnitude fits
    if (x > hi || (lo === 0 ? -x > hi : x < lo)) overflow(dtype);
    return x;
  }
  if (Number.isNaN(x) || x < lo || (FRACTION_BELOW_MAX_FITS ? x >= hi + 1 : x > hi)) overflow(dtype);
  return Math.trunc(x);
}

// From PyTorch 2.14 a fraction just above an integer dtype's max truncates to
// it (255.5 as uint8 is 255); 2.13 and older raise. The linked libtorch decides.
const [TORCH_MAJOR = 0, TORCH_MINOR = 0] = native.torchVersion.split('.').map(Number);
const FRACTION_BELOW_MAX_FITS = TORCH_MAJOR > 2 || (TORCH_MAJOR === 2 && TORCH_MINOR >= 14);

/** Wraps a typed array's data in a tensor of `shape` (copied). @throws TorchError on a size mismatch. */
export function fromTypedArray(data: TypedArray, shape: number[], opts?: TensorOptions): Tensor {
  const o = checkOpts(opts, 'fromTypedArray');
  const src = dtypeOfTypedArray(data);
  return finish(wrap<Tensor>(native.fromBytes(data, dtypeCode(src), shape)), o, src);
}

/** Splits PyTorch's `(size..., opts)` varargs. */
function sizeAndOpts(args: readonly unknown[], where: string): [number[], TensorOptions] {
  let opts: TensorOptions = {};
  let rest = args;
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    opts = checkOpts(last as TensorOptions, where);
    rest = args.slice(0, -1);
  }
  if (rest.length === 0) typeError('a size (array of integers)', `${where} size`, undefined);
  const size = shapeArgs(rest as (number | number[])[]);
  for (const d of size) if (d < 0) rangeError('non-negative dimensions', `${where} size`, size);
  return [size, opts];
}

type SizeArgs = [number[], TensorOptions?] | (number | TensorOptions)[];

const zerosOp = op('aten::zeros', '');
const onesOp = op('aten::ones', '');
const fullOp = op('aten::full', '');
const emptyOp = op('aten::empty', 'memory_format');
const randOp = op('aten::rand', '');
const randnOp = op('aten::randn', '');
const randintOp = op('aten::randint', 'low');
const arangeOp = op('aten::arange', 'start_step');
const linspaceOp = op('aten::linspace', '');
const eyeOp = op('aten::eye', 'm');
const randpermOp = op('aten::randperm', '');

function factory(
  fn: (size: number[], dtype: number, device: string | undefined) => unknown,
  where: string,
  args: readonly unknown[],
  floatOnly = false,
): Tensor {
  const [size, o] = sizeAndOpts(args, where);
  const dtype = o.dtype ?? getDefaultDtype();
  if (floatOnly && !(dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16')) {
    throw new TypeError(`${where}() expects a floating point dtype but received '${dtype}'`);
  }
  const t = wrap<Tensor>(fn(size, dtypeCode(dtype), o.device === undefined ? undefined : deviceString(o.device)));
  if (o.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Zeros of the given size: `zeros([2, 3])` or `zeros(2, 3)`, with options last. */
export function zeros(...args: SizeArgs): Tensor {
  return factory((s, d, dev) => zerosOp(s, d, undefined, dev), 'zeros', args);
}
/** Ones of the given size. */
export function ones(...args: SizeArgs): Tensor {
  return factory((s, d, dev) => onesOp(s, d, undefined, dev), 'ones', args);
}
/** Uninitialized memory of the given size. */
export function empty(...args: SizeArgs): Tensor {
  return factory((s, d, dev) => emptyOp(s, d, undefined, dev), 'empty', args);
}
/** Uniform [0, 1) samples (float dtypes only). */
export function rand(...args: SizeArgs): Tensor {
  return factory((s, d, dev) => randOp(s, d, undefined, dev), 'rand', args, true);
}
/** Standard normal samples (float dtypes only). */
export function randn(...args: SizeArgs): Tensor {
  return factory((s, d, dev) => randnOp(s, d, undefined, dev), 'randn', args, true);
}

/**
 * The dtype PyTorch infers for a fill value: bool for a boolean, int64 for a
 * bigint or an integral number within int64, else the default float dtype.
 * @throws TypeError for anything but a number, boolean or bigint; RangeError
 *   for a bigint outside both int64 and uint64.
 */
function fillDtype(v: unknown, name: string): DType {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') {
    if (v < -(2n ** 63n) || v >= 2n ** 64n) throw new RangeError(`Expected a bigint that fits in int64 or uint64 for ${name} but received ${v}`);
    return 'int64';
  }
  if (typeof v !== 'number') return typeError('a number, boolean or bigint', name, v);
  return Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63 ? 'int64' : getDefaultDtype();
}

/**
 * A tensor filled with `fillValue`; dtype inferred from the value (bool,
 * int64 for bigints and integers within int64, else the default float)
 * unless given. Bigints keep all 64 bits.
 * @throws TypeError for a fill value of another kind; RangeError for a
 *   bigint outside int64 and uint64; TorchError when the value does not fit
 *   the dtype (libtorch's "value cannot be converted to type ... without overflow").
 */
export function full(size: number[], fillValue: number | boolean | bigint, opts?: TensorOptions): Tensor {
  const o = checkOpts(opts, 'full');
  const s = shapeArgs([size]);
  const inferred = fillDtype(fillValue, 'fillValue');
  const t = wrap<Tensor>(fullOp(s, fillValue, dtypeCode(o.dtype ?? inferred), undefined, o.device === undefined ? undefined : deviceString(o.device)));
  if (o.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Integers in [low, high): `randint(high, size)` or `randint(low, high, size)` (int64 by default). */
export function randint(high: number, size: number[], opts?: TensorOptions): Tensor;
export function randint(low: number, high: number, size: number[], opts?: TensorOptions): Tensor;
export function randint(a: number, b: number | number[], c?: number[] | TensorOptions, d?: TensorOptions): Tensor {
  let low = 0,
    high: number,
    size: number[],
    opts: TensorOptions | undefined;
  if (Array.isArray(b)) {
    high = a;
    size = b;
    opts = c as TensorOptions | undefined;
  } else {
    low = a;
    high = b;
    size = c as number[];
    opts = d;
  }
  const o = checkOpts(opts, 'randint');
  if (!Number.isInteger(low) || !Number.isInteger(high)) typeError('integer bounds', 'randint', [low, high]);
  const t = wrap<Tensor>(
    randintOp(low, high, shapeArgs([size]), dtypeCode(o.dtype ?? 'int64'), undefined, o.device === undefined ? undefined : deviceString(o.device)),
  );
  if (o.requiresGrad) t.requiresGrad_(true);
  return t;
}

/**
 * Values from start (default 0) to end (exclusive) by step (default 1):
 * `arange(5)`, `arange(1, 5)`, `arange(0, 1, 0.1)`. Int64 when all arguments
 * are integers, else the default float dtype.
 */
export function arange(end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number, step: number, opts?: TensorOptions): Tensor;
export function arange(...args: (number | TensorOptions | undefined)[]): Tensor {
  let opts: TensorOptions = {};
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  if (typeof args[args.length - 1] === 'object') opts = checkOpts(args.pop() as TensorOptions, 'arange');
  const nums = args as number[];
  for (const n of nums) if (typeof n !== 'number' || !Number.isFinite(n)) typeError('finite numbers', 'arange', n);
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : nums.length === 2 ? [nums[0], nums[1], 1] : [nums[0], nums[1], nums[2]];
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  const inferred: DType = nums.every(Number.isInteger) ? 'int64' : getDefaultDtype();
  const t = wrap<Tensor>(
    arangeOp(start, end, step, dtypeCode(opts.dtype ?? inferred), undefined, opts.device === undefined ? undefined : deviceString(opts.device)),
  );
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  const o = checkOpts(opts, 'linspace');
  if (!Number.isInteger(steps) || steps < 0) rangeError('a non-negative integer', 'steps', steps);
  const t = wrap<Tensor>(
    linspaceOp(start, end, steps, dtypeCode(o.dtype ?? getDefaultDtype()), undefined, o.device === undefined ? undefined : deviceString(o.device)),
  );
  if (o.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** An n x m (default n x n) identity matrix. */
export function eye(n: number, m?: number | TensorOptions, opts?: TensorOptions): Tensor {
  if (typeof m === 'object') {
    opts = m;
    m = undefined;
  }
  const o = checkOpts(opts, 'eye');
  const t = wrap<Tensor>(eyeOp(n, m ?? n, dtypeCode(o.dtype ?? getDefaultDtype()), undefined, o.device === undefined ? undefined : deviceString(o.device)));
  if (o.requiresGrad) t.requiresGrad_(true);
  return t;
}

/**
 * A random permutation of 0..n-1 (int64). With `generator` the permutation
 * comes from that seeded JS generator, else from libtorch's global one.
 */
export function randperm(n: number, opts: TensorOptions & { generator?: Generator } = {}): Tensor {
  const { generator, ...rest } = opts;
  const o = checkOpts(rest, 'randperm');
  if (!Number.isInteger(n) || n < 0) rangeError('a non-negative integer', 'n', n);
  if (generator !== undefined) {
    const perm = generator.permutation(n);
    return finish(
      wrap<Tensor>(
        native.fromBytes(
          BigInt64Array.from(perm, (x) => BigInt(x)),
          dtypeCode('int64'),
          [n],
        ),
      ),
      o,
      'int64',
    );
  }
  return wrap<Tensor>(randpermOp(n, dtypeCode(o.dtype ?? 'int64'), undefined, o.device === undefined ? undefined : deviceString(o.device)));
}

/** Memory layouts, as PyTorch's torch.preserve_format, contiguous_format, channels_last, channels_last_3d. */
export type MemoryFormat = 'preserveFormat' | 'contiguousFormat' | 'channelsLast' | 'channelsLast3d';

// c10::MemoryFormat codes.
const MEMORY_FORMATS: Record<MemoryFormat, number> = { contiguousFormat: 0, preserveFormat: 1, channelsLast: 2, channelsLast3d: 3 };

/** Options of the `*Like` factories. */
export interface LikeOptions extends TensorOptions {
  /**
   * Layout of the result (default 'preserveFormat': the input's strides
   * when it is dense, as PyTorch; random draws then land in the same
   * elements as in PyTorch for the same seed).
   */
  memoryFormat?: MemoryFormat;
}

const LIKE_KEYS = ['dtype', 'device', 'requiresGrad', 'memoryFormat'] as const;

const zerosLikeOp = op('aten::zeros_like', '');
const onesLikeOp = op('aten::ones_like', '');
const emptyLikeOp = op('aten::empty_like', '');
const fullLikeOp = op('aten::full_like', '');
const randLikeOp = op('aten::rand_like', '');
const randnLikeOp = op('aten::randn_like', '');
const randintLikeOp = op('aten::randint_like', '');
let randintLikeLowId = -1;
function randintLikeLowOp(...args: unknown[]): unknown {
  if (randintLikeLowId < 0) randintLikeLowId = native.lookupOp('aten::randint_like', 'low_dtype');
  return native.callOp(randintLikeLowId, ...args);
}
const scalarTensorOp = op('aten::scalar_tensor', '');

/** The (dtype, layout, device, pinMemory, memoryFormat) arguments of an aten `*_like` op. */
function likeArgs(t: Tensor, opts: LikeOptions | undefined, where: string): [number | undefined, undefined, string | undefined, undefined, number] {
  if (!(t instanceof Tensor)) typeError('a Tensor', 'input', t);
  const o = opts ?? {};
  checkOptions(o, LIKE_KEYS, where);
  if (o.dtype !== undefined) dtypeCode(o.dtype);
  let mf = 1;
  if (o.memoryFormat !== undefined) {
    const code = Object.hasOwn(MEMORY_FORMATS, o.memoryFormat) ? MEMORY_FORMATS[o.memoryFormat] : undefined;
    if (code === undefined) typeError(`one of ${Object.keys(MEMORY_FORMATS).join(', ')}`, 'memoryFormat', o.memoryFormat);
    mf = code;
  }
  return [o.dtype === undefined ? undefined : dtypeCode(o.dtype), undefined, o.device === undefined ? undefined : deviceString(o.device), undefined, mf];
}

function finishLike(hh: unknown, opts: LikeOptions | undefined): Tensor {
  const t = wrap<Tensor>(hh);
  if (opts?.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Zeros with the shape, layout and (by default) dtype and device of `t`. */
export function zerosLike(t: Tensor, opts?: LikeOptions): Tensor {
  return finishLike(zerosLikeOp(t._h, ...likeArgs(t, opts, 'zerosLike')), opts);
}
/** Ones with the shape, layout and (by default) dtype and device of `t`. */
export function onesLike(t: Tensor, opts?: LikeOptions): Tensor {
  return finishLike(onesLikeOp(t._h, ...likeArgs(t, opts, 'onesLike')), opts);
}
/** Uninitialized, with the shape and layout of `t`. */
export function emptyLike(t: Tensor, opts?: LikeOptions): Tensor {
  return finishLike(emptyLikeOp(t._h, ...likeArgs(t, opts, 'emptyLike')), opts);
}
/**
 * Filled with `v`, with the shape and layout of `t` (dtype: t's unless given).
 * @throws as {@link full}.
 */
export function fullLike(t: Tensor, v: number | boolean | bigint, opts?: LikeOptions): Tensor {
  const args = likeArgs(t, opts, 'fullLike');
  fillDtype(v, 'fillValue');
  return finishLike(fullLikeOp(t._h, v, ...args), opts);
}
/** Uniform [0, 1) samples with the shape and layout of `t` (the same draws as PyTorch's rand_like for the same seed). */
export function randLike(t: Tensor, opts?: LikeOptions): Tensor {
  return finishLike(randLikeOp(t._h, ...likeArgs(t, opts, 'randLike')), opts);
}
/** Standard normal samples with the shape and layout of `t` (the same draws as PyTorch's randn_like for the same seed). */
export function randnLike(t: Tensor, opts?: LikeOptions): Tensor {
  return finishLike(randnLikeOp(t._h, ...likeArgs(t, opts, 'randnLike')), opts);
}
/**
 * Random integers in [low, high) (low default 0) with the shape and layout of
 * `t`, of t's dtype unless given: `randintLike(t, high)` or
 * `randintLike(t, low, high)`, as PyTorch's randint_like.
 * @throws TypeError for bounds that are not integers; TorchError when libtorch rejects them (low >= high).
 */
export function randintLike(t: Tensor, high: number, opts?: LikeOptions): Tensor;
export function randintLike(t: Tensor, low: number, high: number, opts?: LikeOptions): Tensor;
export function randintLike(t: Tensor, a: number, b?: number | LikeOptions, c?: LikeOptions): Tensor {
  if (typeof b === 'number') {
    if (!Number.isInteger(a)) typeError('an integer', 'low', a);
    if (!Number.isInteger(b)) typeError('an integer', 'high', b);
    return finishLike(randintLikeLowOp(t._h, a, b, ...likeArgs(t, c, 'randintLike')), c);
  }
  if (!Number.isInteger(a)) typeError('an integer', 'high', a);
  return finishLike(randintLikeOp(t._h, a, ...likeArgs(t, b, 'randintLike')), b);
}

/**
 * A 0-dim tensor holding `v`, of the default float dtype unless given (as
 * PyTorch's scalar_tensor: `scalarTensor(3)` is float32).
 * @throws as {@link full}.
 */
export function scalarTensor(v: number | boolean | bigint, opts?: TensorOptions): Tensor {
  const o = checkOpts(opts, 'scalarTensor');
  fillDtype(v, 's');
  const t = wrap<Tensor>(scalarTensorOp(v, dtypeCode(o.dtype ?? getDefaultDtype()), undefined, o.device === undefined ? undefined : deviceString(o.device)));
  if (o.requiresGrad) t.requiresGrad_(true);
  return t;
}
