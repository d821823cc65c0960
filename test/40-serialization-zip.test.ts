import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BufferSink, FdSink, ZipFormatError, ZipReader, ZipWriter } from '../lib/torch/serialization/zip.js';
import { PYTHON, hasPython, hasPythonTorch, py, tmpDir, OffsetSink, OffsetSource } from './40-serialization-helpers.js';
import { errorOf } from './helpers/python.js';

function build(records: [string, Uint8Array][]): Buffer {
  const sink = new BufferSink();
  const w = new ZipWriter(sink);
  for (const [n, d] of records) w.add(n, d);
  w.finish();
  return sink.toBuffer();
}

function pattern(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** A sink whose positions start at `base`, to exercise ZIP64 offsets without writing 4 GiB. */

describe('40 serialization: zip container', () => {
  it('round-trips records of awkward sizes with data aligned to 64 bytes', () => {
    const sizes = [0, 1, 2, 63, 64, 65, 127, 1000, 100_000];
    const recs: [string, Uint8Array][] = sizes.map((n, i) => [`archive/data/${i}`, pattern(n, i + 1)]);
    recs.push(['archive/ünïcode name', Buffer.from('x')]);
    const zip = build(recs);
    const r = ZipReader.fromBuffer(zip);
    expect(r.entries.map((e) => e.name)).to.deep.equal(recs.map(([n]) => n));
    for (const [n, d] of recs) {
      const e = r.get(n)!;
      expect(e.dataOffset % 64, n).to.equal(0);
      expect(e.size).to.equal(d.byteLength);
      expect(r.read(n).equals(Buffer.from(d))).to.equal(true);
      const target = Buffer.alloc(d.byteLength);
      r.readInto(e, target);
      expect(target.equals(Buffer.from(d))).to.equal(true);
    }
    r.close();
  });

  it("reproduces torch.save's zip layout byte for byte ({'w': tensor([1., 2.])}, every record rewritten)", function () {
    if (!hasPythonTorch()) this.skip();
    const { dir, cleanup } = tmpDir();
    try {
      const file = path.join(dir, 'archive.pt');
      py('save', { path: file, expr: "{'w': torch.tensor([1., 2.])}" });
      const orig = fs.readFileSync(file);
      const r = ZipReader.fromBuffer(orig);
      expect(r.get('archive/data.pkl')!.dataOffset).to.equal(64);
      const again = build(r.entries.map((e) => [e.name, r.read(e)]));
      expect(again.toString('hex')).to.equal(orig.toString('hex'));
    } finally {
      cleanup();
    }
  });

  it('writes empty records like torch.save (flags 0x0800, no data descriptor)', () => {
    const zip = build([
      ['a/data/0', new Uint8Array(0)],
      ['a/version', Buffer.from('3\n')],
    ]);
    expect(zip.readUInt16LE(6)).to.equal(0x0800);
    const r = ZipReader.fromBuffer(zip);
    // The next local header follows the padding directly.
    expect(r.get('a/version')!.localHeaderOffset).to.equal(r.get('a/data/0')!.dataOffset);
    expect(r.read('a/data/0').byteLength).to.equal(0);
  });

  it('ends with a ZIP64 end record, its locator and the classic end record', () => {
    const zip = build([['a/x', Buffer.from('hello')]]);
    const n = zip.byteLength;
    expect(zip.readUInt32LE(n - 22)).to.equal(0x06054b50);
    expect(zip.readUInt32LE(n - 42)).to.equal(0x07064b50);
    expect(zip.readUInt32LE(n - 98)).to.equal(0x06064b50);
  });

  it('is read by Python zipfile with valid CRCs', function () {
    if (!hasPython()) this.skip();
    const { dir, cleanup } = tmpDir();
    try {
      const file = path.join(dir, 'x.zip');
      fs.writeFileSync(
        file,
        build([
          ['p/a', pattern(1000)],
          ['p/b', new Uint8Array(0)],
          ['p/c', pattern(70_000, 3)],
        ]),
      );
      const r = spawnSync(
        PYTHON,
        ['-c', 'import zipfile,sys;z=zipfile.ZipFile(sys.argv[1]);print(z.testzip(), [(i.filename, i.file_size) for i in z.infolist()])', file],
        { encoding: 'utf8' },
      );
      expect(r.stdout.trim()).to.equal("None [('p/a', 1000), ('p/b', 0), ('p/c', 70000)]");
    } finally {
      cleanup();
    }
  });

  it('streams chunked records through a file descriptor', () => {
    const { dir, cleanup } = tmpDir();
    try {
      const file = path.join(dir, 'c.zip');
      const fd = fs.openSync(file, 'w');
      const w = new ZipWriter(new FdSink(fd));
      const big = pattern(3 << 20, 9);
      w.addChunks('c/big', big.byteLength, [big.subarray(0, 5), big.subarray(5, 2 << 20), big.subarray(2 << 20)]);
      w.add('c/small', Buffer.from('ok'));
      w.finish();
      fs.closeSync(fd);
      const r = ZipReader.open(file);
      expect(r.read('c/big').equals(big)).to.equal(true);
      expect(r.read('c/small').toString()).to.equal('ok');
      r.close();
      r.close();
    } finally {
      cleanup();
    }
  });

  it('reads records piece by piece with a final CRC check', () => {
    const data = pattern(1000, 5);
    const zip = build([
      ['p/a', data],
      ['p/e', new Uint8Array(0)],
    ]);
    const r = ZipReader.fromBuffer(zip);
    const parts: Buffer[] = [];
    const offs: number[] = [];
    r.readChunks('p/a', 300, (c, off) => (parts.push(Buffer.from(c)), offs.push(off)));
    expect(offs).to.deep.equal([0, 300, 600, 900]);
    expect(Buffer.concat(parts).equals(data)).to.equal(true);
    let calls = 0;
    r.readChunks('p/e', 10, () => calls++);
    expect(calls).to.equal(0);
    expect(errorOf(() => r.readChunks('p/a', 0, () => {})).message).to.equal('Expected a positive integer for chunkBytes but received 0 of type number');
    const bad = Buffer.from(zip);
    bad[r.get('p/a')!.dataOffset + 999] ^= 1;
    const seen: number[] = [];
    const e = errorOf(() => ZipReader.fromBuffer(bad).readChunks('p/a', 300, (_c, off) => seen.push(off)));
    expect(e.message).to.match(/^Corrupt zip: CRC-32 mismatch in record 'p\/a'/);
    expect(seen).to.deep.equal([0, 300, 600, 900]);
  });

  it('uses ZIP64 fields for offsets past 4 GiB and reads them back', () => {
    const base = 2 ** 32 + 123;
    const sink = new OffsetSink(base);
    const w = new ZipWriter(sink);
    w.add('z/a', Buffer.from('first'));
    w.add('z/b', pattern(200));
    w.finish();
    const buf = sink.inner.toBuffer();
    // local header of the first record carries a ZIP64 extra with the offset
    expect(buf.readUInt16LE(28)).to.be.greaterThan(4);
    expect(buf.readUInt16LE(30 + 3)).to.equal(0x0001);
    // classic end record clamps the directory offset
    expect(buf.readUInt32LE(buf.byteLength - 6)).to.equal(0xffffffff);
    const r = ZipReader.fromSource(new OffsetSource(buf, base));
    expect(r.get('z/a')!.localHeaderOffset).to.equal(base);
    expect(r.get('z/a')!.dataOffset % 64).to.equal(0);
    expect(r.get('z/b')!.dataOffset % 64).to.equal(0);
    expect(r.read('z/a').toString()).to.equal('first');
    expect(r.read('z/b').equals(pattern(200))).to.equal(true);
  });

  it('writes and reads a record of 4 GiB or more (set SERIALIZATION_SLOW=1)', function () {
    if (!process.env.SERIALIZATION_SLOW) this.skip();
    this.timeout(600_000);
    const { dir, cleanup } = tmpDir();
    try {
      const file = path.join(dir, 'big.zip');
      const fd = fs.openSync(file, 'w');
      const w = new ZipWriter(new FdSink(fd));
      const chunk = Buffer.alloc(64 << 20, 7);
      const size = 2 ** 32 + 64;
      function* chunks(): Generator<Uint8Array> {
        let left = size;
        while (left > 0) {
          const n = Math.min(left, chunk.byteLength);
          yield chunk.subarray(0, n);
          left -= n;
        }
      }
      w.add('big/first', Buffer.from('a'));
      w.addChunks('big/data', size, chunks());
      w.add('big/after', Buffer.from('after'));
      w.finish();
      fs.closeSync(fd);
      const r = ZipReader.open(file);
      expect(r.get('big/data')!.size).to.equal(size);
      expect(r.get('big/after')!.localHeaderOffset).to.be.greaterThan(2 ** 32);
      expect(r.read('big/after').toString()).to.equal('after');
      if (hasPython()) {
        const p = spawnSync(
          PYTHON,
          ['-c', 'import zipfile,sys;z=zipfile.ZipFile(sys.argv[1]);print([(i.filename,i.file_size) for i in z.infolist()], z.read("big/after"))', file],
          { encoding: 'utf8' },
        );
        expect(p.stdout.trim()).to.equal(`[('big/first', 1), ('big/data', ${size}), ('big/after', 5)] b'after'`);
      }
      r.close();
    } finally {
      cleanup();
    }
  });

  describe('reader errors', () => {
    const good = build([
      ['a/data.pkl', pattern(100)],
      ['a/data/0', pattern(300, 2)],
      ['a/version', Buffer.from('3\n')],
    ]);

    it('rejects data too short to be a zip', () => {
      const e = errorOf(() => ZipReader.fromBuffer(Buffer.from('hello')));
      expect(e).to.be.instanceOf(ZipFormatError);
      expect(e.message).to.equal('Not a zip file: 5 bytes is too short to hold an end of central directory record');
    });

    it('rejects data without an end record', () => {
      const e = errorOf(() => ZipReader.fromBuffer(Buffer.alloc(1000, 1)));
      expect(e.message).to.equal('Not a zip file: end of central directory record not found (truncated or not a zip archive)');
    });

    it('rejects a truncated archive', () => {
      const e = errorOf(() => ZipReader.fromBuffer(good.subarray(0, good.byteLength - 30)));
      expect(e.message).to.equal('Not a zip file: end of central directory record not found (truncated or not a zip archive)');
    });

    it('rejects an archive whose front was cut off', () => {
      const e = errorOf(() => ZipReader.fromBuffer(good.subarray(200)));
      expect(e).to.be.instanceOf(ZipFormatError);
      expect(e.message).to.match(/^(Corrupt|Truncated or corrupt) zip: /);
    });

    it('detects a CRC mismatch', () => {
      const bad = Buffer.from(good);
      const r0 = ZipReader.fromBuffer(good);
      bad[r0.get('a/data/0')!.dataOffset + 10] ^= 0xff;
      const r = ZipReader.fromBuffer(bad);
      const e = errorOf(() => r.read('a/data/0'));
      expect(e.message).to.match(/^Corrupt zip: CRC-32 mismatch in record 'a\/data\/0' \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/);
      expect(r.read('a/data/0', { verifyCrc: false }).byteLength).to.equal(300);
    });

    it('rejects a size that runs into the central directory', () => {
      const bad = Buffer.from(good);
      const cdOffset = bad.readUInt32LE(bad.byteLength - 6);
      // second central entry: sizes at +20/+24
      let p = cdOffset;
      p += 46 + bad.readUInt16LE(p + 28) + bad.readUInt16LE(p + 30);
      bad.writeUInt32LE(100_000, p + 20);
      bad.writeUInt32LE(100_000, p + 24);
      const e = errorOf(() => ZipReader.fromBuffer(bad));
      expect(e.message).to.match(/^Truncated or corrupt zip: record 'a\/data\/0' \(100000 bytes at offset \d+\) runs past the central directory at \d+$/);
    });

    it('rejects a stored record whose two sizes disagree', () => {
      const bad = Buffer.from(good);
      const cdOffset = bad.readUInt32LE(bad.byteLength - 6);
      bad.writeUInt32LE(99, cdOffset + 20);
      const e = errorOf(() => ZipReader.fromBuffer(bad));
      expect(e.message).to.equal("Corrupt zip: stored record 'a/data.pkl' has size 100 but compressed size 99");
    });

    it('rejects overlapping records', () => {
      const bad = Buffer.from(good);
      const cdOffset = bad.readUInt32LE(bad.byteLength - 6);
      let p = cdOffset;
      p += 46 + bad.readUInt16LE(p + 28) + bad.readUInt16LE(p + 30);
      bad.writeUInt32LE(0, p + 42); // second record points at the first one's header
      const e = errorOf(() => ZipReader.fromBuffer(bad));
      expect(e.message).to.match(/^Corrupt zip: record 'a\/data(\.pkl|\/0)' overlaps record 'a\/data(\.pkl|\/0)'$/);
    });

    it('rejects a missing local header', () => {
      const bad = Buffer.from(good);
      bad.writeUInt32LE(0x12345678, 0);
      const e = errorOf(() => ZipReader.fromBuffer(bad));
      expect(e.message).to.equal("Corrupt zip: no local file header for 'a/data.pkl' at offset 0");
    });

    it('rejects duplicate names', () => {
      const z = build([
        ['a/x', Buffer.from('1')],
        ['a/y', Buffer.from('2')],
      ]);
      const i = z.lastIndexOf(Buffer.from('a/y'));
      z.write('a/x', i, 'latin1');
      const e = errorOf(() => ZipReader.fromBuffer(z));
      expect(e.message).to.equal("Corrupt zip: duplicate record name 'a/x'");
    });

    it('rejects an entry count the directory cannot hold', () => {
      const bad = Buffer.from(good);
      // ZIP64 end record total entries at offset 32 from its start
      bad.writeBigUInt64LE(10n, bad.byteLength - 98 + 32);
      const e = errorOf(() => ZipReader.fromBuffer(bad));
      expect(e.message).to.match(/^Corrupt zip: 10 entries cannot fit in a \d+-byte central directory$/);
    });

    it('rejects a ZIP64 value beyond the file size', () => {
      const bad = Buffer.from(good);
      bad.writeBigUInt64LE(1n << 60n, bad.byteLength - 98 + 48);
      const e = errorOf(() => ZipReader.fromBuffer(bad));
      expect(e.message).to.equal(`Corrupt zip: ZIP64 central directory offset ${1n << 60n} exceeds the file size ${bad.byteLength}`);
    });

    it('rejects unsupported compression and encryption', () => {
      const z = build([['a/x', Buffer.from('1')]]);
      const cd = z.readUInt32LE(z.byteLength - 6);
      const c = Buffer.from(z);
      c.writeUInt16LE(12, cd + 10);
      expect(errorOf(() => ZipReader.fromBuffer(c)).message).to.equal(
        "Unsupported zip: record 'a/x' uses compression method 12 (only stored and deflate are supported)",
      );
      const enc = Buffer.from(z);
      enc.writeUInt16LE(0x0809, cd + 8);
      expect(errorOf(() => ZipReader.fromBuffer(enc)).message).to.equal("Unsupported zip: record 'a/x' is encrypted");
    });

    it('reads deflated records written by Python zipfile', function () {
      if (!hasPython()) this.skip();
      const { dir, cleanup } = tmpDir();
      try {
        const file = path.join(dir, 'd.zip');
        spawnSync(PYTHON, ['-c', "import zipfile,sys;z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED);z.writestr('d/x', b'abc'*1000);z.close()", file]);
        const r = ZipReader.open(file);
        expect(r.get('d/x')!.method).to.equal(8);
        expect(r.read('d/x').toString()).to.equal('abc'.repeat(1000));
        r.close();
      } finally {
        cleanup();
      }
    });

    it('names a missing record and a wrong-size target', () => {
      const r = ZipReader.fromBuffer(good);
      expect(errorOf(() => r.read('a/nope')).message).to.equal("Zip record 'a/nope' not found");
      const e = errorOf(() => r.readInto('a/data.pkl', new Uint8Array(5)));
      expect(e).to.be.instanceOf(RangeError);
      expect(e.message).to.equal("Expected a 100-byte target for 'a/data.pkl' but received 5 bytes");
    });

    it('reports a file that shrank after opening', () => {
      const { dir, cleanup } = tmpDir();
      try {
        const file = path.join(dir, 's.zip');
        fs.writeFileSync(file, good);
        const r = ZipReader.open(file);
        fs.truncateSync(file, 50);
        const e = errorOf(() => r.read('a/data/0'));
        expect(e.message).to.match(/^Truncated zip: unexpected end of file at offset \d+$/);
        r.close();
      } finally {
        cleanup();
      }
    });
  });

  describe('writer errors', () => {
    it('rejects duplicates, empty names, size mismatches and use after finish', () => {
      const w = new ZipWriter(new BufferSink());
      w.add('a/x', Buffer.from('1'));
      expect(errorOf(() => w.add('a/x', Buffer.from('1'))).message).to.equal("ZipWriter: duplicate record name 'a/x'");
      expect(errorOf(() => w.add('', Buffer.from('1'))).message).to.equal('ZipWriter: empty record name');
      expect(errorOf(() => w.addChunks('a/y', 3, [Buffer.from('12')])).message).to.equal("ZipWriter: record 'a/y' got 2 bytes but 3 were declared");
      expect(errorOf(() => w.addChunks('a/z', 1, [Buffer.from('12')])).message).to.equal("ZipWriter: record 'a/z' got more than the declared 1 bytes");
      expect(errorOf(() => w.addChunks('a/w', -1, [])).message).to.equal('Expected a non-negative integer for size but received -1 of type number');
      w.finish();
      expect(errorOf(() => w.add('a/q', Buffer.from('1'))).message).to.equal('ZipWriter: add() after finish()');
      expect(errorOf(() => w.finish()).message).to.equal('ZipWriter: finish() called twice');
      expect(errorOf(() => new ZipWriter(new BufferSink(), { alignment: 0 })).message).to.equal(
        'Expected an integer in [1, 4096] for alignment but received 0 of type number',
      );
    });
  });
});
