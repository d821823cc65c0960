/**
 * torch.* functions whose Python form is more than one operator call
 * (torch/functional.py and the hand-bound nonzero). The rest of torch.* is
 * generated (lib/torch/generated/torch.ts).
 */
import type { Tensor } from './tensor.js';
import { isDType, isFloatingPoint as isFloatingDtype, type DType } from './dtype.js';
import { isTensor } from './handle.js';
import { pyArgs, argError, cB, cF, cI, cIO, cILO, cStr, cDTO, type Int } from './op-support.js';
import * as gen from './generated/torch.js';
import * as linalg from './generated/linalg.js';

function tensorArg(op: string, v: unknown, name: string): Tensor {
  if (!isTensor(v)) argError(op, 'Tensor', name, v);
  return v as Tensor;
}

/** Options of torch.norm (Python's keyword arguments). */
export interface NormOptions {
  /** The norm: a number (vector p-norm), 'fro' (default) or 'nuc'. */
  p?: number | 'fro' | 'nuc' | null;
  dim?: Int | readonly Int[] | null;
  keepdim?: boolean;
  dtype?: DType | null;
}

/**
 * torch.norm(input, p='fro', dim=None, keepdim=False, *, dtype=None), as
 * PyTorch 2.x computes it: a number p (or 'fro' over at most two dims) is
 * linalg.vectorNorm; 'nuc' (or 'fro' over more dims) is linalg.matrixNorm.
 * @throws TypeError for arguments of the wrong kind; TorchError from libtorch.
 */
export function norm(input: Tensor, opts?: NormOptions): Tensor;
export function norm(input: Tensor, p: number | 'fro' | 'nuc' | null, opts?: NormOptions): Tensor;
export function norm(input: Tensor, p: number | 'fro' | 'nuc' | null, dim: Int | readonly Int[] | null, opts?: NormOptions): Tensor;
export function norm(input: Tensor, p: number | 'fro' | 'nuc' | null, dim: Int | readonly Int[] | null, keepdim: boolean, opts?: NormOptions): Tensor;
export function norm(...a: unknown[]): Tensor {
  const r = pyArgs('norm', a, ['input', 'p', 'dim', 'keepdim'], ['dtype']);
  const input = tensorArg('norm', r.input, 'input');
  const p = r.p === undefined ? 'fro' : r.p;
  let dim = r.dim === undefined ? null : (cILO(r.dim, 'norm', 'dim', 1) as Int | Int[] | null);
  if (typeof dim === 'number' || typeof dim === 'bigint') dim = [dim];
  const keepdim = r.keepdim === undefined ? false : (cB(r.keepdim, 'norm', 'keepdim') as boolean);
  const dtype = cDTO(r.dtype, 'norm', 'dtype') === undefined ? null : (r.dtype as DType | null);
  if (typeof p === 'string') {
    if (p !== 'fro' && p !== 'nuc') argError('norm', "a number, 'fro' or 'nuc'", 'p', p);
    if (p === 'fro' && (dim === null || dim.length <= 2)) return linalg.vectorNorm(input, 2, dim, keepdim, { dtype });
    const dims = dim ?? Array.from({ length: input.dim() }, (_, i) => i);
    return linalg.matrixNorm(input, p, dims, keepdim, { dtype });
  }
  if (p !== null && typeof p !== 'number') argError('norm', "a number, 'fro' or 'nuc'", 'p', p);
  return linalg.vectorNorm(input, p ?? 2, dim, keepdim, { dtype });
}

/** Options of torch.unique. */
export interface UniqueOptions {
  /** Sort the unique elements (default true). */
  sorted?: boolean;
  /** Also return the index of each input element in the output (default false). */
  returnInverse?: boolean;
  /** Also return how often each unique element occurs (default false). */
  returnCounts?: boolean;
  /** Unique slices along this dim (default null: unique elements of the flattened input). */
  dim?: Int | null;
}

function uniqueResult(out: readonly [Tensor, Tensor, Tensor], inverse: boolean, counts: boolean): Tensor | Tensor[] {
  const [o, inv, cnt] = out;
  if (!inverse && !counts) {
    inv.dispose();
    cnt.dispose();
    return o;
  }
  const res = [o];
  if (inverse) res.push(inv);
  else inv.dispose();
  if (counts) res.push(cnt);
  else cnt.dispose();
  return res;
}

/**
 * torch.unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
 * the unique elements; with returnInverse and/or returnCounts an array
 * [output, inverse?, counts?] as Python's tuple.
 */
export function unique(input: Tensor, opts?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
export function unique(input: Tensor, opts: UniqueOptions): Tensor | Tensor[];
export function unique(
  input: Tensor,
  sorted: boolean,
  returnInverse?: boolean,
  returnCounts?: boolean,
  dim?: Int | null,
  opts?: UniqueOptions,
): Tensor | Tensor[];
export function unique(...a: unknown[]): Tensor | Tensor[] {
  const r = pyArgs('unique', a, ['input', 'sorted', 'returnInverse', 'returnCounts', 'dim']);
  const input = tensorArg('unique', r.input, 'input');
  const sorted = r.sorted === undefined ? true : (cB(r.sorted, 'unique', 'sorted') as boolean);
  const inverse = r.returnInverse === undefined ? false : (cB(r.returnInverse, 'unique', 'returnInverse') as boolean);
  const counts = r.returnCounts === undefined ? false : (cB(r.returnCounts, 'unique', 'returnCounts') as boolean);
  const dim = cIO(r.dim, 'unique', 'dim') as Int | null | undefined;
  const out = dim === null || dim === undefined ? gen._unique2(input, sorted, inverse, counts) : gen._uniqueDim(input, dim, sorted, inverse, counts);
  return uniqueResult(out as unknown as [Tensor, Tensor, Tensor], inverse, counts);
}

/**
 * torch.unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
 * drops consecutive duplicates; an array [output, inverse?, counts?] when asked for those.
 */
export function uniqueConsecutive(input: Tensor, opts?: Omit<UniqueOptions, 'sorted'> & { returnInverse?: false; returnCounts?: false }): Tensor;
export function uniqueConsecutive(input: Tensor, opts: Omit<UniqueOptions, 'sorted'>): Tensor | Tensor[];
export function uniqueConsecutive(
  input: Tensor,
  returnInverse: boolean,
  returnCounts?: boolean,
  dim?: Int | null,
  opts?: Omit<UniqueOptions, 'sorted'>,
): Tensor | Tensor[];
export function uniqueConsecutive(...a: unknown[]): Tensor | Tensor[] {
  const r = pyArgs('uniqueConsecutive', a, ['input', 'returnInverse', 'returnCounts', 'dim']);
  const input = tensorArg('uniqueConsecutive', r.input, 'input');
  const inverse = r.returnInverse === undefined ? false : (cB(r.returnInverse, 'uniqueConsecutive', 'returnInverse') as boolean);
  const counts = r.returnCounts === undefined ? false : (cB(r.returnCounts, 'uniqueConsecutive', 'returnCounts') as boolean);
  const dim = cIO(r.dim, 'uniqueConsecutive', 'dim') as Int | null | undefined;
  const out = gen._uniqueConsecutive(input, inverse, counts, dim ?? null);
  return uniqueResult(out as unknown as [Tensor, Tensor, Tensor], inverse, counts);
}

/**
 * torch.nonzero(input, *, as_tuple=False): the indices of the nonzero
 * elements, shape [n, ndim]; with asTuple one 1-D index tensor per dim.
 */
export function nonzero(input: Tensor, opts?: { asTuple?: false }): Tensor;
export function nonzero(input: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(input: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[];
export function nonzero(...a: unknown[]): Tensor | Tensor[] {
  const r = pyArgs('nonzero', a, ['input'], ['asTuple']);
  const input = tensorArg('nonzero', r.input, 'input');
  const asTuple = r.asTuple === undefined ? false : (cB(r.asTuple, 'nonzero', 'asTuple') as boolean);
  return asTuple ? gen._nonzeroNumpy(input) : gen._nonzero(input);
}

/**
 * torch.tensordot(a, b, dims=2): sums over the last `dims` dims of a and the
 * first `dims` of b, or over the dims listed in dims = [dimsA, dimsB].
 * @throws RangeError for a negative count or one larger than a's or b's dims.
 */
export function tensordot(a: Tensor, b: Tensor, dims?: Int | readonly [readonly Int[], readonly Int[]]): Tensor;
export function tensordot(a: Tensor, b: Tensor, opts: { dims?: Int | readonly [readonly Int[], readonly Int[]] }): Tensor;
export function tensordot(...args: unknown[]): Tensor {
  const r = pyArgs('tensordot', args, ['a', 'b', 'dims']);
  const a = tensorArg('tensordot', r.a, 'a');
  const b = tensorArg('tensordot', r.b, 'b');
  const dims = r.dims === undefined ? 2 : r.dims;
  let da: Int[];
  let db: Int[];
  if (Array.isArray(dims)) {
    if (dims.length !== 2) argError('tensordot', 'a count or two lists of dims', 'dims', dims);
    da = cILO(dims[0], 'tensordot', 'dims[0]', 1) as Int[];
    db = cILO(dims[1], 'tensordot', 'dims[1]', 1) as Int[];
    if (!Array.isArray(da)) da = [da];
    if (!Array.isArray(db)) db = [db];
  } else {
    const n = Number(cI(dims, 'tensordot', 'dims'));
    if (n < 0 || n > Math.min(a.dim(), b.dim())) {
      throw new RangeError(`tensordot: Expected a count from 0 to ${Math.min(a.dim(), b.dim())} for dims but received ${n}`);
    }
    da = Array.from({ length: n }, (_, i) => i - n);
    db = Array.from({ length: n }, (_, i) => i);
  }
  return gen._tensordot(a, b, da, db);
}

const COMPUTE_MODES: Record<string, number | null> = {
  use_mm_for_euclid_dist_if_necessary: null,
  use_mm_for_euclid_dist: 1,
  donot_use_mm_for_euclid_dist: 2,
};

/**
 * torch.cdist(x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary'):
 * p-norm distances between the rows of x1 and x2 (batched).
 * @throws TypeError for an unknown computeMode.
 */
export function cdist(x1: Tensor, x2: Tensor, p?: number, computeMode?: string, opts?: { p?: number; computeMode?: string }): Tensor;
export function cdist(x1: Tensor, x2: Tensor, opts?: { p?: number; computeMode?: string }): Tensor;
export function cdist(...a: unknown[]): Tensor {
  const r = pyArgs('cdist', a, ['x1', 'x2', 'p', 'computeMode']);
  const x1 = tensorArg('cdist', r.x1, 'x1');
  const x2 = tensorArg('cdist', r.x2, 'x2');
  const p = r.p === undefined ? 2 : (cF(r.p, 'cdist', 'p') as number);
  const mode = r.computeMode === undefined ? 'use_mm_for_euclid_dist_if_necessary' : (cStr(r.computeMode, 'cdist', 'computeMode') as string);
  if (!(mode in COMPUTE_MODES)) argError('cdist', `one of ${Object.keys(COMPUTE_MODES).join(', ')}`, 'computeMode', mode);
  return gen._cdist(x1, x2, p, COMPUTE_MODES[mode]);
}

/**
 * torch.is_floating_point(input): true for a tensor of a floating dtype. Also
 * takes a dtype (as the dtype helper of the same name that index.ts exported
 * before this function existed).
 * @throws TypeError for anything but a Tensor or a dtype.
 */
export function isFloatingPoint(input: Tensor | DType): boolean {
  if (isTensor(input)) return isFloatingDtype((input as Tensor).dtype);
  if (typeof input === 'string' && isDType(input)) return isFloatingDtype(input);
  return argError('isFloatingPoint', 'Tensor or a dtype', 'input', input);
}
