/**
 * The optimizer base class: parameter groups, per-parameter state, zeroGrad,
 * and state dicts in PyTorch's layout (so checkpoints round-trip with Python).
 *
 * Subclasses (Adam, AdamW, SGD) run the update of a whole parameter group in
 * one native call. Optimizer state tensors are removed from every open
 * `torch.tidy` scope when they are created, so they survive the per-step
 * scopes of a training loop; free them with {@link Optimizer.dispose}.
 */
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { keep } from '../scope.js';
import { enableGrad } from '../autograd.js';
import { checkOptions, describe } from '../errors.js';
import { PyFloat, PyTuple, tuple, type PyDict, type PyValue } from '../serialization/pickle.js';

/** A value a parameter group may hold (what a Python state dict can carry). */
export type GroupValue = PyValue<Tensor>;

/**
 * One parameter group: the parameters and their hyperparameters (camelCased
 * PyTorch names). Hyperparameters are mutable: schedulers write `lr` (and
 * OneCycleLR `betas`/`momentum`); the next `step()` uses the new values.
 */
export interface ParamGroup {
  /** The parameters of this group. */
  params: Tensor[];
  /** Learning rate. */
  lr: number;
  /** Set by LR schedulers: the lr the schedule starts from. */
  initialLr?: number;
  /** Set by OneCycleLR. */
  maxLr?: number;
  /** Set by OneCycleLR. */
  minLr?: number;
  /** Set by OneCycleLR (with cycleMomentum). */
  maxMomentum?: number;
  /** Set by OneCycleLR (with cycleMomentum). */
  baseMomentum?: number;
  /** Other keys (e.g. ones a newer PyTorch wrote into a loaded state dict); kept and saved again. */
  [key: string]: GroupValue | undefined;
}

/** A parameter group as given to a constructor: `params` plus options overriding the defaults. */
export type ParamGroupInput<O> = { params: Iterable<Tensor> | Tensor } & O;

/** What an optimizer constructor accepts: tensors, or parameter groups. */
export type ParamsInput<O> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** Per-parameter state: camelCased PyTorch names (`step`, `expAvg`, `momentumBuffer`...) to tensors (or null). */
export type ParamState = Record<string, Tensor | null>;

/** A parameter group in a state dict: snake_case keys as Python writes them, `params` last (indices). */
export interface ParamGroupState extends PyDict<Tensor> {
  params: number[];
}

/**
 * An optimizer state dict in PyTorch's layout:
 * `{state: {index: {step, exp_avg, ...}}, param_groups: [{lr, betas, ..., params: [indices]}]}`.
 * Indices count parameters across groups in order. The tensors are the live
 * state (not copies), as in PyTorch: clone them to keep a snapshot.
 */
export interface OptimizerStateDict {
  state: Map<number, Record<string, Tensor | null>>;
  param_groups: ParamGroupState[];
}

/**
 * A state dict to load: an {@link OptimizerStateDict}, or what
 * `torch.load` gives for one (`state` as a Map or an object keyed by index,
 * Python floats and tuples as PyFloat/PyTuple).
 */
export interface OptimizerStateDictInput {
  state: Map<PyValue<Tensor>, PyValue<Tensor>> | PyDict<Tensor>;
  param_groups: readonly PyValue<Tensor>[];
}

/** camelCase → snake_case (`weightDecay` → `weight_decay`). */
export function toSnake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** snake_case → camelCase (`exp_avg_sq` → `expAvgSq`). */
export function toCamel(k: string): string {
  return k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Plain JS form of a loaded Python value: PyFloat → number, PyTuple → array (recursively). */
function plain(v: PyValue<Tensor>): PyValue<Tensor> {
  if (v instanceof PyFloat) return v.value;
  if (v instanceof PyTuple || Array.isArray(v)) return Array.from(v as PyValue<Tensor>[], plain);
  return v;
}

/** True if the parameter has a gradient (without leaving a handle behind). */
export function hasGrad(p: Tensor): boolean {
  const g = native.grad(p._h);
  if (g === null) return false;
  native.dispose(g);
  return true;
}

/** Formats a number as Python's str() of a float would for messages (`-1`, `0.5`, `nan`). */
export function pyNum(v: unknown): string {
  if (typeof v !== 'number') return describe(v);
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

/** Throws TypeError unless `v` is a number. */
export function checkNumber(v: unknown, name: string): number {
  if (typeof v !== 'number') throw new TypeError(`Expected a number for ${name} but received ${describe(v)}`);
  return v;
}

/** Throws TypeError unless `v` is a boolean. */
export function checkBool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`Expected a boolean for ${name} but received ${describe(v)}`);
  return v;
}

/**
 * Base class of all optimizers (PyTorch's `torch.optim.Optimizer`).
 *
 * @typeParam G the parameter group type of the subclass.
 * @typeParam O the subclass's options (what a parameter group may override).
 */
export abstract class Optimizer<G extends ParamGroup = ParamGroup, O extends object = object> {
  /** The default hyperparameters (for groups that do not set them). */
  readonly defaults: Readonly<Record<string, GroupValue | undefined>>;
  /** The parameter groups, in order; hyperparameters may be changed between steps. */
  readonly paramGroups: G[] = [];
  /** Per-parameter state, created lazily by `step()` for parameters that have a gradient. */
  readonly state: Map<Tensor, ParamState> = new Map();
  /** The class name used in messages ('Adam', 'SGD', ...). */
  protected readonly name: string;
  private readonly optionKeys: readonly string[];
  private readonly requiredKeys: readonly string[];

  /**
   * @param name the class name used in messages.
   * @param params tensors, or parameter groups `{params, ...options}` whose options override `defaults`.
   * @param defaults the hyperparameters in PyTorch's order (camelCased); an undefined value for a key in
   *   `required` means the key must be given by every group.
   * @param required keys without a default (SGD's `lr`).
   * @throws TypeError when `params` is a single Tensor, holds something else than Tensors, or a group
   *   has an unknown key or lacks a required one; RangeError when it is empty, a parameter is not a leaf
   *   or appears in two groups, or a value is invalid (see the subclass).
   */
  protected constructor(
    name: string,
    params: ParamsInput<object>,
    defaults: Record<string, GroupValue | undefined>,
    required: readonly string[] = [],
  ) {
    this.name = name;
    this.defaults = defaults;
    this.optionKeys = Object.keys(defaults);
    this.requiredKeys = required;
    if (params instanceof Tensor) {
      throw new TypeError('params argument given to the optimizer should be an iterable of Tensors or dicts, but got a Tensor');
    }
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${describe(params)}`);
    }
    let groups = Array.from(params as Iterable<unknown>);
    if (groups.length === 0) throw new RangeError('optimizer got an empty parameter list');
    if (groups[0] instanceof Tensor || groups[0] === null || typeof groups[0] !== 'object') groups = [{ params: groups }];
    for (const g of groups) this.addParamGroup(g as ParamGroupInput<O>);
  }

  /**
   * Checks a group's hyperparameters (also run on the defaults and on loaded groups).
   * @throws TypeError for a value of the wrong kind, RangeError for an invalid one.
   */
  protected abstract checkGroup(group: Record<string, GroupValue | undefined>): void;

  /**
   * Performs one optimization step over every group.
   * @param closure re-evaluates the model and returns the loss; run with gradients enabled.
   * @returns the closure's result, or undefined without one.
   */
  abstract step<L = unknown>(closure?: () => L): L | undefined;

  /** Runs the closure (if any) with gradients enabled, as PyTorch's step() does. */
  protected runClosure<L>(closure?: () => L): L | undefined {
    if (closure === undefined) return undefined;
    if (typeof closure !== 'function') throw new TypeError(`Expected a function for closure but received ${describe(closure)}`);
    return enableGrad(closure);
  }

  /**
   * Adds a parameter group (e.g. layers unfrozen during fine-tuning).
   * Options missing from the group take the optimizer's defaults.
   * @throws TypeError for an unknown option, a missing required option or a non-Tensor parameter;
   *   RangeError for a non-leaf parameter, one already in another group, or an invalid value.
   */
  addParamGroup(paramGroup: ParamGroupInput<O>): void {
    if (paramGroup === null || typeof paramGroup !== 'object' || Array.isArray(paramGroup) || paramGroup instanceof Tensor) {
      throw new TypeError(`param group must be an object with params but received ${describe(paramGroup)}`);
    }
    checkOptions(paramGroup, ['params', ...this.optionKeys], `${this.name} param group`);
    const input = paramGroup as Record<string, unknown>;
    const raw = input.params;
    let list: unknown[];
    if (raw instanceof Tensor) list = [raw];
    else if (raw instanceof Set) {
      throw new TypeError(
        'optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.',
      );
    } else if (raw !== null && typeof raw === 'object' && typeof (raw as Iterable<unknown>)[Symbol.iterator] === 'function') {
      list = Array.from(raw as Iterable<unknown>);
    } else {
      throw new TypeError(`Expected an iterable of Tensors for params but received ${describe(raw)}`);
    }
    for (const p of list) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${describe(p)}`);
      if (!p.isLeaf) throw new RangeError("can't optimize a non-leaf Tensor");
    }
    const params = list as Tensor[];
    const group: Record<string, GroupValue | undefined> = { params };
    for (const [k, v] of Object.entries(input)) {
      if (k !== 'params' && v !== undefined) group[k] = Array.isArray(v) ? [...(v as GroupValue[])] : (v as GroupValue);
    }
    for (const k of this.optionKeys) {
      if (group[k] !== undefined) continue;
      const d = this.defaults[k];
      if (d === undefined && this.requiredKeys.includes(k)) {
        throw new TypeError(`parameter group didn't specify a value of required optimization parameter ${toSnake(k)}`);
      }
      group[k] = Array.isArray(d) ? [...(d as GroupValue[])] : d;
    }
    this.checkGroup(group);
    if (new Set(params).size !== params.length) {
      process.emitWarning(
        'optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information',
      );
    }
    for (const other of this.paramGroups) {
      for (const p of other.params) {
        if (params.includes(p)) throw new RangeError('some parameters appear in more than one parameter group');
      }
    }
    this.paramGroups.push(group as G);
  }

  /**
   * Resets the gradients of all parameters.
   * @param opts.setToNone set `.grad` to null (default true, as PyTorch >= 2.0) instead of zeroing it in place.
   * @throws TypeError for an unknown option.
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    checkOptions(opts, ['setToNone'], 'zeroGrad');
    const setToNone = opts.setToNone ?? true;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) {
          native.setGrad(p._h, null);
          continue;
        }
        const g = p.grad;
        if (g === null) continue;
        try {
          if (g.gradFn !== null) g.detach_();
          else g.requiresGrad_(false);
          g.zero_();
        } finally {
          g.dispose();
        }
      }
    }
  }

  /** The state of `p`, created empty if missing. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /** Stores a new state tensor: kept out of every open tidy scope. */
  protected own(t: Tensor): Tensor {
    return keep(t);
  }

  /**
   * The optimizer state in PyTorch's layout (see {@link OptimizerStateDict}):
   * snake_case keys, `betas` as a tuple, parameters as indices counted across
   * groups. State tensors are shared with the optimizer, not copied.
   */
  stateDict(): OptimizerStateDict {
    const mapping = new Map<Tensor, number>();
    let start = 0;
    const paramGroups: ParamGroupState[] = this.paramGroups.map((g) => {
      const packed: PyDict<Tensor> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === 'params' || v === undefined) continue;
        packed[toSnake(k)] = k === 'betas' && Array.isArray(v) ? tuple<Tensor>(...(v as PyValue<Tensor>[])) : (v as PyValue<Tensor>);
      }
      g.params.forEach((p, i) => {
        if (!mapping.has(p)) mapping.set(p, start + i);
      });
      const out = packed as ParamGroupState;
      out.params = g.params.map((p) => mapping.get(p) as number);
      start += g.params.length;
      return out;
    });
    const state = new Map<number, Record<string, Tensor | null>>();
    for (const [p, s] of this.state) {
      const idx = mapping.get(p);
      if (idx === undefined) continue;
      const packed: Record<string, Tensor | null> = {};
      for (const [k, v] of Object.entries(s)) packed[toSnake(k)] = v;
      state.set(idx, packed);
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Loads a state dict (from {@link stateDict}, or a Python optimizer's via
   * `torch.load`). Tensors are copied, cast to the parameter's dtype (floating
   * parameters) and device, except `step`. Hyperparameters come from the dict;
   * keys the dict lacks take the defaults, unknown keys are kept. State of
   * indices that name no parameter is dropped. The previous state tensors are
   * disposed, except those that appear in `stateDict` itself.
   * @throws TypeError when `stateDict` is not shaped like a state dict;
   *   RangeError when its number of groups, or of parameters in a group, differs from this optimizer's,
   *   or a loaded hyperparameter is invalid.
   */
  loadStateDict(stateDict: OptimizerStateDict | OptimizerStateDictInput): void {
    if (stateDict === null || typeof stateDict !== 'object' || !('state' in stateDict) || !('param_groups' in stateDict)) {
      throw new TypeError(`Expected a state dict with 'state' and 'param_groups' but received ${describe(stateDict)}`);
    }
    const saved = stateDict.param_groups as readonly PyValue<Tensor>[];
    if (!Array.isArray(saved)) throw new TypeError(`Expected an array for param_groups but received ${describe(saved)}`);
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(
        `loaded state dict has a different number of parameter groups (${saved.length}, optimizer has ${this.paramGroups.length})`,
      );
    }
    const savedGroups = saved.map((g, i) => {
      if (g === null || typeof g !== 'object' || Array.isArray(g) || g instanceof Map || !Array.isArray((g as PyDict<Tensor>).params)) {
        throw new TypeError(`Expected param_groups[${i}] to be an object with params but received ${describe(g)}`);
      }
      return g as PyDict<Tensor> & { params: PyValue<Tensor>[] };
    });
    savedGroups.forEach((g, i) => {
      if (g.params.length !== this.paramGroups[i].params.length) {
        throw new RangeError(
          `loaded state dict contains a parameter group that doesn't match the size of optimizer's group ` +
            `(group ${i}: ${g.params.length} params saved, optimizer has ${this.paramGroups[i].params.length})`,
        );
      }
    });
    // Saved index -> parameter.
    const idMap = new Map<number, Tensor>();
    savedGroups.forEach((g, gi) => {
      g.params.forEach((id, pi) => idMap.set(Number(plain(id)), this.paramGroups[gi].params[pi]));
    });
    // New groups (validated before anything changes).
    const newGroups = savedGroups.map((g, gi) => {
      const ng: Record<string, GroupValue | undefined> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === 'params') continue;
        ng[toCamel(k)] = plain(v);
      }
      ng.params = this.paramGroups[gi].params;
      for (const k of this.optionKeys) {
        if (ng[k] === undefined && this.defaults[k] !== undefined) ng[k] = plain(this.defaults[k] as PyValue<Tensor>);
        if (ng[k] === undefined && this.requiredKeys.includes(k)) {
          throw new TypeError(`loaded param_groups[${gi}] lacks the required optimization parameter ${toSnake(k)}`);
        }
      }
      this.checkGroup(ng);
      return ng as G;
    });
    // Entries of the saved state.
    const raw = stateDict.state;
    let entries: [PyValue<Tensor>, PyValue<Tensor>][];
    if (raw instanceof Map) entries = [...raw.entries()];
    else if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) entries = Object.entries(raw);
    else throw new TypeError(`Expected a Map or an object for state but received ${describe(raw)}`);
    const incoming = new Set<Tensor>();
    const newState = new Map<Tensor, ParamState>();
    const created: Tensor[] = [];
    try {
      for (const [k, v] of entries) {
        const param = idMap.get(Number(plain(k)));
        if (param === undefined) continue;
        if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Map || v instanceof Tensor) {
          throw new TypeError(`Expected an object for the state of parameter ${String(k)} but received ${describe(v)}`);
        }
        const ps: ParamState = {};
        for (const [sk, sv] of Object.entries(v as PyDict<Tensor>)) {
          const key = toCamel(sk);
          if (sv instanceof Tensor) {
            incoming.add(sv);
            const d = sv.detach();
            let t: Tensor;
            try {
              // Floating state follows the parameter's dtype and device; `step` is copied as is (PyTorch #74424).
              if (sk === 'step') t = d.clone();
              else t = d.to({ dtype: param.isFloatingPoint() ? param.dtype : d.dtype, device: param.device, copy: true });
            } finally {
              d.dispose();
            }
            created.push(t);
            ps[key] = keep(t);
          } else {
            const conv = this.loadStateValue(key, plain(sv));
            if (conv instanceof Tensor) {
              created.push(conv);
              keep(conv);
            }
            ps[key] = conv;
          }
        }
        newState.set(param, ps);
      }
    } catch (e) {
      for (const t of created) t.dispose();
      throw e;
    }
    // Commit: replace the groups and the state, free the old state tensors.
    for (const s of this.state.values()) {
      for (const t of Object.values(s)) if (t !== null && !incoming.has(t)) t.dispose();
    }
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
    this.paramGroups.splice(0, this.paramGroups.length, ...newGroups);
  }

  /**
   * Converts a non-tensor value of a loaded state (e.g. an old integer `step`).
   * @throws TypeError for a value the optimizer cannot hold (the default accepts only null).
   */
  protected loadStateValue(key: string, v: PyValue<Tensor>): Tensor | null {
    if (v === null) return null;
    throw new TypeError(`Expected a Tensor or null for state '${toSnake(key)}' but received ${describe(v)}`);
  }

  /** Frees every state tensor and forgets the state (the optimizer can go on; state restarts). */
  dispose(): void {
    for (const s of this.state.values()) for (const t of Object.values(s)) t?.dispose();
    this.state.clear();
  }

  /** Python's repr: the class name and each group's hyperparameters. */
  toString(): string {
    let out = `${this.name} (`;
    this.paramGroups.forEach((g, i) => {
      out += `\nParameter Group ${i}\n`;
      for (const k of Object.keys(g).filter((x) => x !== 'params').map(toSnake).sort()) {
        const v = g[toCamel(k)];
        out += `    ${k}: ${Array.isArray(v) ? `(${v.join(', ')})` : v === null ? 'None' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)}\n`;
      }
    });
    return `${out})`;
  }
}
