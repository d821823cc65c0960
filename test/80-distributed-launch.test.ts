/**
 * Launching with PyTorch's own torchrun: `torchrun --nproc_per_node 2
 * --no_python node --import tsx <worker>` on one node, and (as root, where
 * `ip netns` works) two "nodes" in network namespaces of their own joined by
 * a veth pair, rendezvousing through `--rdzv_endpoint`
 * (scripts/distributed-two-node.sh). Both train the DDP scenario and must end
 * with the weights of one process training on the whole batch.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expectAllOk, freePort, killAll, launch, ROOT, TS_WORKER } from './80-distributed-helpers.js';
import { referencePython } from '../scripts/reference-python.js';

interface TrainResult {
  final: Record<string, number[] | number[][]>;
}

const TORCHRUN = join(dirname(referencePython()), 'torchrun');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, OMP_NUM_THREADS: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

function maxDiff(a: TrainResult, b: TrainResult): number {
  let d = 0;
  for (const k of Object.keys(b.final)) {
    const x = [a.final[k]].flat(2) as number[];
    const y = [b.final[k]].flat(2) as number[];
    x.forEach((v, i) => (d = Math.max(d, Math.abs(v - y[i]))));
  }
  return d;
}

function results(dir: string): TrainResult[] {
  return [0, 1].map((r) => JSON.parse(readFileSync(join(dir, `rank${r}.json`), 'utf8')) as TrainResult);
}

describe('launching with torchrun', function () {
  this.timeout(240_000);
  let single: TrainResult;
  const dirs: string[] = [];
  after(() => {
    killAll();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  before(async function () {
    if (!existsSync(TORCHRUN)) this.skip();
    const runs = await launch(['ts'], ['train']);
    expectAllOk(runs);
    single = runs[0].result as TrainResult;
  });

  it('torchrun --nproc_per_node 2 --no_python runs a TypeScript script (DDP equals one process)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tn-torchrun-'));
    dirs.push(dir);
    const port = await freePort();
    const r = await run(
      TORCHRUN,
      [
        '--nnodes',
        '1',
        '--nproc_per_node',
        '2',
        '--master_addr',
        '127.0.0.1',
        '--master_port',
        String(port),
        '--no_python',
        process.execPath,
        '--import',
        'tsx',
        TS_WORKER,
        'train',
      ],
      { TN_RESULT_DIR: dir },
      120_000,
    );
    expect(r.code, r.out.slice(-3000)).to.equal(0);
    const [a, b] = results(dir);
    expect(maxDiff(a, single)).to.be.below(1e-5);
    expect(b.final).to.deep.equal(a.final);
  });

  it('two nodes (network namespaces, torchrun --nnodes 2 --rdzv_endpoint): DDP equals one process', async function () {
    const canNetns = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status === 0;
    if (!canNetns) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'tn-two-node-'));
    dirs.push(dir);
    const port = await freePort();
    const r = await run(
      'bash',
      [join(ROOT, 'scripts', 'distributed-two-node.sh'), '--', process.execPath, '--import', 'tsx', TS_WORKER, 'train'],
      { TN_RESULT_DIR: dir, PORT: String(port), TORCHRUN },
      200_000,
    );
    expect(r.code, r.out.slice(-3000)).to.equal(0);
    const [a, b] = results(dir);
    expect(maxDiff(a, single)).to.be.below(1e-5);
    expect(b.final).to.deep.equal(a.final);
  });
});
