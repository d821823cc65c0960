/**
 * RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, ASGD and Rprop vs PyTorch
 * (the reference the addon links): parameters after every step of 20 for
 * several option combinations each, the state dict (keys, order, dtypes,
 * shapes, values) mid-way and at the end, defaults and repr, and save/load
 * continuation both ways (TS→TS, Python→TS, and TS→Python through a
 * torch.save'd file); then behaviour and every error a user can cause.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import {
  ASGD,
  Adadelta,
  Adagrad,
  Adamax,
  NAdam,
  RAdam,
  RMSprop,
  Rprop,
  type Optimizer,
  type OptimizerStateDict,
  type OptimizerStateDictInput,
} from '../lib/torch/optim/index.js';
import { hasPythonTorch } from './helpers/python.js';
import {
  errorsVsPython,
  expectClose,
  expectStateDict,
  expectValue,
  flat,
  makeParams,
  modelData,
  pyKwargs,
  pyOptim,
  snapshot,
  stateDictFromDesc,
  tempDir,
  thrown,
  trainStep,
  type OptResult,
  type PyDesc,
  type StateDictDesc,
} from './30-optim-helpers.js';

const CLASSES = { RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop } as const;
type Cls = keyof typeof CLASSES;
type Groups = ({ params: number[] } & Record<string, unknown>)[];

interface Case {
  name: string;
  cls: Cls;
  opts: Record<string, unknown>;
  groups?: Groups;
  named?: boolean;
}

const STEPS = 20;
const SAVE_AT = 8;
const NAMES = ['W', 'b', 'u'];

const CASES: Case[] = [
  { name: 'RMSprop defaults', cls: 'RMSprop', opts: {} },
  { name: 'RMSprop momentum + centered + weight decay', cls: 'RMSprop', opts: { lr: 0.02, momentum: 0.9, centered: true, weightDecay: 0.1, alpha: 0.9 } },
  { name: 'RMSprop maximize + eps', cls: 'RMSprop', opts: { lr: 0.005, maximize: true, eps: 1e-3, momentum: 0.5 } },
  {
    name: 'RMSprop groups',
    cls: 'RMSprop',
    opts: { lr: 0.01 },
    groups: [
      { params: [0], centered: true },
      { params: [1, 2], momentum: 0.3, lr: 0.03 },
    ],
    named: true,
  },
  { name: 'Adagrad defaults', cls: 'Adagrad', opts: {} },
  {
    name: 'Adagrad lrDecay + initialAccumulatorValue + weight decay',
    cls: 'Adagrad',
    opts: { lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.1, weightDecay: 0.2, eps: 1e-6 },
  },
  {
    name: 'Adagrad maximize + groups',
    cls: 'Adagrad',
    opts: { lr: 0.05, maximize: true },
    groups: [
      { params: [0, 2], lr: 0.2 },
      { params: [1], lrDecay: 0.1 },
    ],
  },
  { name: 'Adadelta defaults', cls: 'Adadelta', opts: {} },
  { name: 'Adadelta rho + eps + weight decay', cls: 'Adadelta', opts: { lr: 0.5, rho: 0.8, eps: 1e-4, weightDecay: 0.1 } },
  { name: 'Adadelta maximize', cls: 'Adadelta', opts: { maximize: true, foreach: false } },
  { name: 'Adamax defaults (lr raised)', cls: 'Adamax', opts: { lr: 0.05 } },
  { name: 'Adamax betas + weight decay + eps', cls: 'Adamax', opts: { lr: 0.03, betas: [0.8, 0.95], weightDecay: 0.1, eps: 1e-3 } },
  { name: 'Adamax maximize', cls: 'Adamax', opts: { lr: 0.02, maximize: true }, named: true },
  { name: 'NAdam defaults (lr raised)', cls: 'NAdam', opts: { lr: 0.05 } },
  { name: 'NAdam weight decay + momentumDecay', cls: 'NAdam', opts: { lr: 0.03, weightDecay: 0.1, momentumDecay: 0.01, betas: [0.85, 0.99] } },
  { name: 'NAdam decoupled weight decay + maximize', cls: 'NAdam', opts: { lr: 0.02, weightDecay: 0.3, decoupledWeightDecay: true, maximize: true } },
  { name: 'RAdam defaults (lr raised)', cls: 'RAdam', opts: { lr: 0.05 } },
  { name: 'RAdam low beta2 (rectified from step 6 on) + weight decay', cls: 'RAdam', opts: { lr: 0.05, betas: [0.9, 0.6], weightDecay: 0.1 } },
  {
    name: 'RAdam decoupled weight decay + maximize + groups',
    cls: 'RAdam',
    opts: { lr: 0.02, weightDecay: 0.2, decoupledWeightDecay: true, maximize: true, betas: [0.8, 0.5] },
    groups: [{ params: [0] }, { params: [1, 2], lr: 0.05 }],
  },
  { name: 'ASGD defaults (lr raised)', cls: 'ASGD', opts: { lr: 0.05 } },
  { name: 'ASGD averaging from t0 = 5, lambd, alpha, weight decay', cls: 'ASGD', opts: { lr: 0.05, t0: 5, lambd: 0.01, alpha: 0.5, weightDecay: 0.05 } },
  { name: 'ASGD maximize', cls: 'ASGD', opts: { lr: 0.01, maximize: true, t0: 3 } },
  { name: 'Rprop defaults', cls: 'Rprop', opts: {} },
  { name: 'Rprop etas + stepSizes', cls: 'Rprop', opts: { lr: 0.05, etas: [0.3, 1.5], stepSizes: [0.001, 0.2] } },
  { name: 'Rprop maximize + groups', cls: 'Rprop', opts: { lr: 0.02, maximize: true }, groups: [{ params: [0], etas: [0.4, 1.1] }, { params: [1, 2] }] },
];

const DATA = modelData(11);

function make(cls: Cls, opts: Record<string, unknown>, params: Tensor[], groups?: Groups, named = false): Optimizer {
  const pick = (i: number) => (named ? ([NAMES[i], params[i]] as const) : params[i]);
  const input = groups ? groups.map((g) => ({ ...g, params: g.params.map(pick) })) : params.map((_, i) => pick(i));
  const C = CLASSES[cls] as unknown as new (p: unknown, o: unknown) => Optimizer;
  return new C(input, opts);
}

const makeCase = (c: Case, params: Tensor[]) => make(c.cls, c.opts, params, c.groups, c.named);

function pyCase(c: Case): Record<string, unknown> {
  return {
    opt: c.cls,
    kwargs: pyKwargs(c.opts),
    groups: c.groups ? c.groups.map((g) => pyKwargs(g)) : null,
    named: c.named ?? false,
    init: DATA.init,
    X: DATA.X,
    Y: DATA.Y,
  };
}

describe('optim: RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop vs PyTorch', () => {
  let refs: OptResult[] = [];
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
    refs = pyOptim<OptResult>(CASES.map((c, ci) => ({ kind: 'opt', ...pyCase(c), steps: STEPS, save_at: SAVE_AT, ts_file: files[ci] })));
  });

  CASES.forEach((c, ci) => {
    it(`${c.name}: parameters after each of 20 steps, state dict, defaults, repr, save/load both ways`, () => {
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
      expect(String(opt), 'repr').to.equal((ref as OptResult & { repr: string }).repr);
      const defaults = (ref as OptResult & { defaults: [string, PyDesc][] }).defaults;
      expect(
        Object.keys(opt.defaults).map((k) => k.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)),
        'defaults keys',
      ).to.deep.equal(defaults.map(([k]) => k));
      for (const [k, d] of defaults) {
        const v = (opt.defaults as Record<string, unknown>)[k.replace(/_([a-z])/g, (_m, x: string) => x.toUpperCase())];
        // PyTorch keeps betas/etas/step_sizes as tuples; `defaults` holds arrays.
        expectValue(v, d !== null && 'tuple' in d ? { list: d.tuple } : d, `defaults.${k}`);
      }

      // TS state dict -> fresh TS optimizer: continues identically.
      const params2 = savedParams.map((p) => p.clone().requiresGrad_(true));
      const opt2 = makeCase(c, params2);
      opt2.loadStateDict(saved as OptimizerStateDict);
      for (let s = SAVE_AT; s < STEPS; s++) trainStep(opt2, params2, DATA);
      params2.forEach((p, i) => {
        expect(flat(p), `resumed param ${i} equals the uninterrupted run`).to.deep.equal(flat(params[i]));
        expectClose(flat(p), ref.resumed[i], `resumed param ${i}`);
      });
      expectStateDict(opt2.stateDict(), ref.final_sd);

      // Python's state dict -> fresh TS optimizer on Python's parameters: continues as Python did.
      const pyParams = ref.history[SAVE_AT - 1].map((v, i) => torch.tensor(v, { dtype: 'float32' }).reshape(params[i].shape).requiresGrad_(true));
      const opt3 = makeCase(c, pyParams);
      opt3.loadStateDict(stateDictFromDesc(ref.saved_sd) as OptimizerStateDictInput);
      for (let s = SAVE_AT; s < STEPS; s++) trainStep(opt3, pyParams, DATA);
      pyParams.forEach((p, i) => expectClose(flat(p), ref.history[STEPS - 1][i], `python-resumed param ${i}`));
      expectStateDict(opt3.stateDict(), ref.final_sd);

      // TS's torch.save'd state dict -> Python: loads to Python's own state dict and continues as Python did.
      expectStateDict(stateDictFromDesc(ref.ts_loaded_sd as StateDictDesc) as never, ref.saved_sd);
      (ref.ts_resumed as number[][]).forEach((v, i) => expectClose(v, ref.history[STEPS - 1][i], `python continuing TS's checkpoint: param ${i}`));
      for (const o of [opt, opt2, opt3]) o.dispose();
    });
  });
});

const p = () => torch.tensor([0], { dtype: 'float32', requiresGrad: true });
const O = 'torch.optim.';

errorsVsPython("optim: RMSprop ... Rprop errors with PyTorch's messages", [
  { name: 'RMSprop negative lr', py: `${O}RMSprop([p()], lr=-1)`, ts: () => new RMSprop([p()], { lr: -1 }), cls: RangeError },
  { name: 'RMSprop negative eps', py: `${O}RMSprop([p()], eps=-1e-9)`, ts: () => new RMSprop([p()], { eps: -1e-9 }), cls: RangeError },
  { name: 'RMSprop negative momentum', py: `${O}RMSprop([p()], momentum=-0.5)`, ts: () => new RMSprop([p()], { momentum: -0.5 }), cls: RangeError },
  { name: 'RMSprop negative weight decay', py: `${O}RMSprop([p()], weight_decay=-0.1)`, ts: () => new RMSprop([p()], { weightDecay: -0.1 }), cls: RangeError },
  { name: 'RMSprop negative alpha', py: `${O}RMSprop([p()], alpha=-0.5)`, ts: () => new RMSprop([p()], { alpha: -0.5 }), cls: RangeError },
  { name: 'Adagrad negative lr', py: `${O}Adagrad([p()], lr=-0.5)`, ts: () => new Adagrad([p()], { lr: -0.5 }), cls: RangeError },
  { name: 'Adagrad negative lr_decay', py: `${O}Adagrad([p()], lr_decay=-0.5)`, ts: () => new Adagrad([p()], { lrDecay: -0.5 }), cls: RangeError },
  { name: 'Adagrad negative weight decay', py: `${O}Adagrad([p()], weight_decay=-2)`, ts: () => new Adagrad([p()], { weightDecay: -2 }), cls: RangeError },
  {
    name: 'Adagrad negative initial accumulator',
    py: `${O}Adagrad([p()], initial_accumulator_value=-0.1)`,
    ts: () => new Adagrad([p()], { initialAccumulatorValue: -0.1 }),
    cls: RangeError,
  },
  { name: 'Adagrad negative eps', py: `${O}Adagrad([p()], eps=-0.1)`, ts: () => new Adagrad([p()], { eps: -0.1 }), cls: RangeError },
  { name: 'Adadelta negative lr', py: `${O}Adadelta([p()], lr=-1)`, ts: () => new Adadelta([p()], { lr: -1 }), cls: RangeError },
  { name: 'Adadelta rho above 1', py: `${O}Adadelta([p()], rho=1.5)`, ts: () => new Adadelta([p()], { rho: 1.5 }), cls: RangeError },
  { name: 'Adadelta negative rho', py: `${O}Adadelta([p()], rho=-0.5)`, ts: () => new Adadelta([p()], { rho: -0.5 }), cls: RangeError },
  { name: 'Adadelta negative eps', py: `${O}Adadelta([p()], eps=-0.5)`, ts: () => new Adadelta([p()], { eps: -0.5 }), cls: RangeError },
  {
    name: 'Adadelta negative weight decay',
    py: `${O}Adadelta([p()], weight_decay=-0.5)`,
    ts: () => new Adadelta([p()], { weightDecay: -0.5 }),
    cls: RangeError,
  },
  { name: 'Adamax negative lr', py: `${O}Adamax([p()], lr=-1)`, ts: () => new Adamax([p()], { lr: -1 }), cls: RangeError },
  { name: 'Adamax beta 0', py: `${O}Adamax([p()], betas=(1.0, 0.9))`, ts: () => new Adamax([p()], { betas: [1, 0.9] }), cls: RangeError },
  { name: 'Adamax beta 1', py: `${O}Adamax([p()], betas=(0.9, 1.5))`, ts: () => new Adamax([p()], { betas: [0.9, 1.5] }), cls: RangeError },
  { name: 'Adamax negative eps', py: `${O}Adamax([p()], eps=-0.5)`, ts: () => new Adamax([p()], { eps: -0.5 }), cls: RangeError },
  { name: 'Adamax negative weight decay', py: `${O}Adamax([p()], weight_decay=-0.5)`, ts: () => new Adamax([p()], { weightDecay: -0.5 }), cls: RangeError },
  { name: 'NAdam negative lr', py: `${O}NAdam([p()], lr=-1)`, ts: () => new NAdam([p()], { lr: -1 }), cls: RangeError },
  { name: 'NAdam beta 0', py: `${O}NAdam([p()], betas=(-0.5, 0.9))`, ts: () => new NAdam([p()], { betas: [-0.5, 0.9] }), cls: RangeError },
  { name: 'NAdam negative eps', py: `${O}NAdam([p()], eps=-0.5)`, ts: () => new NAdam([p()], { eps: -0.5 }), cls: RangeError },
  { name: 'NAdam negative weight decay', py: `${O}NAdam([p()], weight_decay=-0.5)`, ts: () => new NAdam([p()], { weightDecay: -0.5 }), cls: RangeError },
  { name: 'NAdam negative momentum decay', py: `${O}NAdam([p()], momentum_decay=-0.5)`, ts: () => new NAdam([p()], { momentumDecay: -0.5 }), cls: RangeError },
  { name: 'RAdam negative lr', py: `${O}RAdam([p()], lr=-1)`, ts: () => new RAdam([p()], { lr: -1 }), cls: RangeError },
  { name: 'RAdam beta 1', py: `${O}RAdam([p()], betas=(0.5, 1.0))`, ts: () => new RAdam([p()], { betas: [0.5, 1] }), cls: RangeError },
  { name: 'RAdam negative eps', py: `${O}RAdam([p()], eps=-0.5)`, ts: () => new RAdam([p()], { eps: -0.5 }), cls: RangeError },
  { name: 'RAdam negative weight decay', py: `${O}RAdam([p()], weight_decay=-0.5)`, ts: () => new RAdam([p()], { weightDecay: -0.5 }), cls: RangeError },
  { name: 'ASGD negative lr', py: `${O}ASGD([p()], lr=-1)`, ts: () => new ASGD([p()], { lr: -1 }), cls: RangeError },
  { name: 'ASGD negative weight decay', py: `${O}ASGD([p()], weight_decay=-0.5)`, ts: () => new ASGD([p()], { weightDecay: -0.5 }), cls: RangeError },
  { name: 'Rprop negative lr', py: `${O}Rprop([p()], lr=-1)`, ts: () => new Rprop([p()], { lr: -1 }), cls: RangeError },
  { name: 'Rprop etaminus above 1', py: `${O}Rprop([p()], etas=(1.5, 2.5))`, ts: () => new Rprop([p()], { etas: [1.5, 2.5] }), cls: RangeError },
  { name: 'Rprop etaplus below 1', py: `${O}Rprop([p()], etas=(0.5, 0.75))`, ts: () => new Rprop([p()], { etas: [0.5, 0.75] }), cls: RangeError },
  { name: 'RMSprop empty parameter list', py: `${O}RMSprop([])`, ts: () => new RMSprop([]), cls: RangeError },
  {
    name: 'Rprop loading a state dict whose group has another size',
    py: `${O}Rprop([p(), p()]).load_state_dict(${O}Rprop([p()]).state_dict())`,
    ts: () => new Rprop([p(), p()]).loadStateDict(new Rprop([p()]).stateDict()),
    cls: RangeError,
    prefix: true,
  },
]);

describe('optim: RMSprop ... Rprop options this library checks or refuses', () => {
  const why = "(not supported: the update runs PyTorch's single-tensor algorithm)";

  it('unknown options and values of the wrong kind throw TypeError naming them', () => {
    expect(thrown(() => new RMSprop([p()], { weight_decay: 0.1 } as never), TypeError)).to.equal(
      "Unknown option 'weight_decay' for RMSprop; expected one of: lr, momentum, alpha, eps, centered, weightDecay, capturable, foreach, maximize, differentiable",
    );
    expect(thrown(() => new Adagrad([p()], { lrDecay: '0' } as never), TypeError)).to.equal("Expected a number for lrDecay but received '0' of type string");
    expect(thrown(() => new Rprop([p()], { etas: [0.5] } as never), TypeError)).to.equal(
      'Expected an array of two numbers for etas but received an array of length 1',
    );
    expect(thrown(() => new Rprop([p()], { stepSizes: 1 } as never), TypeError)).to.equal(
      'Expected an array of two numbers for stepSizes but received 1 of type number',
    );
    expect(thrown(() => new ASGD([p()], { t0: null } as never), TypeError)).to.equal('Expected a number for t0 but received null');
    expect(thrown(() => new NAdam([p()], { decoupledWeightDecay: 1 } as never), TypeError)).to.equal(
      'Expected a boolean for decoupledWeightDecay but received 1 of type number',
    );
    expect(thrown(() => new RMSprop([p()], { centered: 'yes' } as never), TypeError)).to.equal(
      "Expected a boolean for centered but received 'yes' of type string",
    );
  });

  it('foreach, fused, capturable and differentiable true are refused (the single-tensor algorithm always runs)', () => {
    expect(thrown(() => new RMSprop([p()], { foreach: true }), RangeError)).to.equal(
      `Expected false or null for foreach but received true of type boolean ${why}`,
    );
    expect(thrown(() => new Adagrad([p()], { fused: true }), RangeError)).to.equal(`Expected false or null for fused but received true of type boolean ${why}`);
    expect(thrown(() => new RAdam([p()], { capturable: true }), RangeError)).to.equal(`Expected false for capturable but received true of type boolean ${why}`);
    expect(thrown(() => new ASGD([p()], { differentiable: true }), RangeError)).to.equal(
      `Expected false for differentiable but received true of type boolean ${why}`,
    );
    for (const C of [RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop]) {
      expect(() => new (C as unknown as new (p: unknown, o: unknown) => Optimizer)([p()], { foreach: false }), C.name).to.not.throw();
    }
  });
});

describe('optim: RMSprop ... Rprop behaviour', () => {
  it('parameters without a gradient get no state (Adagrad: state for all, made by the constructor, as PyTorch)', () => {
    for (const C of [RMSprop, Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop]) {
      const a = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
      const b = torch.tensor([3], { dtype: 'float32', requiresGrad: true });
      const opt = new (C as unknown as new (p: unknown) => Optimizer)([a, b]);
      a.square().sum().backward();
      opt.step();
      expect([...opt.state.keys()], C.name).to.deep.equal([a]);
      expect(flat(b), C.name).to.deep.equal([3]);
      opt.dispose();
    }
    const a = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new Adagrad([a], { initialAccumulatorValue: 0.5 });
    expect(Object.keys(opt.state.get(a) as object)).to.deep.equal(['step', 'sum']);
    expect(flat(opt.state.get(a)?.sum as Tensor)).to.deep.equal([0.5, 0.5]);
  });

  it('state survives tidy scopes and the live-tensor count stays flat', () => {
    for (const C of [RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop]) {
      const a = torch.tensor([1, -2, 3], { dtype: 'float32', requiresGrad: true });
      const opt = new (C as unknown as new (p: unknown, o: unknown) => Optimizer)([a], C === RMSprop ? { momentum: 0.9, centered: true } : {});
      const step = () =>
        torch.tidy(() => {
          opt.zeroGrad();
          a.square().sum().backward();
          opt.step();
        });
      step();
      const live = torch.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(torch.memory().numTensors, C.name).to.equal(live);
      const s = opt.state.get(a) as Record<string, Tensor>;
      expect(s.step.item(), C.name).to.equal(4);
      opt.dispose();
      for (const x of Object.values(s)) expect(x.isDisposed, C.name).to.equal(true);
    }
  });

  it('step(closure) returns the closure result', () => {
    const a = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new NAdam([a]);
    const l = opt.step(() => {
      opt.zeroGrad();
      const x = a.square().sum();
      x.backward();
      return x.item();
    });
    expect(l).to.equal(5);
    expect(opt.step()).to.equal(undefined);
  });
});

// State dicts in the layouts older PyTorch releases wrote (integer step, Python-float scalars, keys added later).
const f = (x: number): PyDesc => ({ float: x });
const b = (x: boolean): PyDesc => ({ bool: x });
const tt = (data: number[], shape: number[]): PyDesc => ({ tensor: { dtype: 'float32', shape, data } });
const W12 = (s: number) => Array.from({ length: 12 }, (_, i) => ((i % 5) + 1) * s);
const B3 = (s: number) => [1, 2, 3].map((x) => x * s);
const ALL: PyDesc = { list: [{ int: 0 }, { int: 1 }, { int: 2 }] };

interface LoadCase {
  name: string;
  cls: Cls;
  opts: Record<string, unknown>;
  sd: StateDictDesc;
}

const LOAD_CASES: LoadCase[] = [
  {
    name: 'RMSprop of PyTorch < 1.12 (integer step; no centered/foreach/maximize/differentiable/capturable)',
    cls: 'RMSprop',
    opts: {},
    sd: {
      state: [
        [
          0,
          [
            ['step', { int: 3 }],
            ['square_avg', tt(W12(0.01), [3, 4])],
            ['momentum_buffer', tt(W12(0.02), [3, 4])],
          ],
        ],
        [
          1,
          [
            ['step', { int: 3 }],
            ['square_avg', tt(B3(0.01), [3])],
            ['momentum_buffer', tt(B3(0.03), [3])],
          ],
        ],
      ],
      param_groups: [
        [
          ['lr', f(0.01)],
          ['momentum', f(0.5)],
          ['alpha', f(0.9)],
          ['eps', f(1e-8)],
          ['weight_decay', { int: 0 }],
          ['params', ALL],
        ],
      ],
    },
  },
  {
    name: 'NAdam with integer step and a float mu_product (no decoupled_weight_decay)',
    cls: 'NAdam',
    opts: {},
    sd: {
      state: [
        [
          0,
          [
            ['step', { int: 4 }],
            ['mu_product', f(0.6)],
            ['exp_avg', tt(W12(0.01), [3, 4])],
            ['exp_avg_sq', tt(W12(0.001), [3, 4])],
          ],
        ],
        [
          1,
          [
            ['step', { int: 4 }],
            ['mu_product', f(0.6)],
            ['exp_avg', tt(B3(0.01), [3])],
            ['exp_avg_sq', tt(B3(0.001), [3])],
          ],
        ],
      ],
      param_groups: [
        [
          ['lr', f(0.02)],
          ['betas', { tuple: [f(0.9), f(0.999)] }],
          ['eps', f(1e-8)],
          ['weight_decay', { int: 0 }],
          ['momentum_decay', f(0.004)],
          ['foreach', null],
          ['params', ALL],
        ],
      ],
    },
  },
  {
    name: 'ASGD with Python-number step, eta and mu',
    cls: 'ASGD',
    opts: {},
    sd: {
      state: [
        [
          0,
          [
            ['step', { int: 6 }],
            ['eta', f(0.04)],
            ['mu', f(0.5)],
            ['ax', tt(W12(0.1), [3, 4])],
          ],
        ],
        [
          1,
          [
            ['step', { int: 6 }],
            ['eta', f(0.04)],
            ['mu', f(0.5)],
            ['ax', tt(B3(0.1), [3])],
          ],
        ],
      ],
      param_groups: [
        [
          ['lr', f(0.05)],
          ['lambd', f(1e-4)],
          ['alpha', f(0.75)],
          ['t0', { int: 2 }],
          ['weight_decay', { int: 0 }],
          ['params', ALL],
        ],
      ],
    },
  },
  {
    name: 'Rprop 1.13 layout (no differentiable/capturable) with keys it does not know kept',
    cls: 'Rprop',
    opts: {},
    sd: {
      state: [
        [
          0,
          [
            ['step', { int: 2 }],
            ['prev', tt(W12(0.01), [3, 4])],
            ['step_size', tt(W12(0.02), [3, 4])],
          ],
        ],
      ],
      param_groups: [
        [
          ['lr', f(0.01)],
          ['etas', { tuple: [f(0.5), f(1.2)] }],
          ['step_sizes', { tuple: [f(1e-6), { int: 50 }] }],
          ['foreach', null],
          ['maximize', b(false)],
          ['some_future_key', { str: 'x' }],
          ['params', ALL],
        ],
      ],
    },
  },
];

describe('optim: RMSprop, NAdam, ASGD, Rprop load state dicts of older PyTorch like PyTorch', () => {
  let refs: { loaded_sd: StateDictDesc; params: number[][]; final_sd: StateDictDesc }[] = [];

  before(function () {
    if (!hasPythonTorch()) this.skip();
    refs = pyOptim(
      LOAD_CASES.map((c) => ({ kind: 'load', opt: c.cls, kwargs: pyKwargs(c.opts), groups: null, init: DATA.init, X: DATA.X, Y: DATA.Y, sd: c.sd, steps: 4 })),
    );
  });

  LOAD_CASES.forEach((c, ci) => {
    it(`${c.name}: the loaded state dict, and 4 more steps`, () => {
      const ref = refs[ci];
      const params = makeParams(DATA);
      const opt = make(c.cls, c.opts, params);
      opt.loadStateDict(stateDictFromDesc(c.sd) as OptimizerStateDictInput);
      expectStateDict(opt.stateDict(), ref.loaded_sd);
      for (let s = 0; s < 4; s++) trainStep(opt, params, DATA);
      params.forEach((p, i) => expectClose(flat(p), ref.params[i], `param ${i}`));
      expectStateDict(opt.stateDict(), ref.final_sd);
      opt.dispose();
    });
  });

  it('a number for a state that is no scalar is refused', () => {
    const a = p();
    const opt = new RMSprop([a]);
    expect(
      thrown(() => opt.loadStateDict({ state: new Map([[0, { step: 1, square_avg: 3 }]]), param_groups: opt.stateDict().param_groups } as never), TypeError),
    ).to.equal("Expected a Tensor for state 'square_avg' but received 3 of type number");
  });
});
