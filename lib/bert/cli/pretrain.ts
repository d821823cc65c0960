/**
 * `npm run pretrain -- [options]`: the course, end to end. Prepares the Brown
 * corpus (cached under data/), trains the course's BERT (CUDA when present),
 * evaluates and checkpoints each epoch under runs/<name>/, and ends with NSP
 * and MLM predictions on a few sentences.
 *
 *   npm run pretrain
 *   npm run pretrain -- --preset mini --epochs 3 --batch-size 64
 *   npm run pretrain -- --train-csv train.csv --test-csv test.csv --vocab vocab.txt
 *   npm run pretrain -- --resume runs/course/epoch-2.pt --epochs 4
 */
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as torch from '../../torch/index.js';
import { parseArgs, usage, type OptionSpec } from './args.js';
import { BERT, PRESETS, presetConfig } from '../model.js';
import { train } from '../train.js';
import { predictMlm, predictNsp } from '../predict.js';
import { BertTokenizer } from '../tokenizer.js';
import { loadCorpus } from '../corpus.js';
import { prepareData, writePreparedData } from '../prepare.js';
import { BERTCSVDataset, type BertSample } from '../dataset.js';
import { collateBatch } from '../collate.js';
import type { BertBatch } from '../batch.js';

export const SPECS: Record<string, OptionSpec> = {
  preset: { kind: 'string', help: 'model size', choices: Object.keys(PRESETS), default: 'course' },
  epochs: { kind: 'int', help: 'training epochs', default: 1 },
  'batch-size': { kind: 'int', help: 'examples per batch', default: 32 },
  lr: { kind: 'number', help: 'Adam learning rate (the course: 1e-4)', default: 1e-3 },
  'weight-decay': { kind: 'number', help: "Adam's L2 weight decay", default: 0.01 },
  'warmup-steps': { kind: 'int', help: 'linear warmup steps, then linear decay (0: constant lr)', default: 0 },
  'max-len': { kind: 'int', help: 'longest sequence when preparing the corpus', default: 64 },
  'vocab-size': { kind: 'int', help: 'WordPiece vocabulary size when preparing the corpus', default: 30522 },
  corpus: { kind: 'string', help: "'brown' or a text file/folder (one sentence per line, blank line between documents)", default: 'brown' },
  'train-csv': { kind: 'string', help: 'course-format training CSV (skips corpus preparation; needs --test-csv and --vocab)' },
  'test-csv': { kind: 'string', help: 'course-format test CSV' },
  vocab: { kind: 'string', help: 'vocab.txt of the CSVs' },
  out: { kind: 'string', help: 'run folder (checkpoints, metrics.jsonl, loss.png)', default: 'runs/<preset>' },
  data: { kind: 'string', help: 'cache folder for prepared corpora', default: 'data' },
  resume: { kind: 'string', help: 'continue from a checkpoint' },
  seed: { kind: 'int', help: 'random seed', default: 42 },
  device: { kind: 'string', help: "'cpu', 'cuda' or 'cuda:N' (default: cuda when available)" },
  'max-steps': { kind: 'int', help: 'stop after this many steps' },
  'exact-course': { kind: 'flag', help: "the course's exact path: full-vocabulary MLM logits, no mixed precision", default: false },
  'num-workers': { kind: 'int', help: 'DataLoader worker threads', default: 0 },
  threads: { kind: 'int', help: 'libtorch intra-op threads (default: all cores)' },
};

export const USAGE = usage('npm run pretrain --', 'Pretrains the course BERT (MLM + NSP) and prints example predictions.', SPECS);

const EXAMPLES_NSP: [string, string][] = [
  ['The jury said the election was conducted well.', 'It recommended that the city improve its voting laws.'],
  ['The jury said the election was conducted well.', 'She poured the tea and sat down by the window.'],
];
const EXAMPLES_MLM = ['The jury said the [MASK] was conducted well.', 'He went to the [MASK] to buy some bread.', 'It was the first [MASK] of the year.'];

/** Prepares (or reuses) the cached corpus CSVs. */
function prepared(dir: string, corpus: string, maxLen: number, vocabSize: number, seed: number): { train: string; test: string; vocab: string } {
  const key = `${corpus === 'brown' ? 'brown' : 'text-' + corpus.replace(/[^A-Za-z0-9]+/g, '_').slice(-40)}-len${maxLen}-v${vocabSize}-seed${seed}`;
  const out = join(dir, key);
  const files = { train: join(out, 'train.csv'), test: join(out, 'test.csv'), vocab: join(out, 'vocab.txt') };
  if (existsSync(join(out, 'READY'))) {
    console.log(`data: using cached ${out}`);
    return files;
  }
  console.log(`data: preparing ${corpus} into ${out} ...`);
  const data = prepareData(loadCorpus(corpus), { maxLen, vocabSize, seed });
  mkdirSync(out, { recursive: true });
  writePreparedData(out, data);
  writeFileSync(join(out, 'READY'), JSON.stringify(data.stats) + '\n');
  console.log(`data: ${data.train.length} training pairs, ${data.test.length} test pairs, vocabulary ${data.stats.vocabSize}`);
  return files;
}

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let a;
  try {
    a = parseArgs(argv, SPECS);
  } catch (e) {
    console.error(`pretrain: ${(e as Error).message}`);
    return 2;
  }
  if (a.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (a._.length > 0) {
    console.error(`pretrain: unexpected argument '${a._[0]}' (see --help)`);
    return 2;
  }
  if (a.threads !== undefined) torch.setNumThreads(a.threads as number);
  const seed = a.seed as number;
  torch.manualSeed(seed);
  const device = (a.device as string | undefined) ?? (torch.cuda.isAvailable() ? 'cuda' : 'cpu');
  torch.device(device);
  if (device.startsWith('cuda') && !torch.cuda.isAvailable()) {
    console.error(`pretrain: --device ${device} asked for, but CUDA is not available here`);
    return 2;
  }

  let files: { train: string; test: string; vocab: string };
  if (a['train-csv'] !== undefined || a['test-csv'] !== undefined) {
    if (a['train-csv'] === undefined || a['test-csv'] === undefined || a.vocab === undefined) {
      console.error('pretrain: --train-csv needs --test-csv and --vocab too');
      return 2;
    }
    files = { train: a['train-csv'] as string, test: a['test-csv'] as string, vocab: a.vocab as string };
  } else {
    files = prepared(a.data as string, a.corpus as string, a['max-len'] as number, a['vocab-size'] as number, seed);
  }
  const tokenizer = BertTokenizer.fromVocabFile(files.vocab);
  const vocabSize = tokenizer.vocabSize;
  const trainSet = new BERTCSVDataset(files.train, { vocabSize });
  const testSet = new BERTCSVDataset(files.test, { vocabSize });
  const generator = new torch.Generator(seed);
  const batchSize = a['batch-size'] as number;
  const numWorkers = a['num-workers'] as number;
  const trainLoader = new torch.utils.data.DataLoader<BertSample, BertBatch>(trainSet, { batchSize, shuffle: true, generator, collateFn: collateBatch, numWorkers });
  const testLoader = new torch.utils.data.DataLoader<BertSample, BertBatch>(testSet, { batchSize, shuffle: false, collateFn: collateBatch });

  const preset = a.preset as string;
  const model = new BERT(presetConfig(preset, vocabSize));
  const nParams = model.parameters().reduce((n, p) => n + p.numel(), 0);
  const outDir = (a.out as string) === 'runs/<preset>' ? join('runs', preset) : (a.out as string);
  console.log(
    `pretrain: preset ${preset} (${nParams.toLocaleString('en-US')} parameters), vocabulary ${vocabSize}, ` +
      `${trainSet.length} training / ${testSet.length} test pairs, batch ${batchSize}, device ${device}, ` +
      `${torch.getNumThreads()} threads, ${a['exact-course'] ? 'exact course path' : 'fast path (MLM logits at masked positions only)'}`,
  );
  const result = await train(model, trainLoader, testLoader, {
    epochs: a.epochs as number,
    lr: a.lr as number,
    weightDecay: a['weight-decay'] as number,
    warmupSteps: a['warmup-steps'] as number,
    maxSteps: a['max-steps'] as number | undefined,
    device,
    exactCourse: a['exact-course'] as boolean,
    outDir,
    vocabPath: resolve(files.vocab),
    seed,
    resume: a.resume as string | undefined,
    onEpochStart: (epoch) => generator.manualSeed(seed + epoch),
    meta: { preset, batch_size: batchSize, max_len: a['max-len'] as number },
  });
  const first = result.steps.slice(0, 20);
  const last = result.steps.slice(-20);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  if (result.steps.length > 0) {
    console.log(
      `training MLM loss: first ${first.length} steps ${mean(first.map((s) => s.mlmLoss)).toFixed(3)} -> last ${last.length} steps ${mean(last.map((s) => s.mlmLoss)).toFixed(3)}; ` +
        `NSP loss ${mean(first.map((s) => s.nspLoss)).toFixed(3)} -> ${mean(last.map((s) => s.nspLoss)).toFixed(3)}`,
    );
  }
  console.log(`checkpoints: ${result.checkpoints.join(', ') || '(none)'}; metrics: ${join(outDir, 'metrics.jsonl')}; curve: ${join(outDir, 'loss.png')}`);

  console.log('\nNext-sentence predictions:');
  for (const [s1, s2] of EXAMPLES_NSP) {
    const p = predictNsp(s1, s2, model, tokenizer);
    console.log(`  "${s1}" / "${s2}"\n    -> ${p.label} (p = ${p.probability.toFixed(3)})`);
  }
  console.log('Masked-token predictions:');
  for (const s of EXAMPLES_MLM) {
    const p = predictMlm(s, model, tokenizer, { topK: 5 });
    console.log(`  "${s}"\n    -> "${p.sentence}"  top 5: ${p.candidates[0].tokens.map((t) => `${t.token} (${t.probability.toFixed(3)})`).join(', ')}`);
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`pretrain: ${(e as Error).stack ?? String(e)}`);
      process.exit(1);
    },
  );
}
