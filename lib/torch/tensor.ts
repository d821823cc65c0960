/**
 * The Tensor class: a typed handle on a libtorch tensor. Op methods come from
 * the generated base class (generated/ops.ts); this file holds what needs
 * hand-written logic: metadata, data access, autograd, conversions, indexing
 * and lifetime.
 */
import { native, type Handle } from './native.js';
import { TensorPython } from './tensor-python.js';
import { registerTensorClass, h, wrap } from './handle.js';
import { track } from './scope.js';
import { dtypeCode, dtypeFromCode, hasNumberForm, isDType, isFloatingPoint, ITEM_SIZE, typedArrayFor, type DType, type TypedArray } from './dtype.js';
import { Device, deviceString, type DeviceLike } from './device.js';
import { checkOptions, describe, typeError } from './errors.js';
import { formatTensor } from './format.js';
import { getItem, setItem, type IndexItem } from './indexing.js';

export { Slice, slice, type IndexItem, type IndexList } from './indexing.js';

/** A nested array of numbers/booleans as `tolist()` returns. */
export type NestedArray = number | boolean | NestedArray[];

/** What `tolist({ bigint: true })` returns: int64 and uint64 elements as bigints. */
export type NestedBigIntArray = number | boolean | bigint | NestedBigIntArray[];

/** Options of Tensor.item() and Tensor.tolist(). */
export interface ItemOptions {
  /** int64 and uint64 elements as bigints, all 64 bits (default false: numbers, exact or a RangeError). */
  bigint?: boolean;
}

/** Options of Tensor.to(). */
export interface ToOptions {
  dtype?: DType;
  device?: DeviceLike;
  /** Always return a new tensor (default false). */
  copy?: boolean;
  nonBlocking?: boolean;
}

let liveWrappers = 0;

// Tensors outside every scope that are dropped without dispose() are freed
// when the garbage collector finds them. (numWrappers keeps counting them: it
// counts tensors never disposed by code.)
const collected = new FinalizationRegistry<Handle>((hh) => {
  native.dispose(hh);
});

// Registering with the FinalizationRegistry costs more than a small op, and
// most tensors made outside scopes are disposed soon after. So they wait in
// `pending` until the current job ends (a microtask) or the list is long, and
// only those still alive then are registered. Nothing is lost: the registry's
// callbacks run only after the job ends too.
const PENDING_LIMIT = 4096;
let pending: Tensor[] = [];
let flushQueued = false;

// Handles of the tensors registered by one flush: their bytes are reported
// to V8 as external memory in one call, so that the GC runs when dropped
// tensors hold much native memory. Tensors freed by scopes or dispose() are
// never reported (reporting every tensor made V8 run full collections
// several times per training step, each marking the whole JS heap).
let reportBuf = new Float64Array(PENDING_LIMIT);

function flushPending(): void {
  flushQueued = false;
  const list = pending;
  pending = [];
  if (list.length > reportBuf.length) reportBuf = new Float64Array(list.length);
  let n = 0;
  for (const t of list) if (t._register()) reportBuf[n++] = t._h as unknown as number;
  if (n > 0) native.reportExternal(reportBuf, n);
}

// A value structured cloning refuses: a Tensor holding it cannot be posted to
// another thread (its handle would be used from two threads at once), and the
// DataCloneError names this description. One shared value, one field store.
const NOT_CLONEABLE = Symbol('torch.Tensor: a tensor cannot be sent to another thread; send t.tolist() or a typed array of its data');

/** A multi-dimensional array on a device, with autograd. */
export class Tensor extends TensorPython {
  /** @internal the native handle. */
  _h: Handle;
  private _dtype: DType | undefined;
  private _disposed = false;
  private _collectable = false;
  private _registered = false;
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: never read; a symbol-valued field makes structuredClone refuse tensors with the message above
  private readonly _notCloneable = NOT_CLONEABLE;

  /** @internal use torch.tensor() and friends. */
  constructor(handle: Handle) {
    super();
    this._h = handle;
    liveWrappers++;
    if (!track(this)) this._onEscape();
  }

  /** @internal from here on the garbage collector frees this tensor if it is dropped. */
  _onEscape(): void {
    if (this._collectable || this._disposed) return;
    this._collectable = true;
    pending.push(this);
    if (pending.length >= PENDING_LIMIT) flushPending();
    else if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flushPending);
    }
  }

  /** @internal registers a pending tensor with the FinalizationRegistry unless it was disposed; true if it did. */
  _register(): boolean {
    if (this._disposed) return false;
    this._registered = true;
    collected.register(this, this._h, this);
    return true;
  }

  // ---------------------------------------------------------------- metadata
  /** The sizes of each dim. */
  get shape(): number[] {
    return native.shape(this._h);
  }
  /** size() is the shape; size(dim) one size (negative dims count from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    const s = native.shape(this._h);
    if (dim === undefined) return s;
    const d = dim < 0 ? dim + s.length : dim;
    if (!Number.isInteger(dim) || d < 0 || d >= s.length) {
      throw new RangeError(`Dimension out of range (expected to be in range of [${-s.length}, ${s.length - 1}], but got ${dim})`);
    }
    return s[d];
  }
  /** Number of dims. */
  get ndim(): number {
    return native.dim(this._h);
  }
  dim(): number {
    return native.dim(this._h);
  }
  numel(): number {
    return native.numel(this._h);
  }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    const s = native.stride(this._h);
    if (dim === undefined) return s;
    const d = dim < 0 ? dim + s.length : dim;
    if (!Number.isInteger(dim) || d < 0 || d >= s.length) {
      throw new RangeError(`Dimension out of range (expected to be in range of [${-s.length}, ${s.length - 1}], but got ${dim})`);
    }
    return s[d];
  }
  storageOffset(): number {
    return native.storageOffset(this._h);
  }
  isContiguous(): boolean {
    return native.isContiguous(this._h);
  }
  get dtype(): DType {
    return (this._dtype ??= dtypeFromCode(native.dtype(this._h)));
  }
  get device(): Device {
    return new Device(native.device(this._h));
  }
  get isCuda(): boolean {
    return native.device(this._h).startsWith('cuda');
  }
  elementSize(): number {
    return ITEM_SIZE[this.dtype];
  }
  /** PyTorch's `is_floating_point()`: true for the float dtypes, 8- and 4-bit ones included. */
  isFloatingPoint(): boolean {
    return isFloatingPoint(this.dtype);
  }

  // ---------------------------------------------------------------- data
  /**
   * The value of a one-element tensor: a number (a boolean for bool
   * tensors). With `{ bigint: true }` int64 and uint64 values come as
   * bigints (all 64 bits); without it, an int64/uint64 value that a number
   * cannot hold exactly (past 2^53, unless a power-of-two multiple that fits)
   * throws instead of being rounded.
   * @throws TorchError for more elements; TypeError for a dtype without a
   *   number form (see {@link hasNumberForm}) or an unknown option;
   *   RangeError for an int64/uint64 value without an exact number form.
   */
  item(): number;
  item<T extends number | boolean>(): T;
  item<T extends number | boolean | bigint = number | bigint>(opts: ItemOptions): T;
  item(opts?: ItemOptions): number | boolean | bigint {
    if (opts !== undefined) checkOptions(opts, ['bigint'], 'item');
    this.checkNumberForm('item');
    const x = native.item(this._h);
    const d = this.dtype;
    if (d !== 'int64' && d !== 'uint64') return x;
    const big = opts?.bigint ?? false;
    // Doubles up to 2^53 hold every integer: libtorch's conversion was exact.
    if (Math.abs(x as number) < 2 ** 53) return big ? BigInt(x as number) : x;
    const v = (this.toTypedArray() as BigInt64Array | BigUint64Array)[0];
    return big ? v : exactNumber(v, d, 'item');
  }
  /**
   * A copy of the elements as a typed array of the matching kind (row-major,
   * on the CPU): Float32Array, Float64Array, BigInt64Array (int64),
   * BigUint64Array (uint64), Int32Array, Uint32Array (uint32), Int16Array,
   * Int8Array, Uint8Array (uint8, bool), Uint16Array (uint16); raw bits for
   * the rest: Uint16Array for float16, bfloat16 and bits16, Uint8Array for the
   * 8-bit floats, float4_e2m1fn_x2 and the other bits types.
   */
  toTypedArray(): TypedArray {
    return typedArrayFor(this.dtype, native.toBytes(this._h));
  }
  /**
   * The elements as numbers in a flat array (int64 and uint64 converted to
   * number; float16, bfloat16 and 8-bit floats through float32).
   * @throws TypeError for a dtype without a number form (see {@link hasNumberForm}).
   */
  dataSync(): number[] {
    this.checkNumberForm('dataSync');
    const d = this.dtype;
    const t = isFloatingPoint(d) && ITEM_SIZE[d] < 4 ? this.to('float32') : this;
    const a = t.toTypedArray();
    if (t !== this) t.dispose();
    if (a instanceof BigInt64Array || a instanceof BigUint64Array) return Array.from(a, Number);
    return Array.from(a as ArrayLike<number>);
  }
  private checkNumberForm(what: string): void {
    const d = this.dtype;
    if (!hasNumberForm(d)) {
      throw new TypeError(`${what}() is not available for ${d} tensors: their elements have no number form (toTypedArray() gives the raw bytes)`);
    }
  }
  /**
   * The elements as nested arrays (a number or boolean for a 0-dim tensor).
   * With `{ bigint: true }` int64 and uint64 elements come as bigints (all
   * 64 bits); without it, an int64/uint64 element that a number cannot hold
   * exactly throws instead of being rounded.
   * @throws TypeError for a dtype without a number form (see
   *   {@link hasNumberForm}) or an unknown option; RangeError for an
   *   int64/uint64 element without an exact number form.
   */
  tolist(opts?: ItemOptions & { bigint?: false }): NestedArray;
  tolist(opts: ItemOptions & { bigint: true }): NestedBigIntArray;
  tolist(opts: ItemOptions): NestedArray | NestedBigIntArray;
  tolist(opts?: ItemOptions): NestedArray | NestedBigIntArray {
    if (opts !== undefined) checkOptions(opts, ['bigint'], 'tolist');
    this.checkNumberForm('tolist');
    const shape = this.shape;
    const d = this.dtype;
    let flat: ArrayLike<number | boolean | bigint>;
    if (d === 'int64' || d === 'uint64') {
      const a = this.toTypedArray() as BigInt64Array | BigUint64Array;
      flat = opts?.bigint ? a : Array.from(a, (v) => exactNumber(v, d, 'tolist'));
    } else if (d === 'bool') {
      flat = Array.from(this.toTypedArray() as Uint8Array, (x) => x !== 0);
    } else {
      flat = this.dataSync();
    }
    if (shape.length === 0) return flat[0];
    let pos = 0;
    const build = (dd: number): NestedBigIntArray[] => {
      const out: NestedBigIntArray[] = [];
      for (let i = 0; i < shape[dd]; i++) out.push(dd === shape.length - 1 ? flat[pos++] : build(dd + 1));
      return out;
    };
    return build(0);
  }

  // ---------------------------------------------------------------- lifetime
  /** Frees this handle now (the memory goes when no other tensor shares it). Idempotent. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    liveWrappers--;
    if (this._registered) collected.unregister(this);
    native.dispose(this._h);
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  // ---------------------------------------------------------------- autograd
  get requiresGrad(): boolean {
    return native.requiresGrad(this._h);
  }
  set requiresGrad(v: boolean) {
    this.requiresGrad_(v);
  }
  /** Sets requires_grad in place (default true). @throws TorchError on non-leaf or non-float tensors. */
  requiresGrad_(requiresGrad = true): this {
    if (typeof requiresGrad !== 'boolean') typeError('a boolean', 'requiresGrad', requiresGrad);
    native.setRequiresGrad(this._h, requiresGrad);
    return this;
  }
  /** The accumulated gradient, or null. Each read returns a new handle on the same gradient. */
  get grad(): Tensor | null {
    const g = native.grad(this._h);
    return g === null ? null : wrap<Tensor>(g);
  }
  set grad(g: Tensor | null) {
    native.setGrad(this._h, g === null ? null : h(g, 'grad'));
  }
  get isLeaf(): boolean {
    return native.isLeaf(this._h);
  }
  /** Name of the autograd node that made this tensor (e.g. 'AddBackward0'), or null. */
  get gradFn(): string | null {
    return native.gradFnName(this._h);
  }
  retainGrad(): void {
    native.retainGrad(this._h);
  }
  /**
   * Computes gradients of this tensor w.r.t. graph leaves.
   * @param gradient required unless this tensor has one element.
   * @throws TorchError when the tensor does not require grad or the graph was freed.
   */
  backward(gradient?: Tensor | null, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    checkOptions(opts, ['retainGraph', 'createGraph'], 'backward');
    native.backward(this._h, gradient == null ? null : h(gradient, 'gradient'), opts.retainGraph, opts.createGraph);
  }

  // ---------------------------------------------------------------- conversion
  /**
   * Converts dtype and/or device: `to('float64')`, `to('cuda')`,
   * `to('cpu', 'float64')` (device then dtype, as PyTorch's
   * `to(device, dtype)`), `to(other)` (its dtype and device),
   * `to({dtype, device, copy})`. Options last: `copy` (default false) always
   * returns a new tensor, `nonBlocking` (default false). Returns self when
   * nothing changes (unless copy).
   * @throws TypeError for an unknown dtype or device, a dtype after anything
   *   but a device, or an unknown option.
   */
  to(target: DType | DeviceLike | Tensor | ToOptions, opts?: { copy?: boolean; nonBlocking?: boolean }): Tensor;
  to(device: DeviceLike, dtype: DType, opts?: { copy?: boolean; nonBlocking?: boolean }): Tensor;
  to(
    target: DType | DeviceLike | Tensor | ToOptions,
    second?: DType | { copy?: boolean; nonBlocking?: boolean },
    third?: { copy?: boolean; nonBlocking?: boolean },
  ): Tensor {
    let dtype: DType | undefined;
    let devStr: string | undefined;
    let opts: { copy?: boolean; nonBlocking?: boolean } = {};
    let secondDtype: DType | undefined;
    if (typeof second === 'string') {
      if (!isDType(second)) dtypeCode(second);
      secondDtype = second;
      opts = third ?? {};
    } else if (second !== undefined) {
      if (third !== undefined) typeError('a dtype', 'to dtype', second);
      opts = second;
    }
    checkOptions(opts, ['copy', 'nonBlocking'], 'to');
    let copy = opts.copy ?? false;
    let nonBlocking = opts.nonBlocking ?? false;
    if (target instanceof Tensor) {
      dtype = target.dtype;
      devStr = native.device(target._h);
    } else if (typeof target === 'string' && isDType(target)) {
      dtype = target;
    } else if (typeof target === 'string' || target instanceof Device) {
      devStr = deviceString(target);
    } else if (typeof target === 'object' && target !== null) {
      checkOptions(target, ['dtype', 'device', 'copy', 'nonBlocking'], 'to');
      dtype = target.dtype;
      devStr = target.device === undefined ? undefined : deviceString(target.device);
      copy = target.copy ?? copy;
      nonBlocking = target.nonBlocking ?? nonBlocking;
    } else {
      typeError('a dtype, device, tensor or options object', 'to', target);
    }
    if (secondDtype !== undefined) {
      const isDevice = target instanceof Device || (typeof target === 'string' && !isDType(target));
      if (!isDevice) {
        throw new TypeError(`Expected a device before the dtype for to but received ${describe(target)}`);
      }
      dtype = secondDtype;
    }
    const curDev = native.device(this._h);
    const wantDev = devStr === 'cuda' && curDev.startsWith('cuda') ? curDev : (devStr ?? curDev);
    const wantDtype = dtype ?? this.dtype;
    if (!copy && wantDev === curDev && wantDtype === this.dtype) return this;
    return wrap<Tensor>(native.callOp(toDeviceOp(), this._h, wantDev, dtypeCode(wantDtype), nonBlocking, copy));
  }
  cuda(index?: number): Tensor {
    return this.to(index === undefined ? 'cuda' : `cuda:${index}`);
  }
  cpu(): Tensor {
    return this.to('cpu');
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  half(): Tensor {
    return this.to('float16');
  }
  bfloat16(): Tensor {
    return this.to('bfloat16');
  }
  long(): Tensor {
    return this.to('int64');
  }
  int(): Tensor {
    return this.to('int32');
  }
  bool(): Tensor {
    return this.to('bool');
  }
  /** `type(dtype)` converts; `type()` names the dtype. */
  type(): string;
  type(dtype: DType): Tensor;
  type(dtype?: DType): Tensor | string {
    return dtype === undefined ? this.dtype : this.to(dtype);
  }
  /** Replaces this tensor's data with `src`'s, keeping its identity (as `t.data = src`). */
  setData_(src: Tensor): this {
    native.setData(this._h, h(src, 'src'));
    this._dtype = undefined;
    return this;
  }
  /** A new handle on the same tensor (shares data, graph and identity). */
  alias(): Tensor {
    return wrap<Tensor>(native.alias(this._h));
  }
  /** True when both handles hold the same libtorch tensor. */
  isSame(other: Tensor): boolean {
    return native.sameTensor(this._h, h(other, 'other'));
  }

  // ---------------------------------------------------------------- indexing
  /**
   * Python's `t[...]` (see indexing.ts): numbers select, 'a:b:c' strings or
   * torch.slice() slice, null adds an axis, '...' skips dims, int64 tensors
   * and lists index, bool tensors mask, `true`/`false` add an axis of size 1
   * or 0. Basic indexing returns a view. One array argument is the item list:
   * `x.index([1, 2])` is `x[1, 2]`; a list index alone is `x.index([[0, 2]])`.
   * @throws RangeError for an index out of range or too many indices;
   *   TypeError for an unknown item, a fractional index or a malformed slice.
   */
  index(...items: IndexItem[] | [IndexItem[]]): Tensor {
    const list = items.length === 1 && Array.isArray(items[0]) ? (items[0] as IndexItem[]) : (items as IndexItem[]);
    return getItem(this, list);
  }
  /**
   * Python's `t[...] = value`, in place (see indexing.ts): basic items address
   * a view that is filled/copied (value broadcast); index tensors, masks,
   * lists and booleans use index_put_. A number/boolean/bigint value takes
   * this tensor's dtype (libtorch checks that it fits). `accumulate` (default
   * false) adds instead of writing.
   * @throws as index(); TorchError when libtorch rejects the value.
   */
  indexPut_(items: IndexItem[], value: Tensor | number | boolean | bigint, opts: { accumulate?: boolean } = {}): this {
    checkOptions(opts, ['accumulate'], 'indexPut_');
    setItem(this, items, value, opts.accumulate ?? false);
    return this;
  }

  // ---------------------------------------------------------------- printing
  override toString(): string {
    return formatTensor(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this._disposed ? 'tensor(<disposed>)' : formatTensor(this);
  }
}

let toDeviceId = -1;
function toDeviceOp(): number {
  if (toDeviceId < 0) toDeviceId = native.lookupOp('aten::to', 'device');
  return toDeviceId;
}

registerTensorClass(
  (hh) => new Tensor(hh),
  (v) => v instanceof Tensor,
);

/** The number an int64/uint64 element is, when a number holds it exactly. @throws RangeError otherwise. */
function exactNumber(v: bigint, dtype: DType, where: string): number {
  const n = Number(v);
  if (BigInt(n) !== v) {
    throw new RangeError(`${where}: the ${dtype} value ${v} has no exact number form; ${where}({ bigint: true }) gives bigints`);
  }
  return n;
}

/** True for a Tensor. */
export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

/** Number of Tensor objects not yet disposed (JS side). */
export function liveTensorWrappers(): number {
  return liveWrappers;
}

export { describe };
