/**
 * torch.norm / Tensor.norm as PyTorch 2.x defines them (torch/functional.py):
 * the orders 'fro' and 'nuc' as well as numbers, routed to
 * linalg.vector_norm and linalg.matrix_norm.
 */
import { op, wrap } from './handle.js';
import { dtypeCode, type DType } from './dtype.js';
import { checkOptions, typeError } from './errors.js';
import { native } from './native.js';
import type { Tensor } from './tensor.js';

/** A norm order: a number (p-norm, Infinity and -Infinity included), 'fro' (Frobenius) or 'nuc' (nuclear). */
export type NormOrder = number | 'fro' | 'nuc';

const vectorNormOp = op('aten::linalg_vector_norm', '');
const matrixNormStrOp = op('aten::linalg_matrix_norm', 'str_ord');

/**
 * PyTorch's `torch.norm(input, p='fro', dim=None, keepdim=False, dtype=None)`:
 * a number p (null: 2) or 'fro' over at most two dims is the vector norm
 * (of all elements when dim is null); 'nuc', and 'fro' over more dims, is
 * the matrix norm over `dim` (default: all dims, which must then be two).
 * @throws TypeError for a p, dim or option of the wrong kind; TorchError
 *   where libtorch rejects the order or dims (e.g. 'nuc' of a 1-D tensor).
 */
export function norm(
  input: Tensor,
  p: NormOrder | null = 'fro',
  dim: number | number[] | null = null,
  keepdim = false,
  opts: { dtype?: DType } = {},
): Tensor {
  checkOptions(opts, ['dtype'], 'norm');
  const dtype = opts.dtype === undefined ? undefined : dtypeCode(opts.dtype);
  if (p !== null && typeof p !== 'number' && typeof p !== 'string') typeError("a number, 'fro' or 'nuc'", 'p', p);
  if (dim !== null && typeof dim !== 'number' && !Array.isArray(dim)) typeError('an integer or an array of integers', 'dim', dim);
  if (typeof keepdim !== 'boolean') typeError('a boolean', 'keepdim', keepdim);
  const dims = dim === null ? null : typeof dim === 'number' ? [dim] : dim;
  if (typeof p === 'string') {
    if (p === 'fro' && (dims === null || dims.length <= 2)) return wrap<Tensor>(vectorNormOp(input._h, 2, dims, keepdim, dtype));
    const all = dims ?? Array.from({ length: native.dim(input._h) }, (_, i) => i);
    return wrap<Tensor>(matrixNormStrOp(input._h, p, all, keepdim, dtype));
  }
  return wrap<Tensor>(vectorNormOp(input._h, p ?? 2, dims, keepdim, dtype));
}
