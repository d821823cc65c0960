/**
 * The base class of every layer (as `nn.Module`). As PyTorch's `__setattr__`:
 * a field assigned a Module or a Parameter is registered at its first
 * assignment, in assignment order (not in the order the class declares its
 * fields); buffers are registered with `registerBuffer`, and assigning a
 * tensor to a buffer's name later replaces the buffer (it stays registered,
 * and is kept alive past `tidy`). `stateDict()` keys equal PyTorch's.
 *
 * A Module is a Proxy over the object the constructor builds, which is how
 * assignments are seen; subclasses cannot use ES `#private` fields.
 */
import { Tensor } from '../tensor.js';
import { Parameter } from './parameter.js';
import { noGrad } from '../autograd.js';
import { keep } from '../scope.js';
import { checkOptions, typeError } from '../errors.js';
import { isDType, type DType } from '../dtype.js';
import { deviceString, type DeviceLike } from '../device.js';
import { markOrderedDict, orderedDict } from '../py-value.js';

/** A state dict: dotted names to tensors, in PyTorch's order. */
export type StateDict = Record<string, Tensor>;

/** What `loadStateDict` reports (as PyTorch's `_IncompatibleKeys`). */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const BUFFERS = Symbol('buffers');
const NON_PERSISTENT = Symbol('nonPersistent');
const ORDER = Symbol('order');

/** True if `m` is `root` or is reachable from it through registered children. */
function reaches(root: Module, m: Module, seen = new Set<Module>()): boolean {
  if (root === m) return true;
  if (seen.has(root)) return false;
  seen.add(root);
  for (const [, c] of root.namedChildren()) if (reaches(c, m, seen)) return true;
  return false;
}

/**
 * What an assignment `target[key] = value` registers: a Parameter, or a
 * Module that is not already held by one of target's children (a typed alias
 * such as `this.wte = this.transformer.get('wte')` is not registered twice);
 * a tensor assigned to a buffer's name is kept alive as the new buffer.
 */
function onAssign(target: Module, key: string | symbol, value: unknown): void {
  if (typeof key !== 'string') return;
  const t = target as unknown as { [ORDER]: string[]; [BUFFERS]: Set<string> };
  if (value instanceof Parameter || value instanceof Module) {
    if (t[ORDER].includes(key)) return;
    if (value instanceof Module && target.namedChildren().some(([, c]) => reaches(c, value))) return;
    t[ORDER].push(key);
  } else if (value instanceof Tensor && t[BUFFERS].has(key)) {
    keep(value);
  }
}

const HANDLER: ProxyHandler<Module> = {
  set(target, key, value) {
    onAssign(target, key, value);
    return Reflect.set(target, key, value);
  },
  defineProperty(target, key, desc) {
    if ('value' in desc) onAssign(target, key, desc.value);
    return Reflect.defineProperty(target, key, desc);
  },
};

export abstract class Module {
  /** Training mode (dropout active); set with train()/eval(). */
  training = true;
  private [BUFFERS]: Set<string> = new Set();
  private [NON_PERSISTENT]: Set<string> = new Set();
  /** Registered names (parameters, buffers, children) in first-assignment order. */
  private [ORDER]: string[] = [];

  constructor() {
    // Subclass field definitions and assignments go through the proxy, which registers them.
    // biome-ignore lint/correctness/noConstructorReturn: every module is its proxy, so attribute assignment registers parameters and submodules as in Python
    return new Proxy(this, HANDLER);
  }

  /** The computation. Subclasses define it with their own signature. */
  abstract forward(...args: never[]): unknown;

  /** Calls forward (as `module(...)` in PyTorch). */
  call<A extends unknown[], R>(this: { forward(...args: A): R }, ...args: A): R {
    return this.forward(...args);
  }

  // -------------------------------------------------------------- registries
  /** The module's own entries in registration order; containers override. */
  protected ownEntries(): [string, unknown][] {
    const self = this as unknown as Record<string, unknown>;
    return this[ORDER].map((k) => [k, self[k]]);
  }

  /**
   * Registers a buffer (a tensor that is state but not a parameter, e.g. a
   * positional table). Non-persistent buffers stay out of stateDict.
   */
  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    checkOptions(opts, ['persistent'], 'registerBuffer');
    if (tensor !== null && !(tensor instanceof Tensor)) typeError('a Tensor or null', `buffer '${name}'`, tensor);
    if (tensor !== null) keep(tensor);
    this[BUFFERS].add(name);
    if (!this[ORDER].includes(name)) this[ORDER].push(name);
    (this as unknown as Record<string, unknown>)[name] = tensor;
    if (opts.persistent === false) this[NON_PERSISTENT].add(name);
    else this[NON_PERSISTENT].delete(name);
  }

  /** Registers a parameter under `name` (same as assigning a Parameter to the field). */
  registerParameter(name: string, p: Parameter | null): void {
    if (p !== null && !(p instanceof Parameter)) typeError('a Parameter or null', `parameter '${name}'`, p);
    if (!this[ORDER].includes(name)) this[ORDER].push(name);
    (this as unknown as Record<string, unknown>)[name] = p;
  }

  /**
   * Registers a child module under `name`, also one that a child already
   * holds (which a plain assignment treats as an alias and does not register).
   * @throws TypeError unless m is a Module or null.
   */
  registerModule(name: string, m: Module | null): void {
    if (m !== null && !(m instanceof Module)) typeError('a Module or null', `module '${name}'`, m);
    if (!this[ORDER].includes(name)) this[ORDER].push(name);
    (this as unknown as Record<string, unknown>)[name] = m;
  }

  /** Own parameters, buffers and children. */
  private own(): { params: [string, Parameter][]; buffers: [string, Tensor][]; children: [string, Module][] } {
    const params: [string, Parameter][] = [];
    const buffers: [string, Tensor][] = [];
    const children: [string, Module][] = [];
    for (const [k, v] of this.ownEntries()) {
      if (v instanceof Parameter) params.push([k, v]);
      else if (v instanceof Module) children.push([k, v]);
      else if (v instanceof Tensor && this[BUFFERS].has(k)) buffers.push([k, v]);
    }
    return { params, buffers, children };
  }

  /** Direct children with their names (a module held twice is listed once, as PyTorch). */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    return this.own().children.filter(([, m]) => (seen.has(m) ? false : (seen.add(m), true)));
  }
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all descendants, depth first, with dotted names ('' for this). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    const seen = new Set<Module>([this]);
    const visit = (m: Module, p: string) => {
      for (const [name, c] of m.namedChildren()) {
        if (seen.has(c)) continue;
        seen.add(c);
        const full = p === '' ? name : `${p}.${name}`;
        out.push([full, c]);
        visit(c, full);
      }
    };
    visit(this, prefix);
    return out;
  }
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Parameters with dotted names (each shared parameter once). @param recurse default true. */
  namedParameters(prefix = '', recurse = true): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [n, p] of m.own().params) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([mp === '' ? n : `${mp}.${n}`, p]);
      }
    }
    return out;
  }
  parameters(recurse = true): Parameter[] {
    return this.namedParameters('', recurse).map(([, p]) => p);
  }

  /** Buffers with dotted names. @param recurse default true. */
  namedBuffers(prefix = '', recurse = true): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) for (const [n, b] of m.own().buffers) out.push([mp === '' ? n : `${mp}.${n}`, b]);
    return out;
  }
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers('', recurse).map(([, b]) => b);
  }

  // -------------------------------------------------------------- modes
  /** Sets training mode on this module and descendants (default true). */
  train(mode = true): this {
    if (typeof mode !== 'boolean') typeError('a boolean', 'mode', mode);
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  /** Evaluation mode: train(false). */
  eval(): this {
    return this.train(false);
  }
  /** Sets requiresGrad on every parameter (default true). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }
  /**
   * Clears gradients: to null (setToNone, default true as PyTorch 2.x) or to
   * zeros in place. Same options as Optimizer.zeroGrad.
   * @throws TypeError for an unknown option or a non-boolean setToNone.
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    checkOptions(opts, ['setToNone'], 'zeroGrad');
    const setToNone = opts.setToNone ?? true;
    if (typeof setToNone !== 'boolean') typeError('a boolean', 'setToNone', setToNone);
    for (const p of this.parameters()) {
      const g = p.grad;
      if (g === null) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => g.zero_());
      g.dispose();
    }
  }
  /** Calls fn on every descendant and then this module (as PyTorch's apply). */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Moves/casts parameters and buffers in place: `to('cuda')`, `to('float64')`,
   * `to({device, dtype})`. Parameters keep their identity (optimizers stay valid);
   * only floating parameters change dtype.
   */
  to(target: DType | DeviceLike | { device?: DeviceLike; dtype?: DType }): this {
    let dtype: DType | undefined;
    let device: string | undefined;
    if (typeof target === 'string' && isDType(target)) dtype = target;
    else if (typeof target === 'string' || (typeof target === 'object' && target !== null && 'type' in target)) device = deviceString(target as DeviceLike);
    else if (typeof target === 'object' && target !== null) {
      checkOptions(target, ['device', 'dtype'], 'Module.to');
      const t = target as { device?: DeviceLike; dtype?: DType };
      dtype = t.dtype;
      device = t.device === undefined ? undefined : deviceString(t.device);
    } else typeError('a dtype, device or options object', 'to', target);
    const convert = (t: Tensor): Tensor =>
      t.to({ ...(device !== undefined ? { device } : {}), ...(dtype !== undefined && t.isFloatingPoint() ? { dtype } : {}) });
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [, p] of m.own().params) {
          const moved = convert(p);
          if (moved !== p) {
            p.setData_(moved);
            moved.dispose();
          }
          const g = p.grad;
          if (g !== null) {
            const mg = convert(g);
            if (mg !== g) p.grad = mg;
            g.dispose();
            if (mg !== g) mg.dispose();
          }
        }
        for (const [name, b] of m.own().buffers) {
          const moved = convert(b);
          if (moved !== b) {
            keep(moved);
            (m as unknown as Record<string, unknown>)[name] = moved;
            b.dispose();
          }
        }
      }
    });
    return this;
  }
  cuda(index?: number): this {
    return this.to(index === undefined ? 'cuda' : `cuda:${index}`);
  }
  cpu(): this {
    return this.to('cpu');
  }
  float(): this {
    return this.to('float32');
  }
  double(): this {
    return this.to('float64');
  }

  // -------------------------------------------------------------- state
  /**
   * Parameters and persistent buffers under PyTorch's dotted keys, as
   * detached tensors sharing memory with the module. Like PyTorch's, the
   * result is an OrderedDict carrying `_metadata` (module prefix ->
   * `{version: 1}`), which torch.save writes for Python.
   */
  stateDict(prefix = ''): StateDict {
    const out: StateDict = {};
    const metadata: [string, { version: number }][] = [];
    const visit = (m: Module, p: string) => {
      metadata.push([p.endsWith('.') ? p.slice(0, -1) : p, { version: 1 }]);
      const own = m.own();
      const take = (n: string, t: Tensor, kind: string) => {
        if (t.isDisposed)
          throw new Error(`stateDict: the ${kind} '${p + n}' has been disposed (a tensor the module still holds was freed, e.g. by tidy or dispose())`);
        out[p + n] = t.detach();
      };
      for (const [n, t] of own.params) take(n, t, 'parameter');
      for (const [n, t] of own.buffers) if (!m[NON_PERSISTENT].has(n)) take(n, t, 'buffer');
      for (const [n, c] of own.children) visit(c, `${p}${n}.`);
    };
    visit(this, prefix);
    return markOrderedDict(out, { _metadata: orderedDict(metadata) });
  }

  /**
   * Copies values from `stateDict` into parameters and buffers. With strict
   * (default true) every missing key, unexpected key and shape mismatch is
   * reported together in one Error; without it only shape mismatches throw.
   */
  loadStateDict(stateDict: Record<string, Tensor> | Map<string, Tensor>, opts: { strict?: boolean } = {}): IncompatibleKeys {
    checkOptions(opts, ['strict'], 'loadStateDict');
    const strict = opts.strict ?? true;
    const entries = stateDict instanceof Map ? new Map(stateDict) : new Map(Object.entries(stateDict));
    entries.delete('_metadata');
    // As PyTorch: each module checks its own keys, then its children get the keys under their prefix.
    const own = new Map<string, Tensor>();
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    const mismatches: string[] = [];
    const size = (shape: number[]) => `torch.Size([${shape.join(', ')}])`;
    const visit = (m: Module, prefix: string, local: Map<string, unknown>) => {
      const o = m.own();
      const localState = new Map<string, Tensor>();
      for (const [n, t] of o.params) localState.set(n, t);
      for (const [n, t] of o.buffers) if (!m[NON_PERSISTENT].has(n)) localState.set(n, t);
      for (const [n, t] of localState) {
        const key = prefix + n;
        if (!local.has(key)) {
          missingKeys.push(key);
          continue;
        }
        const src = local.get(key);
        if (!(src instanceof Tensor)) {
          mismatches.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeof src}`);
          continue;
        }
        const a = src.shape;
        const b = t.shape;
        if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
          mismatches.push(`size mismatch for ${key}: copying a param with shape ${size(a)} from checkpoint, the shape in current model is ${size(b)}.`);
          continue;
        }
        own.set(key, t);
      }
      const childNames = new Set(o.children.map(([n]) => n));
      for (const key of local.keys()) {
        if (!key.startsWith(prefix)) continue;
        const first = key.slice(prefix.length).split('.', 1)[0];
        if (!childNames.has(first) && !localState.has(first)) unexpectedKeys.push(key);
      }
      for (const [n, c] of o.children) {
        const cp = `${prefix}${n}.`;
        visit(c, cp, new Map([...local].filter(([k]) => k.startsWith(cp))));
      }
    };
    visit(this, '', entries);
    const errors: string[] = [];
    if (strict) {
      if (missingKeys.length > 0) errors.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
      if (unexpectedKeys.length > 0) errors.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
    }
    errors.push(...mismatches);
    if (errors.length > 0) {
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    }
    noGrad(() => {
      for (const [k, t] of own) t.copy_(entries.get(k) as Tensor);
    });
    return { missingKeys, unexpectedKeys };
  }

  // -------------------------------------------------------------- copying and printing
  /** A deep copy: new parameters and buffers with the same values (as copy.deepcopy). */
  deepCopy(): this {
    return deepCopyModule(this);
  }

  /** Extra text inside this module's printed parentheses (e.g. 'in_features=10, ...'). */
  extraRepr(): string {
    return '';
  }

  /** PyTorch-like printed form. */
  toString(): string {
    const children = this.namedChildren();
    const extra = this.extraRepr();
    if (children.length === 0) return `${this.constructor.name}(${extra})`;
    const lines = children.map(([n, c]) => `  (${n}): ${String(c).split('\n').join('\n  ')}`);
    if (extra !== '') lines.unshift(`  ${extra}`);
    return `${this.constructor.name}(\n${lines.join('\n')}\n)`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function copyParameter(v: Parameter): Parameter {
  return noGrad(() => {
    const c = v.detach();
    const cl = c.clone();
    c.dispose();
    const p = new Parameter(cl, v.requiresGrad);
    cl.dispose();
    return p;
  });
}

/** A deep copy with one copy per shared module/parameter/tensor (as copy.deepcopy's memo), aliases included. */
function deepCopyModule<M extends Module>(m: M, memo = new Map<object, unknown>()): M {
  const done = memo.get(m);
  if (done !== undefined) return done as M;
  const raw = Object.create(Object.getPrototypeOf(m)) as M;
  const copy = new Proxy(raw, HANDLER) as M;
  memo.set(m, copy);
  const conv = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const seen = memo.get(v);
    if (seen !== undefined) return seen;
    let out: unknown;
    if (v instanceof Parameter) out = copyParameter(v);
    else if (v instanceof Module) return deepCopyModule(v, memo);
    else if (v instanceof Tensor) out = keep(noGrad(() => v.clone()));
    else if (v instanceof Set) out = new Set(v);
    else if (v instanceof Map) out = new Map([...v].map(([k, x]) => [k, conv(x)]));
    else if (Array.isArray(v)) out = v.map(conv);
    else return v;
    memo.set(v, out);
    return out;
  };
  // written on the target, not through the proxy: the registries are copied as they are
  const src = m as unknown as Record<string | symbol, unknown>;
  const dst = raw as unknown as Record<string | symbol, unknown>;
  for (const key of Reflect.ownKeys(m)) dst[key] = conv(src[key]);
  return copy;
}
