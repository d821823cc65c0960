/**
 * Shared helpers for the optimizer tests: deterministic data, the tiny linear
 * model both sides train, the reference PyTorch run (test/python/optim_ref.py,
 * one process per batch), state-dict comparisons, and error messages checked
 * against the ones PyTorch raises.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { PyFloat, PyTuple } from '../lib/torch/serialization/pickle.js';
import { hasPythonTorch, runPython } from './helpers/python.js';
import type { Optimizer, OptimizerStateDict } from '../lib/torch/optim/index.js';

const SCRIPT = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'python', 'optim_ref.py'), 'utf8');

/**
 * What the reference script returns per optimizer case: the parameter history, state dicts, the run
 * resumed from Python's state dict, and the run resumed from TypeScript's (with the state dict as Python
 * holds it after loading).
 */
export interface OptResult {
  history: number[][][];
  final_sd: StateDictDesc;
  saved_sd: StateDictDesc;
  resumed: number[][];
  ts_loaded_sd?: StateDictDesc;
  ts_resumed?: number[][];
}

/** What the reference script returns for a load case: the state dict after loading, the params after more steps. */
export interface LoadResult {
  loaded_sd: StateDictDesc;
  params: number[][];
  final_sd: StateDictDesc;
}

/** Runs the reference script on a batch of cases (one Python process). */
export function pyOptim<R>(cases: unknown[]): R[] {
  return runPython<R[]>(SCRIPT, cases, { timeoutMs: 120_000 });
}

/** A fresh temporary folder (for checkpoints TypeScript writes and Python reads). */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'optim-test-'));
}

/** A copy of a state dict whose state tensors are clones (the live state moves on). */
export function snapshot(sd: OptimizerStateDict): OptimizerStateDict {
  return {
    state: new Map([...sd.state].map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([n, t]) => [n, t === null ? null : t.clone()]))])),
    param_groups: sd.param_groups,
  };
}

/** A small seeded PRNG (mulberry32), values in [-1, 1) rounded to 6 decimals. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.round((u * 2 - 1) * 1e6) / 1e6;
  };
}

function matrix(r: () => number, rows: number, cols: number, scale = 1): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => r() * scale));
}

/** Initial parameters and data of the linear model. */
export interface ModelData {
  init: { W: number[][]; b: number[]; u: number[] };
  X: number[][];
  Y: number[][];
}

/** Deterministic model data (W 3x4, b 3, an unused u 2; X 8x4, Y 8x3). */
export function modelData(seed = 1): ModelData {
  const r = rng(seed);
  return {
    init: { W: matrix(r, 3, 4), b: Array.from({ length: 3 }, () => r()), u: [r(), r()] },
    X: matrix(r, 8, 4, 2),
    Y: matrix(r, 8, 3, 3),
  };
}

/** The parameters [W, b, u] as fresh leaf tensors. */
export function makeParams(d: ModelData): Tensor[] {
  return [
    torch.tensor(d.init.W, { dtype: 'float32', requiresGrad: true }),
    torch.tensor(d.init.b, { dtype: 'float32', requiresGrad: true }),
    torch.tensor(d.init.u, { dtype: 'float32', requiresGrad: true }),
  ];
}

/** One training step (zeroGrad, mean squared error, backward, step) in a tidy scope. */
export function trainStep(opt: Optimizer, params: Tensor[], d: ModelData): void {
  torch.tidy(() => {
    const X = torch.tensor(d.X, { dtype: 'float32' });
    const Y = torch.tensor(d.Y, { dtype: 'float32' });
    opt.zeroGrad();
    const loss = X.matmul(params[0].t()).add(params[1]).sub(Y).square().mean();
    loss.backward();
    opt.step();
  });
}

/** camelCase → snake_case. */
export function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Options object with snake_case keys (for the Python side). */
export function pyKwargs(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [snake(k), v]));
}

/** Flat values of a tensor. */
export function flat(t: Tensor): number[] {
  return t.detach().reshape([-1]).dataSync();
}

/** Asserts elementwise |a - e| <= atol + rtol * |e|. */
export function expectClose(actual: number[], expected: number[], what: string, rtol = 1e-6, atol = 1e-7): void {
  expect(actual.length, `${what}: length`).to.equal(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      expect.fail(`${what}[${i}]: ${a} vs Python ${e} (rtol ${rtol})`);
    }
  }
}

/** How optim_ref.py describes a Python value. */
export type PyDesc =
  | null
  | { tensor: { dtype: string; shape: number[]; data: number[] } }
  | { bool: boolean }
  | { int: number }
  | { float: number | string }
  | { str: string }
  | { tuple: PyDesc[] }
  | { list: PyDesc[] }
  | { dict: [string, PyDesc][] }
  | { other: string };

/** optim_ref.py's description of a state dict. */
export interface StateDictDesc {
  state: [number, [string, PyDesc][]][];
  param_groups: [string, PyDesc][][];
}

/** Compares a TS value with Python's description (tuples must be PyTuples). */
export function expectValue(v: unknown, d: PyDesc, what: string, rtol = 1e-6): void {
  if (d === null) {
    expect(v, what).to.equal(null);
  } else if ('tensor' in d) {
    expect(v, what).to.be.instanceOf(torch.Tensor);
    const t = v as Tensor;
    expect(t.dtype, `${what} dtype`).to.equal(d.tensor.dtype);
    expect(t.shape, `${what} shape`).to.deep.equal(d.tensor.shape);
    expectClose(flat(t), d.tensor.data, what, rtol, 1e-9);
  } else if ('bool' in d) {
    expect(v, what).to.equal(d.bool);
  } else if ('int' in d) {
    expect(v, what).to.equal(d.int);
  } else if ('float' in d) {
    const x = v instanceof PyFloat ? v.value : v;
    expect(typeof x, what).to.equal('number');
    // Python's JSON side writes non-finite floats as their repr ("inf", "-inf", "nan").
    if (typeof d.float === 'string') expect(String(x).replace('Infinity', 'inf').replace('NaN', 'nan'), what).to.equal(d.float);
    else expectClose([x as number], [d.float], what, 1e-12, 0);
  } else if ('str' in d) {
    expect(v, what).to.equal(d.str);
  } else if ('tuple' in d) {
    expect(v, `${what} is a tuple`).to.be.instanceOf(PyTuple);
    const a = v as unknown[];
    expect(a.length, what).to.equal(d.tuple.length);
    d.tuple.forEach((x, i) => expectValue(a[i], x, `${what}[${i}]`, rtol));
  } else if ('list' in d) {
    expect(Array.isArray(v) && !(v instanceof PyTuple), `${what} is a list`).to.equal(true);
    const a = v as unknown[];
    expect(a.length, what).to.equal(d.list.length);
    d.list.forEach((x, i) => expectValue(a[i], x, `${what}[${i}]`, rtol));
  } else if ('dict' in d) {
    const o = v as Record<string, unknown>;
    expect(Object.keys(o), `${what} keys`).to.deep.equal(d.dict.map(([k]) => k));
    for (const [k, x] of d.dict) expectValue(o[k], x, `${what}.${k}`, rtol);
  } else {
    expect.fail(`${what}: cannot compare with Python ${JSON.stringify(d)}`);
  }
}

/** Compares a TS optimizer state dict with Python's: keys and their order, dtypes, shapes, values. */
export function expectStateDict(sd: OptimizerStateDict, py: StateDictDesc, rtol = 1e-6): void {
  expect(sd.state).to.be.instanceOf(Map);
  expect([...sd.state.keys()], 'state indices').to.deep.equal(py.state.map(([k]) => k));
  for (const [k, entries] of py.state) {
    const s = sd.state.get(k) as Record<string, unknown>;
    expect(Object.keys(s), `state[${k}] keys`).to.deep.equal(entries.map(([n]) => n));
    for (const [n, d] of entries) expectValue(s[n], d, `state[${k}].${n}`, rtol);
  }
  expect(sd.param_groups.length, 'number of groups').to.equal(py.param_groups.length);
  py.param_groups.forEach((g, i) => {
    const tg = sd.param_groups[i] as Record<string, unknown>;
    expect(Object.keys(tg), `param_groups[${i}] keys`).to.deep.equal(g.map(([k]) => k));
    for (const [k, d] of g) expectValue(tg[k], d, `param_groups[${i}].${k}`);
  });
}

/** Builds a TS state dict (Map keyed by index, PyTuple betas, tensors) from Python's description. */
export function stateDictFromDesc(py: StateDictDesc): { state: Map<number, Record<string, Tensor | null>>; param_groups: Record<string, unknown>[] } {
  const conv = (d: PyDesc): unknown => {
    if (d === null) return null;
    if ('tensor' in d) return torch.tensor(d.tensor.data, { dtype: d.tensor.dtype as 'float32' }).reshape(d.tensor.shape);
    if ('bool' in d) return d.bool;
    if ('int' in d) return d.int;
    if ('float' in d) return typeof d.float === 'string' ? Number(d.float.replace('inf', 'Infinity')) : d.float;
    if ('str' in d) return d.str;
    if ('tuple' in d) return PyTuple.from(d.tuple.map(conv) as never[]);
    if ('list' in d) return d.list.map(conv);
    if ('dict' in d) return Object.fromEntries(d.dict.map(([k, x]) => [k, conv(x)]));
    throw new Error('unsupported');
  };
  return {
    state: new Map(py.state.map(([k, entries]) => [k, Object.fromEntries(entries.map(([n, d]) => [n, conv(d)])) as Record<string, Tensor | null>])),
    param_groups: py.param_groups.map((g) => Object.fromEntries(g.map(([k, d]) => [k, conv(d)]))),
  };
}

/** An error a user can cause, checked against the message PyTorch raises for the same call. */
export interface PyErrorCase {
  /** What is wrong. */
  name: string;
  /** The Python statement(s) raising it (`p()` makes a leaf parameter; Adam, AdamW, SGD, lr_scheduler in scope). */
  py: string;
  /** The TypeScript call raising it. */
  ts: () => unknown;
  /** The class the TypeScript error must have. */
  cls: new (
    ...a: never[]
  ) => Error;
  /** The TypeScript message may add detail after PyTorch's. */
  prefix?: boolean;
}

/** What the reference script returns for an exec case. */
export interface PyExecResult {
  /** The class of the exception raised, or null. */
  type: string | null;
  message: string | null;
  warnings: string[];
  /** What the code left in `result`. */
  result?: unknown;
}

/**
 * Declares one test per case: the TypeScript call throws `cls` with PyTorch's message (the one the
 * reference Python raises for `py`, run once for the whole list).
 */
export function errorsVsPython(title: string, cases: PyErrorCase[]): void {
  describe(title, () => {
    let refs: PyExecResult[] = [];
    before(function () {
      if (!hasPythonTorch()) this.skip();
      refs = pyOptim<PyExecResult>(cases.map((c) => ({ kind: 'exec', code: c.py })));
    });
    cases.forEach((c, i) => {
      it(c.name, () => {
        const py = refs[i];
        expect(py.type, `Python raised nothing for: ${c.py}`).to.not.equal(null);
        const message = thrown(c.ts, c.cls);
        if (c.prefix) expect(message.startsWith(py.message as string), `${message}\n  does not start with PyTorch's\n${py.message}`).to.equal(true);
        else expect(message).to.equal(py.message);
      });
    });
  });
}

/**
 * Runs each code in the reference Python (one process) and returns what it left in `result`, with the
 * warnings it raised.
 * @throws Error when a code raises.
 */
export function pyExec(codes: readonly string[]): PyExecResult[] {
  const out = pyOptim<PyExecResult>(codes.map((code) => ({ kind: 'exec', code })));
  out.forEach((r, i) => {
    if (r.type !== null) throw new Error(`reference code raised ${r.type}: ${r.message}\n${codes[i]}`);
  });
  return out;
}

/** The message of the error `fn` throws (fails when it does not throw), checking its class. */
export function thrown(fn: () => unknown, cls: new (...a: never[]) => Error = Error): string {
  try {
    fn();
  } catch (e) {
    expect(e, `error class of: ${(e as Error).message}`).to.be.instanceOf(cls);
    return (e as Error).message;
  }
  expect.fail('expected an error');
}

const SIGN_SGD_OPTIONS = {
  lr: torch.optim.option(1e-2, torch.optim.nonNegative('learning rate')),
};
type SignSGDOptions = torch.optim.OptionsOf<typeof SIGN_SGD_OPTIONS>;

/**
 * The user-written optimizer of optimizer.ts's doc comment: one option table and a step
 * (`p -= lr * sign(grad)`). It has neither momentum nor betas.
 */
export class SignSGD extends torch.optim.Optimizer<typeof SIGN_SGD_OPTIONS> {
  static readonly options = SIGN_SGD_OPTIONS;
  constructor(params: torch.optim.ParamsInput<SignSGDOptions>, opts: SignSGDOptions = {}) {
    super(params, opts);
  }
  step<L>(closure?: () => L): L | undefined {
    const loss = this.runClosure(closure);
    torch.noGrad(() => {
      for (const g of this.paramGroups) {
        for (const p of g.params) {
          torch.tidy(() => {
            const grad = p.grad;
            if (grad !== null) p.sub_(grad.sign().mul(g.lr));
          });
        }
      }
    });
    return loss;
  }
}
