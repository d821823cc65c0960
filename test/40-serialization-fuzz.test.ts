/**
 * Fuzzing the checkpoint readers: thousands of mutated checkpoints (truncation,
 * flipped bytes, wrong sizes and offsets, mutated pickles, hostile pickles,
 * out-of-range tensor descriptions, broken safetensors). Every case must end in
 * one of our Error classes with a message, or in a correct load — never a
 * crash, a hang, a leak or an unbounded allocation.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '../lib/torch/index.js';
import {
  BufferSink,
  CheckpointError,
  PickleFormatError,
  PickleSecurityError,
  PyGlobal,
  PyReduce,
  SafetensorsError,
  ZipFormatError,
  ZipReader,
  ZipWriter,
  dumps,
  load,
  loadFromBuffer,
  orderedDict,
  pyFloat,
  save,
  saveToBuffer,
  tuple,
  type PyValue,
} from '../lib/torch/serialization/index.js';
import { tmpDir, type Desc } from './40-serialization-helpers.js';
import { zipOf } from './40-serialization-bombs.js';
import { disposeAll, tdesc } from './40-serialization-torch-helpers.js';

const ALLOWED = [CheckpointError, ZipFormatError, PickleFormatError, PickleSecurityError, SafetensorsError];

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rezip(records: [string, Uint8Array][]): Buffer {
  const sink = new BufferSink();
  const w = new ZipWriter(sink);
  for (const [n, d] of records) w.add(n, d);
  w.finish();
  return sink.toBuffer();
}

function recordsOf(buf: Buffer): [string, Buffer][] {
  const r = ZipReader.fromBuffer(buf);
  return r.entries.map((e) => [e.name, r.read(e)]);
}

interface Outcome {
  ok: boolean;
  desc?: Desc;
}

describe('40 serialization: fuzz', function () {
  this.timeout(120_000);
  const made: torch.Tensor[] = [];
  const T = (t: torch.Tensor): torch.Tensor => (made.push(t), t);
  let seeds: { name: string; buf: Buffer; desc: Desc }[] = [];
  let failures: string[] = [];
  let cases = 0;
  let successes = 0;
  let startWrappers = 0;
  let startRss = 0;
  let maxCaseMs = 0;

  before(() => {
    const base = T(torch.arange(30, { dtype: 'float32' }).reshape([5, 6]));
    const emb = T(torch.randn([4, 3]));
    const sd = orderedDict<torch.Tensor>(
      [
        ['emb.weight', emb],
        ['head.weight', emb],
        ['row', T(base.select(0, 2))],
        ['t', T(base.t())],
        ['tail', T(base.view([-1]).narrow(0, 11, 7))],
        ['h', T(torch.randn([2, 3]).to('float16'))],
        ['b', T(torch.randn([3]).to('bfloat16'))],
        ['i', T(torch.tensor([1, -2, 3], { dtype: 'int64' }))],
        ['m', T(torch.tensor([true, false]))],
        ['s', T(torch.tensor(4.5))],
        ['e', T(torch.zeros([0, 2]))],
      ],
      {
        _metadata: orderedDict([
          ['', { version: 1 }],
          ['emb', { version: 1 }],
        ]),
      },
    );
    const ck: PyValue<torch.Tensor> = {
      model: sd,
      optimizer: {
        state: new Map<PyValue<torch.Tensor>, PyValue<torch.Tensor>>([
          [0, { step: T(torch.tensor(3, { dtype: 'float32' })), exp_avg: T(torch.zeros([4, 3])) }],
        ]),
        param_groups: [{ lr: 0.001, betas: tuple(0.9, 0.999), eps: 1e-8, weight_decay: 0, amsgrad: false, params: [0] }],
      },
      epoch: 12,
      loss: pyFloat(2),
      big: 2n ** 70n,
      name: 'fuzz ✓',
      none: null,
    };
    seeds = [
      { name: 'state_dict', buf: saveToBuffer(sd), desc: tdesc(sd) },
      { name: 'checkpoint', buf: saveToBuffer(ck), desc: tdesc(ck) },
      { name: 'single', buf: saveToBuffer({ w: base }), desc: tdesc({ w: base }) },
    ];
    startWrappers = torch.memory().numWrappers;
    startRss = process.memoryUsage().rss;
    failures = [];
  });
  after(() => {
    for (const t of made) t.dispose();
  });

  /** Runs one case; `expected` set means a successful load must equal it. */
  function run(label: string, load: () => unknown, expected: Desc | null, mustFail = false): Outcome {
    cases++;
    const t0 = performance.now();
    let out: Outcome;
    try {
      const v = load();
      try {
        const d = tdesc(v);
        if (mustFail) failures.push(`${label}: loaded but should have failed`);
        else if (expected !== null && JSON.stringify(d) !== JSON.stringify(expected)) failures.push(`${label}: loaded a different value`);
        out = { ok: true, desc: d };
        successes++;
      } finally {
        disposeAll(v);
      }
    } catch (e) {
      if (!ALLOWED.some((c) => e instanceof c)) {
        failures.push(`${label}: unexpected ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack?.split('\n').slice(1, 4).join('\n')}`);
      } else if (!(e as Error).message || (e as Error).message.length < 10) {
        failures.push(`${label}: unclear message ${JSON.stringify((e as Error).message)}`);
      }
      out = { ok: false };
    }
    const ms = performance.now() - t0;
    if (ms > maxCaseMs) maxCaseMs = ms;
    const live = torch.memory().numWrappers;
    if (live !== startWrappers) {
      failures.push(`${label}: ${live - startWrappers} tensors leaked`);
      startWrappers = live;
    }
    return out;
  }

  function report(): void {
    expect(failures.slice(0, 10), `${failures.length} failures`).to.deep.equal([]);
  }

  it('survives truncation at every kind of offset', () => {
    const r = rng(1);
    for (const s of seeds) {
      for (let i = 0; i < 400; i++) {
        const n = i < 100 ? i * Math.ceil(s.buf.byteLength / 100) : Math.floor(r() * s.buf.byteLength);
        run(`${s.name} truncated to ${n}`, () => loadFromBuffer(s.buf.subarray(0, Math.min(n, s.buf.byteLength - 1))), null, true);
      }
    }
    report();
  });

  it('survives flipped bytes anywhere (a successful load must equal the original)', () => {
    const r = rng(2);
    for (const s of seeds) {
      for (let i = 0; i < 3000; i++) {
        const b = Buffer.from(s.buf);
        const flips = 1 + Math.floor(r() * 4);
        const where: number[] = [];
        for (let k = 0; k < flips; k++) {
          const p = Math.floor(r() * b.byteLength);
          b[p] ^= 1 + Math.floor(r() * 255);
          where.push(p);
        }
        run(`${s.name} flipped at ${where}`, () => loadFromBuffer(b), s.desc);
      }
    }
    report();
  });

  it('survives wrong sizes, offsets and counts in the zip structure', () => {
    const r = rng(3);
    const interesting = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 64, 1000, 2 ** 20];
    for (const s of seeds) {
      const buf = s.buf;
      const n = buf.byteLength;
      const cdOffset = buf.readUInt32LE(n - 6);
      // central-directory u32 fields: crc 16, csize 20, usize 24, offset 42; u16 fields: name 28, extra 30, comment 32
      const entries: number[] = [];
      for (let p = cdOffset; buf.readUInt32LE(p) === 0x02014b50; p += 46 + buf.readUInt16LE(p + 28) + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32))
        entries.push(p);
      for (let i = 0; i < 1500; i++) {
        const b = Buffer.from(buf);
        const kind = Math.floor(r() * 6);
        const v = r() < 0.5 ? interesting[Math.floor(r() * interesting.length)] : Math.floor(r() * 2 ** 32);
        const e = entries[Math.floor(r() * entries.length)];
        let label: string;
        if (kind === 0) {
          const f = [16, 20, 24, 42][Math.floor(r() * 4)];
          b.writeUInt32LE(v >>> 0, e + f);
          label = `cd u32 +${f}=${v}`;
        } else if (kind === 1) {
          const f = [28, 30, 32, 10, 8][Math.floor(r() * 5)];
          b.writeUInt16LE(v & 0xffff, e + f);
          label = `cd u16 +${f}=${v & 0xffff}`;
        } else if (kind === 2) {
          // ZIP64 end record: entries (24, 32), cd size 40, cd offset 48
          const f = [24, 32, 40, 48][Math.floor(r() * 4)];
          b.writeBigUInt64LE(r() < 0.5 ? BigInt(v) : BigInt(v) << 20n, n - 98 + f);
          label = `zip64 eocd +${f}`;
        } else if (kind === 3) {
          b.writeBigUInt64LE(BigInt(Math.floor(r() * n * 2)), n - 42 + 8);
          label = 'zip64 locator offset';
        } else if (kind === 4) {
          const f = [8, 10, 12, 16, 20][Math.floor(r() * 5)];
          if (f >= 12 && f < 20) b.writeUInt32LE(v >>> 0, n - 22 + f);
          else b.writeUInt16LE(v & 0xffff, n - 22 + f);
          label = `eocd +${f}`;
        } else {
          // local header name/extra lengths
          const lh = b.readUInt32LE(e + 42);
          if (lh + 30 <= n) b.writeUInt16LE(v & 0xffff, lh + (r() < 0.5 ? 26 : 28));
          label = 'local header lengths';
        }
        run(`${s.name} ${label}`, () => loadFromBuffer(b), s.desc);
      }
    }
    report();
  });

  it('survives storage records of the wrong length', () => {
    const r = rng(4);
    for (const s of seeds) {
      const recs = recordsOf(s.buf);
      const dataIdx = recs.map(([n], i) => (n.includes('/data/') ? i : -1)).filter((i) => i >= 0);
      for (let i = 0; i < 200; i++) {
        const k = dataIdx[Math.floor(r() * dataIdx.length)];
        const [name, data] = recs[k];
        const delta = Math.floor(r() * 17) - 8 || 1;
        const len = Math.max(0, data.byteLength + delta);
        if (len === data.byteLength) continue;
        const copy = recs.map(([n, d]) => [n, d] as [string, Uint8Array]);
        copy[k] = [name, Buffer.concat([data, Buffer.alloc(Math.max(0, delta))]).subarray(0, len)];
        run(`${s.name} ${name} resized by ${delta}`, () => loadFromBuffer(rezip(copy)), null, true);
      }
    }
    report();
  });

  it('survives mutated pickles in otherwise valid archives', () => {
    const r = rng(5);
    for (const s of seeds) {
      const recs = recordsOf(s.buf);
      const pi = recs.findIndex(([n]) => n.endsWith('/data.pkl'));
      const pkl = recs[pi][1];
      for (let i = 0; i < 4000; i++) {
        let p = Buffer.from(pkl);
        const ops = 1 + Math.floor(r() * 3);
        for (let k = 0; k < ops; k++) {
          const at = Math.floor(r() * p.byteLength);
          const kind = Math.floor(r() * 5);
          if (kind === 0) p[at] ^= 1 + Math.floor(r() * 255);
          else if (kind === 1) p = Buffer.concat([p.subarray(0, at), p.subarray(Math.min(p.byteLength, at + 1 + Math.floor(r() * 8)))]);
          else if (kind === 2) p = Buffer.concat([p.subarray(0, at), Buffer.from([Math.floor(r() * 256)]), p.subarray(at)]);
          else if (kind === 3) {
            const len = 1 + Math.floor(r() * 40);
            p = Buffer.concat([p.subarray(0, at), p.subarray(at, at + len), p.subarray(at)]);
          } else p[at] = [0x4b, 0x4d, 0x4a, 0x8a, 0x58, 0x71, 0x68, 0x28, 0x74, 0x52, 0x62, 0x51, 0x73, 0x75, 0x61, 0x65, 0x2e][Math.floor(r() * 17)];
        }
        const copy = recs.map(([n, d], j) => [n, j === pi ? p : d] as [string, Uint8Array]);
        run(`${s.name} pickle mutation ${i}`, () => loadFromBuffer(rezip(copy)), null);
      }
    }
    report();
  });

  it('survives mutated archives whose records are deflated (as a zip tool writes them)', () => {
    const r = rng(8);
    for (const s of seeds) {
      const deflated = zipOf(recordsOf(s.buf).map(([name, data]) => ({ name, data, deflate: true })));
      run(`${s.name} deflated`, () => loadFromBuffer(deflated), s.desc);
      for (let i = 0; i < 1000; i++) {
        const b = Buffer.from(deflated);
        const kind = Math.floor(r() * 3);
        let label: string;
        if (kind === 0) {
          const p = Math.floor(r() * b.byteLength);
          b[p] ^= 1 + Math.floor(r() * 255);
          label = `flipped at ${p}`;
        } else if (kind === 1) {
          // The uncompressed size a central directory entry declares.
          const cd = b.readUInt32LE(b.byteLength - 6);
          const entries: number[] = [];
          for (let p = cd; b.readUInt32LE(p) === 0x02014b50; p += 46 + b.readUInt16LE(p + 28)) entries.push(p);
          const e = entries[Math.floor(r() * entries.length)];
          const v = [0, 1, 2 ** 20, 2 ** 26, 2 ** 31, 0xffffffff][Math.floor(r() * 6)];
          b.writeUInt32LE(v >>> 0, e + 24);
          label = `declared size ${v}`;
        } else {
          const n = Math.floor(r() * b.byteLength);
          run(`${s.name} deflated truncated to ${n}`, () => loadFromBuffer(b.subarray(0, n)), null, true);
          continue;
        }
        run(`${s.name} deflated ${label}`, () => loadFromBuffer(b), s.desc);
      }
    }
    report();
  });

  it('leaves no file descriptor open loading mutated files from disk (also with mmap)', function () {
    if (!fs.existsSync('/proc/self/fd')) this.skip();
    const r = rng(9);
    const { dir, cleanup } = tmpDir();
    try {
      const file = path.join(dir, 'case.pt');
      const fds = (): number => fs.readdirSync('/proc/self/fd').length;
      const before = fds();
      for (let i = 0; i < 600; i++) {
        const s = seeds[i % seeds.length];
        const b = Buffer.from(s.buf);
        const kind = i % 3;
        let data: Buffer = b;
        if (kind === 0) data = b.subarray(0, Math.floor(r() * b.byteLength));
        else if (kind === 1) for (let k = 0; k < 3; k++) b[Math.floor(r() * b.byteLength)] ^= 1 + Math.floor(r() * 255);
        else data = Buffer.alloc(Math.floor(r() * 64), Math.floor(r() * 256));
        fs.writeFileSync(file, data);
        // With mmap the CRCs go unchecked, so a flipped data byte may load as another value.
        const mmap = r() < 0.3;
        run(`${s.name} file case ${i} kind ${kind}${mmap ? ' mmap' : ''}`, () => load(file, { mmap }), kind === 1 && !mmap ? s.desc : null);
      }
      expect(fds() - before, 'file descriptors left open by 600 loads').to.equal(0);
    } finally {
      cleanup();
    }
    report();
  });

  it('refuses hostile pickles', () => {
    const recs = recordsOf(seeds[2].buf);
    const pi = recs.findIndex(([n]) => n.endsWith('/data.pkl'));
    const X = (s: string): string => `X${String.fromCharCode(s.length, 0, 0, 0)}${s}`;
    const hostile = [
      `\x80\x02cos\nsystem\n${X('touch /tmp/pwned')}\x85R.`,
      `\x80\x02cposix\nsystem\n${X('id')}\x85R.`,
      `\x80\x02cbuiltins\neval\n${X('1+1')}\x85R.`,
      `\x80\x02c__builtin__\nexec\n${X('x')}\x85R.`,
      `\x80\x02csubprocess\nPopen\n(${X('ls')}tR.`,
      `\x80\x02ctorch._utils\n_rebuild_tensor_v2\ncos\nsystem\n\x86R.`,
      `\x80\x02(cos\nsystem\n${X('ls')}o.`,
      `\x80\x02(${X('ls')}ios\nsystem\n.`,
      `\x80\x04\x8c\x02os\x8c\x06system\x93${X('ls')}\x85R.`,
      `\x80\x02ccollections\nOrderedDict\n)R}${X('__class__')}cos\nsystem\nsb.`,
      `\x80\x02}${X('a')}cos\nsystem\ns.`,
      `\x80\x02ctorch\nload\n${X('/etc/passwd')}\x85R.`,
      `\x80\x02ctorch\nstorage\n.`,
      `\x80\x02ctorch._utils\n_rebuild_qtensor\n.`,
      `\x80\x02(${X('storage')}cos\nsystem\n${X('0')}${X('cpu')}K\x02tQ.`,
      `\x80\x02${X('x')}\x81.`,
      `\x80\x02\x82\x01.`,
      `\x80\x02P0\n.`,
      `\x80\x02I1\n.`,
      `\x80\x02]\x8f.`,
    ];
    for (const [i, h] of hostile.entries()) {
      const copy = recs.map(([n, d], j) => [n, j === pi ? Buffer.from(h, 'latin1') : d] as [string, Uint8Array]);
      const out = run(`hostile ${i}`, () => loadFromBuffer(rezip(copy)), null, true);
      expect(out.ok).to.equal(false);
    }
    expect(fs.existsSync('/tmp/pwned')).to.equal(false);
    // the exact message for the classic attack
    const copy = recs.map(([n, d], j) => [n, j === pi ? Buffer.from(hostile[0], 'latin1') : d] as [string, Uint8Array]);
    expect(() => loadFromBuffer(rezip(copy))).to.throw(PickleSecurityError, "Refusing to load: global 'os.system' is not allowed (weights-only loading)");
    report();
  });

  it('validates random tensor descriptions against the storage', () => {
    const r = rng(6);
    const pick = (xs: number[]): number => xs[Math.floor(r() * xs.length)];
    const vals = [0, 1, 2, 3, 5, 7, 12, 100, 2 ** 31, 2 ** 40, 2 ** 53 - 1];
    let loaded = 0;
    for (let i = 0; i < 800; i++) {
      const numel = pick([0, 1, 6, 12, 24]);
      const dims = Math.floor(r() * 4);
      const size = tuple(...Array.from({ length: dims }, () => (r() < 0.7 ? pick([0, 1, 2, 3, 4]) : pick(vals))));
      const stride = tuple(...Array.from({ length: r() < 0.95 ? dims : dims + 1 }, () => (r() < 0.7 ? pick([0, 1, 2, 3, 6]) : pick(vals))));
      const offset = r() < 0.7 ? pick([0, 1, 2, 5]) : pick(vals);
      const cls = r() < 0.9 ? 'FloatStorage' : pick([0, 1, 2]) === 0 ? 'HalfStorage' : 'LongStorage';
      const item = cls === 'FloatStorage' ? 4 : cls === 'HalfStorage' ? 2 : 8;
      const sref = { s: true };
      const t = { t: true };
      const pkl = dumps(
        { w: t },
        {
          persistentId: (o) => (o === sref ? tuple<object>('storage', new PyGlobal('torch', cls), '0', 'cpu', numel) : undefined),
          reduce: (o) =>
            o === t
              ? new PyReduce<object>(new PyGlobal('torch._utils', '_rebuild_tensor_v2'), tuple<object>(sref, offset, size, stride, false, orderedDict()))
              : undefined,
        },
      );
      const recordLen = r() < 0.9 ? numel * item : numel * item + pick([-1, 1, 4]);
      const zip = rezip([
        ['archive/data.pkl', pkl],
        ['archive/data/0', Buffer.alloc(Math.max(0, recordLen), 7)],
        ['archive/version', Buffer.from('3\n')],
      ]);
      const out = run(`tensor off=${offset} size=[${size}] stride=[${stride}] numel=${numel}`, () => loadFromBuffer(zip), null);
      if (out.ok) {
        loaded++;
        // a loaded view must lie inside its storage
        const d = (out.desc as { dict: [Desc, { tensor: { shape: number[]; stride: number[]; offset: number; storage_numel: number } }][] }).dict[0][1].tensor;
        const n = d.shape.reduce((a, b) => a * b, 1);
        if (n > 0) {
          const last = d.offset + d.shape.reduce((acc, s, k) => acc + (s - 1) * d.stride[k], 0);
          expect(last).to.be.lessThan(d.storage_numel);
        }
      }
    }
    expect(loaded).to.be.greaterThan(0);
    report();
  });

  it('survives broken safetensors files', () => {
    const r = rng(7);
    const { dir, cleanup } = tmpDir();
    try {
      const file = path.join(dir, 'seed.safetensors');
      const w = T(torch.randn([3, 4]));
      const h = T(torch.randn([5]).to('float16'));
      const m = T(torch.tensor([true, false, true]));
      save({ w, h, m }, file, { format: 'safetensors', metadata: { a: 'b' } });
      startWrappers = torch.memory().numWrappers;
      const seed = fs.readFileSync(file);
      disposeAll(load(file, { format: 'safetensors' }));
      const target = path.join(dir, 'case.safetensors');
      const headerLen = Number(seed.readBigUInt64LE(0));
      for (let i = 0; i < 600; i++) {
        const b = Buffer.from(seed);
        const kind = Math.floor(r() * 4);
        let data: Buffer = b;
        if (kind === 0) data = b.subarray(0, Math.floor(r() * b.byteLength));
        else if (kind === 1) {
          const p = 8 + Math.floor(r() * headerLen);
          b[p] = ' {}[]",:0123456789-eE.aFIUB'.charCodeAt(Math.floor(r() * 27));
        } else if (kind === 2) b.writeBigUInt64LE(BigInt(Math.floor(r() * 2 ** 40)) >> BigInt(Math.floor(r() * 40)), 0);
        else b[8 + headerLen + Math.floor(r() * (b.byteLength - 8 - headerLen))] ^= 0xff;
        fs.writeFileSync(target, data);
        // safetensors has no checksum: flipped data bytes or a renamed tensor load legitimately
        run(`safetensors case ${i} kind ${kind}`, () => load(target, { format: 'safetensors' }), null);
      }
    } finally {
      cleanup();
    }
    report();
  });

  it(`ran thousands of cases quickly with bounded memory and no leaks`, function () {
    this.test!.title += ` (${cases} cases, ${successes} loaded, slowest ${maxCaseMs.toFixed(1)} ms)`;
    expect(cases).to.be.greaterThan(5000);
    expect(maxCaseMs, 'slowest case (ms)').to.be.lessThan(2000);
    const grew = process.memoryUsage().rss - startRss;
    expect(grew, 'RSS growth').to.be.lessThan(1 << 30);
    expect(torch.memory().numWrappers).to.equal(startWrappers);
  });
});
