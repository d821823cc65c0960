/**
 * Samplers, as in `torch.utils.data`: they decide the order of indices
 * ({@link SequentialSampler}, {@link RandomSampler}, {@link SubsetRandomSampler})
 * and group them into batches ({@link BatchSampler}).
 */
import { Generator } from '../../generator.js';
import { checkOptions, rangeError, typeError } from '../../errors.js';
import { defaultGenerator } from './dataset.js';

/** Yields dataset indices (or, for batch samplers, lists of indices). */
export interface Sampler<T = number> extends Iterable<T> {
  /** Number of items one pass yields. */
  readonly length: number;
}

/** Anything with a length (a dataset). */
export interface Sized {
  readonly length: number;
}

/** Indices `0, 1, ..., n-1` in order. */
export class SequentialSampler implements Sampler<number> {
  constructor(readonly dataSource: Sized) {}

  get length(): number {
    return this.dataSource.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    for (let i = 0; i < n; i++) yield i;
  }
}

/** Options of {@link RandomSampler}. */
export interface RandomSamplerOptions {
  /** Draw with replacement. Default false. */
  replacement?: boolean;
  /** Samples per pass. Default: the dataset's length. */
  numSamples?: number;
  /**
   * Seeded generator; each pass continues its stream, so passes differ but a
   * run repeats. Default: a seed drawn from libtorch's global generator at
   * each pass (so `torch.manualSeed` makes runs repeat).
   */
  generator?: Generator;
}

/**
 * A random permutation of the indices (or `numSamples` draws with
 * replacement).
 */
export class RandomSampler implements Sampler<number> {
  readonly replacement: boolean;
  readonly generator: Generator | undefined;
  private readonly numSamplesOption: number | undefined;

  /**
   * @throws TypeError for an unknown option; RangeError for a `numSamples`
   *   that is not a positive integer, or above the length without replacement.
   */
  constructor(
    readonly dataSource: Sized,
    options: RandomSamplerOptions = {},
  ) {
    checkOptions(options, ['replacement', 'numSamples', 'generator'], 'RandomSampler');
    this.replacement = options.replacement ?? false;
    this.generator = options.generator;
    this.numSamplesOption = options.numSamples;
    if (options.numSamples !== undefined && (!Number.isInteger(options.numSamples) || options.numSamples <= 0)) {
      rangeError('a positive integer', 'numSamples', options.numSamples);
    }
    if (options.generator !== undefined && !(options.generator instanceof Generator)) {
      typeError('torch.Generator', 'generator', options.generator);
    }
  }

  /** Samples per pass. */
  get length(): number {
    return this.numSamplesOption ?? this.dataSource.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    const count = this.length;
    const gen = this.generator ?? defaultGenerator();
    if (this.replacement) {
      for (let i = 0; i < count; i++) yield gen.randint(n);
      return;
    }
    // Whole permutations, then the head of one more (as PyTorch does for numSamples > n).
    let left = count;
    while (left > 0) {
      const perm = gen.permutation(n);
      const take = Math.min(left, n);
      for (let i = 0; i < take; i++) yield perm[i];
      left -= take;
    }
  }
}

/** A random permutation of the given indices. */
export class SubsetRandomSampler implements Sampler<number> {
  readonly indices: readonly number[];

  constructor(
    indices: ArrayLike<number>,
    readonly generator?: Generator,
  ) {
    this.indices = Array.from(indices);
  }

  get length(): number {
    return this.indices.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const perm = (this.generator ?? defaultGenerator()).permutation(this.indices.length);
    for (const p of perm) yield this.indices[p];
  }
}

/**
 * Groups the indices of another sampler into lists of `batchSize`.
 *
 * @example [...new BatchSampler(new SequentialSampler(range10), 3, false)] // [[0,1,2],[3,4,5],[6,7,8],[9]]
 */
export class BatchSampler implements Sampler<number[]> {
  /**
   * @param sampler the indices to group.
   * @param batchSize indices per batch.
   * @param dropLast drop the last batch when it is smaller than `batchSize`.
   * @throws RangeError when `batchSize` is not a positive integer.
   */
  constructor(
    readonly sampler: Iterable<number> & Partial<Sized>,
    readonly batchSize: number,
    readonly dropLast: boolean,
  ) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) rangeError('a positive integer', 'batchSize', batchSize);
    if (typeof dropLast !== 'boolean') typeError('a boolean', 'dropLast', dropLast);
  }

  /** Number of batches. @throws TypeError when the inner sampler has no length. */
  get length(): number {
    const n = this.sampler.length;
    if (n === undefined) throw new TypeError('The sampler of this BatchSampler has no length');
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
