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
import {
  dtypeCode,
  dtypeFromCode,
  hasNumberForm,
  isDType,
  isFloatingPoint,
  ITEM_SIZE,
  typedArrayFor,
  type DType,
  type TypedArray,
} from './dtype.js';
import { Device, deviceString, type DeviceLike } from './device.js';
import { checkOptions, describe, typeError } from './errors.js';
import { formatTensor } from './format.js';

/** A nested array of numbers/booleans as `tolist()` returns. */
export type NestedArray = number | boolean | NestedArray[];

/** One index in `tensor.index([...])`, as in Python's `t[...]`. */
export type IndexItem =
  | number // select
  | string // a slice 'start:stop:step' (any part optional), ':' or '...'
  | null // a new axis (Python's None)
  | Slice // torch.slice(start, stop, step)
  | Tensor; // an index tensor (int64) or a boolean mask

/** A slice object, as Python's `start:stop:step`. */
export class Slice {
  constructor(readonly start: number | null = null, readonly stop: number | null = null, readonly step: number | null = null) {
    if (step === 0) throw new RangeError('slice step cannot be zero');
  }
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

/** A multi-dimensional array on a device, with autograd. */
export class Tensor extends TensorPython {
  /** @internal the native handle. */
  _h: Handle;
  private _dtype: DType | undefined;
  private _disposed = false;
  private _collectable = false;
  private _registered = false;

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
   * The value of a one-element tensor (int64 and uint64 values past 2^53 become
   * the nearest number).
   * @throws TorchError for more elements; TypeError for a dtype without a
   *   number form (see {@link hasNumberForm}).
   */
  item(): number;
  item<T extends number | boolean>(): T;
  item(): number | boolean {
    this.checkNumberForm('item');
    return native.item(this._h);
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
   * @throws TypeError for a dtype without a number form (see {@link hasNumberForm}).
   */
  tolist(): NestedArray {
    this.checkNumberForm('tolist');
    const shape = this.shape;
    const flat = this.dataSync();
    const isBool = this.dtype === 'bool';
    const val = (x: number): number | boolean => (isBool ? x !== 0 : x);
    if (shape.length === 0) return val(flat[0]);
    let pos = 0;
    const build = (d: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[d]; i++) out.push(d === shape.length - 1 ? val(flat[pos++]) : build(d + 1));
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
   * Converts dtype and/or device: `to('float64')`, `to('cuda')`, `to(other)`,
   * `to({dtype, device, copy})`. Returns self when nothing changes (unless copy).
   * @throws TypeError for an unknown dtype or device.
   */
  to(target: DType | DeviceLike | Tensor | ToOptions, opts: { copy?: boolean; nonBlocking?: boolean } = {}): Tensor {
    let dtype: DType | undefined;
    let devStr: string | undefined;
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
    const curDev = native.device(this._h);
    const wantDev = devStr === 'cuda' && curDev.startsWith('cuda') ? curDev : devStr ?? curDev;
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
   * Python's `t[...]`: numbers select, 'a:b:c' strings or torch.slice() slice,
   * null adds an axis, '...' skips dims, int64 tensors index, bool tensors mask.
   * Basic indexing returns a view.
   * @throws RangeError for an index out of range; TypeError for an unknown item.
   */
  index(...items: IndexItem[] | [IndexItem[]]): Tensor {
    const list = items.length === 1 && Array.isArray(items[0]) ? (items[0] as IndexItem[]) : (items as IndexItem[]);
    return applyIndex(this, list);
  }
  /**
   * Python's `t[...] = value`, in place: basic items address a view that is
   * filled/copied; tensor items use index_put_.
   */
  indexPut_(items: IndexItem[], value: Tensor | number | boolean, opts: { accumulate?: boolean } = {}): this {
    checkOptions(opts, ['accumulate'], 'indexPut_');
    assignIndex(this, items, value, opts.accumulate ?? false);
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

registerTensorClass((hh) => new Tensor(hh), (v) => v instanceof Tensor);

/** True for a Tensor. */
export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

/** Number of Tensor objects not yet disposed (JS side). */
export function liveTensorWrappers(): number {
  return liveWrappers;
}

/** A slice for Tensor.index(), as Python's `start:stop:step`. */
export function slice(start: number | null = null, stop: number | null = null, step: number | null = null): Slice {
  return new Slice(start, stop, step);
}

function parseSlice(s: string): Slice {
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3) throw new TypeError(`Expected a slice like '1:5' or '::2' but received '${s}'`);
  const num = (p: string | undefined): number | null => {
    if (p === undefined || p.trim() === '') return null;
    const n = Number(p);
    if (!Number.isInteger(n)) throw new TypeError(`Expected integers in slice but received '${s}'`);
    return n;
  };
  return new Slice(num(parts[0]), num(parts[1]), num(parts[2]));
}

const sliceCache = new Map<string, Slice>();

/** The Slice an index item names (strings parsed once and cached). @throws RangeError for a negative step. */
function sliceOf(item: string | Slice): Slice {
  let sl = item instanceof Slice ? item : sliceCache.get(item);
  if (sl === undefined) {
    sl = item === ':' ? new Slice() : parseSlice(item as string);
    if (sliceCache.size < 1000) sliceCache.set(item as string, sl);
  }
  if (sl.step !== null && sl.step < 0) throw new RangeError('step must be greater than zero');
  return sl;
}

function applyIndex(t: Tensor, items: IndexItem[]): Tensor {
  // One pass to count the dims the items consume (validating as we go).
  let consumed = 0;
  let ellipses = 0;
  let tensors = 0;
  for (const x of items) {
    if (x === null) continue;
    if (x === '...') ellipses++;
    else if (x instanceof Tensor) {
      tensors++;
      consumed += x.dtype === 'bool' ? x.dim() : 1;
    } else consumed++;
  }
  if (ellipses > 1) throw new TypeError('an index can only have a single ellipsis');
  if (tensors === 0) return basicIndex(t, items, consumed);
  if (tensors === items.length) {
    // Only index tensors (t[idx], t[mask], t[i, j]): one native call.
    const ndim = native.dim(t._h);
    if (consumed > ndim) throw new RangeError(`too many indices for tensor of dimension ${ndim}`);
    return t._index(items as Tensor[]);
  }
  const shape = native.shape(t._h); // sizes of `cur`, kept in step with it
  const ndim = shape.length;
  if (consumed > ndim) throw new RangeError(`too many indices for tensor of dimension ${ndim}`);
  let cur = t;
  let dim = 0;
  const advanced: (Tensor | null)[] = [];
  for (const item of items) {
    let next: Tensor | undefined;
    if (item === null) {
      next = cur.unsqueeze(dim);
      shape.splice(dim, 0, 1);
      advanced.push(null);
      dim++;
    } else if (item === '...') {
      const skip = ndim - consumed;
      for (let i = 0; i < skip; i++) advanced.push(null);
      dim += skip;
    } else if (typeof item === 'number') {
      if (!Number.isInteger(item)) typeError('an integer index', 'index', item);
      const size = shape[dim];
      if (item >= size || item < -size) {
        throw new RangeError(`index ${item} is out of bounds for dimension ${dim} with size ${size}`);
      }
      next = cur.select(dim, item);
      shape.splice(dim, 1);
    } else if (typeof item === 'string' || item instanceof Slice) {
      const sl = sliceOf(item);
      if (sl.start !== null || sl.stop !== null || (sl.step !== null && sl.step !== 1)) {
        next = cur.slice(dim, sl.start, sl.stop, sl.step ?? 1);
      }
      advanced.push(null);
      dim++;
    } else if (item instanceof Tensor) {
      advanced.push(item);
      dim += item.dtype === 'bool' ? item.dim() : 1;
    } else {
      typeError('a number, slice string, torch.slice(), null or Tensor', 'index item', item);
    }
    if (next !== undefined) {
      if (cur !== t) cur.dispose();
      cur = next;
    }
  }
  while (advanced.length > 0 && advanced[advanced.length - 1] === null) advanced.pop();
  const out = cur._index(advanced);
  if (cur !== t) cur.dispose();
  return out;
}

// Basic index items as quadruples [kind, a, b, c] (see native indexBasic), reused.
const basicSpec = new Float64Array(4 * 32);

/** Basic indexing (numbers, slices, null, '...') in one native call. */
function basicIndex(t: Tensor, items: IndexItem[], consumed: number): Tensor {
  const n = 4 * items.length;
  const spec = n <= basicSpec.length ? basicSpec : new Float64Array(n);
  let k = 0;
  for (const item of items) {
    if (item === null) spec[k] = 2;
    else if (item === '...') spec[k] = 3;
    else if (typeof item === 'number') {
      if (!Number.isInteger(item)) typeError('an integer index', 'index', item);
      spec[k] = 0;
      spec[k + 1] = item;
    } else if (typeof item === 'string' || item instanceof Slice) {
      const sl = sliceOf(item);
      spec[k] = 1;
      spec[k + 1] = sl.start ?? NaN;
      spec[k + 2] = sl.stop ?? NaN;
      spec[k + 3] = sl.step ?? 1;
    } else {
      typeError('a number, slice string, torch.slice(), null or Tensor', 'index item', item);
    }
    k += 4;
  }
  return wrap<Tensor>(native.indexBasic(t._h, spec, items.length, consumed));
}

function assignIndex(t: Tensor, items: IndexItem[], value: Tensor | number | boolean, accumulate: boolean): void {
  const hasTensor = items.some((x) => x instanceof Tensor);
  if (!hasTensor) {
    const view = applyIndex(t, items);
    if (value instanceof Tensor) view.copy_(value);
    else view.fill_(value);
    view.dispose();
    return;
  }
  // Basic items first (as views), then index_put_ with the tensor items.
  const basic: IndexItem[] = [];
  const adv: (Tensor | null)[] = [];
  for (const item of items) {
    if (item instanceof Tensor) {
      basic.push(':');
      adv.push(item);
    } else if (typeof item === 'number' || item === null || item === '...') {
      basic.push(item);
    } else {
      basic.push(item);
      adv.push(null);
    }
  }
  const view = applyIndex(t, basic);
  const v = value instanceof Tensor ? value : scalarLike(value, view);
  view._indexPut(adv, v, accumulate);
  if (!(value instanceof Tensor)) v.dispose();
  view.dispose();
}

function scalarLike(v: number | boolean, like: Tensor): Tensor {
  const dtype = like.dtype;
  const code = dtypeCode('float64');
  const x = wrap<Tensor>(native.fromBytes(new Float64Array([Number(v)]), code, []));
  const y = x.to({ dtype, device: like.device });
  if (y !== x) x.dispose();
  return y;
}

export { describe };
