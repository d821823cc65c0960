/**
 * nn.utils.rnn packed sequences vs PyTorch 2.13: packPaddedSequence (sorted,
 * enforceSorted false, batchFirst, lengths as array or tensor),
 * padPackedSequence (paddingValue, totalLength, batchFirst, original order),
 * packSequence/unpackSequence, and RNN/LSTM/GRU on a PackedSequence
 * (unsorted batch, initial states): packed output, padded output, final
 * states and every gradient. Errors with their messages, libtorch's own
 * compared with Python's.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { expectEnc, mcase, moduleCases, ok, pyNN, pythonHasTorch, randIn, type Enc, type ModuleCase, type PyError } from './20-nn-helpers.js';

const nn = torch.nn;
const R = nn.utils.rnn;

const dec = (e: Enc): Tensor => torch.tensor(e.data as number[], { dtype: e.dtype }).reshape(e.shape);

// ------------------------------------------------------------------ pack / pad round trips

interface PackCase {
  name: string;
  x: Enc;
  lengths: number[];
  lengthsAsTensor?: boolean;
  batchFirst: boolean;
  enforceSorted: boolean;
  paddingValue: number;
  totalLength: number | null;
}

const PACKS: PackCase[] = [
  {
    name: 'sorted lengths, [T, B, F]',
    x: randIn([5, 3, 2], 1, { requiresGrad: false }),
    lengths: [5, 3, 2],
    batchFirst: false,
    enforceSorted: true,
    paddingValue: 0,
    totalLength: null,
  },
  {
    name: 'unsorted lengths (enforceSorted false), batchFirst, paddingValue -1',
    x: randIn([4, 6, 3], 2, { requiresGrad: false }),
    lengths: [2, 6, 1, 4],
    batchFirst: true,
    enforceSorted: false,
    paddingValue: -1,
    totalLength: null,
  },
  {
    name: 'lengths as an int32 tensor, totalLength 8, [T, B]',
    x: randIn([5, 3], 3, { requiresGrad: false }),
    lengths: [3, 5, 5],
    lengthsAsTensor: true,
    batchFirst: false,
    enforceSorted: false,
    paddingValue: 0.5,
    totalLength: 8,
  },
  {
    name: 'equal lengths, batchFirst, float64',
    x: randIn([2, 3, 2], 4, { requiresGrad: false, dtype: 'float64' }),
    lengths: [3, 3],
    batchFirst: true,
    enforceSorted: true,
    paddingValue: 0,
    totalLength: 3,
  },
];

const SEQS: Enc[] = [randIn([2, 3], 5, { requiresGrad: false }), randIn([4, 3], 6, { requiresGrad: false }), randIn([1, 3], 7, { requiresGrad: false })];

const PY_PACK = String.raw`
R = nn.utils.rnn
res = {'packs': [], 'seq': None, 'errors': []}
for c in D['packs']:
    x = T(c['x'])
    lengths = torch.tensor(c['lengths'], dtype=torch.int32) if c.get('lengthsAsTensor') else c['lengths']
    p = R.pack_padded_sequence(x, lengths, batch_first=c['batchFirst'], enforce_sorted=c['enforceSorted'])
    padded, lens = R.pad_packed_sequence(p, batch_first=c['batchFirst'], padding_value=c['paddingValue'], total_length=c['totalLength'])
    res['packs'].append({'data': E(p.data), 'batchSizes': E(p.batch_sizes), 'sorted': E(p.sorted_indices), 'unsorted': E(p.unsorted_indices), 'padded': E(padded), 'lengths': E(lens)})
seqs = [T(s) for s in D['seqs']]
p = R.pack_sequence(seqs, enforce_sorted=False)
res['seq'] = {'data': E(p.data), 'batchSizes': E(p.batch_sizes), 'sorted': E(p.sorted_indices), 'unpacked': [E(t) for t in R.unpack_sequence(p)]}
res['left'] = [E(R.pad_sequence(seqs, batch_first=bf, padding_value=-2.0, padding_side='left')) for bf in (False, True)]
res['unpad'] = [E(t) for t in R.unpad_sequence(R.pad_sequence(seqs, batch_first=True), torch.tensor([2, 4, 1]), batch_first=True)]
def err(f):
    try:
        f()
        return None
    except Exception as e:
        return str(e).split('\n')[0]
res['errors'].append(err(lambda: R.pack_padded_sequence(torch.zeros(4, 3), [2, 4, 1])))
res['errors'].append(err(lambda: R.pack_padded_sequence(torch.zeros(4, 3), [2, 0, 1], enforce_sorted=False)))
out = res
`;

interface PyPack {
  packs: { data: Enc; batchSizes: Enc; sorted: Enc | null; unsorted: Enc | null; padded: Enc; lengths: Enc }[];
  seq: { data: Enc; batchSizes: Enc; sorted: Enc; unpacked: Enc[] };
  left: Enc[];
  unpad: Enc[];
  errors: string[];
}

describe('packed sequences vs PyTorch (pack, pad, round trips)', function () {
  this.timeout(120_000);
  let py: PyPack;
  before(function () {
    if (!pythonHasTorch()) this.skip();
    py = ok(pyNN<PyPack | PyError>([{ kind: 'exec', code: PY_PACK, data: { packs: PACKS, seqs: SEQS } }])[0], 'packs');
  });

  PACKS.forEach((c, i) => {
    it(`packPaddedSequence / padPackedSequence: ${c.name}`, () => {
      torch.tidy(() => {
        const lengths = c.lengthsAsTensor ? torch.tensor(c.lengths, { dtype: 'int32' }) : c.lengths;
        const p = R.packPaddedSequence(dec(c.x), lengths, { batchFirst: c.batchFirst, enforceSorted: c.enforceSorted });
        const ref = py.packs[i];
        expectEnc(p.data, ref.data, 'data', { rtol: 0, atol: 0 });
        expectEnc(p.batchSizes, ref.batchSizes, 'batchSizes', { rtol: 0, atol: 0 });
        expectEnc(p.sortedIndices, ref.sorted, 'sortedIndices', { rtol: 0, atol: 0 });
        expectEnc(p.unsortedIndices, ref.unsorted, 'unsortedIndices', { rtol: 0, atol: 0 });
        const [data, batchSizes, sortedIndices, unsortedIndices] = p;
        expect([data, batchSizes, sortedIndices, unsortedIndices]).to.deep.equal([p.data, p.batchSizes, p.sortedIndices, p.unsortedIndices]);
        const [padded, lens] = R.padPackedSequence(p, { batchFirst: c.batchFirst, paddingValue: c.paddingValue, totalLength: c.totalLength });
        expectEnc(padded, ref.padded, 'padded', { rtol: 0, atol: 0 });
        expectEnc(lens, ref.lengths, 'lengths', { rtol: 0, atol: 0 });
      });
    });
  });

  it('packSequence (enforceSorted false) and unpackSequence', () => {
    torch.tidy(() => {
      const seqs = SEQS.map(dec);
      const p = R.packSequence(seqs, { enforceSorted: false });
      expectEnc(p.data, py.seq.data, 'data', { rtol: 0, atol: 0 });
      expectEnc(p.batchSizes, py.seq.batchSizes, 'batchSizes', { rtol: 0, atol: 0 });
      expectEnc(p.sortedIndices, py.seq.sorted, 'sortedIndices', { rtol: 0, atol: 0 });
      const un = R.unpackSequence(p);
      expect(un.length).to.equal(3);
      un.forEach((t, j) => expectEnc(t, py.seq.unpacked[j], `unpacked ${j}`, { rtol: 0, atol: 0 }));
    });
  });

  it("padSequence with paddingSide 'left' (both layouts) and unpadSequence equal Python", () => {
    torch.tidy(() => {
      const seqs = SEQS.map(dec);
      expectEnc(R.padSequence(seqs, { paddingValue: -2, paddingSide: 'left' }), py.left[0], 'left, [T, B, *]', { rtol: 0, atol: 0 });
      expectEnc(R.padSequence(seqs, { paddingValue: -2, paddingSide: 'left', batchFirst: true }), py.left[1], 'left, batchFirst', { rtol: 0, atol: 0 });
      const un = R.unpadSequence(R.padSequence(seqs, { batchFirst: true }), torch.tensor([2, 4, 1]), { batchFirst: true });
      expect(un.length).to.equal(3);
      un.forEach((t, j) => expectEnc(t, py.unpad[j], `unpadded ${j}`, { rtol: 0, atol: 0 }));
      // [T, B, *] layout gives the same sequences
      const un2 = R.unpadSequence(R.padSequence(seqs), [2, 4, 1]);
      un2.forEach((t, j) => expectEnc(t, py.unpad[j], `unpadded [T, B, *] ${j}`, { rtol: 0, atol: 0 }));
    });
  });

  it('invertPermutation inverts, and null stays null', () => {
    const perm = torch.tensor([2, 0, 3, 1]);
    expect(Array.from(R.invertPermutation(perm)!.dataSync())).to.deep.equal([1, 3, 0, 2]);
    expect(R.invertPermutation(null)).to.equal(null);
  });

  it('PackedSequence.to casts the data and keeps batchSizes', () => {
    const p = R.packSequence([torch.ones([3, 2]), torch.ones([2, 2])]);
    const q = p.to('float64');
    expect(q.data.dtype).to.equal('float64');
    expect(q.batchSizes).to.equal(p.batchSizes);
    expect(p.to('float32')).to.equal(p);
  });

  it('a PackedSequence returned from tidy survives it; the rest is freed', () => {
    const before = torch.memory().numTensors;
    const p = torch.tidy(() => R.packPaddedSequence(torch.randn([4, 3, 2]), [1, 4, 2], { enforceSorted: false }));
    expect(p.data.isDisposed).to.equal(false);
    expect(p.sortedIndices!.isDisposed).to.equal(false);
    expect(Array.from(p.batchSizes.dataSync())).to.deep.equal([3, 2, 1, 1]);
    p.dispose();
    expect(torch.memory().numTensors).to.equal(before);
  });

  it("libtorch's errors carry PyTorch's messages (unsorted under enforceSorted, zero length)", () => {
    const msg = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).to.be.instanceOf(torch.TorchError);
        return (e as Error).message.split('\n')[0];
      }
      throw new Error('did not throw');
    };
    expect(msg(() => R.packPaddedSequence(torch.zeros([4, 3]), [2, 4, 1]))).to.equal(py.errors[0]);
    expect(msg(() => R.packPaddedSequence(torch.zeros([4, 3]), [2, 0, 1], { enforceSorted: false }))).to.equal(py.errors[1]);
  });
});

// ------------------------------------------------------------------ recurrent layers on packed input

const LENS = [3, 5, 2];
const PY_PACKED_CALL = (hx: string) =>
  `(lambda r: (r[0].data, nn.utils.rnn.pad_packed_sequence(r[0], padding_value=0.25)[0], *(r[1] if isinstance(r[1], tuple) else (r[1],))))(m(nn.utils.rnn.pack_padded_sequence(x, ${JSON.stringify(LENS)}, enforce_sorted=False)${hx}))`;

function packedCall(m: torch.nn.Module, x: Record<string, Tensor>, kind: 'lstm' | 'plain'): Tensor[] {
  const p = R.packPaddedSequence(x.x, LENS, { enforceSorted: false });
  if (kind === 'lstm') {
    const [o, [h, c]] = (m as torch.nn.LSTM).forward(p, x.h === undefined ? null : [x.h, x.c]);
    return [o.data, R.padPackedSequence(o, { paddingValue: 0.25 })[0], h, c];
  }
  const [o, h] = (m as torch.nn.GRU).forward(p, x.h ?? null);
  return [o.data, R.padPackedSequence(o, { paddingValue: 0.25 })[0], h];
}

const PACKED_CASES: ModuleCase[] = [
  mcase({
    name: 'LSTM on an unsorted packed batch, no initial state',
    make: () => new nn.LSTM(4, 5),
    build: 'nn.LSTM(4, 5)',
    inputs: { x: randIn([5, 3, 4], 11) },
    call: (m, x) => packedCall(m, x, 'lstm'),
    pyCall: PY_PACKED_CALL(''),
  }),
  mcase({
    name: 'LSTM 2 layers, bidirectional, projSize, on a packed batch with [h0, c0] (permuted as Python)',
    make: () => new nn.LSTM(4, 5, { numLayers: 2, bidirectional: true, projSize: 2 }),
    build: 'nn.LSTM(4, 5, 2, bidirectional=True, proj_size=2)',
    inputs: { x: randIn([5, 3, 4], 12), h: randIn([4, 3, 2], 13), c: randIn([4, 3, 5], 14) },
    call: (m, x) => packedCall(m, x, 'lstm'),
    pyCall: PY_PACKED_CALL(', (h, c)'),
  }),
  mcase({
    name: 'GRU 2 layers, bidirectional, on a packed batch with h0',
    make: () => new nn.GRU(4, 5, { numLayers: 2, bidirectional: true }),
    build: 'nn.GRU(4, 5, 2, bidirectional=True)',
    inputs: { x: randIn([5, 3, 4], 15), h: randIn([4, 3, 5], 16) },
    call: (m, x) => packedCall(m, x, 'plain'),
    pyCall: PY_PACKED_CALL(', h'),
  }),
  mcase({
    name: 'RNN relu on a packed batch, no initial state',
    make: () => new nn.RNN(4, 5, { nonlinearity: 'relu' }),
    build: "nn.RNN(4, 5, nonlinearity='relu')",
    inputs: { x: randIn([5, 3, 4], 17) },
    call: (m, x) => packedCall(m, x, 'plain'),
    pyCall: PY_PACKED_CALL(''),
  }),
];

describe('recurrent layers on PackedSequence vs PyTorch (packed and padded outputs, states, all gradients)', function () {
  this.timeout(120_000);
  // bit for bit: the same aten kernels of the same libtorch
  moduleCases(PACKED_CASES.map((c) => ({ ...c, tol: { rtol: 0, atol: 0 } })));
});

// ------------------------------------------------------------------ leaks

describe('recurrent layers and packing free what they make', () => {
  it('keeps the live-tensor count flat over repeated calls outside any scope', () => {
    const g = new nn.GRU(3, 4);
    const l = new nn.LSTM(3, 4, { projSize: 2 });
    const c = new nn.LSTMCell(3, 4);
    const r = new nn.RNNCell(3, 4);
    const run = () => {
      const xi = torch.randn([5, 3]);
      const [o1, h1] = g.forward(xi);
      const [o2, [h2, c2]] = l.forward(xi);
      const h0 = torch.zeros([1, 2]);
      const c0 = torch.zeros([1, 4]);
      const [o3, [h3, c3]] = l.forward(xi, [h0, c0]);
      const xc = torch.randn([3]);
      const [a, b] = c.forward(xc);
      const d = r.forward(xc);
      const xp = torch.randn([4, 3, 3]);
      const p = R.packPaddedSequence(xp, [2, 4, 1], { enforceSorted: false });
      const [o4, [h4, c4]] = l.forward(p);
      const [pad, lens] = R.padPackedSequence(o4);
      for (const t of [o1, h1, o2, h2, c2, h0, c0, o3, h3, c3, xc, a, b, d, xp, o4.data, h4, c4, pad, lens, xi]) t.dispose();
      p.dispose();
    };
    run();
    const before = torch.memory().numTensors;
    for (let i = 0; i < 10; i++) run();
    expect(torch.memory().numTensors - before).to.equal(0);
  });
});

// ------------------------------------------------------------------ argument errors

type Cls = new (...a: never[]) => Error;
const ERRORS: [string, () => unknown, Cls, string][] = [
  [
    'packPaddedSequence: unknown option',
    () => R.packPaddedSequence(torch.zeros([3, 2]), [3, 2], { enforce_sorted: false } as never),
    TypeError,
    "Unknown option 'enforce_sorted' for packPaddedSequence; expected one of: batchFirst, enforceSorted",
  ],
  [
    'packPaddedSequence: input not a tensor',
    () => R.packPaddedSequence([1, 2] as never, [2]),
    TypeError,
    'Expected Tensor for input but received an array of length 2',
  ],
  [
    'packPaddedSequence: fractional lengths',
    () => R.packPaddedSequence(torch.zeros([3, 2]), [2.5, 1]),
    TypeError,
    'Expected a Tensor or an array of integers for lengths of packPaddedSequence but received an array of length 2',
  ],
  [
    'packPaddedSequence: batchFirst not a boolean',
    () => R.packPaddedSequence(torch.zeros([3, 2]), [3, 2], { batchFirst: 1 as never }),
    TypeError,
    'Expected a boolean for batchFirst but received 1 of type number',
  ],
  // Python 2.13 accepts this and packs memory past the input's end; we refuse it
  [
    'packPaddedSequence: a length beyond the padded input',
    () => R.packPaddedSequence(torch.zeros([4, 3]), [6, 2, 1]),
    RangeError,
    'Expected lengths of at most 4 (the padded length) for lengths of packPaddedSequence but received 6',
  ],
  [
    'packPaddedSequence: as many lengths as the batch',
    () => R.packPaddedSequence(torch.zeros([4, 3]), [4, 2]),
    RangeError,
    'Expected 3 lengths (the batch size) for lengths of packPaddedSequence but received 2',
  ],
  [
    'padPackedSequence: not a PackedSequence',
    () => R.padPackedSequence(torch.zeros([3, 2]) as never),
    TypeError,
    'Expected a PackedSequence for sequence but received an object of type Tensor',
  ],
  [
    'padPackedSequence: totalLength shorter than the longest sequence',
    () => R.padPackedSequence(R.packSequence([torch.zeros([4, 2]), torch.zeros([2, 2])]), { totalLength: 3 }),
    RangeError,
    'Expected an integer of at least the longest sequence length (4) for totalLength but received 3 of type number',
  ],
  [
    'padPackedSequence: unknown option',
    () => R.padPackedSequence(R.packSequence([torch.zeros([2, 2])]), { padding_value: 1 } as never),
    TypeError,
    "Unknown option 'padding_value' for padPackedSequence; expected one of: batchFirst, paddingValue, totalLength",
  ],
  [
    'padSequence: bad paddingSide',
    () => R.padSequence([torch.zeros([2, 2])], { paddingSide: 'top' as never }),
    TypeError,
    "Expected 'left' or 'right' for paddingSide but received 'top' of type string",
  ],
  [
    'unpadSequence: more lengths than the batch',
    () => R.unpadSequence(torch.zeros([3, 2, 4]), [3, 2, 1]),
    RangeError,
    'Expected 2 lengths (the batch size) for lengths of unpadSequence but received 3',
  ],
  [
    'unpadSequence: a length beyond the padded length',
    () => R.unpadSequence(torch.zeros([3, 2, 4]), [4, 1]),
    RangeError,
    'Expected lengths in [0, 3] (the padded length) for lengths of unpadSequence but received 4',
  ],
  [
    'packSequence: unknown option',
    () => R.packSequence([torch.zeros([2, 2])], { enforce_sorted: false } as never),
    TypeError,
    "Unknown option 'enforce_sorted' for packSequence; expected one of: enforceSorted",
  ],
  [
    'LSTM on a packed batch: wrong feature size',
    () => new nn.LSTM(3, 4).forward(R.packSequence([torch.zeros([2, 5])])),
    RangeError,
    'Expected size 3 (inputSize) in the last dimension for input but received size 5',
  ],
  [
    'GRU on a packed batch: h0 for the wrong batch',
    () => new nn.GRU(2, 4).forward(R.packSequence([torch.zeros([3, 2]), torch.zeros([2, 2])]), torch.zeros([1, 3, 4])),
    RangeError,
    'Expected shape [1, 2, 4] for hx but received shape [1, 3, 4]',
  ],
];

describe('packed sequences: argument errors', () => {
  for (const [name, fn, cls, msg] of ERRORS) {
    it(name, () => {
      let thrown: unknown = null;
      try {
        fn();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).to.be.instanceOf(cls);
      expect((thrown as Error).message).to.equal(msg);
    });
  }
});
