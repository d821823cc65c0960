/**
 * Learning-rate schedulers, as `torch.optim.lr_scheduler` in PyTorch 2.x:
 * the same recursive (chainable) formulas, so lr sequences match Python's
 * to the last bit. Construction performs the initial step (epoch 0), as in
 * PyTorch; call `scheduler.step()` after each `optimizer.step()`. State dicts
 * hold Python's attribute names in Python's order; 1.x ones (with `verbose`)
 * still load.
 */
import { checkOptions, describe } from '../errors.js';
import { PyFloat, pyFloat, type PyDict, type PyValue } from '../py-value.js';
import { Optimizer, toCamel, type ParamGroup } from './optimizer.js';

/** A scheduler state dict: Python's attribute names (`last_epoch`, `base_lrs`, `_last_lr`, ...). */
export type LRSchedulerStateDict = PyDict<never>;

/**
 * Options every scheduler takes. PyTorch 2.x removed `verbose` (deprecated in 2.2): passing it throws;
 * log `scheduler.getLastLr()` instead.
 */
export interface SchedulerOptions {
  /** Index of the last epoch; -1 (default) starts from the groups' lr, anything else resumes and needs `initialLr` in every group. */
  lastEpoch?: number;
}

const BASE_KEYS = ['lastEpoch'] as const;

/** A number of a loaded state dict (PyFloat unwrapped). */
export function num(v: PyValue<never> | undefined): number {
  return v instanceof PyFloat ? v.value : (v as number);
}

/** A list of numbers of a loaded state dict. */
export function nums(v: PyValue<never> | undefined): number[] {
  return Array.from(v as PyValue<never>[], (x) => num(x));
}

/** Python's `type(v).__name__` for messages. */
export function typeName(v: unknown): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') return (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  return typeof v;
}

/** @throws TypeError for a non-number; RangeError unless a positive integer. */
export function requirePositiveInt(v: unknown, name: string): number {
  if (typeof v !== 'number') throw new TypeError(`Expected a positive integer for ${name} but received ${describe(v)}`);
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`Expected a positive integer for ${name} but received ${describe(v)}`);
  return v;
}

/** @throws TypeError unless a number. */
export function requireNumber(v: unknown, name: string): number {
  if (typeof v !== 'number') throw new TypeError(`Expected a number for ${name} but received ${describe(v)}`);
  return v;
}

/**
 * Base class of the schedulers (PyTorch's `LRScheduler`). A subclass sets its
 * own fields after `super()`, then calls {@link initialStep}, and implements
 * {@link getLr} (the chainable form: may read the groups' current lr).
 */
export abstract class LRScheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: Optimizer;
  /** The lr each group started from (its `initialLr`). */
  baseLrs: number[] = [];
  /** Number of `step()` calls since epoch 0 (0 right after construction). */
  lastEpoch: number;
  /** Steps taken, counting the initial one (PyTorch's `_step_count`). */
  protected stepCount = 0;
  /** True only during the initial step of the constructor (PyTorch's `_is_initial`): chainable formulas then keep the lr. */
  protected isInitial = false;
  /** The lrs set by the last step. */
  protected lastLr: number[] = [];
  /** Keys of a loaded state dict this class does not hold (e.g. 1.x's `verbose`): kept and saved again, as Python's `__dict__.update`. */
  private extraState: LRSchedulerStateDict = {};

  /**
   * @throws TypeError when `optimizer` is not an Optimizer or an option is unknown (`verbose` included:
   *   PyTorch 2.x removed it); RangeError when lastEpoch is not an integer >= -1.
   */
  protected constructor(optimizer: Optimizer, opts: SchedulerOptions, allowed: readonly string[], where: string, takesLastEpoch = true) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${typeName(optimizer)} is not an Optimizer`);
    if (opts !== null && typeof opts === 'object' && 'verbose' in opts) {
      throw new TypeError(`Unknown option 'verbose' for ${where}: PyTorch 2.x removed it; log scheduler.getLastLr() instead`);
    }
    checkOptions(opts, takesLastEpoch ? [...allowed, ...BASE_KEYS] : allowed, where);
    this.optimizer = optimizer;
    const lastEpoch = opts.lastEpoch ?? -1;
    if (typeof lastEpoch !== 'number' || !Number.isInteger(lastEpoch) || lastEpoch < -1) {
      throw new RangeError(`Expected an integer >= -1 for lastEpoch but received ${describe(lastEpoch)}`);
    }
    this.lastEpoch = lastEpoch;
  }

  /**
   * Sets up `initialLr`/`baseLrs` and performs the initial step, as PyTorch's constructor does
   * (SequentialLR calls it again on the scheduler it starts with, as PyTorch's `_initial_step`).
   * @throws Error "param 'initial_lr' is not specified in param_groups[i] when resuming scheduler with
   *   last_epoch >= 0. ..." (PyTorch's KeyError) when resuming (lastEpoch >= 0) and a group lacks `initialLr`.
   */
  initialStep(): void {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) {
          throw new Error(
            `param 'initial_lr' is not specified in param_groups[${i}] when resuming scheduler with last_epoch >= 0.\n` +
              'This typically happens when:\n' +
              "1. You're trying to resume training from a checkpoint but haven't properly loaded the optimizer state\n" +
              "2. You're using last_epoch >= 0 for a fresh training run (not recommended)",
          );
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.stepCount = 0;
    this.isInitial = true;
    try {
      this.step();
    } finally {
      this.isInitial = false;
    }
  }

  /** The lrs for the current `lastEpoch` (called by `step()` after it advanced `lastEpoch`). */
  protected abstract getLr(): number[];

  /**
   * The closed form of the schedule at `lastEpoch` (PyTorch's `_get_closed_form_lr`), or null for
   * schedulers without one; used when an epoch is given to {@link updateLr} (SequentialLR at a milestone).
   */
  protected closedForm(): number[] | null {
    return null;
  }

  /** Advances one epoch/iteration and writes the new lr into every group. */
  step(): void {
    this.stepCount++;
    this.updateLr();
  }

  /**
   * Writes the lr of the next epoch into every group (PyTorch's `_update_lr`): without `epoch`, advances
   * `lastEpoch` and applies the chainable formula; with it, sets `lastEpoch` and applies the closed form
   * where there is one. Does not count a step. SequentialLR calls it with 0 at a milestone.
   */
  updateLr(epoch?: number): void {
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedForm() ?? this.getLr();
    }
    const groups = this.optimizer.paramGroups;
    const n = Math.min(groups.length, values.length);
    for (let i = 0; i < n; i++) groups[i].lr = values[i];
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The lrs set by the last step, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** This scheduler's own hyperparameters, under Python's attribute names, in Python's order. */
  protected hyperState(): LRSchedulerStateDict {
    return {};
  }

  /**
   * Checks and restores this scheduler's own hyperparameters from a state dict (keys it lacks are left alone).
   * Runs in two phases so that nothing changes when a value is invalid: `apply` false only checks.
   */
  protected loadHyperState(_sd: LRSchedulerStateDict, _apply: boolean): void {}

  /**
   * The scheduler's state under Python's attribute names, in Python's order (as `scheduler.state_dict()`),
   * e.g. `{step_size, gamma, base_lrs, last_epoch, _step_count, _is_initial, _get_lr_called_within_step, _last_lr}`,
   * then the keys of a loaded state dict this class does not hold (e.g. 1.x's `verbose`), as Python keeps them.
   */
  stateDict(): LRSchedulerStateDict {
    return {
      ...this.hyperState(),
      base_lrs: [...this.baseLrs],
      last_epoch: this.lastEpoch,
      _step_count: this.stepCount,
      _is_initial: this.isInitial,
      _get_lr_called_within_step: false,
      _last_lr: [...this.lastLr],
      ...this.extraState,
    };
  }

  /**
   * Restores the state from {@link stateDict} (or Python's, 2.x or 1.x). Keys it lacks are left alone;
   * keys this class does not hold (1.x's `verbose`, OneCycleLR's `anneal_func`) are kept and saved again,
   * as Python's `__dict__.update` does. Nothing changes when it throws.
   * @throws TypeError when `stateDict` is not an object, or a known key holds a value of the wrong kind;
   *   RangeError for an invalid value (OneCycleLR: "Unknown _anneal_func_type: exp").
   */
  loadStateDict(stateDict: LRSchedulerStateDict): void {
    if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) {
      throw new TypeError(`Expected a scheduler state dict object for stateDict but received ${describe(stateDict)}`);
    }
    const sd = stateDict;
    const check = (key: string, ok: (v: unknown) => boolean, what: string): void => {
      if (sd[key] !== undefined && !ok(sd[key])) throw new TypeError(`Expected ${what} for ${key} but received ${describe(sd[key])}`);
    };
    const isNum = (v: unknown): boolean => typeof v === 'number' || v instanceof PyFloat;
    const isNums = (v: unknown): boolean => Array.isArray(v) && v.every(isNum);
    check('base_lrs', isNums, 'a list of numbers');
    check('last_epoch', isNum, 'a number');
    check('_step_count', isNum, 'a number');
    check('_is_initial', (v) => typeof v === 'boolean', 'a boolean');
    check('_last_lr', isNums, 'a list of numbers');
    this.loadHyperState(sd, false);
    if (sd.base_lrs !== undefined) this.baseLrs = nums(sd.base_lrs);
    if (sd.last_epoch !== undefined) this.lastEpoch = num(sd.last_epoch);
    if (sd._step_count !== undefined) this.stepCount = num(sd._step_count);
    if (typeof sd._is_initial === 'boolean') this.isInitial = sd._is_initial;
    if (sd._last_lr !== undefined) this.lastLr = nums(sd._last_lr);
    this.loadHyperState(sd, true);
    const known = new Set(Object.keys(this.stateDict()));
    for (const [k, v] of Object.entries(sd)) if (!known.has(k) || k in this.extraState) this.extraState[k] = v;
  }
}

/** A function of the epoch giving the factor on the initial lr. */
export type LrLambda = (epoch: number) => number;

/**
 * `lr = initialLr * lrLambda(epoch)`, one lambda for all groups or one per group.
 * The lambdas are not part of the state dict (saved as nulls, as PyTorch does for plain functions).
 */
export class LambdaLR extends LRScheduler {
  private readonly lrLambdas: LrLambda[];

  /**
   * @param lrLambda a function, or an array with one function per parameter group.
   * @param opts lastEpoch (default -1).
   * @throws TypeError when a lambda is not a function; RangeError "Expected 2 lr_lambdas, but got 1".
   */
  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[], opts: SchedulerOptions = {}) {
    super(optimizer, opts, [], 'LambdaLR');
    const n = optimizer.paramGroups.length;
    let lambdas: LrLambda[];
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new RangeError(`Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
      lambdas = [...(lrLambda as readonly LrLambda[])];
    } else {
      lambdas = new Array<LrLambda>(n).fill(lrLambda as LrLambda);
    }
    for (const f of lambdas) if (typeof f !== 'function') throw new TypeError(`Expected a function for lrLambda but received ${describe(f)}`);
    this.lrLambdas = lambdas;
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](this.lastEpoch));
  }

  override stateDict(): LRSchedulerStateDict {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/** Options of {@link StepLR}. */
export interface StepLROptions extends SchedulerOptions {
  /** Period of the decay, in epochs (required). */
  stepSize: number;
  /** Factor of the decay (default 0.1). */
  gamma?: number;
}

/** Multiplies the lr by `gamma` every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  /**
   * @param opts stepSize (required), gamma (default 0.1), lastEpoch (-1).
   * @throws TypeError for an unknown option or a missing stepSize; RangeError when stepSize is not a positive integer.
   */
  constructor(optimizer: Optimizer, opts: StepLROptions) {
    super(optimizer, opts, ['stepSize', 'gamma'], 'StepLR');
    this.stepSize = requirePositiveInt(opts.stepSize, 'stepSize');
    this.gamma = requireNumber(opts.gamma ?? 0.1, 'gamma');
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedForm(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected override hyperState(): LRSchedulerStateDict {
    return { step_size: this.stepSize, gamma: this.gamma };
  }

  protected override loadHyperState(sd: LRSchedulerStateDict, apply: boolean): void {
    if (!apply) return checkNums(sd, ['step_size', 'gamma']);
    if (sd.step_size !== undefined) this.stepSize = num(sd.step_size);
    if (sd.gamma !== undefined) this.gamma = num(sd.gamma);
  }
}

/** Options of {@link LinearLR}. */
export interface LinearLROptions extends SchedulerOptions {
  /** Factor at epoch 0 (default 1/3). */
  startFactor?: number;
  /** Factor from `totalIters` on (default 1). */
  endFactor?: number;
  /** Epochs over which the factor moves linearly (default 5). */
  totalIters?: number;
}

/**
 * Scales the lr by a factor moving linearly from `startFactor` to `endFactor` over `totalIters` epochs.
 * Resuming (lastEpoch >= 0) leaves the groups' lr as they are at construction, as PyTorch 2.x.
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  /**
   * @param opts startFactor (1/3), endFactor (1), totalIters (5), lastEpoch (-1).
   * @throws RangeError "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."
   *   / "Ending multiplicative factor expected to be between 0 and 1."; TypeError for an unknown option.
   */
  constructor(optimizer: Optimizer, opts: LinearLROptions = {}) {
    super(optimizer, opts, ['startFactor', 'endFactor', 'totalIters'], 'LinearLR');
    const start = requireNumber(opts.startFactor ?? 1 / 3, 'startFactor');
    const end = requireNumber(opts.endFactor ?? 1, 'endFactor');
    if (!(start > 0 && start <= 1)) {
      throw new RangeError('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    }
    if (!(end >= 0 && end <= 1)) throw new RangeError('Ending multiplicative factor expected to be between 0 and 1.');
    this.startFactor = start;
    this.endFactor = end;
    this.totalIters = requirePositiveInt(opts.totalIters ?? 5, 'totalIters');
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.startFactor);
    if (this.isInitial || this.lastEpoch > this.totalIters) return groups.map((g) => g.lr);
    return groups.map(
      (g) =>
        g.lr * (1 + (this.endFactor - this.startFactor) / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * (this.endFactor - this.startFactor))),
    );
  }

  protected override closedForm(): number[] {
    const { startFactor, endFactor, totalIters } = this;
    return this.baseLrs.map((base) => base * (startFactor + ((endFactor - startFactor) * Math.min(totalIters, this.lastEpoch)) / totalIters));
  }

  protected override hyperState(): LRSchedulerStateDict {
    return { start_factor: this.startFactor, end_factor: this.endFactor, total_iters: this.totalIters };
  }

  protected override loadHyperState(sd: LRSchedulerStateDict, apply: boolean): void {
    if (!apply) return checkNums(sd, ['start_factor', 'end_factor', 'total_iters']);
    if (sd.start_factor !== undefined) this.startFactor = num(sd.start_factor);
    if (sd.end_factor !== undefined) this.endFactor = num(sd.end_factor);
    if (sd.total_iters !== undefined) this.totalIters = num(sd.total_iters);
  }
}

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions extends SchedulerOptions {
  /** Half-period of the cosine, in epochs (required; PyTorch's `T_max`). */
  tMax: number;
  /** Minimum lr (default 0). */
  etaMin?: number;
}

/**
 * Cosine annealing from the initial lr to `etaMin` over `tMax` epochs (and
 * back up after, as PyTorch's recursive form does). Resuming (lastEpoch >= 0)
 * leaves the groups' lr as they are at construction, as PyTorch 2.x.
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  /**
   * @param opts tMax (required), etaMin (0), lastEpoch (-1).
   * @throws TypeError for an unknown option or a missing tMax; RangeError when tMax is not positive.
   */
  constructor(optimizer: Optimizer, opts: CosineAnnealingLROptions) {
    super(optimizer, opts, ['tMax', 'etaMin'], 'CosineAnnealingLR');
    const tMax = requireNumber(opts.tMax, 'tMax');
    if (!(tMax > 0)) throw new RangeError(`Expected a positive number for tMax but received ${describe(tMax)}`);
    this.tMax = tMax;
    this.etaMin = requireNumber(opts.etaMin ?? 0, 'etaMin');
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { tMax, etaMin, lastEpoch } = this;
    if (this.isInitial) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && lastEpoch > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((lastEpoch * Math.PI) / tMax))) / 2);
    }
    if ((lastEpoch - 1 - tMax) % (2 * tMax) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return groups.map((g) => ((1 + Math.cos((Math.PI * lastEpoch) / tMax)) / (1 + Math.cos((Math.PI * (lastEpoch - 1)) / tMax))) * (g.lr - etaMin) + etaMin);
  }

  protected override closedForm(): number[] {
    const { etaMin, tMax } = this;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / tMax))) / 2);
  }

  protected override hyperState(): LRSchedulerStateDict {
    return { T_max: this.tMax, eta_min: this.etaMin };
  }

  protected override loadHyperState(sd: LRSchedulerStateDict, apply: boolean): void {
    if (!apply) return checkNums(sd, ['T_max', 'eta_min']);
    if (sd.T_max !== undefined) this.tMax = num(sd.T_max);
    if (sd.eta_min !== undefined) this.etaMin = num(sd.eta_min);
  }
}

/** Options of {@link OneCycleLR}. */
export interface OneCycleLROptions extends SchedulerOptions {
  /** Peak lr, one for all groups or one per group (required). */
  maxLr: number | readonly number[];
  /** Total number of steps; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr (default 0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (SGD's `momentum` or Adam's `betas[0]`) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  /** Lowest momentum (default 0.85), one or per group. */
  baseMomentum?: number | readonly number[];
  /** Highest momentum (default 0.95), one or per group. */
  maxMomentum?: number | readonly number[];
  /** initialLr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to initialLr, down to minLr) instead of two (default false). */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/**
 * The 1cycle policy (Smith & Topin): lr from maxLr/divFactor up to maxLr over
 * `pctStart` of the steps, then annealed down to initialLr/finalDivFactor;
 * momentum cycles the other way. Step it after every batch.
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  cycleMomentum: boolean;
  useBeta1 = false;
  /** The annealing function (PyTorch's `_anneal_func_type`). */
  annealStrategy: 'cos' | 'linear';
  private schedulePhases: Phase[];

  /**
   * @param opts maxLr (required); totalSteps, or epochs and stepsPerEpoch; pctStart 0.3, annealStrategy 'cos',
   *   cycleMomentum true, baseMomentum 0.85, maxMomentum 0.95, divFactor 25, finalDivFactor 1e4,
   *   threePhase false, lastEpoch -1.
   * @throws TypeError "You must define either total_steps OR (epochs AND steps_per_epoch)", or for an unknown option;
   *   RangeError "Expected positive integer total_steps, but got 0" (likewise epochs, steps_per_epoch),
   *   "Expected float between 0 and 1 pct_start, but got 2", "anneal_strategy must be one of 'cos' or 'linear', instead got x",
   *   "max_lr must have the same length as optimizer.param_groups. max_lr has 1 values, param_groups has 2.",
   *   "optimizer must support momentum or beta1 with `cycle_momentum` option enabled".
   *   `step()` past totalSteps throws RangeError "Tried to step 11 times. The specified number of total steps is 10".
   */
  constructor(optimizer: Optimizer, opts: OneCycleLROptions) {
    super(
      optimizer,
      opts,
      [
        'maxLr',
        'totalSteps',
        'epochs',
        'stepsPerEpoch',
        'pctStart',
        'annealStrategy',
        'cycleMomentum',
        'baseMomentum',
        'maxMomentum',
        'divFactor',
        'finalDivFactor',
        'threePhase',
      ],
      'OneCycleLR',
    );
    const posInt = (v: unknown, name: string): number => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new RangeError(`Expected positive integer ${name}, but got ${String(v)}`);
      return v;
    };
    if (opts.totalSteps !== undefined) this.totalSteps = posInt(opts.totalSteps, 'total_steps');
    else if (opts.epochs !== undefined && opts.stepsPerEpoch !== undefined) {
      this.totalSteps = posInt(opts.epochs, 'epochs') * posInt(opts.stepsPerEpoch, 'steps_per_epoch');
    } else throw new TypeError('You must define either total_steps OR (epochs AND steps_per_epoch)');
    const pct = opts.pctStart ?? 0.3;
    const total = this.totalSteps;
    this.schedulePhases = opts.threePhase
      ? [
          { endStep: pct * total - 1, startLr: 'initial_lr', endLr: 'max_lr', startMomentum: 'max_momentum', endMomentum: 'base_momentum' },
          { endStep: 2 * pct * total - 2, startLr: 'max_lr', endLr: 'initial_lr', startMomentum: 'base_momentum', endMomentum: 'max_momentum' },
          { endStep: total - 1, startLr: 'initial_lr', endLr: 'min_lr', startMomentum: 'max_momentum', endMomentum: 'max_momentum' },
        ]
      : [
          { endStep: pct * total - 1, startLr: 'initial_lr', endLr: 'max_lr', startMomentum: 'max_momentum', endMomentum: 'base_momentum' },
          { endStep: total - 1, startLr: 'max_lr', endLr: 'min_lr', startMomentum: 'base_momentum', endMomentum: 'max_momentum' },
        ];
    if (typeof pct !== 'number' || !(pct >= 0 && pct <= 1)) throw new RangeError(`Expected float between 0 and 1 pct_start, but got ${String(pct)}`);
    this.annealStrategy = annealStrategyOf(opts.annealStrategy ?? 'cos', "anneal_strategy must be one of 'cos' or 'linear', instead got");
    const groups = optimizer.paramGroups;
    const maxLrs = formatParam('max_lr', groups, opts.maxLr);
    const divFactor = requireNumber(opts.divFactor ?? 25, 'divFactor');
    const finalDivFactor = requireNumber(opts.finalDivFactor ?? 1e4, 'finalDivFactor');
    if (this.lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = g.initialLr / finalDivFactor;
      });
    }
    this.cycleMomentum = opts.cycleMomentum ?? true;
    if (this.cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) {
        throw new RangeError('optimizer must support momentum or beta1 with `cycle_momentum` option enabled');
      }
      this.useBeta1 = 'betas' in optimizer.defaults;
      const maxMomentums = formatParam('max_momentum', groups, opts.maxMomentum ?? 0.95);
      const baseMomentums = formatParam('base_momentum', groups, opts.baseMomentum ?? 0.85);
      if (this.lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (this.useBeta1) g.betas = [maxMomentums[i], ...(g.betas as number[]).slice(1)];
          else g.momentum = maxMomentums[i];
          g.maxMomentum = maxMomentums[i];
          g.baseMomentum = baseMomentums[i];
        });
      }
    }
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'cos') {
      const cosOut = Math.cos(Math.PI * pct) + 1;
      return end + ((start - end) / 2.0) * cosOut;
    }
    return (end - start) * pct + start;
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new RangeError(`Tried to step ${stepNum} times. The specified number of total steps is ${this.totalSteps}`);
    }
    const lrs: number[] = [];
    for (const group of this.optimizer.paramGroups) {
      let startStep = 0;
      let lr = 0;
      let momentum = 0;
      const phases = this.schedulePhases;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i];
        const endStep = phase.endStep;
        if (stepNum <= endStep || i === phases.length - 1) {
          const pct = (stepNum - startStep) / (endStep - startStep);
          lr = this.anneal(groupNum(group, phase.startLr), groupNum(group, phase.endLr), pct);
          if (this.cycleMomentum) momentum = this.anneal(groupNum(group, phase.startMomentum), groupNum(group, phase.endMomentum), pct);
          break;
        }
        startStep = phase.endStep;
      }
      lrs.push(lr);
      if (this.cycleMomentum) {
        if (this.useBeta1) group.betas = [momentum, ...(group.betas as number[]).slice(1)];
        else group.momentum = momentum;
      }
    }
    return lrs;
  }

  protected override hyperState(): LRSchedulerStateDict {
    const last = this.schedulePhases.length - 1;
    const sd: LRSchedulerStateDict = {
      total_steps: this.totalSteps,
      _schedule_phases: this.schedulePhases.map((p, i) => ({
        end_step: i === last ? p.endStep : pyFloat(p.endStep),
        start_lr: p.startLr,
        end_lr: p.endLr,
        start_momentum: p.startMomentum,
        end_momentum: p.endMomentum,
      })),
      _anneal_func_type: this.annealStrategy,
      cycle_momentum: this.cycleMomentum,
    };
    if (this.cycleMomentum) sd.use_beta1 = this.useBeta1;
    return sd;
  }

  protected override loadHyperState(sd: LRSchedulerStateDict, apply: boolean): void {
    if (!apply) {
      checkNums(sd, ['total_steps']);
      if (sd._anneal_func_type !== undefined) annealStrategyOf(sd._anneal_func_type, 'Unknown _anneal_func_type:');
      const phases = sd._schedule_phases;
      if (phases !== undefined) {
        const ok =
          Array.isArray(phases) &&
          phases.every(
            (p) =>
              p !== null &&
              typeof p === 'object' &&
              !Array.isArray(p) &&
              (typeof (p as PyDict<never>).end_step === 'number' || (p as PyDict<never>).end_step instanceof PyFloat) &&
              ['start_lr', 'end_lr', 'start_momentum', 'end_momentum'].every((k) => typeof (p as PyDict<never>)[k] === 'string'),
          );
        if (!ok) throw new TypeError(`Expected a list of schedule phases for _schedule_phases but received ${describe(phases)}`);
      }
      for (const k of ['cycle_momentum', 'use_beta1']) {
        if (sd[k] !== undefined && typeof sd[k] !== 'boolean') throw new TypeError(`Expected a boolean for ${k} but received ${describe(sd[k])}`);
      }
      return;
    }
    if (sd.total_steps !== undefined) this.totalSteps = num(sd.total_steps);
    if (Array.isArray(sd._schedule_phases)) {
      this.schedulePhases = (sd._schedule_phases as PyDict<never>[]).map((p) => ({
        endStep: num(p.end_step),
        startLr: String(p.start_lr),
        endLr: String(p.end_lr),
        startMomentum: String(p.start_momentum),
        endMomentum: String(p.end_momentum),
      }));
    }
    // A 1.x state dict has no _anneal_func_type: the constructor's strategy stays, as in PyTorch 2.x.
    if (sd._anneal_func_type !== undefined) this.annealStrategy = sd._anneal_func_type as 'cos' | 'linear';
    if (typeof sd.cycle_momentum === 'boolean') this.cycleMomentum = sd.cycle_momentum;
    if (typeof sd.use_beta1 === 'boolean') this.useBeta1 = sd.use_beta1;
  }
}

/** 'cos' or 'linear'. @throws RangeError `${message} ${v}` otherwise. */
function annealStrategyOf(v: unknown, message: string): 'cos' | 'linear' {
  if (v !== 'cos' && v !== 'linear') throw new RangeError(`${message} ${String(v)}`);
  return v;
}

/** Throws TypeError unless each present key holds a number. */
export function checkNums(sd: LRSchedulerStateDict, keys: readonly string[]): void {
  for (const k of keys) {
    const v = sd[k];
    if (v !== undefined && typeof v !== 'number' && !(v instanceof PyFloat)) throw new TypeError(`Expected a number for ${k} but received ${describe(v)}`);
  }
}

/** One value per group (PyTorch's `_format_param`). */
export function formatParam(name: string, groups: readonly ParamGroup[], v: number | readonly number[] | undefined): number[] {
  if (Array.isArray(v)) {
    if (v.length !== groups.length) {
      throw new RangeError(`${name} must have the same length as optimizer.param_groups. ${name} has ${v.length} values, param_groups has ${groups.length}.`);
    }
    return (v as readonly unknown[]).map((x, i) => requireNumber(x, `${toCamel(name)}[${i}]`));
  }
  const x = requireNumber(v, toCamel(name));
  return groups.map(() => x);
}

function groupNum(g: ParamGroup, pyKey: string): number {
  const v = g[toCamel(pyKey)];
  if (typeof v !== 'number') throw new Error(`param group has no number '${pyKey}' (needed by OneCycleLR)`);
  return v;
}

/**
 * Transformers' `get_linear_schedule_with_warmup`: the lr rises linearly from
 * 0 to the optimizer's lr over `numWarmupSteps`, then falls linearly to 0 at
 * `numTrainingSteps` (and stays 0).
 * @returns a {@link LambdaLR}.
 * @throws TypeError when the step counts are not numbers (and as LambdaLR).
 */
export function getLinearScheduleWithWarmup(optimizer: Optimizer, numWarmupSteps: number, numTrainingSteps: number, lastEpoch = -1): LambdaLR {
  requireNumber(numWarmupSteps, 'numWarmupSteps');
  requireNumber(numTrainingSteps, 'numTrainingSteps');
  const lrLambda = (currentStep: number): number => {
    if (currentStep < numWarmupSteps) return currentStep / Math.max(1, numWarmupSteps);
    return Math.max(0.0, (numTrainingSteps - currentStep) / Math.max(1, numTrainingSteps - numWarmupSteps));
  };
  return new LambdaLR(optimizer, lrLambda, { lastEpoch });
}
