/**
 * DistributedSampler (as `torch.utils.data.distributed.DistributedSampler`):
 * each rank of a process group reads its own slice of the dataset. The
 * shuffle is libtorch's `randperm` from a generator seeded with
 * `seed + epoch`, so the partition equals Python's for the same seed.
 */
import { native } from '../../native.js';
import type { Tensor } from '../../tensor.js';
import { wrap } from '../../handle.js';
import { checkOptions, rangeError, typeError } from '../../errors.js';
import { getRank, getWorldSize } from '../../distributed/process-group.js';
import type { Sampler, Sized } from './sampler.js';

/** Options of {@link DistributedSampler} (Python's, camelCased). */
export interface DistributedSamplerOptions {
  /** Number of ranks sharing the dataset. Default: the default group's world size. */
  numReplicas?: number;
  /** This rank. Default: the rank in the default group. */
  rank?: number;
  /** Shuffle (the same permutation on every rank, per epoch). Default true. */
  shuffle?: boolean;
  /** Seed of the shuffle, the same on every rank. Default 0. */
  seed?: number;
  /** Drop the tail so every rank gets the same count without repeats. Default false (the head is repeated instead). */
  dropLast?: boolean;
}

/**
 * Yields this rank's indices: every `numReplicas`-th index of the (shuffled,
 * padded or truncated) index list, starting at `rank`. Call
 * {@link setEpoch} at the start of each epoch for a new shuffle.
 *
 * @example
 *   const sampler = new DistributedSampler(dataset, { seed: 42 });
 *   const loader = new DataLoader(dataset, { batchSize: 16, sampler });
 *   for (let epoch = 0; epoch < epochs; epoch++) { sampler.setEpoch(epoch); for (const b of loader) ... }
 */
export class DistributedSampler implements Sampler<number> {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Indices per rank. */
  readonly numSamples: number;
  /** Indices over all ranks (numSamples * numReplicas). */
  readonly totalSize: number;
  /** The epoch the next pass shuffles for. */
  epoch = 0;

  /**
   * @throws TypeError for an unknown option or a non-boolean flag;
   *   RangeError for a rank outside [0, numReplicas - 1] (Python's message)
   *   or non-integer counts; Error when numReplicas/rank are omitted and the
   *   process group is not initialized.
   */
  constructor(
    readonly dataset: Sized,
    options: DistributedSamplerOptions = {},
  ) {
    checkOptions(options, ['numReplicas', 'rank', 'shuffle', 'seed', 'dropLast'], 'DistributedSampler');
    if (typeof dataset !== 'object' || dataset === null || !Number.isInteger(dataset.length)) typeError('a dataset with a length', 'dataset', dataset);
    // ---- defaults
    const numReplicas = options.numReplicas ?? getWorldSize();
    const rank = options.rank ?? getRank();
    this.shuffle = options.shuffle ?? true;
    this.seed = options.seed ?? 0;
    this.dropLast = options.dropLast ?? false;
    // ---- validation
    if (!(Number.isInteger(numReplicas) && numReplicas > 0)) rangeError('a positive integer', 'numReplicas', numReplicas);
    if (!Number.isInteger(rank)) rangeError('an integer', 'rank', rank);
    if (rank >= numReplicas || rank < 0) throw new RangeError(`Invalid rank ${rank}, rank should be in the interval [0, ${numReplicas - 1}]`);
    if (!Number.isSafeInteger(this.seed)) rangeError('an integer', 'seed', this.seed);
    if (typeof this.shuffle !== 'boolean') typeError('a boolean', 'shuffle', this.shuffle);
    if (typeof this.dropLast !== 'boolean') typeError('a boolean', 'dropLast', this.dropLast);
    this.numReplicas = numReplicas;
    this.rank = rank;
    const n = dataset.length;
    this.numSamples = this.dropLast && n % numReplicas !== 0 ? Math.ceil((n - numReplicas) / numReplicas) : Math.ceil(n / numReplicas);
    this.totalSize = this.numSamples * numReplicas;
  }

  /** Indices per rank. */
  get length(): number {
    return this.numSamples;
  }

  /** Sets the epoch, which seeds the next pass's shuffle (`seed + epoch`). @throws RangeError unless an integer. */
  setEpoch(epoch: number): void {
    if (!Number.isSafeInteger(epoch)) rangeError('an integer', 'epoch', epoch);
    this.epoch = epoch;
  }

  /** This rank's indices for the current epoch, as an array. */
  indices(): number[] {
    const n = this.dataset.length;
    let indices: number[];
    if (this.shuffle) {
      const perm = wrap<Tensor>(native.randpermSeeded(n, this.seed + this.epoch));
      try {
        indices = Array.from(perm.toTypedArray() as BigInt64Array, Number);
      } finally {
        perm.dispose();
      }
    } else {
      indices = Array.from({ length: n }, (_, i) => i);
    }
    if (!this.dropLast) {
      const padding = this.totalSize - indices.length;
      const head = [...indices];
      while (indices.length < this.totalSize) indices.push(...head.slice(0, Math.min(head.length, this.totalSize - indices.length)));
      if (padding < 0) indices = indices.slice(0, this.totalSize);
    } else {
      indices = indices.slice(0, this.totalSize);
    }
    const mine: number[] = [];
    for (let i = this.rank; i < this.totalSize; i += this.numReplicas) mine.push(indices[i]);
    return mine;
  }

  *[Symbol.iterator](): Iterator<number> {
    yield* this.indices();
  }
}
