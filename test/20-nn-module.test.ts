/**
 * The Module API against PyTorch: state dict keys/order/shapes/dtypes of
 * nested modules (Sequential, ModuleList, ModuleDict, ParameterList, a custom
 * module with persistent, non-persistent and integer buffers), the named_*
 * iterators, apply order, loadStateDict (strict errors with Python's message,
 * non-strict reports), printed forms vs repr(), train/eval, to(dtype),
 * zeroGrad, requiresGrad_ and deepCopy.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { errorOf } from './helpers/python.js';
import { ok, pyNN, pythonHasTorch, type PyError } from './20-nn-helpers.js';

const nn = torch.nn;

// ------------------------------------------------------------------ the same model on both sides
class Block extends nn.Module {
  lin: torch.nn.Linear;
  declare running: Tensor;
  declare scratch: Tensor;
  scale: torch.nn.Parameter;
  declare steps: Tensor;
  constructor() {
    super();
    this.lin = new nn.Linear(3, 4);
    this.registerBuffer('running', torch.zeros(4));
    this.registerBuffer('scratch', torch.ones(2), { persistent: false });
    this.scale = new nn.Parameter(torch.ones(1));
    this.registerBuffer('steps', torch.tensor(0));
  }
  forward(x: Tensor): Tensor {
    return this.lin.forward(x).mul(this.scale);
  }
}

class Net extends nn.Module {
  embed = new nn.Embedding(5, 3);
  blocks = new nn.ModuleList([new Block(), new Block()]);
  heads = new nn.ModuleDict({ a: new nn.Linear(4, 2), b: new nn.Sequential(new nn.Linear(4, 4), new nn.ReLU(), new nn.Linear(4, 1)) });
  extra = new nn.ParameterList([new nn.Parameter(torch.zeros(2)), new nn.Parameter(torch.zeros([3, 1]))]);
  norm = new nn.LayerNorm(4);
  forward(x: Tensor): Tensor {
    return x;
  }
}

const PY_MODEL = `
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 4)
        self.register_buffer('running', torch.zeros(4))
        self.register_buffer('scratch', torch.ones(2), persistent=False)
        self.scale = nn.Parameter(torch.ones(1))
        self.register_buffer('steps', torch.tensor(0))

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(5, 3)
        self.blocks = nn.ModuleList([Block(), Block()])
        self.heads = nn.ModuleDict({'a': nn.Linear(4, 2), 'b': nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1))})
        self.extra = nn.ParameterList([nn.Parameter(torch.zeros(2)), nn.Parameter(torch.zeros(3, 1))])
        self.norm = nn.LayerNorm(4)

def shape_dict(d):
    return {k: torch.zeros(v['shape'], dtype=getattr(torch, v.get('dtype', 'float32'))) for k, v in d.items()}

def try_load(m, sd, strict):
    try:
        r = m.load_state_dict(shape_dict(sd), strict=strict)
        return {'missing': r.missing_keys, 'unexpected': r.unexpected_keys}
    except RuntimeError as e:
        return {'message': str(e)}

net = Net()
order = []
net.apply(lambda m: order.append(type(m).__name__))
lin = nn.Linear(2, 3)
shared = nn.Sequential(lin, nn.ReLU(), lin)
out = {
    'state': [[k, list(v.shape), str(v.dtype).replace('torch.', '')] for k, v in net.state_dict().items()],
    'params': [k for k, _ in net.named_parameters()],
    'buffers': [k for k, _ in net.named_buffers()],
    'modules': [[k, type(m).__name__] for k, m in net.named_modules()],
    'children': [[k, type(m).__name__] for k, m in net.named_children()],
    'blockParamsNoRecurse': [k for k, _ in net.blocks[0].named_parameters(recurse=False)],
    'blockBuffersNoRecurse': [k for k, _ in net.blocks[0].named_buffers(recurse=False)],
    'apply': order,
    'shared': {
        'state': list(shared.state_dict().keys()),
        'params': [k for k, _ in shared.named_parameters()],
        'modules': [k for k, _ in shared.named_modules()],
        'children': len(list(shared.children())),
    },
    'reprs': [repr(eval(e)) for e in D['reprs']],
    'lossState': [[[k, list(v.shape)] for k, v in m.state_dict().items()] for m in [
        nn.CrossEntropyLoss(weight=torch.ones(3)), nn.CrossEntropyLoss(), nn.NLLLoss(weight=torch.ones(4)),
        nn.BCEWithLogitsLoss(weight=torch.ones(2), pos_weight=torch.ones(2)), nn.BCEWithLogitsLoss(pos_weight=torch.ones(5)), nn.MSELoss()]],
    'loads': [try_load(eval(l['target'])(), l['sd'], l['strict']) for l in D['loads']],
}
`;

/** Module constructors, TS and Python, whose printed forms must agree. */
const REPRS: [string, () => torch.nn.Module][] = [
  ['nn.Linear(3, 4)', () => new nn.Linear(3, 4)],
  ['nn.Linear(3, 4, bias=False)', () => new nn.Linear(3, 4, { bias: false })],
  ['nn.Embedding(10, 3)', () => new nn.Embedding(10, 3)],
  ['nn.Embedding(10, 3, padding_idx=0)', () => new nn.Embedding(10, 3, { paddingIdx: 0 })],
  ['nn.LayerNorm(4)', () => new nn.LayerNorm(4)],
  ['nn.LayerNorm([2, 3], eps=1e-6, elementwise_affine=False)', () => new nn.LayerNorm([2, 3], { eps: 1e-6, elementwiseAffine: false })],
  ['nn.LayerNorm(3, bias=False)', () => new nn.LayerNorm(3, { bias: false })],
  ['nn.Dropout(0.25)', () => new nn.Dropout(0.25)],
  ['nn.Dropout(0.5, inplace=True)', () => new nn.Dropout(0.5, { inplace: true })],
  [
    'nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 3), nn.GELU()), nn.Dropout(0.1))',
    () => new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Sequential(new nn.Linear(3, 3), new nn.GELU()), new nn.Dropout(0.1)),
  ],
  [
    "nn.Sequential(nn.Embedding(7, 2, padding_idx=6), nn.LayerNorm(2, eps=0.001), nn.Tanh(), nn.Softmax(dim=-1), nn.Identity(), nn.GELU(approximate='tanh'))",
    () =>
      new nn.Sequential(
        new nn.Embedding(7, 2, { paddingIdx: 6 }),
        new nn.LayerNorm(2, { eps: 0.001 }),
        new nn.Tanh(),
        new nn.Softmax(-1),
        new nn.Identity(),
        new nn.GELU('tanh'),
      ),
  ],
];

type ShapeDict = Record<string, { shape: number[]; dtype?: 'float32' | 'int64' }>;
interface LoadCase {
  name: string;
  /** Python expression for the module's constructor. */
  target: string;
  make: () => torch.nn.Module;
  sd: ShapeDict;
  strict: boolean;
}

/** The full Net state dict as shapes (Python's keys). */
function netShapes(): ShapeDict {
  return Object.fromEntries(Object.entries(new Net().stateDict()).map(([k, t]) => [k, { shape: t.shape, dtype: t.dtype as 'float32' | 'int64' }]));
}
function without(sd: ShapeDict, ...keys: string[]): ShapeDict {
  const out = { ...sd };
  for (const k of keys) delete out[k];
  return out;
}

const LINEAR = '(lambda: nn.Linear(2, 3))';
const NET = 'Net';
const LOADS: LoadCase[] = [
  {
    name: 'Linear: missing, unexpected and a shape mismatch together',
    target: LINEAR,
    make: () => new nn.Linear(2, 3),
    strict: true,
    sd: { weight: { shape: [3, 3] }, foo: { shape: [1] } },
  },
  {
    name: 'Linear: only a shape mismatch',
    target: LINEAR,
    make: () => new nn.Linear(2, 3),
    strict: true,
    sd: { weight: { shape: [3, 2] }, bias: { shape: [4] } },
  },
  { name: 'Linear: only missing keys', target: LINEAR, make: () => new nn.Linear(2, 3), strict: true, sd: {} },
  {
    name: 'Net: several missing and unexpected keys and two mismatches',
    target: NET,
    make: () => new Net(),
    strict: true,
    sd: {
      ...without(netShapes(), 'blocks.1.running', 'heads.b.2.bias', 'extra.0'),
      'blocks.0.lin.weight': { shape: [4, 4] },
      'norm.bias': { shape: [5] },
      'blocks.1.scratch': { shape: [2] },
      'heads.c.weight': { shape: [2] },
    },
  },
  {
    name: 'Net non-strict: reports missing and unexpected keys',
    target: NET,
    make: () => new Net(),
    strict: false,
    sd: { ...without(netShapes(), 'embed.weight', 'blocks.0.steps'), 'blocks.0.scratch': { shape: [2] }, bogus: { shape: [1] } },
  },
  {
    name: 'Net non-strict: unexpected keys at several depths (Python orders them module by module)',
    target: NET,
    make: () => new Net(),
    strict: false,
    sd: { 'blocks.1.extra': { shape: [1] }, zzz: { shape: [1] }, 'heads.a.w': { shape: [1] }, ...netShapes() },
  },
  {
    name: 'Net non-strict: a shape mismatch still throws',
    target: NET,
    make: () => new Net(),
    strict: false,
    sd: { ...without(netShapes(), 'norm.weight'), 'extra.1': { shape: [1, 3] } },
  },
  { name: 'Net strict: a complete state dict loads', target: NET, make: () => new Net(), strict: true, sd: netShapes() },
];

interface PyModule {
  state: [string, number[], string][];
  params: string[];
  buffers: string[];
  modules: [string, string][];
  children: [string, string][];
  blockParamsNoRecurse: string[];
  blockBuffersNoRecurse: string[];
  apply: string[];
  shared: { state: string[]; params: string[]; modules: string[]; children: number };
  reprs: string[];
  lossState: [string, number[]][][];
  loads: ({ message: string } | { missing: string[]; unexpected: string[] })[];
}

function zerosDict(sd: ShapeDict): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, torch.zeros(v.shape, { dtype: v.dtype ?? 'float32' })]));
}

describe('nn.Module API vs PyTorch', function () {
  this.timeout(120_000);
  let py: PyModule;
  before(function () {
    if (!pythonHasTorch()) {
      console.log('    reference PyTorch not available: skipping');
      this.skip();
    }
    const [r] = pyNN<PyModule | PyError>([
      { kind: 'exec', code: PY_MODEL, data: { reprs: REPRS.map(([p]) => p), loads: LOADS.map((l) => ({ target: l.target, sd: l.sd, strict: l.strict })) } },
    ]);
    py = ok(r, 'module API');
  });

  describe('registries', () => {
    it('stateDict keys, order, shapes and dtypes equal Python (non-persistent buffer left out)', () => {
      const sd = new Net().stateDict();
      expect(Object.entries(sd).map(([k, t]) => [k, t.shape, t.dtype])).to.deep.equal(py.state);
    });
    it('namedParameters / parameters', () => {
      const net = new Net();
      expect(net.namedParameters().map(([k]) => k)).to.deep.equal(py.params);
      const ps = net.parameters();
      expect(ps.length).to.equal(py.params.length);
      ps.forEach((p, i) => expect(p, `parameter ${i}`).to.equal(net.namedParameters()[i][1]));
      expect(
        net.blocks
          .get(0)
          .namedParameters('', false)
          .map(([k]) => k),
      ).to.deep.equal(py.blockParamsNoRecurse);
    });
    it('namedBuffers / buffers (non-persistent included)', () => {
      const net = new Net();
      expect(net.namedBuffers().map(([k]) => k)).to.deep.equal(py.buffers);
      expect(net.buffers().length).to.equal(py.buffers.length);
      expect(
        net.blocks
          .get(1)
          .namedBuffers('', false)
          .map(([k]) => k),
      ).to.deep.equal(py.blockBuffersNoRecurse);
    });
    it('namedModules / namedChildren / children / modules', () => {
      const net = new Net();
      expect(net.namedModules().map(([k, m]) => [k, m.constructor.name])).to.deep.equal(py.modules);
      expect(net.namedChildren().map(([k, m]) => [k, m.constructor.name])).to.deep.equal(py.children);
      expect(net.children().length).to.equal(py.children.length);
      expect(net.modules().length).to.equal(py.modules.length);
      expect(net.children()[1]).to.equal(net.blocks);
    });
    it('apply visits children first, then the module (same order as Python)', () => {
      const net = new Net();
      const order: string[] = [];
      expect(net.apply((m) => order.push(m.constructor.name))).to.equal(net);
      expect(order).to.deep.equal(py.apply);
    });
    it('a module shared twice: stateDict lists both names, parameters/modules/children once (as Python)', () => {
      const lin = new nn.Linear(2, 3);
      const shared = new nn.Sequential(lin, new nn.ReLU(), lin);
      expect(Object.keys(shared.stateDict())).to.deep.equal(py.shared.state);
      expect(shared.namedParameters().map(([k]) => k)).to.deep.equal(py.shared.params);
      expect(shared.namedModules().map(([k]) => k)).to.deep.equal(py.shared.modules);
      expect(shared.children().length, 'children()').to.equal(py.shared.children);
    });
  });

  it("loss modules register weight / pos_weight buffers under Python's names", () => {
    const mods = [
      new nn.CrossEntropyLoss({ weight: torch.ones(3) }),
      new nn.CrossEntropyLoss(),
      new nn.NLLLoss({ weight: torch.ones(4) }),
      new nn.BCEWithLogitsLoss({ weight: torch.ones(2), posWeight: torch.ones(2) }),
      new nn.BCEWithLogitsLoss({ posWeight: torch.ones(5) }),
      new nn.MSELoss(),
    ];
    expect(mods.map((m) => Object.entries(m.stateDict()).map(([k, t]) => [k, t.shape]))).to.deep.equal(py.lossState);
  });

  describe('printed form vs repr()', () => {
    REPRS.forEach(([pyExpr, make], i) => {
      it(pyExpr, () => {
        const m = make();
        expect(String(m)).to.equal(py.reprs[i]);
      });
    });
  });

  describe('loadStateDict', () => {
    LOADS.forEach((l, i) => {
      it(l.name, () => {
        const m = l.make();
        const want = py.loads[i];
        const sd = zerosDict(l.sd);
        if ('message' in want) {
          const e = errorOf(() => m.loadStateDict(sd, { strict: l.strict }));
          expect(e.message).to.equal(want.message);
        } else {
          const r = m.loadStateDict(sd, { strict: l.strict });
          expect(r).to.deep.equal({ missingKeys: want.missing, unexpectedKeys: want.unexpected });
        }
      });
    });

    it('copies the values (and accepts a Map), keeping parameter identity', () => {
      const a = new Net();
      const b = new Net();
      const before = b.parameters();
      const r = b.loadStateDict(new Map(Object.entries(a.stateDict())));
      expect(r).to.deep.equal({ missingKeys: [], unexpectedKeys: [] });
      expect(b.parameters()).to.deep.equal(before);
      for (const [k, t] of Object.entries(a.stateDict())) expect(b.stateDict()[k].dataSync(), k).to.deep.equal(t.dataSync());
      expect(b.blocks.get(0).parameters()[0].requiresGrad).to.equal(true);
    });

    it('a failed strict load changes nothing', () => {
      const m = new nn.Linear(2, 3);
      const w = m.weight.dataSync();
      errorOf(() => m.loadStateDict({ weight: torch.ones([3, 2]), bias: torch.ones(3), extra: torch.ones(1) }));
      expect(m.weight.dataSync()).to.deep.equal(w);
    });

    it('rejects unknown options', () => {
      const e = errorOf(() => new nn.Linear(2, 3).loadStateDict({}, { strcit: false } as never));
      expect(e).to.be.instanceOf(TypeError);
      expect(e.message).to.equal("Unknown option 'strcit' for loadStateDict; expected one of: strict");
    });
  });

  describe('modes, grads, dtype, copies', () => {
    it('train()/eval() set training on every submodule and return the module', () => {
      const net = new Net();
      expect(net.modules().every((m) => m.training)).to.equal(true);
      expect(net.eval()).to.equal(net);
      expect(net.modules().map((m) => m.training)).to.deep.equal(net.modules().map(() => false));
      expect(net.train()).to.equal(net);
      expect(net.modules().every((m) => m.training)).to.equal(true);
      net.blocks.train(false);
      expect(net.training).to.equal(true);
      expect(net.blocks.get(0).training).to.equal(false);
      expect((net.blocks.get(1) as Block).lin.training).to.equal(false);
      expect(() => net.train('no' as never)).to.throw(TypeError, 'Expected a boolean for mode but received');
    });

    it("to('float64') keeps parameter identity, converts grads and float buffers, leaves int buffers", () => {
      const net = new Net();
      const params = net.parameters();
      const values = params.map((p) => p.dataSync());
      const block = net.blocks.get(0) as Block;
      torch.tidy(() =>
        block
          .forward(torch.ones([2, 3]))
          .sum()
          .backward(),
      );
      expect(net.to('float64')).to.equal(net);
      expect(net.parameters()).to.deep.equal(params);
      net.parameters().forEach((p, i) => {
        expect(p).to.equal(params[i]);
        expect(p.dtype).to.equal('float64');
        expect(p.requiresGrad).to.equal(true);
        expect(p.dataSync()).to.deep.equal(values[i]);
      });
      expect(block.lin.weight.grad?.dtype).to.equal('float64');
      expect(block.running.dtype).to.equal('float64');
      expect(block.scratch.dtype).to.equal('float64');
      expect(block.steps.dtype).to.equal('int64');
      // an optimizer made before the move updates the moved parameters
      const lin = new nn.Linear(2, 2);
      const opt = new torch.optim.SGD(lin.parameters(), { lr: 0.5 });
      lin.to('float64');
      const w0 = lin.weight.dataSync();
      torch.tidy(() =>
        lin
          .forward(torch.ones([1, 2], { dtype: 'float64' }))
          .sum()
          .backward(),
      );
      opt.step();
      expect(lin.weight.dtype).to.equal('float64');
      expect(lin.weight.dataSync()).to.deep.equal(w0.map((w) => w - 0.5));
    });

    it('zeroGrad({ setToNone: true }) clears to null; zeroGrad({ setToNone: false }) zeroes in place', () => {
      const m = new nn.Linear(3, 2);
      const run = () =>
        torch.tidy(() =>
          m
            .forward(torch.ones([4, 3]))
            .sum()
            .backward(),
        );
      run();
      expect(m.weight.grad).to.not.equal(null);
      m.zeroGrad({ setToNone: false });
      expect(m.weight.grad?.shape).to.deep.equal([2, 3]);
      expect(m.weight.grad?.dataSync()).to.deep.equal(new Array(6).fill(0));
      expect(m.bias?.grad?.dataSync()).to.deep.equal([0, 0]);
      run();
      expect(m.bias?.grad?.dataSync()).to.deep.equal([4, 4]);
      m.zeroGrad();
      expect(m.weight.grad).to.equal(null);
      expect(m.bias?.grad).to.equal(null);
      run();
      m.zeroGrad({ setToNone: true });
      expect(m.weight.grad).to.equal(null);
    });

    it('requiresGrad_ toggles every parameter', () => {
      const net = new Net();
      expect(net.requiresGrad_(false)).to.equal(net);
      expect(net.parameters().map((p) => p.requiresGrad)).to.deep.equal(net.parameters().map(() => false));
      net.requiresGrad_();
      expect(net.parameters().every((p) => p.requiresGrad)).to.equal(true);
    });

    it('apply can re-initialize every Linear', () => {
      const net = new Net();
      net.apply((m) => {
        if (m instanceof nn.Linear) {
          nn.init.constant_(m.weight, 0.5);
          if (m.bias !== null) nn.init.zeros_(m.bias);
        }
      });
      const linears = net.modules().filter((m) => m instanceof nn.Linear) as torch.nn.Linear[];
      expect(linears.length).to.equal(5);
      for (const l of linears) expect(new Set(l.weight.dataSync())).to.deep.equal(new Set([0.5]));
    });

    it('deepCopy: equal state, independent parameters and buffers (ParameterList included)', () => {
      const net = new Net();
      torch.noGrad(() => {
        for (const p of net.parameters()) p.uniform_(-1, 1);
      });
      net.eval();
      const copy = net.deepCopy();
      expect(copy).to.be.instanceOf(Net);
      expect(copy.training).to.equal(false);
      const a = net.stateDict(),
        b = copy.stateDict();
      expect(Object.keys(b)).to.deep.equal(Object.keys(a));
      for (const k of Object.keys(a)) expect(b[k].dataSync(), k).to.deep.equal(a[k].dataSync());
      // no tensor shared
      const originals = new Set<Tensor>([...net.parameters(), ...net.buffers()]);
      for (const [k, p] of copy.namedParameters()) expect(originals.has(p), `parameter ${k} is a new object`).to.equal(false);
      expect(copy.namedBuffers().map(([k]) => k)).to.deep.equal(net.namedBuffers().map(([k]) => k));
      // writes do not leak either way
      const snapshot = Object.fromEntries(Object.entries(net.stateDict()).map(([k, t]) => [k, t.dataSync()]));
      torch.noGrad(() => {
        for (const p of copy.parameters()) p.add_(1);
        for (const t of copy.buffers()) t.add_(1);
      });
      for (const [k, t] of Object.entries(net.stateDict())) expect(t.dataSync(), `original ${k} after writing the copy`).to.deep.equal(snapshot[k]);
      torch.noGrad(() => net.embed.weight.mul_(0));
      expect(copy.embed.weight.abs().sum().item()).to.be.greaterThan(0);
      expect(copy.parameters().every((p) => p.requiresGrad)).to.equal(true);
    });
  });
});
