/**
 * The training order as a function of (seed, epoch) alone, so that a run
 * stopped mid-epoch resumes at the very sample where it stopped: each epoch
 * is a permutation drawn from a generator seeded with `seed + epoch` (or, on
 * several processes, DistributedSampler's partition for that epoch), and
 * `setEpoch(epoch, skip)` starts the pass `skip` samples in.
 */
import * as torch from '../../torch/index.js';

/** The samples of one process for one epoch, from a given position. */
export class EpochSampler implements Iterable<number> {
  private epoch = 1;
  private skip = 0;
  private readonly distributed: torch.utils.data.DistributedSampler | null;

  /**
   * @param dataset what is sampled (its length).
   * @param seed base seed: epoch `e` is ordered by `seed + e`.
   * @param worldSize processes sharing the data (DistributedSampler's partition when above 1).
   * @param rank this process.
   */
  constructor(
    private readonly dataset: { readonly length: number },
    private readonly seed: number,
    worldSize = 1,
    rank = 0,
  ) {
    this.distributed = worldSize > 1 ? new torch.utils.data.DistributedSampler(dataset, { numReplicas: worldSize, rank, seed, shuffle: true }) : null;
  }

  /**
   * Sets the epoch (1-based) and how many of this process's samples of it were already trained on.
   * @throws RangeError when `skip` is negative or beyond the epoch.
   */
  setEpoch(epoch: number, skip = 0): void {
    if (!Number.isInteger(skip) || skip < 0 || skip > this.epochLength) {
      throw new RangeError(`Expected an integer in [0, ${this.epochLength}] for skip but received ${skip}`);
    }
    this.epoch = epoch;
    this.skip = skip;
    this.distributed?.setEpoch(epoch);
  }

  /** This process's samples in a whole epoch. */
  get epochLength(): number {
    return this.distributed !== null ? this.distributed.length : this.dataset.length;
  }

  /** Samples left in this pass. */
  get length(): number {
    return this.epochLength - this.skip;
  }

  /** This process's order for the epoch (whole). */
  order(): ArrayLike<number> {
    if (this.distributed !== null) return this.distributed.indices();
    return new torch.Generator(this.seed + this.epoch).permutation(this.dataset.length);
  }

  *[Symbol.iterator](): Iterator<number> {
    const order = this.order();
    for (let i = this.skip; i < order.length; i++) yield order[i];
  }
}
