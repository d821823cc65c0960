/**
 * Training-step speed against Python PyTorch, same machine, same threads,
 * same batch: the course-exact step (full-vocabulary MLM logits) in both, for
 * the course and mini presets, and this project's default fast path (MLM
 * logits at masked positions only) against the course-exact Python step.
 *
 *   npm run bench -- train [--steps N] [--threads N]
 */
import { referencePython } from '../scripts/reference-python.js';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import { BERT, PAD_IDX, presetConfig } from '../lib/bert/model.js';

interface Case {
  preset: 'course' | 'mini';
  vocab: number;
  seqLen: number;
  batch: number;
  steps: number;
  warmup: number;
}

function argNum(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function tsStep(c: Case, threads: number, fast: boolean): number {
  torch.setNumThreads(threads);
  torch.manualSeed(0);
  const cfg = presetConfig(c.preset, c.vocab);
  const model = new BERT(cfg);
  model.train();
  const params = model.parameters();
  const opt = new torch.optim.Adam(params, { lr: 1e-4, betas: [0.9, 0.999], weightDecay: 0.01 });
  const nspFn = new torch.nn.CrossEntropyLoss();
  const mlmFn = new torch.nn.CrossEntropyLoss({ ignoreIndex: PAD_IDX });
  const [x, seg, labels, isNext] = torch.tidy(() => {
    const x = torch.randint(5, c.vocab, [c.seqLen, c.batch]);
    x.indexPut_([`${c.seqLen - 4}:`, `:${c.batch / 2}`], PAD_IDX);
    const seg = torch.where(x.eq(PAD_IDX), 0, 1);
    const labels = torch.where(torch.rand([c.seqLen, c.batch]).lt(0.15), x, 0);
    return [x, seg, labels, torch.randint(0, 2, [c.batch])];
  });
  const step = () =>
    torch.tidy(() => {
      opt.zeroGrad();
      let loss: torch.Tensor;
      if (fast) {
        const [nsp, mlm, targets] = model.forwardMasked(x, seg, labels);
        loss = nspFn.forward(nsp, isNext).add(mlmFn.forward(mlm, targets));
      } else {
        const [nsp, mlm] = model.forward(x, seg);
        loss = nspFn.forward(nsp, isNext).add(mlmFn.forward(mlm.view(-1, c.vocab), labels.view(-1)));
      }
      loss.backward();
      torch.nn.utils.clipGradNorm_(params, 1.0);
      opt.step();
      return loss.item();
    });
  for (let i = 0; i < c.warmup; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < c.steps; i++) step();
  const sec = (performance.now() - t0) / 1000 / c.steps;
  torch.dispose([x, seg, labels, isNext]);
  opt.dispose?.();
  return sec;
}

function pyStep(c: Case, threads: number): number {
  const cfg = presetConfig(c.preset, c.vocab);
  const script = fileURLToPath(new URL('./python/train_course.py', import.meta.url));
  const r = spawnSync(referencePython(), [script], {
    input: JSON.stringify({ ...cfg, vocab: c.vocab, seqLen: c.seqLen, batch: c.batch, steps: c.steps, warmup: c.warmup, threads }),
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return (JSON.parse(r.stdout.trim().split('\n').pop() as string) as { secPerStep: number }).secPerStep;
}

export function main(): void {
  const threads = argNum('threads', availableParallelism());
  const steps = argNum('steps', 30);
  const cases: Case[] = [
    { preset: 'course', vocab: 20000, seqLen: 64, batch: 32, steps, warmup: 5 },
    { preset: 'mini', vocab: 20000, seqLen: 64, batch: 32, steps: Math.max(3, Math.round(steps / 5)), warmup: 2 },
  ];
  console.log(`training step, ${threads} threads, batch 32 x 64 tokens, vocabulary 20000 (libtorch ${torch.version})`);
  for (const c of cases) {
    const py = pyStep(c, threads);
    const exact = tsStep(c, threads, false);
    const fast = tsStep(c, threads, true);
    console.log(
      `${c.preset.padEnd(6)} python course-exact ${(py * 1000).toFixed(2)} ms/step | ts course-exact ${(exact * 1000).toFixed(2)} ms/step ` +
        `(python/ts ${(py / exact).toFixed(2)}x) | ts fast path ${(fast * 1000).toFixed(2)} ms/step (python exact / ts fast ${(py / fast).toFixed(2)}x)`,
    );
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
