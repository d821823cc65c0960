/**
 * Typed configuration fields: one declaration per setting (its kind, default,
 * range and help line) from which the command line, `--help`, validation of
 * values passed in code, and the copy stored in checkpoints are all derived.
 *
 *   const SCHEMA = { epochs: int('training epochs', 1, { min: 1 }) };
 *   type Config = ConfigOf<typeof SCHEMA>;   // { epochs: number }
 */
import { checkOptions, describe } from '../../torch/utils/index.js';

/** How a field's value is written on the command line. */
export type FieldKind = 'int' | 'number' | 'string' | 'flag';

/** One setting. `T` includes `undefined` for settings without a default. */
export interface Field<T> {
  readonly kind: FieldKind;
  /** The --help line. */
  readonly help: string;
  /** The default (written once, here). */
  readonly default: T;
  /** Shown as the default in --help instead of `default` (a computed default). */
  readonly defaultText?: string;
  /** Allowed values of a string field. */
  readonly choices?: readonly string[];
  /** Least value (inclusive unless `minExclusive`). */
  readonly min?: number;
  readonly minExclusive?: boolean;
  /** Greatest value (inclusive unless `maxExclusive`); a function for a limit known at run time. */
  readonly max?: number | (() => number);
  readonly maxExclusive?: boolean;
  /** Value name in --help (default `N` for numbers, `VALUE` for strings). */
  readonly valueName?: string;
  /**
   * What resuming a run does with the setting: `'report'` (default) takes a
   * new value given on the command line and says so; `'fixed'` refuses a
   * new value (the data or the model shape would change); `'local'` belongs
   * to one invocation (device, threads) and is neither inherited nor compared.
   */
  readonly onResume?: 'report' | 'fixed' | 'local';
}

/** Any field. */
export type AnyField = Field<string | number | boolean | undefined>;
/** A table of settings. */
export type Schema = Readonly<Record<string, AnyField>>;
/** The configuration a schema describes. */
export type ConfigOf<S extends Schema> = { -readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

type Range = Pick<Field<number>, 'min' | 'minExclusive' | 'max' | 'maxExclusive' | 'valueName' | 'defaultText' | 'onResume'>;
type Text = Pick<Field<string>, 'valueName' | 'defaultText' | 'onResume'>;

/** An integer setting. */
export function int(help: string, def: number, range: Range = {}): Field<number> {
  return { kind: 'int', help, default: def, ...range };
}
/** An integer setting without a default (`undefined` when not given). */
export function optionalInt(help: string, range: Range = {}): Field<number | undefined> {
  return { kind: 'int', help, default: undefined, ...range };
}
/** A number setting. */
export function num(help: string, def: number, range: Range = {}): Field<number> {
  return { kind: 'number', help, default: def, ...range };
}
/** A number setting without a default. */
export function optionalNum(help: string, range: Range = {}): Field<number | undefined> {
  return { kind: 'number', help, default: undefined, ...range };
}
/** A string setting. */
export function str(help: string, def: string, more: Text = {}): Field<string> {
  return { kind: 'string', help, default: def, ...more };
}
/** A string setting without a default. */
export function optionalStr(help: string, more: Text = {}): Field<string | undefined> {
  return { kind: 'string', help, default: undefined, ...more };
}
/** One of a list of strings. */
export function choice<C extends string>(help: string, choices: readonly C[], def: NoInfer<C>, more: Text = {}): Field<C> {
  return { kind: 'string', help, default: def, choices, ...more };
}
/** A boolean flag (false unless given). */
export function flag(help: string, more: Pick<Field<boolean>, 'onResume'> = {}): Field<boolean> {
  return { kind: 'flag', help, default: false, ...more };
}

/** The command-line name of a field: `batchSize` -> `batch-size`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The field's range in words: `an integer >= 1`, `a number > 0`, `an integer in [1, 8]`. */
export function expected(f: AnyField): string {
  if (f.kind === 'flag') return 'true or false';
  if (f.kind === 'string') return f.choices !== undefined ? `one of ${f.choices.join(', ')}` : 'a string';
  const what = f.kind === 'int' ? 'an integer' : 'a number';
  const max = typeof f.max === 'function' ? f.max() : f.max;
  if (f.min !== undefined && max !== undefined) return `${what} in ${f.minExclusive ? '(' : '['}${f.min}, ${max}${f.maxExclusive ? ')' : ']'}`;
  if (f.min !== undefined) return `${what} ${f.minExclusive ? '>' : '>='} ${f.min}`;
  if (max !== undefined) return `${what} ${f.maxExclusive ? '<' : '<='} ${max}`;
  return what;
}

/**
 * Checks a value against its field. `name` is how the message names it
 * (`--epochs` on the command line, `epochs` in code); `shown` is the value as
 * the user wrote it.
 * @throws TypeError for a value of the wrong kind; RangeError for one out of range.
 */
export function checkField(f: AnyField, value: unknown, name: string, shown: string = describe(value)): void {
  if (value === undefined && f.default === undefined) return;
  const bad = (E: typeof TypeError): never => {
    throw new E(`Expected ${expected(f)} for ${name} but received ${shown}`);
  };
  switch (f.kind) {
    case 'flag':
      if (typeof value !== 'boolean') bad(TypeError);
      return;
    case 'string':
      if (typeof value !== 'string') bad(TypeError);
      if (f.choices !== undefined && !f.choices.includes(value as string)) bad(RangeError);
      return;
    default: {
      if (typeof value !== 'number' || Number.isNaN(value)) bad(TypeError);
      const v = value as number;
      if (f.kind === 'int' && !Number.isSafeInteger(v)) bad(Number.isFinite(v) && Number.isInteger(v) ? RangeError : TypeError);
      if (f.kind === 'number' && !Number.isFinite(v)) bad(RangeError);
      const max = typeof f.max === 'function' ? f.max() : f.max;
      if (f.min !== undefined && (f.minExclusive ? v <= f.min : v < f.min)) bad(RangeError);
      if (max !== undefined && (f.maxExclusive ? v >= max : v > max)) bad(RangeError);
    }
  }
}

/**
 * Reads a command-line value of a field.
 * @throws TypeError/RangeError as {@link checkField}, naming `--flag`.
 */
export function parseField(f: AnyField, text: string, name: string): string | number {
  const shown = `'${text}'`;
  if (f.kind === 'string') {
    checkField(f, text, name, shown);
    return text;
  }
  const v = text.trim() === '' ? NaN : Number(text);
  checkField(f, v, name, shown);
  return v;
}

/**
 * Fills defaults into `partial` and checks every value.
 * @throws TypeError for a key the schema does not have (naming `where`) or a
 *   value of the wrong kind; RangeError for a value out of range.
 */
export function resolveConfig<S extends Schema>(schema: S, partial: Partial<ConfigOf<S>>, where: string): ConfigOf<S> {
  if (partial === null || typeof partial !== 'object') {
    throw new TypeError(`Expected an options object for ${where} but received ${describe(partial)}`);
  }
  checkOptions(partial, Object.keys(schema), where);
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(schema)) {
    const given = (partial as Record<string, unknown>)[k];
    const v = given === undefined ? f.default : given;
    checkField(f, v, k);
    out[k] = v;
  }
  return out as ConfigOf<S>;
}
