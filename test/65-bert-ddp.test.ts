/**
 * DDP pretraining (issue #17's integration): `npm run pretrain --
 * --nproc-per-node 2` runs the command on two processes through torchrun,
 * and `torchrun --nproc_per_node 2 --no_python node --import tsx
 * lib/bert/cli/pretrain.ts` works directly. Rank 0 alone writes; Ctrl-C
 * stops every rank after the same step with one checkpoint; a resumed DDP
 * run, and a group that torchrun (`--max_restarts 1`) restarted after a rank
 * was killed, end with the uninterrupted run's losses and weights.
 *
 * Small on purpose (two cores): the course preset, 256 training pairs, 16 a
 * batch per rank (8 steps an epoch), 2 epochs.
 */
import { expect } from 'chai';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpus } from '../lib/bert/corpus.js';
import { prepareData, writePreparedData } from '../lib/bert/prepare.js';
import { readCheckpoint } from '../lib/bert/checkpoint.js';
import { referencePython } from '../scripts/reference-python.js';
import { findTorchrun } from '../lib/bert/cli/launch.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PRETRAIN = join(ROOT, 'lib/bert/cli/pretrain.ts');
const TORCHRUN = join(dirname(referencePython()), 'torchrun');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

/** A process in a group of its own; `env` is added to this one's. */
function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { pid: number; exit: Promise<Exit> } {
  const child = spawn(cmd, args, { cwd: ROOT, detached: true, env: { ...process.env, CI: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  if (child.pid === undefined) throw new Error(`${cmd} did not start`);
  return { pid: child.pid, exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out }))) };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 240_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function steps(dir: string): { step: number; loss: number; tokensPerSec: number }[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; step: number; loss: number; tokensPerSec: number })
    .filter((r) => r.type === 'step');
}

function sameWeights(a: string, b: string): void {
  const x = readCheckpoint(a).model;
  const y = readCheckpoint(b).model;
  for (const k of Object.keys(x)) expect(x[k].equal(y[k]), k).to.equal(true);
}

/** The worker processes torchrun `pid` started, with their RANK. */
function workersOf(pid: number): { pid: number; rank: number }[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /^\d+$/.test(s))
    .map(Number)
    .flatMap((p) => {
      try {
        const env = readFileSync(`/proc/${p}/environ`, 'utf8').split('\0');
        const rank = env.find((e) => e.startsWith('RANK='));
        return rank !== undefined ? [{ pid: p, rank: Number(rank.slice(5)) }] : [];
      } catch {
        return [];
      }
    });
}

describe('65 BERT pretraining with DDP (torchrun, 2 processes)', function () {
  this.timeout(600_000);
  let dir: string;
  let args: string[];
  let full: string;

  before(async function () {
    if (!existsSync(TORCHRUN)) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'bert-ddp-'));
    const prepared = prepareData(loadCorpus('brown').slice(0, 12), { maxLen: 32, vocabSize: 1500, seed: 3, testFraction: 0.25 });
    const w = writePreparedData(join(dir, 'data'), prepared);
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
    args = ['--train-csv', head(w.train, 256), '--test-csv', head(w.test, 32), '--vocab', w.vocab, '--batch-size', '16', '--epochs', '2', '--seed', '5'];
    full = join(dir, 'full');
    const r = await start('npm', ['run', '-s', 'pretrain', '--', ...args, '--nproc-per-node', '2', '--out', full]).exit;
    expect(r.code, r.out).to.equal(0);
    expect(r.out).to.contain(`pretrain: 2 processes through ${TORCHRUN}`);
    expect(r.out).to.contain('batch 16 x 2 processes');
  });
  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("npm run pretrain -- --nproc-per-node 2: every rank trains, rank 0 alone reports and writes; the progress counts both ranks' tokens", () => {
    const s = steps(full);
    expect(s.map((r) => r.step)).to.deep.equal(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(readdirSync(full).sort()).to.deep.equal(['best.pt', 'epoch-1.pt', 'epoch-2.pt', 'last.pt', 'loss.png', 'metrics.jsonl']);
    const ck = readCheckpoint(join(full, 'last.pt'));
    expect(ck.train_state).to.deep.include({ world_size: 2, global_step: 16, epoch: 2, epoch_complete: true });
    // 16 pairs a rank a step: a global rate counts 32 pairs' tokens a step (about 2x one rank's).
    expect(s.every((r) => r.tokensPerSec > 0)).to.equal(true);
  });

  it("torchrun --nproc_per_node 2 --no_python node --import tsx lib/bert/cli/pretrain.ts works directly, and with --max_restarts 1 a killed rank costs nothing: the restarted group resumes from last.pt and ends with the uninterrupted run's losses and weights", async () => {
    const out = join(dir, 'restarted');
    const t = start(
      TORCHRUN,
      [
        '--standalone',
        '--nnodes',
        '1',
        '--nproc_per_node',
        '2',
        '--max_restarts',
        '1',
        '--no_python',
        process.execPath,
        '--import',
        'tsx',
        PRETRAIN,
        ...args,
        '--save-every',
        '3',
        '--out',
        out,
      ],
      { OMP_NUM_THREADS: '1' },
    );
    await waitFor('the first checkpoint', () => existsSync(join(out, 'last.pt')));
    const victim = workersOf(t.pid).find((w) => w.rank === 1);
    expect(victim, 'rank 1 of the first group').not.to.equal(undefined);
    process.kill(victim!.pid, 'SIGKILL');
    const r = await t.exit;
    expect(r.code, r.out.slice(-3000)).to.equal(0);
    expect(r.out).to.match(/restart 1: resuming from .*last\.pt/);
    expect(r.out).to.match(/resumed in epoch \d after \d+ samples \(step \d+\)/);
    // Rank 0 alone reports: one summary line per group started (two groups).
    expect(r.out.match(/^pretrain: preset course/gm)).to.have.length(2);
    expect(steps(out).map((s) => [s.step, s.loss])).to.deep.equal(steps(full).map((s) => [s.step, s.loss]));
    sameWeights(join(full, 'last.pt'), join(out, 'last.pt'));
    expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).to.deep.equal([]);
  });

  it("Ctrl-C stops both ranks after the same step with one checkpoint (exit 130); --resume under DDP ends with the uninterrupted run's losses and weights", async () => {
    const out = join(dir, 'interrupted');
    const p = start('npm', ['run', '-s', 'pretrain', '--', ...args, '--nproc-per-node', '2', '--out', out]);
    await waitFor('the first metrics', () => existsSync(join(out, 'metrics.jsonl')));
    process.kill(-p.pid, 'SIGINT');
    const r = await p.exit;
    expect(r.signal ?? r.code, r.out.slice(-3000)).to.be.oneOf(['SIGINT', 130]);
    expect(r.out.match(/SIGINT: stopping after this step/g)).to.have.length(1);
    expect(r.out).to.match(/stopped by SIGINT at step \d+/);
    const st = readCheckpoint(join(out, 'last.pt')).train_state as { global_step: number };
    const resumed = await start('npm', ['run', '-s', 'pretrain', '--', '--nproc-per-node', '2', '--resume', join(out, 'last.pt')]).exit;
    expect(resumed.code, resumed.out.slice(-3000)).to.equal(0);
    expect(resumed.out).to.contain(`(step ${st.global_step})`);
    expect(steps(out).map((s) => [s.step, s.loss])).to.deep.equal(steps(full).map((s) => [s.step, s.loss]));
    sameWeights(join(full, 'last.pt'), join(out, 'last.pt'));
  });

  it('says how to get torchrun when there is none, and refuses --max_restarts without --out', async () => {
    const none = await start(process.execPath, ['--import', 'tsx', PRETRAIN, ...args, '--nproc-per-node', '2'], { TORCHRUN: join(dir, 'no-torchrun-here') })
      .exit;
    expect(none.code).to.equal(2);
    expect(none.out).to.contain(`pretrain: TORCHRUN names ${join(dir, 'no-torchrun-here')}, which does not exist`);
    // Without TORCHRUN, with no torchrun beside the loaded libtorch or on PATH:
    expect(() => findTorchrun({ PATH: '/nonexistent' }, join(dir, 'no-torch', 'lib'))).to.throw(
      "--nproc-per-node needs torchrun, PyTorch's launcher, and none was found (not in TORCHRUN, in the Python environment of the loaded libtorch, or on PATH); " +
        'it comes with PyTorch: `bash scripts/setup.sh` installs it into .venv (or `pip install torch`)',
    );
    const noOut = await start(TORCHRUN, [
      '--standalone',
      '--nnodes',
      '1',
      '--nproc_per_node',
      '1',
      '--max_restarts',
      '1',
      '--no_python',
      process.execPath,
      '--import',
      'tsx',
      PRETRAIN,
      ...args,
    ]).exit;
    expect(noOut.code).not.to.equal(0);
    expect(noOut.out).to.contain('pretrain: torchrun --max_restarts restarts the processes, which must find their checkpoints: give --out');
  });
});
