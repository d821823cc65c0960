/**
 * Op overhead: loops of small ops (8x8 float tensors, indexing, a small MLP
 * forward + backward + update) timed from TypeScript and, in the same run, in
 * Python PyTorch (bench/python/ops.py) with the same intra-op thread count.
 * Prints microseconds per op for both and the ratio TS/Python, at 1 thread
 * and at the machine's default (one per core).
 *
 *   npx tsx bench/ops.ts [--scale 1] [--repeats 5] [--rounds 2] [--threads 1,16]
 *
 * The Python is the one whose torch the addon links (scripts/reference-python.ts;
 * TORCH_REF_PYTHON overrides it): the same libtorch on both sides.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { referencePython } from '../scripts/reference-python.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = referencePython();

interface Options {
  scale: number;
  repeats: number;
  threads: number[];
  rounds: number;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const cores = availableParallelism();
  const threads = (get('threads') ?? (cores > 1 ? `1,${cores}` : '1')).split(',').map(Number);
  for (const t of threads) if (!Number.isInteger(t) || t < 1) throw new RangeError(`--threads expects positive integers, got ${get('threads')}`);
  const rounds = Number(get('rounds') ?? 2);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds expects a positive integer, got ${get('rounds')}`);
  return { scale: Number(get('scale') ?? 1), repeats: Number(get('repeats') ?? 5), threads, rounds };
}

/** Iterations per op (before --scale). */
const ITERS: Record<string, number> = {
  add: 20000,
  mul_scalar: 20000,
  matmul: 20000,
  tanh: 20000,
  sum: 20000,
  softmax: 20000,
  index_basic: 10000,
  index_tensor: 10000,
  index_mask: 10000,
  zeros: 20000,
  item: 20000,
  chain5: 5000,
  mlp_step: 2000,
};

const DESCRIBE: Record<string, string> = {
  add: 'a + b (8x8)',
  mul_scalar: 'a * 0.5',
  matmul: 'a @ b (8x8)',
  tanh: 'tanh(a)',
  sum: 'a.sum()',
  softmax: 'softmax(a, -1)',
  index_basic: 'a[1, 2:6]',
  index_tensor: 'a[idx] (4 rows)',
  index_mask: 'a[a > 0]',
  zeros: 'zeros(8, 8)',
  item: 'v.sum().item()',
  chain5: '((a+b)*0.5 @ b).relu().sum()',
  mlp_step: 'MLP 32-64-10 fwd+bwd+SGD, batch 16',
};

function makeOps(): Record<string, () => void> {
  torch.manualSeed(0);
  const keep = <T extends Tensor>(t: T) => torch.keep(t);
  const a = keep(torch.randn(8, 8));
  const b = keep(torch.randn(8, 8));
  const v = keep(torch.randn(64));
  const idx = keep(torch.tensor([0, 3, 5, 7]));
  const mask = keep(a.gt(0));
  const x = keep(torch.randn(16, 32));
  const target = keep(torch.randint(0, 10, [16]).unsqueeze(1));
  const w1 = keep(torch.randn(32, 64).mul(0.1).requiresGrad_());
  const b1 = keep(torch.zeros([64], { requiresGrad: true }));
  const w2 = keep(torch.randn(64, 10).mul(0.1).requiresGrad_());
  const params = [w1, b1, w2];
  // Each op disposes its result, as Python's refcounting frees it.
  const once = (f: () => Tensor) => () => f().dispose();
  return {
    add: once(() => a.add(b)),
    mul_scalar: once(() => a.mul(0.5)),
    matmul: once(() => a.matmul(b)),
    tanh: once(() => a.tanh()),
    sum: once(() => a.sum()),
    softmax: once(() => a.softmax(-1)),
    index_basic: once(() => a.index(1, '2:6')),
    index_tensor: once(() => a.index(idx)),
    index_mask: once(() => a.index(mask)),
    zeros: once(() => torch.zeros(8, 8)),
    item: () => {
      const s = v.sum();
      s.item();
      s.dispose();
    },
    chain5: () => torch.tidy(() => a.add(b).mul(0.5).matmul(b).relu().sum()).dispose(),
    mlp_step: () =>
      torch.tidy(() => {
        const h = x.matmul(w1).add(b1).relu();
        const logp = h.matmul(w2).logSoftmax(-1);
        const loss = logp.gather(1, target).mean().neg();
        loss.backward();
        torch.noGrad(() => {
          for (const p of params) {
            const g = p.grad as Tensor;
            p.sub_(g.mul(0.01));
            p.grad = null;
          }
        });
      }),
  };
}

function timeTs(fn: () => void, n: number, repeats: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) fn();
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  return best;
}

function timePython(
  threads: number,
  iters: Record<string, number>,
  repeats: number,
  warmup: number,
): { version: string; threads: number; us: Record<string, number> } {
  const r = spawnSync(PYTHON, [path.join(HERE, 'python', 'ops.py')], {
    input: JSON.stringify({ threads, iters, repeats, warmup }),
    encoding: 'utf8',
    env: { ...process.env, PYTHONHASHSEED: '0', OMP_NUM_THREADS: String(threads) },
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`bench/python/ops.py failed (${PYTHON}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

export function main(argv = process.argv.slice(2)): void {
  const opts = parseArgs(argv);
  const iters = Object.fromEntries(Object.entries(ITERS).map(([k, n]) => [k, Math.max(10, Math.round(n * opts.scale))]));
  const ops = makeOps();
  const defaultThreads = torch.getNumThreads();
  console.log(
    `op overhead: TS (libtorch ${torch.version} via the addon, node ${process.version}) vs Python (${PYTHON}); best of ${opts.repeats} x ${opts.rounds} alternating rounds`,
  );
  const ratios: number[] = [];
  try {
    for (const threads of opts.threads) {
      torch.setNumThreads(threads);
      // Rounds alternate the two sides, so that a slow spell of the machine
      // does not fall on one side only; each side keeps its best time.
      const warmup = Math.min(200, ...Object.values(iters));
      const tsBest: Record<string, number> = {};
      const py = timePython(threads, iters, opts.repeats, warmup);
      for (let round = 0; round < opts.rounds; round++) {
        if (round > 0) {
          const again = timePython(threads, iters, opts.repeats, warmup);
          for (const k of Object.keys(py.us)) py.us[k] = Math.min(py.us[k], again.us[k]);
        }
        for (const [name, n] of Object.entries(iters)) {
          tsBest[name] = Math.min(tsBest[name] ?? Infinity, timeTs(ops[name], n, opts.repeats, Math.min(200, n)));
        }
      }
      const rows: string[][] = [];
      const tsTotal: number[] = [];
      for (const name of Object.keys(iters)) {
        const ts = tsBest[name];
        const p = py.us[name];
        ratios.push(ts / p);
        tsTotal.push(ts / p);
        rows.push([name, DESCRIBE[name], ts.toFixed(2), p.toFixed(2), (ts / p).toFixed(2)]);
      }
      const geo = Math.exp(tsTotal.reduce((s, r) => s + Math.log(r), 0) / tsTotal.length);
      console.log(`\nthreads: TS ${torch.getNumThreads()}, Python ${py.threads} (torch ${py.version})`);
      const head = ['op', 'what', 'TS us/op', 'Py us/op', 'TS/Py'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
      console.log(line(head));
      for (const r of rows) console.log(line(r));
      console.log(`geometric mean TS/Py: ${geo.toFixed(2)}`);
    }
  } finally {
    torch.setNumThreads(defaultThreads);
  }
  const all = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
  console.log(`\noverall geometric mean TS/Py: ${all.toFixed(2)}`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
