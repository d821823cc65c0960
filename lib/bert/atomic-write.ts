/**
 * The one way this app writes a file: all of it or nothing. Writing is
 * lib/torch's `writeFileAtomic` (the writer `torch.save` uses: temporary file,
 * fsync, rename, stale temporaries of killed processes removed); linking
 * `last.pt`/`best.pt` to a checkpoint is here, with temporaries named so that
 * the same cleanup finds them.
 */
import { closeSync, copyFileSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync } from 'node:fs';

export { writeFileAtomic } from '../torch/index.js';
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
