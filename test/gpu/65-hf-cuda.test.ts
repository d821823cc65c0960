/**
 * Hugging Face BERT on CUDA (no reference Python needed): float32 outputs on
 * CUDA equal the CPU's; the course losses under bf16 autocast stay near
 * float32; training steps keep CUDA memory flat; a model on CUDA saves a
 * folder that loads back on the CPU with the same weights. Skips, saying
 * why, without CUDA.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../../lib/torch/index.js';
import type { BertBatch } from '../../lib/bert/batch.js';
import { BertForPreTraining, bertConfig, hfPretrainingLosses } from '../../lib/bert/hf/index.js';

function requireCuda(ctx: Mocha.Context): void {
  if (torch.cuda.isAvailable()) return;
  console.log(`      CUDA not available: torch.cuda.isAvailable() is false (libtorch ${torch.version}); skipping "${ctx.test?.title ?? ''}"`);
  ctx.skip();
}

const CONFIG = bertConfig({ vocabSize: 1000, hiddenSize: 128, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 512, maxPositionEmbeddings: 64 });

/** A course batch [S, B]: random words, padding at the end of half the rows, ~15% labelled. */
function courseBatch(s: number, b: number): BertBatch {
  return torch.tidy(() => {
    const x = torch.randint(5, CONFIG.vocabSize, [s, b]);
    x.indexPut_([`${s - 6}:`, `:${b / 2}`], 0);
    const seg = torch.where(x.eq(0), 0, 1);
    seg.indexPut_([`${s / 2}:`], seg.index([`${s / 2}:`]).mul(2));
    const labels = torch.where(torch.rand([s, b]).lt(0.15).logicalAnd(x.ne(0)), x, 0);
    return [x, labels, seg, torch.randint(0, 2, [b])] as BertBatch;
  });
}

describe('gpu 65: Hugging Face BERT on CUDA', function () {
  this.timeout(300_000);

  it('float32 outputs on CUDA equal the CPU outputs', function () {
    requireCuda(this);
    torch.manualSeed(1);
    const cpu = new BertForPreTraining(CONFIG).eval();
    const gpu = cpu.deepCopy().to('cuda');
    const batch = courseBatch(32, 8);
    torch.noGrad(() => {
      const a = hfPretrainingLosses(cpu, batch, { exactCourse: true }).loss.item();
      const b = hfPretrainingLosses(gpu, batch, { exactCourse: true, mixedPrecision: false }).loss.item();
      expect(Math.abs(a - b)).to.be.below(1e-4);
    });
  });

  it('bf16 autocast: the course losses stay near float32, and training steps keep CUDA memory flat', function () {
    requireCuda(this);
    torch.manualSeed(2);
    const model = new BertForPreTraining(CONFIG).to('cuda');
    const batch = courseBatch(48, 16);
    torch.noGrad(() => {
      const f32 = hfPretrainingLosses(model, batch, { mixedPrecision: false }).loss.item();
      const bf16 = hfPretrainingLosses(model, batch).loss.item();
      expect(Math.abs(bf16 - f32) / f32).to.be.below(0.05);
    });
    model.train();
    const params = model.parameters();
    const opt = new torch.optim.AdamW(params, { lr: 1e-3 });
    const losses: number[] = [];
    const step = () =>
      torch.tidy(() => {
        opt.zeroGrad();
        const { loss } = hfPretrainingLosses(model, batch);
        loss.backward();
        torch.nn.utils.clipGradNorm_(params, 1.0);
        opt.step();
        losses.push(loss.item());
      });
    for (let i = 0; i < 3; i++) step();
    torch.cuda.synchronize();
    const held = torch.cuda.memoryAllocated();
    for (let i = 0; i < 30; i++) step();
    torch.cuda.synchronize();
    expect(torch.cuda.memoryAllocated()).to.equal(held);
    expect(losses[losses.length - 1]).to.be.below(losses[0]);
  });

  it('a model on CUDA saves a transformers folder that loads back on the CPU', function () {
    requireCuda(this);
    const dir = mkdtempSync(join(tmpdir(), 'hf-cuda-'));
    try {
      torch.manualSeed(3);
      const model = new BertForPreTraining(CONFIG).to('cuda');
      model.savePretrained(dir);
      const back = BertForPreTraining.fromPretrained(dir);
      const a = model.stateDict();
      const b = back.stateDict();
      for (const k of Object.keys(a)) expect(torch.equal(a[k].cpu(), b[k]), k).to.equal(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
