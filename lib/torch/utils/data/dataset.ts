/**
 * Datasets, as in `torch.utils.data`: map-style {@link Dataset} (`get(i)`,
 * `length`), {@link IterableDataset}, {@link TensorDataset}, {@link Subset},
 * {@link ConcatDataset} and {@link randomSplit}.
 */
import { Tensor } from '../../tensor.js';
import { Generator } from '../../generator.js';
import { checkOptions, rangeError, typeError } from '../../errors.js';
import { randint } from '../../creation.js';

/**
 * How a worker thread rebuilds a dataset: it imports `module`, takes the
 * export `exportName`, and calls its static `factory` method (or the
 * constructor when no factory is named) with `args`. `args` must survive
 * `structuredClone` (numbers, strings, plain objects, typed arrays,
 * SharedArrayBuffers); never tensors.
 */
export interface WorkerSpec {
  /** Module path or `file:` URL (e.g. `import.meta.url` of the dataset's module). */
  module: string;
  /** Name of the exported class (or function). */
  exportName: string;
  /** Static method to call instead of the constructor. Default: `new`. */
  factory?: string;
  /** Arguments of the constructor or factory. Default none. */
  args?: unknown[];
}

/**
 * A map-style dataset: `get(i)` for `0 <= i < length`.
 *
 * Optional extras that the {@link DataLoader} uses:
 * - `getRaw(i)`: the sample as plain data (typed arrays, numbers) without
 *   tensors, so that collation can skip tensor creation, also in workers;
 * - `workerSpec()`: how a worker thread rebuilds this dataset (needed for
 *   `numWorkers > 0`).
 */
export abstract class Dataset<T> {
  /** The sample at `index`. */
  abstract get(index: number): T;
  /** Number of samples. */
  abstract get length(): number;

  /** The sample as plain data (optional). */
  getRaw?(index: number): unknown;
  /** How a worker thread rebuilds this dataset (optional). */
  workerSpec?(): WorkerSpec;
}

/** A structural view of a map-style dataset (any object with `get` and `length`). */
export interface MapDataset<T> {
  get(index: number): T;
  readonly length: number;
  getRaw?(index: number): unknown;
  workerSpec?(): WorkerSpec;
}

/**
 * A dataset read as a stream: `[Symbol.iterator]()` yields samples.
 * The DataLoader batches them in order; samplers and shuffling do not apply.
 */
export abstract class IterableDataset<T> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
}

/** Checks `index` against `length`, allowing negative indices from the end. */
export function checkIndex(index: number, length: number, where: string): number {
  if (!Number.isInteger(index)) typeError('an integer', `${where} index`, index);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) {
    throw new RangeError(`Index ${index} is out of range for ${where} of length ${length}`);
  }
  return i;
}

/**
 * A dataset of tensors that share their first dimension: sample `i` is
 * `[t0[i], t1[i], ...]`.
 *
 * @example new TensorDataset(x, y).get(0) // [x[0], y[0]]
 */
export class TensorDataset extends Dataset<Tensor[]> {
  /** The wrapped tensors. */
  readonly tensors: Tensor[];

  /**
   * @param tensors one or more tensors with the same size in dimension 0.
   * @throws RangeError when there is no tensor, a tensor is 0-dimensional or the first sizes differ.
   */
  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new RangeError('TensorDataset needs at least one tensor');
    for (const t of tensors) if (!(t instanceof Tensor)) typeError('Tensor', 'TensorDataset argument', t);
    const n = tensors[0].shape[0];
    for (const t of tensors) {
      if (t.shape.length === 0) throw new RangeError('TensorDataset tensors need at least one dimension');
      if (t.shape[0] !== n) throw new RangeError(`Size mismatch between tensors: ${tensors.map((x) => x.shape[0]).join(' vs ')}`);
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  /** `[t0[index], t1[index], ...]` (new tensors). @throws RangeError for an index out of range. */
  get(index: number): Tensor[] {
    const i = checkIndex(index, this.length, 'TensorDataset');
    return this.tensors.map((t) => t.select(0, i));
  }
}

/** The samples of `dataset` at `indices`, in that order. */
export class Subset<T> extends Dataset<T> {
  readonly dataset: MapDataset<T>;
  readonly indices: readonly number[];

  /** @throws RangeError when an index is out of the dataset's range. */
  constructor(dataset: MapDataset<T>, indices: ArrayLike<number>) {
    super();
    this.dataset = dataset;
    const n = dataset.length;
    this.indices = Array.from(indices, (i) => checkIndex(i, n, 'Subset'));
    // Raw samples and worker rebuilding exist when the underlying dataset has them.
    if (dataset.getRaw !== undefined) {
      const getRaw = dataset.getRaw.bind(dataset);
      this.getRaw = (index: number): unknown => getRaw(this.indices[checkIndex(index, this.indices.length, 'Subset')]);
    }
    if (dataset.workerSpec !== undefined) {
      const spec = dataset.workerSpec.bind(dataset);
      this.workerSpec = (): WorkerSpec => ({
        module: import.meta.url,
        exportName: 'Subset',
        factory: 'fromWorkerSpec',
        args: [spec(), Int32Array.from(this.indices)],
      });
    }
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    return this.dataset.get(this.indices[checkIndex(index, this.indices.length, 'Subset')]);
  }

  /** Worker side of {@link workerSpec}. */
  static async fromWorkerSpec<T>(spec: WorkerSpec, indices: Int32Array): Promise<Subset<T>> {
    return new Subset(await buildFromWorkerSpec<MapDataset<T>>(spec), indices);
  }
}

/** Several datasets one after another. */
export class ConcatDataset<T> extends Dataset<T> {
  readonly datasets: MapDataset<T>[];
  /** Cumulative lengths: `cumulativeSizes[k]` = samples in datasets 0..k. */
  readonly cumulativeSizes: number[];

  /** @throws RangeError when no dataset is given. */
  constructor(datasets: MapDataset<T>[]) {
    super();
    if (datasets.length === 0) throw new RangeError('ConcatDataset needs at least one dataset');
    this.datasets = datasets;
    let total = 0;
    this.cumulativeSizes = datasets.map((d) => (total += d.length));
  }

  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }

  private locate(index: number): [MapDataset<T>, number] {
    const i = checkIndex(index, this.length, 'ConcatDataset');
    let k = 0;
    while (this.cumulativeSizes[k] <= i) k++;
    return [this.datasets[k], k === 0 ? i : i - this.cumulativeSizes[k - 1]];
  }

  get(index: number): T {
    const [d, i] = this.locate(index);
    return d.get(i);
  }
}

/**
 * Splits a dataset into non-overlapping random subsets.
 *
 * @param lengths sizes that sum to the dataset's length, or fractions that sum
 *   to 1 (then each size is `floor(n * f)` and the remainder is dealt one by
 *   one to the subsets in order, as in PyTorch).
 * @param generator seeded generator for the permutation. Default: a seed drawn
 *   from libtorch's global generator (so `torch.manualSeed` makes it repeat).
 * @throws RangeError when lengths do not sum to the length (or fractions to 1).
 */
export function randomSplit<T>(dataset: MapDataset<T>, lengths: readonly number[], generator?: Generator): Subset<T>[] {
  const n = dataset.length;
  let sizes = lengths.slice();
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sizes.some((x) => !(x >= 0))) rangeError('non-negative lengths', 'randomSplit lengths', lengths);
  if (Math.abs(sum - 1) < 1e-9 && sum !== n) {
    sizes = sizes.map((f) => Math.floor(n * f));
    let rest = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % sizes.length, rest--) sizes[i]++;
  } else if (sum !== n || sizes.some((x) => !Number.isInteger(x))) {
    throw new RangeError(`Sum of input lengths (${sum}) does not equal the length of the input dataset (${n})`);
  }
  const perm = (generator ?? defaultGenerator()).permutation(n);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const size of sizes) {
    out.push(new Subset(dataset, perm.subarray(offset, offset + size)));
    offset += size;
  }
  return out;
}

/** A generator seeded from libtorch's global generator (repeats after `torch.manualSeed`). */
export function defaultGenerator(): Generator {
  const t = randint(0, 2147483647, [1], { dtype: 'int64' });
  const seed = Number(t.item());
  t.dispose();
  return new Generator(seed);
}

/**
 * Rebuilds a dataset from a {@link WorkerSpec} (in a worker thread).
 *
 * @throws Error when the module lacks the export or the factory.
 */
export async function buildFromWorkerSpec<D>(spec: WorkerSpec): Promise<D> {
  checkOptions(spec, ['module', 'exportName', 'factory', 'args'], 'WorkerSpec');
  const url = spec.module.startsWith('file:') || spec.module.startsWith('data:') ? spec.module : new URL(`file://${spec.module}`).href;
  const mod = (await import(url)) as Record<string, unknown>;
  const exported = mod[spec.exportName] as ((...a: unknown[]) => unknown) | undefined;
  if (exported === undefined) throw new Error(`Module ${spec.module} has no export '${spec.exportName}'`);
  const args = spec.args ?? [];
  if (spec.factory !== undefined) {
    const f = (exported as unknown as Record<string, unknown>)[spec.factory];
    if (typeof f !== 'function') throw new Error(`${spec.exportName}.${spec.factory} is not a function`);
    return (await (f as (...a: unknown[]) => unknown).apply(exported, args)) as D;
  }
  return new (exported as unknown as new (...a: unknown[]) => D)(...args);
}
