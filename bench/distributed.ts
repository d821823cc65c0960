/**
 * Distributed speed against Python PyTorch in the same run, 2 ranks on this
 * machine over loopback (Gloo, one thread per rank): all-reduce time for
 * 1 KiB to 64 MiB (TypeScript over Python, and the bandwidth), and the DDP
 * step overhead (a DDP step over a plain step, in each language).
 *
 *   npm run bench -- distributed [--quick]
 *
 * Run without RANK it launches the ranks itself (TypeScript: this file with
 * RANK set; Python: bench/python/distributed.py) and prints the table.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { referencePython } from '../scripts/reference-python.js';
import * as torch from '../lib/torch/index.js';

const SIZES = [1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24, 1 << 26];
const quick = process.argv.includes('--quick');

/** Iterations for a message size (fewer for big ones), the same on every rank. */
function iterations(bytes: number): number {
  return Math.max(quick ? 3 : 5, Math.min(quick ? 50 : 200, Math.round((1 << 28) / bytes)));
}

interface RankResult {
  allreduceMs: Record<string, number>;
  plainStepMs: number;
  ddpStepMs: number;
}

async function worker(): Promise<RankResult> {
  const dist = torch.distributed;
  const { nn } = torch;
  torch.setNumThreads(1);
  await dist.initProcessGroup({ backend: 'gloo' });
  const allreduceMs: Record<string, number> = {};
  for (const bytes of SIZES) {
    const t = torch.ones([bytes / 4]);
    for (let i = 0; i < 3; i++) dist.allReduce(t);
    const n = iterations(bytes);
    dist.barrier();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) dist.allReduce(t);
    allreduceMs[bytes] = (performance.now() - t0) / n;
    t.dispose();
  }
  // DDP step overhead: the same MLP step, plain then wrapped (both ranks step together).
  torch.manualSeed(0);
  const net = new nn.Sequential(new nn.Linear(256, 1024), new nn.ReLU(), new nn.Linear(1024, 1024), new nn.ReLU(), new nn.Linear(1024, 256));
  const x = torch.randn([64, 256]);
  const y = torch.randn([64, 256]);
  const time = (model: torch.nn.Module & { call(x: torch.Tensor): torch.Tensor }): number => {
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01 });
    const step = () =>
      torch.tidy(() => {
        opt.zeroGrad();
        nn.functional.mseLoss(model.call(x), y).backward();
        opt.step();
      });
    for (let i = 0; i < 3; i++) step();
    dist.barrier();
    const steps = quick ? 10 : 30;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    return (performance.now() - t0) / steps;
  };
  const plainStepMs = time(net as never);
  const ddpStepMs = time(new nn.parallel.DistributedDataParallel(net) as never);
  await dist.destroyProcessGroup();
  return { allreduceMs, plainStepMs, ddpStepMs };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

/** Runs 2 ranks of `cmd args`; resolves with rank 0's JSON result. */
async function group(cmd: string, args: string[]): Promise<RankResult> {
  const port = await freePort();
  const outs = await Promise.all(
    [0, 1].map(
      (rank) =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(cmd, args, {
            env: { ...process.env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), RANK: String(rank), WORLD_SIZE: '2', OMP_NUM_THREADS: '1' },
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} rank ${rank} exited with ${code}`))));
        }),
    ),
  );
  const lines = outs[0].trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as RankResult;
}

function human(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes / 1024} KiB`;
}

async function main(): Promise<void> {
  if (process.env.RANK !== undefined) {
    console.log(JSON.stringify(await worker()));
    return;
  }
  const self = fileURLToPath(import.meta.url);
  const pyScript = fileURLToPath(new URL('./python/distributed.py', import.meta.url));
  const flags = quick ? ['--quick'] : [];
  const ts = await group(process.execPath, ['--import', 'tsx', self, ...flags]);
  const py = await group(referencePython(), [pyScript, ...flags]);
  console.log('all-reduce, 2 ranks, Gloo over loopback (float32, sum)');
  console.log('size        TS ms     Python ms  TS/Python  TS GB/s');
  for (const bytes of SIZES) {
    const a = ts.allreduceMs[bytes];
    const b = py.allreduceMs[bytes];
    console.log(
      `${human(bytes).padEnd(10)}  ${a.toFixed(3).padStart(8)}  ${b.toFixed(3).padStart(9)}  ${(a / b).toFixed(2).padStart(9)}  ${(bytes / a / 1e6).toFixed(2).padStart(7)}`,
    );
  }
  console.log('\nDDP step overhead (MLP 256-1024-1024-256, 1.6M parameters, batch 64 per rank, SGD)');
  console.log(`TypeScript: plain ${ts.plainStepMs.toFixed(2)} ms, DDP ${ts.ddpStepMs.toFixed(2)} ms, DDP/plain ${(ts.ddpStepMs / ts.plainStepMs).toFixed(2)}`);
  console.log(`Python:     plain ${py.plainStepMs.toFixed(2)} ms, DDP ${py.ddpStepMs.toFixed(2)} ms, DDP/plain ${(py.ddpStepMs / py.plainStepMs).toFixed(2)}`);
  console.log(`TS DDP step / Python DDP step: ${(ts.ddpStepMs / py.ddpStepMs).toFixed(2)}`);
}

await main();
