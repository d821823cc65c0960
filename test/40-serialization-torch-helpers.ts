/** Tensor-side helpers for the serialization tests (need the built addon). */
import * as torch from '../lib/torch/index.js';
import { storageBytes, storageId, storageNbytes } from '../lib/torch/storage.js';
import { Parameter } from '../lib/torch/nn/parameter.js';
import { describe, type Desc, type TensorDescriber } from './40-serialization-helpers.js';

/** Row-major bytes of a strided view, gathered from its storage in JS. */
export function gatherBytes(t: torch.Tensor): Buffer {
  const item = t.elementSize();
  const shape = t.shape;
  const stride = t.stride();
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > 1 << 24) throw new RangeError(`gatherBytes: ${n} elements is too many for a test`);
  const storage = storageBytes(t);
  const out = Buffer.alloc(n * item);
  const idx = new Array<number>(shape.length).fill(0);
  const off = t.storageOffset();
  for (let k = 0; k < n; k++) {
    let e = off;
    for (let d = 0; d < shape.length; d++) e += idx[d] * stride[d];
    out.set(storage.subarray(e * item, (e + 1) * item), k * item);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

export const tensorDescriber: TensorDescriber = {
  isTensor: (v) => torch.isTensor(v),
  describe: (v) => {
    const t = v as torch.Tensor;
    return {
      dtype: t.dtype,
      shape: t.shape,
      stride: t.stride(),
      offset: t.storageOffset(),
      storageKey: storageNbytes(t) === 0 ? `empty-${Math.random()}` : storageId(t),
      storage_numel: storageNbytes(t) / t.elementSize(),
      requires_grad: t.requiresGrad,
      parameter: t instanceof Parameter,
      device: String(t.device),
      bytes: t.numel() > 1 << 20 ? `<${t.numel()} elements>` : gatherBytes(t).toString('hex'),
    };
  },
};

/** describe() with tensors. */
export function tdesc(v: unknown): Desc {
  return describe(v, tensorDescriber);
}

/** Disposes every tensor reachable from `v`. */
export function disposeAll(v: unknown, seen = new Set<unknown>()): void {
  if (typeof v !== 'object' || v === null || seen.has(v)) return;
  seen.add(v);
  if (torch.isTensor(v)) {
    v.dispose();
    return;
  }
  if (v instanceof Map) {
    for (const [k, x] of v) {
      disposeAll(k, seen);
      disposeAll(x, seen);
    }
    return;
  }
  for (const x of Object.values(v)) disposeAll(x, seen);
}
