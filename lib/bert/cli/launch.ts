/**
 * How the pretrain command gets its signals and its processes:
 *
 * - `--nproc-per-node N`: the same command on N processes of this machine,
 *   launched by PyTorch's own torchrun (`--standalone`, `--no_python`);
 * - under tsx's CLI (`npx tsx lib/bert/cli/pretrain.ts`): tsx's parent
 *   process kills a child that does not acknowledge a signal within 30 ms,
 *   which a training step never does, so the command runs itself again under
 *   plain `node --import tsx` and stays, idle, in between.
 *
 * In both cases this process waits, forwards SIGINT/SIGTERM (once per press:
 * npm or a terminal may deliver two copies) and exits with the child's status.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** The environment torchrun gives its workers: this process is one of them. */
export function underTorchrun(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TORCHELASTIC_RUN_ID !== undefined || (env.WORLD_SIZE !== undefined && env.RANK !== undefined);
}

/** This process is the child of tsx's CLI (it preloads tsx's preflight script). */
export function underTsxCli(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.some((a) => /[\\/]tsx[\\/]dist[\\/]preflight\.cjs$/.test(a));
}

/** Node's flags that load TypeScript: tsx's loader, by absolute URL (so any working folder will do). */
export function tsxImport(): string[] {
  return ['--import', import.meta.resolve('tsx')];
}

/**
 * torchrun: `TORCHRUN` (only it, when set), else in the Python environment whose torch the
 * addon loaded (the project's .venv, or the environment of a pip-installed
 * torch), else on PATH.
 * @throws Error saying how to install it when there is none.
 */
export function findTorchrun(env: NodeJS.ProcessEnv = process.env, torchLibdir: string | undefined = loadedTorchLibdir()): string {
  if (env.TORCHRUN) {
    if (!existsSync(env.TORCHRUN)) throw new Error(`TORCHRUN names ${env.TORCHRUN}, which does not exist`);
    return env.TORCHRUN;
  }
  const candidates: string[] = [];
  // <env>/lib/pythonX.Y/site-packages/torch/lib/libc10.so -> <env>/bin/torchrun
  if (torchLibdir !== undefined) {
    let dir = torchLibdir;
    for (let up = 0; up < 6; up++, dir = dirname(dir)) candidates.push(join(dir, 'bin', 'torchrun'));
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'torchrun'));
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) {
    throw new Error(
      "--nproc-per-node needs torchrun, PyTorch's launcher, and none was found (not in TORCHRUN, in the Python environment of the loaded libtorch, or on PATH); " +
        'it comes with PyTorch: `bash scripts/setup.sh` installs it into .venv (or `pip install torch`)',
    );
  }
  return found;
}

/** The folder of the libtorch this process loaded (from /proc/self/maps), or undefined. */
function loadedTorchLibdir(): string | undefined {
  try {
    const m = /\s(\/\S*)\/libc10\.so\s*$/m.exec(readFileSync('/proc/self/maps', 'utf8'));
    return m?.[1];
  } catch {
    return undefined;
  }
}

/** Copies of one signal closer together than this are one press of Ctrl-C (npm forwards its own copy). */
const SAME_PRESS_MS = 300;

/**
 * Runs `cmd args` and waits for it, forwarding SIGINT and SIGTERM (one per
 * press); resolves to its exit status (128 + the signal's number when a
 * signal ended it, or when one was forwarded and it failed).
 * @param detached start it in a process group of its own, so that a terminal's Ctrl-C reaches it only through this process.
 */
export function runRelayed(cmd: string, args: readonly string[], opts: { detached?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  const child = spawn(cmd, args, { stdio: 'inherit', detached: opts.detached ?? false, env: opts.env ?? process.env });
  let last: { sig: NodeJS.Signals; at: number } | null = null;
  const forward = (sig: NodeJS.Signals): void => {
    const now = Date.now();
    if (last !== null && last.sig === sig && now - last.at < SAME_PRESS_MS) return;
    last = { sig, at: now };
    child.kill(sig);
  };
  const onInt = (): void => forward('SIGINT');
  const onTerm = (): void => forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const done = (): void => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
  return new Promise((resolve, reject) => {
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('exit', (code, signal) => {
      done();
      // A stop asked for here ends with its code (torchrun itself exits with 1 when signalled).
      if (last !== null && code !== 0) resolve(last.sig === 'SIGINT' ? 130 : 143);
      else resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 9));
    });
  });
}

/**
 * Runs `script args` on `nproc` processes through torchrun; resolves to its exit status.
 * @throws Error when torchrun is not found.
 */
export function launchWithTorchrun(script: string, args: readonly string[], nproc: number): Promise<number> {
  const torchrun = findTorchrun();
  console.log(`pretrain: ${nproc} processes through ${torchrun}`);
  const argv = ['--standalone', '--nnodes', '1', '--nproc_per_node', String(nproc), '--no_python', process.execPath, ...tsxImport(), script, ...args];
  // torchrun sets OMP_NUM_THREADS=1 for its workers anyway; setting it here spares its warning.
  return runRelayed(torchrun, argv, { detached: true, env: { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1' } });
}
