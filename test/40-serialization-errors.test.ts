/**
 * The remaining error messages of the serialization layers, one crafted input
 * each (the common ones are in the zip, pickle, pt and safetensors test files).
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as torch from '../lib/torch/index.js';
import { native } from '../lib/torch/native.js';
import { wrap } from '../lib/torch/handle.js';
import { dtypeCode } from '../lib/torch/dtype.js';
import {
  BufferSink,
  BufferSource,
  CheckpointError,
  FdSource,
  PickleFormatError,
  PickleValueError,
  PyFloat,
  PyGlobal,
  PyReduce,
  SafetensorsError,
  ZipFormatError,
  ZipReader,
  ZipWriter,
  dumps,
  load,
  loadFromBuffer,
  loads,
  orderedDict,
  save,
  saveToBuffer,
  tuple,
  type ByteSink,
  type PyValue,
} from '../lib/torch/serialization/index.js';
import { PYTHON, hasPython, tmpDir, OffsetSink, OffsetSource } from './40-serialization-helpers.js';
import { errorOf } from './helpers/python.js';

function build(records: [string, Uint8Array][], sink: ByteSink = new BufferSink()): Buffer {
  const w = new ZipWriter(sink);
  for (const [n, d] of records) w.add(n, d);
  w.finish();
  return (sink as BufferSink).toBuffer?.() ?? (sink as OffsetSink).inner.toBuffer();
}

const X = (s: string): string => `X${String.fromCharCode(s.length & 0xff, s.length >> 8, 0, 0)}${s}`;
const L = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A tensor pickle with everything adjustable; `marker` becomes the storage pid. */
function tensorPickle(p: {
  func?: string;
  cls?: string;
  numel?: number;
  location?: PyValue;
  args?: (storage: object) => PyValue<object>[];
  typeGlobal?: PyGlobal;
}): Buffer {
  const sref = { s: true };
  const t = { t: true };
  const args = p.args ? p.args(sref) : [sref, 0, tuple(2), tuple(1), false, orderedDict()];
  return dumps(
    { w: t },
    {
      persistentId: (o) =>
        o === sref
          ? tuple<object>('storage', p.typeGlobal ?? new PyGlobal('torch', p.cls ?? 'FloatStorage'), '0', p.location ?? 'cpu', p.numel ?? 2)
          : undefined,
      reduce: (o) => (o === t ? new PyReduce<object>(new PyGlobal('torch._utils', p.func ?? '_rebuild_tensor_v2'), tuple<object>(...args)) : undefined),
    },
  );
}

describe('40 serialization: remaining error messages', () => {
  describe('zip', () => {
    const good = build([
      ['a/data.pkl', Buffer.alloc(100, 1)],
      ['a/data/0', Buffer.alloc(300, 2)],
      ['a/version', Buffer.from('3\n')],
    ]);
    const n = good.byteLength;
    const cdOffset = good.readUInt32LE(n - 6);
    const classic = Buffer.concat([good.subarray(0, n - 98), good.subarray(n - 22)]);
    const m = classic.byteLength;
    const cases: [string, () => Buffer, string][] = [
      [
        'a multi-disk classic archive',
        () => {
          const b = Buffer.from(classic);
          b.writeUInt16LE(1, m - 22 + 4);
          return b;
        },
        'Unsupported zip: multi-disk archives are not supported',
      ],
      [
        'ZIP64 markers without the locator',
        () => {
          const b = Buffer.from(classic);
          b.writeUInt16LE(0xffff, m - 22 + 10);
          return b;
        },
        'Corrupt zip: ZIP64 values are needed but the ZIP64 end of central directory locator is missing',
      ],
      [
        'a multi-disk ZIP64 archive',
        () => {
          const b = Buffer.from(good);
          b.writeUInt32LE(2, n - 98 + 16);
          return b;
        },
        'Unsupported zip: multi-disk archives are not supported',
      ],
      [
        'a ZIP64 end record offset inside the locator',
        () => {
          const b = Buffer.from(good);
          b.writeBigUInt64LE(BigInt(n - 50), n - 42 + 8);
          return b;
        },
        `Corrupt zip: ZIP64 end of central directory offset ${n - 50} is out of range`,
      ],
      [
        'a locator pointing at something else',
        () => {
          const b = Buffer.from(good);
          b.writeBigUInt64LE(0n, n - 42 + 8);
          return b;
        },
        'Corrupt zip: no ZIP64 end of central directory record at offset 0',
      ],
      [
        'a malformed central directory entry',
        () => {
          const b = Buffer.from(good);
          b.writeUInt32LE(0, cdOffset);
          return b;
        },
        `Corrupt zip: central directory entry 0 at offset ${cdOffset} is malformed`,
      ],
      [
        'an entry running past the directory',
        () => {
          const b = Buffer.from(good);
          let p = cdOffset;
          for (let i = 0; i < 2; i++) p += 46 + b.readUInt16LE(p + 28) + b.readUInt16LE(p + 30);
          b.writeUInt16LE(500, p + 28);
          return b;
        },
        'Corrupt zip: central directory entry 2 runs past the directory',
      ],
      [
        'a local header offset inside the directory',
        () => {
          const b = Buffer.from(good);
          let p = cdOffset;
          for (let i = 0; i < 2; i++) p += 46 + b.readUInt16LE(p + 28) + b.readUInt16LE(p + 30);
          b.writeUInt32LE(cdOffset - 10, p + 42);
          return b;
        },
        `Corrupt zip: local header of 'a/version' at ${cdOffset - 10} is past the central directory`,
      ],
    ];
    for (const [what, mk, msg] of cases) {
      it(`reports ${what}`, () => {
        const e = errorOf(() => ZipReader.fromBuffer(mk()));
        expect(e).to.be.instanceOf(ZipFormatError);
        expect(e.message).to.equal(msg);
      });
    }

    it('reports broken ZIP64 extra fields', () => {
      const base = 2 ** 32 + 5;
      const sink = new OffsetSink(base);
      const buf = build([['z/a', Buffer.from('x')]], sink);
      const cd = Number(buf.readBigUInt64LE(buf.byteLength - 98 + 48)) - base;
      const extra = cd + 46 + buf.readUInt16LE(cd + 28);
      const longer = Buffer.from(buf);
      longer.writeUInt16LE(40, extra + 2);
      expect(errorOf(() => ZipReader.fromSource(new OffsetSource(longer, base))).message).to.equal("Corrupt zip: extra field of 'z/a' runs past its end");
      const shorter = Buffer.from(buf);
      shorter.writeUInt16LE(0, extra + 2);
      expect(errorOf(() => ZipReader.fromSource(new OffsetSource(shorter, base))).message).to.equal("Corrupt zip: ZIP64 extra field of 'z/a' is too short");
    });

    it('reports corrupt deflate data and a wrong inflated size', function () {
      if (!hasPython()) this.skip();
      const { dir, cleanup } = tmpDir();
      try {
        const f = path.join(dir, 'd.zip');
        spawnSync(PYTHON, ['-c', "import zipfile,sys;z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED);z.writestr('d/x', b'abc'*1000);z.close()", f]);
        const b = fs.readFileSync(f);
        const r = ZipReader.fromBuffer(b);
        const bad = Buffer.from(b);
        bad[r.get('d/x')!.dataOffset] = 0xff;
        expect(errorOf(() => ZipReader.fromBuffer(bad).read('d/x')).message).to.match(/^Corrupt zip: record 'd\/x' does not inflate \(.+\)$/);
        const cd = b.readUInt32LE(b.byteLength - 6);
        const size = Buffer.from(b);
        size.writeUInt32LE(3005, cd + 24);
        expect(errorOf(() => ZipReader.fromBuffer(size).read('d/x')).message).to.equal(
          "Corrupt zip: record 'd/x' inflates to 3000 bytes, the directory says 3005",
        );
      } finally {
        cleanup();
      }
    });

    it('reports reads outside a buffer, reads after close and over-long names', () => {
      expect(errorOf(() => new BufferSource(Buffer.alloc(4)).readInto(2, new Uint8Array(5))).message).to.equal(
        'Truncated zip: need bytes 2..7 but the data is 4 bytes long',
      );
      const { dir, cleanup } = tmpDir();
      try {
        const f = path.join(dir, 'f');
        fs.writeFileSync(f, 'abc');
        const s = FdSource.open(f);
        expect(errorOf(() => s.readInto(1, new Uint8Array(5))).message).to.equal('Truncated zip: need bytes 1..6 but the file is 3 bytes long');
        s.close();
        expect(errorOf(() => s.readInto(0, new Uint8Array(1))).message).to.equal('Zip reader is closed');
      } finally {
        cleanup();
      }
      expect(errorOf(() => new ZipWriter(new BufferSink()).add('x'.repeat(70_000), Buffer.alloc(1))).message).to.equal('ZipWriter: record name too long');
    });
  });

  describe('pickle', () => {
    const fmt = (msg: string): RegExp =>
      new RegExp(`^Malformed pickle: ${msg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(opcode '\\w+' \\(0x[0-9a-f]+\\) at offset \\d+\\)$`);
    const cases: [string, Buffer, string | RegExp][] = [
      ['an over-long GLOBAL line', L(`\x80\x02c${'a'.repeat(2000)}\nb\n.`), fmt('GLOBAL name longer than 1024 bytes')],
      ['STACK_GLOBAL on non-strings', L('\x80\x04K\x01K\x02\x93.'), fmt('STACK_GLOBAL needs two strings')],
      ['OrderedDict items that are not pairs', L('\x80\x02ccollections\nOrderedDict\n]K\x01a\x85R.'), fmt('OrderedDict() items must be (key, value) pairs')],
      [
        'OrderedDict with two arguments',
        L('\x80\x02ccollections\nOrderedDict\nK\x01K\x02\x86R.'),
        fmt('OrderedDict() takes no arguments or a list of pairs, got 2 arguments'),
      ],
      [
        'OrderedDict attributes with non-string names',
        L('\x80\x02ccollections\nOrderedDict\n)R}K\x01K\x02sb.'),
        fmt('OrderedDict attribute names must be strings'),
      ],
      ['a rebuild call without arguments', L('\x80\x02ctorch._utils\n_rebuild_tensor_v2\n)R.'), fmt('_rebuild_tensor_v2 expects 6 or 7 arguments, got 0')],
      [
        'a rebuild call without a storage',
        L('\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(K\x00K\x00)))\x89NtR.'),
        fmt('tensor storage must be a persistent storage reference, got int 0'),
      ],
      ['torch.Size of an int', L('\x80\x02ctorch\nSize\nK\x01\x85R.'), fmt('torch.Size expects one tuple of ints')],
      ['torch.device of an int', L('\x80\x02ctorch\ndevice\nK\x01\x85R.'), fmt('torch.device expects (type) or (type, index)')],
      [
        'a bare rebuild function',
        L('\x80\x02ctorch._utils\n_rebuild_tensor_v2\n.'),
        'Unsupported checkpoint: a bare reference to torch._utils._rebuild_tensor_v2 outside a call',
      ],
      [
        'a v3 call whose dtype is not a dtype',
        tensorPickle({ func: '_rebuild_tensor_v3', cls: 'UntypedStorage', numel: 8, args: (s) => [s, 0, tuple(2), tuple(1), false, orderedDict(), 'float32'] }),
        fmt('_rebuild_tensor_v3 dtype must be a torch dtype, got str "float32"'),
      ],
      [
        'a tensor of 65 dimensions',
        tensorPickle({ args: (s) => [s, 0, tuple(...new Array<number>(65).fill(1)), tuple(...new Array<number>(65).fill(1)), false, orderedDict()] }),
        fmt('a tensor with 65 dimensions is not supported (at most 64)'),
      ],
      [
        'backward hooks that are not a dict',
        tensorPickle({ args: (s) => [s, 0, tuple(2), tuple(1), false, 5] }),
        fmt('backward hooks must be an OrderedDict, got int 5'),
      ],
      [
        'more than 2^53 elements',
        tensorPickle({ args: (s) => [s, 0, tuple(2 ** 40, 2 ** 40), tuple(0, 0), false, orderedDict()] }),
        fmt(`tensor of size [${2 ** 40},${2 ** 40}] has more than 2^53 elements`),
      ],
      [
        'a storage type that is a dtype',
        tensorPickle({ typeGlobal: new PyGlobal('torch', 'float32') }),
        fmt("storage type must be a torch storage class, got global 'torch.float32'"),
      ],
      ['a non-string location', tensorPickle({ location: 1 }), fmt('invalid storage location int 1')],
    ];
    for (const [what, bytes, msg] of cases) {
      it(`reports ${what}`, () => {
        const e = errorOf(() => loads(bytes));
        expect(e).to.be.instanceOf(PickleFormatError);
        if (typeof msg === 'string') expect(e.message).to.equal(msg);
        else expect(e.message).to.match(msg);
      });
    }

    it('reports bad _rebuild_parameter calls and tensor state', () => {
      const inner = tensorPickle({});
      // the {'w': tensor} dict: strip PROTO, EMPTY_DICT+memo, key, and the trailing SETITEM/STOP to get the tensor ops
      const t = inner.subarray(inner.indexOf(L('ctorch._utils')), inner.byteLength - 2);
      const param = (extra: string, n = 3): Buffer =>
        Buffer.concat([L(`\x80\x02ctorch._utils\n_rebuild_parameter${n === 4 ? '_with_state' : ''}\n(`), t, L(`${extra}t`), L('R.')]);
      expect(errorOf(() => loads(param('\x88'))).message).to.match(fmt('_rebuild_parameter expects 3 arguments, got 2'));
      expect(errorOf(() => loads(param('K\x01)'))).message).to.match(fmt('requires_grad must be a bool, got int 1'));
      expect(errorOf(() => loads(param('\x88}', 4))).message).to.match(fmt('_rebuild_parameter_with_state expects 4 arguments, got 3'));
      expect(errorOf(() => loads(param(`\x88}}${X('a')}K\x01s`, 4))).message).to.equal('Unsupported checkpoint: a Parameter with Python attribute state');
      expect(errorOf(() => loads(L('\x80\x02ctorch._utils\n_rebuild_parameter\n(K\x01\x88}tR.'))).message).to.match(
        fmt('_rebuild_parameter needs a tensor, got int 1'),
      );
      const built = Buffer.concat([L('\x80\x02'), t, L(`}${X('a')}K\x01sb.`)]);
      expect(errorOf(() => loads(built)).message).to.equal('Unsupported checkpoint: a tensor with Python attribute state');
    });

    it('reports bad values handed to the pickler', () => {
      expect(errorOf(() => new PyFloat('1' as never)).message).to.equal("Expected a number for PyFloat value but received '1' of type string");
      const e = errorOf(() => dumps([new PyGlobal('a\nb', 'c')]));
      expect(e).to.be.instanceOf(PickleValueError);
      expect(e.message).to.equal('Cannot pickle global "a\\nb.c" at root[0]');
      expect(errorOf(() => dumps({ x: { y: 1 } }, { reduce: (o) => ('y' in o ? (1 as never) : undefined) })).message).to.equal(
        'Cannot pickle an object whose reduce hook did not return a PyReduce at root.x',
      );
    });
  });

  describe('pt', () => {
    const { dir, cleanup } = tmpDir();
    after(() => cleanup());
    const zipWith = (pkl: Buffer, data: Buffer, more: [string, Buffer][] = []): Buffer => {
      const s = new BufferSink();
      const w = new ZipWriter(s);
      w.add('archive/data.pkl', pkl);
      w.add('archive/data/0', data);
      for (const [n, d] of more) w.add(n, d);
      w.finish();
      return s.toBuffer();
    };

    it('reports a version record that is too long, a bad byteorder and a ragged untyped storage', () => {
      const pkl = tensorPickle({});
      expect(errorOf(() => loadFromBuffer(zipWith(pkl, Buffer.alloc(8), [['archive/version', Buffer.alloc(100, 0x33)]]))).message).to.equal(
        'Corrupt checkpoint: the version record is 100 bytes long',
      );
      expect(
        errorOf(() =>
          loadFromBuffer(
            zipWith(pkl, Buffer.alloc(8), [
              ['archive/version', L('3\n')],
              ['archive/byteorder', L('middle')],
            ]),
          ),
        ).message,
      ).to.equal('Corrupt checkpoint: byteorder record says "middle"');
      const v3 = tensorPickle({
        func: '_rebuild_tensor_v3',
        cls: 'UntypedStorage',
        numel: 6,
        args: (s) => [s, 0, tuple(1), tuple(1), false, orderedDict(), new PyGlobal('torch', 'float32')],
      });
      const e = errorOf(() => loadFromBuffer(zipWith(v3, Buffer.alloc(6), [['archive/version', L('3\n')]])));
      expect(e).to.be.instanceOf(CheckpointError);
      expect(e.message).to.equal("Corrupt checkpoint: untyped storage '0' of 6 bytes is not a whole number of float32 elements");
      // a well-formed v3 file loads
      const ok = tensorPickle({
        func: '_rebuild_tensor_v3',
        cls: 'UntypedStorage',
        numel: 8,
        args: (s) => [s, 0, tuple(2), tuple(1), false, orderedDict(), new PyGlobal('torch', 'float32')],
      });
      const v = loadFromBuffer<{ w: torch.Tensor }>(zipWith(ok, Buffer.from(new Float32Array([1, 2]).buffer), [['archive/version', L('3\n')]]));
      expect(v.w.tolist()).to.deep.equal([1, 2]);
      v.w.dispose();
    });

    it('refuses tensors that view one storage as two dtypes', () => {
      const a = torch.zeros([4]);
      const b = wrap<torch.Tensor>(native.callOp(native.lookupOp('aten::view', 'dtype'), a._h, dtypeCode('int32')));
      try {
        const e = errorOf(() => saveToBuffer({ a, b }));
        expect(e).to.be.instanceOf(CheckpointError);
        expect(e.message).to.equal('Cannot save tensors that view the same storage as different dtypes (float32 and int32)');
      } finally {
        b.dispose();
        a.dispose();
      }
    });

    it('checks the options object itself', () => {
      expect(errorOf(() => load(path.join(dir, 'x.pt'), null as never)).message).to.equal('Expected an options object for load options but received null');
      expect(errorOf(() => saveToBuffer({}, { format: 'pt' } as never)).message).to.equal(
        "Unknown option 'format' for saveToBuffer; expected one of: archiveName",
      );
    });
  });

  describe('safetensors', () => {
    const { dir, cleanup } = tmpDir();
    after(() => cleanup());
    const stFile = (raw: string): string => {
      const f = path.join(dir, 'e.safetensors');
      const json = Buffer.from(raw);
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.byteLength));
      fs.writeFileSync(f, Buffer.concat([len, json]));
      return f;
    };
    const cases: [string, string, string][] = [
      ['a tensor entry that is not an object', '{"a": 1}', "Invalid safetensors header: tensor 'a' is not an object"],
      ['a tensor entry without dtype', '{"a": {}}', "Invalid safetensors header: tensor 'a' has no dtype"],
      ['__metadata__ that is not an object', '{"__metadata__": []}', 'Invalid safetensors header: __metadata__ must be an object of strings'],
      ['a header that is not UTF-8', '{"\xff": 1}', 'Invalid safetensors header: '],
    ];
    for (const [what, raw, msg] of cases) {
      it(`reports ${what}`, () => {
        const f = what.includes('UTF-8')
          ? (() => {
              const p = stFile('{"aa": 1}');
              const b = fs.readFileSync(p);
              b[10] = 0xff;
              fs.writeFileSync(p, b);
              return p;
            })()
          : stFile(raw);
        const e = errorOf(() => load(f, { format: 'safetensors' }));
        expect(e).to.be.instanceOf(SafetensorsError);
        if (msg.endsWith(': ')) expect(e.message.startsWith(msg)).to.equal(true);
        else expect(e.message).to.equal(msg);
      });
    }

    it('reports a disposed tensor, non-object metadata and a bad mapLocation', () => {
      const t = torch.ones([2]);
      const f = path.join(dir, 's.safetensors');
      expect(errorOf(() => save({ t }, f, { format: 'safetensors', metadata: 'x' as never })).message).to.equal(
        'safetensors metadata must be an object of strings',
      );
      save({ t }, f, { format: 'safetensors' });
      t.dispose();
      expect(errorOf(() => save({ t }, f, { format: 'safetensors' })).message).to.equal("Cannot save the disposed tensor 't'");
      const e = errorOf(() => load(f, { format: 'safetensors', mapLocation: 'gpu' }));
      expect(e).to.be.instanceOf(TypeError);
      expect(e.message).to.equal("Expected a device like 'cpu', 'cuda' or 'cuda:0' for mapLocation but received 'gpu' of type string");
    });
  });
});
