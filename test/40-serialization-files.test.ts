/**
 * Checkpoint files under hostile or careless use: failed loads release their
 * file descriptor, the atomic writer cleans up after killed saves and names
 * the target in its errors.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import {
  BufferSink,
  CheckpointError,
  PickleSecurityError,
  ZipWriter,
  load,
  removeStaleTemporaries,
  save,
  saveToBuffer,
  writeFileAtomic,
} from '../lib/torch/serialization/index.js';
import { tmpDir } from './40-serialization-helpers.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERIALIZATION = path.join(ROOT, 'lib', 'torch', 'serialization', 'index.js');

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

const openFds = (): number => fs.readdirSync('/proc/self/fd').length;

describe('40 serialization: files', function () {
  this.timeout(120_000);
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tmpDir('ser-files-')));
  after(() => cleanup());

  describe('failed loads release their file', () => {
    it('leaks no file descriptor for an empty, non-zip, legacy, bare-pickle, truncated or hostile file, or a directory', function () {
      if (!fs.existsSync('/proc/self/fd')) this.skip();
      const write = (name: string, data: string | Buffer): string => {
        const f = path.join(dir, name);
        fs.writeFileSync(f, data);
        return f;
      };
      const w = torch.ones([3]);
      const good = saveToBuffer({ w });
      w.dispose();
      const hostile = (() => {
        const sink = new BufferSink();
        const z = new ZipWriter(sink);
        z.add('archive/data.pkl', Buffer.from('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.', 'latin1'));
        z.add('archive/version', Buffer.from('3\n'));
        z.finish();
        return sink.toBuffer();
      })();
      const sub = path.join(dir, 'a-directory.pt');
      fs.mkdirSync(sub);
      const cases: [string, string, new (...a: never[]) => Error, RegExp][] = [
        ['empty', write('empty.pt', ''), CheckpointError, /is empty$/],
        ['not a zip', write('text.pt', 'hello world, not a checkpoint'), CheckpointError, /does not start with a zip header/],
        [
          'legacy',
          write('legacy.pt', Buffer.concat([Buffer.from('80028a0a6cfc9c46f9206aa850192e', 'hex'), Buffer.alloc(20)])),
          CheckpointError,
          /legacy torch\.save format/,
        ],
        ['bare pickle', write('bare.pt', Buffer.from('\x80\x02}q\x00.', 'latin1')), CheckpointError, /bare pickle stream/],
        ['truncated', write('cut.pt', good.subarray(0, good.byteLength - 30)), CheckpointError, /^Truncated checkpoint/],
        ['hostile', write('evil.pt', hostile), PickleSecurityError, /global 'os\.system' is not allowed/],
        ['a directory', sub, Error, new RegExp(`^EISDIR: illegal operation on a directory, open '${sub.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'$`)],
      ];
      const before = openFds();
      for (let i = 0; i < 40; i++) for (const [, file] of cases) errorOf(() => load(file));
      expect(openFds() - before, 'file descriptors left open by 280 failed loads').to.equal(0);
      for (let i = 0; i < 20; i++) errorOf(() => load(sub, { format: 'safetensors' }));
      for (let i = 0; i < 20; i++) errorOf(() => load(path.join(dir, 'text.pt'), { format: 'safetensors' }));
      expect(openFds() - before, 'after failed safetensors loads').to.equal(0);
      for (const [, file, cls, msg] of cases) {
        const e = errorOf(() => load(file));
        expect(e).to.be.instanceOf(cls);
        expect(e.message).to.match(msg);
      }
      expect((errorOf(() => load(sub)) as NodeJS.ErrnoException).code).to.equal('EISDIR');
    });
  });

  describe('the atomic writer', () => {
    /** Runs a child that starts writing `target` and is killed (SIGKILL) in the middle. */
    const killedWhileWriting = (target: string): void => {
      const code =
        `const { writeFileAtomic } = await import(${JSON.stringify(SERIALIZATION)});` +
        `writeFileAtomic(${JSON.stringify(target)}, (sink) => { sink.write(Buffer.alloc(3 << 20, 7)); sink.flush(); process.kill(process.pid, 'SIGKILL'); });`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(r.signal, r.stderr).to.equal('SIGKILL');
    };

    it('removes the temporaries of killed saves when saving into the folder again, and only those', () => {
      const runs = path.join(dir, 'runs');
      fs.mkdirSync(runs);
      const target = path.join(runs, 'epoch-1.pt');
      // Each killed save leaves its temporary; the next save removes it.
      for (let i = 0; i < 3; i++) {
        killedWhileWriting(target);
        expect(fs.readdirSync(runs).length, `temporaries after ${i + 1} killed saves`).to.equal(1);
      }
      const left = fs.readdirSync(runs);
      expect(fs.existsSync(target)).to.equal(false);
      expect(left[0]).to.match(/^epoch-1\.pt\.tmp-\d+-[0-9a-f]{8}-[0-9a-f]{12}$/);
      expect(fs.statSync(path.join(runs, left[0])).size).to.equal(3 << 20);
      // Look-alikes that must stay: a live process's (our parent's) temporary, one
      // from another machine, and a user's file.
      const [, host] = /\.tmp-\d+-([0-9a-f]{8})-/.exec(left[0])!;
      const live = `epoch-2.pt.tmp-${process.ppid}-${host}-0123456789ab`;
      const otherHost = `epoch-2.pt.tmp-999999-${host === 'deadbeef' ? 'feedface' : 'deadbeef'}-0123456789ab`;
      const userFile = 'notes.tmp-1-2';
      for (const n of [live, otherHost, userFile]) fs.writeFileSync(path.join(runs, n), 'x');
      // An older temporary name (no machine tag) of a process that is gone.
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
      const legacy = `best.pt.tmp-${dead}-abcdef012345`;
      fs.writeFileSync(path.join(runs, legacy), 'x');

      const w = torch.arange(4, { dtype: 'float32' });
      try {
        save({ w }, path.join(runs, 'best.pt'));
      } finally {
        w.dispose();
      }
      expect(fs.readdirSync(runs).sort()).to.deep.equal(['best.pt', live, otherHost, userFile].sort());
      const back = load<{ w: torch.Tensor }>(path.join(runs, 'best.pt'));
      expect(back.w.tolist()).to.deep.equal([0, 1, 2, 3]);
      back.w.dispose();
      expect(removeStaleTemporaries(runs)).to.deep.equal([]);
      expect(removeStaleTemporaries(path.join(dir, 'no-such-folder'))).to.deep.equal([]);
    });

    it('names the target, never the temporary file, in file system errors', () => {
      const missing = path.join(dir, 'no', 'such', 'dir', 'x.pt');
      const e = errorOf(() => save({}, missing)) as NodeJS.ErrnoException;
      expect(e.message).to.equal(`ENOENT: no such file or directory, open '${missing}'`);
      expect([e.code, e.syscall, e.path]).to.deep.equal(['ENOENT', 'open', missing]);
      const isDir = path.join(dir, 'taken.pt');
      fs.mkdirSync(isDir);
      const r = errorOf(() => writeFileAtomic(isDir, 'text')) as NodeJS.ErrnoException;
      expect(r.message).to.equal(`EISDIR: illegal operation on a directory, rename '${isDir}'`);
      expect([r.code, r.path]).to.deep.equal(['EISDIR', isDir]);
      expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp-'))).to.deep.equal([]);
      expect(errorOf(() => writeFileAtomic(path.join(dir, 'n.txt'), 5 as never)).message).to.equal(
        'Expected a string, a Uint8Array or a function for content but received 5 of type number',
      );
    });

    it('writes text, bytes, a stream into the sink, or a file written through its temporary path', () => {
      const f = (n: string): string => path.join(dir, n);
      writeFileAtomic(f('a.txt'), 'héllo\n');
      writeFileAtomic(f('b.bin'), Uint8Array.of(1, 2, 3));
      writeFileAtomic(f('c.bin'), (sink) => {
        sink.write(Buffer.from('ab'));
        sink.write(Buffer.alloc(2 << 20, 0x63));
      });
      writeFileAtomic(f('d.json'), (_sink, tmp) => fs.writeFileSync(tmp, '{"via": "path"}'));
      expect(fs.readFileSync(f('a.txt'), 'utf8')).to.equal('héllo\n');
      expect([...fs.readFileSync(f('b.bin'))]).to.deep.equal([1, 2, 3]);
      const c = fs.readFileSync(f('c.bin'));
      expect([c.byteLength, c.subarray(0, 3).toString()]).to.deep.equal([2 + (2 << 20), 'abc']);
      expect(fs.readFileSync(f('d.json'), 'utf8')).to.equal('{"via": "path"}');
      expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp-'))).to.deep.equal([]);
    });
  });
});
