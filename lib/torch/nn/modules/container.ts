/** Containers: Sequential, ModuleList, ModuleDict, ParameterList. */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { typeError, rangeError } from '../../errors.js';

/** Children named '0', '1', ... held in an ordered list. */
abstract class IndexedModules extends Module {
  protected items: Module[] = [];
  protected override ownEntries(): [string, unknown][] {
    return this.items.map((m, i) => [String(i), m]);
  }
  get length(): number {
    return this.items.length;
  }
  /** The module at index i (negative counts from the end). @throws RangeError out of range. */
  get(i: number): Module {
    const n = this.items.length;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(i) || j < 0 || j >= n) rangeError(`an index in [${-n}, ${n - 1}]`, 'index', i);
    return this.items[j];
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }
  protected check(m: unknown): Module {
    if (!(m instanceof Module)) typeError('a Module', 'module', m);
    return m;
  }
}

/** Runs its modules in order, feeding each output to the next. */
export class Sequential extends IndexedModules {
  constructor(...modules: Module[]) {
    super();
    this.items = modules.map((m) => this.check(m));
  }
  append(m: Module): this {
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
export class ModuleList extends IndexedModules {
  constructor(modules: Module[] = []) {
    super();
    this.items = modules.map((m) => this.check(m));
  }
  append(m: Module): this {
    this.items.push(this.check(m));
    return this;
  }
  extend(ms: Module[]): this {
    for (const m of ms) this.append(m);
    return this;
  }
  forward(): never {
    throw new Error('ModuleList is not callable: iterate over its modules');
  }
}

/** Modules by name, in insertion order. */
export class ModuleDict extends Module {
  private entries = new Map<string, Module>();
  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, v] of Object.entries(modules)) this.set(k, v);
  }
  protected override ownEntries(): [string, unknown][] {
    return [...this.entries];
  }
  set(name: string, m: Module): this {
    if (!(m instanceof Module)) typeError('a Module', name, m);
    if (name.includes('.') || name === '') throw new TypeError(`module name can't contain ".", got: ${name}`);
    this.entries.set(name, m);
    return this;
  }
  get(name: string): Module | undefined {
    return this.entries.get(name);
  }
  has(name: string): boolean {
    return this.entries.has(name);
  }
  keys(): string[] {
    return [...this.entries.keys()];
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
