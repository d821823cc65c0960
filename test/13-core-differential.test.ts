/**
 * Differential test of the whole op surface against Python PyTorch 2.13,
 * generated from the snapshot (scripts/ops-snapshot.json): for every public
 * name TS covers, every overload Python binds gets calls with arguments drawn
 * from its schema types (tensors of random shapes: 0-d, empty, broadcast,
 * non-contiguous; every common dtype; Python numbers of each kind, so that
 * scalar type promotion is compared too). One Python run computes every
 * result; TS must agree: both raise, or both return the same values, dtypes
 * and shapes. Random ops are seeded identically on both sides.
 *
 * Sampled, not exhaustive: SEED_CASES calls per overload (two by default;
 * TORCH_DIFF_CASES=n for more).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as torch from '../lib/torch/index.js';
import { native } from '../lib/torch/native.js';
import { camel } from '../scripts/op-names.js';
import { EXCLUDED, RENAMES, VARARGS } from '../scripts/ops-exceptions.js';
import { hasPythonTorch, runTorch, PYTHON } from './helpers/python.js';

type SArg = [string, string, string | null, number, string | null];
interface SOverload {
  aten: string;
  args: SArg[];
  pos: string[];
  kw: string[];
  factory: number;
  hidden?: number;
}
interface SEntry {
  name: string;
  kind: string;
  overloads?: SOverload[];
  pysig?: [string, string, string | null][];
}
const snapshot = JSON.parse(readFileSync(new URL('../scripts/ops-snapshot.json', import.meta.url), 'utf8')) as { namespaces: Record<string, SEntry[]> };

const CASES_PER_OVERLOAD = Number(process.env.TORCH_DIFF_CASES ?? 2);
const surface = JSON.parse(readFileSync(new URL('../lib/torch/generated/surface.json', import.meta.url), 'utf8')) as { handWritten: Record<string, string> };
/** Tensor methods that convert to one dtype (PyTorch binds them by hand; the snapshot maps them to aten::to): called without arguments. */
const DTYPE_CONVERSIONS = new Set(['byte', 'char', 'short', 'int', 'long', 'half', 'float', 'double', 'bfloat16', 'bool']);

/**
 * Ops whose results are not values (uninitialized memory) or not
 * reproducible across processes: only their dtype and shape are compared.
 */
const METADATA_ONLY = /empty|^resize|^new_empty|^set_$|^as_strided_$|^fbgemm_pack/;
/**
 * Ops whose draws differ from libtorch's by design: only dtype and shape are
 * compared. nn.functional.dropout draws its CPU mask natively in parallel
 * (same distribution as libtorch's bernoulli_, other numbers; see functional.ts).
 */
const METADATA_ONLY_KEYS = new Set(['nn.functional:dropout']);
/**
 * Factories hand-written in lib/torch/creation.ts, which issue 13's other half
 * (factories' options, dtype and overflow checks) is reworking: they are
 * called and their differences from Python listed, without failing this test.
 */
/**
 * Deliberate differences of hand-written tensor.ts members (called and listed, not failing):
 * type() names the dtype ('float32', not Python's legacy 'torch.FloatTensor') and ignores other arguments.
 */
const DELIBERATE: Record<string, string> = {
  'Tensor:type': "tensor.ts: type() returns the dtype name rather than Python's legacy type string",
};
const OTHER_PART = new Set([
  'Tensor:to', // x.to('cpu', 'float64') ignores the dtype: a correctness bug of issue 13's other half
  'torch:arange',
  'torch:empty',
  'torch:empty_like',
  'torch:eye',
  'torch:full',
  'torch:full_like',
  'torch:linspace',
  'torch:ones',
  'torch:ones_like',
  'torch:rand',
  'torch:rand_like',
  'torch:randint',
  'torch:randint_like',
  'torch:randn',
  'torch:randn_like',
  'torch:randperm',
  'torch:scalar_tensor',
  'torch:zeros',
  'torch:zeros_like',
]);
/** Ops not called at all, with the reason. */
const NOT_CALLED: Record<string, string> = {
  'torch:from_file': 'opens a file named by its argument',
  'torch:quantized_lstm_cell': 'segfaults on arbitrary (unquantized) inputs, in Python too',
  'torch:quantized_gru_cell': 'segfaults on arbitrary (unquantized) inputs, in Python too (same kernel family as quantized_lstm_cell)',
  'torch:quantized_rnn_relu_cell': 'same kernel family as quantized_lstm_cell',
  'torch:quantized_rnn_tanh_cell': 'same kernel family as quantized_lstm_cell',
};

// ---------------------------------------------------------------- deterministic draws
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[], weights?: readonly number[]): T {
    if (weights === undefined) return xs[Math.floor(this.next() * xs.length)];
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.next() * total;
    for (let i = 0; i < xs.length; i++) {
      r -= weights[i];
      if (r < 0) return xs[i];
    }
    return xs[xs.length - 1];
  }
}

interface TSpec {
  shape: number[];
  dtype: string;
  data: (number | boolean)[];
  t: boolean;
}
type Arg = { tensor: TSpec } | { dtype: string } | number | boolean | string | null | Arg[];

const SHAPES: number[][] = [[], [0], [4], [2, 3], [3, 1, 2]];
const SHAPE_W = [2, 1, 2, 3, 2];
const DTYPES = ['float32', 'float64', 'int64', 'int32', 'bool', 'uint8', 'float16'];
const DTYPE_W = [10, 3, 3, 1, 1, 1, 1];

function tensorSpec(rng: Rng, shape: number[], dtype: string): TSpec {
  const n = shape.reduce((a, b) => a * b, 1);
  const data: (number | boolean)[] = [];
  for (let i = 0; i < n; i++) {
    if (dtype === 'bool') data.push(rng.next() < 0.5);
    else if (dtype === 'uint8') data.push(rng.int(0, 5));
    else if (dtype.startsWith('int')) data.push(rng.int(-3, 4));
    else data.push(rng.int(-16, 16) / 8);
  }
  // Non-contiguous (a permuted view) sometimes.
  return { shape, dtype, data, t: shape.length >= 2 && rng.next() < 0.35 };
}

/** A shape that broadcasts with `s` (drop leading dims or set sizes to 1). */
function broadcastShape(rng: Rng, s: number[]): number[] {
  if (s.length === 0 || rng.next() < 0.6) return s;
  if (rng.next() < 0.5) return s.slice(1);
  const out = [...s];
  out[rng.int(0, out.length - 1)] = 1;
  return out;
}

interface Ctx {
  rng: Rng;
  shape: number[];
  dtype: string;
}

function dimFor(c: Ctx): number {
  const n = c.shape.length;
  return n === 0 ? c.rng.pick([0, -1]) : c.rng.int(-n, n - 1);
}

/** A value for a schema argument of type `type` named `name` (null: none that fits). */
function draw(c: Ctx, name: string, type: string): Arg | undefined {
  const rng = c.rng;
  const opt = type.endsWith('?');
  const base = opt ? type.slice(0, -1) : type;
  if (opt && rng.next() < 0.15) return null;
  if (/^(Tensor|Tensor\(\w+!?\))$/.test(base)) {
    const dt = rng.next() < 0.8 ? c.dtype : rng.pick(DTYPES, DTYPE_W);
    return { tensor: tensorSpec(rng, broadcastShape(rng, c.shape), dt) };
  }
  if (base === 'Tensor[]' || base === 'Tensor?[]') {
    const k = rng.int(1, 3);
    return Array.from({ length: k }, () => ({ tensor: tensorSpec(rng, c.shape, c.dtype) }) as Arg);
  }
  const list = /^(\w+)\[(\d*)\]$/.exec(base);
  if (list !== null) {
    const [, elem, size] = list;
    const n = size === '' ? undefined : Number(size);
    if (elem === 'int' || elem === 'SymInt') {
      if (/^(size|shape)$/.test(name)) return [...c.shape];
      if (/dim/.test(name)) return c.shape.length === 0 ? [] : [dimFor(c)];
      if (name === 'repeats' || (name === 'dims' && false)) return c.shape.map(() => rng.int(1, 2));
      if (/kernel|stride|dilation|output_size/.test(name)) return Array.from({ length: n ?? 1 }, () => 1);
      if (/padding|pad/.test(name)) return Array.from({ length: n ?? 2 }, () => rng.int(0, 1));
      if (n !== undefined && rng.next() < 0.4) return rng.int(1, 2);
      return Array.from({ length: n ?? rng.int(1, 2) }, () => rng.int(0, 2));
    }
    if (elem === 'float') return Array.from({ length: n ?? 2 }, () => rng.pick([0.5, 1.5, 2]));
    if (elem === 'bool') return Array.from({ length: n ?? 2 }, () => rng.next() < 0.5);
    return undefined;
  }
  switch (base) {
    case 'Scalar':
      return rng.pick([2, -1, 0.5, -1.5, true, 3]);
    case 'int':
    case 'SymInt':
      if (/dim/.test(name)) return dimFor(c);
      if (/^(k|n|num_samples|chunks|sections|split_size|steps|repeats|groups|bins)$/.test(name)) return rng.int(1, 2);
      if (/^(diagonal|offset)$/.test(name)) return rng.int(-1, 1);
      return rng.int(0, 2);
    case 'float':
      return name === 'p' ? rng.pick([0.5, 2]) : name === 'eps' ? 1e-5 : rng.pick([0.5, 1.5, -0.25, 2]);
    case 'bool':
      return rng.next() < 0.5;
    case 'str': {
      const byName: Record<string, string[]> = {
        rounding_mode: ['floor', 'trunc'],
        approximate: ['none', 'tanh'],
        indexing: ['ij', 'xy'],
        side: ['left', 'right'],
        interpolation: ['linear', 'nearest', 'midpoint'],
        reduce: ['sum', 'prod', 'mean', 'amax', 'amin'],
        padding: ['same', 'valid'],
        UPLO: ['L', 'U'],
        mode: ['reduced', 'constant'],
        norm: ['forward', 'backward', 'ortho'],
        ord: ['fro', 'nuc'],
        pad_mode: ['reflect', 'constant'],
        equation: ['i->i', 'ij->ji', '...->...'],
        driver: ['gelsd'],
        p: ['fro'],
      };
      return rng.pick(byName[name] ?? ['none']);
    }
    case 'ScalarType':
      return { dtype: rng.pick(['float64', 'int64', 'float32']) };
    case 'Layout':
      return null;
    case 'Device':
      return 'cpu';
    case 'MemoryFormat':
      return null;
    case 'Generator':
      return null;
    default:
      return undefined;
  }
}

interface Case {
  key: string;
  ns: string;
  py: string;
  ts: string;
  kind: 'function' | 'method' | 'property';
  args: Arg[];
  kwargs: Record<string, Arg>;
  tsKwargs: Record<string, Arg>;
  seed: number;
  values: boolean;
}

const NS_LIST = ['torch', 'Tensor', 'nn.functional', 'linalg', 'special', 'fft'];

function holderOf(ns: string): Record<string, unknown> {
  return (
    { torch, Tensor: torch.Tensor.prototype, 'nn.functional': torch.nn.functional, linalg: torch.linalg, special: torch.special, fft: torch.fft } as Record<
      string,
      unknown
    >
  )[ns] as Record<string, unknown>;
}

function has(holder: object, name: string): boolean {
  let o: object | null = holder;
  while (o !== null) {
    if (Object.getOwnPropertyDescriptor(o, name) !== undefined) return true;
    o = Object.getPrototypeOf(o);
  }
  return false;
}

/** The cases for every covered public name (deterministic). */
function buildCases(): { cases: Case[]; covered: string[]; skipped: Record<string, string> } {
  const cases: Case[] = [];
  const covered: string[] = [];
  const skipped: Record<string, string> = {};
  let seed = 1;
  for (const ns of NS_LIST) {
    const holder = holderOf(ns);
    for (const e of snapshot.namespaces[ns]) {
      if (e.overloads === undefined || e.overloads.length === 0) continue;
      const key = `${ns}:${e.name}`;
      const ts = RENAMES[key] ?? camel(e.name);
      if (EXCLUDED[key] !== undefined || !has(holder, ts)) continue;
      covered.push(key);
      if (NOT_CALLED[key] !== undefined) {
        skipped[key] = NOT_CALLED[key];
        continue;
      }
      const isProperty = e.kind === 'property';
      // Tensor methods PyTorch binds by hand (python_variable_methods.cpp) and tensor.ts writes by hand:
      // their Python signatures are not the schemas', so they get only the schemas' required arguments.
      const handBound = ns === 'Tensor' && (surface.handWritten[key] ?? '').startsWith('tensor.ts');
      const conversion = ns === 'Tensor' && DTYPE_CONVERSIONS.has(e.name);
      // nn.functional's Python-level functions: their own parameters (required ones), typed by the operator's arguments.
      const pyLevel = ns === 'nn.functional' && e.kind === 'python' && e.pysig !== undefined && !e.pysig.some(([, k]) => k.startsWith('VAR_'));
      const overloads = e.overloads.filter((o) => !o.hidden);
      let made = 0;
      for (const o of overloads) {
        for (let rep = 0; rep < CASES_PER_OVERLOAD; rep++) {
          const rng = new Rng(seed * 7919 + 17);
          const c: Ctx = { rng, shape: rng.pick(SHAPES, SHAPE_W), dtype: rng.pick(DTYPES, DTYPE_W) };
          const typeOf = (n: string) => o.args.find((a) => a[0] === (n === 'input' && !o.args.some((x) => x[0] === 'input') ? 'self' : n));
          const args: Arg[] = [];
          const kwargs: Record<string, Arg> = {};
          const tsKwargs: Record<string, Arg> = {};
          let ok = true;
          if (pyLevel) {
            for (const [n, kind, def] of e.pysig!) {
              if (def !== null || kind === 'KEYWORD_ONLY') continue;
              const a = typeOf(n);
              const v = a === undefined ? undefined : draw(c, n, a[1]);
              if (v === undefined) ok = false;
              else args.push(v);
            }
          } else {
            const pos = ns === 'Tensor' ? ['self', ...o.pos.filter((n) => n !== 'self')] : o.pos;
            for (const n of pos) {
              const a = o.args.find((x) => x[0] === n)!;
              const required = a[2] === null;
              if (conversion && n !== 'self') break;
              if (!required && (handBound || rng.next() < 0.5)) break; // leave the rest to their defaults
              // (PyTorch's hand-bound methods take memory_format only by keyword.)
              if (handBound && a[1].startsWith('MemoryFormat')) break;
              const v = n === 'self' && ns === 'Tensor' ? { tensor: tensorSpec(rng, c.shape, c.dtype) } : draw(c, n, a[1]);
              if (v === undefined) {
                if (required) ok = false;
                break;
              }
              args.push(v);
            }
            for (const n of conversion || handBound ? [] : o.kw) {
              const a = o.args.find((x) => x[0] === n)!;
              if (a[2] !== null && rng.next() < 0.6) continue;
              const v = draw(c, n, a[1]);
              if (v === undefined) {
                if (a[2] === null) ok = false;
                continue;
              }
              kwargs[n] = v;
              tsKwargs[camel(n)] = v;
            }
          }
          seed++;
          if (!ok) continue;
          // Python's *args functions (torch.broadcast_tensors(*tensors)): the list as separate arguments.
          if (VARARGS[key] !== undefined && e.kind === 'python') {
            const at = o.pos.indexOf(VARARGS[key]);
            if (at >= 0 && Array.isArray(args[at])) args.splice(at, 1, ...(args[at] as Arg[]));
          }
          const values = !METADATA_ONLY.test(e.name) && !METADATA_ONLY_KEYS.has(key);
          cases.push({
            key,
            ns,
            py: e.name,
            ts,
            kind: isProperty ? 'property' : ns === 'Tensor' ? 'method' : 'function',
            args,
            kwargs,
            tsKwargs,
            seed,
            values,
          });
          made++;
        }
      }
      if (made === 0) skipped[key] = 'no overload with arguments this sampler can draw';
    }
  }
  return { cases, covered, skipped };
}

// ---------------------------------------------------------------- Python side
const PY_DIFF = String.raw`
import sys, json, math, warnings
import torch
import torch.nn.functional as F
warnings.simplefilter('ignore')
torch.set_num_threads(1)

def mk(s):
    dt = getattr(torch, s['dtype'])
    shape = s['shape']
    if s['t']:
        rev = list(reversed(shape))
        t = torch.tensor(s['data'], dtype=dt).reshape(rev) if rev else torch.tensor(s['data'][0], dtype=dt)
        # data laid out for the reversed shape, viewed back: non-contiguous
        return t.permute(*reversed(range(len(shape))))
    if len(shape) == 0:
        return torch.tensor(s['data'][0], dtype=dt)
    return torch.tensor(s['data'], dtype=dt).reshape(shape)

def dec(a):
    if isinstance(a, dict):
        if 'tensor' in a: return mk(a['tensor'])
        if 'dtype' in a: return getattr(torch, a['dtype'])
    if isinstance(a, list): return [dec(x) for x in a]
    return a

def special(x):
    if isinstance(x, float):
        if math.isnan(x): return 'nan'
        if math.isinf(x): return 'inf' if x > 0 else '-inf'
    return x

def enc(v):
    if isinstance(v, torch.Tensor):
        d = v.detach()
        if d.layout != torch.strided or d.is_quantized: return {'other': 'layout'}
        if d.is_complex(): d = torch.view_as_real(d.resolve_conj())
        dt = str(d.dtype).replace('torch.', '')
        out = {'tensor': 1, 'dtype': dt, 'shape': list(d.shape)}
        if dt.startswith('bits') or dt == 'float4_e2m1fn_x2': return out
        if dt in ('float16', 'bfloat16') or dt.startswith('float8'): d = d.float()
        flat = d.reshape(-1).tolist()
        if dt == 'bool': flat = [1 if x else 0 for x in flat]
        out['data'] = [special(x) for x in flat]
        return out
    if isinstance(v, (tuple, list)): return {'list': [enc(x) for x in v]}
    if isinstance(v, torch.dtype): return {'str': str(v).replace('torch.', '')}
    if isinstance(v, bool): return {'bool': v}
    if isinstance(v, (int, float)): return {'number': special(float(v))}
    if v is None: return None
    if isinstance(v, str): return {'str': v}
    if isinstance(v, torch.Size): return {'list': [{'number': float(x)} for x in v]}
    return {'other': type(v).__name__}

NS = {'torch': torch, 'nn.functional': F, 'linalg': torch.linalg, 'special': torch.special, 'fft': torch.fft}
out = []
for c in INPUT:
    try:
        args = [dec(a) for a in c['args']]
        kwargs = {k: dec(v) for k, v in c['kwargs'].items()}
        torch.manual_seed(c['seed'])
        if c['kind'] == 'property':
            r = getattr(args[0], c['py'])
        elif c['kind'] == 'method':
            r = getattr(args[0], c['py'])(*args[1:], **kwargs)
        else:
            r = getattr(NS[c['ns']], c['py'])(*args, **kwargs)
        out.append({'ok': enc(r)})
    except BaseException as e:
        if isinstance(e, (KeyboardInterrupt, SystemExit)): raise
        out.append({'error': type(e).__name__, 'message': str(e).split('\n')[0][:200]})
sys.stdout.write('\n' + json.dumps(out) + '\n')
`;

// ---------------------------------------------------------------- TS side
function mkTensor(s: TSpec): torch.Tensor {
  const data = s.dtype === 'bool' ? s.data.map((x) => x === true) : s.data.map(Number);
  if (s.shape.length === 0) return torch.tensor(data[0] as never, { dtype: s.dtype as torch.DType });
  if (s.t) {
    const rev = [...s.shape].reverse();
    const base = torch.tensor(data as never, { dtype: s.dtype as torch.DType }).reshape(rev);
    return base.permute([...rev.keys()].reverse());
  }
  return torch.tensor(data as never, { dtype: s.dtype as torch.DType }).reshape(s.shape);
}

function decTs(a: Arg): unknown {
  if (Array.isArray(a)) return a.map(decTs);
  if (a !== null && typeof a === 'object') {
    if ('tensor' in a) return mkTensor(a.tensor);
    if ('dtype' in a) return a.dtype;
  }
  return a;
}

const COMPLEX = new Set([8, 9, 10]);
const OTHER_LAYOUT_DTYPES = new Set([12, 13, 14, 16, 17]); // quantized

type Enc =
  | { tensor: 1; dtype: string; shape: number[]; data?: (number | string)[] }
  | { list: Enc[] }
  | { bool: boolean }
  | { number: number | string }
  | { str: string }
  | { other: string }
  | null;

function encTs(v: unknown): Enc {
  if (torch.isTensor(v)) {
    const code = native.dtype(v._h);
    if (OTHER_LAYOUT_DTYPES.has(code)) return { other: 'layout' };
    let t = v.detach();
    if (COMPLEX.has(code)) t = torch.viewAsReal(t.resolveConj());
    const dtype = t.dtype;
    const out: Enc = { tensor: 1, dtype, shape: t.shape };
    if (!torch.hasNumberForm(dtype)) return out;
    try {
      out.data = t.dataSync().map((x) => (Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x));
    } catch (e) {
      // Sparse layouts have no strided data to read (Python's side encodes them as 'other').
      if (e instanceof torch.TorchError) return { other: 'layout' };
      throw e;
    }
    return out;
  }
  if (Array.isArray(v) || v instanceof torch.ValuesIndices) return { list: [...(v as Iterable<unknown>)].map(encTs) };
  if (typeof v === 'boolean') return { bool: v };
  if (typeof v === 'number') return { number: Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v };
  if (typeof v === 'bigint') return { number: Number(v) };
  if (typeof v === 'string') return { str: v };
  if (v === null || v === undefined) return null;
  return { other: typeof v };
}

function num(x: number | string): number {
  return x === 'nan' ? NaN : x === 'inf' ? Infinity : x === '-inf' ? -Infinity : (x as number);
}

/** Where two encoded results differ, or null. */
function differ(ts: Enc, py: Enc, values: boolean, path = 'result'): string | null {
  if (py === null || ts === null) return py === ts ? null : `${path}: ${JSON.stringify(ts)?.slice(0, 80)} vs Python ${JSON.stringify(py)?.slice(0, 80)}`;
  if ('other' in py) return null;
  if ('tensor' in py) {
    if (!('tensor' in ts)) return `${path}: not a tensor (${JSON.stringify(ts).slice(0, 80)})`;
    if (ts.dtype !== py.dtype) return `${path}: dtype ${ts.dtype} vs Python ${py.dtype}`;
    if (JSON.stringify(ts.shape) !== JSON.stringify(py.shape)) return `${path}: shape [${ts.shape}] vs Python [${py.shape}]`;
    if (!values || py.data === undefined || ts.data === undefined) return null;
    const tol = py.dtype === 'float64' ? 1e-9 : py.dtype === 'float32' ? 1e-5 : py.dtype === 'float16' || py.dtype === 'bfloat16' ? 1e-2 : 0;
    for (let i = 0; i < py.data.length; i++) {
      const a = num(ts.data[i]);
      const b = num(py.data[i]);
      if (Number.isNaN(b) ? !Number.isNaN(a) : !(a === b || Math.abs(a - b) <= tol * (1 + Math.abs(b)))) {
        return `${path}: element ${i} is ${a}, Python ${b}`;
      }
    }
    return null;
  }
  if ('list' in py) {
    if (!('list' in ts)) return `${path}: not a sequence (${JSON.stringify(ts).slice(0, 80)})`;
    if (ts.list.length !== py.list.length) return `${path}: length ${ts.list.length} vs Python ${py.list.length}`;
    for (let i = 0; i < py.list.length; i++) {
      const d = differ(ts.list[i], py.list[i], values, `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if ('number' in py) {
    if (!('number' in ts)) return `${path}: ${JSON.stringify(ts)} vs Python number ${py.number}`;
    const a = num(ts.number);
    const b = num(py.number);
    return (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= 1e-6 * (1 + Math.abs(b)) || !values ? null : `${path}: ${a} vs Python ${b}`;
  }
  return JSON.stringify(ts) === JSON.stringify(py) ? null : `${path}: ${JSON.stringify(ts)} vs Python ${JSON.stringify(py)}`;
}

function callTs(c: Case): unknown {
  const args = c.args.map(decTs);
  const kw = Object.fromEntries(Object.entries(c.tsKwargs).map(([k, v]) => [k, decTs(v)]));
  const withKw = Object.keys(kw).length > 0 ? [...args, kw] : args;
  torch.manualSeed(c.seed);
  if (c.kind === 'property') return (args[0] as Record<string, unknown>)[c.ts];
  if (c.kind === 'method') {
    const self = args[0] as Record<string, (...x: unknown[]) => unknown>;
    return self[c.ts](...withKw.slice(1));
  }
  const f = holderOf(c.ns)[c.ts] as (...x: unknown[]) => unknown;
  return f(...withKw);
}

if (process.env.TORCH_DIFF_DUMP) {
  // Debugging aid: TORCH_DIFF_DUMP=dir writes the cases and the Python script there.
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${process.env.TORCH_DIFF_DUMP}/cases.json`, JSON.stringify(buildCases().cases));
  writeFileSync(`${process.env.TORCH_DIFF_DUMP}/diff.py`, PY_DIFF);
}

describe('13 core: differential test of every covered op against the reference Python', () => {
  const { cases, covered, skipped } = buildCases();
  let results: ({ ok: Enc } | { error: string; message: string })[] = [];

  before(function () {
    if (!hasPythonTorch()) {
      console.log(`    reference PyTorch not available at ${PYTHON}: skipping`);
      this.skip();
    }
    this.timeout(600_000);
    results = runTorch(PY_DIFF, cases, { timeoutMs: 600_000 });
  });

  it('calls every covered op (or says why not)', () => {
    const called = new Set(cases.map((c) => c.key));
    const notCalled = covered.filter((k) => !called.has(k) && skipped[k] === undefined);
    expect(notCalled).to.deep.equal([]);
    expect(Object.keys(skipped).length, `skipped: ${JSON.stringify(skipped)}`).to.be.at.most(Math.ceil(covered.length * 0.02));
  });

  it('TS agrees with Python on every call (both raise, or the same results)', function () {
    this.timeout(600_000);
    const mismatches: string[] = [];
    const otherPart: string[] = [];
    let bothOk = 0;
    let bothRaise = 0;
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const py = results[i];
      let ts: { ok: Enc } | { error: string; message: string };
      try {
        ts = torch.tidy(() => ({ ok: encTs(callTs(c)) }));
      } catch (e) {
        ts = { error: (e as Error).name, message: (e as Error).message.split('\n')[0] };
      }
      const what = `${c.key} (${c.kind} ${c.ts}, case ${c.seed}: ${JSON.stringify({ args: c.args, kw: c.kwargs }).slice(0, 160)})`;
      const sink = OTHER_PART.has(c.key) || DELIBERATE[c.key] !== undefined ? otherPart : mismatches;
      if ('error' in py) {
        if ('error' in ts) bothRaise++;
        else sink.push(`${what}: Python raised ${py.error}: ${py.message}; TS returned ${JSON.stringify(ts.ok)?.slice(0, 100)}`);
      } else if ('error' in ts) {
        sink.push(`${what}: TS threw ${ts.error}: ${ts.message}; Python returned ${JSON.stringify(py.ok)?.slice(0, 100)}`);
      } else {
        const d = differ(ts.ok, py.ok, c.values);
        if (d === null) bothOk++;
        else sink.push(`${what}: ${d}`);
      }
    }
    const total = cases.length;
    console.log(
      `      ${total} calls of ${covered.length} ops: ${bothOk} same results, ${bothRaise} both raise, ${mismatches.length} differ` +
        `, ${otherPart.length} differ in hand-written code outside this part (listed, not failing: creation.ts and Tensor.to are issue 13's other half; Tensor.type deliberately)`,
    );
    if (otherPart.length > 0)
      console.log(
        otherPart
          .slice(0, Number(process.env.TORCH_DIFF_SHOW ?? 60))
          .map((m) => `      [other part] ${m}`)
          .join('\n'),
      );
    if (mismatches.length > 0)
      console.log(
        mismatches
          .slice(0, Number(process.env.TORCH_DIFF_SHOW ?? 60))
          .map((m) => `      ${m}`)
          .join('\n'),
      );
    expect(mismatches.length, 'calls where TS and Python differ').to.equal(0);
    // A test where most calls fail on both sides would compare little: keep the draws useful.
    expect(bothOk / total, 'share of calls both sides ran').to.be.at.least(0.5);
  });
});
