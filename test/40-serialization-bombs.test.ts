/**
 * Pickle and zip bombs: small files that would build gigabytes. Each load
 * runs in a child process with a small JS heap, so that a regression shows as
 * that child aborting ("JavaScript heap out of memory", exit 134), not as
 * this process dying.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PickleLimitError, loads, pickleBudget } from '../lib/torch/serialization/index.js';
import { tmpDir } from './40-serialization-helpers.js';
import { appendBomb, checkpointZip, dictBomb } from './40-serialization-bombs.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERIALIZATION = path.join(ROOT, 'lib', 'torch', 'serialization', 'index.js');

interface Outcome {
  status: number | null;
  signal: string | null;
  result?: { ok: boolean; name?: string; message?: string; length?: number };
  stderr: string;
}

/** Loads `file` in a child with `heapMb` of JS heap; reports what happened. */
function loadInChild(file: string, heapMb: number): Outcome {
  const code =
    `const { load } = await import(${JSON.stringify(SERIALIZATION)});` +
    `let out; try { const v = load(${JSON.stringify(file)}); out = { ok: true, length: Array.isArray(v) ? v.length : -1 }; }` +
    ` catch (e) { out = { ok: false, name: e.name, message: e.message }; }` +
    `console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let result: Outcome['result'];
  try {
    result = JSON.parse(last) as Outcome['result'];
  } catch {
    result = undefined;
  }
  return { status: r.status, signal: r.signal, result, stderr: r.stderr.slice(-400) };
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('40 serialization: pickle and zip bombs', function () {
  this.timeout(300_000);
  let dir: string;
  let cleanup: () => void;
  // 100 million appends: a 200 MB pickle that deflates to about 190 KB.
  let bomb: Buffer;
  before(() => {
    ({ dir, cleanup } = tmpDir('ser-bombs-'));
    bomb = appendBomb(100_000_000);
  });
  after(() => cleanup());

  it('refuses a deflated record that inflates 1000:1 before inflating it (CheckpointError, no abort)', () => {
    const file = path.join(dir, 'zip-bomb.pt');
    fs.writeFileSync(file, checkpointZip(bomb, true));
    const size = fs.statSync(file).size;
    expect(size).to.be.below(300_000);
    const r = loadInChild(file, 512);
    expect(r.result, `child exited ${r.status} ${r.signal}: ${r.stderr}`).to.not.equal(undefined);
    expect(r.result!.name).to.equal('CheckpointError');
    expect(r.result!.message).to.match(
      new RegExp(
        `^Refusing to load '.*zip-bomb\\.pt': its compressed records would inflate to 190\\.7 MiB from a 1\\d\\d\\.\\d KiB file \\(\\d{3,4}:1\\); ` +
          `more than 100:1 is refused as a decompression bomb \\(torch\\.save writes no compressed records: re-save it uncompressed\\)$`,
      ),
    );
  });

  it('bounds what the pickle builds by its size in the file, even when the file is large enough to pass the inflation check', () => {
    // 2.5 MB of stored bytes beside it: 200 MB from 2.7 MB is under 100:1.
    const file = path.join(dir, 'pickle-bomb.pt');
    fs.writeFileSync(file, checkpointZip(bomb, true, [{ name: 'archive/data/filler', data: Buffer.alloc(2_500_000) }]));
    const r = loadInChild(file, 512);
    expect(r.result, `child exited ${r.status} ${r.signal}: ${r.stderr}`).to.not.equal(undefined);
    expect(r.result!.name).to.equal('CheckpointError');
    expect(r.result!.message).to.match(
      /^Refusing to load '.*pickle-bomb\.pt': its pickle \(1\d\d\.\d KiB in the file, 190\.7 MiB inflated\) builds more than 64\.0 MiB of Python values, out of proportion to its size \(a pickle bomb\?\)$/,
    );
  });

  it('refuses a stored pickle that would not fit in half the free heap, and loads it with a larger heap', () => {
    // 1 million empty dicts in a 2 MB stored pickle: about 300 MB of heap at the peak.
    const file = path.join(dir, 'dicts.pt');
    fs.writeFileSync(file, checkpointZip(dictBomb(1_000_000), false));
    const small = loadInChild(file, 96);
    expect(small.result, `child exited ${small.status} ${small.signal}: ${small.stderr}`).to.not.equal(undefined);
    expect(small.result!.name).to.equal('CheckpointError');
    expect(small.result!.message).to.match(
      /^Refusing to load '.*dicts\.pt': its pickle \(1\.9 MiB\) builds more than \d+\.\d MiB of Python values, half the JS heap still free \(node --max-old-space-size=\.\.\. allows more\)$/,
    );
    const large = loadInChild(file, 2048);
    expect(large.result, `child exited ${large.status} ${large.signal}: ${large.stderr}`).to.deep.equal({ ok: true, length: 1_000_000 });
  });

  it('loads() takes an explicit budget and names it', () => {
    const p = appendBomb(1_000_000);
    const e = errorOf(() => loads(p, { maxBytes: 1 << 20 }));
    expect(e).to.be.instanceOf(PickleLimitError);
    expect(e.message).to.match(
      /^Refusing to unpickle: by offset \d+ of 2000004 the pickle has built about 1\.0 MiB of values, more than its limit of 1\.0 MiB \(maxBytes\)$/,
    );
    expect((e as PickleLimitError).limit).to.equal(1 << 20);
    // The default budget follows the data's size; a stored pickle stays under it.
    expect(pickleBudget(1000)).to.equal(64 << 20);
    expect(pickleBudget(1 << 20)).to.equal(256 << 20);
    expect((loads(p) as unknown[]).length).to.equal(1_000_000);
  });
});
