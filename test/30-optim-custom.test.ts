/**
 * Writing an optimizer (optimizer.ts's doc comment): one option table and a
 * step give the options, defaults, checks, parameter groups, state dicts and
 * repr; the types derive from the table. The update is compared with the
 * same formula run by the reference PyTorch.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { Optimizer, type AdamOptions, type AdamWOptions, type SGDParamGroup } from '../lib/torch/optim/index.js';
import { hasPythonTorch } from './helpers/python.js';
import { Lion } from '../examples/custom-optimizer.js';
import { SignSGD, expectClose, flat, pyExec, thrown } from './30-optim-helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('optim: a user-written optimizer', () => {
  let ref: number[][] = [];

  before(function () {
    if (!hasPythonTorch()) this.skip();
    ref = pyExec([
      `a = torch.tensor([1., -2., 0.5], requires_grad=True)
b = torch.tensor([3.], requires_grad=True)
for lr in (0.1, 0.25):
    (a.square().sum() + (b * 2).sum()).backward()
    with torch.no_grad():
        a -= a.grad.sign() * lr
        b -= b.grad.sign() * 0.5
    a.grad = None
    b.grad = None
result = [a.tolist(), b.tolist()]`,
    ])[0].result as number[][];
  });

  it('takes options and groups from its table, and steps', () => {
    const a = torch.tensor([1, -2, 0.5], { dtype: 'float32', requiresGrad: true });
    const b = torch.tensor([3], { dtype: 'float32', requiresGrad: true });
    const opt = new SignSGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    expect(opt.defaults).to.deep.equal({ lr: 0.1 });
    expect(opt.paramGroups.map((g) => g.lr)).to.deep.equal([0.1, 0.5]);
    for (const lr of [0.1, 0.25]) {
      opt.paramGroups[0].lr = lr;
      a.square().sum().add(b.mul(2).sum()).backward();
      opt.step();
      opt.zeroGrad();
    }
    expectClose(flat(a), ref[0], 'a');
    expectClose(flat(b), ref[1], 'b');
  });

  it('state dicts and repr work unchanged', () => {
    const a = torch.zeros([2], { requiresGrad: true });
    const opt = new SignSGD([a]);
    expect(opt.defaults.lr).to.equal(SignSGD.options.lr.default);
    const sd = opt.stateDict();
    expect(sd.param_groups).to.deep.equal([{ lr: 0.01, params: [0] }]);
    sd.param_groups[0].lr = 0.3;
    opt.loadStateDict(sd);
    expect(opt.paramGroups[0].lr).to.equal(0.3);
    expect(String(opt)).to.equal('SignSGD (\nParameter Group 0\n    lr: 0.3\n)');
  });

  it('rejects unknown options and invalid values through the table', () => {
    const p = () => torch.zeros([1], { requiresGrad: true });
    expect(thrown(() => new SignSGD([p()], { momentum: 0.9 } as never), TypeError)).to.equal("Unknown option 'momentum' for SignSGD; expected one of: lr");
    expect(thrown(() => new SignSGD([p()], { lr: -1 }), RangeError)).to.equal('Invalid learning rate: -1');
    expect(thrown(() => new SignSGD([{ params: [p()], lr: 'x' } as never]), TypeError)).to.equal("Expected a number for lr but received 'x' of type string");
  });

  it('a subclass without an option table is told what to declare', () => {
    class NoTable extends Optimizer {
      constructor() {
        super([torch.zeros([1], { requiresGrad: true })]);
      }
      step(): undefined {
        return undefined;
      }
    }
    expect(thrown(() => new NoTable(), TypeError)).to.equal(
      'Expected an option table for NoTable.options but received undefined (declare static readonly options = {...})',
    );
  });

  it('the TypeScript types derive from the tables', () => {
    const ok: AdamOptions = { lr: 1e-3, betas: [0.9, 0.99], decoupledWeightDecay: true, fused: null };
    // @ts-expect-error lr is a number
    const badLr: AdamOptions = { lr: '1e-3' };
    // @ts-expect-error AdamW's decoupledWeightDecay is fixed, not an option
    const badW: AdamWOptions = { decoupledWeightDecay: true };
    const g = { momentum: 0.9 } as Partial<SGDParamGroup>;
    // @ts-expect-error an SGD group's momentum is a number
    g.momentum = true;
    expect([ok, badLr, badW].length).to.equal(3);
  });
});

describe('optim: examples/custom-optimizer.ts (Lion)', () => {
  let ref: { a: number[][]; m: number[] } = { a: [], m: [] };

  before(function () {
    if (!hasPythonTorch()) this.skip();
    // The same update written out in PyTorch, 5 steps, two lrs and weight decay.
    ref = pyExec([
      `a = torch.tensor([1., -2., 0.5, 3.], requires_grad=True)
m = torch.zeros(4)
hist = []
for i in range(5):
    a.grad = None
    (a.pow(3).sum() - (a * torch.tensor([1., 2., 3., 4.])).sum()).backward()
    g = a.grad
    with torch.no_grad():
        u = m.lerp(g, 1 - 0.8).sign_()
        a.mul_(1 - 0.1 * 0.05)
        a.add_(u, alpha=-0.1)
        m.lerp_(g, 1 - 0.95)
    hist.append(a.tolist())
result = {"a": hist, "m": m.tolist()}`,
    ])[0].result as { a: number[][]; m: number[] };
  });

  it("Lion's steps equal the same update run by PyTorch; state and state dict as declared", () => {
    const a = torch.tensor([1, -2, 0.5, 3], { dtype: 'float32', requiresGrad: true });
    const opt = new Lion([a], { lr: 0.1, betas: [0.8, 0.95], weightDecay: 0.05 });
    const c = torch.tensor([1, 2, 3, 4], { dtype: 'float32' });
    for (let i = 0; i < 5; i++) {
      opt.zeroGrad();
      a.pow(3).sum().sub(a.mul(c).sum()).backward();
      opt.step();
      expectClose(flat(a), ref.a[i], `step ${i + 1}`);
    }
    const sd = opt.stateDict();
    expect(Object.keys(sd.state.get(0) as object)).to.deep.equal(['exp_avg']);
    expectClose(flat(sd.state.get(0)?.exp_avg as torch.Tensor), ref.m, 'exp_avg');
    expect(thrown(() => new Lion([a], { lr: -1 }), RangeError)).to.equal('Invalid learning rate: -1');
    opt.dispose();
  });

  it('runs as a script', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/custom-optimizer.ts'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^loss after 200 steps: 0\.0\d{3}\n/);
    expect(r.stdout).to.contain("[ 'lr', 'betas', 'weight_decay', 'initial_lr', 'params' ]");
  });
});
