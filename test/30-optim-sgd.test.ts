/**
 * SGD vs PyTorch (the reference the addon links): plain, momentum,
 * dampening, Nesterov, weight decay, maximize, the default lr, parameter
 * groups, named parameters; parameters after every step of 20, the state dict
 * (no state without momentum, as 2.x), defaults and repr, save/load both ways
 * (TS→TS, Python→TS, TS→Python through a torch.save'd file), state dicts in
 * older layouts (1.13: momentum_buffer None, no fused), and every error a
 * user can cause.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { SGD, type OptimizerStateDict, type OptimizerStateDictInput } from '../lib/torch/optim/index.js';
import { hasPythonTorch } from './helpers/python.js';
import {
  errorsVsPython,
  expectClose,
  expectStateDict,
  expectValue,
  flat,
  makeParams,
  modelData,
  pyExec,
  pyKwargs,
  pyOptim,
  rng,
  snapshot,
  stateDictFromDesc,
  tempDir,
  thrown,
  trainStep,
  type LoadResult,
  type OptResult,
  type PyDesc,
  type StateDictDesc,
} from './30-optim-helpers.js';

type Groups = ({ params: number[] } & Record<string, unknown>)[];

interface Case {
  name: string;
  opts: Record<string, unknown>;
  groups?: Groups;
  named?: boolean;
}

const STEPS = 20;
const SAVE_AT = 8;
const NAMES = ['W', 'b', 'u'];

const CASES: Case[] = [
  { name: 'plain', opts: { lr: 0.05 } },
  { name: 'the default lr (1e-3 since PyTorch 2.x)', opts: { momentum: 0.5 } },
  { name: 'momentum', opts: { lr: 0.05, momentum: 0.9 } },
  { name: 'momentum + dampening', opts: { lr: 0.05, momentum: 0.9, dampening: 0.3 } },
  { name: 'nesterov', opts: { lr: 0.05, momentum: 0.8, nesterov: true } },
  { name: 'weight decay', opts: { lr: 0.05, weightDecay: 0.1 } },
  { name: 'momentum + weight decay', opts: { lr: 0.05, momentum: 0.5, weightDecay: 0.2 } },
  { name: 'maximize', opts: { lr: 0.02, maximize: true } },
  { name: 'maximize + momentum + weight decay + nesterov', opts: { lr: 0.01, maximize: true, momentum: 0.9, weightDecay: 0.3, nesterov: true } },
  { name: 'explicit foreach/fused false', opts: { lr: 0.05, momentum: 0.9, foreach: false, fused: false } },
  {
    name: 'param groups with different lr and momentum',
    opts: { lr: 0.01, momentum: 0.9 },
    groups: [
      { params: [0], lr: 0.1 },
      { params: [1, 2], momentum: 0, weightDecay: 0.1 },
    ],
  },
  {
    name: 'lr given only in the groups, named parameters',
    opts: {},
    named: true,
    groups: [
      { params: [1], lr: 0.2, dampening: 0.5, momentum: 0.3 },
      { params: [0, 2], lr: 0.03 },
    ],
  },
];

const DATA = modelData(11);

function make(opts: Record<string, unknown>, params: Tensor[], groups?: Groups, named = false): SGD {
  const pick = (i: number) => (named ? ([NAMES[i], params[i]] as const) : params[i]);
  const input = groups ? groups.map((g) => ({ ...g, params: g.params.map(pick) })) : params.map((_, i) => pick(i));
  return new SGD(input as never, opts);
}

const makeCase = (c: Case, params: Tensor[]) => make(c.opts, params, c.groups, c.named);

function pyCase(c: { opts: Record<string, unknown>; groups?: Groups; named?: boolean }): Record<string, unknown> {
  return {
    opt: 'SGD',
    kwargs: pyKwargs(c.opts),
    groups: c.groups ? c.groups.map((g) => pyKwargs(g)) : null,
    named: c.named ?? false,
    init: DATA.init,
    X: DATA.X,
    Y: DATA.Y,
  };
}

describe('optim: SGD vs PyTorch', () => {
  let refs: (OptResult & { repr: string; defaults: [string, PyDesc][] })[] = [];
  let dir = '';

  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  before(function () {
    if (!hasPythonTorch()) this.skip();
    dir = tempDir();
    const files = CASES.map((c, ci) => {
      const params = makeParams(DATA);
      const opt = makeCase(c, params);
      for (let s = 0; s < SAVE_AT; s++) trainStep(opt, params, DATA);
      const file = join(dir, `case-${ci}.pt`);
      torch.save({ sd: opt.stateDict(), params: params.map((p) => p.detach()) }, file);
      opt.dispose();
      return file;
    });
    refs = pyOptim(CASES.map((c, ci) => ({ kind: 'opt', ...pyCase(c), steps: STEPS, save_at: SAVE_AT, ts_file: files[ci] })));
  });

  CASES.forEach((c, ci) => {
    it(`${c.name}: parameters after each step, state dict, defaults, repr, save/load both ways`, () => {
      const ref = refs[ci];
      const params = makeParams(DATA);
      const opt = makeCase(c, params);
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
      expect(String(opt), 'repr').to.equal(ref.repr);
      expect(
        Object.keys(opt.defaults).map((k) => k.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)),
        'defaults keys',
      ).to.deep.equal(ref.defaults.map(([k]) => k));
      for (const [k, d] of ref.defaults)
        expectValue((opt.defaults as Record<string, unknown>)[k.replace(/_([a-z])/g, (_m, x: string) => x.toUpperCase())], d, `defaults.${k}`);

      const params2 = savedParams.map((p) => p.clone().requiresGrad_(true));
      const opt2 = makeCase(c, params2);
      opt2.loadStateDict(saved as OptimizerStateDict);
      for (let s = SAVE_AT; s < STEPS; s++) trainStep(opt2, params2, DATA);
      params2.forEach((p, i) => {
        expect(flat(p), `resumed param ${i} equals the uninterrupted run`).to.deep.equal(flat(params[i]));
        expectClose(flat(p), ref.resumed[i], `resumed param ${i}`);
      });

      const pyParams = ref.history[SAVE_AT - 1].map((v, i) => torch.tensor(v, { dtype: 'float32' }).reshape(params[i].shape).requiresGrad_(true));
      const opt3 = makeCase(c, pyParams);
      opt3.loadStateDict(stateDictFromDesc(ref.saved_sd) as OptimizerStateDictInput);
      for (let s = SAVE_AT; s < STEPS; s++) trainStep(opt3, pyParams, DATA);
      pyParams.forEach((p, i) => expectClose(flat(p), ref.history[STEPS - 1][i], `python-resumed param ${i}`));
      expectStateDict(opt3.stateDict(), ref.final_sd);

      expectStateDict(stateDictFromDesc(ref.ts_loaded_sd as StateDictDesc) as never, ref.saved_sd);
      (ref.ts_resumed as number[][]).forEach((v, i) => expectClose(v, ref.history[STEPS - 1][i], `python continuing TS's checkpoint: param ${i}`));
      for (const o of [opt, opt2, opt3]) o.dispose();
    });
  });
});

const r = rng(5);
const t = (shape: number[]): PyDesc => ({ tensor: { dtype: 'float32', shape, data: Array.from({ length: shape.reduce((a, x) => a * x, 1) }, () => r()) } });
const f = (x: number): PyDesc => ({ float: x });
const b = (x: boolean): PyDesc => ({ bool: x });
const ALL = { list: [{ int: 0 }, { int: 1 }, { int: 2 }] };
const group113 = (momentum: number): [string, PyDesc][] => [
  ['lr', f(0.05)],
  ['momentum', momentum === 0 ? { int: 0 } : f(momentum)],
  ['dampening', { int: 0 }],
  ['weight_decay', { int: 0 }],
  ['nesterov', b(false)],
  ['maximize', b(false)],
  ['foreach', null],
  ['differentiable', b(false)],
  ['params', ALL],
];

const LOAD_CASES: { name: string; opts: Record<string, unknown>; sd: StateDictDesc }[] = [
  {
    name: 'PyTorch 1.13 without momentum (momentum_buffer None, no fused)',
    opts: { lr: 0.1 },
    sd: {
      state: [
        [0, [['momentum_buffer', null]]],
        [1, [['momentum_buffer', null]]],
      ],
      param_groups: [group113(0)],
    },
  },
  {
    name: 'PyTorch 1.13 with momentum buffers',
    opts: { lr: 0.1, momentum: 0.5 },
    sd: {
      state: [
        [0, [['momentum_buffer', t([3, 4])]]],
        [1, [['momentum_buffer', t([3])]]],
      ],
      param_groups: [group113(0.9)],
    },
  },
  {
    name: 'PyTorch 1.13 momentum_buffer None with momentum (new buffers)',
    opts: {},
    sd: {
      state: [[1, [['momentum_buffer', null]]]],
      param_groups: [group113(0.9)],
    },
  },
  {
    name: 'an older layout without nesterov/maximize/foreach/differentiable',
    opts: { lr: 0.1, maximize: true, nesterov: true, momentum: 0.9 },
    sd: {
      state: [[0, [['momentum_buffer', t([3, 4])]]]],
      param_groups: [
        [
          ['lr', f(0.05)],
          ['momentum', f(0.9)],
          ['dampening', f(0.1)],
          ['weight_decay', f(0.01)],
          ['params', ALL],
        ],
      ],
    },
  },
];

describe('optim: SGD loads state dicts of older PyTorch like PyTorch', () => {
  let refs: LoadResult[] = [];

  before(function () {
    if (!hasPythonTorch()) this.skip();
    refs = pyOptim<LoadResult>(LOAD_CASES.map((c) => ({ kind: 'load', ...pyCase(c), sd: c.sd, steps: 4 })));
  });

  LOAD_CASES.forEach((c, ci) => {
    it(`${c.name}: the loaded state dict, and 4 more steps`, () => {
      const ref = refs[ci];
      const params = makeParams(DATA);
      const opt = make(c.opts, params);
      opt.loadStateDict(stateDictFromDesc(c.sd) as OptimizerStateDictInput);
      expectStateDict(opt.stateDict(), ref.loaded_sd);
      for (let s = 0; s < 4; s++) trainStep(opt, params, DATA);
      params.forEach((p, i) => expectClose(flat(p), ref.params[i], `param ${i}`));
      expectStateDict(opt.stateDict(), ref.final_sd);
      opt.dispose();
    });
  });
});

describe('optim: SGD behaviour', () => {
  let py: unknown[] = [];

  before(function () {
    if (!hasPythonTorch()) this.skip();
    py = pyExec([
      // 0: maximize with momentum: gradients untouched, parameters ascend, the buffer holds the negated gradient
      `a = torch.tensor([1., -2.], requires_grad=True)
opt = SGD([a], lr=0.1, maximize=True, momentum=0.9)
a.square().sum().backward()
opt.step()
result = [a.grad.tolist(), a.tolist(), opt.state[a]['momentum_buffer'].tolist()]`,
      // 1: momentum set to 0 after a step: the buffer stays, untouched
      `a = torch.tensor([1.], requires_grad=True)
opt = SGD([a], lr=0.1, momentum=0.9)
a.sum().backward()
opt.step()
opt.param_groups[0]['momentum'] = 0
opt.step()
result = [a.tolist(), opt.state[a]['momentum_buffer'].tolist()]`,
    ]).map((x) => x.result);
  });

  it('maximize leaves the gradients as they were', () => {
    const [grad, after, buffer] = py[0] as number[][];
    const a = torch.tensor([1, -2], { dtype: 'float32', requiresGrad: true });
    const opt = new SGD([a], { lr: 0.1, maximize: true, momentum: 0.9 });
    a.square().sum().backward();
    opt.step();
    expect(flat(a.grad as Tensor)).to.deep.equal(grad);
    expectClose(flat(a), after, 'ascended');
    expect(flat(opt.state.get(a)?.momentumBuffer as Tensor)).to.deep.equal(buffer);
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

  it('setting momentum to 0 later leaves the existing buffer as it was', () => {
    const [after, buffer] = py[1] as number[][];
    const a = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const opt = new SGD([a], { lr: 0.1, momentum: 0.9 });
    a.sum().backward();
    opt.step();
    const buf = opt.state.get(a)?.momentumBuffer;
    opt.paramGroups[0].momentum = 0;
    opt.step();
    expect(opt.state.get(a)?.momentumBuffer).to.equal(buf);
    expectClose(flat(a), after, 'two steps');
    expect(flat(buf as Tensor)).to.deep.equal(buffer);
  });
});

const p = () => torch.tensor([0], { dtype: 'float32', requiresGrad: true });

errorsVsPython("optim: SGD errors with PyTorch's messages", [
  { name: 'negative lr', py: 'SGD([p()], lr=-1)', ts: () => new SGD([p()], { lr: -1 }), cls: RangeError },
  { name: 'negative momentum', py: 'SGD([p()], lr=0.1, momentum=-0.5)', ts: () => new SGD([p()], { lr: 0.1, momentum: -0.5 }), cls: RangeError },
  { name: 'negative weight decay', py: 'SGD([p()], lr=0.1, weight_decay=-1)', ts: () => new SGD([p()], { lr: 0.1, weightDecay: -1 }), cls: RangeError },
  { name: 'nesterov without momentum', py: 'SGD([p()], lr=0.1, nesterov=True)', ts: () => new SGD([p()], { lr: 0.1, nesterov: true }), cls: RangeError },
  {
    name: 'nesterov with dampening',
    py: 'SGD([p()], lr=0.1, nesterov=True, momentum=0.9, dampening=0.1)',
    ts: () => new SGD([p()], { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 }),
    cls: RangeError,
  },
]);

describe('optim: SGD errors of this library', () => {
  it('checks every group, not only the options (PyTorch checks only the options)', () => {
    expect(thrown(() => new SGD([{ params: [p()], momentum: 0 }], { lr: 0.1, momentum: 0.9, nesterov: true }), RangeError)).to.equal(
      'Nesterov momentum requires a momentum and zero dampening',
    );
    expect(thrown(() => new SGD([{ params: [p()], lr: -0.5 }]), RangeError)).to.equal('Invalid learning rate: -0.5');
  });

  it('rejects a NaN lr or momentum (PyTorch lets them through)', () => {
    expect(thrown(() => new SGD([p()], { lr: NaN }), RangeError)).to.equal('Invalid learning rate: nan');
    expect(thrown(() => new SGD([p()], { momentum: NaN }), RangeError)).to.equal('Invalid momentum value: nan');
  });

  it('differentiable and fused true are not supported', () => {
    const why = '(not supported: the update runs natively, one call per group)';
    expect(thrown(() => new SGD([p()], { differentiable: true }), RangeError)).to.equal(
      `Expected false for differentiable but received true of type boolean ${why}`,
    );
    expect(thrown(() => new SGD([p()], { fused: true }), RangeError)).to.equal(`Expected false or null for fused but received true of type boolean ${why}`);
  });

  it('unknown options and values of the wrong kind throw TypeError naming them', () => {
    expect(thrown(() => new SGD([p()], { lr: 0.1, betas: [0.9, 0.99] } as never), TypeError)).to.equal(
      "Unknown option 'betas' for SGD; expected one of: lr, momentum, dampening, weightDecay, nesterov, maximize, foreach, differentiable, fused",
    );
    expect(thrown(() => new SGD([{ params: [p()], nesterof: true } as never], { lr: 0.1 }), TypeError)).to.match(
      /^Unknown option 'nesterof' for SGD param group/,
    );
    expect(thrown(() => new SGD([p()], { lr: 0.1, nesterov: 'yes' } as never), TypeError)).to.equal(
      "Expected a boolean for nesterov but received 'yes' of type string",
    );
    expect(thrown(() => new SGD([p()], { dampening: null } as never), TypeError)).to.equal('Expected a number for dampening but received null');
  });

  it('loading an invalid value throws and changes nothing', () => {
    const opt = new SGD([p(), p()], { lr: 0.1 });
    const sd = opt.stateDict();
    sd.param_groups[0].momentum = -1;
    expect(thrown(() => opt.loadStateDict(sd), RangeError)).to.equal('Invalid momentum value: -1');
    expect(opt.paramGroups[0].momentum).to.equal(0);
    const missing = opt.stateDict();
    delete (missing.param_groups[0] as Record<string, unknown>).dampening;
    expect(thrown(() => opt.loadStateDict(missing), TypeError)).to.equal(
      'Expected a value for dampening in param_groups[0] of the loaded state dict but received undefined',
    );
    expect(thrown(() => opt.loadStateDict({ state: { 0: { momentum_buffer: 3 } }, param_groups: opt.stateDict().param_groups } as never), TypeError)).to.equal(
      "Expected a Tensor or null for state 'momentum_buffer' but received 3 of type number",
    );
  });
});
