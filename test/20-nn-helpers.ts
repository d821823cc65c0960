/**
 * Shared helpers of the nn tests: the reference Python run
 * (test/python/nn_ref.py, one process per test file), tensors in JSON form,
 * the scalar both sides backpropagate, and a declarative "module case" runner
 * that builds a TS module, copies its weights to Python, runs both sides on the
 * same inputs and compares outputs, input gradients and parameter gradients.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor, DType, NestedArray } from '../lib/torch/index.js';
import { Data, PYTHON, expectValuesClose } from './helpers/python.js';

const SCRIPT = readFileSync(new URL('./python/nn_ref.py', import.meta.url), 'utf8');

/** A tensor in JSON form (as nn_ref.py's T()/E()). */
export interface Enc {
  shape: number[];
  data: (number | string)[];
  dtype: DType;
  requiresGrad?: boolean;
}

/** What a case that raised in Python returns. */
export interface PyError {
  error: string;
  message: string;
  full: string;
}

const available = new Map<string, boolean>();

/** True when `python` can import torch. */
export function pythonHasTorch(python = PYTHON): boolean {
  if (!available.has(python)) {
    available.set(python, spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  }
  return available.get(python) as boolean;
}

/** Runs nn_ref.py once over `cases`; returns one result per case. */
export function pyNN<R = unknown>(cases: unknown[], opts: { python?: string; timeoutMs?: number } = {}): R[] {
  const r = spawnSync(opts.python ?? PYTHON, ['-c', SCRIPT], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env, PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (r.error) throw new Error(`reference python failed to run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`reference python exited with ${r.status}:\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as R[];
}

/** Throws when Python raised for a case that should have worked. */
export function ok<R>(r: R | PyError, what: string): R {
  if (r !== null && typeof r === 'object' && 'error' in (r as object) && 'message' in (r as object)) {
    const e = r as PyError;
    throw new Error(`reference Python raised ${e.error} for ${what}: ${e.full}`);
  }
  return r as R;
}

const special = (x: number): number | string => (Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x);
const unspecial = (x: number | string): number => (typeof x === 'number' ? x : x === 'nan' ? NaN : x === 'inf' ? Infinity : -Infinity);

/** A tensor's JSON form. */
export function enc(t: Tensor, requiresGrad?: boolean): Enc {
  return { shape: t.shape, data: t.cpu().dataSync().map(special), dtype: t.dtype, requiresGrad: requiresGrad ?? t.requiresGrad };
}

/** A TS tensor from a JSON form (requiring grad as the form says). */
export function dec(e: Enc, device?: string): Tensor {
  const flat = e.data.map(unspecial);
  let t = torch.tensor(flat, { dtype: e.dtype }).reshape(e.shape);
  if (device !== undefined && device !== 'cpu') t = t.to(device);
  if (e.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** A module's state dict in JSON form. */
export function encState(sd: Record<string, Tensor>): Record<string, Enc> {
  return Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, enc(t, false)]));
}

/** Uniform float input in [lo, hi) (3 decimals) from a seed. */
export function randIn(shape: number[], seed: number, opts: { lo?: number; hi?: number; requiresGrad?: boolean; dtype?: DType } = {}): Enc {
  const flat = ([new Data(seed).uniform(shape, opts.lo ?? -2, opts.hi ?? 2)] as NestedArray[]).flat(Infinity as 1) as number[];
  return { shape, data: flat, dtype: opts.dtype ?? 'float32', requiresGrad: opts.requiresGrad ?? true };
}

/** Integer input in [lo, hi) from a seed. */
export function intIn(shape: number[], seed: number, lo: number, hi: number): Enc {
  const flat = ([new Data(seed).ints(shape, lo, hi)] as NestedArray[]).flat(Infinity as 1) as number[];
  return { shape, data: flat, dtype: 'int64', requiresGrad: false };
}

/** An input from nested data. */
export function fixedIn(data: NestedArray, dtype: DType = 'float32', requiresGrad = false): Enc {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat = ([data] as NestedArray[]).flat(Infinity as 1).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : special(v as number)));
  return { shape, data: flat, dtype, requiresGrad };
}

/** sum(out * linspace(-1, 1)) over the non-null outputs (as nn_ref.py's weigh()). */
export function weigh(outs: (Tensor | null)[]): Tensor {
  let total: Tensor | null = null;
  for (const o of outs) {
    if (o === null) continue;
    const g = torch.linspace(-1, 1, o.numel(), { dtype: o.dtype, device: o.device }).reshape(o.shape);
    const s = o.mul(g).sum();
    total = total === null ? s : total.add(s);
  }
  if (total === null) throw new Error('weigh: no outputs');
  return total;
}

export interface Tol {
  rtol?: number;
  atol?: number;
}

/** Asserts a TS tensor (or null) equals Python's (dtype, shape, values within tolerance). */
export function expectEnc(actual: Tensor | null | undefined, py: Enc | null | undefined, name: string, tol: Tol = {}): void {
  if (py === null || py === undefined) {
    expect(actual ?? null, `${name}: Python has None`).to.equal(null);
    return;
  }
  expect(actual, `${name}: TS has no tensor`).to.be.instanceOf(torch.Tensor);
  const a = actual as Tensor;
  expect(a.dtype, `${name}: dtype`).to.equal(py.dtype);
  expect(a.shape, `${name}: shape`).to.deep.equal(py.shape);
  expectValuesClose(a.cpu().dataSync(), py.data.map(unspecial), py.shape, { rtol: tol.rtol ?? 1e-5, atol: tol.atol ?? 1e-5, name });
}

/** Asserts a number equals Python's within a relative tolerance. */
export function expectNear(actual: number, expected: number, rtol: number, name: string, atol = 0): void {
  const tol = atol + rtol * Math.abs(expected);
  if (!(Math.abs(actual - expected) <= tol)) expect.fail(`${name}: ${actual}, expected ${expected} (|diff| ${Math.abs(actual - expected)} > tol ${tol})`);
}

// ------------------------------------------------------------------ module cases

/** Python's result of a module case. */
export interface ModuleResult {
  outs: (Enc | null)[];
  inGrads?: Record<string, Enc | null>;
  paramGrads?: Record<string, Enc | null>;
  paramNames: string[];
  stateKeys: [string, number[]][];
}

type Outs = Tensor | (Tensor | null)[];

/** A module both sides build and run on the same weights and inputs. */
export interface ModuleCase<M extends torch.nn.Module = torch.nn.Module> {
  name: string;
  /** Builds the TS module (the torch seed is set before). */
  make: () => M;
  /** Python expression building the same module (weights then come from TS). */
  build: string;
  inputs: Record<string, Enc>;
  /** The TS call: gets the module and the inputs as tensors. */
  call(m: M, x: Record<string, Tensor>): Outs;
  /** The Python call (an expression using `m` and the inputs). */
  pyCall: string;
  /** Train mode (default true). */
  train?: boolean;
  /** Backpropagate and compare gradients (default true). */
  grad?: boolean;
  tol?: Tol;
  /** Positions to compare in outs[0] only (e.g. non-padded rows in eval fast paths). */
  compare?(py: ModuleResult, outs: (Tensor | null)[]): void;
}

/** A case with its module type inferred from `make`. */
export function mcase<M extends torch.nn.Module>(c: ModuleCase<M>): ModuleCase {
  return c as unknown as ModuleCase;
}

/**
 * Declares one mocha test per case and a `before` that builds every TS module,
 * sends the weights and inputs to one Python process and keeps the results.
 */
export function moduleCases(cases: ModuleCase[], opts: { device?: string; python?: string; skipUnless?: () => string | null } = {}): void {
  const device = opts.device ?? 'cpu';
  const modules: torch.nn.Module[] = [];
  let results: (ModuleResult | PyError)[] = [];
  before(function () {
    this.timeout(120_000);
    const why = opts.skipUnless?.() ?? (pythonHasTorch(opts.python) ? null : `reference PyTorch not available at ${opts.python ?? PYTHON}`);
    if (why !== null) {
      console.log(`    ${why}: skipping`);
      this.skip();
    }
    const payload = cases.map((c, i) => {
      torch.manualSeed(1000 + i);
      const m = c.make();
      if (device !== 'cpu') m.to(device);
      modules[i] = m;
      return {
        kind: 'module',
        build: c.build,
        state: encState(m.stateDict()),
        inputs: c.inputs,
        call: c.pyCall,
        train: c.train ?? true,
        grad: c.grad ?? true,
        device,
      };
    });
    results = pyNN<ModuleResult | PyError>(payload, { python: opts.python });
  });
  cases.forEach((c, i) => {
    it(c.name, () => {
      const py = ok(results[i], c.name);
      const m = modules[i];
      m.train(c.train ?? true);
      const grad = c.grad ?? true;
      // state dict keys and shapes, parameter names: as Python's
      expect(
        Object.entries(m.stateDict()).map(([k, t]) => [k, t.shape]),
        'state dict keys and shapes',
      ).to.deep.equal(py.stateKeys);
      expect(
        m.namedParameters().map(([k]) => k),
        'parameter names',
      ).to.deep.equal(py.paramNames);
      m.zeroGrad();
      torch.tidy(() => {
        const x = Object.fromEntries(Object.entries(c.inputs).map(([k, e]) => [k, dec(e, device)]));
        const run = () => c.call(m, x);
        const out = grad ? run() : torch.noGrad(run);
        const outs = out instanceof torch.Tensor ? [out] : out;
        expect(outs.length, 'number of outputs').to.equal(py.outs.length);
        if (c.compare) c.compare(py, outs);
        else outs.forEach((o, j) => expectEnc(o, py.outs[j], `output ${j}`, c.tol));
        if (!grad) return;
        weigh(outs).backward();
        for (const [k, g] of Object.entries(py.inGrads ?? {})) expectEnc(x[k].grad, g, `grad of input ${k}`, c.tol);
        expect(Object.keys(py.inGrads ?? {}).length + Object.keys(py.paramGrads ?? {}).length, 'tensors compared').to.be.greaterThan(0);
        for (const [k, p] of m.namedParameters()) expectEnc(p.grad, py.paramGrads?.[k], `grad of ${k}`, c.tol);
      });
    });
  });
}

/** Adds N(0, std) noise to every parameter (so ones/zeros inits give informative gradients). */
export function jitter<M extends torch.nn.Module>(m: M, std = 0.1): M {
  torch.noGrad(() => {
    for (const p of m.parameters()) {
      const n = torch.randnLike(p).mul(std);
      p.add_(n);
      n.dispose();
    }
  });
  return m;
}

// ------------------------------------------------------------------ the training comparison (CPU and CUDA)

/** Sizes of the tiny BERT-like model of the training tests. */
export interface TinyConfig {
  vocab: number;
  d: number;
  heads: number;
  ff: number;
  layers: number;
}

/** Embedding + TransformerEncoder (final norm, gelu, batchFirst, dropout 0) + NSP head on token 0 + MLM head (as nn_ref.py's TinyBert). */
export class TinyBert extends torch.nn.Module {
  embed: torch.nn.Embedding;
  encoder: torch.nn.TransformerEncoder;
  nsp: torch.nn.Linear;
  mlm: torch.nn.Linear;
  constructor(c: TinyConfig) {
    super();
    const nn = torch.nn;
    this.embed = new nn.Embedding(c.vocab, c.d, { paddingIdx: 0 });
    const layer = new nn.TransformerEncoderLayer(c.d, c.heads, { dimFeedforward: c.ff, dropout: 0, activation: 'gelu', batchFirst: true });
    this.encoder = new nn.TransformerEncoder(layer, c.layers, { norm: new nn.LayerNorm(c.d) });
    this.nsp = new nn.Linear(c.d, 2);
    this.mlm = new nn.Linear(c.d, c.vocab);
  }
  forward(x: Tensor, padMask: Tensor): [Tensor, Tensor] {
    const h = this.encoder.forward(this.embed.forward(x), { srcKeyPaddingMask: padMask });
    return [this.nsp.forward(h.select(1, 0)), this.mlm.forward(h)];
  }
}

/** One batch: token ids (0 pads the end), MLM labels (0 = ignored), NSP labels. */
export interface TinyBatch {
  tokens: number[][];
  labels: number[][];
  isNext: number[];
}

/** Deterministic batches: token 1 first, random tokens, padding at the end, ~25% MLM targets. */
export function tinyBatches(c: TinyConfig, n: number, batch: number, seqLen: number, seed = 5): TinyBatch[] {
  const r = new Data(seed);
  const out: TinyBatch[] = [];
  for (let i = 0; i < n; i++) {
    const tokens: number[][] = [],
      labels: number[][] = [],
      isNext: number[] = [];
    for (let b = 0; b < batch; b++) {
      const len = seqLen - Math.floor(r.next() * (seqLen / 2));
      const row: number[] = [],
        lab: number[] = [];
      for (let s = 0; s < seqLen; s++) {
        if (s >= len) {
          row.push(0);
          lab.push(0);
        } else {
          row.push(s === 0 ? 1 : 2 + Math.floor(r.next() * (c.vocab - 2)));
          lab.push(s > 0 && r.next() < 0.25 ? 2 + Math.floor(r.next() * (c.vocab - 2)) : 0);
        }
      }
      if (!lab.some((v) => v !== 0)) lab[1] = 3;
      tokens.push(row);
      labels.push(lab);
      isNext.push(r.next() < 0.5 ? 1 : 0);
    }
    out.push({ tokens, labels, isNext });
  }
  return out;
}

/** Trains `model` on the batches (Adam, weight decay, clipGradNorm_); returns losses and pre-clip norms. */
export function trainTiny(
  model: TinyBert,
  batches: TinyBatch[],
  o: { lr: number; weightDecay: number; maxNorm: number; device?: string },
): { losses: number[]; norms: number[] } {
  const F = torch.nn.functional;
  const device = o.device ?? 'cpu';
  const opt = new torch.optim.Adam(model.parameters(), { lr: o.lr, weightDecay: o.weightDecay });
  const losses: number[] = [],
    norms: number[] = [];
  model.train();
  for (const b of batches) {
    torch.tidy(() => {
      const x = torch.tensor(b.tokens, { device });
      const labels = torch.tensor(b.labels, { device });
      const isNext = torch.tensor(b.isNext, { device });
      opt.zeroGrad();
      const [nsp, mlm] = model.forward(x, x.eq(0));
      const loss = F.crossEntropy(nsp, isNext).add(F.crossEntropy(mlm.reshape(-1, mlm.size(-1)), labels.reshape(-1), { ignoreIndex: 0 }));
      loss.backward();
      const norm = torch.nn.utils.clipGradNorm_(model.parameters(), o.maxNorm);
      opt.step();
      losses.push(loss.item());
      norms.push(norm.item());
    });
  }
  return { losses, norms };
}
