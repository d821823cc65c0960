/**
 * The mini preset learns on the Brown corpus within a CPU test's budget:
 * after one pass over part of the training pairs, held-out MLM loss and NSP
 * loss fall from the untrained model's, and NSP accuracy on the held-out
 * documents is above chance.
 *
 * "Above chance" is measured against the best constant guess (the share of
 * the majority class in the test file), with a margin of three binomial
 * standard deviations over the ~5900 held-out pairs, so a model that has
 * learned nothing fails this with probability about 0.1%.
 *
 * The settings are the ones that learn NSP on two cores in minutes: pairs up
 * to 64 tokens (shorter pairs lose half of each sentence and with it most of
 * the evidence), a vocabulary of 8000, lr 1e-3 with a short warmup and linear
 * decay, and no pass repeated (a repeated small slice teaches the model
 * cues of the training documents instead; see the README).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../../lib/torch/index.js';
import { BERT, presetConfig } from '../../lib/bert/model.js';
import { train } from '../../lib/bert/train.js';
import { evaluate } from '../../lib/bert/evaluate.js';
import { BERTCSVDataset, type BertSample } from '../../lib/bert/dataset.js';
import { collateBatch } from '../../lib/bert/collate.js';
import type { BertBatch } from '../../lib/bert/batch.js';
import { loadCorpus } from '../../lib/bert/corpus.js';
import { prepareData, writePreparedData } from '../../lib/bert/prepare.js';

describe('62 BERT learns (mini preset, CPU)', function () {
  this.timeout(1_200_000);

  it('held-out MLM loss and NSP loss fall and NSP accuracy is above chance', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bert-learn-'));
    try {
      const data = prepareData(loadCorpus('brown'), { maxLen: 64, vocabSize: 8000, seed: 1, testFraction: 0.1 });
      const w = writePreparedData(dir, data);
      const trainSet = new BERTCSVDataset(w.train);
      const testSet = new BERTCSVDataset(w.test);
      const testLoader = new torch.utils.data.DataLoader<BertSample, BertBatch>(testSet, { batchSize: 128, collateFn: collateBatch });
      torch.manualSeed(1);
      const model = new BERT(presetConfig('mini', data.stats.vocabSize));
      const before = await evaluate(testLoader, model, undefined, 'cpu', { exactCourse: false, quiet: true });
      const steps = 600;
      const r = await train(
        model,
        { train: trainSet, test: null },
        {
          epochs: 1,
          maxSteps: steps,
          batchSize: 32,
          lr: 1e-3,
          warmupSteps: 50,
          weightDecay: 0,
          seed: 1,
          device: 'cpu',
        },
        { progress: false },
      );
      const after = await evaluate(testLoader, model, undefined, 'cpu', { exactCourse: false, quiet: true });
      const n = after.examples;
      const positives = data.stats.test.isNext / data.stats.test.pairs;
      const majority = Math.max(positives, 1 - positives);
      // Cross entropy of the best constant prediction (the class shares themselves).
      const constantLoss = -(positives * Math.log(positives) + (1 - positives) * Math.log(1 - positives));
      const threshold = majority + 3 * Math.sqrt(0.25 / n);
      console.log(
        `      ${steps} steps (${steps * 32} of ${data.train.length} training pairs); held-out ${n} pairs: ` +
          `MLM ${before.mlmLoss.toFixed(3)} -> ${after.mlmLoss.toFixed(3)}, NSP ${before.nspLoss.toFixed(4)} -> ${after.nspLoss.toFixed(4)} ` +
          `(constant guess ${constantLoss.toFixed(4)}), NSP accuracy ${(100 * before.nspAccuracy).toFixed(1)}% -> ${(100 * after.nspAccuracy).toFixed(1)}% ` +
          `(chance ${(100 * majority).toFixed(1)}%, threshold ${(100 * threshold).toFixed(1)}%)`,
      );
      expect(r.globalStep).to.equal(steps);
      expect(r.skippedBatches).to.equal(0);
      expect(n).to.equal(data.test.length);
      expect(after.mlmLoss, 'MLM loss falls').to.be.below(before.mlmLoss - 1);
      expect(after.nspLoss, 'NSP loss falls').to.be.below(before.nspLoss);
      expect(after.nspLoss, 'NSP loss below the best constant guess').to.be.below(constantLoss);
      expect(after.nspAccuracy, 'NSP accuracy above chance').to.be.above(threshold);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
