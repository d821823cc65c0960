/**
 * Soak test of interrupt and resume (issue #12; not part of `npm test`):
 * `npm run pretrain` on a small slice of the Brown corpus is stopped with
 * SIGINT at random moments N times (default 20), resumed with --resume after
 * each, then run to its end. It must end with the same weights as an
 * uninterrupted run with the same settings, every step in metrics.jsonl
 * exactly once with the uninterrupted run's loss, and no temporary file in
 * the run folder.
 *
 *   node --import tsx scripts/soak-pretrain.ts [--interrupts 20] [--seed 1] [--keep]
 *
 * Exit code 0 when all of that holds, 1 otherwise.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCorpus } from '../lib/bert/corpus.js';
import { prepareData, writePreparedData } from '../lib/bert/prepare.js';
import { readCheckpoint } from '../lib/bert/checkpoint.js';
import { Generator } from '../lib/torch/index.js';

const PRETRAIN = fileURLToPath(new URL('../lib/bert/cli/pretrain.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

const { values } = parseArgs({
  options: { interrupts: { type: 'string', default: '20' }, seed: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false } },
  strict: true,
});
const interrupts = Number(values.interrupts);
const rng = new Generator(Number(values.seed));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

/** Runs pretrain; with `interruptAfterMs`, sends SIGINT that long after training started. */
function pretrain(args: string[], interruptAfterMs?: number): Promise<Run> {
  const child = spawn(process.execPath, ['--import', TSX, PRETRAIN, ...args], { env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let armed = false;
  const onData = (d: Buffer): void => {
    out += d.toString();
    // Training starts right after the summary line (the signal handlers are installed with it).
    if (!armed && interruptAfterMs !== undefined && out.includes('pretrain: preset')) {
      armed = true;
      setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out })));
}

function stepLosses(dir: string): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const line of readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')) {
    const r = JSON.parse(line) as { type: string; step: number; loss: number };
    if (r.type === 'step') m.set(r.step, [...(m.get(r.step) ?? []), r.loss]);
  }
  return m;
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'soak-pretrain-'));
  const t0 = performance.now();
  try {
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
    // 256 pairs in batches of 16: 16 steps an epoch, 8 epochs, warmup and linear decay (the schedule must resume too).
    const settings = [
      '--train-csv',
      head(w.train, 256),
      '--test-csv',
      head(w.test, 32),
      '--vocab',
      w.vocab,
      '--batch-size',
      '16',
      '--epochs',
      '8',
      '--warmup-steps',
      '10',
      '--seed',
      '7',
    ];
    const reference = join(dir, 'reference');
    const ref = await pretrain([...settings, '--out', reference]);
    if (ref.code !== 0) throw new Error(`the uninterrupted run failed:\n${ref.out}`);
    console.log(`uninterrupted run: ${stepLosses(reference).size} steps in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

    const run = join(dir, 'run');
    const stoppedAt: number[] = [];
    const problems: string[] = [];
    let first = true;
    while (stoppedAt.length < interrupts) {
      const delay = Math.round(200 + rng.random() * 4000);
      const r = await pretrain(first ? [...settings, '--out', run] : ['--resume', join(run, 'last.pt')], delay);
      first = false;
      const m = /stopped by SIGINT at step (\d+)/.exec(r.out);
      if (r.code === 0) {
        problems.push(`the run ended before interrupt ${stoppedAt.length + 1}: more epochs are needed for ${interrupts} interrupts`);
        break;
      }
      if (r.code !== 130 || m === null)
        throw new Error(`interrupt ${stoppedAt.length + 1} (after ${delay} ms): exit ${r.code ?? r.signal}\n${r.out.slice(-2000)}`);
      stoppedAt.push(Number(m[1]));
      const tmp = readdirSync(run).filter((f) => f.includes('.tmp-'));
      if (tmp.length > 0) problems.push(`temporary files after interrupt ${stoppedAt.length}: ${tmp.join(', ')}`);
      console.log(`interrupt ${String(stoppedAt.length).padStart(2)}: SIGINT ${delay} ms into training, stopped after step ${m[1]}, exit 130`);
    }
    const last = await pretrain(['--resume', join(run, 'last.pt')]);
    if (last.code !== 0) throw new Error(`the final resume failed:\n${last.out.slice(-2000)}`);

    // Same weights, every step once with the same loss, no temporary file.
    const a = readCheckpoint(join(reference, 'last.pt'));
    const b = readCheckpoint(join(run, 'last.pt'));
    const differing = Object.keys(a.model).filter((k) => !a.model[k].equal(b.model[k]));
    if (differing.length > 0) problems.push(`weights differ from the uninterrupted run: ${differing.join(', ')}`);
    const want = stepLosses(reference);
    const got = stepLosses(run);
    for (const [step, losses] of want) {
      const g = got.get(step);
      if (g === undefined) problems.push(`step ${step} is missing from metrics.jsonl`);
      else if (g.length !== 1) problems.push(`step ${step} is logged ${g.length} times`);
      else if (g[0] !== losses[0]) problems.push(`step ${step}: loss ${g[0]}, uninterrupted ${losses[0]}`);
    }
    if (got.size !== want.size) problems.push(`metrics.jsonl has ${got.size} steps, the uninterrupted run ${want.size}`);
    const tmp = readdirSync(run).filter((f) => f.includes('.tmp-'));
    if (tmp.length > 0) problems.push(`temporary files left: ${tmp.join(', ')}`);
    console.log(
      `${stoppedAt.length} interrupts (after steps ${stoppedAt.join(', ')}), resumed each time; final step ${b.step} of ${a.step}; ` +
        `${Object.keys(a.model).length} weight tensors ${differing.length === 0 ? 'equal' : 'NOT equal'} to the uninterrupted run's; ` +
        `${got.size} steps logged once each ${problems.length === 0 ? 'with the same losses' : ''}; run folder: ${readdirSync(run).sort().join(' ')}; ` +
        `${((performance.now() - t0) / 1000).toFixed(0)} s in all`,
    );
    for (const p of problems) console.log(`PROBLEM: ${p}`);
    console.log(problems.length === 0 ? 'soak test passed' : 'soak test FAILED');
    return problems.length === 0 ? 0 : 1;
  } finally {
    if (values.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
