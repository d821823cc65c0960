/**
 * Long runs that survive people (issue #12, the app's items), through the
 * real command line on a small slice of the Brown corpus:
 *
 * - Ctrl-C and SIGTERM stop a run after the current step with a checkpoint
 *   and exit 130/143, however it was launched (npm, tsx's CLI); a second
 *   Ctrl-C quits at once; the loop yields to the event loop;
 * - a resumed run (mid-epoch) takes the uninterrupted run's steps exactly,
 *   reports changed settings and refuses ones that change the data or model;
 * - a folder holding a run is never written into by a new run;
 * - the vocabulary is stored in checkpoints ([PAD] must be id 0); predict
 *   uses it, refuses another, and says when a text is longer than the model takes;
 * - the corpus cache is keyed by content and settings.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import { BERT, presetConfig } from '../lib/bert/model.js';
import { train } from '../lib/bert/train.js';
import { BERTCSVDataset, BERT_CSV_COLUMNS } from '../lib/bert/dataset.js';
import { readCheckpoint } from '../lib/bert/checkpoint.js';
import { loadCorpus } from '../lib/bert/corpus.js';
import { prepareData, writePreparedData } from '../lib/bert/prepare.js';
import { preparedCorpus } from '../lib/bert/data-cache.js';
import { StopRequests } from '../lib/bert/run/stop.js';
import { BertTokenizer } from '../lib/bert/tokenizer/index.js';
import { checkModelVocabulary } from '../lib/bert/vocabulary.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PRETRAIN = join(ROOT, 'lib/bert/cli/pretrain.ts');
const PREDICT = join(ROOT, 'lib/bert/cli/predict.ts');
const TSX = import.meta.resolve('tsx');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

/** A process in a process group of its own (so a "terminal's Ctrl-C" can go to the whole group). */
function start(cmd: string, args: string[], cwd = ROOT): { pid: number; output: () => string; exit: Promise<Exit> } {
  const child = spawn(cmd, args, { cwd, detached: true, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out })));
  if (child.pid === undefined) throw new Error(`${cmd} did not start`);
  return { pid: child.pid, output: () => out, exit };
}

const node = (script: string, args: string[], cwd?: string) => start(process.execPath, ['--import', TSX, script, ...args], cwd);

async function waitFor(what: string, cond: () => boolean, timeoutMs = 240_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stepLosses(dir: string): [number, number][] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; step: number; loss: number })
    .filter((r) => r.type === 'step')
    .map((r) => [r.step, r.loss]);
}

const temporaries = (dir: string): string[] => readdirSync(dir).filter((f) => f.includes('.tmp-'));

describe('64 BERT runs: interrupt, resume, never overwrite, the right vocabulary', function () {
  this.timeout(600_000);
  let dir: string;
  let data: { train: string; test: string; vocab: string };
  let csvArgs: string[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bert-runs-'));
    const prepared = prepareData(loadCorpus('brown').slice(0, 12), { maxLen: 32, vocabSize: 1500, seed: 3, testFraction: 0.25 });
    const w = writePreparedData(join(dir, 'data'), prepared);
    // 256 training pairs (16 steps of 16 an epoch) and 32 test pairs keep every run short.
    const head = (file: string, rows: number): string => {
      const out = file.replace(/\.csv$/, '-small.csv');
      writeFileSync(
        out,
        `${readFileSync(file, 'utf8')
          .split('\n')
          .slice(0, rows + 1)
          .join('\n')}\n`,
      );
      return out;
    };
    data = { train: head(w.train, 256), test: head(w.test, 32), vocab: w.vocab };
    csvArgs = ['--train-csv', data.train, '--test-csv', data.test, '--vocab', data.vocab, '--batch-size', '16', '--seed', '5'];
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('interrupting and resuming', () => {
    let reference: string;
    before(async () => {
      reference = join(dir, 'reference');
      const r = await node(PRETRAIN, [...csvArgs, '--epochs', '2', '--out', reference]).exit;
      expect(r.code, r.out).to.equal(0);
    });

    it("Ctrl-C in a terminal running npm run pretrain (npm and the trainer both get SIGINT, and npm forwards its copy) stops once after the step: last.pt mid-epoch, exit 130, no temporary file; --resume ends with the uninterrupted run's losses and weights", async () => {
      const out = join(dir, 'npm-int');
      const npm = start('npm', ['run', '-s', 'pretrain', '--', ...csvArgs, '--epochs', '2', '--out', out]);
      await waitFor('the first metrics', () => existsSync(join(out, 'metrics.jsonl')));
      process.kill(-npm.pid, 'SIGINT');
      const r = await npm.exit;
      expect(r.signal ?? r.code, r.out).to.be.oneOf(['SIGINT', 130]); // npm re-raises the signal its child exited with
      expect(r.out).to.contain('SIGINT: stopping after this step and writing a checkpoint');
      expect(r.out.match(/SIGINT: stopping/g)).to.have.length(1);
      expect(r.out).to.match(/stopped by SIGINT at step \d+; wrote .*last\.pt/);
      expect(r.out).to.contain(`continue with: npm run pretrain -- --resume ${join(out, 'last.pt')}`);
      const ck = readCheckpoint(join(out, 'last.pt'));
      const stoppedAt = ck.step as number;
      expect(ck.train_state).to.deep.include({ global_step: stoppedAt, samples_in_epoch: 16 * (stoppedAt > 16 ? stoppedAt - 16 : stoppedAt) });
      expect(temporaries(out)).to.deep.equal([]);

      const resumed = await node(PRETRAIN, ['--resume', join(out, 'last.pt')]).exit;
      expect(resumed.code, resumed.out).to.equal(0);
      expect(resumed.out).to.contain(`resumed in epoch ${stoppedAt > 16 ? 2 : 1} after`);
      expect(stepLosses(out)).to.deep.equal(stepLosses(reference));
      const a = readCheckpoint(join(reference, 'last.pt')).model;
      const b = readCheckpoint(join(out, 'last.pt')).model;
      for (const k of Object.keys(a)) expect(a[k].equal(b[k]), k).to.equal(true);
      expect(temporaries(out)).to.deep.equal([]);
    });

    it('SIGTERM to npm alone reaches the trainer (exit 143, checkpoint written, nothing left running)', async () => {
      const out = join(dir, 'npm-term');
      const npm = start('npm', ['run', '-s', 'pretrain', '--', ...csvArgs, '--epochs', '2', '--out', out]);
      await waitFor('the first metrics', () => existsSync(join(out, 'metrics.jsonl')));
      process.kill(npm.pid, 'SIGTERM');
      const r = await npm.exit;
      expect(r.signal ?? r.code, r.out).to.be.oneOf(['SIGTERM', 143]);
      expect(r.out).to.match(/stopped by SIGTERM at step \d+/);
      expect(existsSync(join(out, 'last.pt'))).to.equal(true);
      // The group is gone: signalling it fails.
      expect(() => process.kill(-npm.pid, 0)).to.throw(/ESRCH/);
    });

    it("Ctrl-C under tsx's CLI stops after the step too (tsx would SIGKILL a busy trainer: it runs under plain node)", async () => {
      const out = join(dir, 'tsx-int');
      const tsx = start(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), PRETRAIN, ...csvArgs, '--epochs', '2', '--out', out]);
      await waitFor('the first metrics', () => existsSync(join(out, 'metrics.jsonl')));
      process.kill(-tsx.pid, 'SIGINT');
      const r = await tsx.exit;
      expect(r.signal ?? r.code, r.out).to.be.oneOf(['SIGINT', 130]);
      expect(r.out).to.match(/stopped by SIGINT at step \d+/);
      expect(existsSync(join(out, 'last.pt'))).to.equal(true);
    });

    it('a resumed run reports changed settings, refuses ones that change the data or model, and refuses to resume with nothing left to train', async () => {
      const ck = join(dir, 'npm-int', 'last.pt');
      const changed = await node(PRETRAIN, ['--resume', ck, '--preset', 'tiny']).exit;
      expect(changed.code).to.equal(2);
      expect(changed.out).to.contain(
        "pretrain: --preset tiny differs from the run's course; a resumed run keeps its --preset (start a new run for another one)",
      );
      const done = await node(PRETRAIN, ['--resume', ck]).exit;
      expect(done.code).to.equal(2);
      expect(done.out).to.contain(`pretrain: ${ck} is at step 32, after epoch 2: nothing left to train with --epochs 2; raise them`);
      const more = join(dir, 'more');
      const r = await node(PRETRAIN, ['--resume', ck, '--epochs', '3', '--max-steps', '33', '--lr', '0.002', '--out', more]).exit;
      expect(r.code, r.out).to.equal(0);
      expect(r.out).to.contain('resume: --epochs changed from 2 to 3');
      expect(r.out).to.contain('resume: --max-steps changed from undefined to 33');
      expect(r.out).to.contain('resume: --lr changed from 0.001 to 0.002');
      const steps = readFileSync(join(more, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; step: number; lr: number })
        .filter((m) => m.type === 'step');
      // The new folder holds the earlier steps too, and step 33 ran at the new lr.
      expect(steps.map((s) => s.step)).to.deep.equal(Array.from({ length: 33 }, (_, i) => i + 1));
      expect(steps[32].lr).to.equal(0.002);
      expect(readCheckpoint(join(more, 'last.pt')).train_config).to.deep.include({ lr: 0.002, epochs: 3, max_steps: 33, preset: 'course' });
    });

    it('a second Ctrl-C quits at once, even while the checkpoint is being written', async () => {
      const out = join(dir, 'twice');
      // The small preset's checkpoint (about 170 MB with Adam's state) takes long enough to write to be interrupted.
      const p = node(PRETRAIN, [...csvArgs, '--preset', 'small', '--out', out]);
      await waitFor('the first step', () => existsSync(join(out, 'metrics.jsonl')) || /epoch 1 step/.test(p.output()));
      process.kill(p.pid, 'SIGINT');
      await waitFor('the stop notice', () => p.output().includes('SIGINT: stopping'));
      await new Promise((r) => setTimeout(r, 500));
      process.kill(p.pid, 'SIGINT');
      const r = await p.exit;
      expect(r.signal, r.out).to.equal('SIGINT'); // killed by the signal, not exit code 130 after a checkpoint
      expect(r.out).not.to.contain('stopped by SIGINT');
      expect(existsSync(join(out, 'last.pt'))).to.equal(false);
    });
  });

  describe('the loop and the signals in the process', () => {
    it('train() yields to the event loop after every step: a 10 ms timer fires throughout training', async () => {
      const ds = new BERTCSVDataset(data.train, { onWarning: null });
      torch.manualSeed(1);
      const model = new BERT(presetConfig('course', BertTokenizer.fromVocabFile(data.vocab).vocabSize));
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const t0 = performance.now();
      try {
        const r = await train(model, { train: ds, test: null }, { maxSteps: 12, batchSize: 16, device: 'cpu' }, { progress: false });
        expect(r.globalStep).to.equal(12);
      } finally {
        clearInterval(timer);
      }
      const ms = performance.now() - t0;
      // At least once per step (steps take longer than 10 ms here).
      expect(ticks, `${ticks} ticks in ${ms.toFixed(0)} ms`).to.be.at.least(12);
    });

    it('StopRequests: the first signal asks to stop, a copy within 300 ms is the same press, a later one exits at once; release() hands signals back to Node', async () => {
      const notes: string[] = [];
      const exits: number[] = [];
      const listeners = process.listenerCount('SIGTERM');
      const s = new StopRequests(
        (m) => notes.push(m),
        (c) => exits.push(c),
      ).install();
      expect(process.listenerCount('SIGTERM')).to.equal(listeners + 1);
      s.receive('SIGTERM');
      s.receive('SIGTERM');
      expect(s.signal).to.equal('SIGTERM');
      expect(s.exitCode).to.equal(143);
      expect(exits).to.deep.equal([]);
      await new Promise((r) => setTimeout(r, 350));
      s.receive('SIGTERM');
      expect(exits).to.deep.equal([143]);
      expect(notes).to.deep.equal([
        '\nSIGTERM: stopping after this step and writing a checkpoint (send it again to quit at once)',
        'SIGTERM again: quitting without a checkpoint',
      ]);
      await s.release();
      expect(process.listenerCount('SIGTERM')).to.equal(listeners);
    });
  });

  describe('run folders', () => {
    it('a new run never writes into a folder holding a run: without --out it gets runs/<preset>-2, with it it is refused naming --resume and a fresh --out', async () => {
      const cwd = join(dir, 'cwd');
      mkdirSync(cwd);
      const first = await node(PRETRAIN, [...csvArgs, '--max-steps', '2'], cwd).exit;
      expect(first.code, first.out).to.equal(0);
      expect(first.out).to.contain('run folder runs/course');
      const second = await node(PRETRAIN, [...csvArgs, '--max-steps', '2'], cwd).exit;
      expect(second.code, second.out).to.equal(0);
      expect(second.out).to.contain('run folder runs/course-2');
      const before = readFileSync(join(cwd, 'runs/course/metrics.jsonl'), 'utf8');
      const third = await node(PRETRAIN, [...csvArgs, '--max-steps', '2', '--out', 'runs/course'], cwd).exit;
      expect(third.code).to.equal(2);
      expect(third.out).to.contain(
        'pretrain: runs/course already holds a run (best.pt, last.pt, metrics.jsonl); continue it with --resume runs/course/last.pt, ' +
          'or start a new one with a fresh --out (or without --out: a new runs/<preset>-N folder is chosen)',
      );
      expect(readFileSync(join(cwd, 'runs/course/metrics.jsonl'), 'utf8')).to.equal(before);
    });
  });

  describe('vocabulary', () => {
    it('checkpoints store the vocabulary: predict uses it after vocab.txt is regenerated, refuses a different --vocab, and says when a text is too long', async () => {
      const ck = join(dir, 'reference', 'last.pt');
      const sentence = 'the jury said the [MASK] was fair .';
      const before = await node(PREDICT, ['--checkpoint', ck, sentence]).exit;
      expect(before.code, before.out).to.equal(0);
      // vocab.txt regenerated in place with other ids (two tokens swapped): predictions must not change.
      const vocabCopy = join(dir, 'vocab-moved.txt');
      copyFileSync(data.vocab, vocabCopy);
      const lines = readFileSync(data.vocab, 'utf8').split('\n');
      [lines[10], lines[11]] = [lines[11], lines[10]];
      writeFileSync(data.vocab, lines.join('\n'));
      try {
        const after = await node(PREDICT, ['--checkpoint', ck, sentence]).exit;
        expect(after.out).to.equal(before.out);
        const other = await node(PREDICT, ['--checkpoint', ck, '--vocab', data.vocab, sentence]).exit;
        expect(other.code).to.equal(2);
        expect(other.out).to.match(
          new RegExp(
            `^predict: ${data.vocab} is not the vocabulary ${ck} was trained with \\(sha256 [0-9a-f]{12}\\.\\.\\. vs [0-9a-f]{12}\\.\\.\\.\\); leave out --vocab to use the one stored in the checkpoint`,
          ),
        );
      } finally {
        copyFileSync(vocabCopy, data.vocab);
      }
      const long = await node(PREDICT, ['--checkpoint', ck, `${'the '.repeat(5000)}[MASK] .`]).exit;
      expect(long.code).to.equal(2);
      expect(long.out).to.contain('predict: The sentence is 5004 tokens long ([CLS] and [SEP] included), but the model takes at most 5000');
    });

    it('a vocabulary whose [PAD] is not id 0 is refused (pretrain, and in code)', async () => {
      const lines = readFileSync(data.vocab, 'utf8').trim().split('\n');
      const bad = join(dir, 'pad-second.txt');
      writeFileSync(bad, `${[lines[1], lines[0], ...lines.slice(2)].join('\n')}\n`);
      const r = await node(PRETRAIN, ['--train-csv', data.train, '--test-csv', data.test, '--vocab', bad, '--out', join(dir, 'pad')]).exit;
      expect(r.code).to.equal(2);
      expect(r.out).to.contain(
        `pretrain: ${bad}: [PAD] has id 1, but the model pads with id 0; a vocabulary for this model must start with [PAD] (its first line)`,
      );
      expect(() => checkModelVocabulary(BertTokenizer.fromVocabFile(bad), 'x')).to.throw('x: [PAD] has id 1, but the model pads with id 0');
    });
  });

  describe('the corpus cache', () => {
    it('is keyed by the corpus content and every setting, and says what it reused', () => {
      const docs = `${loadCorpus('brown')
        .slice(0, 6)
        .map((d) => d.slice(0, 40).join('\n'))
        .join('\n\n')}\n`;
      const a = join(dir, 'my_corpus.txt');
      const b = join(dir, 'my-corpus.txt');
      writeFileSync(a, docs);
      writeFileSync(b, docs.replace(/\bthe\b/g, 'a'));
      const cache = join(dir, 'cache');
      const settings = { maxLen: 32, testFraction: 0.25, seed: 1, vocabSize: 600, minFrequency: 2, nspProbability: 0.5, maskProbability: 0.15 };
      const logs: string[] = [];
      const log = (m: string) => void logs.push(m);
      const pa = preparedCorpus(cache, a, settings, { log });
      const pb = preparedCorpus(cache, b, settings, { log });
      expect(pa.dir).not.to.equal(pb.dir);
      expect(readFileSync(pa.train, 'utf8')).not.to.equal(readFileSync(pb.train, 'utf8'));
      const again = preparedCorpus(cache, a, settings, { log });
      expect(again.dir).to.equal(pa.dir);
      expect(logs[logs.length - 1]).to.match(
        new RegExp(
          `^data: reusing ${pa.dir} \\(\\d+ training / \\d+ test pairs, vocabulary \\d+\\): prepared from the same ${a} \\(sha256 [0-9a-f]{12}\\.\\.\\. of its files and settings\\) with max-len 32, vocab-size 600, seed 1$`,
        ),
      );
      // An edited corpus, or another setting, is prepared again.
      writeFileSync(a, `${docs}One more sentence.\nAnd its neighbour.\n`);
      const edited = preparedCorpus(cache, a, settings, { log });
      expect(edited.dir).not.to.equal(pa.dir);
      expect(logs[logs.length - 2]).to.match(/^data: preparing .*my_corpus\.txt into /);
      expect(preparedCorpus(cache, a, { ...settings, maskProbability: 0.2 }, { log }).dir).not.to.equal(edited.dir);
      expect(readdirSync(cache).filter((f) => f.includes('.tmp-'))).to.deep.equal([]);
      expect(readFileSync(pa.train, 'utf8').split('\n')[0]).to.equal(BERT_CSV_COLUMNS.join(','));
    });
  });
});
