import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import {
  BatchSampler,
  ConcatDataset,
  DataLoader,
  IterableDataset,
  RandomSampler,
  SequentialSampler,
  Subset,
  TensorDataset,
  randomSplit,
} from '../lib/torch/utils/data/index.js';
import { BERTCSVDataset } from '../lib/bert/dataset.js';
import { collateBatch } from '../lib/bert/collate.js';
import { examplesToCsv, type PretrainingExample } from '../lib/bert/prepare.js';
import { RangeDataset } from './50-data-fixture.js';

const range = (n: number): TensorDataset => new TensorDataset(torch.arange(n, { dtype: 'int64' }), torch.arange(n, { dtype: 'float32' }).mul(2));
const firsts = (batches: Tensor[][]): number[][] => batches.map((b) => b[0].tolist() as number[]);
const lists = (batch: Tensor[]): unknown[] => batch.map((t) => t.tolist());

describe('50 data: DataLoader', () => {
  describe('datasets and samplers', () => {
    it('TensorDataset, Subset and ConcatDataset index like PyTorch', () => {
      const ds = range(5);
      expect(ds.length).to.equal(5);
      expect(ds.get(3).map((t) => t.item())).to.deep.equal([3, 6]);
      expect(ds.get(-1)[0].item()).to.equal(4);
      expect(() => ds.get(5)).to.throw(RangeError, 'Index 5 is out of range for TensorDataset of length 5');
      expect(() => new TensorDataset(torch.zeros([2]), torch.zeros([3]))).to.throw(RangeError, 'Size mismatch between tensors: 2 vs 3');
      const sub = new Subset(ds, [4, 0]);
      expect(sub.length).to.equal(2);
      expect(sub.get(0)[0].item()).to.equal(4);
      const cat = new ConcatDataset([ds, sub]);
      expect(cat.length).to.equal(7);
      expect(cat.get(5)[0].item()).to.equal(4);
    });

    it('randomSplit: disjoint subsets by lengths or fractions, repeatable with a generator', () => {
      const ds = range(10);
      const [a, b] = randomSplit(ds, [7, 3], new torch.Generator(42));
      expect([a.length, b.length]).to.deep.equal([7, 3]);
      expect([...a.indices, ...b.indices].sort((x, y) => x - y)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const [a2] = randomSplit(ds, [7, 3], new torch.Generator(42));
      expect(a2.indices).to.deep.equal(a.indices);
      const parts = randomSplit(ds, [0.5, 0.3, 0.2], new torch.Generator(1));
      expect(parts.map((p) => p.length)).to.deep.equal([5, 3, 2]);
      expect(randomSplit(range(11), [0.5, 0.5], new torch.Generator(1)).map((p) => p.length)).to.deep.equal([6, 5]);
      expect(() => randomSplit(ds, [4, 4])).to.throw(RangeError, 'Sum of input lengths (8) does not equal the length of the input dataset (10)');
      torch.manualSeed(3);
      const x = randomSplit(ds, [5, 5])[0].indices;
      torch.manualSeed(3);
      expect(randomSplit(ds, [5, 5])[0].indices).to.deep.equal(x);
    });

    it('samplers: sequential, random (repeatable), batches', () => {
      const ds = range(10);
      expect([...new SequentialSampler(ds)]).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const r = new RandomSampler(ds, { generator: new torch.Generator(7) });
      const e1 = [...r];
      const e2 = [...r];
      expect([...e1].sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(e2).to.not.deep.equal(e1); // the generator moves on between passes
      expect([...new RandomSampler(ds, { generator: new torch.Generator(7) })]).to.deep.equal(e1);
      const withReplacement = [...new RandomSampler(ds, { replacement: true, numSamples: 25, generator: new torch.Generator(1) })];
      expect(withReplacement.length).to.equal(25);
      expect([...new RandomSampler(ds, { numSamples: 15, generator: new torch.Generator(1) })].length).to.equal(15);
      const bs = new BatchSampler(new SequentialSampler(ds), 4, false);
      expect([...bs]).to.deep.equal([
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
      ]);
      expect(bs.length).to.equal(3);
      expect(new BatchSampler(new SequentialSampler(ds), 4, true).length).to.equal(2);
      expect(() => new BatchSampler(new SequentialSampler(ds), 0, false)).to.throw(
        RangeError,
        'Expected a positive integer for batchSize but received 0 of type number',
      );
    });
  });

  describe('in this thread', () => {
    it('batches in order with the default collate; length counts batches; dropLast', () => {
      const loader = new DataLoader(range(10), { batchSize: 4 });
      expect(loader.length).to.equal(3);
      const batches = [...loader] as Tensor[][];
      expect(firsts(batches)).to.deep.equal([
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
      ]);
      expect(batches[0][1].dtype).to.equal('float32');
      const dropped = new DataLoader(range(10), { batchSize: 4, dropLast: true });
      expect(dropped.length).to.equal(2);
      expect(firsts([...dropped] as Tensor[][])).to.deep.equal([
        [0, 1, 2, 3],
        [4, 5, 6, 7],
      ]);
      expect(new DataLoader(range(3)).length).to.equal(3);
    });

    it('shuffles repeatably for a seeded generator, differently per epoch and per seed', () => {
      const order = (seed: number, epochs: number): number[][] => {
        const loader = new DataLoader(range(20), { batchSize: 5, shuffle: true, generator: new torch.Generator(seed) });
        const out: number[][] = [];
        for (let e = 0; e < epochs; e++) out.push(firsts([...loader] as Tensor[][]).flat());
        return out;
      };
      const [a1, a2] = order(11, 2);
      expect([...a1].sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
      expect(a1).to.not.deep.equal(a2);
      expect(order(11, 2)).to.deep.equal([a1, a2]);
      expect(order(12, 1)[0]).to.not.deep.equal(a1);
      // Without a generator, torch.manualSeed makes the order repeat.
      torch.manualSeed(5);
      const x = firsts([...new DataLoader(range(20), { batchSize: 20, shuffle: true })] as Tensor[][]);
      torch.manualSeed(5);
      expect(firsts([...new DataLoader(range(20), { batchSize: 20, shuffle: true })] as Tensor[][])).to.deep.equal(x);
    });

    it('takes a sampler, a batchSampler, batchSize null and an IterableDataset', () => {
      const ds = range(6);
      const s = new DataLoader(ds, { batchSize: 2, sampler: [5, 4, 3, 2, 1, 0] });
      expect(firsts([...s] as Tensor[][])).to.deep.equal([
        [5, 4],
        [3, 2],
        [1, 0],
      ]);
      const bs = new DataLoader(ds, { batchSampler: [[0, 5], [1]] });
      expect(firsts([...bs] as Tensor[][])).to.deep.equal([[0, 5], [1]]);
      expect(bs.length).to.equal(2);
      const single = [...new DataLoader(new RangeDataset(3), { batchSize: null })] as { x: number; v: Tensor }[];
      expect(single.map((s) => s.x)).to.deep.equal([0, 1, 2]);
      expect(single[2].v.tolist()).to.deep.equal([2, 4]);
      class Stream extends IterableDataset<number> {
        *[Symbol.iterator](): Iterator<number> {
          for (let i = 0; i < 5; i++) yield i * 10;
        }
      }
      const it = [...new DataLoader(new Stream(), { batchSize: 2 })] as Tensor[];
      expect(it.map((t) => t.tolist())).to.deep.equal([[0, 10], [20, 30], [40]]);
    });

    it('rejects conflicting options like PyTorch', () => {
      const ds = range(4);
      expect(() => new DataLoader(ds, { sampler: [0, 1], shuffle: true })).to.throw(RangeError, 'sampler option is mutually exclusive with shuffle');
      expect(() => new DataLoader(ds, { batchSampler: [[0]], batchSize: 2 })).to.throw(
        RangeError,
        'batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast',
      );
      expect(() => new DataLoader(ds, { batchSize: 0 })).to.throw(
        RangeError,
        'Expected a positive integer or null for batchSize but received 0 of type number',
      );
      expect(() => new DataLoader(ds, { batchsize: 2 } as never)).to.throw(TypeError, "Unknown option 'batchsize' for DataLoader");
      expect(() => new DataLoader(ds, { numWorkers: 2 })).to.throw(TypeError, 'needs to rebuild the dataset in each worker');
      expect(() => new DataLoader(new RangeDataset(4), { numWorkers: 1, collateFn: (b: unknown[]) => b })).to.throw(
        TypeError,
        'DataLoader with numWorkers > 0 needs a collateFn with rawCollate',
      );
      const workers = new DataLoader(new RangeDataset(4), { numWorkers: 1 });
      expect(() => [...workers]).to.throw(TypeError, 'DataLoader with numWorkers > 0 is asynchronous: iterate it with for await');
    });
  });

  describe('with worker threads', () => {
    let dir: string;
    let csv: string;

    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'loader-'));
      csv = path.join(dir, 'train.csv');
      const examples: PretrainingExample[] = [];
      for (let i = 0; i < 203; i++) {
        const n = 5 + (i % 17);
        const input = Array.from({ length: n }, (_, k) => (k === 0 ? 2 : k === n - 1 ? 3 : 5 + ((i * 7 + k) % 50)));
        examples.push({
          bertInput: input,
          bertLabel: input.map((id, k) => (k % 5 === 1 ? id : 0)),
          segmentLabel: input.map((_, k) => (k < n / 2 ? 1 : 2)),
          isNext: (i % 3 === 0 ? 1 : 0) as 0 | 1,
        });
      }
      writeFileSync(csv, examplesToCsv(examples));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('gives the same BERT batches with 2 workers as in this thread (shuffled, for await)', async () => {
      const ds = new BERTCSVDataset(csv, { vocabSize: 60 });
      const run = async (numWorkers: number): Promise<unknown[][]> => {
        const loader = new DataLoader(ds, { batchSize: 16, shuffle: true, generator: new torch.Generator(9), collateFn: collateBatch, numWorkers });
        const out: unknown[][] = [];
        for await (const batch of loader) {
          expect(batch[0].shape[1]).to.be.at.most(16);
          out.push(lists(batch));
        }
        expect(out.length).to.equal(loader.length);
        return out;
      };
      const inThread = await run(0);
      expect(inThread.length).to.equal(13);
      expect(await run(2)).to.deep.equal(inThread);
      // And the same as for ... of.
      const sync = [...new DataLoader(ds, { batchSize: 16, shuffle: true, generator: new torch.Generator(9), collateFn: collateBatch })];
      expect(sync.map(lists)).to.deep.equal(inThread);
    });

    it('rebuilds a Subset (randomSplit) of the CSV dataset in workers', async () => {
      const ds = new BERTCSVDataset(csv);
      const [train] = randomSplit(ds, [0.75, 0.25], new torch.Generator(3));
      const run = async (numWorkers: number): Promise<unknown[][]> => {
        const out: unknown[][] = [];
        for await (const b of new DataLoader(train, { batchSize: 32, collateFn: collateBatch, numWorkers })) out.push(lists(b));
        return out;
      };
      const inThread = await run(0);
      expect(inThread.length).to.equal(Math.ceil(train.length / 32));
      expect(await run(1)).to.deep.equal(inThread);
    });

    it('runs the default collate in workers (dropLast, prefetch 1, persistent workers)', async () => {
      const ds = new RangeDataset(23);
      const loader = new DataLoader(ds, { batchSize: 5, dropLast: true, numWorkers: 3, prefetchFactor: 1, persistentWorkers: true });
      try {
        for (let epoch = 0; epoch < 2; epoch++) {
          const xs: number[][] = [];
          for await (const b of loader) {
            const batch = b as { x: Tensor; v: Tensor; name: string[] };
            expect(batch.v.shape).to.deep.equal([5, 2]);
            expect(batch.v.dtype).to.equal('float32');
            expect(batch.name[0]).to.equal(`item-${(batch.x.tolist() as number[])[0]}`);
            xs.push(batch.x.tolist() as number[]);
          }
          expect(xs).to.deep.equal([
            [0, 1, 2, 3, 4],
            [5, 6, 7, 8, 9],
            [10, 11, 12, 13, 14],
            [15, 16, 17, 18, 19],
          ]);
        }
      } finally {
        await loader.close();
      }
    });

    it('reports a failing sample with the worker and batch, and stops early without hanging', async () => {
      const loader = new DataLoader(new RangeDataset(40, 17), { batchSize: 4, numWorkers: 2 });
      const seen: number[] = [];
      let error: Error | undefined;
      try {
        for await (const b of loader) seen.push(((b as { x: Tensor }).x.tolist() as number[])[0]);
      } catch (e) {
        error = e as Error;
      }
      expect(seen).to.deep.equal([0, 4, 8, 12]);
      expect(error?.message).to.equal('DataLoader worker 0 failed on batch 4: boom at 17');
      let count = 0;
      for await (const _ of new DataLoader(new RangeDataset(1000), { batchSize: 2, numWorkers: 2 })) {
        if (++count === 3) break;
      }
      expect(count).to.equal(3);
    });

    it('starts a fresh pass after one that ended early: persistent workers hand out no stale batch', async () => {
      const loader = new DataLoader(new RangeDataset(64), {
        batchSize: 4,
        shuffle: true,
        generator: new torch.Generator(1),
        numWorkers: 2,
        prefetchFactor: 4,
        persistentWorkers: true,
      });
      try {
        for (let round = 0; round < 3; round++) {
          for await (const _ of loader) break;
          const seen: number[] = [];
          for await (const b of loader) seen.push(...((b as { x: Tensor }).x.tolist() as number[]));
          expect(
            [...seen].sort((a, b) => a - b),
            `pass after an early exit, round ${round}`,
          ).to.deep.equal(Array.from({ length: 64 }, (_, i) => i));
        }
      } finally {
        await loader.close();
      }
    });

    it('does not keep the process alive for a dropped iterator (one batch taken, iterator dropped)', () => {
      const fixture = new URL('./50-data-fixture.ts', import.meta.url).href;
      const data = new URL('../lib/torch/utils/data/index.js', import.meta.url).href;
      const code =
        `const { DataLoader } = await import(${JSON.stringify(data)});` +
        `const { RangeDataset } = await import(${JSON.stringify(fixture)});` +
        `for (const persistentWorkers of [false, true]) {` +
        `  const loader = new DataLoader(new RangeDataset(1000), { batchSize: 2, numWorkers: 2, persistentWorkers });` +
        `  const first = await loader[Symbol.asyncIterator]().next();` +
        `  console.log('first batch', first.value.x.tolist().join(','));` +
        `}`;
      const started = Date.now();
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        encoding: 'utf8',
        timeout: 60_000,
        killSignal: 'SIGKILL',
      });
      expect(r.signal, `still running after ${((Date.now() - started) / 1000).toFixed(0)} s`).to.equal(null);
      expect([r.status, r.stdout.trim()], r.stderr).to.deep.equal([0, 'first batch 0,1\nfirst batch 0,1']);
    });

    it('refuses a dataset defined in the main script instead of re-running the script in each worker, as Python does', () => {
      const script = fileURLToPath(new URL('./50-data-main-script.ts', import.meta.url));
      const started = Date.now();
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
      expect(r.signal, `killed after ${((Date.now() - started) / 1000).toFixed(0)} s`).to.equal(null);
      expect(r.status, r.stderr).to.equal(3);
      expect(r.stdout.trim()).to.equal(
        `Error: DataLoader workers would rebuild the dataset from the main script (${script}), which runs the whole script again in every worker. ` +
          "Move the class 'Squares' into a module of its own and import it from the script (Python's spawned workers need `if __name__ == '__main__':` for the same reason), or use numWorkers: 0",
      );
    });

    it('a DataLoader worker cannot start workers of its own', async () => {
      // The dataset's module starts a DataLoader with workers when a worker imports it.
      const loader = new DataLoader(new RangeDataset(4), {
        batchSize: 2,
        numWorkers: 1,
        workerDataset: { module: new URL('./50-data-nested-workers.ts', import.meta.url).href, exportName: 'NestedDataset' },
      });
      let error: Error | undefined;
      try {
        for await (const _ of loader);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).to.equal(
        'DataLoader worker 0 failed to start: A DataLoader worker cannot start DataLoader workers of its own (numWorkers 1 in a worker thread); ' +
          'did the dataset module start a DataLoader when the worker imported it?',
      );
    });

    it('reports a dataset that cannot be rebuilt in the worker', async () => {
      const loader = new DataLoader(new RangeDataset(4), {
        numWorkers: 1,
        workerDataset: { module: new URL('./50-data-fixture.ts', import.meta.url).href, exportName: 'NoSuchDataset' },
      });
      let error: Error | undefined;
      try {
        for await (const _ of loader);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).to.match(/^DataLoader worker 0 failed to start: Module .*50-data-fixture\.ts has no export 'NoSuchDataset'$/);
    });
  });
});
