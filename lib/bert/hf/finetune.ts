/**
 * Fine-tuning a BertForSequenceClassification on labelled passages, as
 * transformers' Trainer does by default: AdamW (weight decay on all but
 * biases and LayerNorm weights), linear warmup then linear decay, gradient
 * clipping at 1.0, bf16 autocast on CUDA; and evaluation: accuracy per
 * passage, per document (mean of the passages' probabilities), and the
 * majority-class baseline on the same data.
 */
import { checkOptions } from '../../torch/utils/index.js';
import * as torch from '../../torch/index.js';
import type { Tensor } from '../../torch/index.js';
import type { BertForSequenceClassification } from './models.js';
import type { Passage } from './genre-data.js';

/** Options of {@link finetuneClassifier}. */
export interface FinetuneOptions {
  /** Default 3. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Peak learning rate. Default 5e-5 (transformers' Trainer). */
  lr?: number;
  /** AdamW weight decay on weights (not biases or LayerNorm). Default 0.01. */
  weightDecay?: number;
  /** Fraction of the steps spent warming up. Default 0.1. */
  warmupRatio?: number;
  /** Gradient norm clip. Default 1.0. */
  maxGradNorm?: number;
  /** Stop after this many steps (default: all epochs). */
  maxSteps?: number;
  /** Seed of the shuffling, dropout and any initialization. Default 42. */
  seed?: number;
  /** The padding id of the tokenizer. Default 0. */
  padTokenId?: number;
  /** bf16 autocast on CUDA. Default true on CUDA; ignored on CPU. */
  mixedPrecision?: boolean;
  /** Called with a progress line now and then. Default: none. */
  log?: (line: string) => void;
}

/** What {@link finetuneClassifier} did. */
export interface FinetuneResult {
  steps: number;
  /** Loss of every step. */
  losses: number[];
  seconds: number;
}

/** Accuracy on held-out passages and documents, with the majority-class baseline. */
export interface ClassifierEval {
  /** Share of passages classified right. */
  accuracy: number;
  /** Share of passages of the majority class given to evaluateClassifier. */
  baseline: number;
  /** Share of documents classified right (mean of their passages' probabilities). */
  docAccuracy: number;
  /** Share of documents of the majority class. */
  docBaseline: number;
  passages: number;
  documents: number;
  /** Predicted label of every passage. */
  predictions: number[];
}

/** mulberry32: the shuffling's own seeded generator (independent of libtorch's). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pads passages into inputIds/attentionMask [B, S] and labels [B] (int64, CPU). */
export function passageBatch(items: readonly Passage[], padTokenId = 0): { inputIds: Tensor; attentionMask: Tensor; labels: Tensor } {
  const b = items.length;
  const s = Math.max(...items.map((p) => p.ids.length));
  const ids = new BigInt64Array(b * s).fill(BigInt(padTokenId));
  const mask = new BigInt64Array(b * s);
  items.forEach((p, i) => {
    p.ids.forEach((id, j) => {
      ids[i * s + j] = BigInt(id);
      mask[i * s + j] = 1n;
    });
  });
  return {
    inputIds: torch.fromTypedArray(ids, [b, s]),
    attentionMask: torch.fromTypedArray(mask, [b, s]),
    labels: torch.fromTypedArray(
      BigInt64Array.from(items, (p) => BigInt(p.label)),
      [b],
    ),
  };
}

function modelDevice(model: BertForSequenceClassification): torch.Device {
  return model.classifier.weight.device;
}

/**
 * Trains `model` on `train` passages (shuffled each epoch) and returns the step losses.
 * @throws TypeError for an unknown option; RangeError for an empty training set or a bad option value.
 */
export function finetuneClassifier(model: BertForSequenceClassification, train: readonly Passage[], opts: FinetuneOptions = {}): FinetuneResult {
  checkOptions(
    opts,
    ['epochs', 'batchSize', 'lr', 'weightDecay', 'warmupRatio', 'maxGradNorm', 'maxSteps', 'seed', 'padTokenId', 'mixedPrecision', 'log'],
    'finetuneClassifier',
  );
  if (train.length === 0) throw new RangeError('Expected at least one training passage for train but received none');
  const epochs = opts.epochs ?? 3;
  const batchSize = opts.batchSize ?? 32;
  for (const [name, v] of [
    ['epochs', epochs],
    ['batchSize', batchSize],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`Expected a positive integer for ${name} but received ${String(v)}`);
  }
  const warmupRatio = opts.warmupRatio ?? 0.1;
  if (!(warmupRatio >= 0 && warmupRatio <= 1)) throw new RangeError(`Expected a number in [0, 1] for warmupRatio but received ${String(warmupRatio)}`);
  const seed = opts.seed ?? 42;
  const device = modelDevice(model);
  const amp = (opts.mixedPrecision ?? true) && device.type === 'cuda';
  const perEpoch = Math.ceil(train.length / batchSize);
  const total = Math.min(opts.maxSteps ?? Infinity, perEpoch * epochs);
  const decay: torch.nn.Parameter[] = [];
  const noDecay: torch.nn.Parameter[] = [];
  for (const [name, p] of model.namedParameters()) (name.endsWith('bias') || name.includes('LayerNorm') ? noDecay : decay).push(p);
  const optimizer = new torch.optim.AdamW(
    [
      { params: decay, weightDecay: opts.weightDecay ?? 0.01 },
      { params: noDecay, weightDecay: 0 },
    ],
    { lr: opts.lr ?? 5e-5 },
  );
  const scheduler = torch.optim.getLinearScheduleWithWarmup(optimizer, Math.round(warmupRatio * total), total);
  const params = model.parameters();
  const rand = prng(seed);
  const losses: number[] = [];
  const t0 = performance.now();
  torch.manualSeed(seed);
  model.train();
  for (let epoch = 0; epoch < epochs && losses.length < total; epoch++) {
    const order = train.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let start = 0; start < order.length && losses.length < total; start += batchSize) {
      const items = order.slice(start, start + batchSize).map((i) => train[i]);
      const loss = torch.tidy(() => {
        const b = passageBatch(items, opts.padTokenId ?? 0);
        optimizer.zeroGrad();
        const forward = () => model.forward(b.inputIds.to(device), { attentionMask: b.attentionMask.to(device) }).logits.float();
        const logits = amp ? torch.autocast('cuda', forward) : forward();
        const l = torch.nn.functional.crossEntropy(logits, b.labels.to(device));
        l.backward();
        torch.nn.utils.clipGradNorm_(params, opts.maxGradNorm ?? 1.0);
        optimizer.step();
        return l.item();
      });
      scheduler.step();
      losses.push(loss);
      const n = losses.length;
      if (opts.log !== undefined && (n % 25 === 0 || n === total)) {
        const recent = losses.slice(-25);
        const sec = (performance.now() - t0) / 1000;
        opts.log(
          `step ${n}/${total} (epoch ${epoch + 1}) loss ${(recent.reduce((a, x) => a + x, 0) / recent.length).toFixed(4)}, ${(n / sec).toFixed(2)} steps/s`,
        );
      }
    }
  }
  model.eval();
  return { steps: losses.length, losses, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Accuracy of `model` on `passages` (eval mode, no gradients), per passage
 * and per document, against the majority-class baseline of `majorityLabel`
 * (default: the most frequent label among the passages).
 * @throws RangeError for no passages.
 */
export function evaluateClassifier(
  model: BertForSequenceClassification,
  items: readonly Passage[],
  opts: { batchSize?: number; padTokenId?: number; majorityLabel?: number; mixedPrecision?: boolean } = {},
): ClassifierEval {
  checkOptions(opts, ['batchSize', 'padTokenId', 'majorityLabel', 'mixedPrecision'], 'evaluateClassifier');
  if (items.length === 0) throw new RangeError('Expected at least one passage for items but received none');
  const device = modelDevice(model);
  const amp = (opts.mixedPrecision ?? true) && device.type === 'cuda';
  const batchSize = opts.batchSize ?? 64;
  const k = model.numLabels;
  const predictions: number[] = [];
  const docProbs = new Map<number, { label: number; sum: number[] }>();
  const wasTraining = model.training;
  model.eval();
  torch.noGrad(() => {
    for (let start = 0; start < items.length; start += batchSize) {
      const chunk = items.slice(start, start + batchSize);
      const probs = torch.tidy(() => {
        const b = passageBatch(chunk, opts.padTokenId ?? 0);
        const forward = () => model.forward(b.inputIds.to(device), { attentionMask: b.attentionMask.to(device) }).logits.float();
        return (amp ? torch.autocast('cuda', forward) : forward()).softmax(-1).cpu().dataSync();
      });
      chunk.forEach((p, i) => {
        const row = probs.slice(i * k, (i + 1) * k);
        predictions.push(row.indexOf(Math.max(...row)));
        const d = docProbs.get(p.doc) ?? { label: p.label, sum: new Array<number>(k).fill(0) };
        row.forEach((v, j) => (d.sum[j] += v));
        docProbs.set(p.doc, d);
      });
    }
  });
  model.train(wasTraining);
  const counts = new Array<number>(k).fill(0);
  for (const p of items) counts[p.label]++;
  const majority = opts.majorityLabel ?? counts.indexOf(Math.max(...counts));
  const docs = [...docProbs.values()];
  const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
  return {
    accuracy: items.filter((p, i) => predictions[i] === p.label).length / items.length,
    baseline: items.filter((p) => p.label === majority).length / items.length,
    docAccuracy: docs.filter((d) => argmax(d.sum) === d.label).length / docs.length,
    docBaseline: docs.filter((d) => d.label === majority).length / docs.length,
    passages: items.length,
    documents: docs.length,
    predictions,
  };
}
