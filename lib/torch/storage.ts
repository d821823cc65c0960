/** Access to the storage behind tensors, for serialization. */
import { native } from './native.js';
import { Tensor } from './tensor.js';
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
