/**
 * Option tables: each optimizer declares its options once, as a table of
 * {@link OptionSpec}s keyed by camelCased PyTorch names in PyTorch's order.
 * The option key list, the defaults, the checks, the loading rules and the
 * TypeScript types (constructor options, parameter groups) all derive from it.
 *
 *   export const MY_OPTIONS = {
 *     lr: option(0.01, nonNegative('learning rate')),
 *     nesterov: option(false, flag, { addedLater: true }),
 *   };
 *   export type MyOptions = OptionsOf<typeof MY_OPTIONS>;       // { lr?: number; nesterov?: boolean }
 *   export type MyParamGroup = ParamGroupOf<typeof MY_OPTIONS>; // ParamGroup & { lr: number; nesterov: boolean }
 */
import type { Tensor } from '../tensor.js';
import { describe } from '../errors.js';
import type { PyValue } from '../py-value.js';

/** A value a parameter group may hold (what a Python state dict can carry). */
export type GroupValue = PyValue<Tensor>;

/** One option of an optimizer. Build it with {@link option} or {@link fixed}. */
export interface OptionSpec<T extends GroupValue = GroupValue> {
  /** PyTorch's default (null where PyTorch's is None). */
  readonly default: T;
  /**
   * Validates a value given for this option (in the constructor's options, a
   * parameter group, or a loaded state dict) and returns it (arrays copied).
   * `name` is the camelCased option name, for messages.
   * @throws TypeError for a value of the wrong kind, RangeError for an invalid one.
   */
  readonly check: (value: unknown, name: string) => T;
  /**
   * A PyTorch release added this key, so older checkpoints lack it: a loaded
   * group without it takes `whenMissing` if given, else `default` (what
   * PyTorch's `__setstate__` does). Without `addedLater`, a loaded group must
   * hold the key.
   */
  readonly addedLater?: boolean | undefined;
  /** The value a loaded group without this key takes, when it is not `default` (SGD's `fused`: False). */
  readonly whenMissing?: T | undefined;
  /** Filled after the other missing keys (PyTorch's `__setstate__` sets Adam's `fused` last). */
  readonly fillLast?: boolean | undefined;
  /** Saved as a Python tuple (`betas`); printed as a tuple of floats unless `keepInts`. */
  readonly tuple?: boolean | undefined;
  /** A tuple whose whole numbers print as Python ints (Rprop's `step_sizes` default `(1e-06, 50)`). */
  readonly keepInts?: boolean | undefined;
  /**
   * PyTorch's default is a whole-valued Python float (Adadelta's `lr` 1.0, ASGD's `t0` 1e6): while a group
   * holds the default it is saved as a Python float and printed as one; other whole numbers stay ints
   * (as `t0=5` does in Python).
   */
  readonly float?: boolean | undefined;
  /** Not an option of this class: every group holds `default`, loaded groups included (AdamW's `decoupledWeightDecay`). */
  readonly fixed?: boolean | undefined;
}

/** Extra properties of an {@link option}. */
export type OptionExtras<T extends GroupValue> = Pick<OptionSpec<T>, 'addedLater' | 'whenMissing' | 'fillLast' | 'tuple' | 'keepInts' | 'float'>;

/**
 * Declares an option: PyTorch's default, the check of given values, and how loading treats it.
 * @example option(0.01, nonNegative('learning rate'))
 * @example option(null, falseOrNull('fused'), { addedLater: true })
 */
export function option<T extends GroupValue>(dflt: NoInfer<T>, check: (value: unknown, name: string) => T, extras: OptionExtras<T> = {}): OptionSpec<T> {
  return { default: dflt, check, ...extras };
}

/** Declares a key every group holds with this value and that users cannot set (AdamW's `decoupledWeightDecay: true`). */
export function fixed<T extends GroupValue>(value: T, check: (value: unknown, name: string) => T): OptionSpec<T> & { readonly fixed: true } {
  return { default: value, check, addedLater: true, fixed: true };
}

/** A table of options: camelCased PyTorch names, in PyTorch's order. */
export type OptionTable = { readonly [key: string]: OptionSpec };

/** The value type of an option. */
export type ValueOf<O> = O extends OptionSpec<infer T> ? T : never;

/** What a constructor (or a parameter group) accepts: each option but the fixed ones, optional (with the table's doc comments). */
export type OptionsOf<S extends OptionTable> = { [K in keyof S as S[K] extends { readonly fixed: true } ? never : K]?: Readonly<ValueOf<S[K]>> };

/** Every option's value (the optimizer's `defaults`). */
export type OptionValues<S extends OptionTable> = { -readonly [K in keyof S & string]: ValueOf<S[K]> };

/** The settable keys of a table, in order. */
export function settableKeys(table: OptionTable): string[] {
  return Object.keys(table).filter((k) => table[k].fixed !== true);
}

// ---------------------------------------------------------------------------
// Checks shared by the optimizers. TypeErrors use the house message shape;
// RangeErrors use PyTorch's own message where PyTorch has one.

/** Formats a number as Python prints a float in messages and reprs (`-1`, `0.5`, `1e-08`, `nan`, `inf`). */
export function pyNum(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Number.isInteger(v)) return String(v);
  const [mantissa, exp] = v.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(v);
}

/** As {@link pyNum}, for a value Python holds as a float (`1.0`, not `1`). */
export function pyFloatNum(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e16 ? `${v}.0` : pyNum(v);
}

/** Any number. @throws TypeError otherwise. */
export function number(v: unknown, name: string): number {
  if (typeof v !== 'number') throw new TypeError(`Expected a number for ${name} but received ${describe(v)}`);
  return v;
}

/**
 * A number >= 0 (NaN rejected), with PyTorch's message: `nonNegative('learning rate')` throws
 * RangeError "Invalid learning rate: -1".
 */
export function nonNegative(what: string): (v: unknown, name: string) => number {
  return (v, name) => {
    const x = number(v, name);
    if (!(x >= 0)) throw new RangeError(`Invalid ${what}: ${pyNum(x)}`);
    return x;
  };
}

/** A boolean. @throws TypeError otherwise. */
export function flag(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`Expected a boolean for ${name} but received ${describe(v)}`);
  return v;
}

/** A boolean or null (PyTorch's `foreach`: None lets PyTorch choose). @throws TypeError otherwise. */
export function flagOrNull(v: unknown, name: string): boolean | null {
  if (v !== null && typeof v !== 'boolean') throw new TypeError(`Expected a boolean or null for ${name} but received ${describe(v)}`);
  return v;
}

const NATIVE = 'not supported: the update runs natively, one call per group';

/**
 * A flag this library accepts only as false (`capturable`, `differentiable`).
 * @throws TypeError for a non-boolean; RangeError "Expected false for capturable but received true of type boolean (not supported: ...)".
 */
export function onlyFalse(v: unknown, name: string): boolean {
  if (flag(v, name)) throw new RangeError(`Expected false for ${name} but received ${describe(v)} (${NATIVE})`);
  return false;
}

/**
 * A flag this library accepts only as false or null (`fused`).
 * @throws TypeError for anything else than a boolean or null; RangeError for true.
 */
export function falseOrNull(v: unknown, name: string): boolean | null {
  if (flagOrNull(v, name) === true) throw new RangeError(`Expected false or null for ${name} but received ${describe(v)} (${NATIVE})`);
  return v as false | null;
}

/**
 * Adam's `betas`: two numbers in [0, 1), with PyTorch's messages.
 * @throws TypeError unless two numbers; RangeError "Invalid beta parameter at index 0: 1".
 */
export function betaPair(v: unknown, name: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number') {
    throw new TypeError(`Expected an array of two numbers for ${name} but received ${describe(v)}`);
  }
  const b = [v[0], v[1]] as [number, number];
  b.forEach((x, i) => {
    // Python requires float betas, so it prints 1.0 where JS has 1.
    if (!(x >= 0 && x < 1)) throw new RangeError(`Invalid beta parameter at index ${i}: ${pyFloatNum(x)}`);
  });
  return b;
}

const SINGLE = "not supported: the update runs PyTorch's single-tensor algorithm";

/**
 * A flag accepted only as false, for the optimizers written in TypeScript with PyTorch's single-tensor
 * algorithm (`capturable`, `differentiable`).
 * @throws TypeError for a non-boolean; RangeError "Expected false for differentiable but received true of type boolean (not supported: ...)".
 */
export function onlyFalseSingle(v: unknown, name: string): boolean {
  if (flag(v, name)) throw new RangeError(`Expected false for ${name} but received ${describe(v)} (${SINGLE})`);
  return false;
}

/**
 * `foreach` (and Adagrad's `fused`) for the optimizers written in TypeScript: null (PyTorch's default,
 * which on CPU picks the single-tensor algorithm) or false; true would ask PyTorch for its multi-tensor
 * (or fused) form, whose rounding may differ, so it is refused.
 * @throws TypeError for anything else than a boolean or null; RangeError for true.
 */
export function falseOrNullSingle(v: unknown, name: string): boolean | null {
  if (flagOrNull(v, name) === true) throw new RangeError(`Expected false or null for ${name} but received ${describe(v)} (${SINGLE})`);
  return v as false | null;
}

/** Two numbers. @throws TypeError otherwise. */
export function numberPair(v: unknown, name: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number') {
    throw new TypeError(`Expected an array of two numbers for ${name} but received ${describe(v)}`);
  }
  return [v[0], v[1]];
}

/**
 * Rprop's `etas`: two numbers with 0 < etaminus < 1 < etaplus, with PyTorch's message.
 * @throws TypeError unless two numbers; RangeError "Invalid eta values: 1.5, 1.2".
 */
export function etaPair(v: unknown, name: string): [number, number] {
  const e = numberPair(v, name);
  if (!(e[0] > 0 && e[0] < 1 && 1 < e[1])) throw new RangeError(`Invalid eta values: ${pyFloatNum(e[0])}, ${pyFloatNum(e[1])}`);
  return e;
}

/**
 * A number in [lo, hi] (NaN rejected), with PyTorch's message: `between('rho value', 0, 1)` throws
 * RangeError "Invalid rho value: 2".
 */
export function between(what: string, lo: number, hi: number): (v: unknown, name: string) => number {
  return (v, name) => {
    const x = number(v, name);
    if (!(x >= lo && x <= hi)) throw new RangeError(`Invalid ${what}: ${pyNum(x)}`);
    return x;
  };
}

/** An integer >= 1. @throws TypeError for a non-number; RangeError "Expected an integer >= 1 for maxIter but received 0 of type number". */
export function positiveInt(v: unknown, name: string): number {
  const x = number(v, name);
  if (!Number.isInteger(x) || x < 1) throw new RangeError(`Expected an integer >= 1 for ${name} but received ${describe(v)}`);
  return x;
}
