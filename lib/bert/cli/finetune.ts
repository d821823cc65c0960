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
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as torch from '../../torch/index.js';
import { type CommandLine, parseCommandLine, usage } from '../config/command-line.js';
import { FINETUNE_SCHEMA, type FinetuneConfig } from '../config/finetune.js';
import { BertTokenizer } from '../tokenizer/index.js';
import { BertForSequenceClassification, BertTokenizerFast, BERT_SIZES, bertConfig, type BertSize } from '../hf/index.js';
import { brownGenreDataset, passages, type GenreLabels } from '../hf/genre-data.js';
import { evaluateClassifier, finetuneClassifier } from '../hf/finetune.js';

export const USAGE = usage(
  'npm run finetune --',
  'Fine-tunes BERT (BertForSequenceClassification) on the Brown corpus genres and reports held-out accuracy against the majority class.',
  FINETUNE_SCHEMA,
);

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let cl: CommandLine<FinetuneConfig>;
  try {
    cl = parseCommandLine(argv, FINETUNE_SCHEMA);
  } catch (e) {
    console.error(`finetune: ${(e as Error).message}`);
    return 2;
  }
  if (cl.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const a = cl.config;
  if (a.threads !== undefined) torch.setNumThreads(a.threads);
  const device = a.device ?? (torch.cuda.isAvailable() ? 'cuda' : 'cpu');
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
  const seed = a.seed;
  const maxLength = a.maxLength;
  const labelSet: GenreLabels = a.labels;
  const from = a.fromPretrained;
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
    const trained = BertTokenizer.train(sentences, { vocabSize: a.vocabSize });
    tokenizer = new BertTokenizerFast(trained.vocab, { doLowerCase: true, modelMaxLength: maxLength });
    const size: BertSize = a.size;
    model = new BertForSequenceClassification(
      bertConfig({ ...BERT_SIZES[size], vocabSize: tokenizer.vocabSize, maxPositionEmbeddings: Math.max(512, maxLength), id2label: data.labels }),
    );
    console.log(`finetune: a random bert-${size} (no pretrained weights) and a ${tokenizer.vocabSize}-token WordPiece vocabulary from the training documents`);
  }
  model.to(device);
  const lr = a.lr ?? (from !== undefined ? 5e-5 : 5e-4);
  // Passages are in document order: an even sample spreads over the documents.
  const sample = <T>(xs: T[], n: number | undefined): T[] =>
    n === undefined || n >= xs.length ? xs : Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);
  const train = sample(passages(data.train, tokenizer.tokenizer, maxLength), a.maxTrainPassages);
  const test = sample(passages(data.test, tokenizer.tokenizer, maxLength), a.maxTestPassages);
  const counts = new Array<number>(data.labels.length).fill(0);
  for (const p of train) counts[p.label]++;
  const majority = counts.indexOf(Math.max(...counts));
  const nParams = model.parameters().reduce((n, p) => n + p.numel(), 0);
  console.log(
    `finetune: ${data.labels.length} labels (${data.labels.join(', ')}); ${train.length} training passages from ${data.train.length} documents, ` +
      `${test.length} held-out passages from ${data.test.length} documents; ${nParams.toLocaleString('en-US')} parameters, device ${device}, ${torch.getNumThreads()} threads, lr ${lr}`,
  );
  const result = finetuneClassifier(model, train, {
    epochs: a.epochs,
    batchSize: a.batchSize,
    lr,
    weightDecay: a.weightDecay,
    warmupRatio: a.warmupRatio,
    maxSteps: a.maxSteps,
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
  const outDir = a.out === 'runs/finetune-<labels>' ? join('runs', `finetune-${labelSet}`) : a.out;
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
  torch.writeFileAtomic(join(outDir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
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
