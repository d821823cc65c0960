import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '../lib/torch/index.js';
import { Parameter } from '../lib/torch/nn/parameter.js';
import { storageId } from '../lib/torch/storage.js';
import {
  CheckpointError,
  PickleSecurityError,
  PyGlobal,
  PyReduce,
  PyTuple,
  ZipReader,
  chunking,
  ZipWriter,
  BufferSink,
  dumps,
  isOrderedDict,
  load,
  loadFromBuffer,
  orderedDict,
  pyFloat,
  pyFloatKeys,
  save,
  saveToBuffer,
  stateDictMetadata,
  tuple,
  writeFileAtomic,
  type PyValue,
} from '../lib/torch/serialization/index.js';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { PYTHON, hasPythonTorch, py, tmpDir, type Desc } from './40-serialization-helpers.js';

const TORCH2_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python', 'torch2-fixtures');
import { disposeAll, tdesc } from './40-serialization-torch-helpers.js';
import { errorOf } from './helpers/python.js';

type PyResult = { ok: Desc } | { error: string };
interface DescribeRequest {
  path: string;
  weights_only: boolean;
  map_location?: string;
}
function unwrap(r: PyResult, file: string): Desc {
  if ('error' in r) throw new Error(`Python could not load ${file}: ${r.error}`);
  return r.ok;
}
function pyDescribe(file: string, weightsOnly = true, mapLocation?: string): Desc {
  return unwrap(py<PyResult>('describe', { path: file, weights_only: weightsOnly, ...(mapLocation ? { map_location: mapLocation } : {}) }), file);
}
/** Describes many files in one Python process. */
function pyDescribeMany(reqs: DescribeRequest[]): Desc[] {
  return py<PyResult[]>('describe', reqs).map((r, i) => unwrap(r, reqs[i].path));
}

const FIXTURES = ['state_dict', 'tied', 'checkpoint', 'views', 'dtypes', 'dtypes2', 'noncontig', 'parameter', 'single', 'tensor_only', 'many'];

/** What serialization_ref.py's `values` command reports per tensor. */
type Values = Record<string, { dtype: string; values: string[] | null }>;

/** Our side of `values`: tolist() elements, ints as decimal strings, floats as big-endian double hex. */
function valuesOf(v: Record<string, torch.Tensor>): Values {
  const out: Values = {};
  for (const [k, t] of Object.entries(v)) {
    let values: string[] | null = null;
    if (torch.hasNumberForm(t.dtype)) {
      if (t.isFloatingPoint()) {
        values = t.dataSync().map((x) => {
          const b = Buffer.alloc(8);
          b.writeDoubleBE(x);
          return b.toString('hex');
        });
      } else {
        values = Array.from(t.toTypedArray() as ArrayLike<number | bigint>, (x) => String(x));
      }
    }
    out[k] = { dtype: t.dtype, values };
  }
  return out;
}

/** Python prints NaN with its payload; JS has one NaN: compare NaNs as NaN. */
function canonNaN(v: Values): Values {
  const nan = (h: string): string =>
    /^[7f]ff/.test(h) && h.length === 16 && BigInt(`0x${h.slice(3)}`) !== 0n && (parseInt(h.slice(0, 3), 16) & 0x7ff) === 0x7ff ? 'nan' : h;
  return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, { dtype: e.dtype, values: e.values?.map(nan) ?? null }]));
}

/** A checkpoint with one float32 storage of `values` saved on `location`, built by hand. */
function buildCheckpoint(location: string, values: number[], extra: (p: Buffer) => Buffer = (p) => p): Buffer {
  const sref = { storageRef: true };
  const t = { tensor: true };
  const pkl = dumps(
    { w: t },
    {
      persistentId: (o) => (o === sref ? tuple<object>('storage', new PyGlobal('torch', 'FloatStorage'), '0', location, values.length) : undefined),
      reduce: (o) =>
        o === t
          ? new PyReduce(new PyGlobal('torch._utils', '_rebuild_tensor_v2'), tuple<object>(sref, 0, tuple(values.length), tuple(1), false, orderedDict()))
          : undefined,
    },
  );
  const sink = new BufferSink();
  const zw = new ZipWriter(sink);
  zw.add('archive/data.pkl', extra(pkl));
  zw.add('archive/data/0', Buffer.from(new Float32Array(values).buffer));
  zw.add('archive/version', Buffer.from('3\n'));
  zw.finish();
  return sink.toBuffer();
}

/** Rebuilds a zip with some records replaced or dropped (undefined = drop). */
function rezip(buf: Buffer, change: Record<string, Buffer | undefined>, add: Record<string, Buffer> = {}): Buffer {
  const r = ZipReader.fromBuffer(buf);
  const sink = new BufferSink();
  const w = new ZipWriter(sink);
  for (const e of r.entries) {
    if (e.name in change) {
      const c = change[e.name];
      if (c !== undefined) w.add(e.name, c);
    } else {
      w.add(e.name, r.read(e));
    }
  }
  for (const [n, d] of Object.entries(add)) w.add(n, d);
  w.finish();
  return sink.toBuffer();
}

describe('40 serialization: torch.save / torch.load (.pt)', () => {
  let dir: string;
  let cleanup: () => void;
  let fixtures: Record<string, string> = {};
  let pythonView: Record<string, Desc> = {};
  before(() => {
    ({ dir, cleanup } = tmpDir());
    if (!hasPythonTorch()) return;
    fixtures = py<Record<string, string>>('fixtures', { dir });
    const d = pyDescribeMany(FIXTURES.map((n) => ({ path: fixtures[n], weights_only: true })));
    pythonView = Object.fromEntries(FIXTURES.map((n, i) => [n, d[i]]));
  });
  after(() => cleanup());
  const needPython = function (this: Mocha.Context): void {
    if (!hasPythonTorch()) this.skip();
  };

  describe('files Python writes', () => {
    for (const name of FIXTURES) {
      it(`loads ${name}.pt with identical values, dtypes, shapes, strides and sharing`, function () {
        needPython.call(this);
        const expected = pythonView[name];
        const v = load(fixtures[name]);
        try {
          expect(tdesc(v)).to.deep.equal(expected);
        } finally {
          disposeAll(v);
        }
      });
    }

    it('keeps tied weights and views sharing one storage', function () {
      needPython.call(this);
      const sd = load<Record<string, torch.Tensor>>(fixtures.state_dict);
      const views = load<Record<string, torch.Tensor>>(fixtures.views);
      try {
        expect(storageId(sd['emb.weight'])).to.equal(storageId(sd['head.weight']));
        expect(storageId(views.base)).to.equal(storageId(views.tail));
        expect(views.tail.storageOffset()).to.equal(7);
        expect(views.t.isContiguous()).to.equal(false);
        expect(views.scalar.shape).to.deep.equal([]);
        expect(views.scalar.item()).to.equal(15);
      } finally {
        disposeAll(sd);
        disposeAll(views);
      }
    });

    it('maps Python types to the documented JS shapes', function () {
      needPython.call(this);
      const ck = load<Record<string, PyValue<torch.Tensor>>>(fixtures.checkpoint);
      try {
        expect(isOrderedDict(ck.model)).to.equal(true);
        const md = stateDictMetadata(ck.model as object) as Record<string, Record<string, number>>;
        expect(Object.keys(md)).to.deep.equal(['', 'emb', 'seq', 'seq.0', 'seq.1', 'seq.2', 'head']);
        expect(md['seq.2']).to.deep.equal({ version: 1 });
        expect(ck.epoch).to.equal(3);
        expect(ck.huge).to.equal(2n ** 70n);
        // Python's 2.0: a plain number, remembered as a float by its dict (so a re-save writes 2.0)
        expect(ck.loss).to.equal(2);
        expect(pyFloatKeys(ck).has('loss')).to.equal(true);
        expect(pyFloatKeys(ck).has('epoch')).to.equal(false);
        expect(ck.lr).to.equal(0.001);
        expect(ck.shape).to.be.instanceOf(PyTuple);
        expect(ck.by_id).to.be.instanceOf(Map);
        const opt = ck.optimizer as { state: Map<number, Record<string, torch.Tensor>>; param_groups: Record<string, PyValue>[] };
        expect(opt.state).to.be.instanceOf(Map);
        expect(opt.state.get(0)!.step.shape).to.deep.equal([]);
        expect(opt.param_groups[0].betas).to.be.instanceOf(PyTuple);
        expect(opt.param_groups[0].weight_decay).to.equal(0);
        expect(opt.param_groups[0].params).to.deep.equal([0, 1, 2, 3, 4]);
      } finally {
        disposeAll(ck);
      }
    });

    it('loads Parameters as Parameter with requires_grad', function () {
      needPython.call(this);
      const v = load<Record<string, torch.Tensor>>(fixtures.parameter);
      try {
        expect(v.p).to.be.instanceOf(Parameter);
        expect(v.p.requiresGrad).to.equal(true);
        expect(v.frozen).to.be.instanceOf(Parameter);
        expect(v.frozen.requiresGrad).to.equal(false);
      } finally {
        disposeAll(v);
      }
    });

    it('frees every intermediate tensor (live tensor count returns to its start)', function () {
      needPython.call(this);
      const before = torch.memory();
      for (let i = 0; i < 5; i++) disposeAll(load(fixtures.checkpoint));
      const after = torch.memory();
      expect(after.numWrappers).to.equal(before.numWrappers);
      expect(after.numTensors).to.equal(before.numTensors);
    });
  });

  describe('files PyTorch 2.11 wrote (checked in; made on a CUDA machine)', () => {
    const expected = JSON.parse(fs.readFileSync(path.join(TORCH2_DIR, 'expected.json'), 'utf8')) as Record<string, Desc>;
    for (const name of Object.keys(expected)) {
      it(`loads ${name}.pt (with .format_version, .storage_alignment, byteorder and .data/serialization_id records)`, () => {
        const file = path.join(TORCH2_DIR, `${name}.pt`);
        const v = load(file, name === 'cuda' ? { mapLocation: 'cpu' } : {});
        try {
          const want = name === 'cuda' ? (JSON.parse(JSON.stringify(expected[name]).replaceAll('"cuda:0"', '"cpu"')) as Desc) : expected[name];
          expect(tdesc(v)).to.deep.equal(want);
        } finally {
          disposeAll(v);
        }
      });
    }

    it('refuses the cuda:0 file without CUDA and without mapLocation', function () {
      if (torch.cuda.isAvailable()) this.skip();
      expect(errorOf(() => load(path.join(TORCH2_DIR, 'cuda.pt'))).message).to.equal(
        "Attempting to load a storage saved on 'cuda:0' onto cuda:0, but CUDA is not available; pass mapLocation: 'cpu' to load it on the CPU",
      );
    });
  });

  describe('files we write', () => {
    let resaved: Record<string, Desc> = {};
    const ours: Record<string, Desc> = {};
    before(() => {
      if (!hasPythonTorch()) return;
      const reqs: DescribeRequest[] = [];
      for (const name of FIXTURES) {
        const v = load(fixtures[name]);
        const out = path.join(dir, `resaved-${name}.pt`);
        try {
          save(v, out);
          ours[name] = tdesc(v);
        } finally {
          disposeAll(v);
        }
        reqs.push({ path: out, weights_only: true });
      }
      const d = pyDescribeMany(reqs);
      resaved = Object.fromEntries(FIXTURES.map((n, i) => [n, d[i]]));
    });
    for (const name of FIXTURES) {
      it(`re-saves ${name}.pt so that Python sees the same values, types and sharing`, function () {
        needPython.call(this);
        expect(resaved[name]).to.deep.equal(pythonView[name]);
        // and loading our own file gives the same again
        const again = load(path.join(dir, `resaved-${name}.pt`));
        try {
          expect(tdesc(again)).to.deep.equal(ours[name]);
        } finally {
          disposeAll(again);
        }
      });
    }

    it("writes {'w': tensor([1., 2.])} byte for byte like torch.save (under archive/ and under w/)", function () {
      needPython.call(this);
      const w = torch.tensor([1, 2], { dtype: 'float32' });
      try {
        const mine = saveToBuffer({ w });
        const pyFile = path.join(dir, 'archive.pt');
        py('save', { path: pyFile, expr: "{'w': torch.tensor([1., 2.])}" });
        expect(mine.toString('hex')).to.equal(fs.readFileSync(pyFile).toString('hex'));
        const mineW = path.join(dir, 'w.pt');
        save({ w }, mineW);
        const pyW = path.join(dir, 'pyw', 'w.pt');
        fs.mkdirSync(path.dirname(pyW));
        py('save', { path: pyW, expr: "{'w': torch.tensor([1., 2.])}" });
        expect(fs.readFileSync(mineW).toString('hex')).to.equal(fs.readFileSync(pyW).toString('hex'));
      } finally {
        w.dispose();
      }
    });

    // The last record, .data/serialization_id, hashes the record names in the
    // order of a C++ unordered_set, which changes as it grows (13, 29, 59, 127,
    // 257 buckets...), and the CRC of every write that starts like a zip data
    // descriptor: these files cross those sizes and contain such writes.
    const IDENTICAL: [string, string, () => Record<string, torch.Tensor>][] = [
      ['no tensors', '{}', () => ({})],
      ...[8, 24, 54, 55, 130, 260].map((n): [string, string, () => Record<string, torch.Tensor>] => [
        `${n} storages`,
        `{('k%d' % i): torch.tensor([float(i)]) for i in range(${n})}`,
        () => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, torch.tensor([i], { dtype: 'float32' })])),
      ]),
      [
        'the dtypes of PyTorch 2.x (_rebuild_tensor_v3 over UntypedStorage)',
        "{'u16': torch.tensor([0, 1, 64, 1000], dtype=torch.uint16), 'u64': torch.tensor([2**64 - 1, 3], dtype=torch.uint64), " +
          "'f8': torch.tensor([1.5, -2.25]).to(torch.float8_e4m3fn), " +
          "'p': torch.nn.Parameter(torch.tensor([1., -2.]).to(torch.float8_e5m2), requires_grad=False), " +
          "'b': torch.tensor([1, 2], dtype=torch.uint8).view(torch.bits8), 'f': torch.tensor([0.5])}",
        () => ({
          u16: torch.tensor(new Uint16Array([0, 1, 64, 1000])),
          u64: torch.tensor(new BigUint64Array([2n ** 64n - 1n, 3n])),
          f8: torch.tensor([1.5, -2.25]).to('float8_e4m3fn'),
          p: new Parameter(torch.tensor([1, -2], { dtype: 'float32' }).to('float8_e5m2'), false),
          b: torch.tensor(new Uint8Array([1, 2]), { dtype: 'bits8' }),
          f: torch.tensor([0.5]),
        }),
      ],
      [
        'a storage that starts with the data descriptor signature PK\\x07\\x08',
        "{'sig': torch.tensor([0x50, 0x4b, 7, 8, 1, 2, 3, 4], dtype=torch.uint8), 'short': torch.tensor([0x50, 0x4b, 7, 8], dtype=torch.uint8)}",
        () => ({
          sig: torch.tensor([0x50, 0x4b, 7, 8, 1, 2, 3, 4], { dtype: 'uint8' }),
          short: torch.tensor([0x50, 0x4b, 7, 8], { dtype: 'uint8' }),
        }),
      ],
    ];
    for (const [what, expr, make] of IDENTICAL) {
      it(`writes the same bytes as torch.save, serialization id included, for ${what}`, function () {
        needPython.call(this);
        const v = make();
        try {
          const pyFile = path.join(dir, 'ident.pt');
          py('save', { path: pyFile, expr });
          const mine = saveToBuffer(v, { archiveName: 'ident' });
          expect(mine.equals(fs.readFileSync(pyFile))).to.equal(true);
        } finally {
          disposeAll(v);
        }
      });
    }

    it('writes the same bytes as torch.save under an archive name that starts with PK\\x07\\x08', function () {
      needPython.call(this);
      const name = 'PK\x07\x08-archive';
      const pyFile = path.join(dir, `${name}.pt`);
      py('save', { path: pyFile, expr: "{'w': torch.tensor([1., 2.])}" });
      const w = torch.tensor([1, 2], { dtype: 'float32' });
      try {
        const mine = path.join(dir, 'mine', `${name}.pt`);
        fs.mkdirSync(path.dirname(mine));
        save({ w }, mine);
        expect(fs.readFileSync(mine).equals(fs.readFileSync(pyFile))).to.equal(true);
      } finally {
        w.dispose();
      }
    });

    it('writes JS-built state dicts that Python loads with weights_only=True', function () {
      needPython.call(this);
      const made: torch.Tensor[] = [];
      const T = (t: torch.Tensor): torch.Tensor => (made.push(t), t);
      try {
        const base = T(torch.arange(24, { dtype: 'float32' }).reshape([4, 6]));
        const emb = T(torch.randn([5, 3]));
        const sd = orderedDict<torch.Tensor>(
          [
            ['emb.weight', emb],
            ['head.weight', emb],
            ['base', base],
            ['row', T(base.select(0, 1))],
            ['tail', T(base.view([-1]).narrow(0, 7, 12))],
            ['t', T(base.t())],
            ['scalar', T(torch.tensor(2.5))],
            ['empty', T(torch.zeros([0, 3]))],
            ['f16', T(torch.randn([3, 2]).to('float16'))],
            ['bf16', T(torch.randn([4]).to('bfloat16'))],
            ['f64', T(torch.randn([2], { dtype: 'float64' }))],
            ['i64', T(torch.tensor([-(2 ** 40), 5], { dtype: 'int64' }))],
            ['i32', T(torch.tensor([-3, 4], { dtype: 'int32' }))],
            ['i16', T(torch.tensor([-3, 4], { dtype: 'int16' }))],
            ['i8', T(torch.tensor([-3, 4], { dtype: 'int8' }))],
            ['u8', T(torch.tensor([0, 255], { dtype: 'uint8' }))],
            ['mask', T(torch.tensor([true, false, true]))],
            ['expand', T(torch.tensor([1, 2, 3], { dtype: 'float32' }).expand([4, 3]))],
          ],
          {
            _metadata: orderedDict([
              ['', { version: 1 }],
              ['emb', { version: 2 }],
            ]),
          },
        );
        const file = path.join(dir, 'js-state.pt');
        save(sd, file);
        expect(pyDescribe(file, true)).to.deep.equal(tdesc(sd));
        const back = load(file);
        expect(tdesc(back)).to.deep.equal(tdesc(sd));
        disposeAll(back);
      } finally {
        for (const t of made) t.dispose();
      }
    });

    it('writes nested checkpoints with Python types intact (loaded with weights_only=True)', function () {
      needPython.call(this);
      const w = torch.randn([2, 2]);
      const p = new Parameter(torch.randn([3]));
      try {
        const ck = {
          model: orderedDict([['w', w]]),
          params: [p],
          epoch: 7,
          loss: pyFloat(1),
          lr: 3e-4,
          big: 2n ** 64n,
          betas: tuple(0.9, 0.999),
          none: null,
          flag: false,
          byIndex: new Map<PyValue<torch.Tensor>, PyValue<torch.Tensor>>([
            [0, w],
            [1, 'x'],
          ]),
          dtype: new PyGlobal('torch', 'float16'),
        };
        const file = path.join(dir, 'js-ck.pt');
        save(ck, file);
        const expected = tdesc(ck);
        expect(pyDescribe(file, true)).to.deep.equal(expected);
      } finally {
        w.dispose();
        p.dispose();
      }
    });

    it('writes a pretraining checkpoint (model, AdamW, scheduler, floats, None, bools, strings) that Python loads with weights_only=True', function () {
      needPython.call(this);
      const model = new torch.nn.Sequential(new torch.nn.Linear(4, 3), new torch.nn.LayerNorm(3));
      const opt = new torch.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
      const sched = new torch.optim.lrScheduler.LinearLR(opt, { startFactor: 0.5, totalIters: 10 });
      try {
        for (let i = 0; i < 2; i++) {
          opt.zeroGrad();
          torch.tidy(() => (model.forward(torch.randn([2, 4])) as torch.Tensor).pow(2).sum().backward());
          opt.step();
          sched.step();
        }
        const ck = {
          model: model.stateDict(),
          optimizer: opt.stateDict(),
          scheduler: sched.stateDict(),
          epoch: 3,
          step: 2 ** 40,
          config: { hidden: 4, dropout: 0.1, tied: true, act: 'gelu', sizes: tuple(4, 3) },
          vocab: null,
          eval_loss: NaN,
          best_eval_loss: Infinity,
          loss: pyFloat(2),
          meta: { note: 'ünïcode', flags: [true, false, null] },
        };
        const file = path.join(dir, 'pretrain.pt');
        save(ck, file);
        expect(pyDescribe(file, true)).to.deep.equal(tdesc(ck));
        torch.dispose(ck.model);
      } finally {
        for (const p of model.parameters()) p.dispose();
      }
    });

    it("writes records in torch.save's order (storages in numeric key order)", function () {
      needPython.call(this);
      const ts = Array.from({ length: 12 }, (_, i) => torch.full([1], i));
      try {
        const pyFile = path.join(dir, 'archive.pt');
        py('save', { path: pyFile, expr: '{("t%d" % i): torch.full([1], float(i)) for i in range(12)}' });
        const buf = saveToBuffer(Object.fromEntries(ts.map((t, i) => [`t${i}`, t])));
        const names = (b: Buffer): string[] => ZipReader.fromBuffer(b).entries.map((e) => e.name);
        expect(names(buf)).to.deep.equal(names(fs.readFileSync(pyFile)));
      } finally {
        for (const t of ts) t.dispose();
      }
    });

    it('streams big storages in pieces (small thresholds here) with the same bytes and checks', () => {
      const saved = { ...chunking };
      chunking.chunkThreshold = 100;
      chunking.chunkBytes = 28; // not a multiple of 8: pieces are rounded to whole elements
      const a = torch.randn([7, 9]);
      const d = torch.randn([5, 5], { dtype: 'float64' });
      const m = torch.tensor([true, false, true, true]);
      const views = { a, at: a.t(), tail: a.view([-1]).narrow(0, 20, 30), d, m, h: torch.randn([61]).to('float16') };
      try {
        const buf = saveToBuffer(views);
        chunking.chunkThreshold = saved.chunkThreshold;
        const plain = saveToBuffer(views);
        expect(buf.equals(plain)).to.equal(true);
        chunking.chunkThreshold = 100;
        const back = loadFromBuffer(buf);
        expect(tdesc(back)).to.deep.equal(tdesc(views));
        disposeAll(back);
        const bad = Buffer.from(buf);
        bad[ZipReader.fromBuffer(buf).get('archive/data/0')!.dataOffset + 200] ^= 4;
        const before = torch.memory().numWrappers;
        expect(errorOf(() => loadFromBuffer(bad)).message).to.match(/^Corrupt zip: CRC-32 mismatch in record 'archive\/data\/0'/);
        expect(torch.memory().numWrappers).to.equal(before);
      } finally {
        Object.assign(chunking, saved);
        for (const t of Object.values(views)) t.dispose();
      }
    });

    it('saves and loads a single storage over 4 GiB (set SERIALIZATION_SLOW=1)', function () {
      if (!process.env.SERIALIZATION_SLOW) this.skip();
      this.timeout(900_000);
      const n = 2 ** 32 + 100;
      const big = torch.full([n], 7, { dtype: 'uint8' });
      const tail = big.narrow(0, n - 3, 3);
      tail.fill_(9);
      const file = path.join(dir, 'huge.pt');
      try {
        save({ big, tail }, file);
        tail.dispose();
        big.dispose();
        const back = load<{ big: torch.Tensor; tail: torch.Tensor }>(file);
        try {
          expect(back.big.shape).to.deep.equal([n]);
          expect(storageId(back.big)).to.equal(storageId(back.tail));
          expect(back.tail.tolist()).to.deep.equal([9, 9, 9]);
          const head = back.big.narrow(0, 0, 3);
          expect(head.tolist()).to.deep.equal([7, 7, 7]);
          head.dispose();
        } finally {
          disposeAll(back);
        }
        if (hasPythonTorch()) {
          const r = spawnSync(
            PYTHON,
            [
              '-c',
              'import sys,torch;d=torch.load(sys.argv[1],weights_only=True);b=d["big"];print(b.shape[0], b[:3].tolist(), d["tail"].tolist(), d["tail"].storage().data_ptr()==b.storage().data_ptr())',
              file,
            ],
            { encoding: 'utf8' },
          );
          expect(r.stdout.trim()).to.equal(`${n} [7, 7, 7] [9, 9, 9] True`);
        }
      } finally {
        fs.rmSync(file, { force: true });
      }
    });

    it('round-trips through buffers and keeps sharing', () => {
      const a = torch.randn([4, 4]);
      const b = a.narrow(0, 1, 2);
      try {
        const back = loadFromBuffer<{ a: torch.Tensor; b: torch.Tensor; again: torch.Tensor }>(saveToBuffer({ a, b, again: a }));
        expect(back.again).to.equal(back.a);
        expect(storageId(back.a)).to.equal(storageId(back.b));
        expect(back.b.storageOffset()).to.equal(4);
        expect(tdesc(back)).to.deep.equal(tdesc({ a, b, again: a }));
        disposeAll(back);
      } finally {
        b.dispose();
        a.dispose();
      }
    });
  });

  describe('dtypes PyTorch 2.x added (uint16/32/64, float8, float4_e2m1fn_x2, bits)', () => {
    it('loads each as Python 2.13 sees it: tolist() element for element', function () {
      needPython.call(this);
      const want = py<Values>('values', { path: fixtures.dtypes2 });
      const v = load<Record<string, torch.Tensor>>(fixtures.dtypes2);
      try {
        expect(canonNaN(valuesOf(v))).to.deep.equal(canonNaN(want));
        expect(v.param).to.be.instanceOf(Parameter);
        expect(storageId(v.u16)).to.equal(storageId(v.u16_view));
      } finally {
        disposeAll(v);
      }
    });

    it('writes each so that Python 2.13 loads it with weights_only=True and sees the same values, strides and sharing', function () {
      needPython.call(this);
      const u16 = torch.tensor(new Uint16Array([0, 1, 64, 1000, 65535, 7]));
      const v: Record<string, torch.Tensor> = {
        u16,
        u16_view: u16.narrow(0, 1, 3),
        u32: torch
          .tensor(new Uint32Array([0, 7, 4294967295, 65536]))
          .reshape([2, 2])
          .t(),
        u64: torch.tensor(new BigUint64Array([0n, 2n ** 63n, 2n ** 64n - 1n, 12345n])),
        f8e4m3fn: torch.tensor([0, 1.5, -2.25, 448, 0.001953125, NaN]).to('float8_e4m3fn'),
        f8e5m2: torch.tensor([0, 1.5, -2.5, 57344, Infinity, -0]).to('float8_e5m2'),
        f8e4m3fnuz: torch.tensor([0, 1.5, -2.25, 240]).to('float8_e4m3fnuz'),
        f8e5m2fnuz: torch.tensor([0, 1.5, -2.5, 57344]).to('float8_e5m2fnuz'),
        f8e8m0fnu: torch.tensor([0.5, 1, 4, 2 ** 100]).to('float8_e8m0fnu'),
        f4: torch.tensor(new Uint8Array([0x38, 0x42, 0x7e, 0xff]), { dtype: 'float4_e2m1fn_x2' }),
        bits8: torch.tensor(new Uint8Array([0, 0x81, 0x10]), { dtype: 'bits8' }),
        bits16: torch.tensor(new Uint16Array([0x4238, 0xff7e]), { dtype: 'bits16' }),
        bits1x8: torch.tensor(new Uint8Array([1, 2]), { dtype: 'bits1x8' }),
        bits2x4: torch.tensor(new Uint8Array([3, 4]), { dtype: 'bits2x4' }),
        bits4x2: torch.tensor(new Uint8Array([5, 6]), { dtype: 'bits4x2' }),
        param: new Parameter(torch.tensor([1, -2]).to('float8_e5m2'), false),
        scalar_u32: torch.tensor(new Uint32Array([5])).reshape([]),
        empty_u64: torch.zeros([0, 2], { dtype: 'uint64' }),
      };
      try {
        const file = path.join(dir, 'js-dtypes2.pt');
        save(v, file);
        expect(pyDescribe(file, true)).to.deep.equal(tdesc(v));
        expect(canonNaN(py<Values>('values', { path: file }))).to.deep.equal(canonNaN(valuesOf(v)));
      } finally {
        disposeAll(v);
      }
    });

    it('refuses complex tensors by name (this library has no complex dtypes)', function () {
      needPython.call(this);
      const f = path.join(dir, 'complex32.pt');
      py('save', { path: f, expr: "{'c': torch.zeros(2, dtype=torch.complex32)}" });
      const e = errorOf(() => load(f));
      expect(e).to.be.instanceOf(CheckpointError);
      expect(e.message).to.equal('Unsupported checkpoint: complex32 tensors are not supported by this library');
    });
  });

  describe('memory-mapped loading (mmap: true, as torch.load(mmap=True))', () => {
    for (const name of ['state_dict', 'views', 'dtypes', 'dtypes2', 'checkpoint']) {
      it(`loads ${name}.pt with the same values, dtypes, strides and sharing as a plain load`, function () {
        needPython.call(this);
        const v = load(fixtures[name], { mmap: true });
        try {
          expect(tdesc(v)).to.deep.equal(pythonView[name]);
        } finally {
          disposeAll(v);
        }
      });
    }

    it('keeps writes private (copy-on-write), survives our atomic re-save, and unmaps when the tensors go', () => {
      const file = path.join(dir, 'mapped.pt');
      const a = torch.arange(6, { dtype: 'float32' });
      try {
        save({ a }, file);
        const before = fs.readFileSync(file);
        const v = load<{ a: torch.Tensor }>(file, { mmap: true });
        const mapped = (): boolean => fs.readFileSync('/proc/self/maps', 'utf8').includes(file);
        const linux = process.platform === 'linux';
        if (linux) expect(mapped()).to.equal(true);
        v.a.add_(10);
        expect(v.a.tolist()).to.deep.equal([10, 11, 12, 13, 14, 15]);
        expect(fs.readFileSync(file).equals(before)).to.equal(true);
        const z = torch.zeros([6]);
        save({ a: z }, file); // replaced by rename: the mapping keeps the old file
        z.dispose();
        expect(v.a.tolist()).to.deep.equal([10, 11, 12, 13, 14, 15]);
        v.a.dispose();
        if (linux) expect(mapped()).to.equal(false);
      } finally {
        a.dispose();
      }
    });

    it('reads the records it cannot map (not aligned to their element size) and checks CRCs when asked', () => {
      const d = torch.arange(5, { dtype: 'float64' });
      try {
        // Rewrite a checkpoint with 1-byte alignment: data/0 then starts at an odd offset.
        const r = ZipReader.fromBuffer(saveToBuffer({ d }));
        const sink = new BufferSink();
        const w = new ZipWriter(sink, { alignment: 1 });
        for (const e of r.entries) w.add(e.name, r.read(e));
        w.finish();
        const file = path.join(dir, 'unaligned.pt');
        fs.writeFileSync(file, sink.toBuffer());
        expect(ZipReader.open(file).get('archive/data/0')!.dataOffset % 8).to.not.equal(0);
        const v = load<{ d: torch.Tensor }>(file, { mmap: true });
        expect(v.d.tolist()).to.deep.equal([0, 1, 2, 3, 4]);
        v.d.dispose();
        // A mapped record with a flipped bit: found with verifyCrc, not looked for by default.
        const bad = saveToBuffer({ d });
        bad[ZipReader.fromBuffer(bad).get('archive/data/0')!.dataOffset + 3] ^= 1;
        const badFile = path.join(dir, 'bad-mapped.pt');
        fs.writeFileSync(badFile, bad);
        const before = torch.memory().numWrappers;
        expect(errorOf(() => load(badFile, { mmap: true, verifyCrc: true })).message).to.match(/^Corrupt zip: CRC-32 mismatch in record 'archive\/data\/0'/);
        expect(torch.memory().numWrappers).to.equal(before);
        const unchecked = load<{ d: torch.Tensor }>(badFile, { mmap: true });
        expect(unchecked.d.shape).to.deep.equal([5]);
        unchecked.d.dispose();
      } finally {
        d.dispose();
      }
    });
  });

  describe('devices', () => {
    const file = (): string => path.join(dir, 'cuda1.pt');
    before(() => fs.writeFileSync(path.join(dir, 'cuda1.pt'), buildCheckpoint('cuda:1', [1, 2, 3])));

    it('refuses a cuda:N checkpoint without CUDA unless mapLocation is given', function () {
      if (torch.cuda.isAvailable()) this.skip();
      const e = errorOf(() => load(file()));
      expect(e).to.be.instanceOf(CheckpointError);
      expect(e.message).to.equal(
        "Attempting to load a storage saved on 'cuda:1' onto cuda:1, but CUDA is not available; pass mapLocation: 'cpu' to load it on the CPU",
      );
    });

    it('maps locations with a device, a record or a function', () => {
      for (const m of ['cpu', new torch.Device('cpu'), { 'cuda:1': 'cpu' }, (loc: string) => (loc === 'cuda:1' ? 'cpu' : loc)] as const) {
        const v = load<{ w: torch.Tensor }>(file(), { mapLocation: m });
        expect(String(v.w.device)).to.equal('cpu');
        expect(v.w.tolist()).to.deep.equal([1, 2, 3]);
        v.w.dispose();
      }
      const seen: string[] = [];
      disposeAll(load(file(), { mapLocation: (loc) => (seen.push(loc), 'cpu') }));
      expect(seen).to.deep.equal(['cuda:1']);
    });

    it('is a file Python loads with map_location', function () {
      needPython.call(this);
      const d = pyDescribe(file(), true, 'cpu') as { dict: [Desc, { tensor: { bytes: string } }][] };
      expect(d.dict[0][1].tensor.bytes).to.equal(Buffer.from(new Float32Array([1, 2, 3]).buffer).toString('hex'));
    });

    it('rejects unknown locations and bad mapLocation results', () => {
      const mps = buildCheckpoint('mps', [1]);
      expect(errorOf(() => loadFromBuffer(mps)).message).to.equal("Unsupported storage location 'mps' in the checkpoint (expected cpu or cuda:N)");
      const e = errorOf(() => load(file(), { mapLocation: () => 'tpu' }));
      expect(e).to.be.instanceOf(TypeError);
      expect(e.message).to.equal("Expected a device like 'cpu', 'cuda' or 'cuda:0' for mapLocation but received 'tpu' of type string");
    });

    it('saves CUDA tensors with their cuda:N location and loads them back there', function () {
      if (!torch.cuda.isAvailable()) this.skip();
      const t = torch.randn([3]).to('cuda:0');
      try {
        const buf = saveToBuffer({ t });
        expect(buf.includes(Buffer.from('cuda:0'))).to.equal(true);
        const back = loadFromBuffer<{ t: torch.Tensor }>(buf);
        expect(String(back.t.device)).to.equal('cuda:0');
        const cpu = loadFromBuffer<{ t: torch.Tensor }>(buf, { mapLocation: 'cpu' });
        expect(String(cpu.t.device)).to.equal('cpu');
        back.t.dispose();
        cpu.t.dispose();
      } finally {
        t.dispose();
      }
    });
  });

  describe('atomic writes', () => {
    it('leaves the old file intact and no temporary file when pickling fails', () => {
      const file = path.join(dir, 'atomic.pt');
      const w = torch.ones([2]);
      try {
        save({ w }, file);
        const before = fs.readFileSync(file);
        const e = errorOf(() => save({ w, bad: undefined }, file));
        expect(e.message).to.equal('Cannot pickle undefined at root.bad');
        expect(fs.readFileSync(file).equals(before)).to.equal(true);
        expect(fs.readdirSync(dir).filter((f) => f.startsWith('atomic.pt.tmp'))).to.deep.equal([]);
      } finally {
        w.dispose();
      }
    });

    it('removes the temporary file when writing fails midway', () => {
      const file = path.join(dir, 'atomic2.pt');
      fs.writeFileSync(file, 'old');
      const e = errorOf(() =>
        writeFileAtomic(file, (sink) => {
          sink.write(Buffer.alloc(3 << 20, 1));
          throw new Error('disk on fire');
        }),
      );
      expect(e.message).to.equal('disk on fire');
      expect(fs.readFileSync(file, 'utf8')).to.equal('old');
      expect(fs.readdirSync(dir).filter((f) => f.startsWith('atomic2.pt.tmp'))).to.deep.equal([]);
    });

    it('reports a missing directory with the fs error', () => {
      const e = errorOf(() => save({}, path.join(dir, 'no', 'such', 'dir', 'x.pt')));
      expect((e as NodeJS.ErrnoException).code).to.equal('ENOENT');
    });
  });

  describe('errors a user can cause', () => {
    const write = (name: string, data: Buffer | string): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, data);
      return f;
    };
    const good = (): Buffer => buildCheckpoint('cpu', [1, 2, 3]);

    const cases: [string, () => string, string | RegExp, (new (...a: never[]) => Error)?][] = [
      ['an empty file', () => write('empty.pt', ''), /^Not a PyTorch checkpoint: '.*empty\.pt' is empty$/],
      [
        'a legacy (pre-1.6) file',
        () => write('legacy.pt', Buffer.concat([Buffer.from('80028a0a6cfc9c46f9206aa850192e', 'hex'), Buffer.alloc(20)])),
        /^'.*legacy\.pt' uses the legacy torch\.save format \(PyTorch < 1\.6\); re-save it with a current PyTorch$/,
      ],
      [
        'a tar archive',
        () => write('old.tar', Buffer.concat([Buffer.alloc(257), Buffer.from('ustar'), Buffer.alloc(300)])),
        /^'.*old\.tar' is a tar archive \(the oldest torch\.save format\); re-save it with a current PyTorch$/,
      ],
      ['a PYTORCH1 archive', () => write('p1.pt', `PYTORCH1${'\0'.repeat(40)}`), /^'.*p1\.pt' is an old PYTORCH1 archive/],
      [
        'a safetensors file without the format option',
        () => write('x.safetensors', Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{}      ')])),
        /^'.*x\.safetensors' looks like a safetensors file; load it with \{format: 'safetensors'\}$/,
      ],
      [
        'a bare pickle',
        () => write('bare.pkl', Buffer.from('\x80\x02}q\x00.', 'latin1')),
        /^'.*bare\.pkl' is a bare pickle stream, not a torch\.save checkpoint \(no zip container\)$/,
      ],
      [
        'random bytes',
        () => write('rand.pt', 'hello world, not a checkpoint'),
        /^Not a PyTorch checkpoint: '.*rand\.pt' does not start with a zip header \(first bytes 68656c6c6f20776f\)$/,
      ],
      [
        'a truncated file',
        () => write('trunc.pt', good().subarray(0, 300)),
        /^Truncated checkpoint: '.*trunc\.pt' starts like a zip archive but has no end of central directory record \(the file was cut short, e\.g\. by an interrupted save or download\)$/,
      ],
      [
        'a zip without data.pkl',
        () => write('nopkl.pt', rezip(good(), { 'archive/data.pkl': undefined })),
        "Not a torch.save checkpoint: the zip has no 'archive/data.pkl' record",
      ],
      [
        'a zip without version',
        () => write('nover.pt', rezip(good(), { 'archive/version': undefined })),
        "Not a torch.save checkpoint: the zip has no 'archive/version' record",
      ],
      [
        'an unknown version',
        () => write('v99.pt', rezip(good(), { 'archive/version': Buffer.from('99\n') })),
        'Unsupported checkpoint format version "99" (this reader knows versions 1 to 10)',
      ],
      [
        'a big-endian file',
        () => write('big.pt', rezip(good(), {}, { 'archive/byteorder': Buffer.from('big') })),
        'Big-endian checkpoints (byteorder big) are not supported',
      ],
      [
        'a missing storage record',
        () => write('nodata.pt', rezip(good(), { 'archive/data/0': undefined })),
        "Corrupt checkpoint: storage record 'archive/data/0' is missing",
      ],
      [
        'a storage record of the wrong size',
        () => write('short.pt', rezip(good(), { 'archive/data/0': Buffer.alloc(8) })),
        "Corrupt checkpoint: storage '0' should hold 12 bytes (3 x 4) but its record has 8",
      ],
      [
        'a record with a bad CRC',
        () => {
          const b = good();
          const r = ZipReader.fromBuffer(b);
          b[r.get('archive/data/0')!.dataOffset] ^= 1;
          return write('crc.pt', b);
        },
        /^Corrupt zip: CRC-32 mismatch in record 'archive\/data\/0'/,
      ],
      [
        'a zip with records outside a folder',
        () => {
          const s = new BufferSink();
          const w = new ZipWriter(s);
          w.add('data.pkl', Buffer.from('x'));
          w.finish();
          return write('flat.pt', s.toBuffer());
        },
        "Not a torch.save checkpoint: record 'data.pkl' is not inside an archive folder",
      ],
      [
        'an empty zip',
        () => {
          const s = new BufferSink();
          new ZipWriter(s).finish();
          return write('emptyzip.pt', Buffer.concat([Buffer.from('PK\x03\x04'), s.toBuffer()]));
        },
        /^Corrupt zip|^Not a torch\.save checkpoint: the zip archive is empty$/,
      ],
      [
        'os.system in data.pkl',
        () => write('evil.pt', rezip(good(), { 'archive/data.pkl': Buffer.from('\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.', 'latin1') })),
        "Refusing to load: global 'os.system' is not allowed (weights-only loading)",
        PickleSecurityError,
      ],
      [
        'a complex tensor',
        () =>
          write(
            'complex.pt',
            (() => {
              const pkl = ZipReader.fromBuffer(good()).read('archive/data.pkl').toString('latin1').replace('FloatStorage', 'ComplexFloatStorage');
              return rezip(good(), { 'archive/data.pkl': Buffer.from(pkl, 'latin1'), 'archive/data/0': Buffer.alloc(24) });
            })(),
          ),
        'Unsupported checkpoint: complex64 tensors are not supported by this library',
      ],
      [
        'an integer tensor that requires grad',
        () =>
          write(
            'intgrad.pt',
            (() => {
              const pkl = ZipReader.fromBuffer(good())
                .read('archive/data.pkl')
                .toString('latin1')
                .replace('FloatStorage', 'IntStorage ')
                .replace('\x89ccollections', '\x88ccollections');
              return rezip(good(), { 'archive/data.pkl': Buffer.from(pkl.replace('IntStorage \n', 'IntStorage\n'), 'latin1') });
            })(),
          ),
        'Corrupt checkpoint: a int32 tensor is marked requires_grad (only floating point tensors can require gradients)',
      ],
    ];
    for (const [what, mk, msg, cls] of cases) {
      it(`reports ${what}`, () => {
        const f = mk();
        const before = torch.memory().numWrappers;
        const e = errorOf(() => load(f));
        expect(e).to.be.instanceOf(cls ?? Error);
        if (typeof msg === 'string') expect(e.message).to.equal(msg);
        else expect(e.message).to.match(msg);
        expect(torch.memory().numWrappers).to.equal(before);
      });
    }

    it('reports a TorchScript archive', function () {
      needPython.call(this);
      const f = path.join(dir, 'script.pt');
      py('jit', { path: f });
      const e = errorOf(() => load(f));
      expect(e).to.be.instanceOf(CheckpointError);
      expect(e.message).to.equal('This is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; it cannot be loaded here');
    });

    it('reports a legacy file written by Python', function () {
      needPython.call(this);
      const f = path.join(dir, 'legacy-real.pt');
      py('save', { path: f, expr: "{'w': torch.ones(2)}", kw: { _use_new_zipfile_serialization: false } });
      expect(errorOf(() => load(f)).message).to.match(/uses the legacy torch\.save format \(PyTorch < 1\.6\); re-save it with a current PyTorch$/);
    });

    it('reports a missing file with the fs error', () => {
      expect((errorOf(() => load(path.join(dir, 'nope.pt'))) as NodeJS.ErrnoException).code).to.equal('ENOENT');
    });

    it('checks options', () => {
      const f = path.join(dir, 'opts.pt');
      expect(errorOf(() => load(f, { map_location: 'cpu' } as never)).message).to.equal(
        "Unknown option 'map_location' for load; expected one of: format, mapLocation, verifyCrc, mmap",
      );
      expect(errorOf(() => load(f, { mmap: 'yes' } as never)).message).to.equal("Expected a boolean for mmap but received 'yes' of type string");
      expect(errorOf(() => load(f, { format: 'safetensors', mmap: true })).message).to.equal("The mmap option is only for format 'pt'");
      expect(errorOf(() => load(f, { verifyCrc: 1 } as never)).message).to.equal('Expected a boolean for verifyCrc but received 1 of type number');
      expect(errorOf(() => loadFromBuffer(Buffer.alloc(0), { mmap: true } as never)).message).to.equal(
        "Unknown option 'mmap' for loadFromBuffer; expected one of: mapLocation, verifyCrc",
      );
      expect(errorOf(() => load(f, { format: 'zip' } as never)).message).to.equal(
        "Expected 'pt' or 'safetensors' for format but received 'zip' of type string",
      );
      expect(errorOf(() => load(f, { mapLocation: 5 } as never)).message).to.equal(
        'Expected a device, a location map or a function for mapLocation but received 5 of type number',
      );
      expect(errorOf(() => save({}, f, { metadata: { a: 'b' } })).message).to.equal("The metadata option is only for format 'safetensors'");
      expect(errorOf(() => save({}, f, { archiveName: 'a/b' })).message).to.equal(
        `Expected a non-empty name without '/', '\\' or NUL for archiveName but received 'a/b' of type string`,
      );
      expect(errorOf(() => save({}, '')).message).to.equal("Expected a file path for path but received '' of type string");
    });

    it('refuses to save a disposed tensor', () => {
      const t = torch.ones([2]);
      t.dispose();
      expect(errorOf(() => saveToBuffer({ t })).message).to.equal('Cannot save a disposed tensor');
    });
  });
});
