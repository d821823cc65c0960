/**
 * Multi-process helpers for the distributed tests: free ports, and launching
 * a group of ranks (TypeScript workers, Python workers, or both in one group)
 * with torchrun's environment. Every child is killed when its run ends or
 * times out, and by {@link killAll} in an `after` hook.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { referencePython } from '../scripts/reference-python.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The TypeScript worker (test/80-distributed-worker.ts). */
export const TS_WORKER = join(here, '80-distributed-worker.ts');
/** The Python worker (test/python/distributed_ref.py). */
export const PY_WORKER = join(here, 'python', 'distributed_ref.py');
export const ROOT = join(here, '..');

/** A port nobody listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();

/** Kills every child still running (for `after` hooks). */
export function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

/** What one rank did. */
export interface RankRun {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON (undefined when it is not JSON). */
  result: unknown;
  /** Milliseconds from launch to exit. */
  ms: number;
}

/** Which language runs each rank. */
export type Lang = 'ts' | 'py';

/** The command that runs a worker in `lang` with `args`. */
export function workerCommand(lang: Lang, args: string[]): [string, string[]] {
  return lang === 'ts' ? [process.execPath, ['--import', 'tsx', TS_WORKER, ...args]] : [referencePython(), [PY_WORKER, ...args]];
}

/** Options of {@link launch}. */
export interface LaunchOptions {
  /** Extra environment for every rank. */
  env?: NodeJS.ProcessEnv;
  /** Kill every rank after this long. Default 90 s. */
  timeoutMs?: number;
  /** Called with each rank's child once started (to kill one mid-run, ...). */
  onStart?: (rank: number, child: ChildProcess) => void;
}

/**
 * Runs one group: rank i runs `langs[i]`'s worker with `args`, the env://
 * variables pointing at a fresh port. Resolves when every rank has exited.
 */
export async function launch(langs: Lang[], args: string[], opts: LaunchOptions = {}): Promise<RankRun[]> {
  const port = await freePort();
  const started = Date.now();
  const runs = langs.map(
    (lang, rank) =>
      new Promise<RankRun>((resolve) => {
        const [cmd, argv] = workerCommand(lang, args);
        const child = spawn(cmd, argv, {
          cwd: ROOT,
          env: {
            ...process.env,
            MASTER_ADDR: '127.0.0.1',
            MASTER_PORT: String(port),
            RANK: String(rank),
            LOCAL_RANK: String(rank),
            WORLD_SIZE: String(langs.length),
            OMP_NUM_THREADS: '1',
            PYTHONDONTWRITEBYTECODE: '1',
            ...opts.env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        live.add(child);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
        opts.onStart?.(rank, child);
        child.on('exit', (code, signal) => {
          clearTimeout(timer);
          live.delete(child);
          const lines = stdout.trim().split('\n');
          let result: unknown;
          try {
            result = JSON.parse(lines[lines.length - 1]);
          } catch {
            result = undefined;
          }
          resolve({ rank, code, signal, stdout, stderr, result, ms: Date.now() - started });
        });
      }),
  );
  return Promise.all(runs);
}

/** Throws with every rank's output unless all exited with 0. */
export function expectAllOk(runs: RankRun[]): void {
  const bad = runs.filter((r) => r.code !== 0);
  if (bad.length > 0) {
    throw new Error(bad.map((r) => `rank ${r.rank} exited with ${r.code ?? r.signal}:\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-1000)}`).join('\n'));
  }
}
