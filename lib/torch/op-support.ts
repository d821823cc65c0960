/** Runtime helpers the generated op layer calls. */
import { native, type Handle } from './native.js';
import { isTensor, wrap, type HasHandle } from './handle.js';
import { describe } from './errors.js';
import type { Tensor } from './tensor.js';

/** Looks an operator up in libtorch's dispatcher; returns its id. */
export function lookup(name: string, overload: string): number {
  return native.lookupOp(name, overload);
}

/** A tensor argument's handle, or the scalar itself. */
export function tensorOrScalar(v: unknown): unknown {
  if (isTensor(v)) return (v as HasHandle)._h;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return v;
  throw new TypeError(`Expected Tensor, number or boolean but received ${describe(v)}`);
}

/** A tensor argument's handle; a scalar becomes a 0-dim tensor (on self's device). */
export function scalarOrTensor(v: unknown, name: string, self: HasHandle | undefined): Handle | null {
  if (isTensor(v)) return (v as HasHandle)._h;
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' && typeof v !== 'boolean') {
    throw new TypeError(`Expected Tensor, number or boolean for ${name} but received ${describe(v)}`);
  }
  const dtype = typeof v === 'boolean' ? 11 : Number.isInteger(v) ? 4 : 6;
  const bytes = dtype === 4 ? new BigInt64Array([BigInt(v as number)]) : dtype === 11 ? new Uint8Array([v ? 1 : 0]) : new Float32Array([v as number]);
  let hh = native.fromBytes(bytes, dtype, []);
  if (self !== undefined) {
    const d = native.device(self._h);
    if (d !== 'cpu') {
      const moved = native.callOp(lookup('aten::to', 'device'), hh, d, dtype) as Handle;
      native.dispose(hh);
      hh = moved;
    }
  }
  // Owned by a Tensor so that a scope or the garbage collector frees it.
  return wrap<HasHandle>(hh)._h;
}

/**
 * A (values, indices) pair as PyTorch's named tuple: `r.values`, `r.indices`,
 * `r[0]`, `r[1]`, and destructuring `const [values, indices] = r`.
 */
export class ValuesIndices {
  readonly 0: Tensor;
  readonly 1: Tensor;
  readonly length = 2;
  constructor(readonly values: Tensor, readonly indices: Tensor) {
    this[0] = values;
    this[1] = indices;
  }
  *[Symbol.iterator](): IterableIterator<Tensor> {
    yield this.values;
    yield this.indices;
  }
}

export function valuesIndices(r: unknown): ValuesIndices {
  const [v, i] = r as [Handle, Handle];
  return new ValuesIndices(wrap<Tensor>(v), wrap<Tensor>(i));
}
