/**
 * Containers: Sequential, ModuleList, ModuleDict, ParameterList. They are
 * generic in their element type, so `get()` and iteration return it:
 * `new nn.ModuleList([new Block(), new Block()]).get(0)` is a Block, and
 * `new nn.ModuleDict({ wte: new nn.Embedding(10, 4) }).get('wte')` an Embedding.
 */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { typeError, rangeError } from '../../errors.js';

/** Children named '0', '1', ... held in an ordered list. */
abstract class IndexedModules<T extends Module> extends Module {
  protected items: T[] = [];
  protected override ownEntries(): [string, unknown][] {
    return this.items.map((m, i) => [String(i), m]);
  }
  get length(): number {
    return this.items.length;
  }
  /** The module at index i (negative counts from the end). @throws RangeError out of range. */
  get(i: number): T {
    const n = this.items.length;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(i) || j < 0 || j >= n) rangeError(`an index in [${-n}, ${n - 1}]`, 'index', i);
    return this.items[j];
  }
  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }
  protected check(m: unknown): T {
    if (!(m instanceof Module)) typeError('a Module', 'module', m);
    return m as T;
  }
}

/** Runs its modules in order, feeding each output to the next. */
export class Sequential<T extends Module = Module> extends IndexedModules<T> {
  /** `T` is Module unless given (`new nn.Sequential<Block>(a, b)`). @throws TypeError for a non-Module. */
  constructor(...modules: NoInfer<T>[]) {
    super();
    this.items = modules.map((m) => this.check(m));
  }
  append(m: T): this {
    this.items.push(this.check(m));
    return this;
  }
  forward(input: unknown): unknown {
    let x = input;
    for (const m of this.items) x = (m as unknown as { forward(a: unknown): unknown }).forward(x);
    return x;
  }
}

/** A list of modules, registered as children '0', '1', ... */
export class ModuleList<T extends Module = Module> extends IndexedModules<T> {
  constructor(modules: T[] = []) {
    super();
    this.items = modules.map((m) => this.check(m));
  }
  append(m: T): this {
    this.items.push(this.check(m));
    return this;
  }
  extend(ms: T[]): this {
    for (const m of ms) this.append(m);
    return this;
  }
  forward(): never {
    throw new Error('ModuleList is not callable: iterate over its modules');
  }
}

/**
 * Modules by name, in insertion order. `T` maps names to module types (inferred
 * from the constructor's object), so `get('wte')` returns that entry's type.
 */
export class ModuleDict<T extends Record<string, Module> = Record<string, Module>> extends Module {
  private entries = new Map<string, Module>();
  constructor(modules: T = {} as T) {
    super();
    for (const [k, v] of Object.entries(modules)) this.set(k, v as T[keyof T & string]);
  }
  protected override ownEntries(): [string, unknown][] {
    return [...this.entries];
  }
  /** Adds or replaces an entry. @throws TypeError for a non-Module or a name that is empty or contains '.'. */
  set<K extends keyof T & string>(name: K, m: T[K]): this {
    if (!(m instanceof Module)) typeError('a Module', name, m);
    if (name.includes('.') || name === '') throw new TypeError(`module name can't contain ".", got: ${name}`);
    this.entries.set(name, m);
    return this;
  }
  /** The module under `name` (undefined if none). */
  get<K extends keyof T & string>(name: K): T[K] {
    return this.entries.get(name) as T[K];
  }
  has(name: string): boolean {
    return this.entries.has(name);
  }
  keys(): (keyof T & string)[] {
    return [...this.entries.keys()];
  }
  values(): T[keyof T & string][] {
    return [...this.entries.values()] as T[keyof T & string][];
  }
  items(): [keyof T & string, T[keyof T & string]][] {
    return [...this.entries] as [keyof T & string, T[keyof T & string]][];
  }
  [Symbol.iterator](): Iterator<keyof T & string> {
    return this.keys()[Symbol.iterator]();
  }
  get size(): number {
    return this.entries.size;
  }
  forward(): never {
    throw new Error('ModuleDict is not callable: look modules up by name');
  }
}

/** A list of parameters, registered as '0', '1', ... */
export class ParameterList extends Module {
  private items: Parameter[] = [];
  constructor(params: Parameter[] = []) {
    super();
    for (const p of params) this.append(p);
  }
  protected override ownEntries(): [string, unknown][] {
    return this.items.map((p, i) => [String(i), p]);
  }
  append(p: Parameter): this {
    if (!(p instanceof Parameter)) typeError('a Parameter', 'parameter', p);
    this.items.push(p);
    return this;
  }
  get(i: number): Parameter {
    const p = this.items[i < 0 ? i + this.items.length : i];
    if (p === undefined) rangeError(`an index in [0, ${this.items.length - 1}]`, 'index', i);
    return p;
  }
  get length(): number {
    return this.items.length;
  }
  [Symbol.iterator](): Iterator<Parameter> {
    return this.items[Symbol.iterator]();
  }
  forward(): never {
    throw new Error('ParameterList is not callable');
  }
}
