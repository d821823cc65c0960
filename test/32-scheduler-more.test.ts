/**
 * MultiplicativeLR, MultiStepLR, ConstantLR, ExponentialLR, PolynomialLR,
 * CyclicLR, CosineAnnealingWarmRestarts, ReduceLROnPlateau, SequentialLR and
 * ChainedScheduler vs PyTorch (the reference the addon links): the lr (and
 * cycled momentum) of every group after construction and after each step,
 * the scheduler's state dict (Python's keys and order) halfway and at the end,
 * the param-group keys schedulers add, and save/load both ways halfway
 * (Python→TS from Python's state dicts, TS→Python through a torch.save'd
 * file); then every error a user can cause.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import {
  Adam,
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CyclicLR,
  ExponentialLR,
  LinearLR,
  MultiStepLR,
  MultiplicativeLR,
  PolynomialLR,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  StepLR,
  lrScheduler,
  type LRScheduler,
  type LRSchedulerStateDict,
  type Optimizer,
  type OptimizerStateDictInput,
  type ParamGroup,
} from '../lib/torch/optim/index.js';
import { PyReduce, PyTuple } from '../lib/torch/serialization/pickle.js';
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

interface Case {
  name: string;
  opt: 'SGD' | 'Adam';
  optOpts: Record<string, unknown>;
  lrs: number[];
  steps: number;
  groupExtra?: Record<string, unknown>[];
  /** ReduceLROnPlateau: the metric given to each step. */
  metrics?: number[];
  /** CosineAnnealingWarmRestarts: the (fractional) epoch given to each step. */
  epochs?: number[];
  py: { sched: string; kwargs: Record<string, unknown> };
  make: (o: Optimizer) => LRScheduler;
}

const MULT = (e: number) => (e % 2 ? 0.9 : 0.97);
const EPOCHS = [0.25, 0.5, 1, 1.75, 2.5, 3, 5.5, 6.25, 7, 10, 13.5, 14, 20.75, 2, 4.5];
const METRICS = [1.0, 0.9, 0.95, 0.96, 0.97, 0.89, 0.9, 0.91, 0.92, 0.93, 0.94, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6];

const CASES: Case[] = [
  {
    name: 'MultiplicativeLR (one lambda for two groups)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1, 0.02],
    steps: 10,
    py: { sched: 'MultiplicativeLR', kwargs: { lr_lambda: { name: 'mult' } } },
    make: (o) => new MultiplicativeLR(o, MULT),
  },
  {
    name: 'MultiStepLR(milestones=[2, 5, 5, 8], gamma=0.5)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1, 0.3],
    steps: 12,
    py: { sched: 'MultiStepLR', kwargs: { milestones: [2, 5, 5, 8], gamma: 0.5 } },
    make: (o) => new MultiStepLR(o, { milestones: [2, 5, 5, 8], gamma: 0.5 }),
  },
  {
    name: 'MultiStepLR resumed (last_epoch=3)',
    opt: 'Adam',
    optOpts: {},
    lrs: [0.01],
    groupExtra: [{ initial_lr: 0.02 }],
    steps: 8,
    py: { sched: 'MultiStepLR', kwargs: { milestones: [4, 6], last_epoch: 3 } },
    make: (o) => new MultiStepLR(o, { milestones: [4, 6], lastEpoch: 3 }),
  },
  {
    name: 'ConstantLR defaults',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1],
    steps: 8,
    py: { sched: 'ConstantLR', kwargs: {} },
    make: (o) => new ConstantLR(o),
  },
  {
    name: 'ConstantLR(factor=0.5, total_iters=3)',
    opt: 'Adam',
    optOpts: {},
    lrs: [0.01, 0.03],
    steps: 6,
    py: { sched: 'ConstantLR', kwargs: { factor: 0.5, total_iters: 3 } },
    make: (o) => new ConstantLR(o, { factor: 0.5, totalIters: 3 }),
  },
  {
    name: 'ExponentialLR(gamma=0.9)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1, 0.05],
    steps: 12,
    py: { sched: 'ExponentialLR', kwargs: { gamma: 0.9 } },
    make: (o) => new ExponentialLR(o, { gamma: 0.9 }),
  },
  {
    name: 'PolynomialLR defaults, past total_iters',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1],
    steps: 8,
    py: { sched: 'PolynomialLR', kwargs: {} },
    make: (o) => new PolynomialLR(o),
  },
  {
    name: 'PolynomialLR(total_iters=6, power=2.0)',
    opt: 'Adam',
    optOpts: {},
    lrs: [0.01, 0.1],
    steps: 9,
    py: { sched: 'PolynomialLR', kwargs: { total_iters: 6, power: 2.0 } },
    make: (o) => new PolynomialLR(o, { totalIters: 6, power: 2 }),
  },
  {
    name: 'CyclicLR triangular on SGD momentum',
    opt: 'SGD',
    optOpts: { momentum: 0.9 },
    lrs: [0.5],
    steps: 20,
    py: { sched: 'CyclicLR', kwargs: { base_lr: 0.01, max_lr: 0.1, step_size_up: 4 } },
    make: (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4 }),
  },
  {
    name: 'CyclicLR triangular2 on Adam betas, per-group base_lr, asymmetric',
    opt: 'Adam',
    optOpts: {},
    lrs: [0.5, 0.5],
    steps: 24,
    py: {
      sched: 'CyclicLR',
      kwargs: { base_lr: [0.001, 0.002], max_lr: 0.01, step_size_up: 3, step_size_down: 5, mode: 'triangular2', base_momentum: 0.85, max_momentum: 0.95 },
    },
    make: (o) =>
      new CyclicLR(o, { baseLr: [0.001, 0.002], maxLr: 0.01, stepSizeUp: 3, stepSizeDown: 5, mode: 'triangular2', baseMomentum: 0.85, maxMomentum: 0.95 }),
  },
  {
    name: 'CyclicLR exp_range without momentum cycling',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.5],
    steps: 15,
    py: { sched: 'CyclicLR', kwargs: { base_lr: 0.01, max_lr: 0.1, step_size_up: 2, mode: 'exp_range', gamma: 0.9, cycle_momentum: false } },
    make: (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, mode: 'exp_range', gamma: 0.9, cycleMomentum: false }),
  },
  {
    name: 'CyclicLR with a custom scale_fn on iterations (not saved: None in the state dict)',
    opt: 'SGD',
    optOpts: { momentum: 0.5 },
    lrs: [0.5],
    steps: 16,
    py: { sched: 'CyclicLR', kwargs: { base_lr: 0.01, max_lr: 0.1, step_size_up: 3, scale_fn: { name: 'exp' }, scale_mode: 'iterations' } },
    make: (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, scaleFn: (x) => 0.95 ** x, scaleMode: 'iterations' }),
  },
  {
    name: 'SequentialLR(MultiplicativeLR, MultiStepLR) (no closed form, then a Counter)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1],
    steps: 10,
    py: {
      sched: 'SequentialLR',
      kwargs: {
        schedulers: [
          { sched: 'MultiplicativeLR', kwargs: { lr_lambda: { name: 'mult' } } },
          { sched: 'MultiStepLR', kwargs: { milestones: [1, 3], gamma: 0.5 } },
        ],
        milestones: [4],
      },
    },
    make: (o) => new SequentialLR(o, [new MultiplicativeLR(o, MULT), new MultiStepLR(o, { milestones: [1, 3], gamma: 0.5 })], [4]),
  },
  {
    name: 'CosineAnnealingWarmRestarts(T_0=3)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1],
    steps: 14,
    py: { sched: 'CosineAnnealingWarmRestarts', kwargs: { T_0: 3 } },
    make: (o) => new CosineAnnealingWarmRestarts(o, { t0: 3 }),
  },
  {
    name: 'CosineAnnealingWarmRestarts(T_0=2, T_mult=2, eta_min=0.001)',
    opt: 'Adam',
    optOpts: {},
    lrs: [0.1, 0.01],
    steps: 20,
    py: { sched: 'CosineAnnealingWarmRestarts', kwargs: { T_0: 2, T_mult: 2, eta_min: 0.001 } },
    make: (o) => new CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 2, etaMin: 0.001 }),
  },
  {
    name: 'CosineAnnealingWarmRestarts.step(epoch) with fractional epochs (T_0=2, T_mult=2) and (T_0=3)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1],
    steps: EPOCHS.length,
    epochs: EPOCHS,
    py: { sched: 'CosineAnnealingWarmRestarts', kwargs: { T_0: 2, T_mult: 2, eta_min: 0.01 } },
    make: (o) => new CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 2, etaMin: 0.01 }),
  },
  {
    name: 'CosineAnnealingWarmRestarts.step(epoch) with T_mult 1',
    opt: 'Adam',
    optOpts: {},
    lrs: [0.1],
    steps: EPOCHS.length,
    epochs: EPOCHS,
    py: { sched: 'CosineAnnealingWarmRestarts', kwargs: { T_0: 3 } },
    make: (o) => new CosineAnnealingWarmRestarts(o, { t0: 3 }),
  },
  {
    name: 'ReduceLROnPlateau(patience=2, factor=0.5, cooldown=1, min_lr=0.02)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1, 0.3],
    steps: METRICS.length,
    metrics: METRICS,
    py: { sched: 'ReduceLROnPlateau', kwargs: { patience: 2, factor: 0.5, cooldown: 1, min_lr: 0.02 } },
    make: (o) => new ReduceLROnPlateau(o, { patience: 2, factor: 0.5, cooldown: 1, minLr: 0.02 }),
  },
  {
    name: "ReduceLROnPlateau(mode='max', threshold_mode='abs', per-group min_lr)",
    opt: 'Adam',
    optOpts: {},
    lrs: [0.1, 0.3],
    steps: METRICS.length,
    metrics: METRICS.map((m) => -m),
    py: { sched: 'ReduceLROnPlateau', kwargs: { mode: 'max', threshold_mode: 'abs', threshold: 0.01, patience: 1, min_lr: [0.01, 0.05] } },
    make: (o) => new ReduceLROnPlateau(o, { mode: 'max', thresholdMode: 'abs', threshold: 0.01, patience: 1, minLr: [0.01, 0.05] }),
  },
  {
    name: 'SequentialLR(LinearLR warmup, then ExponentialLR)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1, 0.2],
    steps: 10,
    py: {
      sched: 'SequentialLR',
      kwargs: {
        schedulers: [
          { sched: 'LinearLR', kwargs: { start_factor: 0.1, total_iters: 3 } },
          { sched: 'ExponentialLR', kwargs: { gamma: 0.9 } },
        ],
        milestones: [3],
      },
    },
    make: (o) => new SequentialLR(o, [new LinearLR(o, { startFactor: 0.1, totalIters: 3 }), new ExponentialLR(o, { gamma: 0.9 })], [3]),
  },
  {
    name: 'SequentialLR(ConstantLR, StepLR, CosineAnnealingLR) at milestones [2, 6]',
    opt: 'Adam',
    optOpts: {},
    lrs: [0.01],
    steps: 14,
    py: {
      sched: 'SequentialLR',
      kwargs: {
        schedulers: [
          { sched: 'ConstantLR', kwargs: { factor: 0.5, total_iters: 4 } },
          { sched: 'StepLR', kwargs: { step_size: 2, gamma: 0.5 } },
          { sched: 'CosineAnnealingLR', kwargs: { T_max: 5 } },
        ],
        milestones: [2, 6],
      },
    },
    make: (o) =>
      new SequentialLR(
        o,
        [new ConstantLR(o, { factor: 0.5, totalIters: 4 }), new StepLR(o, { stepSize: 2, gamma: 0.5 }), new CosineAnnealingLR(o, { tMax: 5 })],
        [2, 6],
      ),
  },
  {
    name: 'ChainedScheduler(ConstantLR, ExponentialLR)',
    opt: 'SGD',
    optOpts: {},
    lrs: [1.0, 0.5],
    steps: 8,
    py: {
      sched: 'ChainedScheduler',
      kwargs: {
        schedulers: [
          { sched: 'ConstantLR', kwargs: { factor: 0.1, total_iters: 2 } },
          { sched: 'ExponentialLR', kwargs: { gamma: 0.9 } },
        ],
      },
    },
    make: (o) => new ChainedScheduler([new ConstantLR(o, { factor: 0.1, totalIters: 2 }), new ExponentialLR(o, { gamma: 0.9 })]),
  },
];

const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

function makeOpt(c: Case, lrs: number[]): Optimizer {
  const groups = lrs.map((lr) => ({ params: [torch.zeros([2], { requiresGrad: true })], lr }));
  const opt = c.opt === 'SGD' ? new SGD(groups, c.optOpts) : new Adam(groups, c.optOpts);
  c.groupExtra?.forEach((extra, gi) => {
    for (const [k, v] of Object.entries(extra)) opt.paramGroups[gi][camel(k)] = v as number;
  });
  return opt;
}

function makePair(c: Case, lrs = c.lrs): [Optimizer, LRScheduler] {
  const opt = makeOpt(c, lrs);
  return [opt, c.make(opt)];
}

function stepSched(c: Case, sched: LRScheduler, i: number): void {
  if (c.metrics) (sched as ReduceLROnPlateau).step(c.metrics[i]);
  else if (c.epochs) (sched as CosineAnnealingWarmRestarts).step(c.epochs[i]);
  else sched.step();
}

function momentumOf(g: ParamGroup): number | null {
  if (Array.isArray(g.betas)) return g.betas[0] as number;
  return typeof g.momentum === 'number' ? g.momentum : null;
}

const snakeKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`), v]));

/** A scheduler state dict from Python's description (floats as numbers, tuples as PyTuples). */
function schedFromDesc(d: [string, PyDesc][]): LRSchedulerStateDict {
  const conv = (x: PyDesc): unknown => {
    if (x === null) return null;
    if ('bool' in x) return x.bool;
    if ('int' in x) return x.int;
    if ('float' in x) return typeof x.float === 'string' ? Number(x.float.replace('inf', 'Infinity')) : x.float;
    if ('str' in x) return x.str;
    if ('tuple' in x) return PyTuple.from(x.tuple.map(conv) as never[]);
    if ('list' in x) return x.list.map(conv);
    if ('dict' in x) return Object.fromEntries(x.dict.map(([k, y]) => [k, conv(y)]));
    throw new Error(`cannot convert ${JSON.stringify(x)}`);
  };
  return Object.fromEntries(d.map(([k, x]) => [k, conv(x)])) as LRSchedulerStateDict;
}

/** Python's description with dict keys as strings (MultiStepLR's Counter has int keys). */
function strKeys(d: PyDesc): PyDesc {
  if (d === null || typeof d !== 'object') return d;
  if ('dict' in d) return { dict: d.dict.map(([k, x]) => [String(k), strKeys(x)]) };
  if ('list' in d) return { list: d.list.map(strKeys) };
  return d;
}

/** TS's state dict with Counters (PyReduce of collections.Counter) as plain objects keyed by epoch. */
function plainCounters(v: unknown): unknown {
  if (v instanceof PyReduce) {
    expect(String(v.func)).to.equal('collections.Counter');
    return Object.fromEntries([...(v.args[0] as unknown as Map<number, number>)].map(([k, c]) => [String(k), c]));
  }
  if (Array.isArray(v) && !(v instanceof PyTuple)) return v.map(plainCounters);
  if (v !== null && typeof v === 'object' && !(v instanceof PyTuple) && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainCounters(x)]));
  }
  return v;
}

function expectSchedSd(sd: LRSchedulerStateDict, py: [string, PyDesc][], what: string): void {
  const plain = plainCounters(sd) as Record<string, unknown>;
  expect(Object.keys(plain), `${what} keys`).to.deep.equal(py.map(([k]) => k));
  for (const [k, d] of py) expectValue(plain[k], strKeys(d), `${what}.${k}`);
}

describe('optim: more LR schedulers vs PyTorch', () => {
  let refs: SchedResult[] = [];
  let dir = '';

  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  before(function () {
    if (!hasPythonTorch()) this.skip();
    dir = tempDir();
    const files = CASES.map((c, ci) => {
      const [opt, sched] = makePair(c);
      for (let s = 0; s < Math.floor(c.steps / 2); s++) {
        opt.step();
        stepSched(c, sched, s);
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
        load_sd: null,
        metrics: c.metrics ?? null,
        epochs: c.epochs ?? null,
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
        stepSched(c, sched, s);
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
        stepSched(c, sched2, s);
        expectClose(sched2.getLastLr(), ref.lrs[s + 1], `lr after ${s + 1} steps, resumed from Python's state dicts`, 1e-12, 1e-18);
      }
      expectSchedSd(sched2.stateDict(), ref.sched_sd, 'resumed scheduler state dict');

      // TS's torch.save'd state dicts halfway -> Python: the rest as Python's own run.
      expect(ref.ts_lrs.length).to.equal(c.steps - half);
      ref.ts_lrs.forEach((l, s) => expectClose(l, ref.lrs[half + s + 1], `Python continuing TS's state dicts: lr after ${half + s + 1} steps`, 1e-12, 1e-18));

      // TS's own state dicts halfway -> TS: the same sequence.
      const [opt3, sched3] = makePair(
        c,
        c.lrs.map((x) => x * 5),
      );
      const [opt4, sched4] = makePair(c);
      for (let s = 0; s < half; s++) {
        opt4.step();
        stepSched(c, sched4, s);
      }
      opt3.loadStateDict(opt4.stateDict());
      sched3.loadStateDict(sched4.stateDict());
      for (let s = half; s < c.steps; s++) {
        stepSched(c, sched3, s);
        expect(sched3.getLastLr(), `lr after ${s + 1} steps, resumed from TS's state dicts`).to.deep.equal(lrs[s + 1]);
      }
    });
  });
});

const sgd = () => new SGD([torch.zeros([1], { requiresGrad: true })], { lr: 0.1 });
const sgd2 = () => new SGD([{ params: [torch.zeros([1], { requiresGrad: true })] }, { params: [torch.zeros([1], { requiresGrad: true })] }], { lr: 0.1 });
const L = 'lr_scheduler.';
const PY_SGD = 'o = SGD([p()], lr=0.1)\n';
const PY_SGD2 = 'o = SGD([{"params": [p()]}, {"params": [p()]}], lr=0.1)\n';

errorsVsPython("optim: more LR scheduler errors with PyTorch's messages", [
  {
    name: 'MultiplicativeLR: wrong number of lambdas',
    py: `${PY_SGD2}${L}MultiplicativeLR(o, [lambda e: 1.0])`,
    ts: () => new MultiplicativeLR(sgd2(), [() => 1]),
    cls: RangeError,
  },
  { name: 'ConstantLR: factor above 1', py: `${PY_SGD}${L}ConstantLR(o, factor=1.5)`, ts: () => new ConstantLR(sgd(), { factor: 1.5 }), cls: RangeError },
  { name: 'ConstantLR: negative factor', py: `${PY_SGD}${L}ConstantLR(o, factor=-0.5)`, ts: () => new ConstantLR(sgd(), { factor: -0.5 }), cls: RangeError },
  {
    name: 'CyclicLR: unknown mode',
    py: `${PY_SGD}${L}CyclicLR(o, 0.01, 0.1, mode="sine")`,
    ts: () => new CyclicLR(sgd(), { baseLr: 0.01, maxLr: 0.1, mode: 'sine' as never }),
    cls: RangeError,
  },
  {
    name: 'CyclicLR: base_lr per group of the wrong length',
    py: `${PY_SGD2}${L}CyclicLR(o, [0.01], 0.1)`,
    ts: () => new CyclicLR(sgd2(), { baseLr: [0.01], maxLr: 0.1 }),
    cls: RangeError,
  },
  {
    name: 'CyclicLR: momentum cycling on an optimizer without momentum',
    py: `import torch.optim as O\no = O.Adagrad([p()])\n${L}CyclicLR(o, 0.01, 0.1)`,
    ts: () => new CyclicLR(new torch.optim.Adagrad([torch.zeros([1], { requiresGrad: true })]), { baseLr: 0.01, maxLr: 0.1 }),
    cls: RangeError,
  },
  {
    name: 'CosineAnnealingWarmRestarts: T_0 zero',
    py: `${PY_SGD}${L}CosineAnnealingWarmRestarts(o, 0)`,
    ts: () => new CosineAnnealingWarmRestarts(sgd(), { t0: 0 }),
    cls: RangeError,
  },
  {
    name: 'CosineAnnealingWarmRestarts: T_0 not an integer',
    py: `${PY_SGD}${L}CosineAnnealingWarmRestarts(o, 2.5)`,
    ts: () => new CosineAnnealingWarmRestarts(sgd(), { t0: 2.5 }),
    cls: RangeError,
  },
  {
    name: 'CosineAnnealingWarmRestarts: T_mult zero',
    py: `${PY_SGD}${L}CosineAnnealingWarmRestarts(o, 2, T_mult=0)`,
    ts: () => new CosineAnnealingWarmRestarts(sgd(), { t0: 2, tMult: 0 }),
    cls: RangeError,
  },
  {
    name: 'CosineAnnealingWarmRestarts: a negative epoch',
    py: `${PY_SGD}${L}CosineAnnealingWarmRestarts(o, 2).step(-1)`,
    ts: () => new CosineAnnealingWarmRestarts(sgd(), { t0: 2 }).step(-1),
    cls: RangeError,
  },
  {
    name: 'ReduceLROnPlateau: factor 1',
    py: `${PY_SGD}${L}ReduceLROnPlateau(o, factor=1.0)`,
    ts: () => new ReduceLROnPlateau(sgd(), { factor: 1 }),
    cls: RangeError,
  },
  {
    name: 'ReduceLROnPlateau: unknown mode',
    py: `${PY_SGD}${L}ReduceLROnPlateau(o, mode="mean")`,
    ts: () => new ReduceLROnPlateau(sgd(), { mode: 'mean' as never }),
    cls: RangeError,
  },
  {
    name: 'ReduceLROnPlateau: unknown threshold mode',
    py: `${PY_SGD}${L}ReduceLROnPlateau(o, threshold_mode="x")`,
    ts: () => new ReduceLROnPlateau(sgd(), { thresholdMode: 'x' as never }),
    cls: RangeError,
  },
  {
    name: 'ReduceLROnPlateau: min_lr per group of the wrong length',
    py: `${PY_SGD2}${L}ReduceLROnPlateau(o, min_lr=[0.1])`,
    ts: () => new ReduceLROnPlateau(sgd2(), { minLr: [0.1] }),
    cls: RangeError,
  },
  { name: 'ReduceLROnPlateau: not an optimizer', py: `${L}ReduceLROnPlateau(3)`, ts: () => new ReduceLROnPlateau(3 as never), cls: TypeError },
  { name: 'SequentialLR: no scheduler', py: `${PY_SGD}${L}SequentialLR(o, [], [])`, ts: () => new SequentialLR(sgd(), [], []), cls: RangeError },
  {
    name: 'SequentialLR: wrong number of milestones',
    py: `${PY_SGD}${L}SequentialLR(o, [${L}ExponentialLR(o, 0.9)], [2])`,
    ts: () => {
      const o = sgd();
      return new SequentialLR(o, [new ExponentialLR(o, { gamma: 0.9 })], [2]);
    },
    cls: RangeError,
  },
  {
    name: 'SequentialLR: a ReduceLROnPlateau',
    py: `${PY_SGD}${L}SequentialLR(o, [${L}ReduceLROnPlateau(o)], [])`,
    ts: () => {
      const o = sgd();
      return new SequentialLR(o, [new ReduceLROnPlateau(o)], []);
    },
    cls: RangeError,
  },
  {
    name: 'SequentialLR: a scheduler of another optimizer',
    py: `${PY_SGD}o2 = SGD([p()], lr=0.1)\n${L}SequentialLR(o, [${L}ExponentialLR(o2, 0.9)], [])`,
    ts: () => new SequentialLR(sgd(), [new ExponentialLR(sgd(), { gamma: 0.9 })], []),
    cls: RangeError,
  },
  { name: 'SequentialLR: not a scheduler', py: `${PY_SGD}${L}SequentialLR(o, [3], [])`, ts: () => new SequentialLR(sgd(), [3 as never], []), cls: TypeError },
  { name: 'ChainedScheduler: no scheduler', py: `${L}ChainedScheduler([])`, ts: () => new ChainedScheduler([]), cls: RangeError },
  {
    name: 'ChainedScheduler: schedulers of two optimizers',
    py: `${PY_SGD}o2 = SGD([p()], lr=0.1)\n${L}ChainedScheduler([${L}ExponentialLR(o, 0.9), ${L}ExponentialLR(o2, 0.9)])`,
    ts: () => new ChainedScheduler([new ExponentialLR(sgd(), { gamma: 0.9 }), new ExponentialLR(sgd(), { gamma: 0.9 })]),
    cls: RangeError,
  },
]);

describe('optim: more LR schedulers, errors of this library', () => {
  it('unknown options and values of the wrong kind throw TypeError', () => {
    expect(thrown(() => new ReduceLROnPlateau(sgd(), { lastEpoch: 3 } as never), TypeError)).to.match(/^Unknown option 'lastEpoch' for ReduceLROnPlateau/);
    expect(thrown(() => new ExponentialLR(sgd(), {} as never), TypeError)).to.equal('Expected a number for gamma but received undefined');
    expect(thrown(() => new MultiStepLR(sgd(), { milestones: [1.5] }), TypeError)).to.equal(
      'Expected an array of integers for milestones but received an array of length 1',
    );
    expect(thrown(() => new MultiplicativeLR(sgd(), 3 as never), TypeError)).to.equal('Expected a function for lrLambda but received 3 of type number');
    expect(thrown(() => new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, scaleMode: 'x' as never }), RangeError)).to.equal(
      "Expected 'cycle' or 'iterations' for scaleMode but received 'x' of type string",
    );
    expect(thrown(() => new PolynomialLR(sgd(), { power: '2' } as never), TypeError)).to.equal("Expected a number for power but received '2' of type string");
  });

  it('CosineAnnealingWarmRestarts.step rejects an epoch that is not a number', () => {
    const s = new CosineAnnealingWarmRestarts(sgd(), { t0: 2 });
    expect(thrown(() => s.step('1' as never), TypeError)).to.equal("Expected a number for epoch but received '1' of type string");
  });

  it('ReduceLROnPlateau.step needs the metric; loading rejects bad values and changes nothing', () => {
    const s = new ReduceLROnPlateau(sgd());
    expect(thrown(() => s.step(), TypeError)).to.equal('Expected a number for metrics but received undefined');
    expect(thrown(() => s.loadStateDict({ mode: 'x' }), RangeError)).to.equal('mode x is unknown!');
    expect(thrown(() => s.loadStateDict({ patience: 'x' }), TypeError)).to.equal("Expected a number for patience but received 'x' of type string");
    expect(s.mode).to.equal('min');
    expect(s.patience).to.equal(10);
  });

  it('MultiStepLR loading a milestones value that is not a Counter', () => {
    const s = new MultiStepLR(sgd(), { milestones: [2] });
    expect(thrown(() => s.loadStateDict({ milestones: 'x' }), TypeError)).to.equal(
      "Expected a Counter of epochs for milestones but received 'x' of type string",
    );
    expect([...s.milestones]).to.deep.equal([[2, 1]]);
  });

  it('SequentialLR/ChainedScheduler loading a wrong number of scheduler state dicts', () => {
    const o = sgd();
    const s = new ChainedScheduler([new ExponentialLR(o, { gamma: 0.9 })]);
    expect(thrown(() => s.loadStateDict({ _schedulers: [] }), TypeError)).to.equal(
      'Expected a list of 1 scheduler state dicts for _schedulers of ChainedScheduler but received an array of length 0',
    );
  });

  it('a user-written optimizer without momentum works with the schedulers that need none', () => {
    const opt = new SignSGD([torch.zeros([1], { requiresGrad: true })], { lr: 1 });
    const s = new lrScheduler.ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    expect(s.getLastLr()).to.deep.equal([0.5]);
    expect(thrown(() => new CyclicLR(opt, { baseLr: 0.1, maxLr: 1 }), RangeError)).to.equal(
      'optimizer must support momentum or beta1 with `cycle_momentum` option enabled',
    );
  });
});
