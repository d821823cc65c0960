/**
 * SGD against PyTorch 1.13: plain, momentum, dampening, Nesterov, weight
 * decay, maximize, parameter groups; the state dict (momentum_buffer, None
 * without momentum) and save/load continuation; error paths.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { SGD, type OptimizerStateDict, type OptimizerStateDictInput } from '../lib/torch/optim/index.js';
import { hasPythonTorch } from './helpers/python.js';
import {
  expectClose,
  expectStateDict,
  flat,
  makeParams,
  modelData,
  pyKwargs,
  pyOptim,
  stateDictFromDesc,
  thrown,
  trainStep,
  type OptResult,
} from './30-optim-helpers.js';

interface Case {
  name: string;
  opts: Record<string, unknown>;
  groups?: ({ params: number[] } & Record<string, unknown>)[];
}

const STEPS = 6;
const SAVE_AT = 2;

const CASES: Case[] = [
  { name: 'plain', opts: { lr: 0.05 } },
  { name: 'momentum', opts: { lr: 0.05, momentum: 0.9 } },
  { name: 'momentum + dampening', opts: { lr: 0.05, momentum: 0.9, dampening: 0.3 } },
  { name: 'nesterov', opts: { lr: 0.05, momentum: 0.8, nesterov: true } },
  { name: 'weight decay', opts: { lr: 0.05, weightDecay: 0.1 } },
  { name: 'momentum + weight decay', opts: { lr: 0.05, momentum: 0.5, weightDecay: 0.2 } },
  { name: 'maximize', opts: { lr: 0.02, maximize: true } },
  { name: 'maximize + momentum + weight decay + nesterov', opts: { lr: 0.01, maximize: true, momentum: 0.9, weightDecay: 0.3, nesterov: true } },
  {
    name: 'param groups with different lr and momentum',
    opts: { lr: 0.01, momentum: 0.9 },
    groups: [
      { params: [0], lr: 0.1 },
      { params: [1, 2], momentum: 0, weightDecay: 0.1 },
    ],
  },
  {
    name: 'lr given only in the groups',
    opts: {},
    groups: [
      { params: [1], lr: 0.2, dampening: 0.5, momentum: 0.3 },
      { params: [0, 2], lr: 0.03 },
    ],
  },
];

const DATA = modelData(11);

function make(c: Case, params: Tensor[]): SGD {
  const input = c.groups ? c.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]) })) : params;
  return new SGD(input, c.opts);
}

function snapshot(sd: OptimizerStateDict): OptimizerStateDict {
  return {
    state: new Map([...sd.state].map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([n, t]) => [n, t === null ? null : t.clone()]))])),
    param_groups: sd.param_groups,
  };
}

describe('optim: SGD vs PyTorch 1.13', function () {
  let refs: OptResult[] = [];

  before(function () {
    if (!hasPythonTorch()) this.skip();
    refs = pyOptim<OptResult>(
      CASES.map((c) => ({
        kind: 'opt',
        opt: 'SGD',
        kwargs: pyKwargs(c.opts),
        groups: c.groups ? c.groups.map((g) => pyKwargs(g)) : null,
        init: DATA.init,
        X: DATA.X,
        Y: DATA.Y,
        steps: STEPS,
        save_at: SAVE_AT,
      })),
    );
  });

  CASES.forEach((c, ci) => {
    it(`${c.name}: parameters after each step, state dict, save/load continuation`, function () {
      const ref = refs[ci];
      const params = makeParams(DATA);
      const opt = make(c, params);
      let saved: OptimizerStateDict | undefined;
      let savedParams: Tensor[] = [];
      for (let s = 0; s < STEPS; s++) {
        trainStep(opt, params, DATA);
        params.forEach((p, i) => expectClose(flat(p), ref.history[s][i], `${c.name} step ${s + 1} param ${i}`));
        if (s + 1 === SAVE_AT) {
          const sd = opt.stateDict();
          expectStateDict(sd, ref.saved_sd);
          saved = snapshot(sd);
          savedParams = params.map((p) => p.detach().clone());
        }
      }
      expectStateDict(opt.stateDict(), ref.final_sd);

      const params2 = savedParams.map((p) => p.clone().requiresGrad_(true));
      const opt2 = make(c, params2);
      opt2.loadStateDict(saved as OptimizerStateDict);
      for (let s = SAVE_AT; s < STEPS; s++) trainStep(opt2, params2, DATA);
      params2.forEach((p, i) => {
        expect(flat(p), `resumed param ${i} equals the uninterrupted run`).to.deep.equal(flat(params[i]));
        expectClose(flat(p), ref.resumed[i], `resumed param ${i}`);
      });

      const pyParams = ref.history[SAVE_AT - 1].map((v, i) => torch.tensor(v, { dtype: 'float32' }).reshape(params[i].shape).requiresGrad_(true));
      const opt3 = make(c, pyParams);
      opt3.loadStateDict(stateDictFromDesc(ref.saved_sd) as OptimizerStateDictInput);
      for (let s = SAVE_AT; s < STEPS; s++) trainStep(opt3, pyParams, DATA);
      pyParams.forEach((p, i) => expectClose(flat(p), ref.history[STEPS - 1][i], `python-resumed param ${i}`));
      for (const o of [opt, opt2, opt3]) o.dispose();
    });
  });
});

describe('optim: SGD behaviour', () => {
  it('maximize leaves the gradients as they were', () => {
    const a = torch.tensor([1, -2], { dtype: 'float32', requiresGrad: true });
    const opt = new SGD([a], { lr: 0.1, maximize: true, momentum: 0.9 });
    a.square().sum().backward();
    opt.step();
    expect(flat(a.grad as Tensor)).to.deep.equal([2, -4]);
    expectClose(flat(a), [1.2, -2.4], 'ascended');
    const buf = opt.state.get(a)?.momentumBuffer as Tensor;
    expect(flat(buf)).to.deep.equal([-2, 4]); // PyTorch 1.13 negates the gradient first
  });

  it('momentum buffers are created once and updated in place, kept out of tidy scopes', () => {
    const a = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new SGD([a], { lr: 0.1, momentum: 0.9 });
    const step = () =>
      torch.tidy(() => {
        opt.zeroGrad();
        a.square().sum().backward();
        opt.step();
      });
    step();
    const buf = opt.state.get(a)?.momentumBuffer as Tensor;
    const live = torch.memory().numTensors;
    for (let i = 0; i < 4; i++) step();
    expect(opt.state.get(a)?.momentumBuffer).to.equal(buf);
    expect(buf.isDisposed).to.equal(false);
    expect(torch.memory().numTensors).to.equal(live);
  });

  it('without momentum the state holds a null momentum_buffer, as PyTorch', () => {
    const a = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const b = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const opt = new SGD([a, b], { lr: 0.1 });
    a.sum().backward();
    opt.step();
    const sd = opt.stateDict();
    expect([...sd.state.entries()]).to.deep.equal([[0, { momentum_buffer: null }]]);
    expect(Object.keys(sd.param_groups[0])).to.deep.equal([
      'lr',
      'momentum',
      'dampening',
      'weight_decay',
      'nesterov',
      'maximize',
      'foreach',
      'differentiable',
      'params',
    ]);
  });

  it('setting momentum to 0 later keeps the existing buffer (as PyTorch stores it back)', () => {
    const a = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const opt = new SGD([a], { lr: 0.1, momentum: 0.9 });
    a.sum().backward();
    opt.step();
    const buf = opt.state.get(a)?.momentumBuffer;
    opt.paramGroups[0].momentum = 0;
    opt.step();
    expect(opt.state.get(a)?.momentumBuffer).to.equal(buf);
    expectClose(flat(a), [0.8], 'two plain steps');
  });
});

describe('optim: SGD errors', () => {
  const p = () => torch.tensor([1], { dtype: 'float32', requiresGrad: true });

  it('lr is required (in the options or every group)', () => {
    expect(thrown(() => new SGD([p()]), TypeError)).to.equal("parameter group didn't specify a value of required optimization parameter lr");
    expect(thrown(() => new SGD([{ params: [p()], lr: 0.1 }, { params: [p()] }]), TypeError)).to.equal(
      "parameter group didn't specify a value of required optimization parameter lr",
    );
  });

  it('invalid values throw RangeError with PyTorch\'s messages', () => {
    expect(thrown(() => new SGD([p()], { lr: -1 }), RangeError)).to.equal('Invalid learning rate: -1');
    expect(thrown(() => new SGD([p()], { lr: 0.1, momentum: -0.5 }), RangeError)).to.equal('Invalid momentum value: -0.5');
    expect(thrown(() => new SGD([p()], { lr: 0.1, weightDecay: -1 }), RangeError)).to.equal('Invalid weight_decay value: -1');
    expect(thrown(() => new SGD([p()], { lr: 0.1, nesterov: true }), RangeError)).to.equal('Nesterov momentum requires a momentum and zero dampening');
    expect(thrown(() => new SGD([p()], { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }), RangeError)).to.equal(
      'Nesterov momentum requires a momentum and zero dampening',
    );
    expect(thrown(() => new SGD([{ params: [p()], momentum: 0 }], { lr: 0.1, momentum: 0.9, nesterov: true }), RangeError)).to.equal(
      'Nesterov momentum requires a momentum and zero dampening',
    );
    expect(thrown(() => new SGD([p()], { lr: 0.1, differentiable: true }), RangeError)).to.match(/differentiable=true is not supported/);
  });

  it('unknown options throw TypeError naming them', () => {
    expect(thrown(() => new SGD([p()], { lr: 0.1, betas: [0.9, 0.99] } as never), TypeError)).to.match(/Unknown option 'betas' for SGD/);
    expect(thrown(() => new SGD([{ params: [p()], nesterof: true } as never], { lr: 0.1 }), TypeError)).to.match(
      /Unknown option 'nesterof' for SGD param group/,
    );
    expect(thrown(() => new SGD([p()], { lr: 0.1, nesterov: 'yes' } as never), TypeError)).to.match(/Expected a boolean for nesterov/);
  });

  it('loading a state dict with other groups throws', () => {
    const opt = new SGD([p(), p()], { lr: 0.1 });
    expect(thrown(() => opt.loadStateDict(new SGD([p()], { lr: 0.1 }).stateDict()), RangeError)).to.match(
      /doesn't match the size of optimizer's group/,
    );
    expect(thrown(() => opt.loadStateDict({ state: new Map(), param_groups: [] }), RangeError)).to.match(/different number of parameter groups/);
    const sd = opt.stateDict();
    sd.param_groups[0].momentum = -1;
    expect(thrown(() => opt.loadStateDict(sd), RangeError)).to.equal('Invalid momentum value: -1');
  });
});
