/**
 * Fine-tuning (lib/bert/hf/finetune.ts, lib/bert/cli/finetune.ts) on the
 * Brown genres: the labelled set keeps held-out documents out of training;
 * a short run learns (held-out passage accuracy above the majority class);
 * `npm run finetune`'s CLI runs small versions from a random model and from
 * a transformers folder, and the folder it saves gives transformers the same
 * logits; its argument errors say what is wrong.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import { BertTokenizer } from '../lib/bert/tokenizer/index.js';
import { BertForSequenceClassification, BertTokenizerFast, BERT_SIZES, bertConfig } from '../lib/bert/hf/index.js';
import { brownGenreDataset, passages, COARSE_GROUPS } from '../lib/bert/hf/genre-data.js';
import { evaluateClassifier, finetuneClassifier } from '../lib/bert/hf/finetune.js';
import { main, USAGE } from '../lib/bert/cli/finetune.js';
import { hfReference, requireTransformers, tempDir, maxAbsDiff } from './helpers/hf.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs main() and returns its exit code and what it printed. */
async function runMain(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('65 Hugging Face BERT fine-tuning on the Brown genres', function () {
  this.timeout(180_000);
  const tmp = tempDir('hf-finetune-');
  after(() => tmp.remove());

  it('the labelled set: every Brown document once, every 5th of each genre held out, 4 coarse groups or 15 genres', () => {
    const coarse = brownGenreDataset();
    expect(coarse.labels).to.deep.equal(['fiction', 'general', 'learned', 'press']);
    expect(coarse.train.length + coarse.test.length).to.equal(500);
    expect(coarse.test.length).to.equal(93);
    const trainFiles = new Set(coarse.train.map((d) => d.file));
    expect(coarse.test.filter((d) => trainFiles.has(d.file))).to.deep.equal([]);
    expect(coarse.test.slice(0, 3).map((d) => d.file)).to.deep.equal(['ca05', 'ca10', 'ca15']);
    expect(coarse.test[0].label).to.equal(coarse.labels.indexOf('press'));
    const genre = brownGenreDataset({ labels: 'genre' });
    expect(genre.labels).to.have.length(15);
    expect(Object.keys(COARSE_GROUPS).sort()).to.deep.equal([...genre.labels].sort());
    expect(() => brownGenreDataset({ labels: 'topic' as never })).to.throw(RangeError, "Expected 'genre' or 'coarse' for labels but received 'topic'");
    expect(() => brownGenreDataset({ heldOutEvery: 1 })).to.throw(RangeError, 'Expected an integer >= 2 for heldOutEvery but received 1');
    const tok = new BertTokenizer(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the']);
    const ps = passages([{ file: 'x', label: 1, sentences: ['the the the the the the the the the the the'] }], tok, 8);
    expect(ps.map((p) => p.ids)).to.deep.equal([
      [2, 5, 5, 5, 5, 5, 5, 3],
      [2, 5, 5, 5, 5, 5, 3],
    ]);
    expect(() => passages([], tok, 4)).to.throw(RangeError, 'Expected an integer >= 8 for maxLength but received 4');
  });

  it('a short run learns: held-out passage accuracy beats the majority class by more than 3 binomial SDs', () => {
    const data = brownGenreDataset();
    const trained = BertTokenizer.train(
      data.train.flatMap((d) => d.sentences),
      { vocabSize: 4000 },
    );
    const even = <T>(xs: T[], n: number): T[] => Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);
    const train = even(passages(data.train, trained, 64), 4800);
    const test = even(passages(data.test, trained, 64), 2000);
    torch.manualSeed(1);
    const model = new BertForSequenceClassification(bertConfig({ ...BERT_SIZES.tiny, vocabSize: trained.vocabSize, id2label: data.labels }));
    const counts = [0, 0, 0, 0];
    for (const p of train) counts[p.label]++;
    const majority = counts.indexOf(Math.max(...counts));
    // One thread: on a shared two-core machine, two OpenMP threads competing with other jobs run several times slower.
    const threads = torch.getNumThreads();
    torch.setNumThreads(1);
    try {
      const r = finetuneClassifier(model, train, { epochs: 1, batchSize: 32, lr: 1e-3, seed: 1 });
      const ev = evaluateClassifier(model, test, { majorityLabel: majority });
      const sd = Math.sqrt((ev.baseline * (1 - ev.baseline)) / ev.passages);
      console.log(
        `    ${r.steps} steps in ${r.seconds.toFixed(0)} s: held-out passages ${(100 * ev.accuracy).toFixed(1)}% (majority ${(100 * ev.baseline).toFixed(1)}%, SD ${(100 * sd).toFixed(2)}), ` +
          `documents ${(100 * ev.docAccuracy).toFixed(1)}% (majority ${(100 * ev.docBaseline).toFixed(1)}%)`,
      );
      expect(ev.accuracy).to.be.above(ev.baseline + 3 * sd);
      expect(r.losses[r.losses.length - 1]).to.be.below(r.losses[0]);
    } finally {
      torch.setNumThreads(threads);
    }
  });

  it('npm run finetune, small: a random bert-tiny trains, reports accuracy and saves a folder transformers reads with the same logits', function () {
    requireTransformers(this);
    const out = join(tmp.dir, 'scratch');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'lib/bert/cli/finetune.ts',
        '--max-train-passages',
        '256',
        '--max-test-passages',
        '256',
        '--epochs',
        '1',
        '--max-length',
        '64',
        '--vocab-size',
        '2000',
        '--threads',
        '1',
        '--out',
        out,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('finetune: a random bert-tiny (no pretrained weights) and a 2000-token WordPiece vocabulary from the training documents');
    expect(r.stdout).to.match(/held-out accuracy: passages [\d.]+% \(majority class 'general': [\d.]+%\), documents [\d.]+% \(majority: [\d.]+%\); 8 steps/);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Record<string, unknown>;
    expect(metrics.labels).to.deep.equal(['fiction', 'general', 'learned', 'press']);
    expect(metrics.steps).to.equal(8);
    expect(metrics.train_passages).to.equal(256);
    expect(metrics.test_passages).to.equal(256);
    expect(metrics.test_documents).to.equal(93);
    expect(metrics.from_pretrained).to.equal(null);
    // The saved folder, in transformers and here.
    const texts = [
      'The jury said the election was conducted well.',
      '"Where are you going?" she asked, and he laughed.',
      'The coefficients of the equation were estimated by least squares.',
    ];
    const py = hfReference<{ logits: number[]; input_ids: number[][]; class: string; id2label: Record<string, string> }>({
      op: 'classify',
      dir: out,
      texts,
      max_length: 64,
    });
    expect(py.class).to.equal('BertForSequenceClassification');
    expect(py.id2label).to.deep.equal({ 0: 'fiction', 1: 'general', 2: 'learned', 3: 'press' });
    const tok = BertTokenizerFast.fromPretrained(out);
    const model = BertForSequenceClassification.fromPretrained(out);
    const enc = tok.batchEncode(texts, { maxLength: 64 });
    expect(enc.inputIds.tolist()).to.deep.equal(py.input_ids);
    const logits = torch.noGrad(() => model.forward(enc.inputIds, { attentionMask: enc.attentionMask, tokenTypeIds: enc.tokenTypeIds }).logits);
    expect(maxAbsDiff(logits.dataSync(), py.logits)).to.be.below(1e-5);
  });

  it('npm run finetune --from-pretrained: a transformers BertForPreTraining folder gets a new classifier and trains', async function () {
    requireTransformers(this);
    const dir = join(tmp.dir, 'pretrained');
    const data = brownGenreDataset();
    const vocab = BertTokenizer.train(
      data.train.slice(0, 100).flatMap((d) => d.sentences),
      { vocabSize: 1500 },
    ).vocab;
    new BertTokenizerFast(vocab).savePretrained(dir);
    const config = {
      vocab_size: vocab.length,
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      intermediate_size: 64,
      max_position_embeddings: 64,
    };
    hfReference({ op: 'build', models: [{ name: 'p', cls: 'BertForPreTraining', config, dir, seed: 3 }], inputs: { input_ids: [[2, 3]], labels: {} } });
    const out = join(tmp.dir, 'from-pretrained');
    const r = await runMain([
      '--from-pretrained',
      dir,
      '--max-train-passages',
      '64',
      '--max-test-passages',
      '128',
      '--epochs',
      '1',
      '--max-length',
      '64',
      '--out',
      out,
    ]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.contain(`finetune: loaded ${dir}; newly initialized: classifier.weight, classifier.bias`);
    expect(r.out).to.contain('lr 0.00005');
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Record<string, unknown>;
    expect(metrics.steps).to.equal(2);
    expect(metrics.from_pretrained).to.equal(dir);
    const saved = BertForSequenceClassification.fromPretrained(out);
    expect(saved.config.id2label).to.deep.equal(['fiction', 'general', 'learned', 'press']);
    expect(saved.config.hiddenSize).to.equal(32);
    const long = await runMain(['--from-pretrained', dir, '--max-length', '128']);
    expect(long.code).to.equal(2);
    expect(long.err).to.equal("finetune: --max-length 128 exceeds the model's max_position_embeddings (64)");
  });

  it('the CLI says what is wrong with its arguments', async () => {
    const cases: [string[], string][] = [
      [['--epoch', '2'], 'finetune: Unknown option --epoch (see --help)'],
      [['--labels', 'topic'], "finetune: Expected one of coarse, genre for --labels but received 'topic'"],
      [['--epochs', '0'], "finetune: Expected an integer >= 1 for --epochs but received '0'"],
      [['--lr', 'fast'], "finetune: Expected a number > 0 for --lr but received 'fast'"],
      [['extra'], "finetune: unexpected argument 'extra' (see --help)"],
      [['--device', 'tpu'], "finetune: Expected a device like 'cpu', 'cuda' or 'cuda:0' for device but received 'tpu' of type string"],
      [
        ['--from-pretrained', join(tmp.dir, 'missing')],
        `finetune: --from-pretrained ${join(tmp.dir, 'missing')}: Tokenizer folder ${join(tmp.dir, 'missing')} does not exist`,
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await runMain(argv);
      expect(r.code, argv.join(' ')).to.equal(2);
      expect(r.err).to.equal(message);
    }
    if (!torch.cuda.isAvailable()) {
      const r = await runMain(['--device', 'cuda']);
      expect(r.err).to.equal('finetune: --device cuda asked for, but CUDA is not available here');
    }
    expect(USAGE).to.contain('--from-pretrained DIR');
  });
});
