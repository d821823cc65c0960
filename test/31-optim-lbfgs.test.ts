/**
 * LBFGS vs PyTorch (the reference the addon links): parameters after every
 * step(closure) of 20, with and without the strong-Wolfe line search and with
 * a history that overflows; the state dict (PyTorch's layout: numbers, lists
 * and tensors on index 0) mid-way and at the end; repr; save/load both ways;
 * then errors.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { LBFGS, type OptimizerStateDict, type OptimizerStateDictInput } from '../lib/torch/optim/index.js';
import { hasPythonTorch } from './helpers/python.js';
import {
  errorsVsPython,
  expectClose,
  expectStateDict,
  flat,
  makeParams,
  modelData,
  pyKwargs,
  pyOptim,
  stateDictFromDesc,
  tempDir,
  thrown,
  type ModelData,
  type OptResult,
  type StateDictDesc,
} from './30-optim-helpers.js';

interface Case {
  name: string;
  opts: Record<string, unknown>;
}

const STEPS = 20;
const SAVE_AT = 8;

const CASES: Case[] = [
  { name: 'LBFGS maxIter 3 (fixed steps)', opts: { maxIter: 3 } },
  { name: 'LBFGS lr 0.5, maxIter 2, history 2 (the history overflows)', opts: { lr: 0.5, maxIter: 2, historySize: 2 } },
  { name: 'LBFGS defaults (converges: early exits)', opts: {} },
  { name: 'LBFGS strong_wolfe, maxIter 2, history 3', opts: { lineSearchFn: 'strong_wolfe', maxIter: 2, historySize: 3 } },
  { name: 'LBFGS strong_wolfe defaults', opts: { lineSearchFn: 'strong_wolfe' } },
  { name: 'LBFGS maxEval 2, tolerances', opts: { maxIter: 4, maxEval: 2, toleranceGrad: 1e-5, toleranceChange: 1e-6 } },
];

const DATA = modelData(5);

/** One step(closure) of the linear model (the closure zeroes, evaluates, backpropagates). */
function lbfgsStep(opt: LBFGS, params: Tensor[], d: ModelData): number {
  return torch.tidy(() => {
    const X = torch.tensor(d.X, { dtype: 'float32' });
    const Y = torch.tensor(d.Y, { dtype: 'float32' });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = X.matmul(params[0].t()).add(params[1]).sub(Y).square().mean();
      l.backward();
      return l;
    }) as Tensor;
    return loss.item();
  });
}

describe('optim: LBFGS vs PyTorch', () => {
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
      const opt = new LBFGS(params, c.opts);
      for (let s = 0; s < SAVE_AT; s++) lbfgsStep(opt, params, DATA);
      const file = join(dir, `case-${ci}.pt`);
      torch.save({ sd: opt.stateDict(), params: params.map((p) => p.detach()) }, file);
      opt.dispose();
      return file;
    });
    refs = pyOptim<OptResult>(
      CASES.map((c, ci) => ({
        kind: 'opt',
        opt: 'LBFGS',
        kwargs: pyKwargs(c.opts),
        groups: null,
        named: false,
        init: DATA.init,
        X: DATA.X,
        Y: DATA.Y,
        steps: STEPS,
        save_at: SAVE_AT,
        ts_file: files[ci],
      })),
    );
  });

  CASES.forEach((c, ci) => {
    it(`${c.name}: parameters after each of 20 steps, state dict, repr, save/load both ways`, () => {
      const ref = refs[ci];
      const params = makeParams(DATA);
      const opt = new LBFGS(params, c.opts);
      let saved: OptimizerStateDict | undefined;
      let savedParams: Tensor[] = [];
      for (let s = 0; s < STEPS; s++) {
        lbfgsStep(opt, params, DATA);
        params.forEach((p, i) => expectClose(flat(p), ref.history[s][i], `${c.name} step ${s + 1} param ${i}`, 1e-5, 1e-6));
        if (s + 1 === SAVE_AT) {
          const sd = opt.stateDict();
          expectStateDict(sd, ref.saved_sd, 1e-4);
          const desc = sd.state.get(0) as Record<string, unknown> | undefined;
          // A snapshot: clone the tensors (also inside lists), the live state moves on.
          const clone = (v: unknown): unknown => (v instanceof torch.Tensor ? v.clone() : Array.isArray(v) ? v.map(clone) : v);
          saved = {
            state:
              desc === undefined
                ? new Map()
                : new Map([[0, Object.fromEntries(Object.entries(desc).map(([k, v]) => [k, clone(v)])) as Record<string, Tensor | null>]]),
            param_groups: sd.param_groups,
          };
          savedParams = params.map((p) => p.detach().clone());
        }
      }
      expectStateDict(opt.stateDict(), ref.final_sd, 1e-4);
      expect(String(opt), 'repr').to.equal((ref as OptResult & { repr: string }).repr);

      // TS state dict -> fresh TS optimizer: continues identically.
      const params2 = savedParams.map((p) => p.clone().requiresGrad_(true));
      const opt2 = new LBFGS(params2, c.opts);
      opt2.loadStateDict(saved as OptimizerStateDict);
      for (let s = SAVE_AT; s < STEPS; s++) lbfgsStep(opt2, params2, DATA);
      params2.forEach((p, i) => {
        expect(flat(p), `resumed param ${i} equals the uninterrupted run`).to.deep.equal(flat(params[i]));
        expectClose(flat(p), ref.resumed[i], `resumed param ${i}`, 1e-5, 1e-6);
      });

      // Python's state dict -> fresh TS optimizer on Python's parameters: continues as Python did.
      const pyParams = ref.history[SAVE_AT - 1].map((v, i) => torch.tensor(v, { dtype: 'float32' }).reshape(params[i].shape).requiresGrad_(true));
      const opt3 = new LBFGS(pyParams, c.opts);
      opt3.loadStateDict(stateDictFromDesc(ref.saved_sd) as OptimizerStateDictInput);
      for (let s = SAVE_AT; s < STEPS; s++) lbfgsStep(opt3, pyParams, DATA);
      pyParams.forEach((p, i) => expectClose(flat(p), ref.history[STEPS - 1][i], `python-resumed param ${i}`, 1e-5, 1e-6));

      // TS's torch.save'd state dict -> Python: loads and continues as Python did.
      expectStateDict(stateDictFromDesc(ref.ts_loaded_sd as StateDictDesc) as never, ref.saved_sd, 1e-4);
      (ref.ts_resumed as number[][]).forEach((v, i) => expectClose(v, ref.history[STEPS - 1][i], `python continuing TS's checkpoint: param ${i}`, 1e-5, 1e-6));
      for (const o of [opt, opt2, opt3]) o.dispose();
    });
  });

  it('state survives tidy scopes; the live-tensor count stays flat once the history is full', () => {
    const params = makeParams(DATA);
    const opt = new LBFGS(params, { maxIter: 2, historySize: 2 });
    for (let s = 0; s < 3; s++) lbfgsStep(opt, params, DATA);
    const live = torch.memory().numTensors;
    for (let s = 0; s < 3; s++) lbfgsStep(opt, params, DATA);
    expect(torch.memory().numTensors).to.equal(live);
    const held = Object.values(opt.lbfgsState())
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter((v): v is Tensor => v instanceof torch.Tensor);
    expect(held.length).to.be.greaterThan(0);
    opt.dispose();
    expect(opt.lbfgsState()).to.deep.equal({});
    for (const t of held) expect(t.isDisposed).to.equal(true);
  });
});

const p = () => torch.tensor([0], { dtype: 'float32', requiresGrad: true });

errorsVsPython("optim: LBFGS errors with PyTorch's messages", [
  { name: 'negative lr', py: 'torch.optim.LBFGS([p()], lr=-1)', ts: () => new LBFGS([p()], { lr: -1 }), cls: RangeError },
  {
    name: 'parameter groups',
    py: 'torch.optim.LBFGS([{"params": [p()]}, {"params": [p()]}])',
    ts: () => new LBFGS([{ params: [p()] }, { params: [p()] }]),
    cls: RangeError,
  },
  {
    name: 'another line search',
    py: 'q = p()\no = torch.optim.LBFGS([q], line_search_fn="backtracking")\ndef c():\n    o.zero_grad()\n    l = (q * 2).sum()\n    l.backward()\n    return l\no.step(c)',
    ts: () => new LBFGS([p()], { lineSearchFn: 'backtracking' as never }),
    cls: RangeError,
  },
]);

describe('optim: LBFGS errors of this library', () => {
  it('step needs a closure returning a Tensor or a number; options are checked', () => {
    const opt = new LBFGS([p()]);
    expect(thrown(() => opt.step(), TypeError)).to.equal('Expected a function for closure but received undefined');
    expect(thrown(() => opt.step(() => 'x'), TypeError)).to.equal("Expected the closure to return a Tensor or a number but received 'x' of type string");
    expect(thrown(() => new LBFGS([p()], { maxIter: 0 }), RangeError)).to.equal('Expected an integer >= 1 for maxIter but received 0 of type number');
    expect(thrown(() => new LBFGS([p()], { historySize: 1.5 }), RangeError)).to.equal(
      'Expected an integer >= 1 for historySize but received 1.5 of type number',
    );
    expect(thrown(() => new LBFGS([p()], { lineSearchFn: 3 } as never), TypeError)).to.equal(
      "Expected 'strong_wolfe' or null for lineSearchFn but received 3 of type number",
    );
    expect(new LBFGS([p()], { maxIter: 7 }).paramGroups[0].maxEval).to.equal(8);
  });
});
