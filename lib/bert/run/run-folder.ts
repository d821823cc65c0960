/**
 * Run folders: `runs/<preset>` by default, and never two runs in one folder.
 * A folder that holds a run (a checkpoint or metrics.jsonl) is written into
 * only to resume that run; a new run gets `runs/<preset>-2`, `-3`, ... when
 * no `--out` was given, and is refused with a message when it was.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Files that mark a folder as holding a run. */
function runFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f === 'metrics.jsonl' || /^(last|best|epoch-\d+)\.pt$/.test(f));
}

/** Whether `dir` holds (part of) a pretraining run. */
export function holdsRun(dir: string): boolean {
  return runFiles(dir).length > 0;
}

/** `runs/<preset>`, or the first `runs/<preset>-N` (N = 2, 3, ...) that holds no run. */
export function defaultRunFolder(preset: string, root = 'runs'): string {
  const first = join(root, preset);
  if (!holdsRun(first)) return first;
  for (let n = 2; ; n++) {
    const dir = join(root, `${preset}-${n}`);
    if (!holdsRun(dir)) return dir;
  }
}

/**
 * Checks that a new run may write into `dir`.
 * @throws Error naming `--resume` and a fresh `--out` when `dir` holds a run.
 */
export function checkNewRunFolder(dir: string): void {
  const found = runFiles(dir);
  if (found.length === 0) return;
  const last = existsSync(join(dir, 'last.pt')) ? join(dir, 'last.pt') : join(dir, found.find((f) => f.endsWith('.pt')) ?? 'last.pt');
  throw new Error(
    `${dir} already holds a run (${found.sort().join(', ')}); continue it with --resume ${last}, ` +
      `or start a new one with a fresh --out (or without --out: a new runs/<preset>-N folder is chosen)`,
  );
}
