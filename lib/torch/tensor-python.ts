/**
 * Tensor methods whose Python form is more than one operator call: the
 * methods of python-functions.ts. Between the generated TensorOps and Tensor.
 */
import type { Tensor } from './tensor.js';
import type { DType } from './dtype.js';
import { TensorOps } from './generated/ops.js';
import type { Int } from './op-support.js';
import * as py from './python-functions.js';

/** The Tensor methods of torch/functional.py and PyTorch's hand-bound ones (norm, unique, nonzero...). */
export abstract class TensorPython extends TensorOps {
  /**
   * Tensor.norm(p='fro', dim=None, keepdim=False, dtype=None): see torch.norm.
   * @throws TypeError for arguments of the wrong kind; TorchError from libtorch.
   */
  norm(opts?: py.NormOptions): Tensor;
  norm(p: number | 'fro' | 'nuc' | null, opts?: py.NormOptions): Tensor;
  norm(p: number | 'fro' | 'nuc' | null, dim: Int | readonly Int[] | null, opts?: py.NormOptions): Tensor;
  norm(p: number | 'fro' | 'nuc' | null, dim: Int | readonly Int[] | null, keepdim: boolean, opts?: py.NormOptions & { dtype?: DType | null }): Tensor;
  norm(...a: unknown[]): Tensor {
    return (py.norm as (...x: unknown[]) => Tensor)(this, ...a);
  }

  /** Tensor.unique(sorted=True, return_inverse=False, return_counts=False, dim=None): see torch.unique. */
  unique(opts?: py.UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
  unique(opts: py.UniqueOptions): Tensor | Tensor[];
  unique(sorted: boolean, returnInverse?: boolean, returnCounts?: boolean, dim?: Int | null, opts?: py.UniqueOptions): Tensor | Tensor[];
  unique(...a: unknown[]): Tensor | Tensor[] {
    return (py.unique as (...x: unknown[]) => Tensor | Tensor[])(this, ...a);
  }

  /** Tensor.unique_consecutive(return_inverse=False, return_counts=False, dim=None): see torch.uniqueConsecutive. */
  uniqueConsecutive(opts?: Omit<py.UniqueOptions, 'sorted'> & { returnInverse?: false; returnCounts?: false }): Tensor;
  uniqueConsecutive(opts: Omit<py.UniqueOptions, 'sorted'>): Tensor | Tensor[];
  uniqueConsecutive(returnInverse: boolean, returnCounts?: boolean, dim?: Int | null, opts?: Omit<py.UniqueOptions, 'sorted'>): Tensor | Tensor[];
  uniqueConsecutive(...a: unknown[]): Tensor | Tensor[] {
    return (py.uniqueConsecutive as (...x: unknown[]) => Tensor | Tensor[])(this, ...a);
  }

  /** Tensor.nonzero(*, as_tuple=False): see torch.nonzero. */
  nonzero(opts?: { asTuple?: false }): Tensor;
  nonzero(opts: { asTuple: true }): Tensor[];
  nonzero(opts?: { asTuple?: boolean }): Tensor | Tensor[];
  nonzero(...a: unknown[]): Tensor | Tensor[] {
    return (py.nonzero as (...x: unknown[]) => Tensor | Tensor[])(this, ...a);
  }
}
