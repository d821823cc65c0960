/**
 * Initialization and dropout, statistically: nn.init.* and the layers'
 * default initializations must match PyTorch's distributions (bounds,
 * mean and standard deviation on big tensors; Python draws the same
 * distribution and reports its statistics and its theoretical bound/std), and
 * calculateGain must equal Python's values. Dropout: share of zeros ≈ p,
 * survivors scaled by 1/(1-p), mean preserved, exact identity in eval().
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { errorOf } from './helpers/python.js';
import { expectNear, ok, pyNN, pythonHasTorch, type PyError } from './20-nn-helpers.js';

const nn = torch.nn;
const init = nn.init;
const F = nn.functional;

interface Stats {
  min: number;
  max: number;
  mean: number;
  std: number;
  n: number;
  /** Theoretical: the uniform bound or the normal std (Python's own formula). */
  theory: number;
}

interface InitCase {
  name: string;
  shape: number[];
  /** Python statement initializing `t` in place. */
  py: string;
  /** Python expression for the theoretical bound (uniform) or std (normal). */
  theory: string;
  ts: (t: Tensor) => void;
  kind: 'uniform' | 'normal' | 'trunc';
  /** Mean of the distribution (default 0). */
  mean?: number;
}

const FAN = 'nn.init._calculate_fan_in_and_fan_out(t)';
const INITS: InitCase[] = [
  {
    name: 'uniform_(-0.5, 1.5)',
    shape: [1000, 1000],
    py: 'nn.init.uniform_(t, -0.5, 1.5)',
    theory: '1.0',
    ts: (t) => init.uniform_(t, -0.5, 1.5),
    kind: 'uniform',
    mean: 0.5,
  },
  {
    name: 'normal_(2, 0.5)',
    shape: [1000, 1000],
    py: 'nn.init.normal_(t, 2.0, 0.5)',
    theory: '0.5',
    ts: (t) => init.normal_(t, 2, 0.5),
    kind: 'normal',
    mean: 2,
  },
  {
    name: 'xavierUniform_ (gain 1)',
    shape: [300, 700],
    py: 'nn.init.xavier_uniform_(t)',
    theory: `math.sqrt(6.0 / sum(${FAN}))`,
    ts: (t) => init.xavierUniform_(t),
    kind: 'uniform',
  },
  {
    name: "xavierUniform_ (gain calculateGain('tanh'))",
    shape: [500, 200],
    py: "nn.init.xavier_uniform_(t, gain=nn.init.calculate_gain('tanh'))",
    theory: `nn.init.calculate_gain('tanh') * math.sqrt(6.0 / sum(${FAN}))`,
    ts: (t) => init.xavierUniform_(t, init.calculateGain('tanh')),
    kind: 'uniform',
  },
  {
    name: 'xavierNormal_ (gain 2) on a conv-like 4-D weight',
    shape: [64, 32, 3, 3],
    py: 'nn.init.xavier_normal_(t, gain=2.0)',
    theory: `2.0 * math.sqrt(2.0 / sum(${FAN}))`,
    ts: (t) => init.xavierNormal_(t, 2),
    kind: 'normal',
  },
  {
    name: 'kaimingUniform_ defaults (a 0, fan_in, leaky_relu)',
    shape: [400, 250],
    py: 'nn.init.kaiming_uniform_(t)',
    theory: "nn.init.calculate_gain('leaky_relu', 0) * math.sqrt(3.0 / nn.init._calculate_correct_fan(t, 'fan_in'))",
    ts: (t) => init.kaimingUniform_(t),
    kind: 'uniform',
  },
  {
    name: 'kaimingUniform_ (a sqrt(5), as Linear)',
    shape: [400, 250],
    py: 'nn.init.kaiming_uniform_(t, a=math.sqrt(5))',
    theory: "nn.init.calculate_gain('leaky_relu', math.sqrt(5)) * math.sqrt(3.0 / nn.init._calculate_correct_fan(t, 'fan_in'))",
    ts: (t) => init.kaimingUniform_(t, { a: Math.sqrt(5) }),
    kind: 'uniform',
  },
  {
    name: 'kaimingUniform_ (mode fan_out, relu) on 4-D',
    shape: [32, 64, 3, 3],
    py: "nn.init.kaiming_uniform_(t, mode='fan_out', nonlinearity='relu')",
    theory: "nn.init.calculate_gain('relu') * math.sqrt(3.0 / nn.init._calculate_correct_fan(t, 'fan_out'))",
    ts: (t) => init.kaimingUniform_(t, { mode: 'fan_out', nonlinearity: 'relu' }),
    kind: 'uniform',
  },
  {
    name: 'kaimingNormal_ defaults',
    shape: [400, 250],
    py: 'nn.init.kaiming_normal_(t)',
    theory: "nn.init.calculate_gain('leaky_relu', 0) / math.sqrt(nn.init._calculate_correct_fan(t, 'fan_in'))",
    ts: (t) => init.kaimingNormal_(t),
    kind: 'normal',
  },
  {
    name: 'kaimingNormal_ (a 0.2, mode fan_out)',
    shape: [250, 400],
    py: "nn.init.kaiming_normal_(t, a=0.2, mode='fan_out')",
    theory: "nn.init.calculate_gain('leaky_relu', 0.2) / math.sqrt(nn.init._calculate_correct_fan(t, 'fan_out'))",
    ts: (t) => init.kaimingNormal_(t, { a: 0.2, mode: 'fan_out' }),
    kind: 'normal',
  },
  {
    name: 'kaimingNormal_ (nonlinearity tanh)',
    shape: [400, 250],
    py: "nn.init.kaiming_normal_(t, nonlinearity='tanh')",
    theory: "nn.init.calculate_gain('tanh') / math.sqrt(nn.init._calculate_correct_fan(t, 'fan_in'))",
    ts: (t) => init.kaimingNormal_(t, { nonlinearity: 'tanh' }),
    kind: 'normal',
  },
  {
    name: 'truncNormal_ defaults (0, 1, -2, 2)',
    shape: [1000, 1000],
    py: 'nn.init.trunc_normal_(t)',
    theory: '1.0',
    ts: (t) => init.truncNormal_(t),
    kind: 'trunc',
  },
  {
    name: 'truncNormal_(0.5, 2, -1, 3)',
    shape: [1000, 1000],
    py: 'nn.init.trunc_normal_(t, 0.5, 2.0, -1.0, 3.0)',
    theory: '2.0',
    ts: (t) => init.truncNormal_(t, 0.5, 2, -1, 3),
    kind: 'trunc',
    mean: 0.5,
  },
  {
    name: 'truncNormal_(0, 0.02, -0.04, 0.04) (BERT-style)',
    shape: [1000, 1000],
    py: 'nn.init.trunc_normal_(t, 0.0, 0.02, -0.04, 0.04)',
    theory: '0.02',
    ts: (t) => init.truncNormal_(t, 0, 0.02, -0.04, 0.04),
    kind: 'trunc',
  },
];

const GAINS: [string, number | null][] = [
  ['linear', null],
  ['conv1d', null],
  ['conv2d', null],
  ['conv3d', null],
  ['sigmoid', null],
  ['tanh', null],
  ['relu', null],
  ['leaky_relu', null],
  ['leaky_relu', 0.2],
  ['leaky_relu', 0],
  ['selu', null],
];

const STATS_PY = 'lambda t: {"min": t.min().item(), "max": t.max().item(), "mean": t.mean().item(), "std": t.std().item(), "n": t.numel()}';

const PY_INIT = `
stats = ${STATS_PY}
gains = [nn.init.calculate_gain(n) if p is None else nn.init.calculate_gain(n, p) for n, p in D['gains']]
inits = []
for c in D['inits']:
    torch.manual_seed(0)
    t = torch.empty(c['shape'])
    env = {'t': t, 'nn': nn, 'torch': torch, 'math': math}
    exec(c['py'], env)
    s = stats(t)
    s['theory'] = float(eval(c['theory'], env))
    inits.append(s)
torch.manual_seed(0)
lin = nn.Linear(400, 300)
emb = nn.Embedding(2000, 500)
mha = nn.MultiheadAttention(256, 4)
ln = nn.LayerNorm(10)
layers = {
  'linear.weight': dict(stats(lin.weight.detach()), theory=1 / math.sqrt(400)),
  'linear.bias': dict(stats(lin.bias.detach()), theory=1 / math.sqrt(400)),
  'embedding.weight': dict(stats(emb.weight.detach()), theory=1.0),
  'mha.in_proj_weight': dict(stats(mha.in_proj_weight.detach()), theory=math.sqrt(6.0 / (256 + 3 * 256))),
  'mha.out_proj.weight': dict(stats(mha.out_proj.weight.detach()), theory=1 / math.sqrt(256)),
}
zeros = {'mha.in_proj_bias': E(mha.in_proj_bias), 'mha.out_proj.bias': E(mha.out_proj.bias), 'ln.weight': E(ln.weight), 'ln.bias': E(ln.bias)}
out = {'gains': gains, 'inits': inits, 'layers': layers, 'exact': zeros}
`;

interface PyInit {
  gains: number[];
  inits: Stats[];
  layers: Record<string, Stats>;
  exact: Record<string, { shape: number[]; data: number[] }>;
}

function statsOf(t: Tensor): Omit<Stats, 'theory'> {
  return torch.tidy(() => ({ min: t.min().item(), max: t.max().item(), mean: t.mean().item(), std: t.std().item(), n: t.numel() }));
}

/** TS statistics agree with the distribution Python draws (and its theoretical bound/std). */
function expectSameDistribution(ts: Omit<Stats, 'theory'>, py: Stats, kind: 'uniform' | 'normal' | 'trunc', mean: number, name: string): void {
  const { theory } = py;
  const stdErrMean = py.std / Math.sqrt(py.n);
  if (kind === 'trunc') {
    // an asymmetric truncation moves the mean: compare with Python's draw
    expectNear(ts.mean, py.mean, 0, `${name}: mean vs Python's`, 9 * stdErrMean + 1e-7);
  } else {
    expectNear(ts.mean, mean, 0, `${name}: mean`, 6 * stdErrMean + 1e-7);
    expectNear(py.mean, mean, 0, `${name}: Python's mean`, 6 * stdErrMean + 1e-7);
  }
  // the std estimate has relative standard error ~ 1/sqrt(2n)
  const relStd = 6 / Math.sqrt(2 * py.n) + 1e-4;
  expectNear(ts.std, py.std, 2 * relStd, `${name}: std vs Python's`);
  if (kind === 'uniform') {
    const lo = mean - theory,
      hi = mean + theory;
    expect(ts.min, `${name}: min >= ${lo}`).to.be.at.least(lo - 1e-6 * Math.abs(lo));
    expect(ts.max, `${name}: max <= ${hi}`).to.be.at.most(hi + 1e-6 * Math.abs(hi));
    // with n draws the extremes come within ~range/n of the bounds
    const slack = (40 * (hi - lo)) / py.n;
    expect(ts.min - lo, `${name}: min near ${lo}`).to.be.at.most(slack);
    expect(hi - ts.max, `${name}: max near ${hi}`).to.be.at.most(slack);
    expectNear(ts.std, theory / Math.sqrt(3), relStd * 2, `${name}: std = bound/sqrt(3)`);
  } else if (kind === 'normal') {
    expectNear(ts.std, theory, relStd * 2, `${name}: std`);
  } else {
    // truncated: inside [a, b] and reaching near both ends, like Python's draw
    expect(ts.min, `${name}: min`).to.be.at.least(py.min - Math.abs(py.min) * 1e-3 - 1e-6);
    expect(ts.max, `${name}: max`).to.be.at.most(py.max + Math.abs(py.max) * 1e-3 + 1e-6);
    expectNear(ts.min, py.min, 0.01, `${name}: min near Python's`);
    expectNear(ts.max, py.max, 0.01, `${name}: max near Python's`);
  }
}

describe('nn.init and default initializations vs PyTorch (distributions)', function () {
  this.timeout(120_000);
  let py: PyInit;
  before(function () {
    if (!pythonHasTorch()) {
      console.log('    reference PyTorch not available: skipping');
      this.skip();
    }
    const [r] = pyNN<PyInit | PyError>([
      { kind: 'exec', code: PY_INIT, data: { gains: GAINS, inits: INITS.map((c) => ({ shape: c.shape, py: c.py, theory: c.theory })) } },
    ]);
    py = ok(r, 'init statistics');
  });

  it('calculateGain equals Python for every nonlinearity', () => {
    GAINS.forEach(([n, p], i) => {
      const v = p === null ? init.calculateGain(n as never) : init.calculateGain(n as never, p);
      expectNear(v, py.gains[i], 1e-12, `calculateGain(${n}${p === null ? '' : `, ${p}`})`);
    });
  });

  it('calculateGain rejects an unknown nonlinearity', () => {
    const e = errorOf(() => init.calculateGain('swish' as never));
    expect(e).to.be.instanceOf(TypeError);
    expect(e.message).to.equal("Expected a known nonlinearity for nonlinearity but received 'swish' of type string");
  });

  INITS.forEach((c, i) => {
    it(c.name, () => {
      torch.manualSeed(7 + i);
      torch.tidy(() => {
        const t = torch.empty(c.shape);
        const r = c.ts(t);
        expect(r, 'returns the tensor it filled').to.equal(t);
        expect(t.requiresGrad).to.equal(false);
        expectSameDistribution(statsOf(t), py.inits[i], c.kind, c.mean ?? 0, c.name);
      });
    });
  });

  it('init functions run without recording grad on parameters', () => {
    torch.tidy(() => {
      const p = new nn.Parameter(torch.empty([20, 30]));
      init.kaimingUniform_(p);
      init.xavierNormal_(p);
      init.truncNormal_(p, 0, 0.02, -0.04, 0.04);
      expect(p.isLeaf, 'still a leaf').to.equal(true);
      expect(p.gradFn).to.equal(null);
      const s = statsOf(p);
      expect(s.min).to.be.at.least(-0.04);
      expect(s.max).to.be.at.most(0.04);
    });
  });

  it('constant_, ones_, zeros_ fill exactly', () => {
    torch.tidy(() => {
      const t = torch.empty([3, 4]);
      expect(init.constant_(t, 0.3)).to.equal(t);
      expect(t.dataSync()).to.deep.equal(new Array(12).fill(Math.fround(0.3)));
      init.ones_(t);
      expect(t.dataSync()).to.deep.equal(new Array(12).fill(1));
      init.zeros_(t);
      expect(t.dataSync()).to.deep.equal(new Array(12).fill(0));
    });
  });

  it('fan computation rejects 1-D tensors (as Python)', () => {
    const e = errorOf(() => init.xavierUniform_(torch.empty([5])));
    expect(e).to.be.instanceOf(RangeError);
    expect(e.message).to.equal('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
    const t = errorOf(() => init.truncNormal_(torch.empty([5]), 0, 1, 2, -2));
    expect(t).to.be.instanceOf(RangeError);
  });

  describe('layer defaults', () => {
    it('Linear: kaiming-uniform weight and bias within ±1/sqrt(fan_in)', () => {
      torch.manualSeed(3);
      const lin = new nn.Linear(400, 300);
      expectSameDistribution(statsOf(lin.weight), py.layers['linear.weight'], 'uniform', 0, 'Linear.weight');
      const b = statsOf(lin.bias as Tensor);
      const bound = py.layers['linear.bias'].theory;
      expect(b.max).to.be.at.most(bound);
      expect(b.min).to.be.at.least(-bound);
      // 300 draws: both ends come within 10% of the bound (failure odds ~1e-7)
      expect(b.max).to.be.at.least(0.9 * bound);
      expect(b.min).to.be.at.most(-0.9 * bound);
    });

    it('Embedding: N(0, 1)', () => {
      torch.manualSeed(4);
      const e = new nn.Embedding(2000, 500);
      expectSameDistribution(statsOf(e.weight), py.layers['embedding.weight'], 'normal', 0, 'Embedding.weight');
    });

    it('Embedding with paddingIdx: the padding row starts at zero', () => {
      torch.manualSeed(5);
      const e = new nn.Embedding(50, 8, { paddingIdx: 3 });
      torch.tidy(() => {
        expect(e.weight.select(0, 3).dataSync()).to.deep.equal(new Array(8).fill(0));
        expect(e.weight.select(0, 2).abs().sum().item()).to.be.greaterThan(0);
      });
    });

    it('MultiheadAttention: xavier-uniform in_proj_weight, zero biases, Linear-like out_proj.weight', () => {
      torch.manualSeed(6);
      const m = new nn.MultiheadAttention(256, 4);
      expectSameDistribution(statsOf(m.in_proj_weight), py.layers['mha.in_proj_weight'], 'uniform', 0, 'in_proj_weight');
      expectSameDistribution(statsOf(m.out_proj.weight), py.layers['mha.out_proj.weight'], 'uniform', 0, 'out_proj.weight');
      expect(m.in_proj_bias?.dataSync()).to.deep.equal(py.exact['mha.in_proj_bias'].data);
      expect(m.out_proj.bias?.dataSync()).to.deep.equal(py.exact['mha.out_proj.bias'].data);
    });

    it('LayerNorm: weight ones, bias zeros', () => {
      const ln = new nn.LayerNorm(10);
      expect(ln.weight?.shape).to.deep.equal(py.exact['ln.weight'].shape);
      expect(ln.weight?.dataSync()).to.deep.equal(py.exact['ln.weight'].data);
      expect(ln.bias?.dataSync()).to.deep.equal(py.exact['ln.bias'].data);
    });
  });
});

describe('Dropout, statistically', function () {
  this.timeout(60_000);
  const N = 1_000_000;

  for (const p of [0.1, 0.3, 0.5, 0.9]) {
    it(`p = ${p}: share of zeros ≈ p, survivors scaled by 1/(1-p), mean preserved, gradient = mask/(1-p)`, () => {
      torch.manualSeed(11);
      torch.tidy(() => {
        const x = torch.randn([1000, 1000]).abs().add(0.5).requiresGrad_(true);
        const drop = new nn.Dropout(p);
        expect(drop.training).to.equal(true);
        const y = drop.forward(x);
        const zeros = y.eq(0).sum().item();
        const share = zeros / N;
        // binomial standard error sqrt(p(1-p)/N) <= 5e-4: 6 sigma
        expect(Math.abs(share - p), `share of zeros ${share}`).to.be.at.most(6 * Math.sqrt((p * (1 - p)) / N));
        const kept = y.ne(0);
        const scaled = x.detach().div(1 - p);
        const diff = y.detach().sub(scaled).abs().maskedFill(kept.logicalNot(), 0).max().item();
        expect(diff, 'survivors = x / (1 - p)').to.be.at.most(1e-5);
        const mx = x.detach().mean().item(),
          my = y.detach().mean().item();
        expect(Math.abs(my - mx) / mx, `mean ${my} vs ${mx}`).to.be.at.most(8 * 1.5 * Math.sqrt(p / (1 - p) / N));
        y.sum().backward();
        const g = x.grad as Tensor;
        const want = kept.to('float32').div(1 - p);
        expect(g.sub(want).abs().max().item(), 'gradient').to.be.at.most(1e-6);
      });
    });
  }

  it('different draws on successive calls; the same draws after the same seed', () => {
    torch.tidy(() => {
      const x = torch.ones([1000]);
      torch.manualSeed(3);
      const a = new nn.Dropout(0.5).forward(x);
      const b = new nn.Dropout(0.5).forward(x);
      torch.manualSeed(3);
      const c = new nn.Dropout(0.5).forward(x);
      expect(a.equal(b)).to.equal(false);
      expect(a.equal(c)).to.equal(true);
    });
  });

  it('eval() is the exact identity (and train() turns it back on)', () => {
    torch.tidy(() => {
      const x = torch.randn([200, 50]);
      const drop = new nn.Dropout(0.7);
      drop.eval();
      expect(drop.training).to.equal(false);
      const y = drop.forward(x);
      expect(y.dataSync()).to.deep.equal(x.dataSync());
      expect(F.dropout(x, { p: 0.7, training: false }).dataSync()).to.deep.equal(x.dataSync());
      drop.train();
      expect(drop.forward(x).eq(0).sum().item()).to.be.greaterThan(0);
    });
  });

  it('inplace dropout writes into its input', () => {
    torch.manualSeed(12);
    torch.tidy(() => {
      const x = torch.ones([10000]);
      const y = new nn.Dropout(0.5, { inplace: true }).forward(x);
      expect(y.dataSync()).to.deep.equal(x.dataSync());
      const share = x.eq(0).sum().item() / 10000;
      expect(share).to.be.within(0.45, 0.55);
    });
  });

  it('p 0 keeps everything; p 1 zeroes everything (as Python)', () => {
    torch.tidy(() => {
      const x = torch.randn([1000]);
      expect(new nn.Dropout(0).forward(x).dataSync()).to.deep.equal(x.dataSync());
      expect(new nn.Dropout(1).forward(x).abs().sum().item()).to.equal(0);
    });
  });
});
