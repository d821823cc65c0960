/**
 * One rank of a distributed test: `node --import tsx test/80-distributed-worker.ts <scenario>`
 * with torchrun's environment (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE).
 * Prints its result as JSON on the last line of stdout. test/python/distributed_ref.py
 * runs the same scenarios with Python's torch.distributed, so a test can run
 * them all-Python, all-TypeScript, or mixed in one group.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';

const dist = torch.distributed;
const { nn, optim } = torch;

const scenario = process.argv[2];
const timeout = Number(process.env.TN_DIST_TIMEOUT_MS ?? 20_000);
const f32 = (data: number[]) => torch.tensor(data, { dtype: 'float32' });
const list = (t: Tensor) => t.tolist();

/** Every collective, with inputs made from the rank; results as lists. */
async function collectives(): Promise<Record<string, unknown>> {
  const r = dist.getRank();
  const n = dist.getWorldSize();
  const out: Record<string, unknown> = {};
  const base = () => f32([0, 1, 2, 3].map((i) => i * (r + 1) + r + 0.5));
  for (const op of ['sum', 'avg', 'max', 'min', 'product'] as const) {
    const t = base();
    dist.allReduce(t, { op });
    out[`allReduce_${op}`] = list(t);
  }
  const ints = torch.tensor([r, 10 * r, 7], { dtype: 'int64' });
  dist.allReduce(ints);
  out.allReduce_int64 = list(ints);
  const b = f32([r, r, r]);
  dist.broadcast(b, n - 1);
  out.broadcast = list(b);
  const red = base();
  dist.reduce(red, 0, { op: 'max' });
  if (r === 0) out.reduce = list(red);
  const gathered = Array.from({ length: n }, () => torch.zeros([2]));
  dist.allGather(gathered, f32([r, r * r]));
  out.allGather = gathered.map(list);
  const rs = torch.zeros([2]);
  dist.reduceScatter(
    rs,
    Array.from({ length: n }, (_, i) => f32([10 * r + i, i - r])),
  );
  out.reduceScatter = list(rs);
  const g = f32([r + 1, -r]);
  if (r === n - 1) {
    const gl = Array.from({ length: n }, () => torch.zeros([2]));
    dist.gather(g, { gatherList: gl, dst: n - 1 });
    out.gather = gl.map(list);
  } else {
    dist.gather(g, { dst: n - 1 });
  }
  const sc = torch.zeros([3]);
  if (r === 0) dist.scatter(sc, { scatterList: Array.from({ length: n }, (_, i) => f32([i, 2 * i, 3 * i])), src: 0 });
  else dist.scatter(sc, { src: 0 });
  out.scatter = list(sc);
  // A ring: post the send, receive from the left, then wait for the send.
  const sent = dist.send(f32([100 + r]), (r + 1) % n, { asyncOp: true, tag: 3 });
  const got = torch.zeros([1]);
  dist.recv(got, (r + n - 1) % n, { tag: 3 });
  sent.waitSync();
  out.ring = list(got);
  dist.barrier();
  // An async all-reduce: the event loop keeps running while it is waited on.
  const big = torch.ones([1 << 20]).mul(r + 1);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const work = dist.allReduce(big, { asyncOp: true });
  await work.wait();
  clearInterval(timer);
  out.asyncSum = big.sum().item();
  out.asyncCompleted = work.isCompleted();
  out.ticksWhileWaiting = ticks > 0;
  // A subgroup of the first and last rank.
  const sub = await dist.newGroup({ ranks: [0, n - 1] });
  if (sub !== null) {
    const s = f32([r]);
    dist.allReduce(s, { group: sub });
    out.subgroup = list(s);
    out.subgroupRank = dist.getRank(sub);
  }
  return out;
}

/** Deterministic data both languages compute exactly: rows [start, start + count). */
function data(start: number, count: number): { x: Tensor; y: Tensor } {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = start; i < start + count; i++) {
    for (let j = 0; j < 8; j++) x.push(((i * 7 + j * 13) % 17) / 17 - 0.5);
    for (let k = 0; k < 4; k++) y.push(((i * 5 + k * 3) % 11) / 11 - 0.5);
  }
  return { x: torch.tensor(x, { dtype: 'float32' }).reshape([count, 8]), y: torch.tensor(y, { dtype: 'float32' }).reshape([count, 4]) };
}

class Net extends nn.Module {
  fc1 = new nn.Linear(8, 16);
  act = new nn.Tanh();
  fc2 = new nn.Linear(16, 4);
  unused: InstanceType<typeof nn.Linear> | undefined;
  constructor(withUnused: boolean) {
    super();
    if (withUnused) this.unused = new nn.Linear(4, 4);
  }
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.act.call(this.fc1.call(x)));
  }
}

/**
 * Trains Net for 20 steps of TN_TOTAL_BATCH (default 32) rows split over the ranks (SGD, momentum),
 * through DDP when the world has more than one rank (one process trains the
 * plain module: the reference). Mode 'nosync' splits each
 * rank's rows in two micro-batches, the first under noSync. Returns the final
 * weights and, for DDP, rank 0's initial weights as this rank saw them.
 */
function train(mode: string): Record<string, unknown> {
  torch.manualSeed(1234 + dist.getRank()); // different on each rank: DDP must broadcast rank 0's weights
  const net = new Net(mode === 'unused');
  const n = dist.getWorldSize();
  const r = dist.getRank();
  // One process trains the plain module (the reference); more wrap it in DDP.
  const ddp = n > 1 ? new nn.parallel.DistributedDataParallel(net, { findUnusedParameters: mode === 'unused' }) : undefined;
  const model = ddp ?? net;
  const noSync = <T>(fn: () => T): T => (ddp ? ddp.noSync(fn) : fn());
  const initial = Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]) => [k, v.tolist()]));
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const total = Number(process.env.TN_TOTAL_BATCH ?? 32);
  const per = total / n;
  for (let step = 0; step < 20; step++) {
    torch.tidy(() => {
      opt.zeroGrad();
      const { x, y } = data(step * total + r * per, per);
      if (mode === 'nosync') {
        const half = per / 2;
        noSync(() =>
          nn.functional
            .mseLoss(model.call(x.slice(0, 0, half)), y.slice(0, 0, half))
            .div(2)
            .backward(),
        );
        nn.functional
          .mseLoss(model.call(x.slice(0, half, per)), y.slice(0, half, per))
          .div(2)
          .backward();
      } else {
        nn.functional.mseLoss(model.call(x), y).backward();
      }
      opt.step();
    });
  }
  const final = Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]) => [k, v.tolist()]));
  return { initial, final, ddpKeys: Object.keys(model.stateDict()), moduleIsNet: ddp === undefined || ddp.module === net };
}

/**
 * All-reduces a counter until a collective fails (for the fault tests: another
 * rank dies or stalls); prints the error and how long the failing call took.
 */
function loop(): { error: string; ms: number } {
  const t = f32([1]);
  for (let i = 0; ; i++) {
    if (dist.getRank() === Number(process.env.TN_STALL_RANK ?? -1) && i === 5) {
      console.log(JSON.stringify({ stalled: true }));
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000); // busy elsewhere, never arrives
    }
    if (i === 5) console.log(JSON.stringify({ running: true }));
    const t0 = Date.now();
    try {
      dist.allReduce(t);
    } catch (e) {
      return { error: (e as Error).message, ms: Date.now() - t0 };
    }
  }
}

async function main(): Promise<void> {
  await dist.initProcessGroup({ backend: 'gloo', timeout });
  let result: unknown;
  if (scenario === 'collectives') result = await collectives();
  else if (scenario === 'train' || scenario === 'nosync' || scenario === 'unused') result = train(scenario);
  else if (scenario === 'loop') {
    console.log(JSON.stringify(loop()));
    // Rank 0 hosts the store: with TN_LINGER_MS it keeps it up that long, as a
    // launcher's agent would, so the others can still read it to explain their failure.
    const linger = Number(process.env.TN_LINGER_MS ?? 0);
    if (dist.getRank() === 0 && linger > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, linger);
    process.exit(1);
  } else throw new Error(`unknown scenario ${scenario}`);
  console.log(JSON.stringify(result));
  // Under torchrun (whose output is shared), the test reads each rank's result from a file.
  if (process.env.TN_RESULT_DIR) writeFileSync(join(process.env.TN_RESULT_DIR, `rank${dist.getRank()}.json`), JSON.stringify(result));
  await dist.destroyProcessGroup();
}

await main();
