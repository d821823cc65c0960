/**
 * Adam and AdamW vs PyTorch (the reference the addon links): parameters after
 * every step of 20, the state dict (keys, order, dtypes, shapes, values),
 * defaults and repr, save/load continuation both ways (TS→TS, Python→TS, and
 * TS→Python through a torch.save'd file), state dicts in older layouts (1.13,
 * integer step, AdamW without decoupled_weight_decay), named parameters,
 * zeroGrad, closures, scopes, and every error a user can cause.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { Adam, AdamW, type Optimizer, type OptimizerStateDict, type OptimizerStateDictInput } from '../lib/torch/optim/index.js';
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

type Cls = 'Adam' | 'AdamW';
type Groups = ({ params: number[] } & Record<string, unknown>)[];

interface Case {
  name: string;
  cls: Cls;
  opts: Record<string, unknown>;
  groups?: Groups;
  /** Parameters given as [name, tensor] pairs (param_names in the state dict). */
  named?: boolean;
}

const STEPS = 20;
const SAVE_AT = 8;
const NAMES = ['W', 'b', 'u'];

const CASES: Case[] = [
  { name: 'Adam defaults (lr raised)', cls: 'Adam', opts: { lr: 0.05 } },
  { name: 'Adam with weight decay', cls: 'Adam', opts: { lr: 0.05, weightDecay: 0.1 } },
  { name: 'Adam amsgrad', cls: 'Adam', opts: { lr: 0.05, amsgrad: true, betas: [0.8, 0.99] } },
  { name: 'Adam maximize', cls: 'Adam', opts: { lr: 0.05, maximize: true } },
  { name: 'Adam maximize + amsgrad + weight decay + eps', cls: 'Adam', opts: { lr: 0.02, maximize: true, amsgrad: true, weightDecay: 0.05, eps: 1e-3 } },
  { name: 'Adam decoupledWeightDecay (AdamW as Adam)', cls: 'Adam', opts: { lr: 0.05, weightDecay: 0.3, decoupledWeightDecay: true } },
  { name: 'Adam explicit foreach/fused false', cls: 'Adam', opts: { lr: 0.05, foreach: false, fused: false } },
  {
    name: 'Adam param groups with different lr, betas, decoupling',
    cls: 'Adam',
    opts: { lr: 0.01 },
    groups: [
      { params: [0], lr: 0.1, betas: [0.5, 0.9], weightDecay: 0.2, decoupledWeightDecay: true },
      { params: [1, 2], weightDecay: 0.2 },
    ],
  },
  { name: 'Adam named parameters', cls: 'Adam', opts: { lr: 0.05 }, named: true },
  { name: 'AdamW defaults (lr raised)', cls: 'AdamW', opts: { lr: 0.05 } },
  { name: 'AdamW amsgrad + maximize + large weight decay', cls: 'AdamW', opts: { lr: 0.05, amsgrad: true, maximize: true, weightDecay: 0.5 } },
  {
    name: 'AdamW named groups (no decay on the bias)',
    cls: 'AdamW',
    opts: { lr: 0.03, weightDecay: 0.1 },
    named: true,
    groups: [
      { params: [0], lr: 0.05 },
      { params: [1, 2], weightDecay: 0 },
    ],
  },
];

const DATA = modelData(7);

function make(cls: Cls, opts: Record<string, unknown>, params: Tensor[], groups?: Groups, named = false): Optimizer {
  const pick = (i: number) => (named ? ([NAMES[i], params[i]] as const) : params[i]);
  const input = groups ? groups.map((g) => ({ ...g, params: g.params.map(pick) })) : params.map((_, i) => pick(i));
  return cls === 'Adam' ? new Adam(input as never, opts) : new AdamW(input as never, opts);
}

const makeCase = (c: Case, params: Tensor[]) => make(c.cls, c.opts, params, c.groups, c.named);

function pyCase(c: { cls: Cls; opts: Record<string, unknown>; groups?: Groups; named?: boolean }): Record<string, unknown> {
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

describe('optim: Adam / AdamW vs PyTorch', () => {
  let refs: OptResult[] = [];
  let dir = '';

  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  before(function () {
    if (!hasPythonTorch()) this.skip();
    // TypeScript's checkpoints after SAVE_AT steps, for Python to continue from.
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
      expect(String(opt), 'repr').to.equal((ref as OptResult & { repr: string }).repr);
      const defaults = (ref as OptResult & { defaults: [string, PyDesc][] }).defaults;
      expect(
        Object.keys(opt.defaults).map((k) => k.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)),
        'defaults keys',
      ).to.deep.equal(defaults.map(([k]) => k));
      for (const [k, d] of defaults) {
        const v = (opt.defaults as Record<string, unknown>)[k.replace(/_([a-z])/g, (_m, x: string) => x.toUpperCase())];
        // PyTorch keeps betas as a tuple; `defaults` holds arrays.
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

// State dicts in the layouts older PyTorch releases wrote, loaded on both sides.
const r = rng(3);
const vals = (n: number, scale = 1) => Array.from({ length: n }, () => Math.abs(r()) * scale);
const t = (data: number[], shape: number[]): PyDesc => ({ tensor: { dtype: 'float32', shape, data } });
const f = (x: number): PyDesc => ({ float: x });
const b = (x: boolean): PyDesc => ({ bool: x });
const betas: PyDesc = { tuple: [f(0.9), f(0.999)] };
/** Adam state for W (3x4) and b (3); u never had a gradient. */
const adamState = (step: PyDesc, amsgrad = false): StateDictDesc['state'] =>
  (
    [
      [0, [3, 4]],
      [1, [3]],
    ] as [number, number[]][]
  ).map(([k, shape]) => {
    const n = shape.reduce((a, x) => a * x, 1);
    const entries: [string, PyDesc][] = [
      ['step', step],
      ['exp_avg', t(vals(n, 0.1), shape)],
      ['exp_avg_sq', t(vals(n, 0.01), shape)],
    ];
    if (amsgrad) entries.push(['max_exp_avg_sq', t(vals(n, 0.02), shape)]);
    return [k, entries];
  });

interface LoadCase {
  name: string;
  cls: Cls;
  opts: Record<string, unknown>;
  named?: boolean;
  sd: StateDictDesc;
}

const LOAD_CASES: LoadCase[] = [
  {
    name: 'Adam state dict of PyTorch 1.13 (fused False, no decoupled_weight_decay)',
    cls: 'Adam',
    opts: {},
    sd: {
      state: adamState(t([4], [])),
      param_groups: [
        [
          ['lr', f(0.02)],
          ['betas', betas],
          ['eps', f(1e-8)],
          ['weight_decay', { int: 0 }],
          ['amsgrad', b(false)],
          ['maximize', b(false)],
          ['foreach', null],
          ['capturable', b(false)],
          ['differentiable', b(false)],
          ['fused', b(false)],
          ['params', { list: [{ int: 0 }, { int: 1 }, { int: 2 }] }],
        ],
      ],
    },
  },
  {
    name: 'Adam state dict of PyTorch < 1.12 (integer step, no maximize/foreach/capturable/...)',
    cls: 'Adam',
    opts: { lr: 0.5, maximize: true },
    sd: {
      state: adamState({ int: 5 }, true),
      param_groups: [
        [
          ['lr', f(0.02)],
          ['betas', betas],
          ['eps', f(1e-8)],
          ['weight_decay', f(0.01)],
          ['amsgrad', b(true)],
          ['params', { list: [{ int: 0 }, { int: 1 }, { int: 2 }] }],
        ],
      ],
    },
  },
  {
    name: 'AdamW state dict of PyTorch 1.13 (no differentiable/fused/decoupled_weight_decay)',
    cls: 'AdamW',
    opts: {},
    named: true,
    sd: {
      state: adamState(t([3], [])),
      param_groups: [
        [
          ['lr', f(0.02)],
          ['betas', betas],
          ['eps', f(1e-8)],
          ['weight_decay', f(0.01)],
          ['amsgrad', b(false)],
          ['foreach', null],
          ['maximize', b(false)],
          ['capturable', b(false)],
          ['params', { list: [{ int: 0 }, { int: 1 }, { int: 2 }] }],
        ],
      ],
    },
  },
  {
    name: 'AdamW loading decoupled_weight_decay False (always True), keys it does not know kept',
    cls: 'AdamW',
    opts: {},
    sd: {
      state: adamState(t([2], [])),
      param_groups: [
        [
          ['param_names', { list: [{ str: 'x' }, { str: 'y' }, { str: 'z' }] }],
          ['lr', f(0.03)],
          ['betas', betas],
          ['eps', f(1e-8)],
          ['weight_decay', f(0.01)],
          ['amsgrad', b(false)],
          ['maximize', b(false)],
          ['foreach', null],
          ['capturable', b(false)],
          ['differentiable', b(false)],
          ['fused', null],
          ['decoupled_weight_decay', b(false)],
          ['initial_lr', f(0.03)],
          ['some_future_key', { tuple: [{ int: 1 }, { str: 'a' }] }],
          ['params', { list: [{ int: 0 }, { int: 1 }, { int: 2 }] }],
        ],
      ],
    },
  },
];

describe('optim: Adam / AdamW load state dicts of older PyTorch like PyTorch', () => {
  let refs: LoadResult[] = [];

  before(function () {
    if (!hasPythonTorch()) this.skip();
    refs = pyOptim<LoadResult>(LOAD_CASES.map((c) => ({ kind: 'load', ...pyCase(c), sd: c.sd, steps: 4 })));
  });

  LOAD_CASES.forEach((c, ci) => {
    it(`${c.name}: the loaded state dict, and 4 more steps`, () => {
      const ref = refs[ci];
      const params = makeParams(DATA);
      const opt = make(c.cls, c.opts, params, undefined, c.named);
      opt.loadStateDict(stateDictFromDesc(c.sd) as OptimizerStateDictInput);
      expectStateDict(opt.stateDict(), ref.loaded_sd);
      for (let s = 0; s < 4; s++) trainStep(opt, params, DATA);
      params.forEach((p, i) => expectClose(flat(p), ref.params[i], `param ${i}`));
      expectStateDict(opt.stateDict(), ref.final_sd);
      opt.dispose();
    });
  });
});

describe('optim: Adam behaviour', () => {
  const w0 = [
    [1, -2],
    [0.5, 3],
  ];
  let py: unknown[] = [];

  before(function () {
    if (!hasPythonTorch()) this.skip();
    py = pyExec([
      // 0: closure step
      `a = torch.tensor([1., 2.], requires_grad=True)
opt = Adam([a], lr=0.1)
def closure():
    opt.zero_grad()
    l = a.square().sum()
    l.backward()
    return l.item()
with torch.no_grad():
    loss = opt.step(closure)
result = [loss, a.tolist()]`,
      // 1: lr changed between steps
      `a = torch.tensor([1.], requires_grad=True)
opt = Adam([a], lr=0.1)
a.sum().backward()
opt.param_groups[0]['lr'] = 0
opt.step()
first = a.tolist()
opt.param_groups[0]['lr'] = 0.5
opt.step()
result = [first, a.tolist()]`,
      // 2: step dtype follows the default dtype
      `torch.set_default_dtype(torch.float64)
try:
    a = torch.tensor([1.], dtype=torch.float32, requires_grad=True)
    opt = Adam([a])
    a.sum().backward()
    opt.step()
    result = str(opt.state[a]['step'].dtype).replace('torch.', '')
finally:
    torch.set_default_dtype(torch.float32)`,
      // 3: duplicate parameters warn
      `q = p()
Adam([q, q])`,
    ]).map((x) => ({ result: x.result, warnings: x.warnings }));
  });

  it('parameters without a gradient get no state and stay unchanged', () => {
    const a = torch.tensor(w0, { dtype: 'float32', requiresGrad: true });
    const b2 = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([a, b2], { lr: 0.1 });
    a.square().sum().backward();
    opt.step();
    expect([...opt.state.keys()]).to.deep.equal([a]);
    expect([...opt.stateDict().state.keys()]).to.deep.equal([0]);
    expect(flat(b2)).to.deep.equal([1, 2]);
    expect(opt.stateDict().state.get(0)?.step?.dtype).to.equal('float32');
    expect(opt.stateDict().state.get(0)?.step?.shape).to.deep.equal([]);
    opt.dispose();
  });

  it('the step count follows the default dtype, as PyTorch', () => {
    torch.setDefaultDtype('float64');
    try {
      const a = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
      const opt = new Adam([a]);
      a.sum().backward();
      opt.step();
      expect(opt.state.get(a)?.step?.dtype).to.equal((py[2] as { result: string }).result);
      opt.dispose();
    } finally {
      torch.setDefaultDtype('float32');
    }
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
    for (const x of Object.values(s)) expect(x.isDisposed).to.equal(false);
    expect(s.step.item()).to.equal(6);
    opt.dispose();
    for (const x of Object.values(s)) expect(x.isDisposed).to.equal(true);
  });

  it('zeroGrad sets grads to null by default (PyTorch 2.x), or zeroes them in place', () => {
    const a = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([a]);
    a.square().sum().backward();
    opt.zeroGrad({ setToNone: false });
    const g = a.grad as Tensor;
    expect(flat(g)).to.deep.equal([0, 0]);
    expect(g.requiresGrad).to.equal(false);
    opt.zeroGrad();
    expect(a.grad).to.equal(null);
  });

  it('step(closure) evaluates the loss with gradients enabled and returns it', () => {
    const [loss, after] = (py[0] as { result: [number, number[]] }).result;
    const a = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([a], { lr: 0.1 });
    const l = torch.noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const x = a.square().sum();
        x.backward();
        return x.item();
      }),
    );
    expect(l).to.equal(loss);
    expectClose(flat(a), after, 'after closure step');
    expect(opt.step()).to.equal(undefined);
  });

  it('paramGroups are mutable: a new lr takes effect at the next step', () => {
    const [first, second] = (py[1] as { result: [number[], number[]] }).result;
    const a = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([a], { lr: 0.1 });
    a.sum().backward();
    opt.paramGroups[0].lr = 0;
    opt.step();
    expectClose(flat(a), first, 'lr 0 step');
    opt.paramGroups[0].lr = 0.5;
    opt.step();
    expectClose(flat(a), second, 'lr 0.5 step');
  });

  it('parameter groups take the defaults for missing options; addParamGroup continues the indices', () => {
    const a = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const b2 = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const opt = new Adam([{ params: [a], weightDecay: 0.5 }, { params: b2 }], { lr: 0.2 });
    expect(opt.paramGroups[0].weightDecay).to.equal(0.5);
    expect(opt.paramGroups[0].lr).to.equal(0.2);
    expect(opt.paramGroups[1].params).to.deep.equal([b2]);
    expect(opt.stateDict().param_groups[1].params).to.deep.equal([1]);
    opt.addParamGroup({ params: [torch.tensor([3], { dtype: 'float32', requiresGrad: true })], lr: 1 });
    expect(opt.stateDict().param_groups[2].params).to.deep.equal([2]);
  });

  it('AdamW is an Adam with decoupled weight decay; the options are declared once, on the class', () => {
    const opt = new AdamW([torch.zeros([1], { requiresGrad: true })]);
    expect(opt).to.be.instanceOf(Adam);
    expect(opt.paramGroups[0].decoupledWeightDecay).to.equal(true);
    expect(AdamW.options.weightDecay.default).to.equal(1e-2);
    expect(Adam.options.weightDecay.default).to.equal(0);
    expect(opt.defaults.weightDecay).to.equal(AdamW.options.weightDecay.default);
  });

  it('duplicate parameters warn as PyTorch', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const q = torch.zeros([1], { requiresGrad: true });
      new Adam([q, q]);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).to.deep.equal((py[3] as { warnings: string[] }).warnings);
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

  it("loading keeps the optimizer's paramNames when the saved groups have none", () => {
    const a = torch.zeros([1], { requiresGrad: true });
    const opt = new Adam([['a', a] as const]);
    const plain = new Adam([torch.zeros([1], { requiresGrad: true })]);
    opt.loadStateDict(plain.stateDict());
    expect(opt.paramGroups[0].paramNames).to.deep.equal(['a']);
    expect(Object.keys(opt.stateDict().param_groups[0]).slice(-2)).to.deep.equal(['param_names', 'params']);
  });
});

const p = () => torch.tensor([0], { dtype: 'float32', requiresGrad: true });

errorsVsPython("optim: Adam / AdamW errors with PyTorch's messages", [
  { name: 'negative lr', py: 'Adam([p()], lr=-1)', ts: () => new Adam([p()], { lr: -1 }), cls: RangeError },
  { name: 'NaN lr', py: "Adam([p()], lr=float('nan'))", ts: () => new Adam([p()], { lr: NaN }), cls: RangeError },
  { name: 'negative eps', py: 'Adam([p()], eps=-0.5)', ts: () => new Adam([p()], { eps: -0.5 }), cls: RangeError },
  { name: 'beta 0 out of range', py: 'Adam([p()], betas=(1.0, 0.999))', ts: () => new Adam([p()], { betas: [1, 0.999] }), cls: RangeError },
  { name: 'beta 1 out of range', py: 'Adam([p()], betas=(0.9, -0.1))', ts: () => new Adam([p()], { betas: [0.9, -0.1] }), cls: RangeError },
  { name: 'negative weight decay', py: 'Adam([p()], weight_decay=-1e-3)', ts: () => new Adam([p()], { weightDecay: -1e-3 }), cls: RangeError },
  { name: 'tiny negative eps (exponent format)', py: 'Adam([p()], eps=-1e-7)', ts: () => new Adam([p()], { eps: -1e-7 }), cls: RangeError },
  { name: 'AdamW negative lr', py: 'AdamW([p()], lr=-0.1)', ts: () => new AdamW([p()], { lr: -0.1 }), cls: RangeError },
  { name: 'AdamW beta out of range', py: 'AdamW([p()], betas=(0.9, 1.0))', ts: () => new AdamW([p()], { betas: [0.9, 1] }), cls: RangeError },
  { name: 'empty parameter list', py: 'Adam([])', ts: () => new Adam([]), cls: RangeError },
  { name: 'non-leaf parameter', py: 'Adam([p() * 2])', ts: () => new Adam([p().mul(2)]), cls: RangeError },
  {
    name: 'a parameter in two groups',
    py: 'q = p()\nAdam([{"params": [q]}, {"params": [q]}])',
    ts: () => {
      const q = p();
      return new Adam([{ params: [q] }, { params: [q] }]);
    },
    cls: RangeError,
  },
  { name: 'parameters in a set', py: 'Adam([{"params": {p()}}])', ts: () => new Adam([{ params: new Set([p()]) }] as never), cls: TypeError },
  {
    name: 'names for some parameters only',
    py: 'Adam([("a", p()), ("b", p()), p()])',
    ts: () => new Adam([['a', p()], ['b', p()], p()] as never),
    cls: RangeError,
  },
  {
    name: 'a named group added to unnamed ones',
    py: 'o = Adam([p()])\no.add_param_group({"params": [("a", p())]})',
    ts: () => new Adam([p()]).addParamGroup({ params: [['a', p()] as const] }),
    cls: RangeError,
  },
  {
    name: 'an unnamed group added to named ones',
    py: 'o = Adam([("a", p())])\no.add_param_group({"params": [p()]})',
    ts: () => new Adam([['a', p()] as const]).addParamGroup({ params: [p()] }),
    cls: RangeError,
  },
  {
    name: 'loading a state dict with another number of groups',
    py: 'Adam([p(), p()]).load_state_dict(Adam([{"params": [p()]}, {"params": [p()]}]).state_dict())',
    ts: () => new Adam([p(), p()]).loadStateDict(new Adam([{ params: [p()] }, { params: [p()] }]).stateDict()),
    cls: RangeError,
    prefix: true,
  },
  {
    name: 'loading a state dict whose group has another size',
    py: 'Adam([p(), p()]).load_state_dict(Adam([p()]).state_dict())',
    ts: () => new Adam([p(), p()]).loadStateDict(new Adam([p()]).stateDict()),
    cls: RangeError,
    prefix: true,
  },
]);

describe('optim: Adam / AdamW errors of this library', () => {
  it('a Tensor, or something not iterable, as params', () => {
    expect(thrown(() => new Adam(p() as never), TypeError)).to.equal(
      'params argument given to the optimizer should be an iterable of Tensors or dicts, but got a Tensor',
    );
    expect(thrown(() => new Adam(3 as never), TypeError)).to.equal(
      'params argument given to the optimizer should be an iterable of Tensors or dicts, but got 3 of type number',
    );
  });

  it('parameters that are not Tensors, and malformed groups and pairs', () => {
    expect(thrown(() => new Adam([p(), 3] as never), TypeError)).to.equal('optimizer can only optimize Tensors, but one of the params is 3 of type number');
    expect(thrown(() => new Adam([p()]).addParamGroup(3 as never), TypeError)).to.equal(
      'Expected an object with params for param group but received 3 of type number',
    );
    expect(thrown(() => new Adam([{ params: 3 }] as never), TypeError)).to.equal('Expected an iterable of Tensors for params but received 3 of type number');
    expect(thrown(() => new Adam([[1, p()]] as never), TypeError)).to.equal('Expected a [name, Tensor] pair for params[0] but received an array of length 2');
  });

  it('unknown options and values of the wrong kind throw TypeError naming them', () => {
    expect(thrown(() => new Adam([p()], { weight_decay: 0.1 } as never), TypeError)).to.match(
      /^Unknown option 'weight_decay' for Adam; expected one of: lr, betas, eps, weightDecay, amsgrad, maximize, foreach, capturable, differentiable, fused, decoupledWeightDecay$/,
    );
    expect(thrown(() => new AdamW([p()], { decoupledWeightDecay: false } as never), TypeError)).to.match(
      /^Unknown option 'decoupledWeightDecay' for AdamW; expected one of: .*fused$/,
    );
    expect(thrown(() => new Adam([{ params: [p()], momentum: 0.9 } as never]), TypeError)).to.match(/^Unknown option 'momentum' for Adam param group/);
    expect(thrown(() => new Adam([p()], { lr: '0.1' } as never), TypeError)).to.equal("Expected a number for lr but received '0.1' of type string");
    expect(thrown(() => new Adam([p()], { betas: [0.9] } as never), TypeError)).to.equal(
      'Expected an array of two numbers for betas but received an array of length 1',
    );
    expect(thrown(() => new Adam([p()], { amsgrad: 1 } as never), TypeError)).to.equal('Expected a boolean for amsgrad but received 1 of type number');
    expect(thrown(() => new Adam([p()], { foreach: 'yes' } as never), TypeError)).to.equal(
      "Expected a boolean or null for foreach but received 'yes' of type string",
    );
    expect(thrown(() => new Adam([p()], { fused: 0 } as never), TypeError)).to.equal('Expected a boolean or null for fused but received 0 of type number');
    expect(thrown(() => new Adam([{ params: [p()], lr: -2 }]), RangeError)).to.equal('Invalid learning rate: -2');
  });

  it('capturable, differentiable and fused true are not supported', () => {
    const why = '(not supported: the update runs natively, one call per group)';
    expect(thrown(() => new Adam([p()], { capturable: true }), RangeError)).to.equal(`Expected false for capturable but received true of type boolean ${why}`);
    expect(thrown(() => new AdamW([p()], { differentiable: true }), RangeError)).to.equal(
      `Expected false for differentiable but received true of type boolean ${why}`,
    );
    expect(thrown(() => new Adam([p()], { fused: true }), RangeError)).to.equal(`Expected false or null for fused but received true of type boolean ${why}`);
  });

  it('zeroGrad and step reject what they cannot take', () => {
    const opt = new Adam([p()]);
    expect(thrown(() => opt.zeroGrad({ setToNon: true } as never), TypeError)).to.match(/^Unknown option 'setToNon' for zeroGrad/);
    expect(thrown(() => opt.step(3 as never), TypeError)).to.equal('Expected a function for closure but received 3 of type number');
  });

  it('turning amsgrad on after the state exists throws a clear error', () => {
    const a = p();
    const opt = new Adam([a], { lr: 0.1 });
    a.sum().backward();
    opt.step();
    opt.paramGroups[0].amsgrad = true;
    expect(thrown(() => opt.step())).to.equal(
      "Adam: the state of parameter 0 of its group has no 'max_exp_avg_sq' (amsgrad was turned on after the state was created)",
    );
  });

  it('loading malformed state dicts throws and changes nothing', () => {
    const a = p();
    const opt = new Adam([a], { lr: 0.1 });
    a.sum().backward();
    opt.step();
    const before = opt.state.get(a)?.expAvg;
    expect(thrown(() => opt.loadStateDict({} as never), TypeError)).to.equal(
      "Expected a state dict with 'state' and 'param_groups' for stateDict but received an object of type Object",
    );
    expect(thrown(() => opt.loadStateDict({ state: {}, param_groups: 3 } as never), TypeError)).to.equal(
      'Expected an array for param_groups but received 3 of type number',
    );
    expect(thrown(() => opt.loadStateDict({ state: {}, param_groups: [3] } as never), TypeError)).to.equal(
      'Expected an object with params for param_groups[0] but received 3 of type number',
    );
    const sd = () => snapshot(opt.stateDict());
    const noLr = sd();
    delete (noLr.param_groups[0] as Record<string, unknown>).lr;
    expect(thrown(() => opt.loadStateDict(noLr), TypeError)).to.equal(
      'Expected a value for lr in param_groups[0] of the loaded state dict but received undefined',
    );
    const badLr = sd();
    badLr.param_groups[0].lr = -3;
    expect(thrown(() => opt.loadStateDict(badLr), RangeError)).to.equal('Invalid learning rate: -3');
    expect(thrown(() => opt.loadStateDict({ state: 3, param_groups: sd().param_groups } as never), TypeError)).to.equal(
      'Expected a Map or an object for state but received 3 of type number',
    );
    expect(thrown(() => opt.loadStateDict({ state: { 0: 3 }, param_groups: sd().param_groups } as never), TypeError)).to.equal(
      'Expected an object for the state of parameter 0 but received 3 of type number',
    );
    expect(thrown(() => opt.loadStateDict({ state: { 0: { step: 'x' } }, param_groups: sd().param_groups } as never), TypeError)).to.equal(
      "Expected a Tensor for state 'step' but received 'x' of type string",
    );
    expect(opt.paramGroups[0].lr).to.equal(0.1);
    expect(opt.state.get(a)?.expAvg).to.equal(before);
    expect(before?.isDisposed).to.equal(false);
  });
});
