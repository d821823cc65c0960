/**
 * Argument checks and printing helpers shared by the convolution, pooling,
 * normalization and shape layers: Python's _single/_pair/_triple, positive
 * integer checks in the one message shape, and Python's repr of tuples,
 * booleans and optional values (for extraRepr).
 */
import { Tensor } from '../../tensor.js';
import { rangeError, typeError } from '../../errors.js';
import { pyFloat } from '../repr.js';

/** An int or a tuple of ints, as PyTorch's `_size_any_t`. */
export type IntOrTuple = number | readonly number[];

/** Checks an integer (>= min); `name` is the argument's name in messages. */
export function checkInt(v: unknown, name: string, min: number): number {
  if (typeof v !== 'number') typeError('an integer', name, v);
  if (!Number.isInteger(v)) typeError('an integer', name, v);
  if ((v as number) < min) rangeError(min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer >= ${min}`, name, v);
  return v as number;
}

/** Python's _ntuple: one integer for all n dims, or exactly n integers (each >= min). */
export function ntuple(v: unknown, n: number, name: string, min: number): number[] {
  if (typeof v === 'number') return Array.from({ length: n }, () => checkInt(v, name, min));
  if (!Array.isArray(v)) typeError(`an integer or ${n} integers`, name, v);
  const a = v as unknown[];
  if (a.length !== n) rangeError(`an integer or ${n} integers`, name, v);
  return a.map((x, i) => checkInt(x, `${name}[${i}]`, min));
}

/** Checks an int-or-tuple without expanding it (for layers that print what they were given). */
export function intOrTuple(v: unknown, name: string, min: number, n?: number): IntOrTuple {
  if (typeof v === 'number') return checkInt(v, name, min);
  if (!Array.isArray(v)) typeError(n === undefined ? 'an integer or an array of integers' : `an integer or ${n} integers`, name, v);
  if (n !== undefined && (v as unknown[]).length !== n) rangeError(`an integer or ${n} integers`, name, v);
  return (v as unknown[]).map((x, i) => checkInt(x, `${name}[${i}]`, min));
}

/** Checks a boolean option (undefined gives the default). */
export function checkBool(v: unknown, name: string, def: boolean): boolean {
  if (v === undefined) return def;
  if (typeof v !== 'boolean') typeError('a boolean', name, v);
  return v as boolean;
}

/** Checks a finite number option (undefined gives the default). */
export function checkNumber(v: unknown, name: string, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || Number.isNaN(v)) typeError('a number', name, v);
  return v as number;
}

/** Checks a probability p in [0, 1]. */
export function checkP(p: unknown): number {
  if (typeof p !== 'number') typeError('a number', 'p', p);
  if (!((p as number) >= 0 && (p as number) <= 1)) rangeError('a probability in [0, 1]', 'p', p);
  return p as number;
}

/** Checks one of a fixed set of strings. */
export function checkChoice<T extends string>(v: unknown, name: string, choices: readonly T[], def: T): T {
  if (v === undefined) return def;
  if (typeof v !== 'string' || !choices.includes(v as T)) {
    const what = `one of ${choices.map((c) => `'${c}'`).join(', ')}`;
    if (typeof v !== 'string') typeError(what, name, v);
    rangeError(what, name, v);
  }
  return v as T;
}

/** Checks an input tensor's number of dims. */
export function checkInputDims(input: unknown, dims: readonly number[], layer: string): Tensor {
  if (!(input instanceof Tensor)) typeError('a Tensor', `${layer} input`, input);
  const t = input as Tensor;
  if (!dims.includes(t.dim())) {
    const what = dims.map((d) => `${d}-D`).join(' or ');
    throw new RangeError(`Expected a ${what} tensor for ${layer} input but received a ${t.dim()}-D tensor`);
  }
  return t;
}

/** Python's repr of a tuple of ints: (3,) or (3, 3). */
export function pyTuple(v: readonly number[]): string {
  return v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`;
}

/** Python's repr of an int or a tuple of ints as given. */
export function pySize(v: IntOrTuple | null | readonly (number | null)[]): string {
  if (v === null) return 'None';
  if (typeof v === 'number') return String(v);
  const items = (v as readonly (number | null)[]).map((x) => (x === null ? 'None' : String(x)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** Python's repr of a boolean. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** Python's repr of a float or None. */
export function pyOptFloat(v: number | null): string {
  return v === null ? 'None' : pyFloat(v);
}
