/** What a launcher (torchrun, Slurm or Kubernetes jobs) tells a process about itself. */
import { describe } from '../errors.js';

/**
 * This process's rank on its node: LOCAL_RANK as torchrun sets it (the CUDA
 * device to use, `cuda:${localRank()}`), or 0 when it is not set.
 * @throws RangeError when LOCAL_RANK is not a non-negative integer.
 */
export function localRank(): number {
  const v = process.env.LOCAL_RANK;
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Expected a non-negative integer for environment variable LOCAL_RANK but received ${describe(v)}`);
  return n;
}
