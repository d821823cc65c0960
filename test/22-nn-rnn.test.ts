/**
 * Recurrent layers vs PyTorch 2.13: RNN (tanh/relu), LSTM (projSize), GRU and
 * the three cells, on the same weights and inputs, bit for bit (the same aten
 * kernels): outputs, final states, the
 * gradients of the inputs, of the initial states and of every parameter;
 * state-dict keys; dropout between layers drawing the same masks as Python
 * under the same seed; eval mode; init (same draws under the same seed, and
 * the U(-1/sqrt(H), 1/sqrt(H)) statistics of a large layer); the printed form;
 * and every argument error with its message.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { encState, expectEnc, mcase, moduleCases, ok, pyNN, pythonHasTorch, randIn, type Enc, type ModuleCase, type PyError } from './20-nn-helpers.js';

const nn = torch.nn;

const lstmOut = (r: [Tensor, [Tensor, Tensor]]) => [r[0], r[1][0], r[1][1]];
const PY_LSTM_OUT = '(lambda r: (r[0], r[1][0], r[1][1]))';

const T = 5,
  B = 3,
  I = 4,
  H = 6;

const RNN_CASES: ModuleCase[] = [
  // ---- RNN
  mcase({
    name: 'RNN tanh, defaults, [T, B, I]',
    make: () => new nn.RNN(I, H),
    build: `nn.RNN(${I}, ${H})`,
    inputs: { x: randIn([T, B, I], 1) },
    call: (m, x) => m.forward(x.x),
    pyCall: 'm(x)',
  }),
  mcase({
    name: 'RNN relu, 2 layers, bidirectional, batchFirst, with h0',
    make: () => new nn.RNN(I, H, { nonlinearity: 'relu', numLayers: 2, bidirectional: true, batchFirst: true }),
    build: `nn.RNN(${I}, ${H}, 2, nonlinearity='relu', bidirectional=True, batch_first=True)`,
    inputs: { x: randIn([B, T, I], 2), h: randIn([4, B, H], 3, { lo: -0.5, hi: 0.5 }) },
    call: (m, x) => m.forward(x.x, x.h),
    pyCall: 'm(x, h)',
  }),
  mcase({
    name: 'RNN without bias, unbatched [T, I] with [layers, H] hx',
    make: () => new nn.RNN(I, H, { bias: false, numLayers: 2 }),
    build: `nn.RNN(${I}, ${H}, num_layers=2, bias=False)`,
    inputs: { x: randIn([T, I], 4), h: randIn([2, H], 5) },
    call: (m, x) => m.forward(x.x, x.h),
    pyCall: 'm(x, h)',
  }),
  mcase({
    name: 'RNN unbatched, batchFirst, no hx',
    make: () => new nn.RNN(I, H, { batchFirst: true }),
    build: `nn.RNN(${I}, ${H}, batch_first=True)`,
    inputs: { x: randIn([T, I], 6) },
    call: (m, x) => m.forward(x.x),
    pyCall: 'm(x)',
  }),
  // ---- LSTM
  mcase({
    name: 'LSTM, defaults',
    make: () => new nn.LSTM(I, H),
    build: `nn.LSTM(${I}, ${H})`,
    inputs: { x: randIn([T, B, I], 7) },
    call: (m, x) => lstmOut(m.forward(x.x)),
    pyCall: `${PY_LSTM_OUT}(m(x))`,
  }),
  mcase({
    name: 'LSTM, 2 layers, bidirectional, with [h0, c0]',
    make: () => new nn.LSTM(I, H, { numLayers: 2, bidirectional: true }),
    build: `nn.LSTM(${I}, ${H}, 2, bidirectional=True)`,
    inputs: { x: randIn([T, B, I], 8), h: randIn([4, B, H], 9, { lo: -0.5, hi: 0.5 }), c: randIn([4, B, H], 10) },
    call: (m, x) => lstmOut(m.forward(x.x, [x.h, x.c])),
    pyCall: `${PY_LSTM_OUT}(m(x, (h, c)))`,
  }),
  mcase({
    name: 'LSTM projSize 3, 2 layers, bidirectional, batchFirst, with [h0, c0]',
    make: () => new nn.LSTM(I, H, { numLayers: 2, bidirectional: true, projSize: 3, batchFirst: true }),
    build: `nn.LSTM(${I}, ${H}, 2, bidirectional=True, proj_size=3, batch_first=True)`,
    inputs: { x: randIn([B, T, I], 11), h: randIn([4, B, 3], 12, { lo: -0.5, hi: 0.5 }), c: randIn([4, B, H], 13) },
    call: (m, x) => lstmOut(m.forward(x.x, [x.h, x.c])),
    pyCall: `${PY_LSTM_OUT}(m(x, (h, c)))`,
  }),
  mcase({
    name: 'LSTM without bias, unbatched with [h0, c0] of [layers, H]',
    make: () => new nn.LSTM(I, H, { bias: false }),
    build: `nn.LSTM(${I}, ${H}, bias=False)`,
    inputs: { x: randIn([T, I], 14), h: randIn([1, H], 15), c: randIn([1, H], 16) },
    call: (m, x) => lstmOut(m.forward(x.x, [x.h, x.c])),
    pyCall: `${PY_LSTM_OUT}(m(x, (h, c)))`,
  }),
  mcase({
    name: 'LSTM float64',
    make: () => new nn.LSTM(I, H, { dtype: 'float64', numLayers: 2 }),
    build: `nn.LSTM(${I}, ${H}, 2, dtype=torch.float64)`,
    inputs: { x: randIn([T, B, I], 17, { dtype: 'float64' }) },
    call: (m, x) => lstmOut(m.forward(x.x)),
    pyCall: `${PY_LSTM_OUT}(m(x))`,
    tol: { rtol: 1e-12, atol: 1e-12 },
  }),
  // ---- GRU
  mcase({
    name: 'GRU, defaults',
    make: () => new nn.GRU(I, H),
    build: `nn.GRU(${I}, ${H})`,
    inputs: { x: randIn([T, B, I], 18) },
    call: (m, x) => m.forward(x.x),
    pyCall: 'm(x)',
  }),
  mcase({
    name: 'GRU, 3 layers, bidirectional, batchFirst, with h0',
    make: () => new nn.GRU(I, H, { numLayers: 3, bidirectional: true, batchFirst: true }),
    build: `nn.GRU(${I}, ${H}, 3, bidirectional=True, batch_first=True)`,
    inputs: { x: randIn([B, T, I], 19), h: randIn([6, B, H], 20, { lo: -0.5, hi: 0.5 }) },
    call: (m, x) => m.forward(x.x, x.h),
    pyCall: 'm(x, h)',
  }),
  mcase({
    name: 'GRU without bias, unbatched with hx',
    make: () => new nn.GRU(I, H, { bias: false }),
    build: `nn.GRU(${I}, ${H}, bias=False)`,
    inputs: { x: randIn([T, I], 21), h: randIn([1, H], 22) },
    call: (m, x) => m.forward(x.x, x.h),
    pyCall: 'm(x, h)',
  }),
  // ---- eval mode: dropout between layers is off
  mcase({
    name: 'LSTM dropout 0.5 in eval mode (no dropout)',
    make: () => new nn.LSTM(I, H, { numLayers: 2, dropout: 0.5 }),
    build: `nn.LSTM(${I}, ${H}, 2, dropout=0.5)`,
    inputs: { x: randIn([T, B, I], 23) },
    call: (m, x) => lstmOut(m.forward(x.x)),
    pyCall: `${PY_LSTM_OUT}(m(x))`,
    train: false,
  }),
  mcase({
    name: 'GRU dropout 0.5 in eval mode (no dropout)',
    make: () => new nn.GRU(I, H, { numLayers: 2, dropout: 0.5 }),
    build: `nn.GRU(${I}, ${H}, 2, dropout=0.5)`,
    inputs: { x: randIn([T, B, I], 24) },
    call: (m, x) => m.forward(x.x),
    pyCall: 'm(x)',
    train: false,
  }),
  // ---- cells
  mcase({
    name: 'RNNCell tanh, [B, I] with hx',
    make: () => new nn.RNNCell(I, H),
    build: `nn.RNNCell(${I}, ${H})`,
    inputs: { x: randIn([B, I], 25), h: randIn([B, H], 26) },
    call: (m, x) => m.forward(x.x, x.h),
    pyCall: 'm(x, h)',
  }),
  mcase({
    name: 'RNNCell relu without bias, unbatched, no hx',
    make: () => new nn.RNNCell(I, H, { nonlinearity: 'relu', bias: false }),
    build: `nn.RNNCell(${I}, ${H}, bias=False, nonlinearity='relu')`,
    inputs: { x: randIn([I], 27) },
    call: (m, x) => m.forward(x.x),
    pyCall: 'm(x)',
  }),
  mcase({
    name: 'LSTMCell, [B, I] with [h, c]',
    make: () => new nn.LSTMCell(I, H),
    build: `nn.LSTMCell(${I}, ${H})`,
    inputs: { x: randIn([B, I], 28), h: randIn([B, H], 29), c: randIn([B, H], 30) },
    call: (m, x) => m.forward(x.x, [x.h, x.c]),
    pyCall: 'm(x, (h, c))',
  }),
  mcase({
    name: 'LSTMCell without bias, unbatched, no hx',
    make: () => new nn.LSTMCell(I, H, { bias: false }),
    build: `nn.LSTMCell(${I}, ${H}, bias=False)`,
    inputs: { x: randIn([I], 31) },
    call: (m, x) => m.forward(x.x),
    pyCall: 'm(x)',
  }),
  mcase({
    name: 'GRUCell, [B, I] with hx',
    make: () => new nn.GRUCell(I, H),
    build: `nn.GRUCell(${I}, ${H})`,
    inputs: { x: randIn([B, I], 32), h: randIn([B, H], 33) },
    call: (m, x) => m.forward(x.x, x.h),
    pyCall: 'm(x, h)',
  }),
  mcase({
    name: 'GRUCell unbatched with [H] hx',
    make: () => new nn.GRUCell(I, H),
    build: `nn.GRUCell(${I}, ${H})`,
    inputs: { x: randIn([I], 34), h: randIn([H], 35) },
    call: (m, x) => m.forward(x.x, x.h),
    pyCall: 'm(x, h)',
  }),
];

/** Bit for bit: the same aten kernels of the same libtorch, on the same thread count. */
const EXACT = { rtol: 0, atol: 0 };

describe('recurrent layers vs PyTorch, bit for bit (outputs, states, all gradients, state-dict keys)', function () {
  this.timeout(120_000);
  moduleCases(RNN_CASES.map((c) => ({ ...c, tol: EXACT })));
});

// ------------------------------------------------------------------ dropout, init, repr (one Python run)

/** Modules whose init both sides draw under the same seed; [TS constructor, Python expression]. */
const INITS: [() => torch.nn.Module, string][] = [
  [() => new nn.RNN(3, 5, { numLayers: 2, bidirectional: true }), 'nn.RNN(3, 5, 2, bidirectional=True)'],
  [() => new nn.LSTM(3, 5, { numLayers: 2, projSize: 2 }), 'nn.LSTM(3, 5, 2, proj_size=2)'],
  [() => new nn.GRU(3, 5, { bias: false }), 'nn.GRU(3, 5, bias=False)'],
  [() => new nn.RNNCell(3, 5), 'nn.RNNCell(3, 5)'],
  [() => new nn.LSTMCell(3, 5), 'nn.LSTMCell(3, 5)'],
  [() => new nn.GRUCell(3, 5, { bias: false }), 'nn.GRUCell(3, 5, bias=False)'],
];

/** [TS module, Python expression] whose printed forms must agree. */
const REPRS: [() => torch.nn.Module, string][] = [
  [() => new nn.RNN(3, 5), 'nn.RNN(3, 5)'],
  [
    () => new nn.RNN(3, 5, { nonlinearity: 'relu', numLayers: 2, bias: false, batchFirst: true, dropout: 0.25, bidirectional: true }),
    "nn.RNN(3, 5, 2, nonlinearity='relu', bias=False, batch_first=True, dropout=0.25, bidirectional=True)",
  ],
  [() => new nn.LSTM(3, 5, { projSize: 2, numLayers: 3 }), 'nn.LSTM(3, 5, 3, proj_size=2)'],
  [() => new nn.LSTM(3, 5, { dropout: 1 }), 'nn.LSTM(3, 5, dropout=1)'],
  [() => new nn.GRU(3, 5, { bidirectional: true, dropout: 1e-5, numLayers: 2 }), 'nn.GRU(3, 5, 2, bidirectional=True, dropout=1e-5)'],
  [() => new nn.RNNCell(3, 5, { nonlinearity: 'relu', bias: false }), "nn.RNNCell(3, 5, bias=False, nonlinearity='relu')"],
  [() => new nn.LSTMCell(3, 5), 'nn.LSTMCell(3, 5)'],
  [() => new nn.GRUCell(3, 5, { bias: false }), 'nn.GRUCell(3, 5, bias=False)'],
];

/** Dropout between layers in training: [TS module, Python expression, input, kind]. */
const DROPOUTS: [() => torch.nn.Module, string, Enc, 'lstm' | 'plain'][] = [
  [() => new nn.LSTM(I, H, { numLayers: 3, dropout: 0.4 }), `nn.LSTM(${I}, ${H}, 3, dropout=0.4)`, randIn([T, B, I], 40), 'lstm'],
  [
    () => new nn.GRU(I, H, { numLayers: 2, dropout: 0.5, bidirectional: true }),
    `nn.GRU(${I}, ${H}, 2, dropout=0.5, bidirectional=True)`,
    randIn([T, B, I], 41),
    'plain',
  ],
  [() => new nn.RNN(I, H, { numLayers: 2, dropout: 0.3 }), `nn.RNN(${I}, ${H}, 2, dropout=0.3)`, randIn([T, B, I], 42), 'plain'],
];

const PY_MISC = String.raw`
res = {'inits': [], 'reprs': [], 'stats': None, 'dropouts': []}
for i, b in enumerate(D['inits']):
    torch.manual_seed(500 + i)
    m = eval(b)
    res['inits'].append({k: E(v) for k, v in m.state_dict().items()})
for b in D['reprs']:
    res['reprs'].append(repr(eval(b)))
torch.manual_seed(0)
big = nn.LSTM(100, 400)
w = torch.cat([p.detach().reshape(-1) for p in big.parameters()])
res['stats'] = {'min': w.min().item(), 'max': w.max().item(), 'mean': w.mean().item(), 'std': w.std().item(), 'bound': 1 / math.sqrt(400)}
for d in D['dropouts']:
    m = eval(d['build'])
    load(m, d['state'])
    m.train()
    x = T(d['x'])
    torch.manual_seed(77)
    r = m(x)
    outs = [r[0], r[1][0], r[1][1]] if d['kind'] == 'lstm' else [r[0], r[1]]
    weigh(outs).backward()
    res['dropouts'].append({'outs': [E(o) for o in outs], 'x': E(x.grad), 'grads': {k: E(p.grad) for k, p in m.named_parameters()}})
out = res
`;

interface PyMisc {
  inits: Record<string, Enc>[];
  reprs: string[];
  stats: { min: number; max: number; mean: number; std: number; bound: number };
  dropouts: { outs: Enc[]; x: Enc; grads: Record<string, Enc> }[];
}

describe('recurrent layers: init, dropout between layers, printed form (vs PyTorch)', function () {
  this.timeout(120_000);
  let py: PyMisc;
  const dropMods: torch.nn.Module[] = [];
  before(function () {
    if (!pythonHasTorch()) this.skip();
    const dropouts = DROPOUTS.map(([make, build, x, kind], i) => {
      torch.manualSeed(900 + i);
      dropMods[i] = make();
      return { build, state: encState(dropMods[i].stateDict()), x, kind };
    });
    py = ok(
      pyNN<PyMisc | PyError>([{ kind: 'exec', code: PY_MISC, data: { inits: INITS.map(([, b]) => b), reprs: REPRS.map(([, b]) => b), dropouts } }])[0],
      'misc',
    );
  });

  it('draws the same initial weights as PyTorch under the same seed (every parameter, in order)', () => {
    INITS.forEach(([make], i) => {
      torch.manualSeed(500 + i);
      const sd = make().stateDict();
      expect(Object.keys(sd), `keys of case ${i}`).to.deep.equal(Object.keys(py.inits[i]));
      for (const [k, t] of Object.entries(sd)) expectEnc(t, py.inits[i][k], `init ${i} ${k}`, { rtol: 0, atol: 0 });
    });
  });

  it('init statistics of a large LSTM match U(-1/sqrt(H), 1/sqrt(H)) and Python', () => {
    torch.manualSeed(0);
    const big = new nn.LSTM(100, 400);
    const w = torch.cat(big.parameters().map((p) => p.detach().reshape(-1)));
    const s = py.stats;
    const bound = 1 / Math.sqrt(400);
    expect(s.bound).to.equal(bound);
    expect(w.min().item()).to.be.at.least(-bound);
    expect(w.max().item()).to.be.at.most(bound);
    // same seed, same generator: the same draws, so the same statistics
    expect(w.mean().item()).to.be.closeTo(s.mean, 1e-7);
    expect(w.std().item()).to.be.closeTo(s.std, 1e-7);
    expect(w.std().item()).to.be.closeTo(bound / Math.sqrt(3), 1e-3 * bound);
  });

  it('prints as PyTorch', () => {
    expect(REPRS.map(([make]) => String(make()))).to.deep.equal(py.reprs);
  });

  it('dropout between layers in training draws the same masks as PyTorch under the same seed (outputs and all gradients)', () => {
    DROPOUTS.forEach(([, , xe, kind], i) => {
      const m = dropMods[i];
      m.train();
      torch.tidy(() => {
        const x = torch
          .tensor(xe.data as number[])
          .reshape(xe.shape)
          .requiresGrad_(true);
        torch.manualSeed(77);
        const outs = kind === 'lstm' ? lstmOut((m as torch.nn.LSTM).forward(x)) : (m as torch.nn.GRU).forward(x);
        outs.forEach((o, j) => expectEnc(o, py.dropouts[i].outs[j], `dropout case ${i} output ${j}`, EXACT));
        let total = torch.tensor(0);
        for (const o of outs) total = total.add(o.mul(torch.linspace(-1, 1, o.numel()).reshape(o.shape)).sum());
        total.backward();
        expectEnc(x.grad, py.dropouts[i].x, `dropout case ${i} input grad`, EXACT);
        for (const [k, p] of m.namedParameters()) expectEnc(p.grad, py.dropouts[i].grads[k], `dropout case ${i} grad ${k}`, EXACT);
      });
    });
  });

  it('dropout is actually active in training (two seeds give different outputs) and off in eval', () => {
    const m = new nn.LSTM(I, H, { numLayers: 2, dropout: 0.5 });
    const x = torch.randn([T, B, I]);
    torch.manualSeed(1);
    const a = m.forward(x)[0];
    torch.manualSeed(2);
    const b = m.forward(x)[0];
    expect(a.sub(b).abs().max().item()).to.be.greaterThan(1e-4);
    m.eval();
    const c = m.forward(x)[0];
    const d = m.forward(x)[0];
    expect(c.sub(d).abs().max().item()).to.equal(0);
  });

  it('deepCopy gives independent parameters with the same outputs; to(float64) keeps the layer usable', () => {
    const m = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true });
    const c = m.deepCopy();
    const x = torch.randn([5, 2, 3]);
    expect(c.forward(x)[0].sub(m.forward(x)[0]).abs().max().item()).to.equal(0);
    expect(c.flatWeights.every((p, i) => p !== m.flatWeights[i])).to.equal(true);
    torch.noGrad(() => c.weight_ih_l0.add_(1));
    expect(c.forward(x)[0].sub(m.forward(x)[0]).abs().max().item()).to.be.greaterThan(0);
    m.to('float64');
    expect(m.weight_hh_l1_reverse.dtype).to.equal('float64');
    expect(m.forward(x.double())[0].dtype).to.equal('float64');
  });

  it('exposes the weights by PyTorch name, flat (kernel order) and grouped (allWeights)', () => {
    const m = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true, projSize: 2 });
    expect(m.weight_hr_l1_reverse.shape).to.deep.equal([2, 5]);
    expect(m.weight_ih_l1.shape).to.deep.equal([20, 4]);
    expect(m.flatWeightsNames).to.deep.equal(m.namedParameters().map(([k]) => k));
    expect(m.allWeights.map((g) => g.length)).to.deep.equal([5, 5, 5, 5]);
    expect(m.allWeights[3][0]).to.equal(m.weight_ih_l1_reverse);
  });
});

// ------------------------------------------------------------------ errors

type Cls = new (...a: never[]) => Error;
const z = (shape: number[], dtype: torch.DType = 'float32') => torch.zeros(shape, { dtype });
const ERRORS: [string, () => unknown, Cls, string][] = [
  [
    'RNN: unknown option (proj_size)',
    () => new nn.RNN(3, 4, { projSize: 2 } as never),
    TypeError,
    "Unknown option 'projSize' for RNN; expected one of: numLayers, bias, batchFirst, dropout, bidirectional, device, dtype, nonlinearity",
  ],
  [
    'GRU: projSize is LSTM only',
    () => new nn.GRU(3, 4, { projSize: 2 } as never),
    TypeError,
    "Unknown option 'projSize' for GRU; expected one of: numLayers, bias, batchFirst, dropout, bidirectional, device, dtype",
  ],
  [
    'LSTM: unknown option (batch_first)',
    () => new nn.LSTM(3, 4, { batch_first: true } as never),
    TypeError,
    "Unknown option 'batch_first' for LSTM; expected one of: numLayers, bias, batchFirst, dropout, bidirectional, device, dtype, projSize",
  ],
  [
    'RNN: unknown nonlinearity',
    () => new nn.RNN(3, 4, { nonlinearity: 'gelu' as never }),
    RangeError,
    "Expected 'tanh' or 'relu' for nonlinearity but received 'gelu' of type string",
  ],
  ['RNN: hiddenSize 0', () => new nn.RNN(3, 0), RangeError, 'Expected a positive integer for hiddenSize but received 0 of type number'],
  ['LSTM: inputSize 1.5', () => new nn.LSTM(1.5, 4), TypeError, 'Expected a positive integer for inputSize but received 1.5 of type number'],
  ['GRU: numLayers 0', () => new nn.GRU(3, 4, { numLayers: 0 }), RangeError, 'Expected a positive integer for numLayers but received 0 of type number'],
  ['LSTM: dropout 1.5', () => new nn.LSTM(3, 4, { dropout: 1.5 }), RangeError, 'Expected a probability in [0, 1] for dropout but received 1.5 of type number'],
  [
    'LSTM: dropout as a string',
    () => new nn.LSTM(3, 4, { dropout: '0.1' as never }),
    TypeError,
    "Expected a number for dropout but received '0.1' of type string",
  ],
  ['LSTM: bias as a number', () => new nn.LSTM(3, 4, { bias: 1 as never }), TypeError, 'Expected a boolean for bias but received 1 of type number'],
  [
    'LSTM: projSize >= hiddenSize',
    () => new nn.LSTM(3, 4, { projSize: 4 }),
    RangeError,
    'Expected an integer smaller than hiddenSize (4) for projSize but received 4 of type number',
  ],
  [
    'LSTM: projSize negative',
    () => new nn.LSTM(3, 4, { projSize: -1 }),
    RangeError,
    'Expected a non-negative integer for projSize but received -1 of type number',
  ],
  [
    'RNN.forward: 4-D input',
    () => new nn.RNN(3, 4).forward(z([1, 2, 3, 3])),
    RangeError,
    'Expected a 2-D (unbatched) or 3-D tensor for input of RNN but received a 4-D tensor',
  ],
  [
    'LSTM.forward: wrong input size',
    () => new nn.LSTM(3, 4).forward(z([5, 2, 7])),
    RangeError,
    'Expected size 3 (inputSize) in the last dimension for input but received size 7',
  ],
  [
    'GRU.forward: wrong dtype',
    () => new nn.GRU(3, 4).forward(z([5, 2, 3], 'float64')),
    TypeError,
    "Expected a float32 tensor (the weights' dtype) for input but received a float64 tensor",
  ],
  [
    'GRU.forward: hx of the wrong batch size',
    () => new nn.GRU(3, 4, { numLayers: 2 }).forward(z([5, 2, 3]), z([2, 3, 4])),
    RangeError,
    'Expected shape [2, 2, 4] for hx but received shape [2, 3, 4]',
  ],
  [
    'RNN.forward: 2-D hx with batched input',
    () => new nn.RNN(3, 4).forward(z([5, 2, 3]), z([1, 4])),
    RangeError,
    'Expected a 3-D tensor (the input is batched 3-D) for hx but received a 2-D tensor',
  ],
  [
    'RNN.forward: 3-D hx with unbatched input',
    () => new nn.RNN(3, 4).forward(z([5, 3]), z([1, 1, 4])),
    RangeError,
    'Expected a 2-D tensor (the input is unbatched 2-D) for hx but received a 3-D tensor',
  ],
  [
    'LSTM.forward: c0 of the wrong size with projSize',
    () => new nn.LSTM(3, 4, { projSize: 2 }).forward(z([5, 2, 3]), [z([1, 2, 2]), z([1, 2, 2])]),
    RangeError,
    'Expected shape [1, 2, 4] for hx[1] but received shape [1, 2, 2]',
  ],
  [
    'LSTM.forward: hx not a pair',
    () => new nn.LSTM(3, 4).forward(z([5, 2, 3]), z([1, 2, 4]) as never),
    TypeError,
    'Expected an array [h0, c0] of two Tensors for hx but received an object of type Tensor',
  ],
  [
    'LSTM.forward: input not a tensor',
    () => new nn.LSTM(3, 4).forward([1, 2] as never),
    TypeError,
    'Expected Tensor for input but received an array of length 2',
  ],
  [
    'LSTMCell.forward: 3-D input',
    () => new nn.LSTMCell(3, 4).forward(z([1, 2, 3])),
    RangeError,
    'Expected a 1-D (unbatched) or 2-D tensor for input of LSTMCell but received a 3-D tensor',
  ],
  [
    'GRUCell.forward: hx of the wrong width',
    () => new nn.GRUCell(3, 4).forward(z([2, 3]), z([2, 5])),
    RangeError,
    'Expected shape [2, 4] for hx but received shape [2, 5]',
  ],
  [
    'RNNCell.forward: 2-D hx with unbatched input',
    () => new nn.RNNCell(3, 4).forward(z([3]), z([1, 4])),
    RangeError,
    'Expected a 1-D tensor (the input is unbatched) for hx but received a 2-D tensor',
  ],
  [
    'RNNCell: unknown option',
    () => new nn.RNNCell(3, 4, { nonLinearity: 'relu' } as never),
    TypeError,
    "Unknown option 'nonLinearity' for RNNCell; expected one of: bias, nonlinearity, device, dtype",
  ],
  ['GRUCell: hiddenSize -2', () => new nn.GRUCell(3, -2), RangeError, 'Expected a positive integer for hiddenSize but received -2 of type number'],
];

describe('recurrent layers: argument errors', () => {
  for (const [name, fn, cls, msg] of ERRORS) {
    it(name, () => {
      expect(fn).to.throw(cls as never, msg);
      try {
        fn();
      } catch (e) {
        expect((e as Error).message).to.equal(msg);
      }
    });
  }
});
