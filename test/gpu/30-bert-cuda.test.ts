/**
 * BERT pretraining on CUDA: the mini preset trained on the Brown corpus
 * (prepared by scripts/gpu-pack.sh into .device/bert-data, or BERT_GPU_DATA)
 * with the default fast path (masked-position MLM logits, bf16 autocast):
 * held-out MLM loss falls (NSP figures are printed), CUDA memory stays flat
 * across epochs, and the fast path's loss equals the
 * course-exact path's. Skips, saying why, without CUDA or without the data.
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../lib/torch/index.js';
import { BERT, PAD_IDX, presetConfig } from '../../lib/bert/model.js';
import { train } from '../../lib/bert/train.js';
import { BERTCSVDataset } from '../../lib/bert/dataset.js';
import { collateBatch } from '../../lib/bert/collate.js';

const DATA = process.env.BERT_GPU_DATA ?? '.device/bert-data';

function skipReason(): string | null {
  if (!torch.cuda.isAvailable()) return `CUDA not available: torch.cuda.isAvailable() is false (libtorch ${torch.version})`;
  if (!existsSync(join(DATA, 'train.csv'))) return `no prepared data in ${DATA} (run scripts/gpu-pack.sh, or set BERT_GPU_DATA)`;
  return null;
}

function requireCuda(ctx: Mocha.Context): void {
  const why = skipReason();
  if (why === null) return;
  console.log(`      ${why}; skipping "${ctx.test?.title ?? ''}"`);
  ctx.skip();
}

describe('gpu 30: BERT pretraining on CUDA', function () {
  this.timeout(600_000);

  it('the fast path gives the course-exact loss on CUDA (fp32)', function () {
    requireCuda(this);
    const vocab = readFileSync(join(DATA, 'vocab.txt'), 'utf8').trim().split('\n').length;
    torch.manualSeed(3);
    const model = new BERT({ ...presetConfig('mini', vocab), dropout: 0 }).to('cuda');
    const ds = new BERTCSVDataset(join(DATA, 'test.csv'));
    const [x, labels, seg] = collateBatch(Array.from({ length: 16 }, (_, i) => ds.get(i))).map((t) => t.cuda());
    torch.noGrad(() => {
      const [, mlm] = model.forward(x, seg);
      const full = torch.nn.functional.crossEntropy(mlm.view(-1, vocab), labels.view(-1), { ignoreIndex: PAD_IDX }).item();
      const [, picked, targets] = model.forwardMasked(x, seg, labels);
      const fast = torch.nn.functional.crossEntropy(picked, targets).item();
      expect(fast).to.be.closeTo(full, 1e-4);
    });
  });

  it('mini preset: eval MLM loss falls, flat CUDA memory', async function () {
    requireCuda(this);
    const vocab = readFileSync(join(DATA, 'vocab.txt'), 'utf8').trim().split('\n').length;
    const trainSet = new BERTCSVDataset(join(DATA, 'train.csv'), { vocabSize: vocab });
    const testSet = new BERTCSVDataset(join(DATA, 'test.csv'), { vocabSize: vocab });
    torch.manualSeed(1);
    const model = new BERT(presetConfig('mini', vocab));
    const mem: number[] = [];
    const t0 = performance.now();
    const r = await train(
      model,
      { train: trainSet, test: testSet },
      { device: 'cuda', epochs: 4, batchSize: 64, lr: 5e-4, warmupSteps: 200, seed: 1 },
      {
        progress: false,
        events: [
          {
            epochStart: () => {
              torch.cuda.synchronize();
              mem.push(torch.cuda.memoryAllocated());
            },
          },
        ],
      },
    );
    const sec = (performance.now() - t0) / 1000;
    console.log(
      `      ${r.globalStep} steps in ${sec.toFixed(1)} s; evals: ${r.evals.map((e) => `mlm ${e.mlmLoss.toFixed(3)} nsp ${e.nspLoss.toFixed(3)} acc ${(100 * e.nspAccuracy).toFixed(1)}%`).join(' | ')}`,
    );
    console.log(`      CUDA memory allocated at epoch starts: ${mem.map((m) => `${(m / 2 ** 20).toFixed(1)} MiB`).join(', ')}`);
    const first = r.evals[0];
    const last = r.evals[r.evals.length - 1];
    expect(last.mlmLoss).to.be.below(first.mlmLoss);
    expect(r.skippedBatches).to.equal(0);
    // Allocations at the start of epochs 3 and 4 equal epoch 2's: nothing accumulates.
    expect(mem[3]).to.equal(mem[1]);
    expect(mem[2]).to.equal(mem[1]);
  });
});
