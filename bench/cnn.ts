/**
 * The ResNet example's training step (examples/resnet.ts: conv, batch norm,
 * pooling, residual blocks; forward, backward, SGD) against the same model in
 * Python PyTorch, same machine, threads and batch, in the same run.
 *
 *   npm run bench -- cnn [--steps N] [--threads N]
 */
import { referencePython } from '../scripts/reference-python.js';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import { ResNet, makeOptimizer } from '../examples/resnet.js';

interface Case {
  batch: number;
  size: number;
  steps: number;
  warmup: number;
  optimizer: 'sgd' | 'adam';
}

function argNum(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function tsStep(c: Case, threads: number): number {
  torch.setNumThreads(threads);
  torch.manualSeed(0);
  const model = new ResNet();
  model.train();
  const opt = makeOptimizer(model, { optimizer: c.optimizer });
  const x = torch.rand([c.batch, 1, c.size, c.size]);
  const y = torch.randint(0, 4, [c.batch]);
  const step = () =>
    torch.tidy(() => {
      opt.zeroGrad();
      const loss = torch.nn.functional.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss.item();
    });
  for (let i = 0; i < c.warmup; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < c.steps; i++) step();
  const sec = (performance.now() - t0) / 1000 / c.steps;
  torch.dispose([x, y]);
  return sec;
}

function pyStep(c: Case, threads: number): number {
  const script = fileURLToPath(new URL('./python/cnn.py', import.meta.url));
  const r = spawnSync(referencePython(), [script], {
    input: JSON.stringify({ ...c, threads }),
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
  });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return (JSON.parse(r.stdout.trim().split('\n').pop() as string) as { secPerStep: number }).secPerStep;
}

export function main(): void {
  const threads = argNum('threads', availableParallelism());
  const steps = argNum('steps', 20);
  console.log(`ResNet example training step, ${threads} threads (libtorch ${torch.version})`);
  for (const c of [
    { batch: 32, size: 16, steps, warmup: 3, optimizer: 'sgd' },
    { batch: 64, size: 32, steps: Math.max(3, Math.round(steps / 2)), warmup: 2, optimizer: 'sgd' },
  ] as Case[]) {
    const py = pyStep(c, threads);
    const ts = tsStep(c, threads);
    console.log(
      `batch ${c.batch} x 1 x ${c.size} x ${c.size}, ${c.optimizer}: python ${(py * 1000).toFixed(2)} ms/step | ts ${(ts * 1000).toFixed(2)} ms/step (ts/python ${(ts / py).toFixed(2)}x)`,
    );
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
