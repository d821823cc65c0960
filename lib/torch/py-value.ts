/**
 * Python values as JavaScript sees them: the types that checkpoints, state
 * dicts and optimizer/scheduler states are made of. They sit below
 * serialization, nn and optim, which all use them.
 *
 * JavaScript cannot tell `1` from `1.0`, a tuple from a list or `{1: x}` from
 * `{'1': x}`, so Python values are mapped as follows:
 *
 * | Python            | JavaScript                                                        |
 * |-------------------|-------------------------------------------------------------------|
 * | `None`            | `null`                                                            |
 * | `bool`            | `boolean`                                                         |
 * | `int`             | `number` when safe (abs < 2^53), else `bigint`                    |
 * | `float`           | `number` (a whole value too: `0.0`, `1e9`; see below)             |
 * | `str`             | `string`                                                          |
 * | `bytes`           | `Uint8Array`                                                      |
 * | `tuple`           | {@link PyTuple} (an Array subclass)                               |
 * | `list`            | `Array`                                                           |
 * | `dict`            | plain object when every key is a string and JS keeps the order,   |
 * |                   | else `Map`                                                        |
 * | `OrderedDict`     | the same, marked (see {@link isOrderedDict}, {@link pyState})    |
 * | `torch.float16`…  | {@link PyGlobal}                                                  |
 * | `torch.device(…)` | {@link PyReduce}                                                  |
 * | tensor            | the type parameter `T` of {@link PyValue}                         |
 *
 * When writing, a `number` that is a safe integer (and not `-0`) becomes a
 * Python `int`, any other `number` and every {@link PyFloat} a `float`.
 *
 * Loading keeps which entries were floats apart from the values: each loaded
 * list, tuple, dict and Map remembers (in a side table, see
 * {@link pyFloatKeys}) the indices/keys whose value was a Python float, and
 * writing that same container writes a number there as a float again. So a
 * checkpoint Python saved (`{'dropout': 0.0, 'n': 3}`) loads as plain numbers
 * and saves back byte for byte. The mark belongs to the container object: a
 * copy (`{...ck}`, `arr.slice()`) does not carry it, and an index keeps it
 * when items are inserted before it. A float used as a Map key, or a whole
 * pickle that is just a float, is not remembered (`pyFloat(1)` forces `1.0`).
 */
import { typeError } from './errors.js';

/** A Python float whose value is integral (`1.0`), kept apart from `int`. */
export class PyFloat {
  constructor(readonly value: number) {
    if (typeof value !== 'number') typeError('a number', 'PyFloat value', value);
  }
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return Number.isInteger(this.value) && !Object.is(this.value, -0) ? `${this.value}.0` : Object.is(this.value, -0) ? '-0.0' : String(this.value);
  }
  toJSON(): number {
    return this.value;
  }
}

/** Shorthand for `new PyFloat(v)`: forces `v` to be written as a Python float. */
export function pyFloat(v: number): PyFloat {
  return new PyFloat(v);
}

/**
 * A Python tuple: an Array subclass, so indexing and iteration work as usual.
 * Build one with {@link tuple} or `PyTuple.from(iterable)`.
 */
export class PyTuple<T = never> extends Array<PyValue<T>> {}

/** Builds a {@link PyTuple} of the arguments. */
export function tuple<T = never>(...items: PyValue<NoInfer<T>>[]): PyTuple<T> {
  const t = new PyTuple<T>();
  for (const x of items) t.push(x);
  return t;
}

/** A reference to a Python global such as `torch.float16` (dtypes pickle this way). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  toString(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A call `func(*args)` kept symbolically, e.g. `torch.device('cuda', 0)`. */
export class PyReduce<T = never> {
  constructor(
    readonly func: PyGlobal,
    readonly args: PyTuple<T>,
  ) {}
}

/** A Python value; `T` is the type standing in for tensors. */
export type PyValue<T = never> =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | Uint8Array
  | PyGlobal
  | PyReduce<T>
  | PyTuple<T>
  | PyValue<T>[]
  | PyDict<T>
  | Map<PyValue<T>, PyValue<T>>
  | T;

/** A Python dict with string keys, as a plain object. */
export interface PyDict<T = never> {
  [key: string]: PyValue<T>;
}

const FLOAT_SLOTS = new WeakMap<object, Set<unknown>>();

/**
 * Records that `container`'s entries at `keys` (array/tuple indices, dict
 * keys, Map keys) hold Python floats, so that writing the container writes a
 * number there as a float (`0.0`, not `0`). torch.load marks what it loads.
 * @returns `container` itself.
 */
export function markPyFloats<O extends object>(container: O, keys: Iterable<unknown>): O {
  let set = FLOAT_SLOTS.get(container);
  if (set === undefined) FLOAT_SLOTS.set(container, (set = new Set()));
  for (const k of keys) set.add(k);
  return container;
}

/** The indices/keys of `container` marked as holding Python floats (see {@link markPyFloats}); empty if none. */
export function pyFloatKeys(container: object): ReadonlySet<unknown> {
  return FLOAT_SLOTS.get(container) ?? EMPTY;
}
const EMPTY: ReadonlySet<unknown> = new Set();

/** @internal True if a number at `key` of `container` is to be written as a Python float. */
export function isPyFloatSlot(container: object, key: unknown): boolean {
  return FLOAT_SLOTS.get(container)?.has(key) ?? false;
}

/** Where the OrderedDict mark and the Python attribute state live on an object. */
export const PY_INFO: unique symbol = Symbol('torch.serialization.pyInfo');

/** What {@link PY_INFO} holds. */
export interface PyInfo {
  /** The dict is a `collections.OrderedDict`. */
  readonly ordered: boolean;
  /** Attributes set with BUILD, e.g. `{_metadata: ...}` on a module state dict; null if none. */
  state: PyDict<unknown> | null;
}

type Marked = { [PY_INFO]?: PyInfo };

/**
 * Marks `obj` (a plain object or a Map) as a Python `OrderedDict`, optionally
 * with attribute state (e.g. `{_metadata: ...}`). The mark is a non-enumerable
 * symbol property: `Object.keys`, JSON and indexing are unaffected.
 * @returns `obj` itself.
 */
export function markOrderedDict<O extends object>(obj: O, state: PyDict<unknown> | null = null): O {
  Object.defineProperty(obj, PY_INFO, { value: { ordered: true, state }, enumerable: false, configurable: true, writable: true });
  return obj;
}

/**
 * Builds a marked OrderedDict plain object from entries (order kept).
 * @param state attribute state, e.g. `{_metadata: ...}` (default none).
 */
export function orderedDict<V>(entries: Iterable<readonly [string, V]> = [], state: PyDict<unknown> | null = null): Record<string, V> {
  const o: Record<string, V> = {};
  for (const [k, v] of entries) defineKey(o, k, v);
  return markOrderedDict(o, state);
}

/** True if `x` was loaded from, or marked as, a Python `OrderedDict`. */
export function isOrderedDict(x: unknown): boolean {
  return typeof x === 'object' && x !== null && (x as Marked)[PY_INFO]?.ordered === true;
}

/** The Python attribute state of an OrderedDict (e.g. `{_metadata: ...}`), or undefined. */
export function pyState(x: object): PyDict<unknown> | undefined {
  return (x as Marked)[PY_INFO]?.state ?? undefined;
}

/**
 * A module state dict's `_metadata` (an OrderedDict of prefix → `{version}`),
 * or undefined if it has none.
 */
export function stateDictMetadata(x: object): PyValue<unknown> | undefined {
  return pyState(x)?._metadata;
}

/** @internal Sets an own enumerable key, also `'__proto__'` (never a prototype change). */
export function defineKey(o: object, k: string, v: unknown): void {
  // defineProperty so that a '__proto__' key becomes an own property, never a prototype change.
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}
