/**
 * The one way this app writes a file: all of it or nothing. The bytes go to
 * `<file>.tmp-<pid>-<random>` in the same folder, are fsynced and renamed
 * over `file`, then the folder is fsynced; on failure the temporary file is
 * removed and an existing `file` is left as it was. (Checkpoints go through
 * `torch.save`, which writes the same way; when lib/torch exports its writer,
 * this module becomes a re-export of it.)
 */
import { closeSync, copyFileSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

function temporaryName(file: string): string {
  return `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

function fsyncFolder(file: string): void {
  try {
    const fd = openSync(dirname(resolve(file)), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* some file systems cannot fsync a folder; the rename is done */
  }
}

/**
 * Writes `data` to `file` atomically.
 * @throws the file system's error (ENOENT for a missing folder, EACCES, ENOSPC), naming `file`.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = temporaryName(file);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o666);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or gone */
    }
    const err = e as NodeJS.ErrnoException;
    throw Object.assign(new Error(`Cannot write ${file}: ${err.code ?? err.message}`), { code: err.code, cause: e });
  }
  fsyncFolder(file);
}

/**
 * Makes `file` another name of `existing` (a hard link), replacing `file`
 * atomically: `best.pt` and `last.pt` cost no second write. Files here are
 * only ever replaced, never changed in place, so sharing them is safe. Where
 * the file system has no hard links, the file is copied (and fsynced) instead.
 * @throws the file system's error, naming `file`.
 */
export function linkFileAtomic(existing: string, file: string): void {
  const tmp = temporaryName(file);
  try {
    try {
      linkSync(existing, tmp);
    } catch (e) {
      if (!['EPERM', 'ENOTSUP', 'EXDEV', 'EMLINK'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
      copyFileSync(existing, tmp);
      const fd = openSync(tmp, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    const err = e as NodeJS.ErrnoException;
    throw Object.assign(new Error(`Cannot write ${file}: ${err.code ?? err.message}`), { code: err.code, cause: e });
  }
  fsyncFolder(file);
}
