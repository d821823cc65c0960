/**
 * Module semantics that match PyTorch (issue 14): registration in assignment
 * order, reassigned buffers staying registered and alive (inside tidy too), a
 * disposed tensor named in stateDict's error, typed containers, typed aliases
 * not registered twice, zeroGrad's options on Module and Optimizer, and
 * dropout drawing PyTorch's mask for a seed.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ok, pyNN, pythonHasTorch, type PyError } from './20-nn-helpers.js';
import { runTorch as runPython } from './helpers/python.js';

const nn = torch.nn;
const F = torch.nn.functional;

// ------------------------------------------------------------------ assignment order
/** Declares `second` before `first` but assigns `first` first (PyTorch registers in assignment order). */
class Swapped extends nn.Module {
  second: torch.nn.Linear;
  first: torch.nn.Linear;
  scale: torch.nn.Parameter;
  constructor() {
    super();
    this.scale = new nn.Parameter(torch.ones(1));
    this.first = new nn.Linear(2, 3);
    this.second = new nn.Linear(3, 1);
  }
  forward(x: Tensor): Tensor {
    return this.second.forward(this.first.forward(x)).mul(this.scale);
  }
}

/** nanoGPT's shape: a ModuleDict of parts, a typed alias, a tied head, a causal-mask buffer. */
class Gpt extends nn.Module {
  transformer: torch.nn.ModuleDict<{ wte: torch.nn.Embedding; h: torch.nn.ModuleList<torch.nn.Linear>; ln_f: torch.nn.LayerNorm }>;
  wte: torch.nn.Embedding; // a typed alias: not a second registration
  lm_head: torch.nn.Linear;
  declare bias: Tensor;
  constructor() {
    super();
    this.transformer = new nn.ModuleDict({
      wte: new nn.Embedding(11, 4),
      h: new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4)]),
      ln_f: new nn.LayerNorm(4),
    });
    this.wte = this.transformer.get('wte');
    this.lm_head = new nn.Linear(4, 11, { bias: false });
    this.lm_head.weight = this.transformer.get('wte').weight; // weight tying
    this.registerBuffer('bias', torch.ones([6, 6]).tril().view([1, 1, 6, 6]));
  }
  /** nanoGPT's crop_block_size: reassigns the buffer. */
  cropBlockSize(n: number): void {
    this.bias = this.bias.narrow(2, 0, n).narrow(3, 0, n);
  }
  forward(idx: Tensor): Tensor {
    let x = this.wte.forward(idx);
    for (const layer of this.transformer.get('h')) x = layer.forward(x).relu();
    return this.lm_head.forward(this.transformer.get('ln_f').forward(x));
  }
}

const PY = String.raw`
class Swapped(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        self.first = nn.Linear(2, 3)
        self.second = nn.Linear(3, 1)

class Gpt(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(wte=nn.Embedding(11, 4), h=nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4)]), ln_f=nn.LayerNorm(4)))
        self.lm_head = nn.Linear(4, 11, bias=False)
        self.lm_head.weight = self.transformer.wte.weight
        self.register_buffer('bias', torch.tril(torch.ones(6, 6)).view(1, 1, 6, 6))

s = Swapped()
g = Gpt()
g.bias = g.bias[:, :, :3, :3]
masks = {}
for seed, p in D['dropout']:
    torch.manual_seed(seed)
    a = F.dropout(torch.ones(3000), p).tolist()
    torch.manual_seed(seed)
    b = nn.Dropout(p)(torch.ones(40, 50)).reshape(-1).tolist()
    torch.manual_seed(seed)
    c = torch.ones(3000)
    F.dropout(c, p, inplace=True)
    masks[str(seed)] = {'f': a, 'module': b, 'inplace': c.tolist()}
out = {
  'swapped': {'keys': list(s.state_dict().keys()), 'params': [k for k, _ in s.named_parameters()], 'children': [k for k, _ in s.named_children()]},
  'gpt': {'keys': [[k, list(v.shape)] for k, v in g.state_dict().items()], 'params': [k for k, _ in g.named_parameters()], 'buffers': [k for k, _ in g.named_buffers()]},
  'masks': masks,
}
`;

interface PyOut {
  swapped: { keys: string[]; params: string[]; children: string[] };
  gpt: { keys: [string, number[]][]; params: string[]; buffers: string[] };
  masks: Record<string, { f: number[]; module: number[]; inplace: number[] }>;
}

/** Python trains Swapped one Adam step and saves model, optimizer and each parameter's exp_avg by name. */
const PY_CKPT = String.raw`
import torch.nn as nn
class Swapped(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        self.first = nn.Linear(2, 3)
        self.second = nn.Linear(3, 1)
    def forward(self, x):
        return self.second(self.first(x)) * self.scale
torch.manual_seed(0)
m = Swapped()
opt = torch.optim.Adam(m.parameters(), lr=0.1)
(m(torch.randn(4, 2)) ** 2).sum().backward()
opt.step()
avg = {n: opt.state[p]['exp_avg'].reshape(-1).tolist() for n, p in m.named_parameters()}
torch.save({'model': m.state_dict(), 'opt': opt.state_dict(), 'avg': avg}, INPUT['path'])
emit(True)
`;

const DROPOUT: [number, number][] = [
  [0, 0.3],
  [7, 0.5],
  [123, 0.9],
];

describe('nn Module semantics as PyTorch', function () {
  this.timeout(120_000);
  let py: PyOut;
  let tmp = '';
  after(() => {
    if (tmp !== '') fs.rmSync(tmp, { recursive: true, force: true });
  });
  before(function () {
    if (!pythonHasTorch()) this.skip();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'semantics-'));
    py = ok(pyNN<PyOut | PyError>([{ kind: 'exec', code: PY, data: { dropout: DROPOUT } }])[0], 'semantics');
  });

  describe('registration order', () => {
    it('registers children and parameters in assignment order, not declaration order', () => {
      const s = new Swapped();
      expect(Object.keys(s.stateDict())).to.deep.equal(py.swapped.keys);
      expect(s.namedParameters().map(([k]) => k)).to.deep.equal(py.swapped.params);
      expect(s.namedChildren().map(([k]) => k)).to.deep.equal(py.swapped.children);
    });

    it("so a Python optimizer state lands on the same parameters (index order equals Python's)", () => {
      const s = new Swapped();
      const opt = new torch.optim.Adam(s.parameters());
      const sd = opt.stateDict();
      const shapes = s.parameters().map((p) => p.shape);
      expect(shapes).to.deep.equal([[1], [3, 2], [3], [1, 3], [1]]);
      expect(sd.param_groups[0].params).to.deep.equal([0, 1, 2, 3, 4]);
    });

    it("a Python model + Adam checkpoint loads onto the same parameters: every exp_avg has its parameter's shape and values", () => {
      const file = path.join(tmp, 'swapped.pt');
      runPython(PY_CKPT, { path: file });
      const ck = torch.load<{ model: Record<string, Tensor>; opt: torch.optim.OptimizerStateDictInput; avg: Record<string, number[]> }>(file);
      const s = new Swapped();
      s.loadStateDict(ck.model);
      const opt = new torch.optim.Adam(s.parameters(), { lr: 0.1 });
      opt.loadStateDict(ck.opt);
      for (const [name, p] of s.namedParameters()) {
        const st = opt.state.get(p);
        expect(st?.expAvg?.shape, name).to.deep.equal(p.shape);
        [...st!.expAvg!.dataSync()].forEach((v, i) => expect(v, `${name} exp_avg[${i}]`).to.be.closeTo(ck.avg[name][i], 1e-7));
      }
    });

    it('reassigning a registered child keeps its place (as a dict entry in PyTorch)', () => {
      const s = new Swapped();
      s.first = new nn.Linear(2, 3);
      expect(Object.keys(s.stateDict())).to.deep.equal(py.swapped.keys);
    });
  });

  describe('nanoGPT-like model: alias, tying, buffer crop', () => {
    it('a typed alias of a child is not registered twice; tied weights appear under both keys as in Python', () => {
      const g = new Gpt();
      g.cropBlockSize(3);
      expect(Object.entries(g.stateDict()).map(([k, t]) => [k, t.shape])).to.deep.equal(py.gpt.keys);
      expect(g.namedParameters().map(([k]) => k)).to.deep.equal(py.gpt.params);
      expect(g.namedBuffers().map(([k]) => k)).to.deep.equal(py.gpt.buffers);
      expect(g.wte).to.equal(g.transformer.get('wte'));
    });

    it("registerModule registers a module a child already holds (PyTorch's sharing, explicitly)", () => {
      const g = new Gpt();
      g.registerModule('shared', g.transformer.get('ln_f'));
      const keys = Object.keys(g.stateDict());
      expect(keys).to.include('shared.weight');
      expect(keys).to.include('transformer.ln_f.weight');
    });

    it('a buffer reassigned inside tidy stays registered and alive', () => {
      const g = new Gpt();
      torch.tidy(() => g.cropBlockSize(4));
      expect(g.bias.isDisposed).to.equal(false);
      expect(g.bias.shape).to.deep.equal([1, 1, 4, 4]);
      expect(g.stateDict().bias.shape).to.deep.equal([1, 1, 4, 4]);
      expect(g.namedBuffers().map(([k]) => k)).to.deep.equal(['bias']);
      const y = torch.tidy(() =>
        g
          .forward(torch.tensor([[1, 2, 3]]))
          .sum()
          .item(),
      );
      expect(Number.isFinite(y)).to.equal(true);
    });

    it('stateDict names the key of a disposed tensor', () => {
      const g = new Gpt();
      g.bias.dispose();
      expect(() => g.stateDict()).to.throw(
        Error,
        "stateDict: the buffer 'bias' has been disposed (a tensor the module still holds was freed, e.g. by tidy or dispose())",
      );
      const s = new Swapped();
      s.first.weight.dispose();
      expect(() => s.stateDict()).to.throw(Error, "stateDict: the parameter 'first.weight' has been disposed");
    });

    it('deepCopy keeps shared parameters shared and aliases pointing at the copied child', () => {
      const g = new Gpt().deepCopy();
      expect(g.lm_head.weight).to.equal(g.transformer.get('wte').weight);
      expect(g.wte).to.equal(g.transformer.get('wte'));
      expect(Object.entries(g.stateDict()).map(([k]) => k)).to.deep.equal(py.gpt.keys.map(([k]) => k));
      g.registerModule('extra', new nn.Linear(1, 1));
      expect(Object.keys(g.stateDict())).to.include('extra.weight');
    });
  });

  describe('typed containers', () => {
    it('ModuleList, Sequential and ModuleDict return their element types', () => {
      const list = new nn.ModuleList([new nn.Linear(2, 3), new nn.Linear(3, 4)]);
      // inFeatures exists only on Linear: this compiles because get() and iteration are typed
      expect(list.get(1).inFeatures).to.equal(3);
      expect([...list].map((l) => l.outFeatures)).to.deep.equal([3, 4]);
      const seq = new nn.Sequential<torch.nn.Linear>(new nn.Linear(1, 2));
      expect(seq.get(0).outFeatures).to.equal(2);
      const dict = new nn.ModuleDict({ emb: new nn.Embedding(5, 2), act: new nn.GELU('tanh') });
      expect(dict.get('emb').numEmbeddings).to.equal(5);
      expect(dict.get('act').approximate).to.equal('tanh');
      expect(dict.keys()).to.deep.equal(['emb', 'act']);
      expect(dict.values().length).to.equal(2);
    });
  });

  describe('zeroGrad', () => {
    const withGrad = () => {
      const m = new nn.Linear(2, 1);
      m.forward(torch.ones([1, 2]))
        .sum()
        .backward();
      return m;
    };
    it('Module and Optimizer take the same options; setToNone defaults to true (PyTorch 2.x)', () => {
      const a = withGrad();
      a.zeroGrad();
      expect(a.weight.grad).to.equal(null);
      const b = withGrad();
      b.zeroGrad({ setToNone: false });
      expect([...b.weight.grad!.dataSync()]).to.deep.equal([0, 0]);
      const c = withGrad();
      new torch.optim.SGD(c.parameters(), { lr: 0.1 }).zeroGrad();
      expect(c.weight.grad).to.equal(null);
      const d = withGrad();
      new torch.optim.SGD(d.parameters(), { lr: 0.1 }).zeroGrad({ setToNone: false });
      expect([...d.weight.grad!.dataSync()]).to.deep.equal([0, 0]);
    });
    it('rejects unknown options and non-boolean setToNone', () => {
      expect(() => new nn.Linear(1, 1).zeroGrad({ set_to_none: true } as never)).to.throw(
        TypeError,
        "Unknown option 'set_to_none' for zeroGrad; expected one of: setToNone",
      );
      expect(() => new nn.Linear(1, 1).zeroGrad(false as never)).to.throw(
        TypeError,
        'Expected an options object for zeroGrad options but received false of type boolean',
      );
      expect(() => new nn.Linear(1, 1).zeroGrad({ setToNone: 1 } as never)).to.throw(
        TypeError,
        'Expected a boolean for setToNone but received 1 of type number',
      );
    });
  });

  describe("dropout draws PyTorch's mask for a seed", () => {
    for (const [seed, p] of DROPOUT) {
      it(`F.dropout, nn.Dropout and in-place dropout after manualSeed(${seed}), p ${p}`, () => {
        const ref = py.masks[String(seed)];
        torch.manualSeed(seed);
        const a = [...F.dropout(torch.ones([3000]), { p }).dataSync()];
        torch.manualSeed(seed);
        const b = [...new nn.Dropout(p).forward(torch.ones([40, 50])).dataSync()];
        torch.manualSeed(seed);
        const c = torch.ones([3000]);
        F.dropout(c, { p, inplace: true });
        const close = (x: number[], y: number[], what: string) => {
          expect(x.length, what).to.equal(y.length);
          x.forEach((v, i) => expect(Math.abs(v - y[i]), `${what}[${i}]`).to.be.below(1e-6));
        };
        close(a, ref.f, 'F.dropout');
        close(b, ref.module, 'nn.Dropout');
        close([...c.dataSync()], ref.inplace, 'inplace');
      });
    }

    it('fastMask is an explicit opt-in: other draws, the same distribution', () => {
      torch.manualSeed(0);
      const fast = [...new nn.Dropout(0.3, { fastMask: true }).forward(torch.ones([20000])).dataSync()];
      const zeros = fast.filter((v) => v === 0).length / fast.length;
      expect(zeros).to.be.closeTo(0.3, 0.02);
      fast.filter((v) => v !== 0).forEach((v) => expect(v).to.be.closeTo(1 / 0.7, 1e-6));
      expect(fast.slice(0, 3000).map((v) => v === 0)).to.not.deep.equal(py.masks['0'].f.map((v) => v === 0));
      expect(String(new nn.Dropout(0.3, { fastMask: true }))).to.equal('Dropout(p=0.3, inplace=False)');
      expect(() => new nn.Dropout(0.3, { fast: true } as never)).to.throw(TypeError, "Unknown option 'fast' for Dropout; expected one of: inplace, fastMask");
    });
  });
});
