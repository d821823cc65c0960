/**
 * Adam and AdamW against PyTorch 1.13: parameters after every step, the state
 * dict (keys, order, dtypes, shapes, values), save/load continuation (TS→TS
 * and Python→TS), parameter groups, zeroGrad, closures, scopes and every
 * error path.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { Adam, AdamW, type Optimizer, type OptimizerStateDictInput } from '../lib/torch/optim/index.js';
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
  cls: 'Adam' | 'AdamW';
  opts: Record<string, unknown>;
  groups?: ({ params: number[] } & Record<string, unknown>)[];
}

const STEPS = 6;
const SAVE_AT = 3;

const CASES: Case[] = [
  { name: 'Adam defaults (lr raised)', cls: 'Adam', opts: { lr: 0.05 } },
  { name: 'Adam with weight decay', cls: 'Adam', opts: { lr: 0.05, weightDecay: 0.1 } },
  { name: 'Adam amsgrad', cls: 'Adam', opts: { lr: 0.05, amsgrad: true, betas: [0.8, 0.99] } },
  { name: 'Adam maximize', cls: 'Adam', opts: { lr: 0.05, maximize: true } },
  { name: 'Adam maximize + amsgrad + weight decay + eps', cls: 'Adam', opts: { lr: 0.02, maximize: true, amsgrad: true, weightDecay: 0.05, eps: 1e-3 } },
  {
    name: 'Adam param groups with different lr and betas',
    cls: 'Adam',
    opts: { lr: 0.01 },
    groups: [
      { params: [0], lr: 0.1, betas: [0.5, 0.9] },
      { params: [1, 2], weightDecay: 0.2 },
    ],
  },
  { name: 'AdamW defaults (lr raised)', cls: 'AdamW', opts: { lr: 0.05 } },
  { name: 'AdamW amsgrad + maximize + large weight decay', cls: 'AdamW', opts: { lr: 0.05, amsgrad: true, maximize: true, weightDecay: 0.5 } },
  {
    name: 'AdamW groups (no decay on the bias)',
    cls: 'AdamW',
    opts: { lr: 0.03, weightDecay: 0.1 },
    groups: [
      { params: [0], lr: 0.05 },
      { params: [1, 2], weightDecay: 0 },
    ],
  },
];

const DATA = modelData(7);

function make(c: Case, params: Tensor[]): Optimizer {
  const input = c.groups ? c.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]) })) : params;
  return c.cls === 'Adam' ? new Adam(input, c.opts) : new AdamW(input, c.opts);
}

describe('optim: Adam / AdamW vs PyTorch 1.13', function () {
  let refs: OptResult[] = [];

  before(function () {
    if (!hasPythonTorch()) this.skip();
    refs = pyOptim<OptResult>(
      CASES.map((c) => ({
        kind: 'opt',
        opt: c.cls,
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
      let saved: ReturnType<Optimizer['stateDict']> | undefined;
      let savedParams: Tensor[] = [];
      for (let s = 0; s < STEPS; s++) {
        trainStep(opt, params, DATA);
        params.forEach((p, i) => expectClose(flat(p), ref.history[s][i], `${c.name} step ${s + 1} param ${i}`));
        if (s + 1 === SAVE_AT) {
          const sd = opt.stateDict();
          expectStateDict(sd, ref.saved_sd);
          // Snapshot (the state dict's tensors are the live state).
          saved = {
            state: new Map([...sd.state].map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([n, t]) => [n, t === null ? null : t.clone()]))])),
            param_groups: sd.param_groups,
          };
          savedParams = params.map((p) => p.detach().clone());
        }
      }
      expectStateDict(opt.stateDict(), ref.final_sd);

      // TS state dict -> fresh TS optimizer: continues identically.
      const params2 = savedParams.map((p) => p.clone().requiresGrad_(true));
      const opt2 = make(c, params2);
      opt2.loadStateDict(saved as ReturnType<Optimizer['stateDict']>);
      for (let s = SAVE_AT; s < STEPS; s++) trainStep(opt2, params2, DATA);
      params2.forEach((p, i) => {
        expect(flat(p), `resumed param ${i} equals the uninterrupted run`).to.deep.equal(flat(params[i]));
        expectClose(flat(p), ref.resumed[i], `resumed param ${i}`);
      });
      expectStateDict(opt2.stateDict(), ref.final_sd);

      // Python's state dict -> fresh TS optimizer on Python's parameters: continues as Python did.
      const pyParams = ref.history[SAVE_AT - 1].map((v, i) => torch.tensor(v, { dtype: 'float32' }).reshape(params[i].shape).requiresGrad_(true));
      const opt3 = make(c, pyParams);
      opt3.loadStateDict(stateDictFromDesc(ref.saved_sd) as OptimizerStateDictInput);
      for (let s = SAVE_AT; s < STEPS; s++) trainStep(opt3, pyParams, DATA);
      pyParams.forEach((p, i) => expectClose(flat(p), ref.history[STEPS - 1][i], `python-resumed param ${i}`));
      for (const o of [opt, opt2, opt3]) o.dispose();
    });
  });
});

describe('optim: Adam behaviour', () => {
  const w0 = [
    [1, -2],
    [0.5, 3],
  ];

  it('parameters without a gradient get no state and stay unchanged', () => {
    const a = torch.tensor(w0, { dtype: 'float32', requiresGrad: true });
    const b = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([a, b], { lr: 0.1 });
    a.square().sum().backward();
    opt.step();
    expect([...opt.state.keys()]).to.deep.equal([a]);
    expect([...opt.stateDict().state.keys()]).to.deep.equal([0]);
    expect(flat(b)).to.deep.equal([1, 2]);
    expect(opt.stateDict().state.get(0)?.step?.dtype).to.equal('float32');
    expect(opt.stateDict().state.get(0)?.step?.shape).to.deep.equal([]);
    opt.dispose();
  });

  it('state survives tidy scopes and the live-tensor count stays flat', () => {
    const a = torch.tensor(w0, { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([a], { lr: 0.1, amsgrad: true });
    const step = () =>
      torch.tidy(() => {
        opt.zeroGrad();
        a.square().sum().backward();
        opt.step();
      });
    step();
    const live = torch.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(torch.memory().numTensors).to.equal(live);
    const s = opt.state.get(a) as Record<string, Tensor>;
    expect(Object.keys(s)).to.deep.equal(['step', 'expAvg', 'expAvgSq', 'maxExpAvgSq']);
    for (const t of Object.values(s)) expect(t.isDisposed).to.equal(false);
    expect(s.step.item()).to.equal(6);
    opt.dispose();
    for (const t of Object.values(s)) expect(t.isDisposed).to.equal(true);
  });

  it('zeroGrad sets grads to null by default, or zeroes them in place', () => {
    const a = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([a]);
    a.square().sum().backward();
    opt.zeroGrad({ setToNone: false });
    const g = a.grad as Tensor;
    expect(flat(g)).to.deep.equal([0, 0]);
    expect(g.requiresGrad).to.equal(false);
    opt.zeroGrad();
    expect(a.grad).to.equal(null);
    expect(thrown(() => opt.zeroGrad({ setToNon: true } as never), TypeError)).to.match(/Unknown option 'setToNon' for zeroGrad/);
  });

  it('step(closure) evaluates the loss with gradients enabled and returns it', () => {
    const a = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([a], { lr: 0.1 }); // Adam's first step moves each coordinate by ~lr
    const loss = torch.noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = a.square().sum();
        l.backward();
        return l.item();
      }),
    );
    expect(loss).to.equal(5);
    expectClose(flat(a), [0.9, 1.9], 'after closure step');
    expect(opt.step()).to.equal(undefined);
  });

  it('paramGroups are mutable: a new lr takes effect at the next step', () => {
    const a = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([a], { lr: 0.1 });
    a.sum().backward();
    opt.paramGroups[0].lr = 0;
    opt.step();
    expect(flat(a)).to.deep.equal([1]);
    opt.paramGroups[0].lr = 0.5;
    opt.step();
    expectClose(flat(a), [0.5], 'lr 0.5 step (|update| = lr for a constant gradient)', 1e-6);
  });

  it('param groups take defaults for missing options and keep PyTorch key order', () => {
    const a = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const b = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([{ params: [a], weightDecay: 0.5 }, { params: b }], { lr: 0.2 });
    expect(opt.paramGroups[0].weightDecay).to.equal(0.5);
    expect(opt.paramGroups[0].lr).to.equal(0.2);
    expect(opt.paramGroups[1].params).to.deep.equal([b]);
    const sd = opt.stateDict();
    expect(Object.keys(sd.param_groups[0])).to.deep.equal([
      'weight_decay',
      'lr',
      'betas',
      'eps',
      'amsgrad',
      'maximize',
      'foreach',
      'capturable',
      'differentiable',
      'fused',
      'params',
    ]);
    expect(sd.param_groups[1].params).to.deep.equal([1]);
    opt.addParamGroup({ params: [torch.tensor([3], { dtype: 'float32', requiresGrad: true })], lr: 1 });
    expect(opt.stateDict().param_groups[2].params).to.deep.equal([2]);
    expect(String(opt)).to.contain('Parameter Group 2').and.contain('betas: (0.9, 0.999)');
  });

  it('AdamW state dict keys are 1.13\'s (no differentiable/fused)', () => {
    const a = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const opt = new AdamW([a]);
    expect(Object.keys(opt.stateDict().param_groups[0])).to.deep.equal([
      'lr',
      'betas',
      'eps',
      'weight_decay',
      'amsgrad',
      'foreach',
      'maximize',
      'capturable',
      'params',
    ]);
    expect(opt.paramGroups[0].weightDecay).to.equal(1e-2);
  });

  it('loads old-format state (integer step) and tolerates unknown keys', () => {
    const a = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([a], { lr: 0.1 });
    opt.loadStateDict({
      state: { '0': { step: 4, exp_avg: torch.tensor([0.1, 0.2]), exp_avg_sq: torch.tensor([0.01, 0.04]) } },
      param_groups: [{ lr: 0.2, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, decoupled_weight_decay: false, params: [0] }],
    } as OptimizerStateDictInput);
    const s = opt.state.get(a) as Record<string, Tensor>;
    expect(s.step.dtype).to.equal('float32');
    expect(s.step.item()).to.equal(4);
    expect(s.expAvg.dtype).to.equal('float32');
    expect(opt.paramGroups[0].lr).to.equal(0.2);
    expect(opt.paramGroups[0].maximize).to.equal(false); // missing key: default
    expect(opt.stateDict().param_groups[0].decoupled_weight_decay).to.equal(false); // unknown key kept
  });

  it('loading casts state to the parameter dtype (except step) and copies it', () => {
    const a = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const opt = new Adam([a]);
    const src = torch.tensor([0.5, 0.25], { dtype: 'float32' });
    const step = torch.tensor(2, { dtype: 'float32' });
    opt.loadStateDict({
      state: new Map([[0, { step, exp_avg: src, exp_avg_sq: src }]]),
      param_groups: [{ ...opt.stateDict().param_groups[0] }],
    });
    const s = opt.state.get(a) as Record<string, Tensor>;
    expect(s.expAvg.dtype).to.equal('float64');
    expect(s.step.dtype).to.equal('float32');
    expect(s.expAvg.isSame(src)).to.equal(false);
    src.dispose();
    expect(flat(s.expAvgSq)).to.deep.equal([0.5, 0.25]);
  });
});

describe('optim: Adam / AdamW errors', () => {
  const p = () => torch.tensor([1], { dtype: 'float32', requiresGrad: true });

  it('invalid hyperparameters throw RangeError with PyTorch\'s messages', () => {
    expect(thrown(() => new Adam([p()], { lr: -1 }), RangeError)).to.equal('Invalid learning rate: -1');
    expect(thrown(() => new Adam([p()], { eps: -0.5 }), RangeError)).to.equal('Invalid epsilon value: -0.5');
    expect(thrown(() => new Adam([p()], { betas: [1, 0.999] }), RangeError)).to.equal('Invalid beta parameter at index 0: 1');
    expect(thrown(() => new Adam([p()], { betas: [0.9, -0.1] }), RangeError)).to.equal('Invalid beta parameter at index 1: -0.1');
    expect(thrown(() => new Adam([p()], { weightDecay: -1e-3 }), RangeError)).to.equal('Invalid weight_decay value: -0.001');
    expect(thrown(() => new AdamW([p()], { lr: -0.1 }), RangeError)).to.equal('Invalid learning rate: -0.1');
    expect(thrown(() => new AdamW([p()], { betas: [0.9, 1] }), RangeError)).to.equal('Invalid beta parameter at index 1: 1');
    expect(thrown(() => new Adam([p()], { lr: NaN }), RangeError)).to.equal('Invalid learning rate: nan');
    expect(thrown(() => new Adam([{ params: [p()], lr: -2 }]), RangeError)).to.equal('Invalid learning rate: -2');
    expect(thrown(() => new Adam([p()], { capturable: true }), RangeError)).to.match(/capturable=true is not supported/);
    expect(thrown(() => new Adam([p()], { fused: true }), RangeError)).to.match(/fused=true is not supported/);
  });

  it('unknown options and wrong kinds throw TypeError naming them', () => {
    expect(thrown(() => new Adam([p()], { weight_decay: 0.1 } as never), TypeError)).to.match(/Unknown option 'weight_decay' for Adam/);
    expect(thrown(() => new AdamW([p()], { fused: false } as never), TypeError)).to.match(/Unknown option 'fused' for AdamW/);
    expect(thrown(() => new Adam([{ params: [p()], momentum: 0.9 } as never]), TypeError)).to.match(/Unknown option 'momentum' for Adam param group/);
    expect(thrown(() => new Adam([p()], { lr: '0.1' } as never), TypeError)).to.match(/Expected a number for lr/);
    expect(thrown(() => new Adam([p()], { betas: [0.9] } as never), TypeError)).to.match(/Expected an array of two numbers for betas/);
    expect(thrown(() => new Adam([p()], { amsgrad: 1 } as never), TypeError)).to.match(/Expected a boolean for amsgrad/);
  });

  it('bad parameter lists throw', () => {
    expect(thrown(() => new Adam(p() as never), TypeError)).to.match(/should be an iterable of Tensors or dicts, but got a Tensor/);
    expect(thrown(() => new Adam([]), RangeError)).to.equal('optimizer got an empty parameter list');
    expect(thrown(() => new Adam([p(), 3] as never), TypeError)).to.match(/optimizer can only optimize Tensors, but one of the params is 3/);
    const leaf = p();
    const nonLeaf = leaf.mul(2);
    expect(thrown(() => new Adam([nonLeaf]), RangeError)).to.equal("can't optimize a non-leaf Tensor");
    const shared = p();
    expect(thrown(() => new Adam([{ params: [shared] }, { params: [shared] }]), RangeError)).to.equal(
      'some parameters appear in more than one parameter group',
    );
    expect(thrown(() => new Adam([{ params: new Set([p()]) }] as never), TypeError)).to.match(/ordered collections/);
  });

  it('loading a state dict of another shape throws and changes nothing', () => {
    const a = p();
    const b = p();
    const opt = new Adam([a, b], { lr: 0.1 });
    const other = new Adam([{ params: [p()] }, { params: [p()] }]);
    expect(thrown(() => opt.loadStateDict(other.stateDict()), RangeError)).to.match(/^loaded state dict has a different number of parameter groups/);
    const fewer = new Adam([p()]);
    expect(thrown(() => opt.loadStateDict(fewer.stateDict()), RangeError)).to.match(
      /^loaded state dict contains a parameter group that doesn't match the size of optimizer's group/,
    );
    expect(thrown(() => opt.loadStateDict({} as never), TypeError)).to.match(/Expected a state dict with 'state' and 'param_groups'/);
    const bad = opt.stateDict();
    bad.param_groups[0].lr = -3;
    expect(thrown(() => opt.loadStateDict(bad), RangeError)).to.equal('Invalid learning rate: -3');
    expect(opt.paramGroups[0].lr).to.equal(0.1);
  });

  it('turning amsgrad on after the state exists throws a clear error', () => {
    const a = p();
    const opt = new Adam([a], { lr: 0.1 });
    a.sum().backward();
    opt.step();
    opt.paramGroups[0].amsgrad = true;
    expect(thrown(() => opt.step())).to.match(/no 'maxExpAvgSq' \(amsgrad was turned on after the state was created\)/);
  });
});
