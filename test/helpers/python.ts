/**
 * Reference PyTorch for the core tests: runs scripts with the Python whose
 * torch the addon links (scripts/reference-python.ts), JSON in on stdin and JSON out on stdout, and
 * compares Tensors against what Python computed.
 *
 * The usual shape of a core test file is a batch: every case is declared up
 * front (inputs as plain data, a Python expression, the TS code that should
 * agree), one Python run computes every reference in `before`, and each `it`
 * compares:
 *
 *   describe('...', () => {
 *     const ref = refBatch();
 *     ref.it('add broadcasts', { a: f32([2, 3]), b: f32([3]) }, 'a + b', ({ a, b }) => a.add(b), { grad: true });
 *   });
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import * as torch from '../../lib/torch/index.js';
import type { Tensor, DType, NestedArray } from '../../lib/torch/index.js';
import { referencePython } from '../../scripts/reference-python.js';

/** The reference interpreter: the Python whose torch the addon links (not the `python3` on PATH). */
export const PYTHON = referencePython();

let torchAvailable: boolean | undefined;

/** True when the reference Python can import torch. */
export function hasPythonTorch(): boolean {
  torchAvailable ??= spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', env: pyEnv() }).status === 0;
  return torchAvailable;
}

function pyEnv(threads?: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1' };
  if (threads !== undefined) env.OMP_NUM_THREADS = String(threads);
  return env;
}

/**
 * Runs `script` with the reference Python, `input` as JSON on stdin; returns the
 * JSON the script prints last on stdout.
 * @throws Error with Python's stderr when the script fails.
 */
export function runPython<R = unknown>(script: string, input: unknown = null, opts: { timeoutMs?: number; args?: string[] } = {}): R {
  const r = spawnSync(PYTHON, ['-c', script, ...(opts.args ?? [])], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: opts.timeoutMs ?? 120_000,
    env: pyEnv(),
  });
  if (r.error) throw new Error(`reference python failed to run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`reference python exited with ${r.status}:\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as R;
}

/**
 * Python helpers prepended to scripts run by {@link runTorch}:
 * `INPUT` (the decoded stdin JSON), `dec(spec)` (a tensor from a TensorSpec),
 * `enc(value)` (tensors/tuples/lists/numbers to JSON-safe values) and
 * `emit(obj)` (prints the JSON result).
 */
export const PY_PRELUDE = String.raw`
import sys, json, math
import torch
import torch.nn.functional as F

def _special(x):
    if isinstance(x, float):
        if math.isnan(x): return 'nan'
        if math.isinf(x): return 'inf' if x > 0 else '-inf'
    return x

def _unspecial(x):
    if isinstance(x, list): return [_unspecial(v) for v in x]
    if x == 'nan': return float('nan')
    if x == 'inf': return float('inf')
    if x == '-inf': return float('-inf')
    return x

def dec(spec):
    dtype = getattr(torch, spec['dtype'])
    t = torch.tensor(_unspecial(spec['data']), dtype=dtype)
    if spec.get('requiresGrad'): t.requires_grad_(True)
    return t

def enc(v):
    if isinstance(v, torch.Tensor):
        d = v.detach().cpu()
        dt = str(d.dtype).replace('torch.', '')
        if dt in ('float16', 'bfloat16'): d = d.float()
        flat = d.reshape(-1).tolist()
        if dt == 'bool': flat = [1 if x else 0 for x in flat]
        return {'tensor': True, 'dtype': dt, 'shape': list(v.shape), 'data': [_special(x) for x in flat],
                'requiresGrad': v.requires_grad}
    if isinstance(v, (tuple, list)): return {'list': [enc(x) for x in v]}
    if isinstance(v, bool): return {'bool': v}
    if isinstance(v, (int, float)): return {'number': _special(float(v))}
    if v is None: return None
    if isinstance(v, str): return {'str': v}
    if isinstance(v, torch.Size): return {'list': [enc(x) for x in v]}
    return {'str': repr(v)}

def emit(obj):
    sys.stdout.write('\n' + json.dumps(obj, allow_nan=False) + '\n')

INPUT = json.loads(sys.stdin.read())
`;

/** Runs a script after {@link PY_PRELUDE} (torch imported, INPUT decoded); the script calls emit(). */
export function runTorch<R = unknown>(body: string, input: unknown = null, opts: { timeoutMs?: number } = {}): R {
  return runPython<R>(`${PY_PRELUDE}\n${body}`, input, opts);
}

// ---------------------------------------------------------------- encoded values

/** A tensor as Python encoded it: flat row-major data. */
export interface PyTensor {
  tensor: true;
  dtype: DType;
  shape: number[];
  data: (number | 'nan' | 'inf' | '-inf')[];
  requiresGrad: boolean;
}

/** Any value as enc() encodes it. */
export type PyValue = PyTensor | { list: PyValue[] } | { bool: boolean } | { number: number | string } | { str: string } | null;

/** A tensor input: plain data plus dtype, built identically on both sides. */
export interface TensorSpec {
  data: NestedArray;
  dtype: DType;
  requiresGrad?: boolean;
}

function unspecial(x: number | string): number {
  if (typeof x === 'number') return x;
  if (x === 'nan') return NaN;
  if (x === 'inf') return Infinity;
  if (x === '-inf') return -Infinity;
  throw new Error(`unexpected value ${x}`);
}

function special(x: NestedArray): unknown {
  if (Array.isArray(x)) return x.map(special);
  if (typeof x === 'number' && !Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  return x;
}

/** A Tensor from a spec (as Python's dec()). */
export function fromSpec(s: TensorSpec): Tensor {
  return torch.tensor(s.data as never, { dtype: s.dtype, requiresGrad: s.requiresGrad ?? false });
}

// ---------------------------------------------------------------- deterministic data

/** A small deterministic generator for test data (values with few decimals, exact in JSON). */
export class Data {
  private s: number;
  constructor(seed = 1) {
    this.s = seed >>> 0 || 1;
  }
  /** Uniform in [0, 1). */
  next(): number {
    // mulberry32
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Values in [lo, hi) rounded to 3 decimals, nested by shape. */
  uniform(shape: number[], lo = -2, hi = 2): NestedArray {
    return this.build(shape, () => Math.round((lo + (hi - lo) * this.next()) * 1000) / 1000);
  }
  /** Integers in [lo, hi). */
  ints(shape: number[], lo: number, hi: number): NestedArray {
    return this.build(shape, () => lo + Math.floor((hi - lo) * this.next()));
  }
  /** Booleans, true with probability p. */
  bools(shape: number[], p = 0.5): NestedArray {
    return this.build(shape, () => this.next() < p);
  }
  private build(shape: number[], f: () => number | boolean): NestedArray {
    if (shape.length === 0) return f();
    const out: NestedArray[] = [];
    for (let i = 0; i < shape[0]; i++) out.push(this.build(shape.slice(1), f));
    return out;
  }
}

// ---------------------------------------------------------------- comparisons

export interface CloseOptions {
  rtol?: number;
  atol?: number;
  /** Check the dtype too (default true). */
  dtype?: boolean;
  /** Prefix for messages. */
  name?: string;
}

function defaultTol(dtype: DType): { rtol: number; atol: number } {
  switch (dtype) {
    case 'float64':
      return { rtol: 1e-9, atol: 1e-10 };
    case 'float32':
      return { rtol: 1e-5, atol: 1e-5 };
    case 'float16':
      return { rtol: 1e-3, atol: 1e-3 };
    case 'bfloat16':
      return { rtol: 1e-2, atol: 1e-2 };
    default:
      return { rtol: 0, atol: 0 };
  }
}

function position(i: number, shape: number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

/** Asserts a flat array of numbers is close to expected values (NaN equals NaN, infinities exactly). */
export function expectValuesClose(actual: number[], expected: number[], shape: number[], opts: { rtol: number; atol: number; name: string }): void {
  expect(actual.length, `${opts.name}: number of elements`).to.equal(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const where = `${opts.name}: element ${position(i, shape)}`;
    if (Number.isNaN(e)) {
      expect(Number.isNaN(a), `${where} is ${a}, expected NaN`).to.equal(true);
    } else if (!Number.isFinite(e)) {
      expect(a, `${where}`).to.equal(e);
    } else {
      const tol = opts.atol + opts.rtol * Math.abs(e);
      if (!(Math.abs(a - e) <= tol)) {
        expect.fail(`${where} is ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > tol ${tol})`);
      }
    }
  }
}

/** Asserts `t` equals Python's tensor: dtype, shape and values within tolerance. */
export function expectTensorClose(t: unknown, py: PyValue, opts: CloseOptions = {}): void {
  const name = opts.name ?? 'tensor';
  expect(py, `${name}: Python returned no tensor`).to.be.an('object').with.property('tensor', true);
  const p = py as PyTensor;
  expect(torch.isTensor(t), `${name}: expected a Tensor but got ${String(t)}`).to.equal(true);
  const a = t as Tensor;
  if (opts.dtype ?? true) expect(a.dtype, `${name}: dtype`).to.equal(p.dtype);
  expect(a.shape, `${name}: shape`).to.deep.equal(p.shape);
  const tol = defaultTol(p.dtype);
  expectValuesClose(a.dataSync(), p.data.map(unspecial), p.shape, {
    rtol: opts.rtol ?? tol.rtol,
    atol: opts.atol ?? tol.atol,
    name,
  });
}

/** Compares any TS result (Tensor, number, boolean, arrays/pairs of them) to an encoded Python value. */
export function expectMatches(actual: unknown, py: PyValue, opts: CloseOptions = {}): void {
  const name = opts.name ?? 'result';
  if (py === null) {
    expect(actual, name).to.equal(null);
  } else if ('tensor' in py) {
    expectTensorClose(actual, py, opts);
  } else if ('list' in py) {
    const arr = actual !== null && typeof actual === 'object' && Symbol.iterator in actual ? [...(actual as Iterable<unknown>)] : actual;
    expect(arr, `${name}: expected a sequence`).to.be.an('array');
    const xs = arr as unknown[];
    expect(xs.length, `${name}: length`).to.equal(py.list.length);
    py.list.forEach((p, i) => expectMatches(xs[i], p, { ...opts, name: `${name}[${i}]` }));
  } else if ('bool' in py) {
    expect(actual, name).to.equal(py.bool);
  } else if ('number' in py) {
    expect(actual, name).to.be.a('number');
    expectValuesClose([actual as number], [unspecial(py.number)], [], { rtol: opts.rtol ?? 1e-6, atol: opts.atol ?? 1e-6, name });
  } else {
    expect(actual, name).to.equal(py.str);
  }
}

/**
 * Asserts `t` holds `values` (nested arrays, e.g. from Python's tolist()),
 * with a tolerance for floats; checks shape and, if given, dtype.
 */
export function expectTensor(t: Tensor, values: NestedArray, opts: CloseOptions & { dtypeIs?: DType } = {}): void {
  const name = opts.name ?? 'tensor';
  const shape: number[] = [];
  let probe: NestedArray = values;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  if (opts.dtypeIs !== undefined) expect(t.dtype, `${name}: dtype`).to.equal(opts.dtypeIs);
  expect(t.shape, `${name}: shape`).to.deep.equal(shape);
  const flat = ([values] as NestedArray[]).flat(Infinity as 1).map((x) => Number(x));
  const tol = defaultTol(t.dtype);
  expectValuesClose(t.dataSync(), flat, shape, { rtol: opts.rtol ?? tol.rtol, atol: opts.atol ?? tol.atol, name });
}

/** The error `fn` throws. @throws AssertionError when it does not throw. */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  expect.fail('expected the call to throw');
}

// ---------------------------------------------------------------- batched reference cases

type Inputs = Record<string, TensorSpec>;
type Bound<I extends Inputs> = { [K in keyof I]: Tensor };

export interface CaseOptions {
  /** Backpropagate a fixed gradient (linspace(-1, 1) over the output) and compare input grads. */
  grad?: boolean;
  /** Seed both generators with this before running (random ops). */
  seed?: number;
  /** `py` is statements that set `out` (else an expression). */
  stmt?: boolean;
  /** Python must raise; TS must throw a TorchError (or `errorClass`) with the same first message line. */
  error?: boolean;
  /** The error class TS must throw where Python raises (default TorchError). */
  errorClass?: new (
    ...args: never[]
  ) => Error;
  /** Maps Python's message to libtorch's wording where Python's binding rewords it (e.g. type names). */
  message?: (pythonMessage: string) => string;
  rtol?: number;
  atol?: number;
  /** Compare dtypes (default true). */
  dtype?: boolean;
}

interface CaseResult {
  out?: PyValue;
  grads?: Record<string, PyValue>;
  error?: string;
  message?: string;
}

const PY_CASES = String.raw`
results = []
for c in INPUT:
    try:
        env = {'torch': torch, 'F': F, 'math': math}
        for k, spec in c['inputs'].items():
            env[k] = dec(spec)
        if c.get('seed') is not None:
            torch.manual_seed(c['seed'])
        if c.get('stmt'):
            exec(c['py'], env)
            out = env['out']
        else:
            out = eval(c['py'], env)
        r = {'out': enc(out)}
        if c.get('grad'):
            o = out[0] if isinstance(out, tuple) else out
            g = torch.linspace(-1, 1, o.numel(), dtype=o.dtype).reshape(o.shape)
            o.backward(g)
            r['grads'] = {k: enc(env[k].grad) for k, spec in c['inputs'].items() if spec.get('requiresGrad')}
        results.append(r)
    except Exception as e:
        results.append({'error': type(e).__name__, 'message': str(e).split('\n')[0]})
emit(results)
`;

/** A set of cases whose references come from one Python run (in mocha's `before`). */
export class RefBatch {
  private cases: { name: string; inputs: Inputs; py: string; opts: CaseOptions }[] = [];
  private results: CaseResult[] | undefined;

  /** Declares a case; returns a function giving its Python result (after the batch ran). */
  add(name: string, inputs: Inputs, py: string, opts: CaseOptions = {}): () => CaseResult {
    const i = this.cases.length;
    const ins: Inputs = {};
    for (const [k, s] of Object.entries(inputs)) ins[k] = { ...s, requiresGrad: s.requiresGrad ?? (opts.grad === true && isFloat(s.dtype)) };
    this.cases.push({ name, inputs: ins, py, opts });
    return () => {
      if (this.results === undefined) throw new Error('reference batch has not run');
      return this.results[i];
    };
  }

  /** Runs Python once for every case declared. */
  run(): void {
    if (this.results !== undefined) return;
    const payload = this.cases.map((c) => ({
      inputs: Object.fromEntries(Object.entries(c.inputs).map(([k, s]) => [k, { ...s, data: special(s.data) }])),
      py: c.py,
      seed: c.opts.seed ?? null,
      stmt: c.opts.stmt ?? false,
      grad: c.opts.grad ?? false,
    }));
    this.results = runTorch<CaseResult[]>(PY_CASES, payload);
  }

  /**
   * Declares a case and its mocha test: the TS function gets the inputs as
   * Tensors (requiring grad when opts.grad) and must agree with `py`.
   */
  it<I extends Inputs>(name: string, inputs: I, py: string, fn: (x: Bound<I>) => unknown, opts: CaseOptions = {}): void {
    const get = this.add(name, inputs, py, opts);
    const specs = this.cases[this.cases.length - 1].inputs;
    it(name, () => {
      const r = get();
      torch.tidy(() => {
        const bound = Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, fromSpec(s)])) as Bound<I>;
        if (opts.seed !== undefined) torch.manualSeed(opts.seed);
        if (opts.error || opts.errorClass) {
          expect(r.error, `Python did not raise for ${py}`).to.be.a('string');
          const e = errorOf(() => fn(bound));
          expect(e, `TS error for ${name}: ${e.message}`).to.be.instanceOf(opts.errorClass ?? torch.TorchError);
          expect(e.message).to.equal(opts.message ? opts.message(r.message ?? '') : r.message);
          return;
        }
        if (r.error !== undefined) throw new Error(`reference Python raised ${r.error}: ${r.message} (for ${py})`);
        const out = fn(bound);
        const tol = { rtol: opts.rtol, atol: opts.atol, dtype: opts.dtype };
        expectMatches(out, r.out as PyValue, { ...tol, name: `${name} output` });
        if (opts.grad) {
          const o = (out instanceof torch.ValuesIndices ? out.values : out) as Tensor;
          const g = torch.linspace(-1, 1, o.numel(), { dtype: o.dtype }).reshape(o.shape);
          o.backward(g);
          for (const [k, pg] of Object.entries(r.grads ?? {})) {
            expectMatches((bound as Record<string, Tensor>)[k].grad, pg, { ...tol, name: `${name} grad of ${k}` });
          }
          expect(Object.keys(r.grads ?? {}).length, 'inputs requiring grad').to.be.greaterThan(0);
        }
      });
    });
  }
}

function isFloat(d: DType): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
}

/**
 * A batch for the enclosing describe(): declares `before` to run Python once
 * (skipping the suite when the reference Python has no torch).
 */
export function refBatch(): RefBatch {
  const b = new RefBatch();
  before(function () {
    if (!hasPythonTorch()) {
      console.log(`    reference PyTorch not available at ${PYTHON}: skipping`);
      this.skip();
    }
    this.timeout(120_000);
    b.run();
  });
  return b;
}

// Short spec makers.
export const spec = (data: NestedArray, dtype: DType = 'float32', requiresGrad?: boolean): TensorSpec => ({ data, dtype, requiresGrad });
