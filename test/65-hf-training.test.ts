/**
 * Training a Hugging Face BertForPreTraining here and in transformers: 20
 * AdamW steps on the same batches (dropout 0) give the same losses and the
 * same final logits; the course's batches turn into transformers' inputs and
 * the course losses (masked-positions-only MLM head or full logits) equal
 * transformers' loss; training checkpoints in the project's format load back;
 * steps keep the live-tensor count flat; bf16 autocast runs on CUDA (skipped,
 * saying so, without a GPU).
 */
import { expect } from 'chai';
import { join } from 'node:path';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import type { BertBatch } from '../lib/bert/batch.js';
import { loadBrownCorpus } from '../lib/bert/corpus.js';
import { prepareData } from '../lib/bert/prepare.js';
import { collateBatchRaw, wrapCollatedBatch, PAD_IDX } from '../lib/bert/collate.js';
import { BertTokenizer } from '../lib/bert/tokenizer/index.js';
import {
  BertForPreTraining,
  courseBatchToHf,
  hfPretrainingLosses,
  hfTrainingCheckpoint,
  loadHfTrainingCheckpoint,
  bertConfig,
  BertTokenizerFast,
} from '../lib/bert/hf/index.js';
import { hfReference, requireTransformers, tempDir, prng, randomBatch, maxAbsDiff, SMALL_CONFIG, type ListBatch } from './helpers/hf.js';

const long = (x: number[][] | number[]) => torch.tensor(x, { dtype: 'int64' });
const STEPS = 20;
const LR = 1e-3;
const WEIGHT_DECAY = 0.01;

/** A course batch (sequence-first; segments 0 pad / 1 A / 2 B; labels 0 = unmasked; isNext 1 = B follows A) from a list batch. */
function courseBatch(b: ListBatch): BertBatch {
  const t = (rows: number[][]) => long(rows).t().contiguous();
  const seg = b.attention_mask.map((row, i) => row.map((m, j) => (m === 0 ? 0 : b.token_type_ids[i][j] + 1)));
  const labels = b.labels.map((row) => row.map((l) => (l === -100 ? 0 : l)));
  return [t(b.input_ids), t(labels), t(seg), long(b.next_sentence_label.map((l) => 1 - l))];
}

function lists(t: Tensor): number[][] {
  return t.tolist() as number[][];
}

describe('65 Hugging Face BERT training (transformers parity)', function () {
  this.timeout(180_000);
  const tmp = tempDir('hf-train-');
  const dir = join(tmp.dir, 'model');
  const config = { ...SMALL_CONFIG, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 };
  const rand = prng(20);
  const batches = Array.from({ length: STEPS }, () => randomBatch(rand, 4, 16, SMALL_CONFIG.vocab_size));
  const evalBatch = randomBatch(rand, 3, 12, SMALL_CONFIG.vocab_size);

  before(function () {
    requireTransformers(this);
    hfReference({ op: 'build', models: [{ name: 'p', cls: 'BertForPreTraining', config, dir, seed: 11 }], inputs: { ...evalBatch, labels: {} } });
  });
  after(() => tmp.remove());

  it(`${STEPS} AdamW steps (lr ${LR}, weight decay ${WEIGHT_DECAY}, dropout 0) give transformers' losses within 1e-5, and the same final logits`, () => {
    const py = hfReference<{ losses: number[]; prediction_logits: number[]; seq_relationship_logits: number[] }>({
      op: 'train',
      dir,
      lr: LR,
      weight_decay: WEIGHT_DECAY,
      batches,
      inputs: { ...evalBatch, labels: {} },
    });
    const model = BertForPreTraining.fromPretrained(dir);
    model.train();
    const opt = new torch.optim.AdamW(model.parameters(), { lr: LR, weightDecay: WEIGHT_DECAY });
    const losses: number[] = [];
    for (const b of batches) {
      losses.push(
        torch.tidy(() => {
          opt.zeroGrad();
          const out = model.forward(long(b.input_ids), {
            attentionMask: long(b.attention_mask),
            tokenTypeIds: long(b.token_type_ids),
            labels: long(b.labels),
            nextSentenceLabel: long(b.next_sentence_label),
          });
          const loss = out.loss as Tensor;
          loss.backward();
          opt.step();
          return loss.item();
        }),
      );
    }
    const diff = maxAbsDiff(losses, py.losses);
    console.log(`    losses ${losses[0].toFixed(4)} -> ${losses[STEPS - 1].toFixed(4)}; max |loss difference| over ${STEPS} steps: ${diff.toExponential(2)}`);
    expect(diff).to.be.below(1e-5);
    expect(losses[STEPS - 1]).to.be.below(losses[0]);
    model.eval();
    torch.noGrad(() =>
      torch.tidy(() => {
        const out = model.forward(long(evalBatch.input_ids), { attentionMask: long(evalBatch.attention_mask), tokenTypeIds: long(evalBatch.token_type_ids) });
        expect(maxAbsDiff(out.predictionLogits.dataSync(), py.prediction_logits)).to.be.below(1e-5);
        expect(maxAbsDiff(out.seqRelationshipLogits.dataSync(), py.seq_relationship_logits)).to.be.below(1e-5);
      }),
    );
  });

  it("a course batch becomes transformers' inputs (mask from segments, types = segment B, labels -100 where [PAD], NSP label 1 - isNext)", () => {
    const course: BertBatch = [
      long([
        [2, 2],
        [7, 9],
        [3, 3],
        [8, 3],
        [3, 0],
      ]),
      long([
        [0, 0],
        [11, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ]),
      long([
        [1, 1],
        [1, 1],
        [1, 1],
        [2, 2],
        [2, 0],
      ]),
      long([1, 0]),
    ];
    const hf = courseBatchToHf(course);
    expect(lists(hf.inputIds)).to.deep.equal([
      [2, 7, 3, 8, 3],
      [2, 9, 3, 3, 0],
    ]);
    expect(lists(hf.attentionMask)).to.deep.equal([
      [1, 1, 1, 1, 1],
      [1, 1, 1, 1, 0],
    ]);
    expect(lists(hf.tokenTypeIds)).to.deep.equal([
      [0, 0, 0, 1, 1],
      [0, 0, 0, 1, 0],
    ]);
    expect(lists(hf.labels)).to.deep.equal([
      [-100, 11, -100, -100, -100],
      [-100, -100, -100, -100, -100],
    ]);
    expect(hf.nextSentenceLabel.tolist()).to.deep.equal([0, 1]);
    expect(() => courseBatchToHf([course[0], course[1], course[2]] as never)).to.throw(
      RangeError,
      'Expected a course batch [bertInputs, bertLabels, segmentLabels, isNexts] for batch but received an array of length 3',
    );
    expect(() => courseBatchToHf([course[0], course[1], course[2], long([1, 0, 1])])).to.throw(
      RangeError,
      'Expected shapes [S, B], [S, B], [S, B], [B] for batch but received [5, 2], [5, 2], [5, 2], [3]',
    );
  });

  it("the course losses of a course batch (masked-positions-only MLM head, and the full logits) equal transformers' loss", () => {
    const model = BertForPreTraining.fromPretrained(dir);
    const b = batches[0];
    const course = courseBatch(b);
    const hf = courseBatchToHf(course);
    expect(lists(hf.inputIds)).to.deep.equal(b.input_ids);
    expect(lists(hf.labels)).to.deep.equal(b.labels);
    const py = hfReference<{ loss: number }>({
      op: 'losses',
      dir,
      batch: {
        input_ids: lists(hf.inputIds),
        attention_mask: lists(hf.attentionMask),
        token_type_ids: lists(hf.tokenTypeIds),
        labels: lists(hf.labels),
        next_sentence_label: hf.nextSentenceLabel.tolist(),
      },
    });
    torch.noGrad(() => {
      const fast = hfPretrainingLosses(model, course);
      const exact = hfPretrainingLosses(model, course, { exactCourse: true });
      expect(Math.abs(fast.loss.item() - py.loss)).to.be.below(1e-5);
      expect(Math.abs(exact.loss.item() - py.loss)).to.be.below(1e-5);
      expect(Math.abs(fast.mlmLoss.item() + fast.nspLoss.item() - fast.loss.item())).to.be.below(1e-6);
      // On CPU, mixed precision is off whatever is asked: the same float32 numbers.
      expect(hfPretrainingLosses(model, course, { mixedPrecision: true }).loss.item()).to.equal(fast.loss.item());
    });
    expect(() => hfPretrainingLosses(model, course, { amp: true } as never)).to.throw(
      TypeError,
      "Unknown option 'amp' for hfPretrainingLosses; expected one of: exactCourse, mixedPrecision",
    );
  });

  it('forwardMasked gives the loss of forward, with logits only at the labelled positions', () => {
    const model = BertForPreTraining.fromPretrained(dir);
    const b = batches[1];
    const inputs = {
      attentionMask: long(b.attention_mask),
      tokenTypeIds: long(b.token_type_ids),
      labels: long(b.labels),
      nextSentenceLabel: long(b.next_sentence_label),
    };
    torch.noGrad(() => {
      const full = model.forward(long(b.input_ids), inputs);
      const masked = model.forwardMasked(long(b.input_ids), inputs);
      const n = b.labels.flat().filter((l) => l !== -100).length;
      expect(masked.predictionLogits.shape).to.deep.equal([n, SMALL_CONFIG.vocab_size]);
      expect(masked.maskedLabels.tolist()).to.deep.equal(b.labels.flat().filter((l) => l !== -100));
      expect(Math.abs(masked.loss.item() - (full.loss as Tensor).item())).to.be.below(1e-6);
    });
  });

  it("training checkpoints in the project's format (torch.save) hold the model and its config and load back", () => {
    const model = BertForPreTraining.fromPretrained(dir);
    const path = join(tmp.dir, 'ck.pt');
    const ck = hfTrainingCheckpoint(model);
    torch.save({ ...ck, step: 7 }, path);
    torch.dispose(ck.model);
    const { model: back, checkpoint } = loadHfTrainingCheckpoint(path);
    expect(checkpoint.step).to.equal(7);
    expect(back.config.hiddenSize).to.equal(SMALL_CONFIG.hidden_size);
    expect(back.cls.predictions.decoder.weight).to.equal(back.bert.embeddings.word_embeddings.weight);
    const a = model.stateDict();
    const c = back.stateDict();
    for (const k of Object.keys(a)) expect(torch.equal(a[k], c[k]), k).to.equal(true);
    torch.save({ model: {} }, join(tmp.dir, 'other.pt'));
    expect(() => loadHfTrainingCheckpoint(join(tmp.dir, 'other.pt'))).to.throw(
      `${join(tmp.dir, 'other.pt')} is not a Hugging Face BERT training checkpoint (no format 'hf-bert' with model and config)`,
    );
  });

  it('training steps keep the live-tensor count flat', () => {
    const model = BertForPreTraining.fromPretrained(dir);
    model.train();
    const opt = new torch.optim.AdamW(model.parameters());
    const course = courseBatch(batches[2]);
    const step = () =>
      torch.tidy(() => {
        opt.zeroGrad();
        const { loss } = hfPretrainingLosses(model, course);
        loss.backward();
        torch.nn.utils.clipGradNorm_(model.parameters(), 1.0);
        opt.step();
      });
    step();
    step();
    const live = torch.memory().numTensors;
    for (let i = 0; i < 10; i++) step();
    expect(torch.memory().numTensors).to.equal(live);
  });
});

describe('65 Hugging Face BERT continued pretraining on course data (the pieces --from-pretrained wires)', function () {
  this.timeout(120_000);
  const tmp = tempDir('hf-course-');
  after(() => tmp.remove());

  it("course data prepared with a transformers folder's tokenizer trains its BertForPreTraining, and both formats of checkpoint hold the result", () => {
    const corpus = loadBrownCorpus({ maxDocuments: 30 });
    const dir = join(tmp.dir, 'start');
    const tok = new BertTokenizerFast(BertTokenizer.train(corpus.flat(), { vocabSize: 1000 }).vocab);
    tok.savePretrained(dir);
    torch.manualSeed(4);
    new BertForPreTraining(
      bertConfig({ vocabSize: tok.vocabSize, hiddenSize: 64, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 128, maxPositionEmbeddings: 64 }),
    ).savePretrained(dir);
    // What `npm run pretrain -- --from-pretrained DIR` does: the folder's tokenizer prepares the data ...
    const tokenizer = BertTokenizerFast.fromPretrained(dir);
    expect(tokenizer.padTokenId).to.equal(PAD_IDX);
    const data = prepareData(corpus, { tokenizer: tokenizer.tokenizer, maxLen: 48, seed: 1 });
    const model = BertForPreTraining.fromPretrained(dir);
    model.train();
    const opt = new torch.optim.AdamW(model.parameters(), { lr: 1e-3 });
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      const items = Array.from({ length: 16 }, (_, i) => data.train[(step * 16 + i) % data.train.length]);
      const batch = wrapCollatedBatch(collateBatchRaw(items));
      losses.push(
        torch.tidy(() => {
          opt.zeroGrad();
          const { loss } = hfPretrainingLosses(model, batch);
          loss.backward();
          torch.nn.utils.clipGradNorm_(model.parameters(), 1.0);
          opt.step();
          return loss.item();
        }),
      );
      torch.dispose(batch);
    }
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    expect(mean(losses.slice(-5))).to.be.below(mean(losses.slice(0, 5)));
    // ... and checkpoints go to both formats.
    const ck = join(tmp.dir, 'epoch-1.pt');
    const fields = hfTrainingCheckpoint(model);
    torch.save({ ...fields, optimizer: opt.stateDict(), epoch: 1 }, ck);
    torch.dispose(fields.model);
    model.savePretrained(join(tmp.dir, 'hf-epoch-1'));
    tokenizer.savePretrained(join(tmp.dir, 'hf-epoch-1'));
    const fromPt = loadHfTrainingCheckpoint(ck).model;
    const fromHf = BertForPreTraining.fromPretrained(join(tmp.dir, 'hf-epoch-1'));
    const a = model.stateDict();
    for (const m of [fromPt, fromHf]) {
      const b = m.stateDict();
      for (const k of Object.keys(a)) expect(torch.equal(a[k], b[k]), k).to.equal(true);
    }
    expect(BertTokenizerFast.fromPretrained(join(tmp.dir, 'hf-epoch-1')).tokenizer.vocab).to.deep.equal(tokenizer.tokenizer.vocab);
  });
});

describe('65 Hugging Face BERT training on CUDA (bf16 autocast)', function () {
  this.timeout(120_000);

  it('the course losses run in bfloat16 under autocast and stay near float32; a training step runs', function () {
    if (!torch.cuda.isAvailable()) {
      console.log('    (skipped: no CUDA device here; the bf16 autocast path runs only on CUDA)');
      this.skip();
    }
    torch.manualSeed(5);
    const model = new BertForPreTraining(
      bertConfig({ vocabSize: 120, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 37, maxPositionEmbeddings: 40 }),
    );
    model.to('cuda');
    model.eval();
    const b = randomBatch(prng(7), 4, 16, 120);
    const course = courseBatch(b);
    torch.noGrad(() => {
      const f32 = hfPretrainingLosses(model, course, { mixedPrecision: false }).loss.item();
      const bf16 = hfPretrainingLosses(model, course).loss.item();
      expect(bf16).to.not.equal(f32);
      expect(Math.abs(bf16 - f32) / f32).to.be.below(0.05);
      const logits = torch.autocast('cuda', () => model.forward(long(b.input_ids).to('cuda')).predictionLogits);
      expect(logits.dtype).to.equal('bfloat16');
    });
    model.train();
    const opt = new torch.optim.AdamW(model.parameters());
    torch.tidy(() => {
      const { loss } = hfPretrainingLosses(model, course);
      loss.backward();
      opt.step();
      expect(Number.isFinite(loss.item())).to.equal(true);
    });
  });
});
