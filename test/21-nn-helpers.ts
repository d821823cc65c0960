/**
 * Helpers of the 21-nn-* tests (convolution, normalization, pooling and shape
 * layers), on top of 20-nn-helpers' module cases:
 *  - stateCases: the printed form (String(m) vs Python's repr(m)) and, over a
 *    sequence of train/eval calls without grad, every output and every buffer
 *    (running statistics, num_batches_tracked) after each call, both sides
 *    starting from the TS module's state dict;
 *  - initCases: default initialization statistics of large layers (mean, std,
 *    min, max per parameter) vs Python's own initialization of the same layer;
 *  - errorCases: exact error classes and messages.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { dec, encState, expectEnc, expectNear, ok, pyNN, pythonHasTorch, type Enc, type PyError, type Tol } from './20-nn-helpers.js';
import { PYTHON } from './helpers/python.js';

const STATE_PY = String.raw`
env0 = {'torch': torch, 'nn': nn, 'F': F, 'math': math, 'T': T}
out = []
for c in D:
    try:
        torch.manual_seed(0)
        m = eval(c['build'], dict(env0))
        if c.get('state') is not None:
            load(m, c['state'])
        inputs = {k: T(v) for k, v in c['inputs'].items()}
        res = {'repr': repr(m), 'steps': []}
        for mode in c['steps']:
            m.train(mode == 'train')
            with torch.no_grad():
                o = eval(c['call'], dict(env0, m=m, **inputs))
            outs = list(o) if isinstance(o, (tuple, list)) else [o]
            res['steps'].append({'outs': [E(x) for x in outs], 'buffers': [[k, E(b)] for k, b in m.named_buffers()]})
        out.append(res)
    except Exception as e:
        out.append({'error': type(e).__name__, 'message': str(e).split('\n')[0], 'full': str(e)})
`;

/** A layer whose printed form, and outputs and buffers over train/eval calls, must equal Python's. */
export interface StateCase<M extends torch.nn.Module = torch.nn.Module> {
  name: string;
  make: () => M;
  /** Python expression building the same layer (its state then comes from TS). */
  build: string;
  inputs?: Record<string, Enc>;
  call?: (m: M, x: Record<string, Tensor>) => Tensor | readonly (Tensor | null)[];
  pyCall?: string;
  /** Modes of successive calls (no grad); default none (repr only). */
  steps?: ('train' | 'eval')[];
  tol?: Tol;
}

/** A state case with its module type inferred from `make`. */
export function scase<M extends torch.nn.Module>(c: StateCase<M>): StateCase {
  return c as unknown as StateCase;
}

interface StateResult {
  repr: string;
  steps: { outs: (Enc | null)[]; buffers: [string, Enc | null][] }[];
}

function skipWithoutPython(ctx: Mocha.Context): void {
  if (!pythonHasTorch()) {
    console.log(`    reference PyTorch not available at ${PYTHON}: skipping`);
    ctx.skip();
  }
}

/** Declares one test per case; one Python run in `before` computes every reference. */
export function stateCases(cases: StateCase[]): void {
  const modules: torch.nn.Module[] = [];
  let results: (StateResult | PyError)[] = [];
  before(function () {
    this.timeout(120_000);
    skipWithoutPython(this);
    const payload = cases.map((c, i) => {
      torch.manualSeed(2000 + i);
      const m = c.make();
      modules[i] = m;
      return { build: c.build, state: encState(m.stateDict()), inputs: c.inputs ?? {}, call: c.pyCall ?? 'm(x)', steps: c.steps ?? [] };
    });
    results = pyNN<StateResult[]>([{ kind: 'exec', code: STATE_PY, data: payload }])[0] as unknown as (StateResult | PyError)[];
  });
  cases.forEach((c, i) => {
    it(c.name, () => {
      const py = ok(results[i], c.name);
      const m = modules[i];
      expect(String(m), 'printed form').to.equal(py.repr);
      const steps = c.steps ?? [];
      expect(steps.length, 'steps').to.equal(py.steps.length);
      torch.tidy(() => {
        const x = Object.fromEntries(Object.entries(c.inputs ?? {}).map(([k, e]) => [k, dec({ ...e, requiresGrad: false })]));
        steps.forEach((mode, s) => {
          m.train(mode === 'train');
          const out = torch.noGrad(() =>
            (c.call ?? ((mm: torch.nn.Module, xx: Record<string, Tensor>) => (mm as unknown as { forward(t: Tensor): Tensor }).forward(xx.x)))(m, x),
          );
          const outs = out instanceof torch.Tensor ? [out] : [...out];
          expect(outs.length, `step ${s}: outputs`).to.equal(py.steps[s].outs.length);
          outs.forEach((o, j) => expectEnc(o, py.steps[s].outs[j], `step ${s} (${mode}): output ${j}`, c.tol));
          const bufs = m.namedBuffers();
          expect(
            bufs.map(([k]) => k),
            `step ${s}: buffer names`,
          ).to.deep.equal(py.steps[s].buffers.map(([k]) => k));
          bufs.forEach(([k, b], j) => expectEnc(b, py.steps[s].buffers[j][1], `step ${s} (${mode}): buffer ${k}`, c.tol));
        });
      });
    });
  });
}

const INIT_PY = String.raw`
env0 = {'torch': torch, 'nn': nn, 'F': F, 'math': math}
out = []
for c in D:
    torch.manual_seed(c['seed'])
    m = eval(c['build'], dict(env0))
    st = {}
    for k, v in m.state_dict().items():
        if not v.is_floating_point() or v.numel() < 2: continue
        v = v.double()
        st[k] = {'mean': v.mean().item(), 'std': v.std().item(), 'min': v.min().item(), 'max': v.max().item(), 'n': v.numel()}
    out.append(st)
`;

/** A layer whose default initialization must have the statistics of Python's. */
export interface InitCase {
  name: string;
  make: () => torch.nn.Module;
  build: string;
}

interface Stats {
  mean: number;
  std: number;
  min: number;
  max: number;
  n: number;
}

function stats(t: Tensor): Stats {
  return torch.tidy(() => {
    const v = t.detach().to('float64');
    return { mean: v.mean().item() as number, std: v.std().item() as number, min: v.min().item() as number, max: v.max().item() as number, n: v.numel() };
  });
}

/**
 * Declares one test per case: per floating state entry, the mean agrees within
 * 5 standard errors (plus 1e-6 for constant inits), the std within 5 of its
 * standard errors, and min/max within 3% of the range (bounds of uniform inits); different seeds on
 * the two sides, so the agreement is statistical, not a copy.
 */
export function initCases(cases: InitCase[]): void {
  let results: Record<string, Stats>[] = [];
  before(function () {
    this.timeout(120_000);
    skipWithoutPython(this);
    results = pyNN<Record<string, Stats>[]>([
      { kind: 'exec', code: INIT_PY, data: cases.map((c, i) => ({ build: c.build, seed: 77 + i })) },
    ])[0] as unknown as Record<string, Stats>[];
  });
  cases.forEach((c, i) => {
    it(c.name, () => {
      torch.manualSeed(3000 + i);
      const m = c.make();
      const py = results[i];
      const mine = Object.entries(m.stateDict()).filter(([, v]) => v.isFloatingPoint() && v.numel() >= 2);
      expect(
        mine.map(([k]) => k),
        'initialized entries',
      ).to.deep.equal(Object.keys(py));
      for (const [k, v] of mine) {
        const a = stats(v);
        const b = py[k];
        const se = b.std / Math.sqrt(b.n);
        expectNear(a.mean, b.mean, 0, `${k}: mean`, 5 * se * Math.SQRT2 + 1e-6);
        // the std of n samples has a relative standard error of at most ~0.71/sqrt(n) (normal), 0.45/sqrt(n) (uniform)
        expectNear(a.std, b.std, (5 * Math.SQRT2 * 0.71) / Math.sqrt(b.n), `${k}: std`, 1e-6);
        const range = b.max - b.min;
        const edge = Math.max(0.03, 5 / b.n) * range + 1e-6;
        expectNear(a.min, b.min, 0, `${k}: min`, edge);
        expectNear(a.max, b.max, 0, `${k}: max`, edge);
      }
    });
  });
}

type Cls = new (...a: never[]) => Error;
/** [name, call, expected class, expected message] */
export type ErrorCase = [string, () => unknown, Cls, string];

/** One test per case: the call throws exactly this class and message. */
export function errorCases(cases: ErrorCase[]): void {
  for (const [name, fn, cls, message] of cases) {
    it(name, () => {
      let err: unknown = null;
      torch.tidy(() => {
        try {
          fn();
        } catch (e) {
          err = e;
        }
      });
      expect(err, 'threw').to.be.instanceOf(cls);
      expect((err as Error).message).to.equal(message);
    });
  }
}
