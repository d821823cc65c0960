/**
 * The one atomic file writer: every file the project writes (checkpoints,
 * safetensors, prepared data, plots) goes through {@link writeFileAtomic}, so
 * a reader never sees a half-written file and an interrupted write never
 * damages the previous version.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as os from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import { FdSink, type ByteSink } from './zip.js';
import { typeError } from '../errors.js';

/**
 * What {@link writeFileAtomic} writes: text (as UTF-8), bytes, or a function
 * that streams the content into `sink`. A function that can only write to a
 * path (a native library's `save(path)`) may write `tmpPath` instead.
 */
export type AtomicContent = string | Uint8Array | ((sink: ByteSink, tmpPath: string) => void);

/** This machine's tag in temporary names, so that a folder shared between machines is cleaned only of this machine's leftovers. */
const HOST_TAG = createHash('sha1').update(os.hostname()).digest('hex').slice(0, 8);

/** `<target>.tmp-<pid>-<host>-<random>`; also the older `<target>.tmp-<pid>-<random>` without the host. */
const TEMP_NAME = /\.tmp-(\d+)-(?:([0-9a-f]{8})-)?[0-9a-f]{12}$/;

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes the temporary files that writes into `dir` left behind when their
 * process died (killed during a save): those named like this writer's
 * temporaries, made on this machine, by a process that no longer runs.
 * Never throws: a file it cannot remove stays.
 * @returns the names removed.
 */
export function removeStaleTemporaries(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null) continue;
    if (m[2] !== undefined && m[2] !== HOST_TAG) continue;
    if (isRunning(Number(m[1]))) continue;
    try {
      fs.unlinkSync(nodePath.join(dir, name));
      removed.push(name);
    } catch {
      /* gone already, or not ours to remove */
    }
  }
  return removed;
}

/** A file system error as if `target` itself had been written (the temporary name never shows). */
function naming(e: unknown, target: string, tmp: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== 'string' || typeof err.syscall !== 'string') return e;
  const head = /^(\w+: [^,]*, \w+)/.exec(err.message);
  const message = head !== null ? `${head[1]} '${target}'` : `${err.message.split(tmp).join(target)} ('${target}')`;
  const out = new Error(message, { cause: e }) as NodeJS.ErrnoException;
  out.code = err.code;
  if (err.errno !== undefined) out.errno = err.errno;
  out.syscall = err.syscall;
  out.path = target;
  return out;
}

/**
 * Writes `path` atomically: the content goes to `path.tmp-<pid>-<host>-<random>`
 * in the same folder, is fsynced and renamed over `path`, then the folder is
 * fsynced. On any error the temporary file is removed and an existing `path`
 * is left untouched. Before writing, temporaries that killed processes left
 * in the folder are removed (see {@link removeStaleTemporaries}).
 *
 * @param content text (UTF-8), bytes, or a function writing into a sink (see {@link AtomicContent}).
 * @throws the error of a `content` function unchanged; file system errors
 *   (ENOENT for a missing folder, EACCES, ENOSPC, ...) with their code and a
 *   message naming `path`, never the temporary file.
 */
export function writeFileAtomic(path: string, content: AtomicContent): void {
  if (typeof path !== 'string' || path.length === 0) typeError('a file path', 'path', path);
  if (typeof content !== 'string' && typeof content !== 'function' && !(content instanceof Uint8Array)) {
    typeError('a string, a Uint8Array or a function', 'content', content);
  }
  const dir = nodePath.dirname(nodePath.resolve(path));
  removeStaleTemporaries(dir);
  const tmp = `${path}.tmp-${process.pid}-${HOST_TAG}-${randomBytes(6).toString('hex')}`;
  const fsOp = <R>(f: () => R): R => {
    try {
      return f();
    } catch (e) {
      throw naming(e, path, tmp);
    }
  };
  let fd: number | null = null;
  try {
    fd = fsOp(() => fs.openSync(tmp, 'wx', 0o666));
    const sink = new NamingSink(new FdSink(fd), fsOp);
    if (typeof content === 'function') content(sink, tmp);
    else sink.write(typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    sink.flush();
    const written = fd;
    fd = null;
    fsOp(() => fs.closeSync(written));
    // Reopened so that content written through tmpPath is synced too.
    fsOp(() => {
      const sync = fs.openSync(tmp, 'r+');
      try {
        fs.fsyncSync(sync);
      } finally {
        fs.closeSync(sync);
      }
    });
    fsOp(() => fs.renameSync(tmp, path));
  } catch (e) {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* never made, or gone already */
    }
    throw e;
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* directories cannot be fsynced on every platform; the rename is done */
  }
}

/** A sink whose write errors (ENOSPC, EIO...) name the target file. */
class NamingSink implements ByteSink {
  constructor(
    private readonly inner: ByteSink,
    private readonly fsOp: <R>(f: () => R) => R,
  ) {}
  get position(): number {
    return this.inner.position;
  }
  write(data: Uint8Array): void {
    this.fsOp(() => this.inner.write(data));
  }
  flush(): void {
    this.fsOp(() => this.inner.flush());
  }
}
