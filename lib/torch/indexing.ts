/**
 * Python's tensor indexing: `t[items]` (Tensor.index) and `t[items] = value`
 * (Tensor.indexPut_), done as PyTorch does it (applySlicing in
 * torch/csrc/autograd/python_variable_indexing.cpp and ATen/TensorIndexing.h):
 *
 * 1. The basic items make a view in one native call: numbers select, slices
 *    slice, null adds an axis, '...' skips the dims no other item addresses.
 *    A boolean (`true`/`false`, or a 0-dim bool tensor) adds an axis of size
 *    1 and indexes it with [0] or []; a 0-dim integer tensor selects.
 * 2. The index tensors (int64 tensors, bool masks, lists) are gathered, each
 *    at the dim of the view it addresses (a mask addresses as many dims as it
 *    has), with null for the dims between them, and indexed in one
 *    aten::index (aten::index_put_ for assignment).
 *
 * Integers are selects, not index arrays: `x.index(mask2d, 0)` and
 * `x.index(0, ':', idx)` give PyTorch's shapes, which can differ from
 * NumPy's (NumPy broadcasts the integer with the other index arrays, and
 * moves the broadcast dims to the front when a slice separates them).
 */
import { native, type Handle } from './native.js';
import { isTensor, op, wrap } from './handle.js';
import { typeError } from './errors.js';
import { dtypeCode } from './dtype.js';
import type { Tensor } from './tensor.js';

/** A slice object, as Python's `start:stop:step`. */
export class Slice {
  /** @throws RangeError for a zero step. */
  constructor(
    readonly start: number | null = null,
    readonly stop: number | null = null,
    readonly step: number | null = null,
  ) {
    if (step === 0) throw new RangeError('slice step cannot be zero');
  }
}

/** A slice for Tensor.index(), as Python's `start:stop:step`. @throws RangeError for a zero step. */
export function slice(start: number | null = null, stop: number | null = null, step: number | null = null): Slice {
  return new Slice(start, stop, step);
}

/**
 * A list used as one index item (Python's `t[:, [0, 2]]`): read as an index
 * tensor, int64 for integers, bool when every element is a boolean. Nested
 * lists give multi-dimensional indices.
 */
export type IndexList = readonly (number | boolean | IndexList)[];

/** One index item of `tensor.index(...)`, as in Python's `t[...]`. */
export type IndexItem =
  | number // select
  | boolean // a new axis of size 1 (true) or 0 (false), as Python's t[True]
  | string // a slice 'start:stop:step' (any part optional), ':' or '...'
  | null // a new axis (Python's None)
  | Slice // torch.slice(start, stop, step)
  | Tensor // an index tensor (int64), a boolean mask, or a 0-dim one (select / bool)
  | IndexList; // a list of indices or booleans, read as a tensor

// c10::ScalarType codes used here.
const INT64 = 4;
const BOOL = 11;
const UINT8 = 0;
const INTEGRAL = new Set([0, 1, 2, 3, 4, 27, 28, 29]); // uint8, int8..int64, uint16, uint32, uint64

// Spec kinds of native indexBasic (see native/tensor.cc).
const SELECT = 0;
const SLICE = 1;
const NEW_AXIS = 2;
const ELLIPSIS = 3;
const SKIP = 4;

const indexOp = op('aten::index', 'Tensor');
const indexPutOp = op('aten::index_put_', '');
const copyOp = op('aten::copy_', '');
const fillTensorOp = op('aten::fill_', 'Tensor');
const fillScalarOp = op('aten::fill_', 'Scalar');
const addOp = op('aten::add_', 'Tensor');
const addScalarOp = op('aten::add_', 'Scalar');
const viewOp = op('aten::view', '');
const expandOp = op('aten::expand', '');
const scalarTensorOp = op('aten::scalar_tensor', '');
const toDeviceOp = op('aten::to', 'device');

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

function badItem(item: unknown): never {
  return typeError('a number, boolean, slice string, torch.slice(), null, Tensor or list of indices', 'index item', item);
}

function checkInteger(item: number): void {
  if (!Number.isInteger(item)) typeError('an integer index', 'index', item);
}

/** Writes a slice item into spec at k. */
function putSlice(spec: Float64Array, k: number, item: string | Slice): void {
  const sl = sliceOf(item);
  spec[k] = SLICE;
  spec[k + 1] = sl.start ?? NaN;
  spec[k + 2] = sl.stop ?? NaN;
  spec[k + 3] = sl.step ?? 1;
}

// Basic index items as quadruples [kind, a, b, c] (see native indexBasic), reused.
const basicSpec = new Float64Array(4 * 32);

/** True when every item is basic (numbers, slices, null, '...'): one native call does it all. */
function allBasic(items: readonly IndexItem[]): boolean {
  for (const x of items) {
    if (!(typeof x === 'number' || typeof x === 'string' || x === null || x instanceof Slice)) return false;
  }
  return true;
}

/** The view of basic items (numbers, slices, null, '...'), as a new native handle. */
function basicView(t: Tensor, items: readonly IndexItem[]): Handle {
  const n = 4 * items.length;
  const spec = n <= basicSpec.length ? basicSpec : new Float64Array(n);
  let specified = 0;
  let k = 0;
  for (const item of items) {
    if (item === null) spec[k] = NEW_AXIS;
    else if (item === '...') spec[k] = ELLIPSIS;
    else if (typeof item === 'number') {
      checkInteger(item);
      spec[k] = SELECT;
      spec[k + 1] = item;
      specified++;
    } else {
      putSlice(spec, k, item as string | Slice);
      specified++;
    }
    k += 4;
  }
  return native.indexBasic(t._h, spec, items.length, specified);
}

/** The int64 or bool tensor a list index stands for (Python's torch.tensor(list) for an index). */
function listTensor(list: IndexList, device: string): Handle {
  const shape: number[] = [];
  let probe: IndexList | number | boolean = list;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = (probe as IndexList)[0];
  }
  const flat: (number | boolean)[] = [];
  const visit = (v: IndexList | number | boolean, d: number): void => {
    if (d < shape.length) {
      if (!Array.isArray(v) || v.length !== shape[d]) {
        typeError(`a list of length ${shape[d]} at dim ${d} of an index list`, 'index', v);
      }
      for (const x of v as IndexList) visit(x, d + 1);
      return;
    }
    if (typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v))) flat.push(v);
    else typeError('integers or booleans in an index list', 'index', v);
  };
  visit(list, 0);
  const bools = flat.length > 0 && flat.every((x) => typeof x === 'boolean');
  const hh = bools
    ? native.fromBytes(
        Uint8Array.from(flat, (x) => (x ? 1 : 0)),
        BOOL,
        shape,
      )
    : native.fromBytes(
        BigInt64Array.from(flat, (x) => BigInt(x as number)),
        INT64,
        shape,
      );
  return onDevice(hh, device);
}

/** A handle moved to `device` (the original freed), or itself on the CPU. */
function onDevice(hh: Handle, device: string): Handle {
  if (device === 'cpu') return hh;
  const moved = toDeviceOp(hh, device) as Handle;
  native.dispose(hh);
  return moved;
}

/** The index of a boolean item: [0] for true, [] for false (int64), as PyTorch's boolToIndexingTensor. */
function boolIndex(value: boolean, device: string): Handle {
  const hh = value ? native.fromBytes(new BigInt64Array(1), INT64, [1]) : native.fromBytes(new BigInt64Array(0), INT64, [0]);
  return onDevice(hh, device);
}

/** The view of the basic items and the index tensors for the rest (PyTorch's applySlicing). */
interface Sliced {
  /** The view (a new handle). */
  view: Handle;
  /** Index tensors by dim of the view (null: whole dim), trailing nulls dropped; empty when there are none. */
  indices: (Handle | null)[];
  /** Handles made here (lists, booleans), freed by release(). */
  temps: Handle[];
  /** False when `view` is the indexed tensor itself (not freed by release()). */
  ownView: boolean;
}

function applySlicing(t: Tensor, items: readonly IndexItem[]): Sliced {
  const n = items.length;
  const spec = 4 * n <= basicSpec.length ? basicSpec : new Float64Array(4 * n);
  const temps: Handle[] = [];
  let device: string | undefined; // read only when a list or boolean needs a tensor
  const dev = (): string => (device ??= native.device(t._h));
  // Tensor items (lists made tensors here) with their dtype codes and dims, by position.
  const handles: (Handle | undefined)[] = new Array(n);
  const codes = new Array<number>(n);
  const dims = new Array<number>(n);
  // PyTorch's count_specified_dimensions: what every item but null, '...' and booleans addresses.
  let specified = 0;
  try {
    for (let i = 0; i < n; i++) {
      const item = items[i];
      if (item === null || item === '...' || typeof item === 'boolean') continue;
      if (typeof item === 'number' || typeof item === 'string' || item instanceof Slice) {
        specified++;
        continue;
      }
      let hh: Handle;
      if (isTensor(item)) {
        hh = (item as Tensor)._h;
        codes[i] = dtypeCode((item as Tensor).dtype); // the wrapper caches its dtype
      } else if (Array.isArray(item)) {
        hh = listTensor(item as IndexList, dev());
        temps.push(hh);
        codes[i] = native.dtype(hh);
      } else {
        return badItem(item);
      }
      handles[i] = hh;
      dims[i] = native.dim(hh);
      specified += codes[i] === BOOL || codes[i] === UINT8 ? dims[i] : 1;
    }
    const indices: (Handle | null)[] = [];
    let started = false;
    let dim = 0;
    const record = (hh: Handle, count: number): void => {
      if (!started) {
        for (let d = 0; d < dim; d++) indices.push(null);
        started = true;
      }
      indices.push(hh);
      dim += count;
    };
    // Whether the view is the tensor itself (only full slices, '...' and index tensors): no native call then.
    let identity = true;
    const ndim = native.dim(t._h);
    for (let i = 0, k = 0; i < n; i++, k += 4) {
      const item = items[i];
      const hh = handles[i];
      if (hh !== undefined) {
        const code = codes[i];
        const d = dims[i];
        if (d === 0 && (code === BOOL || code === UINT8)) {
          // a 0-dim mask: a new axis indexed by [0] or [] (PyTorch's rule for t[torch.tensor(True)])
          spec[k] = NEW_AXIS;
          identity = false;
          const x = native.item(hh);
          const b = boolIndex(x !== 0 && x !== false, dev());
          temps.push(b);
          record(b, 1);
        } else if (d === 0 && INTEGRAL.has(code)) {
          // a 0-dim integer tensor selects, as an integer does
          spec[k] = SELECT;
          spec[k + 1] = native.item(hh) as number;
          identity = false;
        } else {
          const count = code === BOOL || code === UINT8 ? d : 1;
          spec[k] = SKIP;
          spec[k + 1] = count;
          record(hh, count);
        }
      } else if (item === null) {
        spec[k] = NEW_AXIS;
        identity = false;
        dim++;
        if (started) indices.push(null);
      } else if (item === '...') {
        spec[k] = ELLIPSIS;
        const skip = ndim - specified;
        dim += skip;
        if (started) for (let d = 0; d < skip; d++) indices.push(null);
      } else if (typeof item === 'number') {
        checkInteger(item);
        spec[k] = SELECT;
        spec[k + 1] = item;
        identity = false;
      } else if (typeof item === 'boolean') {
        spec[k] = NEW_AXIS;
        identity = false;
        const b = boolIndex(item, dev());
        temps.push(b);
        record(b, 1);
      } else {
        putSlice(spec, k, item as string | Slice);
        if (!(Number.isNaN(spec[k + 1]) && Number.isNaN(spec[k + 2]) && spec[k + 3] === 1)) identity = false;
        dim++;
        if (started) indices.push(null);
      }
    }
    while (indices.length > 0 && indices[indices.length - 1] === null) indices.pop();
    if (identity && indices.length > 0) {
      if (specified > ndim) throw new RangeError(`too many indices for tensor of dimension ${ndim}`);
      return { view: t._h, indices, temps, ownView: false };
    }
    const view = native.indexBasic(t._h, spec, n, specified);
    return { view, indices, temps, ownView: true };
  } catch (e) {
    for (const hh of temps) native.dispose(hh);
    throw e;
  }
}

function release(s: Sliced): void {
  if (s.ownView) native.dispose(s.view);
  for (const hh of s.temps) native.dispose(hh);
}

/**
 * When every item is an index tensor or mask of one or more dims, their
 * handles: aten::index takes them as they are, with no view to make
 * (t[idx], t[mask], t[i, j]). Otherwise null.
 * @throws RangeError when they address more dims than t has.
 */
function directIndices(t: Tensor, items: readonly IndexItem[]): Handle[] | null {
  const hs = new Array<Handle>(items.length);
  let specified = 0;
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    if (!isTensor(x)) return null;
    const tt = x as Tensor;
    const d = native.dim(tt._h);
    if (d === 0) return null; // 0-dim tensors select or add an axis
    const dt = tt.dtype;
    specified += dt === 'bool' || dt === 'uint8' ? d : 1;
    hs[i] = tt._h;
  }
  const ndim = native.dim(t._h);
  if (specified > ndim) throw new RangeError(`too many indices for tensor of dimension ${ndim}`);
  return hs;
}

/** The view and index tensors of items that are not all basic. */
function sliceAdvanced(t: Tensor, items: readonly IndexItem[]): Sliced {
  const direct = directIndices(t, items);
  return direct !== null ? { view: t._h, indices: direct, temps: [], ownView: false } : applySlicing(t, items);
}

/**
 * Python's `t[items]`. Basic items (numbers, slices, null, '...') give a view;
 * index tensors, masks, lists and booleans give a copy (aten::index).
 * @throws RangeError for an index out of range or too many indices;
 *   TypeError for an item of an unknown kind, a fractional index or a
 *   malformed slice string; TorchError when libtorch rejects an index tensor.
 */
export function getItem(t: Tensor, items: readonly IndexItem[]): Tensor {
  if (allBasic(items)) return wrap<Tensor>(basicView(t, items));
  const s = sliceAdvanced(t, items);
  if (s.indices.length === 0) {
    for (const hh of s.temps) native.dispose(hh);
    return wrap<Tensor>(s.view);
  }
  try {
    return wrap<Tensor>(indexOp(s.view, s.indices));
  } finally {
    release(s);
  }
}

function checkBigint(v: bigint): void {
  if (v < -(2n ** 63n) || v >= 2n ** 64n) throw new RangeError(`Expected a bigint that fits in int64 or uint64 for value but received ${v}`);
}

/** A 0-dim tensor of `like`'s dtype holding a JS value (Python's valueToTensor). */
function valueTensor(v: number | boolean | bigint, like: Tensor): Handle {
  const device = native.device(like._h);
  return scalarTensorOp(v, native.dtype(like._h), undefined, device.startsWith('cuda') ? 'cpu' : device) as Handle;
}

/** The sizes without leading ones (PyTorch's slicePrefix1sSize). */
function stripLeadingOnes(shape: number[]): number[] {
  let i = 0;
  while (i < shape.length && shape[i] === 1) i++;
  return shape.slice(i);
}

/** PyTorch's copy_to: copy_, fill_ for a 0-dim CPU value, else broadcast by expand (setitem's rule). */
function copyTo(dst: Handle, src: Handle): void {
  const ds = native.shape(dst);
  const ss = native.shape(src);
  if (ds.length === ss.length && ds.every((d, i) => d === ss[i])) {
    copyOp(dst, src);
  } else if (ss.length === 0 && native.device(src) === 'cpu') {
    fillTensorOp(dst, src);
  } else {
    const v = viewOp(src, stripLeadingOnes(ss)) as Handle;
    try {
      const e = expandOp(v, ds) as Handle;
      try {
        copyOp(dst, e);
      } finally {
        native.dispose(e);
      }
    } finally {
      native.dispose(v);
    }
  }
}

/**
 * Python's `t[items] = value`, in place. With only basic items the view is
 * filled or copied into (value broadcast); otherwise aten::index_put_ writes
 * at the index tensors. A number, boolean or bigint value becomes a 0-dim
 * tensor of t's dtype first (libtorch checks that it fits). With
 * `accumulate`, values are added (repeated indices add up); with basic items
 * only that is `view += value`.
 * @throws as {@link getItem}; RangeError for a bigint outside int64 and
 *   uint64; TorchError when libtorch rejects the value (a value that does not
 *   fit the dtype, a shape that does not broadcast, a dtype mismatch).
 */
export function setItem(t: Tensor, items: readonly IndexItem[], value: Tensor | number | boolean | bigint, accumulate: boolean): void {
  const scalar = typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint';
  if (!scalar && !isTensor(value)) return typeError('a Tensor, number, boolean or bigint', 'value', value);
  if (typeof value === 'bigint') checkBigint(value);
  // Python's setitem does nothing for a lone False (not even a size check)
  if (items.length === 1 && items[0] === false) return;
  const basic = allBasic(items);
  if (scalar && basic) {
    // a scalar into a view: fill_ (or add_) with the Scalar; libtorch checks that it fits the dtype
    const view = basicView(t, items);
    try {
      if (accumulate) addScalarOp(view, value);
      else fillScalarOp(view, value);
    } finally {
      native.dispose(view);
    }
    return;
  }
  const valueH = scalar ? valueTensor(value, t) : (value as Tensor)._h;
  try {
    const s: Sliced = basic ? { view: basicView(t, items), indices: [], temps: [], ownView: true } : sliceAdvanced(t, items);
    try {
      if (s.indices.length === 0) {
        if (accumulate) addOp(s.view, valueH);
        else copyTo(s.view, valueH);
        return;
      }
      const vs = native.shape(valueH);
      const stripped = stripLeadingOnes(vs);
      if (stripped.length === vs.length) {
        indexPutOp(s.view, s.indices, valueH, accumulate);
      } else {
        const v = viewOp(valueH, stripped) as Handle;
        try {
          indexPutOp(s.view, s.indices, v, accumulate);
        } finally {
          native.dispose(v);
        }
      }
    } finally {
      release(s);
    }
  } finally {
    if (scalar) native.dispose(valueH);
  }
}
