/**
 * `--nproc-per-node N`: the same command on N processes of this machine,
 * launched by PyTorch's own torchrun (`--standalone`, `--no_python`). This
 * process waits for it, forwards SIGINT/SIGTERM to it (torchrun passes them
 * to every rank) and exits with its status.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { libtorchStamp } from '../../../scripts/reference-python.js';

/** The environment torchrun gives its workers: this process is one of them. */
export function underTorchrun(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TORCHELASTIC_RUN_ID !== undefined || (env.WORLD_SIZE !== undefined && env.RANK !== undefined);
}

/**
 * torchrun: `TORCHRUN`, else beside the Python whose torch the addon links
 * (the project's .venv), else on PATH.
 * @throws Error saying how to install it when there is none.
 */
export function findTorchrun(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = [];
  if (env.TORCHRUN) candidates.push(env.TORCHRUN);
  const py = env.TORCH_REF_PYTHON || libtorchStamp()?.python;
  if (py) candidates.push(join(dirname(py), 'torchrun'));
  for (const dir of (env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'torchrun'));
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) {
    throw new Error(
      '--nproc-per-node needs torchrun, PyTorch\'s launcher, and none was found (not in TORCHRUN, beside the project\'s Python, or on PATH); ' +
        'it comes with PyTorch: `bash scripts/setup.sh` installs it into .venv (or `pip install torch`)',
    );
  }
  return found;
}

/** Copies of one signal closer together than this are one press of Ctrl-C (npm forwards its own copy). */
const SAME_PRESS_MS = 300;

/**
 * Runs `script args` on `nproc` processes through torchrun; resolves to its exit code.
 * @throws Error when torchrun is not found.
 */
export function launchWithTorchrun(script: string, args: readonly string[], nproc: number): Promise<number> {
  const torchrun = findTorchrun();
  const argv = ['--standalone', '--nnodes', '1', '--nproc_per_node', String(nproc), '--no_python', process.execPath, ...process.execArgv, script, ...args];
  console.log(`pretrain: ${nproc} processes through ${torchrun}`);
  // Its own process group: a Ctrl-C reaches torchrun once, through this process.
  const child = spawn(torchrun, argv, { stdio: 'inherit', detached: true, env: { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1' } });
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
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 9));
    });
  });
}
