/**
 * `DataLoader`, as in `torch.utils.data`: batches of a dataset, in order or
 * shuffled, collated in this thread (`numWorkers = 0`, iterate with
 * `for ... of` or `for await`) or in worker threads (`numWorkers > 0`,
 * iterate with `for await`).
 *
 * Workers rebuild the dataset from its {@link WorkerSpec} (module path and
 * constructor arguments), collate each batch into plain data (typed arrays)
 * with the collate function's `rawCollate.raw`, and transfer it; this thread
 * turns it into tensors with `rawCollate.wrap`. Native tensor handles never
 * cross threads. Up to `prefetchFactor * numWorkers` batches are in flight,
 * and batches come out in sampler order.
 */
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Generator } from '../../generator.js';
import { checkOptions, rangeError, typeError } from '../../errors.js';
import { IterableDataset, type MapDataset, type WorkerSpec } from './dataset.js';
import { BatchSampler, RandomSampler, SequentialSampler, type Sampler } from './sampler.js';
import { defaultCollate, defaultConvert, type CollateFn, type RawCollate } from './collate.js';
import type { WorkerInit } from './worker.js';

/** Options of {@link DataLoader}; names and defaults are PyTorch's. */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch; `null` yields single converted samples. Default 1. */
  batchSize?: number | null;
  /** Reshuffle at every pass. Default false. */
  shuffle?: boolean;
  /** Order of indices (exclusive with `shuffle`). Default sequential or random. */
  sampler?: Iterable<number> & { readonly length?: number };
  /** Lists of indices (exclusive with `batchSize`, `shuffle`, `sampler`, `dropLast`). */
  batchSampler?: Iterable<number[]> & { readonly length?: number };
  /** Worker threads; 0 collates in this thread. Default 0. */
  numWorkers?: number;
  /** Merges samples into a batch. Default {@link defaultCollate}. */
  collateFn?: CollateFn<T, B>;
  /** Drop the last, smaller batch. Default false. */
  dropLast?: boolean;
  /** Seeded generator for shuffling. Default: seeded from libtorch's global generator each pass. */
  generator?: Generator;
  /** Batches requested ahead per worker. Default 2 (only with workers). */
  prefetchFactor?: number;
  /** Keep workers between passes (call `close()` at the end). Default false. */
  persistentWorkers?: boolean;
  /** How workers rebuild the dataset. Default: `dataset.workerSpec()`. */
  workerDataset?: WorkerSpec;
}

const OPTION_KEYS = [
  'batchSize',
  'shuffle',
  'sampler',
  'batchSampler',
  'numWorkers',
  'collateFn',
  'dropLast',
  'generator',
  'prefetchFactor',
  'persistentWorkers',
  'workerDataset',
];

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; batch: number };

/**
 * One worker thread and its outstanding requests. Each request gets an id of
 * its own, never reused: replies to a pass that ended early can still be in
 * flight when the next pass starts, and must not answer its requests.
 */
class WorkerHandle {
  readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;
  private closing = false;

  constructor(
    readonly workerId: number,
    init: WorkerInit,
  ) {
    this.worker = spawnWorker(init);
    this.worker.on('message', (msg: { type: string; id: number; data?: unknown; message?: string; stack?: string }) => {
      if (msg.type === 'batch') {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        p?.resolve(msg.data);
      } else if (msg.type === 'error') {
        const p = msg.id >= 0 ? this.pending.get(msg.id) : undefined;
        const err = new Error(`DataLoader worker ${workerId} failed${msg.id >= 0 ? ` on batch ${p?.batch ?? '?'}` : ' to start'}: ${msg.message}`);
        if (msg.stack !== undefined) err.stack = `${err.message}\n--- worker stack ---\n${msg.stack}`;
        if (msg.id >= 0) {
          this.pending.delete(msg.id);
          p?.reject(err);
        } else {
          this.fail(err);
        }
      }
    });
    this.worker.on('error', (e: Error) => this.fail(new Error(`DataLoader worker ${workerId} failed: ${e.message}`)));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`DataLoader worker ${workerId} exited unexpectedly (exit code ${code})`));
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Asks for batch number `batch` (its sample indices); resolves with the collated data. */
  request(batch: number, indices: number[]): Promise<unknown> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, batch });
      this.worker.postMessage({ type: 'batch', id, indices });
    });
  }

  private waiters = 0;

  /** Someone awaits a batch from this worker: it keeps the process alive until {@link release}. */
  hold(): void {
    if (this.waiters++ === 0) this.worker.ref();
  }

  /** The wait is over; an idle worker never keeps the process alive. */
  release(): void {
    if (--this.waiters === 0) this.worker.unref();
  }

  async terminate(): Promise<void> {
    this.closing = true;
    this.pending.clear();
    await this.worker.terminate();
  }
}

/** Marks the workerData of DataLoader workers (see worker.ts). */
export const DATALOADER_WORKER = '__torchDataLoaderWorker__';

/** Whether `module` (a path or file: URL) is the script this process runs (`process.argv[1]`). */
function isMainScript(module: string): boolean {
  const main = process.argv[1];
  if (!isMainThread || main === undefined || main === '') return false;
  const canonical = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  let file: string;
  try {
    file = module.startsWith('file:') ? fileURLToPath(module) : module;
  } catch {
    return false;
  }
  return canonical(file) === canonical(main);
}

/** Whether a module URL needs tsx to load (TypeScript source). */
const isTypeScript = (url: string): boolean => /\.[cm]?ts$/.test(url);

/** URL of tsx's ESM register API (`tsx/esm/api`, import condition). */
function resolveTsxApi(from: string): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    // Older runtimes: resolve the package folder and pick the ESM entry.
    const cjs = createRequire(from).resolve('tsx/esm/api');
    return pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
  }
}

/** Starts a worker; under tsx the worker first registers tsx's loader. */
function spawnWorker(init: WorkerInit): Worker {
  const here = import.meta.url;
  const ts = isTypeScript(here);
  const entry = new URL(ts ? './worker.ts' : './worker.js', here);
  if (!ts && !isTypeScript(init.dataset.module) && !isTypeScript(init.collate.module)) {
    return new Worker(entry, { workerData: init });
  }
  const tsxApi = resolveTsxApi(here);
  const boot =
    `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })` +
    `.catch((e) => { setImmediate(() => { throw e; }); });`;
  return new Worker(boot, { eval: true, workerData: init, execArgv: [] });
}

/**
 * Loads a dataset in batches.
 *
 * @example
 * const loader = new DataLoader(dataset, { batchSize: 32, shuffle: true, collateFn: collateBatch });
 * for (const [inputs, labels] of loader) { ... }            // numWorkers 0
 * for await (const batch of new DataLoader(dataset, { batchSize: 32, numWorkers: 2, collateFn: collateBatch })) { ... }
 */
export class DataLoader<T = unknown, B = unknown> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: MapDataset<T> | IterableDataset<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly persistentWorkers: boolean;
  readonly collateFn: CollateFn<T, B>;
  /** Order of indices (null for an IterableDataset). */
  readonly sampler: (Iterable<number> & { readonly length?: number }) | null;
  /** Lists of indices (null without batching or for an IterableDataset). */
  readonly batchSampler: (Iterable<number[]> & { readonly length?: number }) | null;
  readonly generator: Generator | undefined;
  private readonly workerDataset: WorkerSpec | undefined;
  private pool: WorkerHandle[] | null = null;

  /**
   * @param dataset a map-style dataset (`get`, `length`) or an {@link IterableDataset}.
   * @param options see {@link DataLoaderOptions}.
   * @throws TypeError for an unknown option or a wrong type; RangeError for
   *   conflicting or out-of-range options (as PyTorch's ValueError).
   */
  constructor(dataset: MapDataset<T> | IterableDataset<T>, options: DataLoaderOptions<T, B> = {}) {
    checkOptions(options, OPTION_KEYS, 'DataLoader');
    this.dataset = dataset;
    const batchSize = options.batchSize === undefined ? 1 : options.batchSize;
    const shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.numWorkers = options.numWorkers ?? 0;
    this.prefetchFactor = options.prefetchFactor ?? 2;
    this.persistentWorkers = options.persistentWorkers ?? false;
    this.collateFn = options.collateFn ?? (defaultCollate as CollateFn<T, B>);
    this.generator = options.generator;
    this.workerDataset = options.workerDataset;

    if (batchSize !== null && (!Number.isInteger(batchSize) || batchSize <= 0)) rangeError('a positive integer or null', 'batchSize', batchSize);
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) rangeError('a non-negative integer', 'numWorkers', this.numWorkers);
    if (!Number.isInteger(this.prefetchFactor) || this.prefetchFactor <= 0) rangeError('a positive integer', 'prefetchFactor', this.prefetchFactor);
    if (typeof shuffle !== 'boolean') typeError('a boolean', 'shuffle', shuffle);
    if (typeof this.collateFn !== 'function') typeError('a function', 'collateFn', this.collateFn);
    if (options.generator !== undefined && !(options.generator instanceof Generator)) typeError('torch.Generator', 'generator', options.generator);
    if (this.persistentWorkers && this.numWorkers === 0) throw new RangeError('persistentWorkers option needs numWorkers > 0');

    if (dataset instanceof IterableDataset) {
      if (shuffle) throw new RangeError('DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=true');
      if (options.sampler !== undefined) throw new RangeError('DataLoader with IterableDataset: expected unspecified sampler option');
      if (options.batchSampler !== undefined) throw new RangeError('DataLoader with IterableDataset: expected unspecified batchSampler option');
      if (this.numWorkers > 0) throw new RangeError('DataLoader with IterableDataset supports numWorkers 0 only');
      this.batchSize = batchSize;
      this.sampler = null;
      this.batchSampler = null;
      return;
    }
    if (typeof dataset.get !== 'function' || typeof dataset.length !== 'number') {
      typeError('a dataset with get(index) and length', 'dataset', dataset);
    }
    if (options.sampler !== undefined && shuffle) throw new RangeError('sampler option is mutually exclusive with shuffle');
    if (options.batchSampler !== undefined) {
      if (batchSize !== 1 || shuffle || options.sampler !== undefined || this.dropLast) {
        throw new RangeError('batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast');
      }
      this.batchSize = null;
      this.sampler = null;
      this.batchSampler = options.batchSampler;
    } else {
      if (batchSize === null && this.dropLast) {
        throw new RangeError('batchSize=null option disables auto-batching and is mutually exclusive with dropLast');
      }
      this.batchSize = batchSize;
      this.sampler = options.sampler ?? (shuffle ? new RandomSampler(dataset, { generator: options.generator }) : new SequentialSampler(dataset));
      this.batchSampler = batchSize === null ? null : new BatchSampler(this.sampler as Sampler<number>, batchSize, this.dropLast);
    }
    if (this.numWorkers > 0) {
      if (this.batchSampler === null) throw new RangeError('DataLoader with numWorkers > 0 needs batching (batchSize or batchSampler)');
      if (this.collateFn.rawCollate === undefined) {
        throw new TypeError(
          'DataLoader with numWorkers > 0 needs a collateFn with rawCollate (a tensor-free collation that workers can import); ' +
            'defaultCollate and bert collateBatch have one',
        );
      }
      if (this.workerDataset === undefined && (dataset as MapDataset<T>).workerSpec === undefined) {
        throw new TypeError(
          'DataLoader with numWorkers > 0 needs to rebuild the dataset in each worker: give the dataset a workerSpec() method or pass the workerDataset option',
        );
      }
    }
  }

  /**
   * Number of batches per pass.
   *
   * @throws TypeError for an IterableDataset without a length.
   */
  get length(): number {
    if (this.dataset instanceof IterableDataset) {
      const n = (this.dataset as { length?: unknown }).length;
      if (typeof n !== 'number') throw new TypeError('This IterableDataset has no length');
      if (this.batchSize === null) return n;
      return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    }
    const lengthOf = (s: { readonly length?: number }): number => {
      if (typeof s.length !== 'number') throw new TypeError('The sampler of this DataLoader has no length');
      return s.length;
    };
    return this.batchSampler !== null ? lengthOf(this.batchSampler) : lengthOf(this.sampler as { readonly length?: number });
  }

  /** The raw collation to use in this thread, when the dataset offers raw samples. */
  private rawPath(): RawCollate<unknown, B> | null {
    const rc = this.collateFn.rawCollate;
    const ds = this.dataset as MapDataset<T>;
    return rc !== undefined && rc.input === 'raw' && ds.getRaw !== undefined ? rc : null;
  }

  /** Fetches and collates one batch in this thread. */
  private fetch(indices: number[]): B {
    const ds = this.dataset as MapDataset<T>;
    const raw = this.rawPath();
    if (raw !== null) {
      const getRaw = (ds.getRaw as (i: number) => unknown).bind(ds);
      return raw.wrap(raw.raw(indices.map(getRaw)));
    }
    return this.collateFn(indices.map((i) => ds.get(i)));
  }

  /**
   * Iterates the batches in this thread.
   *
   * @throws TypeError when `numWorkers > 0` (iterate with `for await`).
   */
  *[Symbol.iterator](): Iterator<B> {
    if (this.numWorkers > 0) {
      throw new TypeError('DataLoader with numWorkers > 0 is asynchronous: iterate it with for await');
    }
    if (this.dataset instanceof IterableDataset) {
      yield* this.iterateIterable(this.dataset);
      return;
    }
    if (this.batchSampler === null) {
      const ds = this.dataset;
      for (const i of this.sampler as Iterable<number>) yield defaultConvert(ds.get(i)) as B;
      return;
    }
    for (const indices of this.batchSampler) yield this.fetch(Array.from(indices));
  }

  private *iterateIterable(ds: IterableDataset<T>): IterableIterator<B> {
    if (this.batchSize === null) {
      for (const s of ds) yield defaultConvert(s) as B;
      return;
    }
    let batch: T[] = [];
    for (const s of ds) {
      batch.push(s);
      if (batch.length === this.batchSize) {
        yield this.collateFn(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield this.collateFn(batch);
  }

  /** Iterates the batches; with workers, batches are prepared ahead in worker threads. */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    if (this.numWorkers === 0) {
      for (const b of this) yield b;
      return;
    }
    const rc = this.collateFn.rawCollate as RawCollate<unknown, B>;
    const pool = this.startPool(rc);
    const queue: Promise<unknown>[] = [];
    const batches = (this.batchSampler as Iterable<number[]>)[Symbol.iterator]();
    let next = 0;
    const request = (): boolean => {
      const r = batches.next();
      if (r.done === true) return false;
      const p = pool[next % pool.length].request(next, Array.from(r.value));
      p.catch(() => undefined); // settled later by await; avoids unhandled rejections on early exit
      queue.push(p);
      next++;
      return true;
    };
    try {
      for (let k = 0; k < this.prefetchFactor * pool.length && request(); k++);
      while (queue.length > 0) {
        // Workers keep the process alive only while a batch is awaited: an
        // iterator dropped after a batch (or between passes) holds nothing.
        for (const w of pool) w.hold();
        let data: unknown;
        try {
          data = await (queue.shift() as Promise<unknown>);
        } finally {
          for (const w of pool) w.release();
        }
        request();
        yield rc.wrap(data);
      }
    } finally {
      if (!this.persistentWorkers) {
        this.pool = null;
        await Promise.all(pool.map((w) => w.terminate()));
      }
    }
  }

  private startPool(rc: RawCollate<unknown, B>): WorkerHandle[] {
    if (this.pool !== null) return this.pool;
    if (!isMainThread && (workerData as { [DATALOADER_WORKER]?: boolean } | null)?.[DATALOADER_WORKER] === true) {
      throw new Error(
        `A DataLoader worker cannot start DataLoader workers of its own (numWorkers ${this.numWorkers} in a worker thread); ` +
          'did the dataset module start a DataLoader when the worker imported it?',
      );
    }
    const ds = this.dataset as MapDataset<T>;
    const spec = this.workerDataset ?? (ds.workerSpec as () => WorkerSpec).call(ds);
    for (const [module, name] of [
      [spec.module, spec.exportName],
      [rc.module, rc.exportName],
    ]) {
      if (isMainScript(module)) {
        throw new Error(
          `DataLoader workers would rebuild the dataset from the main script (${process.argv[1]}), which runs the whole script again in every worker. ` +
            `Move the class '${name}' into a module of its own and import it from the script ` +
            "(Python's spawned workers need `if __name__ == '__main__':` for the same reason), or use numWorkers: 0",
        );
      }
    }
    const init = (workerId: number): WorkerInit => ({
      [DATALOADER_WORKER]: true,
      dataset: spec,
      collate: { module: rc.module, exportName: rc.exportName },
      workerId,
      numWorkers: this.numWorkers,
      useRaw: rc.input === 'raw' && ds.getRaw !== undefined,
    });
    this.pool = Array.from({ length: this.numWorkers }, (_, i) => new WorkerHandle(i, init(i)));
    for (const w of this.pool) w.worker.unref();
    return this.pool;
  }

  /** Stops persistent workers (a no-op otherwise). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool !== null) await Promise.all(pool.map((w) => w.terminate()));
  }

  /** `await using loader = new DataLoader(...)` closes persistent workers at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
