/**
 * Runtime of the generated op layer (lib/torch/generated/*): argument kinds,
 * overload resolution as PyTorch's Python argument parser does it, argument
 * conversion with one error shape ("sum: Expected an integer for dim but
 * received 1.5 of type number"), and result wrappers.
 *
 * A generated function takes its arguments as a rest array `a`; a trailing
 * plain object is the options object (Python's keyword arguments). `pick`
 * returns the index of the first signature the arguments fit (the order is
 * Python's), the generated code converts the arguments of that signature and
 * calls the operator. When none fits, `noMatch` names the argument that is
 * wrong, or lists the signatures.
 */
import { native, type Handle } from './native.js';
import { isTensor, wrap, type HasHandle } from './handle.js';
import { describe } from './errors.js';
import { DTYPES, dtypeCode, dtypeFromCode, isDType, type DType } from './dtype.js';
import { Device, deviceString, type DeviceLike } from './device.js';
import type { Tensor } from './tensor.js';
import { K } from './op-kinds.js';

/** An integer argument: a number with an integral value, or a BigInt (int64 range). */
export type Int = number | bigint;
/** A scalar argument: a number, a boolean or a BigInt (an integer in the int64 range). */
export type Scalar = number | boolean | bigint;
/** Tensor layouts, as PyTorch names them (`torch.strided`, ...). */
export type Layout = 'strided' | 'sparse_coo' | 'sparse_csr' | 'sparse_csc' | 'sparse_bsr' | 'sparse_bsc' | '_mkldnn' | 'jagged';
/** Memory formats, as PyTorch names them (`torch.contiguous_format`, ...). */
export type MemoryFormat = 'contiguous_format' | 'preserve_format' | 'channels_last' | 'channels_last_3d';
/** How a loss reduces over the batch. */
export type Reduction = 'none' | 'mean' | 'sum';
/** An options object (Python's keyword arguments). */
export type Kw = Readonly<Record<string, unknown>>;

/** Shared empty options: an omitted options argument allocates nothing. */
export const NO_OPTS: Kw = Object.freeze({});

// ---------------------------------------------------------------- argument kinds
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const TWO63 = 2 ** 63;

function isIntLike(v: unknown): boolean {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

function isZeroDim(v: unknown): boolean {
  return isTensor(v) && native.dim((v as HasHandle)._h) === 0;
}

const INTEGRAL_CODES = new Set([0, 1, 2, 3, 4, 27, 28, 29]);
function isIntegralZeroDim(v: unknown): boolean {
  return isZeroDim(v) && INTEGRAL_CODES.has(native.dtype((v as HasHandle)._h));
}

function every(v: unknown, f: (x: unknown) => boolean): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!f(v[i])) return false;
  return true;
}

const LAYOUTS: Record<Layout, number> = { strided: 0, sparse_coo: 1, sparse_csr: 2, _mkldnn: 3, sparse_csc: 4, sparse_bsr: 5, sparse_bsc: 6, jagged: 7 };
const MEMORY_FORMATS: Record<MemoryFormat, number> = { contiguous_format: 0, preserve_format: 1, channels_last: 2, channels_last_3d: 3 };
const REDUCTIONS: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

/** Whether `v` fits an argument of kind `k` (PyTorch's parser rules: an int never matches a bool, a float never an int). */
export function fits(k: number, v: unknown): boolean {
  switch (k) {
    case K.Tensor:
      return isTensor(v);
    case K.TensorOpt:
      return v === null || isTensor(v);
    case K.TensorOrNumber:
      return isTensor(v) || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint';
    case K.TensorList:
      return every(v, isTensor);
    case K.TensorOptList:
      return every(v, (x) => x === null || isTensor(x));
    case K.Scalar:
      return isScalar(v);
    case K.ScalarOpt:
      return v === null || isScalar(v);
    case K.Int:
      return isIntLike(v) || isIntegralZeroDim(v);
    case K.IntOpt:
      return v === null || isIntLike(v) || isIntegralZeroDim(v);
    case K.IntList:
      return every(v, isIntLike);
    case K.IntListOpt:
      return v === null || every(v, isIntLike);
    case K.IntListSized:
      return isIntLike(v) || every(v, isIntLike);
    case K.IntListSizedOpt:
      return v === null || isIntLike(v) || every(v, isIntLike);
    case K.Float:
      return isFloat(v);
    case K.FloatOpt:
      return v === null || isFloat(v);
    case K.FloatList:
      return every(v, (x) => typeof x === 'number');
    case K.FloatListOpt:
      return v === null || every(v, (x) => typeof x === 'number');
    case K.Bool:
      return typeof v === 'boolean';
    case K.BoolOpt:
      return v === null || typeof v === 'boolean';
    case K.BoolList:
      return every(v, (x) => typeof x === 'boolean');
    case K.Str:
      return typeof v === 'string';
    case K.StrOpt:
      return v === null || typeof v === 'string';
    case K.DType:
      return isDType(v);
    case K.DTypeOpt:
      return v === null || isDType(v);
    case K.Layout:
      return v === null || (typeof v === 'string' && Object.hasOwn(LAYOUTS, v));
    case K.Device:
      return typeof v === 'string' || v instanceof Device;
    case K.DeviceOpt:
      return v === null || typeof v === 'string' || v instanceof Device;
    case K.MemoryFormat:
      return v === null || (typeof v === 'string' && Object.hasOwn(MEMORY_FORMATS, v));
    case K.Generator:
      return v === null;
    case K.Reduction:
      return typeof v === 'string';
    default:
      return false;
  }
}

function isScalar(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || (isZeroDim(v) && !(v as Tensor).requiresGrad);
}

function isFloat(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'bigint' || (isZeroDim(v) && !(v as Tensor).requiresGrad);
}

/** Loosely: whether `v` is the right sort of value for kind `k`, so that its converter gives the precise error. */
function roughlyFits(k: number, v: unknown): boolean {
  switch (k) {
    case K.Int:
    case K.IntOpt:
    case K.Float:
    case K.FloatOpt:
      return typeof v === 'number' || typeof v === 'bigint' || v === null || isTensor(v);
    case K.IntList:
    case K.IntListOpt:
    case K.IntListSized:
    case K.IntListSizedOpt:
    case K.FloatList:
    case K.FloatListOpt:
    case K.BoolList:
    case K.TensorList:
    case K.TensorOptList:
      return Array.isArray(v) || typeof v === 'number' || typeof v === 'bigint' || v === null;
    case K.DType:
    case K.DTypeOpt:
    case K.Layout:
    case K.MemoryFormat:
    case K.Device:
    case K.DeviceOpt:
    case K.Reduction:
      return typeof v === 'string' || v === null;
    default:
      return fits(k, v) || v === null;
  }
}

/** What kind `k` expects, for messages. */
export function expected(k: number): string {
  switch (k) {
    case K.Tensor:
      return 'Tensor';
    case K.TensorOpt:
      return 'Tensor or null';
    case K.TensorOrNumber:
      return 'Tensor or number';
    case K.TensorList:
      return 'an array of Tensors';
    case K.TensorOptList:
      return 'an array of Tensors or nulls';
    case K.Scalar:
      return 'a number, boolean or BigInt';
    case K.ScalarOpt:
      return 'a number, boolean, BigInt or null';
    case K.Int:
      return 'an integer';
    case K.IntOpt:
      return 'an integer or null';
    case K.IntList:
      return 'an array of integers';
    case K.IntListOpt:
      return 'an array of integers or null';
    case K.IntListSized:
      return 'an integer or an array of integers';
    case K.IntListSizedOpt:
      return 'an integer, an array of integers or null';
    case K.Float:
      return 'a number';
    case K.FloatOpt:
      return 'a number or null';
    case K.FloatList:
      return 'an array of numbers';
    case K.FloatListOpt:
      return 'an array of numbers or null';
    case K.Bool:
      return 'a boolean';
    case K.BoolOpt:
      return 'a boolean or null';
    case K.BoolList:
      return 'an array of booleans';
    case K.Str:
      return 'a string';
    case K.StrOpt:
      return 'a string or null';
    case K.DType:
      return `one of ${DTYPES.join(', ')}`;
    case K.DTypeOpt:
      return `null or one of ${DTYPES.join(', ')}`;
    case K.Layout:
      return `a layout (${Object.keys(LAYOUTS)
        .map((s) => `'${s}'`)
        .join(', ')})`;
    case K.Device:
      return 'a device';
    case K.DeviceOpt:
      return 'a device or null';
    case K.MemoryFormat:
      return `a memory format (${Object.keys(MEMORY_FORMATS)
        .map((s) => `'${s}'`)
        .join(', ')})`;
    case K.Generator:
      return "null (libtorch's default generator, seeded by torch.manualSeed)";
    case K.Reduction:
      return "'none', 'mean' or 'sum'";
    default:
      return 'a supported value';
  }
}

const OPT_BASE: Record<number, number> = {
  [K.TensorOpt]: K.Tensor,
  [K.ScalarOpt]: K.Scalar,
  [K.IntOpt]: K.Int,
  [K.IntListOpt]: K.IntList,
  [K.IntListSizedOpt]: K.IntListSized,
  [K.FloatOpt]: K.Float,
  [K.FloatListOpt]: K.FloatList,
  [K.BoolOpt]: K.Bool,
  [K.StrOpt]: K.Str,
  [K.DTypeOpt]: K.DType,
  [K.DeviceOpt]: K.Device,
};

/** What any of several kinds expects: "Tensor or a number, boolean or BigInt", ", or null" when one takes null. */
function expectedAll(kinds: readonly number[]): string {
  const nullable = kinds.some((k) => OPT_BASE[k] !== undefined);
  const texts = [...new Set(kinds.map((k) => expected(OPT_BASE[k] ?? k)))];
  return texts.join(' or ') + (nullable ? ', or null' : '');
}

// ---------------------------------------------------------------- signatures
/** One Python signature of an op, as the generator writes it. */
export interface Sig {
  /** Positional parameters (Python order). */
  readonly names: readonly string[];
  /** Their kinds (K). */
  readonly kinds: readonly number[];
  /** How many leading positional parameters are required. */
  readonly req: number;
  /** Names the options object may hold: keyword-only and optional positional parameters. */
  readonly kw: readonly string[];
  /** For each name in kw: its positional index, or -1 when keyword-only. */
  readonly kwPos: readonly number[];
  /** Kinds of the kw entries. */
  readonly kwKinds: readonly number[];
  /** Index of the list parameter that also takes its elements as varargs, or -1. */
  readonly va: number;
  /** Keyword-only parameters without a default: the options must hold them. */
  readonly kwReq: readonly string[];
  /** The signature as text, for messages. */
  readonly text: string;
}

/** Builds a signature table entry (called once per signature at module load). */
export function sig(
  names: string[],
  kinds: number[],
  req: number,
  kw: string[],
  kwPos: number[],
  kwKinds: number[],
  va: number,
  text: string,
  kwReq: string[] = [],
): Sig {
  return { names, kinds, req, kw, kwPos, kwKinds, va, text, kwReq };
}

/**
 * Removes and returns the options object: the last argument when it is a
 * plain object (Python's keyword arguments). NO_OPTS when there is none.
 */
export function kwOf(a: unknown[]): Kw {
  const n = a.length;
  if (n > 0) {
    const v = a[n - 1];
    if (v !== null && typeof v === 'object') {
      const c = (v as object).constructor;
      if (c === Object || c === undefined) {
        a.length = n - 1;
        return v as Kw;
      }
    }
  }
  return NO_OPTS;
}

function elementFits(k: number, v: unknown): boolean {
  return k === K.TensorList || k === K.TensorOptList ? isTensor(v) : isIntLike(v);
}

/** True when the arguments from position s.va on are the list's elements given one by one. */
function asVarargs(s: Sig, a: readonly unknown[]): boolean {
  return s.va >= 0 && a.length > s.va && elementFits(s.kinds[s.va], a[s.va]);
}

function kwFits(op: string, s: Sig, o: Kw, a: readonly unknown[]): boolean {
  for (let i = 0; i < s.kwReq.length; i++) if (o[s.kwReq[i]] === undefined) return false;
  for (const key in o) {
    const v = o[key];
    if (v === undefined) continue;
    const i = s.kw.indexOf(key);
    if (i < 0) return false;
    const p = s.kwPos[i];
    if (p >= 0 && p < a.length && a[p] !== undefined) {
      throw new TypeError(`${op}: Expected ${key} once but received it both as argument ${p + 1} and in the options`);
    }
    if (!fits(s.kwKinds[i], v)) return false;
  }
  return true;
}

/**
 * The index of the first signature the arguments fit (Python's parser order),
 * or -1. `o` is the options object (see kwOf).
 */
export function pick(op: string, sigs: readonly Sig[], a: readonly unknown[], o: Kw): number {
  const n = a.length;
  outer: for (let i = 0; i < sigs.length; i++) {
    const s = sigs[i];
    if (asVarargs(s, a)) {
      for (let j = 0; j < s.va; j++) if (!fits(s.kinds[j], a[j])) continue outer;
      for (let j = s.va; j < n; j++) if (!elementFits(s.kinds[s.va], a[j])) continue outer;
      if ((o !== NO_OPTS || s.kwReq.length > 0) && !kwFits(op, s, o, a)) continue;
      return i;
    }
    if (n > s.names.length || n < s.req) continue;
    for (let j = 0; j < n; j++) {
      const v = a[j];
      if (v === undefined) {
        if (j < s.req) continue outer;
      } else if (!fits(s.kinds[j], v)) continue outer;
    }
    if ((o !== NO_OPTS || s.kwReq.length > 0) && !kwFits(op, s, o, a)) continue;
    return i;
  }
  return -1;
}

/** True when a[from..] are all integers (numbers with integral values or BigInts): Python's view(2, 3). */
export function allInts(a: readonly unknown[], from: number): boolean {
  for (let i = from; i < a.length; i++) if (!isIntLike(a[i])) return false;
  return true;
}

/** True when a[from..] are all Tensors: torch.meshgrid(x, y). */
export function allTensors(a: readonly unknown[], from: number): boolean {
  for (let i = from; i < a.length; i++) if (!isTensor(a[i])) return false;
  return true;
}

/** The varargs list: the elements from position `i` on when given one by one, else the list at `i`. */
export function varargs(a: readonly unknown[], i: number, kind: number): unknown {
  return a.length > i && elementFits(kind, a[i]) ? a.slice(i) : a[i];
}

/**
 * Throws the error for arguments no signature fits: the first wrong argument
 * of the signature they come closest to (the only one whose arity and option
 * names fit, or the first whose arguments are of roughly the right sorts), or
 * else the list of signatures.
 */
export function noMatch(op: string, sigs: readonly Sig[], a: readonly unknown[], o: Kw): never {
  const n = a.length;
  const looseVa = (s: Sig): boolean => s.va >= 0 && n > s.va && (typeof a[s.va] === 'number' || typeof a[s.va] === 'bigint' || isTensor(a[s.va]));
  const candidates = sigs.filter((s) => {
    if (!looseVa(s) && n > s.names.length) return false;
    for (const key in o) if (o[key] !== undefined && !s.kw.includes(key)) return false;
    return true;
  });
  // A position no candidate takes the value at, under one name: say what it takes there.
  for (let j = 0; j < n; j++) {
    const cs = candidates.filter((s) => j < s.names.length && !(looseVa(s) && j >= s.va));
    if (cs.length === 0 || cs.length < candidates.length || a[j] === undefined) continue;
    if (cs.some((s) => fits(s.kinds[j], a[j]))) continue;
    const names = new Set(cs.map((s) => s.names[j]));
    if (names.size !== 1) break;
    if (cs.length === 1) convert(op, cs[0].names[j], cs[0].kinds[j], a[j]);
    fail(expectedAll(cs.map((s) => s.kinds[j])), op, cs[0].names[j], a[j]);
  }
  for (const s of candidates) {
    if (looseVa(s)) {
      const k = elementKind(s.kinds[s.va]);
      for (let j = s.va; j < n; j++) {
        if (!fits(k, a[j])) {
          convert(op, `${s.names[s.va]}[${j - s.va}]`, k, a[j]);
          fail(expected(k), op, `${s.names[s.va]}[${j - s.va}]`, a[j]);
        }
      }
    }
  }
  const rough = (s: Sig): boolean => {
    const va = asVarargs(s, a);
    for (let j = 0; j < Math.min(n, s.names.length); j++) {
      if (va && j >= s.va) break;
      if (a[j] !== undefined && !roughlyFits(s.kinds[j], a[j])) return false;
    }
    return true;
  };
  const closest = candidates.length === 1 ? candidates[0] : candidates.find(rough);
  if (closest !== undefined) preciseError(op, closest, a, o);
  const max = Math.max(...sigs.map((s) => (s.va >= 0 ? Infinity : s.names.length)));
  if (n > max) throw new TypeError(`${op}: Expected at most ${max} positional arguments but received ${n}`);
  for (const key in o) {
    if (o[key] !== undefined && !sigs.some((s) => s.kw.includes(key))) {
      const all = [...new Set(sigs.flatMap((s) => s.kw))];
      throw new TypeError(`Unknown option '${key}' for ${op}; expected ${all.length > 0 ? `one of: ${all.join(', ')}` : 'no options'}`);
    }
  }
  const got = [...a.map((v) => describe(v)), ...(o === NO_OPTS ? [] : [`options {${Object.keys(o).join(', ')}}`])];
  throw new TypeError(`${op}: Expected arguments ${sigs.map((s) => s.text).join(' or ')} but received (${got.join(', ')})`);
}

/** Throws the first conversion error of the arguments against signature s (returns when there is none). */
function preciseError(op: string, s: Sig, a: readonly unknown[], o: Kw): void {
  const n = a.length;
  const va = asVarargs(s, a);
  for (let j = 0; j < Math.min(n, s.names.length); j++) {
    if (va && j >= s.va) break;
    if (a[j] === undefined) continue;
    if (!fits(s.kinds[j], a[j])) {
      convert(op, s.names[j], s.kinds[j], a[j]);
      fail(expected(s.kinds[j]), op, s.names[j], a[j]);
    }
  }
  if (va) {
    for (let j = s.va; j < n; j++) {
      const k = elementKind(s.kinds[s.va]);
      if (!fits(k, a[j])) {
        convert(op, `${s.names[s.va]}[${j - s.va}]`, k, a[j]);
        fail(expected(k), op, `${s.names[s.va]}[${j - s.va}]`, a[j]);
      }
    }
  }
  for (let j = 0; j < s.req; j++) {
    if (j >= n || a[j] === undefined) fail(expected(s.kinds[j]), op, s.names[j], undefined);
  }
  for (let i = 0; i < s.kw.length; i++) {
    const v = o[s.kw[i]];
    if (v !== undefined && !fits(s.kwKinds[i], v)) {
      convert(op, s.kw[i], s.kwKinds[i], v);
      fail(expected(s.kwKinds[i]), op, s.kw[i], v);
    }
  }
  for (const k of s.kwReq) if (o[k] === undefined) fail(expected(s.kwKinds[s.kw.indexOf(k)]), op, k, undefined);
}

function elementKind(k: number): number {
  return k === K.TensorList || k === K.TensorOptList ? K.Tensor : K.Int;
}

/** Converts one argument of kind `k` (throws the precise error). */
export function convert(op: string, name: string, k: number, v: unknown): unknown {
  switch (k) {
    case K.Tensor:
      return cT(v, op, name);
    case K.TensorOpt:
      return cTO(v, op, name);
    case K.TensorOrNumber:
      return cTN(v, op, name);
    case K.TensorList:
      return cTL(v, op, name);
    case K.TensorOptList:
      return cTOL(v, op, name);
    case K.Scalar:
      return cS(v, op, name);
    case K.ScalarOpt:
      return cSO(v, op, name);
    case K.Int:
      return cI(v, op, name);
    case K.IntOpt:
      return cIO(v, op, name);
    case K.IntList:
    case K.IntListSized:
      return cIL(v, op, name, k === K.IntListSized ? 1 : 0);
    case K.IntListOpt:
    case K.IntListSizedOpt:
      return cILO(v, op, name, k === K.IntListSizedOpt ? 1 : 0);
    case K.Float:
      return cF(v, op, name);
    case K.FloatOpt:
      return cFO(v, op, name);
    case K.FloatList:
      return cFL(v, op, name);
    case K.FloatListOpt:
      return cFLO(v, op, name);
    case K.Bool:
      return cB(v, op, name);
    case K.BoolOpt:
      return cBO(v, op, name);
    case K.BoolList:
      return cBL(v, op, name);
    case K.Str:
      return cStr(v, op, name);
    case K.StrOpt:
      return cStrO(v, op, name);
    case K.DType:
      return cDT(v, op, name);
    case K.DTypeOpt:
      return cDTO(v, op, name);
    case K.Layout:
      return cLayout(v, op, name);
    case K.Device:
      return cDev(v, op, name);
    case K.DeviceOpt:
      return cDevO(v, op, name);
    case K.MemoryFormat:
      return cMF(v, op, name);
    case K.Generator:
      return cGen(v, op, name);
    case K.Reduction:
      return cRed(v, op, name);
    default:
      return fail('a supported value', op, name, v);
  }
}

// ---------------------------------------------------------------- converters
/** Throws `TypeError("<op>: Expected <what> for <name> but received <value>")`. */
export function argError(op: string, what: string, name: string, v: unknown): never {
  return fail(what, op, name, v);
}

function fail(what: string, op: string, name: string, v: unknown): never {
  throw new TypeError(`${op}: Expected ${what} for ${name} but received ${describe(v)}`);
}
function failRange(what: string, op: string, name: string, v: unknown): never {
  throw new RangeError(`${op}: Expected ${what} for ${name} but received ${describe(v)}`);
}

/** A tensor argument's handle. */
export function cT(v: unknown, op: string, name: string): Handle {
  if (isTensor(v)) return (v as HasHandle)._h;
  return fail('Tensor', op, name, v);
}
/** An optional tensor argument (null and undefined pass). */
export function cTO(v: unknown, op: string, name: string): Handle | null | undefined {
  if (v === null || v === undefined) return v;
  return cT(v, op, name);
}
/** Handles of a tensor list. */
export function cTL(v: unknown, op: string, name: string): Handle[] | undefined {
  if (v === undefined) return v;
  if (!Array.isArray(v)) return fail('an array of Tensors', op, name, v);
  const out = new Array<Handle>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = cT(v[i], op, `${name}[${i}]`);
  return out;
}
/** Handles of a list of optional tensors. */
export function cTOL(v: unknown, op: string, name: string): (Handle | null)[] | undefined {
  if (v === undefined) return v;
  if (!Array.isArray(v)) return fail('an array of Tensors or nulls', op, name, v);
  const out = new Array<Handle | null>(v.length);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    out[i] = x === null || x === undefined ? null : cT(x, op, `${name}[${i}]`);
  }
  return out;
}

function bigIntInRange(v: bigint, op: string, name: string): bigint {
  if (v < INT64_MIN || v > INT64_MAX) failRange('a 64-bit integer', op, name, v);
  return v;
}

/** The value of a 0-dim tensor given for a scalar argument (as Python's parser takes it). */
function zeroDimValue(v: unknown): unknown {
  return native.item((v as HasHandle)._h);
}

/** A scalar: number, boolean or BigInt (in the int64 range); a 0-dim tensor gives its value. */
export function cS(v: unknown, op: string, name: string): unknown {
  if (v === undefined) return v;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return bigIntInRange(v, op, name);
  if (isZeroDim(v)) return zeroDimValue(v);
  return fail('a number, boolean or BigInt', op, name, v);
}
export function cSO(v: unknown, op: string, name: string): unknown {
  return v === null || v === undefined ? v : cS(v, op, name);
}

/** An integer: an integral number or a BigInt, in the int64 range. */
export function cI(v: unknown, op: string, name: string): unknown {
  if (v === undefined) return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return fail('an integer', op, name, v);
    if (v >= TWO63 || v < -TWO63) return failRange('a 64-bit integer', op, name, v);
    return v;
  }
  if (typeof v === 'bigint') return bigIntInRange(v, op, name);
  if (isIntegralZeroDim(v)) return zeroDimValue(v);
  return fail('an integer', op, name, v);
}
export function cIO(v: unknown, op: string, name: string): unknown {
  return v === null || v === undefined ? v : cI(v, op, name);
}

/**
 * An integer list. With `size` > 0 (a sized list such as int[2]) one integer
 * stands for `size` copies of it, as in Python (conv2d(stride=2)).
 */
export function cIL(v: unknown, op: string, name: string, size: number): unknown {
  if (v === undefined) return v;
  if (typeof v === 'number' || typeof v === 'bigint') {
    if (size === 0) return fail('an array of integers', op, name, v);
    const x = cI(v, op, name);
    // One integer stands for a one-element list in the addon too (cheaper than an array).
    return size === 1 ? x : new Array(size).fill(x);
  }
  if (!Array.isArray(v)) return fail(size > 0 ? 'an integer or an array of integers' : 'an array of integers', op, name, v);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x >= TWO63 || x < -TWO63) cI(x, op, `${name}[${i}]`);
  }
  return v;
}
export function cILO(v: unknown, op: string, name: string, size: number): unknown {
  return v === null || v === undefined ? v : cIL(v, op, name, size);
}

/** A float: a number (a BigInt converts). */
export function cF(v: unknown, op: string, name: string): unknown {
  if (v === undefined) return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (isZeroDim(v)) return Number(zeroDimValue(v));
  return fail('a number', op, name, v);
}
export function cFO(v: unknown, op: string, name: string): unknown {
  return v === null || v === undefined ? v : cF(v, op, name);
}
export function cFL(v: unknown, op: string, name: string): unknown {
  if (v === undefined) return v;
  if (!Array.isArray(v)) return fail('an array of numbers', op, name, v);
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number') fail('a number', op, `${name}[${i}]`, v[i]);
  return v;
}
export function cFLO(v: unknown, op: string, name: string): unknown {
  return v === null || v === undefined ? v : cFL(v, op, name);
}

export function cB(v: unknown, op: string, name: string): unknown {
  if (typeof v === 'boolean' || v === undefined) return v;
  return fail('a boolean', op, name, v);
}
export function cBO(v: unknown, op: string, name: string): unknown {
  return v === null || v === undefined ? v : cB(v, op, name);
}
export function cBL(v: unknown, op: string, name: string): unknown {
  if (v === undefined) return v;
  if (!Array.isArray(v)) return fail('an array of booleans', op, name, v);
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'boolean') fail('a boolean', op, `${name}[${i}]`, v[i]);
  return v;
}
export function cStr(v: unknown, op: string, name: string): unknown {
  if (typeof v === 'string' || v === undefined) return v;
  return fail('a string', op, name, v);
}
export function cStrO(v: unknown, op: string, name: string): unknown {
  return v === null || v === undefined ? v : cStr(v, op, name);
}
/** A dtype's c10::ScalarType code. */
export function cDT(v: unknown, op: string, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (isDType(v)) return dtypeCode(v);
  return fail(`one of ${DTYPES.join(', ')}`, op, name, v);
}
export function cDTO(v: unknown, op: string, name: string): number | null | undefined {
  return v === null || v === undefined ? (v as null | undefined) : cDT(v, op, name);
}
export function cLayout(v: unknown, op: string, name: string): number | null | undefined {
  if (v === null || v === undefined) return v;
  if (typeof v === 'string' && Object.hasOwn(LAYOUTS, v)) return LAYOUTS[v as Layout];
  return fail(expected(K.Layout), op, name, v);
}
export function cDev(v: unknown, op: string, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' || v instanceof Device) return deviceString(v as DeviceLike, `${op} ${name}`);
  return fail('a device', op, name, v);
}
export function cDevO(v: unknown, op: string, name: string): string | null | undefined {
  return v === null || v === undefined ? (v as null | undefined) : cDev(v, op, name);
}
export function cMF(v: unknown, op: string, name: string): number | null | undefined {
  if (v === null || v === undefined) return v;
  if (typeof v === 'string' && Object.hasOwn(MEMORY_FORMATS, v)) return MEMORY_FORMATS[v as MemoryFormat];
  return fail(expected(K.MemoryFormat), op, name, v);
}
/** Generators: only null/undefined (libtorch's default generator). */
export function cGen(v: unknown, op: string, name: string): null | undefined {
  if (v === null || v === undefined) return v;
  return fail(expected(K.Generator), op, name, v);
}
/** A reduction name as libtorch's code (none 0, mean 1, sum 2). */
export function cRed(v: unknown, op: string, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && Object.hasOwn(REDUCTIONS, v)) return REDUCTIONS[v as Reduction];
  return fail(expected(K.Reduction), op, name, v);
}

/**
 * A number given where PyTorch takes a Tensor and also a Python number (add,
 * mul, ... without a Scalar overload for that argument): a 0-dim tensor on
 * `self`'s device, int64 for integers (BigInt too), float32 otherwise, bool
 * for booleans.
 */
export function cTN(v: unknown, op: string, name: string, self?: unknown): Handle {
  if (isTensor(v)) return (v as HasHandle)._h;
  if (typeof v === 'bigint') bigIntInRange(v, op, name);
  else if (typeof v !== 'number' && typeof v !== 'boolean') return fail('Tensor or number', op, name, v);
  const dtype = typeof v === 'boolean' ? 11 : typeof v === 'bigint' || Number.isInteger(v) ? 4 : 6;
  const bytes = dtype === 4 ? new BigInt64Array([BigInt(v as number | bigint)]) : dtype === 11 ? new Uint8Array([v ? 1 : 0]) : new Float32Array([v as number]);
  let hh = native.fromBytes(bytes, dtype, []);
  if (isTensor(self)) {
    const d = native.device((self as HasHandle)._h);
    if (d !== 'cpu') {
      const moved = native.callOp(lookup('aten::to', 'device'), hh, d, dtype) as Handle;
      native.dispose(hh);
      hh = moved;
    }
  }
  // Owned by a Tensor so that a scope or the garbage collector frees it.
  return wrap<HasHandle>(hh)._h;
}

// ---------------------------------------------------------------- operators and results
/** Looks an operator up in libtorch's dispatcher; returns its id. */
export function lookup(name: string, overload: string): number {
  return native.lookupOp(name, overload);
}

/** A ScalarType result as a dtype. */
export function dtypeResult(r: unknown): DType {
  return dtypeFromCode(r as number);
}

/** An optional tensor result. */
export function wrapOpt(r: unknown): Tensor | null {
  return r === null || r === undefined ? null : wrap<Tensor>(r);
}

/**
 * A (values, indices) pair as PyTorch's named tuple: `r.values`, `r.indices`,
 * `r[0]`, `r[1]`, and destructuring `const [values, indices] = r`.
 */
export class ValuesIndices {
  readonly 0: Tensor;
  readonly 1: Tensor;
  readonly length = 2;
  constructor(
    readonly values: Tensor,
    readonly indices: Tensor,
  ) {
    this[0] = values;
    this[1] = indices;
  }
  *[Symbol.iterator](): IterableIterator<Tensor> {
    yield this.values;
    yield this.indices;
  }
}

export function valuesIndices(r: unknown): ValuesIndices {
  const [v, i] = r as [Handle, Handle];
  return new ValuesIndices(wrap<Tensor>(v), wrap<Tensor>(i));
}

/** The elements of a tuple result: kinds has one letter each (T tensor, L tensor list, n number or boolean). */
function tupleElements(kinds: string, r: unknown): unknown[] {
  const hs = r as unknown[];
  const out = new Array<unknown>(hs.length);
  for (let i = 0; i < hs.length; i++) {
    const x = hs[i];
    const k = kinds[i];
    out[i] = k === 'T' ? (x === null ? null : wrap<Tensor>(x)) : k === 'L' ? (x as unknown[]).map((y) => (y === null ? null : wrap<Tensor>(y))) : x;
  }
  return out;
}

/**
 * A tuple result with field names (PyTorch's named tuples, e.g. linalg.eigh's
 * (eigenvalues, eigenvectors)): an array that also has its elements under
 * their names.
 */
export function namedTuple<T>(names: readonly string[], kinds: string, r: unknown): T {
  const out = tupleElements(kinds, r);
  for (let i = 0; i < names.length; i++) Object.defineProperty(out, names[i], { value: out[i], enumerable: false });
  return out as T;
}

/** A tuple result without field names: an array. */
export function tupleResult<T>(kinds: string, r: unknown): T {
  return tupleElements(kinds, r) as T;
}

/** `v`, or `d` when v is undefined (Python-level defaults of generated nn.functional functions). */
export function dflt(v: unknown, d: unknown): unknown {
  return v !== undefined ? v : d;
}

/**
 * Python-style arguments of a hand-written function: the positional values
 * under `names`, then the options object's entries (keyword-only `kwOnly`,
 * or any of `names` not given positionally).
 * @throws TypeError for too many positional arguments, an unknown option, or
 *   one given both positionally and in the options.
 */
export function pyArgs(op: string, a: unknown[], names: readonly string[], kwOnly: readonly string[] = []): Record<string, unknown> {
  const o = kwOf(a);
  if (a.length > names.length) throw new TypeError(`${op}: Expected at most ${names.length} positional arguments but received ${a.length}`);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < a.length; i++) out[names[i]] = a[i];
  for (const key in o) {
    const v = o[key];
    if (v === undefined) continue;
    if (!names.includes(key) && !kwOnly.includes(key)) {
      throw new TypeError(`Unknown option '${key}' for ${op}; expected one of: ${[...names, ...kwOnly].join(', ')}`);
    }
    if (out[key] !== undefined) throw new TypeError(`${op}: Expected ${key} once but received it both as an argument and in the options`);
    out[key] = v;
  }
  return out;
}
