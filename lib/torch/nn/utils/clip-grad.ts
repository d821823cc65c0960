/** Gradient clipping (as torch.nn.utils.clip_grad_norm_ / clip_grad_value_). */
import { native } from '../../native.js';
import { Tensor } from '../../tensor.js';
import { wrap } from '../../handle.js';
import { noGrad } from '../../autograd.js';
import { checkOptions, rangeError, typeError } from '../../errors.js';

function asList(parameters: Tensor | Iterable<Tensor>): Tensor[] {
  if (parameters instanceof Tensor) return [parameters];
  const list = [...parameters];
  for (const p of list) if (!(p instanceof Tensor)) typeError('Tensors', 'parameters', p);
  return list;
}

/**
 * Scales gradients so their total norm is at most maxNorm; returns the total
 * norm before clipping (a 0-dim tensor). normType default 2 (Infinity for max).
 * @throws Error when errorIfNonfinite and the norm is NaN or infinite.
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, opts: { normType?: number; errorIfNonfinite?: boolean } = {}): Tensor {
  checkOptions(opts, ['normType', 'errorIfNonfinite'], 'clipGradNorm_');
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) typeError('a number', 'maxNorm', maxNorm);
  const normType = opts.normType ?? 2;
  if (typeof normType !== 'number' || Number.isNaN(normType)) typeError('a number', 'normType', normType);
  const params = asList(parameters);
  return wrap<Tensor>(
    native.clipGradNorm(
      params.map((p) => p._h),
      maxNorm,
      normType,
      opts.errorIfNonfinite ?? false,
    ),
  );
}

/** Clamps every gradient element into [-clipValue, clipValue]. @throws RangeError for a negative clipValue. */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue >= 0)) rangeError('a non-negative number', 'clipValue', clipValue);
  noGrad(() => {
    for (const p of asList(parameters)) {
      const g = p.grad;
      if (g !== null) {
        g.clamp_(-clipValue, clipValue);
        g.dispose();
      }
    }
  });
}
