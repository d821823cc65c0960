/**
 * Parameters: tensors that a Module owns and an optimizer updates. Defined
 * here, below nn and serialization, so that checkpoints can save and rebuild
 * `torch.nn.Parameter` without importing nn; `nn.Parameter` re-exports it.
 */
import { native } from './native.js';
import { Tensor } from './tensor.js';
import { h } from './handle.js';
import { keep } from './scope.js';

/**
 * A leaf tensor registered by a Module (as `nn.Parameter`). It shares the
 * data of the tensor it is made from and is never freed by `torch.tidy`.
 */
export class Parameter extends Tensor {
  /** @param data the initial value (shared, detached). @param requiresGrad default true. */
  constructor(data: Tensor, requiresGrad = true) {
    const src = h(data, 'data');
    const detachedId = native.lookupOp('aten::detach', '');
    super(native.callOp(detachedId, src) as Tensor['_h']);
    keep(this);
    if (requiresGrad) native.setRequiresGrad(this._h, true);
  }
}

/** True for a Parameter. */
export function isParameter(v: unknown): v is Parameter {
  return v instanceof Parameter;
}
