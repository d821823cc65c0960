/**
 * The optimizer base class (PyTorch's `torch.optim.Optimizer`): parameter
 * groups, per-parameter state, zeroGrad, and state dicts in PyTorch 2.x's
 * layout (so checkpoints round-trip with Python, and 1.x ones still load).
 *
 * Each optimizer declares its options once, as a table (see options.ts), and
 * implements `step()`. Writing your own takes the same two things:
 *
 *   import * as torch from '.../lib/torch/index.js';
 *   const { Optimizer, option, nonNegative } = torch.optim;
 *
 *   const SIGN_SGD_OPTIONS = {
 *     lr: option(1e-2, nonNegative('learning rate')),  // PyTorch-style message: "Invalid learning rate: -1"
 *   };
 *   type SignSGDOptions = torch.optim.OptionsOf<typeof SIGN_SGD_OPTIONS>;  // { lr?: number }
 *
 *   class SignSGD extends Optimizer<typeof SIGN_SGD_OPTIONS> {
 *     static readonly options = SIGN_SGD_OPTIONS;  // the base class reads the table from here
 *     constructor(params: torch.optim.ParamsInput<SignSGDOptions>, opts: SignSGDOptions = {}) {
 *       super(params, opts);
 *     }
 *     step<L>(closure?: () => L): L | undefined {
 *       const loss = this.runClosure(closure);
 *       // each parameter with a gradient, without recording gradients, in its own tidy scope
 *       torch.optim.forEachGrad(this.paramGroups, (p, grad, g) => {
 *         p.sub_(grad.sign().mul(g.lr));
 *       });
 *       return loss;
 *     }
 *   }
 *
 * The constructor then accepts `{lr}` and parameter groups, rejects unknown
 * keys, validates values with the table's checks, and `stateDict()` /
 * `loadStateDict()` / `toString()` work unchanged. Per-parameter state lives in
 * `this.stateOf(p)` (camelCased keys, saved snake_cased); create its tensors
 * with `this.own(t)` so they outlive `torch.tidy` scopes. Override
 * `checkGroup` for rules that span options (SGD: nesterov needs momentum).
 *
 * examples/custom-optimizer.ts is a runnable one with per-parameter state (Lion).
 * Adam, AdamW and SGD run the update of a whole parameter group in one native
 * call; RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop and LBFGS
 * are written in TypeScript as above (PyTorch's single-tensor algorithms).
 * Free an optimizer's state with {@link Optimizer.dispose}.
 */
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { keep } from '../scope.js';
import { enableGrad } from '../autograd.js';
import { checkOptions, describe } from '../errors.js';
import { PyFloat, PyTuple, type PyDict, type PyValue } from '../py-value.js';
import { pyFloatNum, pyNum, settableKeys, type GroupValue, type OptionsOf, type OptionTable, type OptionValues } from './options.js';

export type { GroupValue } from './options.js';

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
  /** The parameters' names, when the optimizer was given `[name, tensor]` pairs (PyTorch >= 2.6's `param_names`). */
  paramNames?: string[];
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

/** A parameter group of an optimizer whose options are the table `S`. */
export type ParamGroupOf<S extends OptionTable> = string extends keyof S ? ParamGroup : ParamGroup & OptionValues<S>;

/** A named parameter, as `module.namedParameters()` gives them. */
export type NamedParam = readonly [string, Tensor];

/** A parameter group as given to a constructor: `params` plus options overriding the defaults. */
export type ParamGroupInput<O> = { params: Iterable<Tensor> | Iterable<NamedParam> | Tensor } & O;

/** What an optimizer constructor accepts: tensors, `[name, tensor]` pairs, or parameter groups. */
export type ParamsInput<O> = Iterable<Tensor> | Iterable<NamedParam> | Iterable<ParamGroupInput<O>>;

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

/** As {@link plain}, but tuples stay tuples (for keys this library does not interpret, saved back as they came). */
function plainKeepTuples(v: PyValue<Tensor>): PyValue<Tensor> {
  if (v instanceof PyFloat) return v.value;
  if (v instanceof PyTuple) return PyTuple.from(v, plainKeepTuples);
  if (Array.isArray(v)) return v.map(plainKeepTuples);
  return v;
}

/** Python's repr of a group value, for {@link Optimizer.toString}; `floatTuple`: an array Python holds as a tuple of floats (betas). */
function pyRepr(v: GroupValue | undefined, floatTuple = false): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNum(v);
  if (v instanceof PyFloat) return pyFloatNum(v.value);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) {
    const items = (v as GroupValue[]).map((x) => (floatTuple && typeof x === 'number' ? pyFloatNum(x) : pyRepr(x)));
    const asTuple = floatTuple || v instanceof PyTuple;
    if (asTuple) return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    return `[${items.join(', ')}]`;
  }
  return String(v);
}

/** True if the parameter has a gradient (without leaving a handle behind). */
export function hasGrad(p: Tensor): boolean {
  const g = native.grad(p._h);
  if (g === null) return false;
  native.dispose(g);
  return true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tensor) && !(v instanceof Map) && !(v instanceof Set);
}

/** What a subclass constructor carries: its option table (`static readonly options`). */
interface OptimizerClass {
  readonly name: string;
  readonly options?: OptionTable;
  /** The order in which PyTorch's `__setstate__` adds keys a loaded group lacks, when it differs from the table's. */
  readonly setstateOrder?: readonly string[];
}

/**
 * Base class of all optimizers (PyTorch's `torch.optim.Optimizer`). A
 * subclass declares `static readonly options` (its option table) and
 * implements {@link step}; see the top of this file.
 *
 * @typeParam S the subclass's option table (`typeof ADAM_OPTIONS`).
 */
export abstract class Optimizer<S extends OptionTable = OptionTable> {
  /** The default hyperparameters (the table's defaults, overridden by the constructor's options); groups that do not set an option take it from here. */
  readonly defaults: Readonly<OptionValues<S>>;
  /** The parameter groups, in order; hyperparameters may be changed between steps. */
  readonly paramGroups: ParamGroupOf<S>[] = [];
  /** Per-parameter state, created lazily by `step()` for parameters that have a gradient. */
  readonly state: Map<Tensor, ParamState> = new Map();
  /** The class name used in messages and `toString()` ('Adam', 'SGD', ...). */
  protected readonly name: string;
  /** The option table (from the subclass's `static readonly options`). */
  protected readonly options: S;

  /**
   * Validates the options, builds the defaults and adds the parameter groups (defaults, checks,
   * then parameters, as PyTorch).
   * @param params tensors, `[name, tensor]` pairs (e.g. `model.namedParameters()`), or parameter groups
   *   `{params, ...options}` whose options override the defaults.
   * @param opts options overriding the table's defaults.
   * @throws TypeError when the subclass declares no option table, an option is unknown or of the wrong kind,
   *   `params` is a single Tensor or not iterable, or holds something else than Tensors;
   *   RangeError for an invalid option value (PyTorch's message, e.g. "Invalid learning rate: -1"),
   *   an empty parameter list, a non-leaf parameter, one in two groups, or names given for some parameters only.
   */
  protected constructor(params: ParamsInput<OptionsOf<S>>, opts: OptionsOf<S> = {}) {
    const cls = new.target as unknown as OptimizerClass;
    if (cls.options === undefined) {
      throw new TypeError(`Expected an option table for ${cls.name}.options but received undefined (declare static readonly options = {...})`);
    }
    this.name = cls.name;
    this.options = cls.options as S;
    // Options: known keys only, each checked, over the table's defaults.
    checkOptions(opts, settableKeys(this.options), this.name);
    const given = (opts ?? {}) as Record<string, unknown>;
    const defaults: Record<string, GroupValue> = {};
    for (const [k, spec] of Object.entries(this.options)) {
      const v = spec.fixed === true || given[k] === undefined ? spec.default : spec.check(given[k], k);
      defaults[k] = Array.isArray(v) ? [...(v as GroupValue[])] : v;
    }
    this.checkGroup(defaults as OptionValues<S>);
    this.defaults = defaults as OptionValues<S>;
    // Parameters: one group of tensors (or named tensors), or several groups.
    if (params instanceof Tensor) {
      throw new TypeError('params argument given to the optimizer should be an iterable of Tensors or dicts, but got a Tensor');
    }
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${describe(params)}`);
    }
    let groups = Array.from(params as Iterable<unknown>);
    if (groups.length === 0) throw new RangeError('optimizer got an empty parameter list');
    if (!isPlainObject(groups[0])) groups = [{ params: groups }];
    for (const g of groups) this.addParamGroup(g as ParamGroupInput<OptionsOf<S>>);
  }

  /**
   * Checks rules that span several options of a group (run on the defaults, on each
   * group and on loaded groups, after each option's own check). The default checks nothing.
   * @throws RangeError for an invalid combination.
   */
  protected checkGroup(_group: OptionValues<S>): void {}

  /**
   * Performs one optimization step over every group.
   * @param closure re-evaluates the model and returns the loss; run with gradients enabled.
   * @returns the closure's result, or undefined without one.
   */
  abstract step<L = unknown>(closure?: () => L): L | undefined;

  /**
   * Runs the closure (if any) with gradients enabled, as PyTorch's step() does.
   * @throws TypeError when `closure` is given and is not a function.
   */
  protected runClosure<L>(closure?: () => L): L | undefined {
    if (closure === undefined) return undefined;
    if (typeof closure !== 'function') throw new TypeError(`Expected a function for closure but received ${describe(closure)}`);
    return enableGrad(closure);
  }

  /** Runs every option's check and {@link checkGroup} on a group, replacing values by the checked ones. */
  private validate(group: Record<string, GroupValue | undefined>): void {
    for (const [k, spec] of Object.entries(this.options)) group[k] = spec.check(group[k], k);
    this.checkGroup(group as OptionValues<S>);
  }

  /**
   * Adds a parameter group (e.g. layers unfrozen during fine-tuning), as PyTorch's
   * `add_param_group`: the group's keys in the order given, then `paramNames` if the
   * parameters came as `[name, tensor]` pairs, then the defaults of the options it lacks.
   * @throws TypeError when the group is not an object, has an unknown option, a value of the wrong kind,
   *   `params` that are not Tensors or an unordered Set;
   *   RangeError for a non-leaf parameter, one already in another group, names given for some parameters
   *   only or for some groups only, or an invalid value.
   */
  addParamGroup(paramGroup: ParamGroupInput<OptionsOf<S>>): void {
    if (!isPlainObject(paramGroup)) throw new TypeError(`Expected an object with params for param group but received ${describe(paramGroup)}`);
    checkOptions(paramGroup, ['params', ...settableKeys(this.options)], `${this.name} param group`);
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
    // [name, tensor] pairs give the group its paramNames (PyTorch >= 2.6).
    const params: Tensor[] = [];
    const names: string[] = [];
    list.forEach((p, i) => {
      if (Array.isArray(p)) {
        if (p.length !== 2 || typeof p[0] !== 'string') {
          throw new TypeError(`Expected a [name, Tensor] pair for params[${i}] but received ${describe(p)}`);
        }
        names.push(p[0]);
        p = p[1];
      }
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${describe(p)}`);
      if (!p.isLeaf) throw new RangeError("can't optimize a non-leaf Tensor");
      params.push(p);
    });
    if (names.length !== 0 && names.length !== params.length) {
      throw new RangeError('all optimizer params should be with/without names. Some param names are missing');
    }
    const group: Record<string, GroupValue | undefined> = {};
    for (const [k, v] of Object.entries(input)) {
      if (k === 'params') group.params = params;
      else if (v !== undefined) group[k] = v as GroupValue;
    }
    if (names.length !== 0) group.paramNames = names;
    for (const [k, d] of Object.entries(this.defaults as Record<string, GroupValue>)) {
      if (group[k] === undefined) group[k] = Array.isArray(d) ? [...(d as GroupValue[])] : d;
    }
    this.validate(group);
    if (new Set(params).size !== params.length) {
      process.emitWarning(
        'optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information',
      );
    }
    for (const other of this.paramGroups) {
      if ((other.paramNames !== undefined) !== (names.length !== 0)) {
        throw new RangeError(
          `all optimizer param groups should be with/without names. cannot add param group ${names.length !== 0 ? 'with names' : 'without names'} to the optimizer`,
        );
      }
    }
    for (const other of this.paramGroups) {
      for (const p of other.params) {
        if (params.includes(p)) throw new RangeError('some parameters appear in more than one parameter group');
      }
    }
    this.paramGroups.push(group as ParamGroupOf<S>);
  }

  /**
   * Resets the gradients of all parameters.
   * @param opts.setToNone set `.grad` to null (default true, as PyTorch >= 2.0) instead of zeroing it in place
   *   (then detached from any graph, or made not to require grad).
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
   * snake_case keys in each group's order with `params` last, `betas` as a
   * tuple, parameters as indices counted across groups. State tensors are
   * shared with the optimizer, not copied.
   */
  stateDict(): OptimizerStateDict {
    const mapping = new Map<Tensor, number>();
    let start = 0;
    const paramGroups: ParamGroupState[] = this.paramGroups.map((g) => {
      const packed: PyDict<Tensor> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === 'params' || v === undefined) continue;
        const spec = this.options[k];
        const asTuple = spec?.tuple === true && Array.isArray(v) && !(v instanceof PyTuple);
        if (spec?.float === true && v === spec.default) packed[toSnake(k)] = new PyFloat(v as number);
        else
          packed[toSnake(k)] = asTuple ? PyTuple.from(v as PyValue<Tensor>[]) : Array.isArray(v) && !(v instanceof PyTuple) ? [...(v as PyValue<Tensor>[])] : v;
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
   * `torch.load`), as PyTorch 2.x does: each group takes the saved keys in
   * their order (keys this library does not know are kept and saved again);
   * keys older PyTorch releases did not write take PyTorch's values for them
   * (`__setstate__`: e.g. Adam's `decoupledWeightDecay` false, SGD's `fused`
   * false; AdamW's `decoupledWeightDecay` is always true); the group keeps its
   * `paramNames` if the saved one has none. State tensors are copied, cast to
   * the parameter's dtype (floating parameters) and device, except `step`
   * (PyTorch aliases them instead; a copy keeps this optimizer's memory its own).
   * State of indices that name no parameter is dropped. The previous state
   * tensors are disposed, except those that appear in `stateDict` itself.
   * Nothing changes when it throws.
   * @throws TypeError when `stateDict` is not shaped like a state dict, a group lacks a key every PyTorch
   *   release writes (e.g. `lr`), or a value is of the wrong kind;
   *   RangeError when its number of groups, or of parameters in a group, differs from this optimizer's,
   *   or a loaded hyperparameter is invalid.
   */
  loadStateDict(stateDict: OptimizerStateDict | OptimizerStateDictInput): void {
    if (stateDict === null || typeof stateDict !== 'object' || !('state' in stateDict) || !('param_groups' in stateDict)) {
      throw new TypeError(`Expected a state dict with 'state' and 'param_groups' for stateDict but received ${describe(stateDict)}`);
    }
    const saved = stateDict.param_groups as readonly PyValue<Tensor>[];
    if (!Array.isArray(saved)) throw new TypeError(`Expected an array for param_groups but received ${describe(saved)}`);
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(`loaded state dict has a different number of parameter groups (${saved.length}, optimizer has ${this.paramGroups.length})`);
    }
    const savedGroups = saved.map((g, i) => {
      if (!isPlainObject(g) || !Array.isArray(g.params)) {
        throw new TypeError(`Expected an object with params for param_groups[${i}] but received ${describe(g)}`);
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
      const current = this.paramGroups[gi];
      const ng: Record<string, GroupValue | undefined> = {};
      for (const [k, v] of Object.entries(g)) {
        const key = toCamel(k);
        if (k === 'params') ng.params = current.params;
        else ng[key] = key in this.options ? plain(v) : plainKeepTuples(v);
      }
      if (current.paramNames !== undefined && ng.paramNames === undefined) ng.paramNames = [...current.paramNames];
      // Keys older releases did not write, in the order PyTorch's __setstate__ sets them (the class's
      // `setstateOrder` first, where it declares one).
      const entries = Object.entries(this.options);
      const order = (this.constructor as OptimizerClass).setstateOrder ?? [];
      const ordered = [...order.map((k) => [k, this.options[k]] as const).filter(([, s]) => s !== undefined), ...entries.filter(([k]) => !order.includes(k))];
      for (const [k, spec] of [...ordered.filter(([, s]) => s.fillLast !== true), ...ordered.filter(([, s]) => s.fillLast === true)]) {
        if (ng[k] !== undefined) continue;
        if (spec.addedLater !== true) {
          throw new TypeError(`Expected a value for ${toSnake(k)} in param_groups[${gi}] of the loaded state dict but received undefined`);
        }
        ng[k] = spec.whenMissing !== undefined ? spec.whenMissing : spec.default;
      }
      for (const [k, spec] of entries) if (spec.fixed === true) ng[k] = spec.default;
      this.validate(ng);
      return ng as ParamGroupOf<S>;
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
        if (!isPlainObject(v)) {
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

  /** Python's repr: the class name and each group's hyperparameters, keys sorted. */
  toString(): string {
    let out = `${this.name} (`;
    this.paramGroups.forEach((g, i) => {
      out += `\nParameter Group ${i}\n`;
      const keys = Object.keys(g).filter((k) => k !== 'params' && g[k] !== undefined);
      for (const k of keys.sort((a, b) => (toSnake(a) < toSnake(b) ? -1 : 1))) {
        const spec = this.options[k];
        const v = g[k];
        let repr: string;
        if (spec?.float === true && v === spec.default) repr = pyFloatNum(v as number);
        else if (spec?.keepInts === true && Array.isArray(v)) repr = pyRepr(PyTuple.from(v as PyValue<Tensor>[]));
        else if (typeof v === 'string')
          repr = v; // Python formats the value with str(): no quotes
        else repr = pyRepr(v, spec?.tuple === true);
        out += `    ${toSnake(k)}: ${repr}\n`;
      }
    });
    return `${out})`;
  }
}
