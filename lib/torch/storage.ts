/** Access to the storage behind tensors, for serialization. */
import { native } from './native.js';
import type { Tensor } from './tensor.js';
import { wrap, h } from './handle.js';
import { dtypeCode, ITEM_SIZE, type DType } from './dtype.js';
import { deviceString } from './device.js';

/** An id equal for tensors that share one storage. */
export function storageId(t: Tensor): string {
  return native.storageId(h(t, 'tensor'));
}

/** Bytes of the whole storage behind `t`. */
export function storageNbytes(t: Tensor): number {
  return native.storageNbytes(h(t, 'tensor'));
}

/** A CPU copy of the whole storage's bytes. */
export function storageBytes(t: Tensor): Uint8Array {
  return new Uint8Array(native.storageBytes(h(t, 'tensor')));
}

/**
 * A 1-D tensor holding exactly `bytes` read as `dtype` (copied), on `device`
 * (default 'cpu'). @throws RangeError when the length is not a multiple of the item size.
 */
export function fromStorageBytes(bytes: Uint8Array, dtype: DType, device = 'cpu'): Tensor {
  const size = ITEM_SIZE[dtype];
  if (bytes.byteLength % size !== 0) {
    throw new RangeError(`Expected a multiple of ${size} bytes for a ${dtype} storage but received ${bytes.byteLength}`);
  }
  const t = wrap<Tensor>(native.fromBytes(bytes, dtypeCode(dtype), [bytes.byteLength / size]));
  const dev = deviceString(device);
  if (dev === 'cpu') return t;
  const moved = t.to(dev);
  t.dispose();
  return moved;
}

/**
 * Calls `fn` with a Uint8Array over bytes [byteOffset, byteOffset + byteLength)
 * of the CPU storage behind `t`, without copying (writes go into the tensor).
 * The array does not own the memory: it is detached (emptied) when `fn`
 * returns, and `fn` must not dispose `t`. `populate` (default false) says
 * that `fn` overwrites the whole range: on Linux its fresh pages are then
 * mapped in one call (MADV_POPULATE_WRITE) instead of one fault each.
 * @throws TorchError for a tensor not on the CPU or a range outside its storage.
 */
export function withStorageView<R>(t: Tensor, byteOffset: number, byteLength: number, fn: (bytes: Uint8Array) => R, opts: { populate?: boolean } = {}): R {
  const view = native.storageView(h(t, 'tensor'), byteOffset, byteLength, opts.populate ?? false);
  try {
    return fn(new Uint8Array(view));
  } finally {
    native.detachView(view);
  }
}

/**
 * A 1-D uint8 tensor over the whole file open as `fd`, mapped copy-on-write:
 * its pages are read when first touched and writes stay in this process.
 * @throws TorchError when the file cannot be mapped (or on Windows).
 */
export function mapFile(fd: number): Tensor {
  return wrap<Tensor>(native.mapFile(fd));
}

/**
 * A 1-D tensor of `dtype` over bytes [byteOffset, byteOffset + byteLength) of
 * the CPU storage behind `t`, on a storage of its own that shares those bytes
 * and keeps `t`'s storage alive.
 * @throws TorchError for a range outside the storage, not a whole number of
 *   elements, or not aligned to the element size.
 */
export function storageSlice(t: Tensor, byteOffset: number, byteLength: number, dtype: DType): Tensor {
  return wrap<Tensor>(native.storageSlice(h(t, 'tensor'), byteOffset, byteLength, dtypeCode(dtype)));
}

/**
 * Yields Uint8Arrays over bytes [0, byteLength) of the CPU storage behind
 * `t`, `pieceBytes` at a time, without copying. Each is detached (emptied)
 * when the iteration moves past it or stops, so the consumer copies what it
 * keeps; `t` must stay alive meanwhile.
 * @throws TorchError for a tensor not on the CPU or a range outside its storage.
 */
export function* storageViews(t: Tensor, byteLength: number, pieceBytes: number): Generator<Uint8Array> {
  for (let off = 0; off < byteLength; off += pieceBytes) {
    const view = native.storageView(h(t, 'tensor'), off, Math.min(pieceBytes, byteLength - off));
    try {
      yield new Uint8Array(view);
    } finally {
      native.detachView(view);
    }
  }
}
