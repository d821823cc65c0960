/**
 * LR schedulers vs PyTorch (the reference the addon links): the lr (and
 * cycled momentum) of every group after construction and after each step,
 * resuming with lastEpoch, the scheduler's state dict (2.x keys: no verbose,
 * _is_initial, OneCycleLR's _anneal_func_type) and the param-group keys
 * schedulers add, save/load both ways (Python→TS from Python's state dicts,
 * TS→Python through a torch.save'd file), 1.x state dicts, and every error a
 * user can cause.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import {
  Adam,
  CosineAnnealingLR,
  LambdaLR,
  LinearLR,
  OneCycleLR,
  SGD,
  StepLR,
  getLinearScheduleWithWarmup,
  lrScheduler,
  type LRScheduler,
  type LRSchedulerStateDict,
  type Optimizer,
  type OptimizerStateDictInput,
  type ParamGroup,
} from '../lib/torch/optim/index.js';
import { PyTuple } from '../lib/torch/serialization/pickle.js';
import { hasPythonTorch } from './helpers/python.js';
import {
  SignSGD,
  errorsVsPython,
  expectClose,
  expectValue,
  pyOptim,
  stateDictFromDesc,
  tempDir,
  thrown,
  type PyDesc,
  type StateDictDesc,
} from './30-optim-helpers.js';

interface SchedResult {
  lrs: number[][];
  momentums: (number | null)[][];
  sched_sd: [string, PyDesc][];
  param_groups: [string, PyDesc][][];
  mid: { opt_sd: StateDictDesc; sched_sd: [string, PyDesc][] };
  ts_lrs: number[][];
}

type OptName = 'SGD' | 'Adam';

interface Case {
  name: string;
  opt: OptName;
  optOpts: Record<string, unknown>;
  lrs: number[];
  steps: number;
  /** Keys added to each group before the scheduler is built (snake_case, as Python). */
  groupExtra?: Record<string, unknown>[];
  /** A scheduler state dict loaded right after construction. */
  loadSd?: [string, PyDesc][];
  /** Python: scheduler class and kwargs. */
  py: { sched: string; kwargs: Record<string, unknown> };
  /** TS: builds the scheduler. */
  make: (o: Optimizer) => LRScheduler;
}

const EXP = (e: number) => 0.95 ** e;
const STEPWISE = (e: number) => 1.0 / (1 + Math.floor(e / 3));
const f = (x: number): PyDesc => ({ float: x });
const i = (x: number): PyDesc => ({ int: x });
const fl = (xs: number[]): PyDesc => ({ list: xs.map(f) });

const CASES: Case[] = [
  {
    name: 'StepLR(step_size=3, gamma=0.5)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1, 0.01],
    steps: 12,
    py: { sched: 'StepLR', kwargs: { step_size: 3, gamma: 0.5 } },
    make: (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 }),
  },
  {
    name: 'StepLR resumed (last_epoch=3)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1],
    groupExtra: [{ initial_lr: 0.4 }],
    steps: 7,
    py: { sched: 'StepLR', kwargs: { step_size: 2, gamma: 0.5, last_epoch: 3 } },
    make: (o) => new StepLR(o, { stepSize: 2, gamma: 0.5, lastEpoch: 3 }),
  },
  {
    name: 'LinearLR defaults',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1],
    steps: 8,
    py: { sched: 'LinearLR', kwargs: {} },
    make: (o) => new LinearLR(o),
  },
  {
    name: 'LinearLR(0.25 -> 0.75 over 4)',
    opt: 'Adam',
    optOpts: {},
    lrs: [0.3, 0.003],
    steps: 7,
    py: { sched: 'LinearLR', kwargs: { start_factor: 0.25, end_factor: 0.75, total_iters: 4 } },
    make: (o) => new LinearLR(o, { startFactor: 0.25, endFactor: 0.75, totalIters: 4 }),
  },
  {
    name: 'LinearLR resumed (last_epoch=2): the lr stays at construction',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.05, 0.2],
    groupExtra: [{ initial_lr: 0.1 }, { initial_lr: 0.3 }],
    steps: 6,
    py: { sched: 'LinearLR', kwargs: { total_iters: 5, last_epoch: 2 } },
    make: (o) => new LinearLR(o, { totalIters: 5, lastEpoch: 2 }),
  },
  {
    name: 'CosineAnnealingLR(T_max=5, eta_min=1e-3) past T_max',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1, 0.05],
    steps: 23,
    py: { sched: 'CosineAnnealingLR', kwargs: { T_max: 5, eta_min: 1e-3 } },
    make: (o) => new CosineAnnealingLR(o, { tMax: 5, etaMin: 1e-3 }),
  },
  {
    name: 'CosineAnnealingLR(T_max=10)',
    opt: 'Adam',
    optOpts: {},
    lrs: [0.001],
    steps: 10,
    py: { sched: 'CosineAnnealingLR', kwargs: { T_max: 10 } },
    make: (o) => new CosineAnnealingLR(o, { tMax: 10 }),
  },
  {
    name: 'CosineAnnealingLR resumed (T_max=4, last_epoch=3): the lr stays at construction',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.07],
    groupExtra: [{ initial_lr: 0.1 }],
    steps: 9,
    py: { sched: 'CosineAnnealingLR', kwargs: { T_max: 4, last_epoch: 3 } },
    make: (o) => new CosineAnnealingLR(o, { tMax: 4, lastEpoch: 3 }),
  },
  {
    name: 'LambdaLR(0.95 ** epoch)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1, 0.2],
    steps: 10,
    py: { sched: 'LambdaLR', kwargs: { lr_lambda: { name: 'exp' } } },
    make: (o) => new LambdaLR(o, EXP),
  },
  {
    name: 'LambdaLR with one lambda per group, resumed (last_epoch=5)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1, 0.2],
    groupExtra: [{ initial_lr: 0.1 }, { initial_lr: 0.2 }],
    steps: 10,
    py: { sched: 'LambdaLR', kwargs: { lr_lambda: [{ name: 'exp' }, { name: 'step' }], last_epoch: 5 } },
    make: (o) => new LambdaLR(o, [EXP, STEPWISE], { lastEpoch: 5 }),
  },
  {
    name: 'getLinearScheduleWithWarmup(3, 10) (Transformers), past the end',
    opt: 'Adam',
    optOpts: { weightDecay: 0.01 },
    lrs: [1e-4],
    steps: 12,
    py: { sched: 'LambdaLR', kwargs: { lr_lambda: { name: 'warmup', warmup: 3, total: 10 } } },
    make: (o) => getLinearScheduleWithWarmup(o, 3, 10),
  },
  {
    name: 'OneCycleLR(max_lr=0.1, total_steps=20) on Adam (cycles betas[0])',
    opt: 'Adam',
    optOpts: {},
    lrs: [0.001, 0.002],
    steps: 20,
    py: { sched: 'OneCycleLR', kwargs: { max_lr: 0.1, total_steps: 20 } },
    make: (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 20 }),
  },
  {
    name: 'OneCycleLR three-phase, linear, per-group max_lr, epochs x steps_per_epoch, on SGD momentum',
    opt: 'SGD',
    optOpts: { momentum: 0.9 },
    lrs: [0.01, 0.02],
    steps: 12,
    py: {
      sched: 'OneCycleLR',
      kwargs: { max_lr: [0.1, 0.05], epochs: 3, steps_per_epoch: 4, anneal_strategy: 'linear', three_phase: true, base_momentum: [0.8, 0.7] },
    },
    make: (o) => new OneCycleLR(o, { maxLr: [0.1, 0.05], epochs: 3, stepsPerEpoch: 4, annealStrategy: 'linear', threePhase: true, baseMomentum: [0.8, 0.7] }),
  },
  {
    name: 'OneCycleLR without momentum cycling, custom factors',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.01],
    steps: 15,
    py: {
      sched: 'OneCycleLR',
      kwargs: { max_lr: 0.2, total_steps: 15, cycle_momentum: false, pct_start: 0.4, div_factor: 10.0, final_div_factor: 100.0 },
    },
    make: (o) => new OneCycleLR(o, { maxLr: 0.2, totalSteps: 15, cycleMomentum: false, pctStart: 0.4, divFactor: 10, finalDivFactor: 100 }),
  },
  {
    name: 'OneCycleLR resumed (last_epoch=4) from the groups',
    opt: 'SGD',
    optOpts: { momentum: 0.9 },
    lrs: [0.01],
    groupExtra: [{ initial_lr: 0.004, max_lr: 0.1, min_lr: 4e-7, max_momentum: 0.95, base_momentum: 0.85 }],
    steps: 10,
    py: { sched: 'OneCycleLR', kwargs: { max_lr: 0.1, total_steps: 15, last_epoch: 4 } },
    make: (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 15, lastEpoch: 4 }),
  },
  {
    name: 'StepLR loading a PyTorch 1.13 state dict (verbose, no _is_initial): verbose is kept, as Python',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1],
    loadSd: [
      ['step_size', i(2)],
      ['gamma', f(0.5)],
      ['base_lrs', fl([0.3])],
      ['last_epoch', i(3)],
      ['verbose', { bool: false }],
      ['_step_count', i(4)],
      ['_get_lr_called_within_step', { bool: false }],
      ['_last_lr', fl([0.15])],
    ],
    steps: 5,
    py: { sched: 'StepLR', kwargs: { step_size: 3 } },
    make: (o) => new StepLR(o, { stepSize: 3 }),
  },
  {
    name: 'OneCycleLR loading a PyTorch 1.13 state dict (no _anneal_func_type): the strategy stays',
    opt: 'Adam',
    optOpts: {},
    lrs: [0.01],
    loadSd: [
      ['total_steps', i(12)],
      [
        '_schedule_phases',
        {
          list: [
            {
              dict: [
                ['end_step', f(2.6)],
                ['start_lr', { str: 'initial_lr' }],
                ['end_lr', { str: 'max_lr' }],
                ['start_momentum', { str: 'max_momentum' }],
                ['end_momentum', { str: 'base_momentum' }],
              ],
            },
            {
              dict: [
                ['end_step', i(11)],
                ['start_lr', { str: 'max_lr' }],
                ['end_lr', { str: 'min_lr' }],
                ['start_momentum', { str: 'base_momentum' }],
                ['end_momentum', { str: 'max_momentum' }],
              ],
            },
          ],
        },
      ],
      ['cycle_momentum', { bool: true }],
      ['use_beta1', { bool: true }],
      ['base_lrs', fl([0.004])],
      ['last_epoch', i(2)],
      ['verbose', { bool: false }],
      ['_step_count', i(3)],
      ['_get_lr_called_within_step', { bool: false }],
      ['_last_lr', fl([0.05])],
    ],
    steps: 8,
    py: { sched: 'OneCycleLR', kwargs: { max_lr: 0.1, total_steps: 12, anneal_strategy: 'linear' } },
    make: (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 12, annealStrategy: 'linear' }),
  },
];

const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

function makeOpt(c: Pick<Case, 'opt' | 'optOpts' | 'groupExtra'>, lrs: number[]): Optimizer {
  const groups = lrs.map((lr) => ({ params: [torch.zeros([2], { requiresGrad: true })], lr }));
  const opt = c.opt === 'SGD' ? new SGD(groups, c.optOpts) : new Adam(groups, c.optOpts);
  c.groupExtra?.forEach((extra, gi) => {
    for (const [k, v] of Object.entries(extra)) opt.paramGroups[gi][camel(k)] = v as number;
  });
  return opt;
}

function makePair(c: Case, lrs = c.lrs): [Optimizer, LRScheduler] {
  const opt = makeOpt(c, lrs);
  const sched = c.make(opt);
  if (c.loadSd) sched.loadStateDict(schedFromDesc(c.loadSd));
  return [opt, sched];
}

function momentumOf(g: ParamGroup): number | null {
  if (Array.isArray(g.betas)) return g.betas[0] as number;
  return typeof g.momentum === 'number' ? g.momentum : null;
}

function snakeKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}

/** A scheduler state dict from Python's description (floats as numbers, tuples as PyTuples). */
function schedFromDesc(d: [string, PyDesc][]): LRSchedulerStateDict {
  const conv = (x: PyDesc): unknown => {
    if (x === null) return null;
    if ('bool' in x) return x.bool;
    if ('int' in x) return x.int;
    if ('float' in x) return x.float;
    if ('str' in x) return x.str;
    if ('tuple' in x) return PyTuple.from(x.tuple.map(conv) as never[]);
    if ('list' in x) return x.list.map(conv);
    if ('dict' in x) return Object.fromEntries(x.dict.map(([k, y]) => [k, conv(y)]));
    throw new Error(`cannot convert ${JSON.stringify(x)}`);
  };
  return Object.fromEntries(d.map(([k, x]) => [k, conv(x)])) as LRSchedulerStateDict;
}

function expectSchedSd(sd: LRSchedulerStateDict, py: [string, PyDesc][], what: string): void {
  expect(Object.keys(sd), `${what} keys`).to.deep.equal(py.map(([k]) => k));
  for (const [k, d] of py) expectValue(sd[k], d, `${what}.${k}`);
}

describe('optim: LR schedulers vs PyTorch', () => {
  let refs: SchedResult[] = [];
  let dir = '';

  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  before(function () {
    if (!hasPythonTorch()) this.skip();
    // TypeScript's optimizer and scheduler state dicts halfway, for Python to continue from.
    dir = tempDir();
    const files = CASES.map((c, ci) => {
      const [opt, sched] = makePair(c);
      for (let s = 0; s < Math.floor(c.steps / 2); s++) {
        opt.step();
        sched.step();
      }
      const file = join(dir, `sched-${ci}.pt`);
      torch.save({ opt: opt.stateDict(), sched: sched.stateDict() }, file);
      return file;
    });
    refs = pyOptim<SchedResult>(
      CASES.map((c, ci) => ({
        kind: 'sched',
        sched: c.py.sched,
        kwargs: c.py.kwargs,
        opt: c.opt,
        opt_kwargs: snakeKeys(c.optOpts),
        lrs: c.lrs,
        group_extra: c.groupExtra ?? null,
        load_sd: c.loadSd ?? null,
        steps: c.steps,
        save_at: Math.floor(c.steps / 2),
        ts_file: files[ci],
      })),
    );
  });

  CASES.forEach((c, ci) => {
    it(`${c.name}: lr sequence, momentum, state dicts, param groups, save/load both ways`, () => {
      const ref = refs[ci];
      const half = Math.floor(c.steps / 2);
      const [opt, sched] = makePair(c);
      const lrs = [sched.getLastLr()];
      const moms = [opt.paramGroups.map(momentumOf)];
      for (let s = 0; s < c.steps; s++) {
        opt.step();
        sched.step();
        lrs.push(sched.getLastLr());
        moms.push(opt.paramGroups.map(momentumOf));
        if (s + 1 === half) expectSchedSd(sched.stateDict(), ref.mid.sched_sd, 'scheduler state dict halfway');
      }
      expect(lrs.length).to.equal(ref.lrs.length);
      lrs.forEach((l, s) => expectClose(l, ref.lrs[s], `lr after ${s} steps`, 1e-12, 1e-18));
      moms.forEach((m, s) => {
        if (ref.momentums[s][0] === null) expect(m.every((x) => x === null)).to.equal(true);
        else expectClose(m as number[], ref.momentums[s] as number[], `momentum after ${s} steps`, 1e-12, 0);
      });
      expectSchedSd(sched.stateDict(), ref.sched_sd, 'scheduler state dict');
      const groups = opt.stateDict().param_groups;
      ref.param_groups.forEach((g, gi) => {
        const tg = groups[gi] as Record<string, unknown>;
        expect(
          Object.keys(tg).filter((k) => k !== 'params'),
          `param_groups[${gi}] keys`,
        ).to.deep.equal(g.map(([k]) => k));
        for (const [k, d] of g) expectValue(tg[k], d, `param_groups[${gi}].${k}`);
      });

      // Python's state dicts halfway -> a fresh TS optimizer (other lrs) and scheduler: the rest as Python.
      const [opt2, sched2] = makePair(
        c,
        c.lrs.map((x) => x * 3),
      );
      opt2.loadStateDict(stateDictFromDesc(ref.mid.opt_sd) as OptimizerStateDictInput);
      sched2.loadStateDict(schedFromDesc(ref.mid.sched_sd));
      for (let s = half; s < c.steps; s++) {
        opt2.step();
        sched2.step();
        expectClose(sched2.getLastLr(), ref.lrs[s + 1], `lr after ${s + 1} steps, resumed from Python's state dicts`, 1e-12, 1e-18);
      }
      expectSchedSd(sched2.stateDict(), ref.sched_sd, 'resumed scheduler state dict');

      // TS's torch.save'd state dicts halfway -> Python: the rest as Python's own run.
      expect(ref.ts_lrs.length).to.equal(c.steps - half);
      ref.ts_lrs.forEach((l, s) => expectClose(l, ref.lrs[half + s + 1], `Python continuing TS's state dicts: lr after ${half + s + 1} steps`, 1e-12, 1e-18));
    });
  });
});

describe('optim: LR scheduler behaviour', () => {
  it('resumes from its own state dicts (optimizer, then scheduler) with the same lr sequence', () => {
    for (const c of CASES) {
      const [opt, sched] = makePair(c);
      const half = Math.floor(c.steps / 2);
      for (let s = 0; s < half; s++) sched.step();
      const optSd = opt.stateDict();
      const schedSd = sched.stateDict();
      const rest: number[][] = [];
      for (let s = half; s < c.steps; s++) {
        sched.step();
        rest.push(sched.getLastLr());
      }
      const [opt2, sched2] = makePair(
        c,
        c.lrs.map((x) => x * 3),
      );
      opt2.loadStateDict(optSd);
      sched2.loadStateDict(schedSd);
      const rest2: number[][] = [];
      for (let s = half; s < c.steps; s++) {
        sched2.step();
        rest2.push(sched2.getLastLr());
      }
      expect(rest2, c.name).to.deep.equal(rest);
    }
  });

  it('drives any optimizer, a user-written one included', () => {
    const opt = new SignSGD([torch.zeros([1], { requiresGrad: true })], { lr: 0.1 });
    const s = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    s.step();
    expect(opt.paramGroups[0].lr).to.equal(s.getLastLr()[0]);
    expect(opt.paramGroups[0].initialLr).to.equal(0.1);
  });

  it('is reachable as optim.lrScheduler and torch.optim', () => {
    expect(lrScheduler.StepLR).to.equal(StepLR);
    expect(torch.optim.lrScheduler.OneCycleLR).to.equal(OneCycleLR);
    expect(torch.optim.Adam).to.equal(Adam);
  });
});

const sgd = () =>
  new SGD([
    { params: [torch.zeros([1], { requiresGrad: true })], lr: 0.1 },
    { params: [torch.zeros([1], { requiresGrad: true })], lr: 0.2 },
  ]);
const PY_SGD = 'o = SGD([{"params": [p()], "lr": 0.1}, {"params": [p()], "lr": 0.2}])\n';

errorsVsPython("optim: LR scheduler errors with PyTorch's messages", [
  {
    name: 'LinearLR start factor 0',
    py: `${PY_SGD}lr_scheduler.LinearLR(o, start_factor=0)`,
    ts: () => new LinearLR(sgd(), { startFactor: 0 }),
    cls: RangeError,
  },
  {
    name: 'LinearLR start factor above 1',
    py: `${PY_SGD}lr_scheduler.LinearLR(o, start_factor=1.5)`,
    ts: () => new LinearLR(sgd(), { startFactor: 1.5 }),
    cls: RangeError,
  },
  {
    name: 'LinearLR end factor above 1',
    py: `${PY_SGD}lr_scheduler.LinearLR(o, end_factor=2)`,
    ts: () => new LinearLR(sgd(), { endFactor: 2 }),
    cls: RangeError,
  },
  {
    name: 'LambdaLR with too few lambdas',
    py: `${PY_SGD}lr_scheduler.LambdaLR(o, [lambda e: 1.0])`,
    ts: () => new LambdaLR(sgd(), [EXP]),
    cls: RangeError,
  },
  {
    name: 'resuming without initial_lr',
    py: `${PY_SGD}lr_scheduler.StepLR(o, step_size=1, last_epoch=4)`,
    ts: () => new StepLR(sgd(), { stepSize: 1, lastEpoch: 4 }),
    cls: Error,
  },
  {
    name: 'OneCycleLR without total_steps or epochs and steps_per_epoch',
    py: `${PY_SGD}lr_scheduler.OneCycleLR(o, max_lr=0.1)`,
    ts: () => new OneCycleLR(sgd(), { maxLr: 0.1 }),
    cls: TypeError,
  },
  {
    name: 'OneCycleLR with epochs only',
    py: `${PY_SGD}lr_scheduler.OneCycleLR(o, max_lr=0.1, epochs=2)`,
    ts: () => new OneCycleLR(sgd(), { maxLr: 0.1, epochs: 2 }),
    cls: TypeError,
  },
  {
    name: 'OneCycleLR total_steps 0',
    py: `${PY_SGD}lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=0)`,
    ts: () => new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 0 }),
    cls: RangeError,
  },
  {
    name: 'OneCycleLR negative epochs',
    py: `${PY_SGD}lr_scheduler.OneCycleLR(o, max_lr=0.1, epochs=-1, steps_per_epoch=2)`,
    ts: () => new OneCycleLR(sgd(), { maxLr: 0.1, epochs: -1, stepsPerEpoch: 2 }),
    cls: RangeError,
  },
  {
    name: 'OneCycleLR fractional steps_per_epoch',
    py: `${PY_SGD}lr_scheduler.OneCycleLR(o, max_lr=0.1, epochs=1, steps_per_epoch=1.5)`,
    ts: () => new OneCycleLR(sgd(), { maxLr: 0.1, epochs: 1, stepsPerEpoch: 1.5 }),
    cls: RangeError,
  },
  {
    name: 'OneCycleLR pct_start out of range',
    py: `${PY_SGD}lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=2)`,
    ts: () => new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10, pctStart: 2 }),
    cls: RangeError,
  },
  {
    name: 'OneCycleLR unknown anneal strategy',
    py: `${PY_SGD}lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy='exp')`,
    ts: () => new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10, annealStrategy: 'exp' as never }),
    cls: RangeError,
  },
  {
    name: 'OneCycleLR max_lr list of the wrong length',
    py: `${PY_SGD}lr_scheduler.OneCycleLR(o, max_lr=[0.1], total_steps=10)`,
    ts: () => new OneCycleLR(sgd(), { maxLr: [0.1], totalSteps: 10 }),
    cls: RangeError,
  },
  {
    name: 'OneCycleLR base_momentum list of the wrong length',
    py: `${PY_SGD}lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10, base_momentum=[0.8, 0.8, 0.8])`,
    ts: () => new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10, baseMomentum: [0.8, 0.8, 0.8] }),
    cls: RangeError,
  },
  {
    name: 'OneCycleLR cycling momentum of an optimizer without momentum or betas',
    py: 'lr_scheduler.OneCycleLR(torch.optim.Adagrad([p()]), max_lr=0.1, total_steps=10)',
    ts: () => new OneCycleLR(new SignSGD([torch.zeros([1], { requiresGrad: true })]), { maxLr: 0.1, totalSteps: 10 }),
    cls: RangeError,
  },
  {
    name: 'OneCycleLR stepped past total_steps',
    py: `s = lr_scheduler.OneCycleLR(torch.optim.Adagrad([p()]), max_lr=0.1, total_steps=3, cycle_momentum=False)\nfor _ in range(4): s.step()`,
    ts: () => {
      const s = new OneCycleLR(new SignSGD([torch.zeros([1], { requiresGrad: true })]), { maxLr: 0.1, totalSteps: 3, cycleMomentum: false });
      for (let k = 0; k < 4; k++) s.step();
    },
    cls: RangeError,
  },
  {
    name: 'OneCycleLR loading an unknown _anneal_func_type',
    py: `${PY_SGD}s = lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10)\ns.load_state_dict(dict(s.state_dict(), _anneal_func_type='exp'))\ns.step()`,
    ts: () => {
      const s = new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10 });
      s.loadStateDict({ ...s.stateDict(), _anneal_func_type: 'exp' });
    },
    cls: RangeError,
  },
]);

describe('optim: LR scheduler errors of this library', () => {
  it('needs an Optimizer', () => {
    expect(thrown(() => new StepLR([] as never, { stepSize: 1 }), TypeError)).to.equal('Array is not an Optimizer');
  });

  it('verbose was removed in PyTorch 2.x', () => {
    expect(thrown(() => new StepLR(sgd(), { stepSize: 1, verbose: true } as never), TypeError)).to.equal(
      "Unknown option 'verbose' for StepLR: PyTorch 2.x removed it; log scheduler.getLastLr() instead",
    );
  });

  it('rejects unknown options, and missing or invalid values', () => {
    expect(thrown(() => new StepLR(sgd(), { stepSize: 1, step_size: 2 } as never), TypeError)).to.equal(
      "Unknown option 'step_size' for StepLR; expected one of: stepSize, gamma, lastEpoch",
    );
    expect(thrown(() => new StepLR(sgd(), {} as never), TypeError)).to.equal('Expected a positive integer for stepSize but received undefined');
    expect(thrown(() => new StepLR(sgd(), { stepSize: 0 }), RangeError)).to.equal('Expected a positive integer for stepSize but received 0 of type number');
    expect(thrown(() => new StepLR(sgd(), { stepSize: 1, gamma: '0.1' } as never), TypeError)).to.equal(
      "Expected a number for gamma but received '0.1' of type string",
    );
    expect(thrown(() => new StepLR(sgd(), { stepSize: 1, lastEpoch: -2 }), RangeError)).to.equal(
      'Expected an integer >= -1 for lastEpoch but received -2 of type number',
    );
    expect(thrown(() => new CosineAnnealingLR(sgd(), {} as never), TypeError)).to.equal('Expected a number for tMax but received undefined');
    expect(thrown(() => new CosineAnnealingLR(sgd(), { tMax: 0 }), RangeError)).to.equal('Expected a positive number for tMax but received 0 of type number');
    expect(thrown(() => new CosineAnnealingLR(sgd(), { tMax: 5, T_max: 5 } as never), TypeError)).to.match(/^Unknown option 'T_max' for CosineAnnealingLR/);
    expect(thrown(() => new LinearLR(sgd(), { totalIters: 1.5 }), RangeError)).to.equal(
      'Expected a positive integer for totalIters but received 1.5 of type number',
    );
    expect(thrown(() => new LambdaLR(sgd(), 3 as never), TypeError)).to.equal('Expected a function for lrLambda but received 3 of type number');
    expect(thrown(() => new OneCycleLR(sgd(), { maxLr: '0.1', totalSteps: 5 } as never), TypeError)).to.equal(
      "Expected a number for maxLr but received '0.1' of type string",
    );
    expect(thrown(() => new OneCycleLR(sgd(), { maxLr: [0.1, null], totalSteps: 5 } as never), TypeError)).to.equal(
      'Expected a number for maxLr[1] but received null',
    );
    expect(thrown(() => new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 5, divFactor: 'x' } as never), TypeError)).to.equal(
      "Expected a number for divFactor but received 'x' of type string",
    );
    expect(thrown(() => getLinearScheduleWithWarmup(sgd(), '3' as never, 10), TypeError)).to.equal(
      "Expected a number for numWarmupSteps but received '3' of type string",
    );
  });

  it('loadStateDict rejects malformed state dicts and changes nothing', () => {
    const s = new OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10 });
    const before = s.stateDict();
    expect(thrown(() => s.loadStateDict(3 as never), TypeError)).to.equal('Expected a scheduler state dict object for stateDict but received 3 of type number');
    expect(thrown(() => s.loadStateDict({ last_epoch: 'x' }), TypeError)).to.equal("Expected a number for last_epoch but received 'x' of type string");
    expect(thrown(() => s.loadStateDict({ base_lrs: [1, 'x'] }), TypeError)).to.equal(
      'Expected a list of numbers for base_lrs but received an array of length 2',
    );
    expect(thrown(() => s.loadStateDict({ _is_initial: 1 }), TypeError)).to.equal('Expected a boolean for _is_initial but received 1 of type number');
    expect(thrown(() => s.loadStateDict({ total_steps: 'x', last_epoch: 5 }), TypeError)).to.equal(
      "Expected a number for total_steps but received 'x' of type string",
    );
    expect(thrown(() => s.loadStateDict({ _schedule_phases: [{ end_step: 1 }] }), TypeError)).to.equal(
      'Expected a list of schedule phases for _schedule_phases but received an array of length 1',
    );
    expect(thrown(() => s.loadStateDict({ cycle_momentum: 1 }), TypeError)).to.equal('Expected a boolean for cycle_momentum but received 1 of type number');
    expect(thrown(() => new StepLR(sgd(), { stepSize: 1 }).loadStateDict({ gamma: null }), TypeError)).to.equal(
      'Expected a number for gamma but received null',
    );
    expect(s.stateDict()).to.deep.equal(before);
  });
});
