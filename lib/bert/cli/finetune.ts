/**
 * `npm run finetune -- [options]`: fine-tunes a Hugging Face BERT for
 * sequence classification on the Brown corpus's genres (passages of held-out
 * documents for evaluation, never seen in training), reports accuracy
 * against the majority-class baseline, and saves the model and tokenizer as
 * a transformers folder.
 *
 *   npm run finetune                                   # a random bert-tiny, 4 coarse genres, ~3 min on 2 cores
 *   npm run finetune -- --from-pretrained path/to/bert # a transformers folder (config.json, weights, tokenizer)
 *   npm run finetune -- --labels genre --size mini --epochs 5
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as torch from '../../torch/index.js';
import { parseArgs, usage, type OptionSpec } from './args.js';
import { BertTokenizer } from '../tokenizer.js';
import { BertForSequenceClassification, BertTokenizerFast, BERT_SIZES, bertConfig, type BertSize } from '../hf/index.js';
import { brownGenreDataset, passages, type GenreLabels } from '../hf/genre-data.js';
import { evaluateClassifier, finetuneClassifier } from '../hf/finetune.js';

export const SPECS: Record<string, OptionSpec> = {
  'from-pretrained': { kind: 'string', help: 'a transformers BERT folder (config.json, model.safetensors or pytorch_model.bin, tokenizer); default: a random model' },
  labels: { kind: 'string', help: "'coarse' (press/fiction/learned/general) or 'genre' (Brown's 15)", choices: ['coarse', 'genre'], default: 'coarse' },
  size: { kind: 'string', help: 'size of the random model (without --from-pretrained)', choices: Object.keys(BERT_SIZES), default: 'tiny' },
  'vocab-size': { kind: 'int', help: 'WordPiece vocabulary trained on the training documents (without --from-pretrained)', default: 8000 },
  'max-length': { kind: 'int', help: 'tokens per passage, [CLS] and [SEP] included', default: 128 },
  epochs: { kind: 'int', help: 'passes over the training passages', default: 2 },
  'batch-size': { kind: 'int', help: 'passages per step', default: 32 },
  lr: { kind: 'number', help: 'peak AdamW learning rate (default: 5e-4 for a random model, 5e-5 with --from-pretrained)' },
  'weight-decay': { kind: 'number', help: 'AdamW weight decay (not on biases and LayerNorm)', default: 0.01 },
  'warmup-ratio': { kind: 'number', help: 'share of the steps spent warming up the learning rate', default: 0.1 },
  'max-steps': { kind: 'int', help: 'stop after this many steps' },
  'max-train-passages': { kind: 'int', help: 'use only this many training passages, evenly spread (a quick run)' },
  'max-test-passages': { kind: 'int', help: 'evaluate on only this many held-out passages, evenly spread (a quick run)' },
  seed: { kind: 'int', help: 'random seed', default: 42 },
  out: { kind: 'string', help: 'output folder (transformers model + tokenizer, metrics.json)', default: 'runs/finetune-<labels>' },
  device: { kind: 'string', help: "'cpu', 'cuda' or 'cuda:N' (default: cuda when available)" },
  threads: { kind: 'int', help: 'libtorch intra-op threads (default: all cores)' },
};

export const USAGE = usage(
  'npm run finetune --',
  'Fine-tunes BERT (BertForSequenceClassification) on the Brown corpus genres and reports held-out accuracy against the majority class.',
  SPECS,
);

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let a;
  try {
    a = parseArgs(argv, SPECS);
  } catch (e) {
    console.error(`finetune: ${(e as Error).message}`);
    return 2;
  }
  if (a.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (a._.length > 0) {
    console.error(`finetune: unexpected argument '${a._[0]}' (see --help)`);
    return 2;
  }
  for (const k of ['vocab-size', 'max-length', 'epochs', 'batch-size', 'max-steps', 'max-train-passages', 'max-test-passages', 'threads']) {
    const v = a[k];
    if (v !== undefined && (v as number) < 1) {
      console.error(`finetune: --${k} must be at least 1; received ${String(v)}`);
      return 2;
    }
  }
  if (a.threads !== undefined) torch.setNumThreads(a.threads as number);
  const device = (a.device as string | undefined) ?? (torch.cuda.isAvailable() ? 'cuda' : 'cpu');
  try {
    torch.device(device);
  } catch (e) {
    console.error(`finetune: ${(e as Error).message}`);
    return 2;
  }
  if (device.startsWith('cuda') && !torch.cuda.isAvailable()) {
    console.error(`finetune: --device ${device} asked for, but CUDA is not available here`);
    return 2;
  }
  const seed = a.seed as number;
  const maxLength = a['max-length'] as number;
  const labelSet = a.labels as GenreLabels;
  const from = a['from-pretrained'] as string | undefined;
  const t0 = performance.now();
  torch.manualSeed(seed);

  const data = brownGenreDataset({ labels: labelSet });
  let tokenizer: BertTokenizerFast;
  let model: BertForSequenceClassification;
  if (from !== undefined) {
    try {
      tokenizer = BertTokenizerFast.fromPretrained(from);
      model = BertForSequenceClassification.fromPretrained(from, {
        config: { numLabels: data.labels.length, id2label: data.labels },
        ignoreMismatchedSizes: true,
        warn: false,
      });
    } catch (e) {
      console.error(`finetune: --from-pretrained ${from}: ${(e as Error).message}`);
      return 2;
    }
    const info = model.loadingInfo;
    const fresh = [...(info?.missingKeys ?? []), ...(info?.mismatchedKeys.map((m) => m.key) ?? [])];
    console.log(`finetune: loaded ${from}${fresh.length > 0 ? `; newly initialized: ${fresh.join(', ')}` : ''}`);
    if (maxLength > model.config.maxPositionEmbeddings) {
      console.error(`finetune: --max-length ${maxLength} exceeds the model's max_position_embeddings (${model.config.maxPositionEmbeddings})`);
      return 2;
    }
  } else {
    const sentences = data.train.flatMap((d) => d.sentences);
    const trained = BertTokenizer.train(sentences, { vocabSize: a['vocab-size'] as number });
    tokenizer = new BertTokenizerFast(trained.vocab, { doLowerCase: true, modelMaxLength: maxLength });
    const size = a.size as BertSize;
    model = new BertForSequenceClassification(
      bertConfig({ ...BERT_SIZES[size], vocabSize: tokenizer.vocabSize, maxPositionEmbeddings: Math.max(512, maxLength), id2label: data.labels }),
    );
    console.log(`finetune: a random bert-${size} (no pretrained weights) and a ${tokenizer.vocabSize}-token WordPiece vocabulary from the training documents`);
  }
  model.to(device);
  const lr = (a.lr as number | undefined) ?? (from !== undefined ? 5e-5 : 5e-4);
  // Passages are in document order: an even sample spreads over the documents.
  const sample = <T>(xs: T[], n: number | undefined): T[] =>
    n === undefined || n >= xs.length ? xs : Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);
  const train = sample(passages(data.train, tokenizer.tokenizer, maxLength), a['max-train-passages'] as number | undefined);
  const test = sample(passages(data.test, tokenizer.tokenizer, maxLength), a['max-test-passages'] as number | undefined);
  const counts = new Array<number>(data.labels.length).fill(0);
  for (const p of train) counts[p.label]++;
  const majority = counts.indexOf(Math.max(...counts));
  const nParams = model.parameters().reduce((n, p) => n + p.numel(), 0);
  console.log(
    `finetune: ${data.labels.length} labels (${data.labels.join(', ')}); ${train.length} training passages from ${data.train.length} documents, ` +
      `${test.length} held-out passages from ${data.test.length} documents; ${nParams.toLocaleString('en-US')} parameters, device ${device}, ${torch.getNumThreads()} threads, lr ${lr}`,
  );
  const result = finetuneClassifier(model, train, {
    epochs: a.epochs as number,
    batchSize: a['batch-size'] as number,
    lr,
    weightDecay: a['weight-decay'] as number,
    warmupRatio: a['warmup-ratio'] as number,
    maxSteps: a['max-steps'] as number | undefined,
    seed,
    padTokenId: tokenizer.padTokenId,
    log: (line) => console.log(`  ${line}`),
  });
  const ev = evaluateClassifier(model, test, { padTokenId: tokenizer.padTokenId, majorityLabel: majority });
  const seconds = (performance.now() - t0) / 1000;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(
    `held-out accuracy: passages ${pct(ev.accuracy)} (majority class '${data.labels[majority]}': ${pct(ev.baseline)}), ` +
      `documents ${pct(ev.docAccuracy)} (majority: ${pct(ev.docBaseline)}); ${result.steps} steps in ${result.seconds.toFixed(0)} s, ${seconds.toFixed(0)} s in all`,
  );
  const outDir = (a.out as string) === 'runs/finetune-<labels>' ? join('runs', `finetune-${labelSet}`) : (a.out as string);
  mkdirSync(outDir, { recursive: true });
  model.savePretrained(outDir);
  tokenizer.savePretrained(outDir);
  const metrics = {
    labels: data.labels,
    majority_label: data.labels[majority],
    accuracy: ev.accuracy,
    majority_baseline: ev.baseline,
    doc_accuracy: ev.docAccuracy,
    doc_majority_baseline: ev.docBaseline,
    train_passages: train.length,
    test_passages: ev.passages,
    test_documents: ev.documents,
    steps: result.steps,
    first_loss: result.losses[0],
    last_loss: result.losses[result.losses.length - 1],
    train_seconds: result.seconds,
    seconds,
    from_pretrained: from !== undefined ? resolve(from) : null,
    device,
    threads: torch.getNumThreads(),
  };
  writeFileSync(join(outDir, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
  console.log(`saved ${outDir} (config.json, model.safetensors, tokenizer files, metrics.json)`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`finetune: ${(e as Error).stack ?? String(e)}`);
      process.exit(1);
    },
  );
}
