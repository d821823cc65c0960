/**
 * The mini preset learns on a slice of the Brown corpus within a CPU test's
 * budget: held-out MLM loss and NSP loss fall from the untrained model's.
 * NSP accuracy is not asserted: held-out NSP accuracy stays at chance in
 * every run within a CPU's reach (up to 1500 mini-preset steps; see the
 * README), and test/gpu/30-bert-cuda.test.ts only prints it.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../lib/torch/index.js';
import { BERT, presetConfig } from '../lib/bert/model.js';
import { train } from '../lib/bert/train.js';
import { evaluate } from '../lib/bert/evaluate.js';
import { BERTCSVDataset, type BertSample } from '../lib/bert/dataset.js';
import { collateBatch } from '../lib/bert/collate.js';
import type { BertBatch } from '../lib/bert/batch.js';
import { loadCorpus } from '../lib/bert/corpus.js';
import { prepareData, writePreparedData } from '../lib/bert/prepare.js';

describe('62 BERT learns (mini preset, CPU)', function () {
  this.timeout(600_000);

  it('held-out MLM loss and NSP loss fall over two epochs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bert-learn-'));
    try {
      const data = prepareData(loadCorpus('brown').slice(0, 16), { maxLen: 32, vocabSize: 2000, seed: 5, testFraction: 0.25 });
      const w = writePreparedData(dir, data);
      const vocab = data.stats.vocabSize;
      const gen = new torch.Generator(2);
      const trainLoader = new torch.utils.data.DataLoader<BertSample, BertBatch>(new BERTCSVDataset(w.train), { batchSize: 32, shuffle: true, generator: gen, collateFn: collateBatch });
      const testLoader = new torch.utils.data.DataLoader<BertSample, BertBatch>(new BERTCSVDataset(w.test), { batchSize: 64, collateFn: collateBatch });
      torch.manualSeed(2);
      const model = new BERT(presetConfig('mini', vocab));
      const before = await evaluate(testLoader, model, undefined, 'cpu', { exactCourse: false, quiet: true });
      const r = await train(model, trainLoader, testLoader, {
        epochs: 2, lr: 5e-4, warmupSteps: 20, seed: 2, progress: false,
        onEpochStart: (e) => gen.manualSeed(2 + e),
      });
      const after = r.evals[r.evals.length - 1];
      expect(after.mlmLoss, 'MLM loss falls').to.be.below(before.mlmLoss - 0.5);
      expect(after.nspLoss, 'NSP loss falls').to.be.below(before.nspLoss);
      expect(r.skippedBatches).to.equal(0);
      expect(after.examples).to.equal(before.examples);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
