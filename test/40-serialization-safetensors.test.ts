import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '../lib/torch/index.js';
import {
  CheckpointError,
  SafetensorsError,
  load,
  loadSafetensors,
  readSafetensorsHeader,
  save,
  saveSafetensors,
  ZipReader,
} from '../lib/torch/serialization/index.js';
import { hasPythonTorch, py, tmpDir } from './40-serialization-helpers.js';
import { disposeAll, gatherBytes } from './40-serialization-torch-helpers.js';
import { errorOf } from './helpers/python.js';

interface Simple {
  dtype: string;
  shape: number[];
  bytes: string;
}
function simple(v: Record<string, torch.Tensor>): Record<string, Simple> {
  return Object.fromEntries(Object.entries(v).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, bytes: gatherBytes(t).toString('hex') }]));
}

/** Builds a safetensors file from a header object and a data section. */
function stFile(header: unknown, data: Buffer = Buffer.alloc(0), rawHeader?: string): Buffer {
  const json = Buffer.from(rawHeader ?? JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.byteLength));
  return Buffer.concat([len, json, data]);
}

describe('40 serialization: safetensors', () => {
  let dir: string;
  let cleanup: () => void;
  const made: torch.Tensor[] = [];
  const T = (t: torch.Tensor): torch.Tensor => (made.push(t), t);
  before(() => ({ dir, cleanup } = tmpDir()));
  after(() => {
    for (const t of made) t.dispose();
    cleanup();
  });

  function sample(): Record<string, torch.Tensor> {
    const base = T(torch.arange(24, { dtype: 'float32' }).reshape([4, 6]));
    return {
      'layer.weight': T(torch.randn([3, 4])),
      transposed: T(torch.randn([2, 5]).t()),
      slice: T(base.narrow(0, 1, 2)),
      f16: T(torch.randn([3]).to('float16')),
      bf16: T(torch.randn([2, 2]).to('bfloat16')),
      f64: T(torch.randn([2], { dtype: 'float64' })),
      i64: T(torch.tensor([-(2 ** 40), 7], { dtype: 'int64' })),
      i32: T(torch.tensor([-1, 2], { dtype: 'int32' })),
      i16: T(torch.tensor([-1, 2], { dtype: 'int16' })),
      i8: T(torch.tensor([-1, 2], { dtype: 'int8' })),
      u8: T(torch.tensor([0, 255], { dtype: 'uint8' })),
      mask: T(torch.tensor([true, false])),
      scalar: T(torch.tensor(1.5)),
      empty: T(torch.zeros([0, 4])),
      u16: T(torch.tensor(new Uint16Array([0, 1, 65535]))),
      u32: T(torch.tensor(new Uint32Array([0, 4294967295]))),
      u64: T(torch.tensor(new BigUint64Array([0n, 2n ** 64n - 1n]))),
      f8e4m3: T(torch.randn([3]).to('float8_e4m3fn')),
      f8e5m2: T(torch.randn([2, 2]).to('float8_e5m2')),
      f8e8m0: T(torch.tensor([0.5, 4, 1024], { dtype: 'float32' }).to('float8_e8m0fnu')),
      f8e4m3fnuz: T(torch.randn([3]).to('float8_e4m3fnuz')),
      f8e5m2fnuz: T(torch.randn([3]).to('float8_e5m2fnuz')),
    };
  }

  it('round-trips every dtype, views and non-contiguous tensors', () => {
    const v = sample();
    const file = path.join(dir, 'a.safetensors');
    save(v, file, { format: 'safetensors', metadata: { format: 'pt', note: 'ünï' } });
    const back = load<Record<string, torch.Tensor>>(file, { format: 'safetensors' });
    try {
      expect(simple(back)).to.deep.equal(simple(v));
      for (const t of Object.values(back)) expect(t.isContiguous()).to.equal(true);
      const h = readSafetensorsHeader(file);
      expect(h.metadata).to.deep.equal({ format: 'pt', note: 'ünï' });
      expect((h.dataStart - 8) % 8).to.equal(0);
      // reference order: larger dtypes first, then by name
      // the order of the reference implementation's Dtype enum (BOOL, F4, F6_E2M3, F6_E3M2, U8, I8,
      // F8_E5M2, F8_E4M3, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ, I16, U16, F16, BF16, I32, U32, F32, C64, F64, I64, U64)
      const order = [
        'bool',
        'uint8',
        'int8',
        'float8_e5m2',
        'float8_e4m3fn',
        'float8_e8m0fnu',
        'float8_e4m3fnuz',
        'float8_e5m2fnuz',
        'int16',
        'uint16',
        'float16',
        'bfloat16',
        'int32',
        'uint32',
        'float32',
        'float64',
        'int64',
        'uint64',
      ];
      expect(h.tensors.map((t) => t.name)).to.deep.equal(
        Object.keys(v).sort((a, b) => order.indexOf(v[b].dtype) - order.indexOf(v[a].dtype) || (a < b ? -1 : 1)),
      );
    } finally {
      disposeAll(back);
    }
  });

  it('writes files the reference reader parses, and reads files it writes', function () {
    if (!hasPythonTorch()) this.skip();
    const v = sample();
    const file = path.join(dir, 'b.safetensors');
    save(v, file, { format: 'safetensors', metadata: { k: 'v' } });
    const r = py<{ metadata: Record<string, string>; tensors: Record<string, Simple> }>('st_read', { path: file });
    expect(r.metadata).to.deep.equal({ k: 'v' });
    expect(r.tensors).to.deep.equal(simple(v));

    const pyFile = path.join(dir, 'py.safetensors');
    py('st_write', {
      path: pyFile,
      expr:
        "{'w': torch.randn(3, 2), 'h': torch.randn(4).half(), 'b': torch.randn(2).bfloat16(), 'i': torch.arange(5), 'm': torch.tensor([True, False]), 's': torch.tensor(2.0), 'e': torch.zeros(0), " +
        "'u16': torch.tensor([1, 65535], dtype=torch.uint16), 'u32': torch.tensor([4294967295], dtype=torch.uint32), 'u64': torch.tensor([2**64 - 1], dtype=torch.uint64), " +
        "'f8': torch.randn(3).to(torch.float8_e4m3fn), 'f8b': torch.randn(3).to(torch.float8_e5m2), 'f8s': torch.tensor([0.25, 8.]).to(torch.float8_e8m0fnu), " +
        "'f8u': torch.randn(2).to(torch.float8_e4m3fnuz), 'f8v': torch.randn(2).to(torch.float8_e5m2fnuz)}",
      metadata: { source: 'python' },
    });
    const expected = py<{ tensors: Record<string, Simple> }>('st_read', { path: pyFile }).tensors;
    const back = load<Record<string, torch.Tensor>>(pyFile, { format: 'safetensors' });
    try {
      expect(simple(back)).to.deep.equal(expected);
      expect(readSafetensorsHeader(pyFile).metadata).to.deep.equal({ source: 'python' });
    } finally {
      disposeAll(back);
    }
  });

  it('is chosen by the format option only, never by the file extension', () => {
    const w = T(torch.ones([2]));
    const file = path.join(dir, 'named.safetensors');
    save({ w }, file);
    expect(ZipReader.open(file).entries[0].name).to.equal('named/data.pkl');
    const st = path.join(dir, 'named.pt');
    save({ w }, st, { format: 'safetensors' });
    const e = errorOf(() => load(st));
    expect(e).to.be.instanceOf(CheckpointError);
    expect(e.message).to.match(/looks like a safetensors file; load it with \{format: 'safetensors'\}$/);
    disposeAll(load(st, { format: 'safetensors' }));
  });

  it('loads onto the device named by mapLocation', () => {
    const w = T(torch.ones([2]));
    const file = path.join(dir, 'dev.safetensors');
    save({ w }, file, { format: 'safetensors' });
    const back = load<Record<string, torch.Tensor>>(file, { format: 'safetensors', mapLocation: 'cpu' });
    expect(String(back.w.device)).to.equal('cpu');
    disposeAll(back);
    if (!torch.cuda.isAvailable()) {
      const e = errorOf(() => load(file, { format: 'safetensors', mapLocation: 'cuda:0' }));
      expect(e).to.be.instanceOf(CheckpointError);
      expect(e.message).to.equal("Attempting to load a safetensors file onto cuda:0, but CUDA is not available; pass mapLocation: 'cpu' to load it on the CPU");
    } else {
      const g = load<Record<string, torch.Tensor>>(file, { format: 'safetensors', mapLocation: 'cuda' });
      expect(String(g.w.device)).to.equal('cuda:0');
      disposeAll(g);
    }
  });

  describe('save errors', () => {
    it('checks the option names of saveSafetensors and loadSafetensors', () => {
      const f = path.join(dir, 'opts.safetensors');
      const w = T(torch.ones([2]));
      expect(errorOf(() => saveSafetensors({ w }, f, { meta: {} } as never)).message).to.equal(
        "Unknown option 'meta' for saveSafetensors; expected one of: metadata",
      );
      saveSafetensors({ w }, f);
      expect(errorOf(() => loadSafetensors(f, { map_location: 'cpu' } as never)).message).to.equal(
        "Unknown option 'map_location' for loadSafetensors; expected one of: mapLocation",
      );
    });

    it('refuses shared memory, non-tensors, the reserved name and bad metadata', () => {
      const a = T(torch.randn([4, 4]));
      const f = path.join(dir, 'bad.safetensors');
      const cases: [unknown, string, object?][] = [
        [{ a, b: a }, "Tensors 'a' and 'b' share memory; safetensors cannot represent sharing (save only one of them)"],
        [{ a, row: T(a.narrow(0, 1, 1)) }, "Tensors 'a' and 'row' share memory; safetensors cannot represent sharing (save only one of them)"],
        [{ a, n: 3 }, "safetensors values must be tensors, but 'n' is not"],
        [{ __metadata__: a }, "'__metadata__' is reserved and cannot name a tensor"],
        [[a], 'safetensors holds a flat name → tensor mapping; pass a plain object or Map of tensors'],
        [a, 'safetensors holds a flat name → tensor mapping; pass a plain object or Map of tensors'],
        [new Map([[1, a]]), 'safetensors keys must be strings, got number'],
        [{ a }, "safetensors metadata values must be strings, but 'n' is number", { metadata: { n: 1 } }],
        [{ raw: T(torch.tensor(new Uint8Array([1, 2]), { dtype: 'bits8' })) }, "Cannot save 'raw': safetensors has no dtype code for bits8 tensors"],
      ];
      for (const [v, msg, opts] of cases) {
        const e = errorOf(() => save(v, f, { format: 'safetensors', ...(opts ?? {}) }));
        expect(e, msg).to.be.instanceOf(SafetensorsError);
        expect(e.message).to.equal(msg);
      }
      expect(fs.existsSync(f)).to.equal(false);
      // disjoint views of one storage are fine
      const top = T(a.narrow(0, 0, 2));
      const bottom = T(a.narrow(0, 2, 2));
      save({ top, bottom }, f, { format: 'safetensors' });
      disposeAll(load(f, { format: 'safetensors' }));
    });
  });

  describe('load errors', () => {
    const f32 = (n: number): Buffer => Buffer.alloc(4 * n);
    const cases: [string, Buffer, string][] = [
      ['a file shorter than 8 bytes', Buffer.from([1, 2]), 'Not a safetensors file: 2 bytes is too short for the header length'],
      [
        'a header longer than the file',
        (() => {
          const b = stFile({});
          b.writeBigUInt64LE(1000n);
          return b;
        })(),
        'Truncated safetensors file: the header needs 1000 bytes but only 2 follow',
      ],
      [
        'a header over 100 MB',
        (() => {
          const b = stFile({});
          b.writeBigUInt64LE(200_000_000n);
          return b;
        })(),
        'Invalid safetensors header: length 200000000 exceeds the 100 MB limit',
      ],
      ['invalid JSON', stFile(null, Buffer.alloc(0), '{"a": '), /^Invalid safetensors header: /.source],
      ['a JSON array', stFile([]), 'Invalid safetensors header: expected a JSON object'],
      [
        'an unknown dtype',
        stFile({ a: { dtype: 'F6_E2M3', shape: [1], data_offsets: [0, 1] } }, Buffer.alloc(1)),
        'Invalid safetensors header: tensor \'a\' has unsupported dtype "F6_E2M3" (supported: F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL, U16, U32, U64, F8_E5M2, F8_E4M3, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ)',
      ],
      [
        'a bad shape',
        stFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)),
        "Invalid safetensors header: tensor 'a' has an invalid shape",
      ],
      [
        'bad offsets',
        stFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, f32(1)),
        "Invalid safetensors header: tensor 'a' has invalid data_offsets",
      ],
      [
        'offsets past the data',
        stFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32(1)),
        "Invalid safetensors header: tensor 'a' has data_offsets [0, 8] outside the 4-byte data section",
      ],
      [
        'a size that does not match the shape',
        stFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, f32(1)),
        "Invalid safetensors header: tensor 'a' has 4 bytes but shape [2] of F32 needs 8",
      ],
      [
        'overlapping tensors',
        stFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(1)),
        "Invalid safetensors header: tensor 'b' overlaps another tensor",
      ],
      ['a gap', stFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(2)), "Invalid safetensors header: 4 unused bytes before tensor 'a'"],
      ['trailing bytes', stFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)), 'Invalid safetensors file: 4 bytes after the last tensor'],
      ['non-string metadata', stFile({ __metadata__: { a: 1 } }), "Invalid safetensors header: __metadata__ value 'a' is not a string"],
    ];
    for (const [what, bytes, msg] of cases) {
      it(`reports ${what}`, () => {
        const f = path.join(dir, 'err.safetensors');
        fs.writeFileSync(f, bytes);
        const before = torch.memory().numWrappers;
        const e = errorOf(() => load(f, { format: 'safetensors' }));
        expect(e).to.be.instanceOf(SafetensorsError);
        if (msg.startsWith('^')) expect(e.message).to.match(new RegExp(msg));
        else expect(e.message).to.equal(msg);
        expect(torch.memory().numWrappers).to.equal(before);
      });
    }
  });
});
