/**
 * LR schedulers against PyTorch 1.13: the lr (and cycled momentum) of every
 * group after construction and after each step, the scheduler's state dict,
 * the param-group keys schedulers add, save/resume, and error paths.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import {
  Adam,
  CosineAnnealingLR,
  LambdaLR,
  LinearLR,
  OneCycleLR,
  Optimizer,
  SGD,
  StepLR,
  getLinearScheduleWithWarmup,
  lrScheduler,
  type LRScheduler,
  type ParamGroup,
} from '../lib/torch/optim/index.js';
import { hasPythonTorch } from './helpers/python.js';
import { expectClose, expectValue, pyOptim, thrown, type PyDesc } from './30-optim-helpers.js';

interface SchedResult {
  lrs: number[][];
  momentums: (number | null)[][];
  sched_sd: [string, PyDesc][];
  param_groups: [string, PyDesc][][];
}

type OptName = 'SGD' | 'Adam';

interface Case {
  name: string;
  opt: OptName;
  optOpts: Record<string, unknown>;
  lrs: number[];
  steps: number;
  /** Python: scheduler class and kwargs. */
  py: { sched: string; kwargs: Record<string, unknown> };
  /** TS: builds the scheduler. */
  make: (o: Optimizer) => LRScheduler;
}

const EXP = (e: number) => 0.95 ** e;
const STEPWISE = (e: number) => 1.0 / (1 + Math.floor(e / 3));

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
    name: 'LambdaLR(0.95 ** epoch)',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1, 0.2],
    steps: 10,
    py: { sched: 'LambdaLR', kwargs: { lr_lambda: { name: 'exp' } } },
    make: (o) => new LambdaLR(o, EXP),
  },
  {
    name: 'LambdaLR with one lambda per group',
    opt: 'SGD',
    optOpts: {},
    lrs: [0.1, 0.2],
    steps: 10,
    py: { sched: 'LambdaLR', kwargs: { lr_lambda: [{ name: 'exp' }, { name: 'step' }] } },
    make: (o) => new LambdaLR(o, [EXP, STEPWISE]),
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
    make: (o) =>
      new OneCycleLR(o, { maxLr: [0.1, 0.05], epochs: 3, stepsPerEpoch: 4, annealStrategy: 'linear', threePhase: true, baseMomentum: [0.8, 0.7] }),
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
];

function makeOpt(name: OptName, lrs: number[], opts: Record<string, unknown>): Optimizer {
  const groups = lrs.map((lr) => ({ params: [torch.zeros([2], { requiresGrad: true })], lr }));
  return name === 'SGD' ? new SGD(groups, opts) : new Adam(groups, opts);
}

function momentumOf(g: ParamGroup): number | null {
  if (Array.isArray(g.betas)) return g.betas[0] as number;
  return typeof g.momentum === 'number' ? g.momentum : null;
}

function snakeKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}

describe('optim: LR schedulers vs PyTorch 1.13', function () {
  let refs: SchedResult[] = [];

  before(function () {
    if (!hasPythonTorch()) this.skip();
    refs = pyOptim<SchedResult>(
      CASES.map((c) => ({
        kind: 'sched',
        sched: c.py.sched,
        kwargs: c.py.kwargs,
        opt: c.opt,
        opt_kwargs: snakeKeys(c.optOpts),
        lrs: c.lrs,
        steps: c.steps,
      })),
    );
  });

  CASES.forEach((c, ci) => {
    it(`${c.name}: lr sequence, momentum, state dict, param groups`, function () {
      const ref = refs[ci];
      const opt = makeOpt(c.opt, c.lrs, c.optOpts);
      const sched = c.make(opt);
      const lrs = [sched.getLastLr()];
      const moms = [opt.paramGroups.map(momentumOf)];
      for (let s = 0; s < c.steps; s++) {
        opt.step();
        sched.step();
        lrs.push(sched.getLastLr());
        moms.push(opt.paramGroups.map(momentumOf));
      }
      expect(lrs.length).to.equal(ref.lrs.length);
      lrs.forEach((l, s) => expectClose(l, ref.lrs[s], `lr after ${s} steps`, 1e-12, 1e-18));
      moms.forEach((m, s) => {
        if (ref.momentums[s][0] === null) expect(m.every((x) => x === null)).to.equal(true);
        else expectClose(m as number[], ref.momentums[s] as number[], `momentum after ${s} steps`, 1e-12, 0);
      });
      const sd = sched.stateDict();
      expect(Object.keys(sd), 'scheduler state dict keys').to.deep.equal(ref.sched_sd.map(([k]) => k));
      for (const [k, d] of ref.sched_sd) expectValue(sd[k], d, `scheduler.${k}`);
      const groups = opt.stateDict().param_groups;
      ref.param_groups.forEach((g, i) => {
        const tg = groups[i] as Record<string, unknown>;
        expect(Object.keys(tg).filter((k) => k !== 'params'), `param_groups[${i}] keys`).to.deep.equal(g.map(([k]) => k));
        for (const [k, d] of g) expectValue(tg[k], d, `param_groups[${i}].${k}`);
      });
    });
  });
});

describe('optim: LR scheduler behaviour', () => {
  it('resumes from state dicts (optimizer, then scheduler) with the same lr sequence', () => {
    for (const c of CASES) {
      const opt = makeOpt(c.opt, c.lrs, c.optOpts);
      const sched = c.make(opt);
      const half = Math.floor(c.steps / 2);
      for (let s = 0; s < half; s++) sched.step();
      const optSd = opt.stateDict();
      const schedSd = sched.stateDict();
      const rest: number[][] = [];
      for (let s = half; s < c.steps; s++) {
        sched.step();
        rest.push(sched.getLastLr());
      }
      const opt2 = makeOpt(c.opt, c.lrs.map((x) => x * 3), c.optOpts);
      const sched2 = c.make(opt2);
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

  it('lastEpoch resumes from initialLr in the groups', () => {
    const opt = makeOpt('SGD', [0.1], {});
    const a = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    for (let i = 0; i < 3; i++) a.step();
    const b = new CosineAnnealingLR(opt, { tMax: 4, lastEpoch: 3 });
    expect(b.baseLrs).to.deep.equal([0.1]);
    expect(b.lastEpoch).to.equal(4);
    // The first step of a resumed cosine uses the closed form.
    expectClose(b.getLastLr(), [0.1 * (1 + Math.cos(Math.PI)) / 2], 'closed form', 1e-12, 1e-18);
  });

  it('verbose prints as PyTorch does', () => {
    const opt = makeOpt('SGD', [0.1], {});
    const lines: string[] = [];
    const orig = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      const s = new StepLR(opt, { stepSize: 1, gamma: 0.1, verbose: true });
      s.step();
    } finally {
      console.log = orig;
    }
    expect(lines).to.deep.equal(['Adjusting learning rate of group 0 to 1.0000e-01.', 'Adjusting learning rate of group 0 to 1.0000e-02.']);
  });

  it('is reachable as optim.lrScheduler and torch.optim', () => {
    expect(lrScheduler.StepLR).to.equal(StepLR);
    expect(torch.optim.lrScheduler.OneCycleLR).to.equal(OneCycleLR);
    expect(torch.optim.Adam).to.equal(Adam);
  });
});

/** An optimizer with neither momentum nor betas (for OneCycleLR's check), built on the public base class. */
class PlainSGD extends Optimizer {
  constructor(params: torch.Tensor[]) {
    super('PlainSGD', params, { lr: 0.1 });
  }
  protected checkGroup(): void {}
  step<L>(closure?: () => L): L | undefined {
    return this.runClosure(closure);
  }
}

describe('optim: LR scheduler errors', () => {
  const opt = () => makeOpt('SGD', [0.1, 0.2], {});

  it('needs an Optimizer', () => {
    expect(thrown(() => new StepLR([] as never, { stepSize: 1 }), TypeError)).to.equal('Array is not an Optimizer');
  });

  it('rejects unknown options and missing or invalid required ones', () => {
    expect(thrown(() => new StepLR(opt(), { stepSize: 1, step_size: 2 } as never), TypeError)).to.match(/Unknown option 'step_size' for StepLR/);
    expect(thrown(() => new StepLR(opt(), {} as never), TypeError)).to.match(/Expected a positive integer for stepSize but received undefined/);
    expect(thrown(() => new StepLR(opt(), { stepSize: 0 }), RangeError)).to.match(/Expected a positive integer for stepSize but received 0/);
    expect(thrown(() => new CosineAnnealingLR(opt(), {} as never), TypeError)).to.match(/Expected a number for tMax/);
    expect(thrown(() => new CosineAnnealingLR(opt(), { tMax: 5, T_max: 5 } as never), TypeError)).to.match(/Unknown option 'T_max'/);
    expect(thrown(() => new LinearLR(opt(), { startFactor: 0 }), RangeError)).to.equal(
      'Starting multiplicative factor expected to be greater than 0 and less or equal to 1.',
    );
    expect(thrown(() => new LinearLR(opt(), { startFactor: 1.5 }), RangeError)).to.equal(
      'Starting multiplicative factor expected to be greater than 0 and less or equal to 1.',
    );
    expect(thrown(() => new LinearLR(opt(), { endFactor: 2 }), RangeError)).to.equal('Ending multiplicative factor expected to be between 0 and 1.');
    expect(thrown(() => new LambdaLR(opt(), [EXP]), RangeError)).to.equal('Expected 2 lr_lambdas, but got 1');
    expect(thrown(() => new LambdaLR(opt(), 3 as never), TypeError)).to.match(/Expected a function for lrLambda/);
  });

  it('resuming without initialLr throws', () => {
    expect(thrown(() => new StepLR(opt(), { stepSize: 1, lastEpoch: 4 }))).to.equal(
      "param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer",
    );
  });

  it('OneCycleLR validates as PyTorch', () => {
    expect(thrown(() => new OneCycleLR(opt(), { maxLr: 0.1 }), TypeError)).to.equal('You must define either total_steps OR (epochs AND steps_per_epoch)');
    expect(thrown(() => new OneCycleLR(opt(), { maxLr: 0.1, epochs: 2 }), TypeError)).to.equal(
      'You must define either total_steps OR (epochs AND steps_per_epoch)',
    );
    expect(thrown(() => new OneCycleLR(opt(), { maxLr: 0.1, totalSteps: 0 }), RangeError)).to.equal('Expected positive integer total_steps, but got 0');
    expect(thrown(() => new OneCycleLR(opt(), { maxLr: 0.1, epochs: -1, stepsPerEpoch: 2 }), RangeError)).to.equal(
      'Expected positive integer epochs, but got -1',
    );
    expect(thrown(() => new OneCycleLR(opt(), { maxLr: 0.1, epochs: 1, stepsPerEpoch: 1.5 }), RangeError)).to.equal(
      'Expected positive integer steps_per_epoch, but got 1.5',
    );
    expect(thrown(() => new OneCycleLR(opt(), { maxLr: 0.1, totalSteps: 10, pctStart: 2 }), RangeError)).to.equal(
      'Expected float between 0 and 1 pct_start, but got 2',
    );
    expect(thrown(() => new OneCycleLR(opt(), { maxLr: 0.1, totalSteps: 10, annealStrategy: 'exp' as never }), RangeError)).to.equal(
      "anneal_strategy must by one of 'cos' or 'linear', instead got exp",
    );
    expect(thrown(() => new OneCycleLR(opt(), { maxLr: [0.1], totalSteps: 10 }), RangeError)).to.equal('expected 2 values for max_lr, got 1');
    const plain = new PlainSGD([torch.zeros([1], { requiresGrad: true })]);
    expect(thrown(() => new OneCycleLR(plain, { maxLr: 0.1, totalSteps: 10 }), RangeError)).to.equal(
      'optimizer must support momentum with `cycle_momentum` option enabled',
    );
    const ok = new OneCycleLR(plain, { maxLr: 0.1, totalSteps: 3, cycleMomentum: false });
    for (let i = 0; i < 3; i++) ok.step();
    expect(thrown(() => ok.step(), RangeError)).to.equal('Tried to step 5 times. The specified number of total steps is 3');
  });
});
