import { expect } from 'chai';
import {
  PickleFormatError,
  PickleSecurityError,
  PickleValueError,
  PyGlobal,
  PyReduce,
  PyTuple,
  dumps,
  isOrderedDict,
  loads,
  markOrderedDict,
  orderedDict,
  pyFloat,
  pyState,
  pyFloatKeys,
  stateDictMetadata,
  tuple,
  type PyValue,
  type TensorRecord,
} from '../lib/torch/serialization/pickle.js';
import { describe as desc, hasPython, py, type Desc } from './40-serialization-helpers.js';
import { errorOf } from './helpers/python.js';

/** Assembles a pickle from opcodes given as strings (latin1), numbers (bytes) and buffers. */
function P(...parts: (string | number | Uint8Array)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : typeof p === 'number' ? Buffer.from([p]) : Buffer.from(p))));
}
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const X = (s: string): Buffer => Buffer.concat([Buffer.from('X'), u32(Buffer.byteLength(s)), Buffer.from(s)]);

// Values Python pickles; each has no repeated equal strings, so Python's
// identity-based memo and ours agree byte for byte.
const EXPRS = [
  'None',
  'True',
  'False',
  '0',
  '255',
  '256',
  '65535',
  '65536',
  '-1',
  '-129',
  '-2**31',
  '2**31 - 1',
  '2**31',
  '2**53 - 1',
  '2**53',
  '-2**53',
  '2**63',
  '-2**63',
  '2**70',
  '-2**70',
  '2**2100',
  '[1.0, 1, 1e9, -0.0, 0.0]',
  '(0.0, 2)',
  "{'dropout': 0.0, 'n': 3}",
  '0.5',
  '-0.0',
  "float('nan')",
  "float('inf')",
  '-1e300',
  '1e-300',
  "''",
  "'ascii'",
  "'ünïcødé ✓ 😀'",
  '()',
  '(1,)',
  '(1, 2)',
  '(1, 2, 3)',
  '(1, 2, 3, 4, 5)',
  '[]',
  '[1]',
  '[1, 2]',
  'list(range(1001))',
  'list(range(2500))',
  "{'a': 1}",
  "{'a': 1, 'b': (2.5, None)}",
  '{1: 2, 3: 4}',
  "{(1, 2): 'x'}",
  '{str(i): i for i in range(1500)}',
  "{'b': 1, '10': 2, '2': 3}",
  "{'__proto__': 1, 'x': [{}]}",
  "OrderedDict([('x', 1), ('y', [2, 3])])",
  'OrderedDict()',
  'OrderedDict([(1, 2)])',
  '{i: i for i in range(1000)}',
  '{i: i for i in range(1001)}',
  'OrderedDict((i, i) for i in range(1001))',
  'OrderedDict((i, i) for i in range(2000))',
  '[[1]]',
  "{'nested': [{'deep': ((1,), [[]], {'k': -7})}]}",
  "(lambda o: (setattr(o, '_metadata', OrderedDict([('', {'version': 1}), ('0', {'version': 2})])), o)[1])(OrderedDict([('w', 1)]))",
];

describe('40 serialization: pickle', () => {
  describe('against Python', () => {
    let pickles: string[] = [];
    before(function () {
      if (!hasPython()) this.skip();
      pickles = py<string[]>('pickle', EXPRS);
    });

    it('loads every value Python pickles into the documented JS shapes', () => {
      const expected = py<{ desc: Desc }[]>('unpickle', pickles);
      EXPRS.forEach((e, i) => {
        const v = loads(Buffer.from(pickles[i], 'hex'));
        expect(desc(v), e).to.deep.equal(expected[i].desc);
      });
    });

    it('writes the same bytes as Python when re-pickling what it loaded', () => {
      EXPRS.forEach((e, i) => {
        const v = loads(Buffer.from(pickles[i], 'hex'));
        expect(dumps(v).toString('hex'), e).to.equal(pickles[i]);
      });
    });

    it('writes JS values that Python reads with the intended types', () => {
      const values: [PyValue, string][] = [
        [
          { epoch: 3, lr: 0.001, loss: pyFloat(2), big: 2n ** 64n, neg: -0 },
          "{'epoch': 3, 'lr': 0.001, 'loss': 2.0, 'big': 18446744073709551616, 'neg': -0.0}",
        ],
        [tuple(1, 'a', tuple()), "(1, 'a', ())"],
        [
          new Map<PyValue, PyValue>([
            [0, 'zero'],
            [tuple(1, 2), null],
          ]),
          "{0: 'zero', (1, 2): None}",
        ],
        [
          orderedDict([
            ['b', 1],
            ['a', 2],
          ]),
          "OrderedDict([('b', 1), ('a', 2)])",
        ],
        [[new PyGlobal('torch', 'float16')], '[torch.float16]'],
        [new Uint8Array([1, 2, 255]), "b'\\x01\\x02\\xff'"],
        [{ s: 'same', t: 'same', u: ['same'] }, "{'s': 'same', 't': 'same', 'u': ['same']}"],
        [Number.MAX_SAFE_INTEGER + 2, '9007199254740992.0'],
      ];
      const out = py<{ repr?: string; error?: string }[]>(
        'unpickle',
        values.map(([v]) => dumps(v).toString('hex')),
      );
      values.forEach(([, repr], i) => {
        expect(out[i].repr).to.equal(repr);
      });
    });

    it('keeps shared references and cycles', () => {
      const shared = [1];
      const cyc: PyValue[] = [];
      cyc.push(cyc);
      const out = py<{ repr: string }[]>(
        'unpickle',
        [dumps({ a: shared, b: shared }), dumps(cyc)].map((b) => b.toString('hex')),
      );
      expect(out[1].repr).to.equal('[[...]]');
      const back = loads(dumps({ a: shared, b: shared })) as { a: unknown; b: unknown };
      expect(back.a).to.equal(back.b);
      const c2 = loads(dumps(cyc)) as unknown[];
      expect(c2[0]).to.equal(c2);
    });
  });

  describe('JS shapes', () => {
    it('distinguishes ints from integral floats and keeps tuples and ordered dicts', () => {
      const v = loads(
        dumps({ i: 1, f: pyFloat(1), h: 0.5, t: tuple(1, 2), l: [1, 2], o: orderedDict([['k', 1]], { _metadata: { '': { version: 1 } } }) }),
      ) as Record<string, unknown>;
      expect(v.i).to.equal(1);
      // a whole-valued float loads as a plain number; the dict remembers the slot was a float
      expect(v.f).to.equal(1);
      expect([...pyFloatKeys(v)]).to.deep.equal(['f']);
      expect(v.h).to.equal(0.5);
      expect(v.t).to.be.instanceOf(PyTuple);
      expect(v.l).to.not.be.instanceOf(PyTuple);
      expect(isOrderedDict(v.o)).to.equal(true);
      expect(Object.keys(v.o as object)).to.deep.equal(['k']);
      expect(pyState(v.o as object)).to.deep.equal({ _metadata: { '': { version: 1 } } });
      expect(stateDictMetadata(v.o as object)).to.deep.equal({ '': { version: 1 } });
      expect(JSON.stringify(v.o)).to.equal('{"k":1}');
    });

    it('loads a bare whole-valued float as a plain number (no container to remember it; pyFloat(1) writes 1.0)', () => {
      expect(loads(P('\x80\x02G', Buffer.from('3ff0000000000000', 'hex'), '.'))).to.equal(1);
      expect(dumps(pyFloat(1)).toString('hex')).to.equal('8002473ff00000000000002e');
    });

    it('uses Map when a plain object would reorder integer-like keys', () => {
      const m = loads(
        dumps(
          new Map([
            ['', 1],
            ['0', 2],
          ]),
        ),
      ) as Map<string, number>;
      expect(m).to.be.instanceOf(Map);
      expect([...m.keys()]).to.deep.equal(['', '0']);
      const o = loads(
        dumps(
          new Map([
            ['0', 1],
            ['x', 2],
          ]),
        ),
      );
      expect(o).to.not.be.instanceOf(Map);
    });

    it("stores a '__proto__' key as data, never as a prototype", () => {
      const v = loads(P('\x80\x02}', X('__proto__'), '}', X('polluted'), 'K\x01ss.')) as Record<string, unknown>;
      expect(Object.getPrototypeOf(v)).to.equal(Object.prototype);
      expect(Object.keys(v)).to.deep.equal(['__proto__']);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('decodes big ints as bigint past 2^53 and keeps torch globals and devices', () => {
      expect(loads(dumps(2n ** 53n - 1n))).to.equal(2 ** 53 - 1);
      expect(loads(dumps(2n ** 53n))).to.equal(2n ** 53n);
      expect(loads(dumps(-(2n ** 80n)))).to.equal(-(2n ** 80n));
      const g = loads(P('\x80\x02ctorch\nbfloat16\n.'));
      expect(g).to.be.instanceOf(PyGlobal);
      expect(String(g)).to.equal('torch.bfloat16');
      const d = loads(P('\x80\x02ctorch\ndevice\n', X('cuda'), 'K\x01\x86R.')) as PyReduce;
      expect(d).to.be.instanceOf(PyReduce);
      expect([...d.args]).to.deep.equal(['cuda', 1]);
      expect(dumps(d).equals(P('\x80\x02ctorch\ndevice\nq\x00', X('cuda'), 'q\x01K\x01\x86q\x02Rq\x03.'))).to.equal(true);
      const size = loads(P('\x80\x02ctorch\nSize\nK\x02K\x03\x86\x85R.'));
      expect(size).to.be.instanceOf(PyTuple);
      expect([...(size as PyTuple)]).to.deep.equal([2, 3]);
    });

    it('reads protocol 4 extras (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL, BINBYTES)', () => {
      const v = loads(P('\x80\x04\x95', Buffer.alloc(8), ']\x94(\x8c\x05torch\x94\x8c\x07float64\x94\x93\x94h\x01C\x02ab\x8c\x01xe.'));
      expect(desc(v)).to.deep.equal({ list: [{ global: 'torch.float64' }, { str: 'torch' }, { bytes: '6162' }, { str: 'x' }] });
    });
  });

  describe('refuses what weights-only loading refuses', () => {
    const refused: [string, Buffer, string][] = [
      [
        'os.system GLOBAL+REDUCE',
        P('\x80\x02cos\nsystem\n', X('echo pwned'), '\x85R.'),
        "Refusing to load: global 'os.system' is not allowed (weights-only loading)",
      ],
      ['builtins.eval', P('\x80\x02cbuiltins\neval\n.'), "Refusing to load: global 'builtins.eval' is not allowed (weights-only loading)"],
      ['a torch function', P('\x80\x02ctorch\nload\n.'), "Refusing to load: global 'torch.load' is not allowed (weights-only loading)"],
      [
        'STACK_GLOBAL posix.system',
        P('\x80\x04\x8c\x05posix\x8c\x06system\x93.'),
        "Refusing to load: global 'posix.system' is not allowed (weights-only loading)",
      ],
      ['INST', P('\x80\x02(ios\nsystem\n.'), "Refusing to load: opcode 'INST' (0x69) at offset 3 is not allowed (weights-only loading)"],
      ['OBJ', P('\x80\x02(o.'), "Refusing to load: opcode 'OBJ' (0x6f) at offset 3 is not allowed (weights-only loading)"],
      ['NEWOBJ', P('\x80\x02)\x81.'), "Refusing to load: opcode 'NEWOBJ' (0x81) at offset 3 is not allowed (weights-only loading)"],
      ['EXT1', P('\x80\x02\x82\x01.'), "Refusing to load: opcode 'EXT1' (0x82) at offset 2 is not allowed (weights-only loading)"],
      ['text PERSID', P('\x80\x02P0\n.'), "Refusing to load: opcode 'PERSID' (0x50) at offset 2 is not allowed (weights-only loading)"],
      ['an unknown byte', P('\x80\x02\xff.'), 'Refusing to load: opcode 0xff (not a pickle opcode) at offset 2 is not allowed (weights-only loading)'],
      [
        'REDUCE on a str',
        P('\x80\x02', X('x'), ')R.'),
        'Refusing to load: REDUCE on str "x" (only allowlisted globals may be called) is not allowed (weights-only loading)',
      ],
      [
        'calling a storage class',
        P('\x80\x02ctorch\nFloatStorage\n)R.'),
        "Refusing to load: calling global 'torch.FloatStorage' is not allowed (weights-only loading)",
      ],
      ['BUILD on a dict', P('\x80\x02}}b.'), 'Refusing to load: BUILD on a dict (only on OrderedDict and tensors) is not allowed (weights-only loading)'],
      ['SETITEM on a list', P('\x80\x02]K\x01K\x02s.'), 'Refusing to load: SETITEM on a list of 0 (only on dicts) is not allowed (weights-only loading)'],
      ['APPEND on a tuple', P('\x80\x02)K\x01a.'), 'Refusing to load: APPEND on a tuple of 0 (only on lists) is not allowed (weights-only loading)'],
      ['APPENDS on a dict', P('\x80\x02}(K\x01e.'), 'Refusing to load: APPENDS on a dict (only on lists) is not allowed (weights-only loading)'],
      ['SETITEMS on a tuple', P('\x80\x02)(K\x01K\x02u.'), 'Refusing to load: SETITEMS on a tuple of 0 (only on dicts) is not allowed (weights-only loading)'],
      [
        'a non-storage persistent id',
        P('\x80\x02', X('evil'), 'Q.'),
        'Refusing to load: persistent id str "evil" (only (\'storage\', type, key, location, numel) tuples are) is not allowed (weights-only loading)',
      ],
    ];
    for (const [what, bytes, message] of refused) {
      it(`refuses ${what}`, () => {
        const e = errorOf(() => loads(bytes));
        expect(e).to.be.instanceOf(PickleSecurityError);
        expect(e.message).to.equal(message);
      });
    }
  });

  describe('malformed input', () => {
    const cases: [string, Buffer, string, { maxDepth?: number; maxMemo?: number }?][] = [
      ['empty data', P(''), 'Truncated pickle: no STOP opcode before the end of the data (0 bytes)'],
      ['a cut BINUNICODE', P('\x80\x02X\x05\x00\x00\x00ab'), "Truncated pickle: opcode 'BINUNICODE' (0x58) at offset 2 needs 5 more bytes but only 2 remain"],
      [
        'a huge BINUNICODE length',
        P('\x80\x02X\xff\xff\xff\xff.'),
        "Truncated pickle: opcode 'BINUNICODE' (0x58) at offset 2 needs 4294967295 more bytes but only 1 remain",
      ],
      [
        'a huge BINUNICODE8 length',
        P('\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7f.'),
        "Truncated pickle: opcode 'BINUNICODE8' (0x8d) at offset 2 declares 9223372036854775807 bytes but only 1 remain",
      ],
      [
        'a huge LONG4',
        P('\x80\x02\x8b\xff\xff\xff\x7f.'),
        "Malformed pickle: LONG4 length 2147483647 is out of range (limit 65536) (opcode 'LONG4' (0x8b) at offset 2)",
      ],
      ['a GLOBAL without newline', P('\x80\x02ctorch'), 'Truncated pickle: GLOBAL at offset 2 has no terminating newline'],
      ['stack underflow', P('\x80\x02s.'), "Malformed pickle: stack underflow (opcode 'SETITEM' (0x73) at offset 2)"],
      ['a missing MARK', P('\x80\x02t.'), "Malformed pickle: no MARK on the stack (opcode 'TUPLE' (0x74) at offset 2)"],
      ['an undefined memo key', P('\x80\x02h\x07.'), "Malformed pickle: memo key 7 is not defined (opcode 'BINGET' (0x68) at offset 2)"],
      ['trailing bytes', P('\x80\x02N.junk'), "Malformed pickle: 4 trailing bytes after STOP (opcode 'STOP' (0x2e) at offset 3)"],
      ['values left over', P('\x80\x02NN.'), "Malformed pickle: values left on the stack at STOP (opcode 'STOP' (0x2e) at offset 4)"],
      ['an open MARK at STOP', P('\x80\x02(N.'), "Malformed pickle: values left on the stack at STOP (opcode 'STOP' (0x2e) at offset 4)"],
      ['protocol 6', P('\x80\x06N.'), "Malformed pickle: unsupported pickle protocol 6 (opcode 'PROTO' (0x80) at offset 0)"],
      ['an odd SETITEMS', P('\x80\x02}(K\x01u.'), "Malformed pickle: SETITEMS with an odd number of items (opcode 'SETITEMS' (0x75) at offset 6)"],
      ['an unhashable key', P('\x80\x02}]K\x01s.'), "Malformed pickle: unhashable dict key a list of 0 (opcode 'SETITEM' (0x73) at offset 6)"],
      ['deep MARK nesting', P('\x80\x02', '('.repeat(11), '.'), 'Pickle nesting exceeds the limit of 10 levels', { maxDepth: 10 }],
      ['deep object nesting', P('\x80\x02', ']'.repeat(12), 'a'.repeat(11), '.'), 'Pickle nesting exceeds the limit of 10 levels', { maxDepth: 10 }],
      ['too many memo entries', P('\x80\x02Nq\x00q\x01q\x02.'), 'Pickle memo exceeds the limit of 2 entries', { maxMemo: 2 }],
      [
        'REDUCE with non-tuple args',
        P('\x80\x02ccollections\nOrderedDict\n]R.'),
        "Malformed pickle: REDUCE arguments must be a tuple, got a list of 0 (opcode 'REDUCE' (0x52) at offset 28)",
      ],
      [
        'a bad OrderedDict state',
        P('\x80\x02ccollections\nOrderedDict\n)RK\x01b.'),
        "Malformed pickle: OrderedDict state must be a dict, got int 1 (opcode 'BUILD' (0x62) at offset 31)",
      ],
      [
        'a bare storage',
        P('\x80\x02(', X('storage'), 'ctorch\nFloatStorage\n', X('0'), X('cpu'), 'K\x01tQ.'),
        "Unsupported checkpoint: storage '0' appears outside a tensor (bare storages are not supported)",
      ],
    ];
    for (const [what, bytes, message, opts] of cases) {
      it(`reports ${what}`, () => {
        const e = errorOf(() => loads(bytes, opts));
        expect(e).to.be.instanceOf(PickleFormatError);
        expect(e.message).to.equal(message);
      });
    }

    it('fails cleanly on every prefix of a valid pickle', () => {
      const full = dumps({ a: [1, 2.5, 'x'], b: tuple(orderedDict([['k', 2n ** 70n]])), c: new Map([[1, null]]) });
      for (let n = 0; n < full.byteLength; n++) {
        const e = errorOf(() => loads(full.subarray(0, n)));
        expect(e, `prefix ${n}`).to.be.instanceOf(PickleFormatError);
        expect(e.message, `prefix ${n}`).to.match(/^(Truncated|Malformed) pickle: /);
      }
    });
  });

  describe('tensor records', () => {
    interface T {
      cls?: string;
      key?: string;
      numel?: number;
      offset?: PyValue;
      size?: PyValue;
      stride?: PyValue;
      rg?: PyValue;
      location?: string;
    }
    const marker = { storage: true };
    function tensorPickle(t: T, func = '_rebuild_tensor_v2', extra: PyValue[] = []): Buffer {
      const args = tuple<object>(marker, t.offset ?? 0, t.size ?? tuple(2, 3), t.stride ?? tuple(3, 1), t.rg ?? false, orderedDict(), ...extra);
      return dumps(new PyReduce(new PyGlobal('torch._utils', func), args), {
        persistentId: (o) =>
          o === marker ? tuple<object>('storage', new PyGlobal('torch', t.cls ?? 'FloatStorage'), t.key ?? '0', t.location ?? 'cpu', t.numel ?? 6) : undefined,
      });
    }

    it('decodes a tensor record', () => {
      const r = loads(tensorPickle({ offset: 1, size: tuple(2, 2), stride: tuple(1, 2), numel: 6, location: 'cuda:1' })) as TensorRecord;
      expect(r).to.deep.equal({
        storage: { key: '0', dtype: 'float32', location: 'cuda:1', numel: 6 },
        dtype: 'float32',
        storageOffset: 1,
        size: [2, 2],
        stride: [1, 2],
        requiresGrad: false,
        isParameter: false,
      });
    });

    it('decodes _rebuild_tensor_v3, _rebuild_parameter and the optional metadata argument', () => {
      const v3 = loads(tensorPickle({ cls: 'UntypedStorage', numel: 12 }, '_rebuild_tensor_v3', [new PyGlobal('torch', 'float16')])) as TensorRecord;
      expect(v3.dtype).to.equal('float16');
      expect(v3.storage.dtype).to.equal(null);
      const v2meta = loads(tensorPickle({}, '_rebuild_tensor_v2', [{}])) as TensorRecord;
      expect(v2meta.size).to.deep.equal([2, 3]);
      const inner = tensorPickle({});
      // _rebuild_parameter(tensor, True, OrderedDict())
      const param = P('\x80\x02ctorch._utils\n_rebuild_parameter\n', inner.subarray(2, inner.byteLength - 1), '\x88ccollections\nOrderedDict\n)R\x87R.');
      const p = loads(param) as TensorRecord;
      expect(p.isParameter).to.equal(true);
      expect(p.requiresGrad).to.equal(true);
    });

    const bad: [string, T, string, string?, PyValue[]?][] = [
      [
        'a view past the storage end',
        { offset: 1, numel: 6 },
        "tensor (offset 1, size [2,3], stride [3,1]) reaches element 6 but storage '0' holds 6 elements",
      ],
      ['a size/stride rank mismatch', { stride: tuple(1) }, 'size has 2 dimensions but stride has 1'],
      ['a negative size', { size: tuple(-1, 3) }, 'size[0] must be an integer >= 0, got int -1'],
      ['a float offset', { offset: 0.5 }, 'storage offset must be an integer >= 0, got int 0.5'],
      ['a list size', { size: [2, 3] }, 'size must be a tuple, got a list of 2'],
      ['a path in the storage key', { key: '../etc/passwd' }, 'invalid storage key str "../etc/passwd"'],
      ['a non-bool requires_grad', { rg: 1 }, 'requires_grad must be a bool, got int 1'],
      ['an unknown storage class', { cls: 'Storage' }, '', "Refusing to load: global 'torch.Storage' is not allowed (weights-only loading)"],
      ['an untyped storage in v2', { cls: 'UntypedStorage' }, '_rebuild_tensor_v2 needs a typed storage, got torch.storage.UntypedStorage'],
      [
        'an unsupported v3 dtype',
        { cls: 'UntypedStorage', numel: 12 },
        '',
        'Unsupported tensor dtype torch.qint8 in the checkpoint',
        [new PyGlobal('torch', 'qint8')],
      ],
      [
        'a v3 dtype clashing with a typed storage',
        {},
        'tensor dtype float16 does not match its FloatStorage storage',
        undefined,
        [new PyGlobal('torch', 'float16')],
      ],
    ];
    for (const [what, t, msg, full, v3] of bad) {
      it(`reports ${what}`, () => {
        const bytes = v3 ? tensorPickle(t, '_rebuild_tensor_v3', v3) : tensorPickle(t);
        const e = errorOf(() => loads(bytes));
        if (full) expect(e.message).to.equal(full);
        else
          expect(e.message).to.match(
            new RegExp(`^Malformed pickle: ${msg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(opcode '\\w+' \\(0x[0-9a-f]+\\) at offset \\d+\\)$`),
          );
      });
    }

    it('reports one storage key declared with two types', () => {
      const pid = (cls: string): PyValue<object> => tuple<object>('storage', new PyGlobal('torch', cls), '0', 'cpu', 4);
      const a = { a: true };
      const b = { b: true };
      const mk = (m: object): PyReduce<object> =>
        new PyReduce(new PyGlobal('torch._utils', '_rebuild_tensor_v2'), tuple<object>(m, 0, tuple(4), tuple(1), false, orderedDict()));
      const bytes = dumps([mk(a), mk(b)], { persistentId: (o) => (o === a ? pid('FloatStorage') : o === b ? pid('IntStorage') : undefined) });
      expect(errorOf(() => loads(bytes)).message).to.match(/^Malformed pickle: storage '0' is declared twice with different type, size or location/);
    });

    it('passes records through a TensorFactory', () => {
      const made: TensorRecord[] = [];
      const v = loads(tensorPickle({}), { factory: { tensor: (r) => (made.push(r), { made: made.length }) } });
      expect(v).to.deep.equal({ made: 1 });
    });
  });

  describe('dumps errors', () => {
    class Foo {}
    const cases: [string, unknown, string][] = [
      ['undefined', { a: { b: undefined } }, 'Cannot pickle undefined at root.a.b'],
      ['a function', [1, () => 1], 'Cannot pickle a function at root[1]'],
      ['a symbol', { 'x y': Symbol('s') }, 'Cannot pickle a symbol at root["x y"]'],
      ['a Set', new Map([['k', new Set()]]), 'Cannot pickle an instance of Set at root.k'],
      ['a class instance', tuple(new Foo() as unknown as PyValue), 'Cannot pickle an instance of Foo at root[0]'],
    ];
    for (const [what, v, msg] of cases) {
      it(`names the path of ${what}`, () => {
        const e = errorOf(() => dumps(v));
        expect(e).to.be.instanceOf(PickleValueError);
        expect(e.message).to.equal(msg);
      });
    }
    it('stops at a cycle through a tuple', () => {
      const t = tuple();
      (t as PyValue[]).push(t);
      expect(errorOf(() => dumps(t, {}, { maxDepth: 50 })).message).to.match(
        /^Cannot pickle a value nested deeper than 50 levels \(is there a cycle through a tuple\?\) at root(\[0\])+$/,
      );
    });
    it('marks ordered dicts without touching enumeration', () => {
      const o = markOrderedDict({ a: 1 });
      expect(Object.keys(o)).to.deep.equal(['a']);
      expect(dumps(o).toString('latin1')).to.contain('collections\nOrderedDict');
    });
  });
});
