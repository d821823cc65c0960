/**
 * More learning-rate schedulers, as `torch.optim.lr_scheduler` in PyTorch 2.x:
 * MultiplicativeLR, MultiStepLR, ConstantLR, ExponentialLR, PolynomialLR,
 * CyclicLR, CosineAnnealingWarmRestarts, ReduceLROnPlateau, SequentialLR and
 * ChainedScheduler. The same recursive formulas as PyTorch (so lr sequences
 * match Python's), state dicts under Python's attribute names in Python's
 * order. The base class and the first schedulers are in lr_scheduler.ts.
 */
import { describe } from '../errors.js';
import { PyFloat, PyGlobal, PyReduce, pyFloat, tuple, type PyValue } from '../py-value.js';
import type { Optimizer } from './optimizer.js';
import {
  LRScheduler,
  checkNums,
  formatParam,
  num,
  nums,
  requireNumber,
  type LrLambda,
  type LRSchedulerStateDict,
  type SchedulerOptions,
} from './lr_scheduler.js';

function isFn(f: unknown): f is LrLambda {
  return typeof f === 'function';
}

/** One lambda for all groups, or one per group (PyTorch's LambdaLR/MultiplicativeLR rule). */
function lambdasFor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[]): LrLambda[] {
  const n = optimizer.paramGroups.length;
  let lambdas: LrLambda[];
  if (Array.isArray(lrLambda)) {
    if (lrLambda.length !== n) throw new RangeError(`Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
    lambdas = [...(lrLambda as readonly LrLambda[])];
  } else {
    lambdas = new Array<LrLambda>(n).fill(lrLambda as LrLambda);
  }
  for (const f of lambdas) if (!isFn(f)) throw new TypeError(`Expected a function for lrLambda but received ${describe(f)}`);
  return lambdas;
}

/**
 * Multiplies each group's lr by `lrLambda(epoch)` at every step (from epoch 1 on).
 * The lambdas are not part of the state dict (saved as nulls, as PyTorch does for plain functions).
 */
export class MultiplicativeLR extends LRScheduler {
  private readonly lrLambdas: LrLambda[];

  /**
   * @param lrLambda a function of the epoch, or one per parameter group.
   * @param opts lastEpoch (default -1).
   * @throws TypeError when a lambda is not a function; RangeError "Expected 2 lr_lambdas, but got 1".
   */
  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[], opts: SchedulerOptions = {}) {
    super(optimizer, opts, [], 'MultiplicativeLR');
    this.lrLambdas = lambdasFor(optimizer, lrLambda);
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.isInitial) return groups.map((g) => g.lr);
    return groups.map((g, i) => g.lr * this.lrLambdas[i](this.lastEpoch));
  }

  override stateDict(): LRSchedulerStateDict {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/** Options of {@link MultiStepLR}. */
export interface MultiStepLROptions extends SchedulerOptions {
  /** Epochs at which the lr is multiplied by gamma (required; a repeated epoch multiplies once per repeat). */
  milestones: readonly number[];
  /** Factor of the decay (default 0.1). */
  gamma?: number;
}

/** Reads a milestone counter: Python's `Counter` (a PyReduce), a Map, or an object keyed by epoch. */
function counterOf(v: PyValue<never>): Map<number, number> | null {
  let src: PyValue<never> = v;
  if (v instanceof PyReduce) {
    if (String(v.func) !== 'collections.Counter' || v.args.length > 1) return null;
    src = v.args.length === 0 ? new Map() : v.args[0];
  }
  const out = new Map<number, number>();
  const entries: [unknown, unknown][] =
    src instanceof Map ? [...src.entries()] : src !== null && typeof src === 'object' && !Array.isArray(src) ? Object.entries(src) : [];
  if (!(src instanceof Map) && (src === null || typeof src !== 'object' || Array.isArray(src))) return null;
  for (const [k, c] of entries) {
    const key = Number(k);
    if (!Number.isInteger(key) || typeof c !== 'number') return null;
    out.set(key, c);
  }
  return out;
}

/** Multiplies the lr by `gamma` at each milestone epoch. */
export class MultiStepLR extends LRScheduler {
  /** Milestone epoch → how many times it was given (PyTorch's `Counter`). */
  milestones: Map<number, number>;
  gamma: number;

  /**
   * @param opts milestones (required), gamma (0.1), lastEpoch (-1).
   * @throws TypeError for an unknown option, or milestones that are not an array of integers.
   */
  constructor(optimizer: Optimizer, opts: MultiStepLROptions) {
    super(optimizer, opts, ['milestones', 'gamma'], 'MultiStepLR');
    const ms = opts.milestones;
    if (!Array.isArray(ms) || !ms.every((m) => Number.isInteger(m))) {
      throw new TypeError(`Expected an array of integers for milestones but received ${describe(ms)}`);
    }
    this.milestones = new Map();
    for (const m of ms as number[]) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = requireNumber(opts.gamma ?? 0.1, 'gamma');
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma ** count);
  }

  protected override closedForm(): number[] {
    let passed = 0;
    for (const [m, c] of this.milestones) if (m <= this.lastEpoch) passed += c;
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }

  /** `milestones` is saved as Python's `collections.Counter`. */
  protected override hyperState(): LRSchedulerStateDict {
    return { milestones: new PyReduce(new PyGlobal('collections', 'Counter'), tuple(new Map([...this.milestones]))), gamma: this.gamma };
  }

  protected override loadHyperState(sd: LRSchedulerStateDict, apply: boolean): void {
    if (!apply) {
      checkNums(sd, ['gamma']);
      if (sd.milestones !== undefined && counterOf(sd.milestones) === null) {
        throw new TypeError(`Expected a Counter of epochs for milestones but received ${describe(sd.milestones)}`);
      }
      return;
    }
    if (sd.milestones !== undefined) this.milestones = counterOf(sd.milestones) as Map<number, number>;
    if (sd.gamma !== undefined) this.gamma = num(sd.gamma);
  }
}

/** Options of {@link ConstantLR}. */
export interface ConstantLROptions extends SchedulerOptions {
  /** Factor applied until `totalIters` (default 1/3), in [0, 1]. */
  factor?: number;
  /** Epochs the factor applies for (default 5). */
  totalIters?: number;
}

/** Scales the lr by a constant `factor` until epoch `totalIters`, then restores it. */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;

  /**
   * @param opts factor (1/3), totalIters (5), lastEpoch (-1).
   * @throws RangeError "Constant multiplicative factor expected to be between 0 and 1."; TypeError for an unknown option.
   */
  constructor(optimizer: Optimizer, opts: ConstantLROptions = {}) {
    super(optimizer, opts, ['factor', 'totalIters'], 'ConstantLR');
    const factor = requireNumber(opts.factor ?? 1 / 3, 'factor');
    if (factor > 1.0 || factor < 0) throw new RangeError('Constant multiplicative factor expected to be between 0 and 1.');
    this.factor = factor;
    this.totalIters = requireNumber(opts.totalIters ?? 5, 'totalIters');
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1.0 / this.factor));
  }

  protected override closedForm(): number[] {
    const after = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((base) => base * (this.factor + after * (1 - this.factor)));
  }

  protected override hyperState(): LRSchedulerStateDict {
    return { factor: this.factor, total_iters: this.totalIters };
  }

  protected override loadHyperState(sd: LRSchedulerStateDict, apply: boolean): void {
    if (!apply) return checkNums(sd, ['factor', 'total_iters']);
    if (sd.factor !== undefined) this.factor = num(sd.factor);
    if (sd.total_iters !== undefined) this.totalIters = num(sd.total_iters);
  }
}

/** Options of {@link ExponentialLR}. */
export interface ExponentialLROptions extends SchedulerOptions {
  /** Factor of the decay per epoch (required). */
  gamma: number;
}

/** Multiplies the lr by `gamma` every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  /**
   * @param opts gamma (required), lastEpoch (-1).
   * @throws TypeError for an unknown option or a missing gamma.
   */
  constructor(optimizer: Optimizer, opts: ExponentialLROptions) {
    super(optimizer, opts, ['gamma'], 'ExponentialLR');
    this.gamma = requireNumber(opts.gamma, 'gamma');
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.isInitial) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedForm(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }

  protected override hyperState(): LRSchedulerStateDict {
    return { gamma: this.gamma };
  }

  protected override loadHyperState(sd: LRSchedulerStateDict, apply: boolean): void {
    if (!apply) return checkNums(sd, ['gamma']);
    if (sd.gamma !== undefined) this.gamma = num(sd.gamma);
  }
}

/** Options of {@link PolynomialLR}. */
export interface PolynomialLROptions extends SchedulerOptions {
  /** Epochs over which the lr decays to 0 (default 5). */
  totalIters?: number;
  /** Power of the polynomial (default 1.0). */
  power?: number;
}

/** Decays the lr polynomially to 0 over `totalIters` epochs. */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;

  /**
   * @param opts totalIters (5), power (1.0), lastEpoch (-1).
   * @throws TypeError for an unknown option or a non-number.
   */
  constructor(optimizer: Optimizer, opts: PolynomialLROptions = {}) {
    super(optimizer, opts, ['totalIters', 'power'], 'PolynomialLR');
    this.totalIters = requireNumber(opts.totalIters ?? 5, 'totalIters');
    this.power = requireNumber(opts.power ?? 1.0, 'power');
    this.initialStep();
  }

  protected getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.isInitial || this.lastEpoch > this.totalIters) return groups.map((g) => g.lr);
    const decay = ((1.0 - this.lastEpoch / this.totalIters) / (1.0 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return groups.map((g) => g.lr * decay);
  }

  protected override closedForm(): number[] {
    return this.baseLrs.map((base) => base * (1.0 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power);
  }

  /** `power` holds PyTorch's default 1.0 as a Python float (other whole numbers as ints, as `power=2` in Python). */
  protected override hyperState(): LRSchedulerStateDict {
    return { total_iters: this.totalIters, power: this.power === 1 ? pyFloat(1) : this.power };
  }

  protected override loadHyperState(sd: LRSchedulerStateDict, apply: boolean): void {
    if (!apply) return checkNums(sd, ['total_iters', 'power']);
    if (sd.total_iters !== undefined) this.totalIters = num(sd.total_iters);
    if (sd.power !== undefined) this.power = num(sd.power);
  }
}

/** Options of {@link CyclicLR}. */
export interface CyclicLROptions extends SchedulerOptions {
  /** Lower bound of the cycle, one or per group (required); set as each group's lr at construction. */
  baseLr: number | readonly number[];
  /** Upper bound of the cycle, one or per group (required). */
  maxLr: number | readonly number[];
  /** Steps in the increasing half of a cycle (default 2000). */
  stepSizeUp?: number;
  /** Steps in the decreasing half (default: stepSizeUp). */
  stepSizeDown?: number | null;
  /** 'triangular' (default), 'triangular2' or 'exp_range'; ignored with scaleFn. */
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  /** Base of 'exp_range' (default 1.0). */
  gamma?: number;
  /** A custom scaling policy (replaces mode); not saved in the state dict, as PyTorch for plain functions. */
  scaleFn?: ((x: number) => number) | null;
  /** With scaleFn: evaluate it on the cycle number ('cycle', default) or the iteration ('iterations'). */
  scaleMode?: 'cycle' | 'iterations';
  /** Cycle the momentum (SGD's `momentum` or Adam's `betas[0]`) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  /** Lower momentum bound (default 0.8), one or per group. */
  baseMomentum?: number | readonly number[];
  /** Upper momentum bound (default 0.9), one or per group. */
  maxMomentum?: number | readonly number[];
}

/**
 * Cyclical learning rates (Smith): the lr cycles between baseLr and maxLr, momentum the other way.
 * Step it after every batch.
 */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: string;
  gamma: number;
  scaleMode: 'cycle' | 'iterations';
  cycleMomentum: boolean;
  useBeta1 = false;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  private readonly scaleFnCustom: ((x: number) => number) | null;

  /**
   * @param opts baseLr and maxLr (required), stepSizeUp 2000, stepSizeDown null, mode 'triangular', gamma 1.0,
   *   scaleFn null, scaleMode 'cycle', cycleMomentum true, baseMomentum 0.8, maxMomentum 0.9, lastEpoch -1.
   * @throws TypeError for an unknown option or a value of the wrong kind; RangeError "mode is invalid and
   *   scale_fn is None", "base_lr must have the same length as optimizer.param_groups. ...",
   *   "optimizer must support momentum or beta1 with `cycle_momentum` option enabled".
   */
  constructor(optimizer: Optimizer, opts: CyclicLROptions) {
    super(
      optimizer,
      opts,
      ['baseLr', 'maxLr', 'stepSizeUp', 'stepSizeDown', 'mode', 'gamma', 'scaleFn', 'scaleMode', 'cycleMomentum', 'baseMomentum', 'maxMomentum'],
      'CyclicLR',
    );
    const groups = optimizer.paramGroups;
    const baseLrs = formatParam('base_lr', groups, opts.baseLr);
    if (this.lastEpoch === -1) baseLrs.forEach((lr, i) => (groups[i].lr = lr));
    this.maxLrs = formatParam('max_lr', groups, opts.maxLr);
    const up = requireNumber(opts.stepSizeUp ?? 2000, 'stepSizeUp');
    const down = opts.stepSizeDown === undefined || opts.stepSizeDown === null ? up : requireNumber(opts.stepSizeDown, 'stepSizeDown');
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    const mode = opts.mode ?? 'triangular';
    const scaleFn = opts.scaleFn ?? null;
    if (scaleFn !== null && typeof scaleFn !== 'function') throw new TypeError(`Expected a function or null for scaleFn but received ${describe(scaleFn)}`);
    if (!['triangular', 'triangular2', 'exp_range'].includes(mode) && scaleFn === null) throw new RangeError('mode is invalid and scale_fn is None');
    this.mode = mode;
    this.gamma = requireNumber(opts.gamma ?? 1.0, 'gamma');
    this.scaleFnCustom = scaleFn;
    const scaleMode = opts.scaleMode ?? 'cycle';
    if (scaleMode !== 'cycle' && scaleMode !== 'iterations')
      throw new RangeError(`Expected 'cycle' or 'iterations' for scaleMode but received ${describe(scaleMode)}`);
    this.scaleMode = scaleMode;
    this.initScaleFn();
    this.cycleMomentum = opts.cycleMomentum ?? true;
    if (typeof this.cycleMomentum !== 'boolean') throw new TypeError(`Expected a boolean for cycleMomentum but received ${describe(this.cycleMomentum)}`);
    if (this.cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) {
        throw new RangeError('optimizer must support momentum or beta1 with `cycle_momentum` option enabled');
      }
      this.useBeta1 = 'betas' in optimizer.defaults;
      this.baseMomentums = formatParam('base_momentum', groups, opts.baseMomentum ?? 0.8);
      this.maxMomentums = formatParam('max_momentum', groups, opts.maxMomentum ?? 0.9);
      if (this.lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (this.useBeta1) g.betas = [this.maxMomentums[i], ...(g.betas as number[]).slice(1)];
          else g.momentum = this.maxMomentums[i];
          g.maxMomentum = this.maxMomentums[i];
          g.baseMomentum = this.baseMomentums[i];
        });
      }
    }
    this.initialStep();
    this.baseLrs = baseLrs;
  }

  private initScaleFn(): void {
    if (this.scaleFnCustom !== null) return;
    if (this.mode === 'exp_range') this.scaleMode = 'iterations';
    else this.scaleMode = 'cycle';
  }

  private scale(x: number): number {
    if (this.scaleFnCustom !== null) return this.scaleFnCustom(x);
    if (this.mode === 'triangular') return 1.0;
    if (this.mode === 'triangular2') return 1 / 2.0 ** (x - 1);
    return this.gamma ** x;
  }

  protected getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1.0 + this.lastEpoch / this.totalSize - cycle;
    const scaleFactor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const at = this.scaleMode === 'cycle' ? cycle : this.lastEpoch;
    const lrs = this.baseLrs.map((base, i) => base + (this.maxLrs[i] - base) * scaleFactor * this.scale(at));
    if (this.cycleMomentum) {
      const groups = this.optimizer.paramGroups;
      this.baseMomentums.forEach((bm, i) => {
        const m = this.maxMomentums[i] - (this.maxMomentums[i] - bm) * scaleFactor * this.scale(at);
        if (this.useBeta1) groups[i].betas = [m, ...(groups[i].betas as number[]).slice(1)];
        else groups[i].momentum = m;
      });
    }
    return lrs;
  }

  protected override hyperState(): LRSchedulerStateDict {
    const sd: LRSchedulerStateDict = {
      max_lrs: [...this.maxLrs],
      total_size: pyFloat(this.totalSize),
      step_ratio: pyFloat(this.stepRatio),
      mode: this.mode,
      gamma: this.gamma,
      scale_mode: this.scaleMode,
      cycle_momentum: this.cycleMomentum,
    };
    if (this.cycleMomentum) {
      sd.use_beta1 = this.useBeta1;
      sd.base_momentums = [...this.baseMomentums];
      sd.max_momentums = [...this.maxMomentums];
    }
    return sd;
  }

  /** As PyTorch: `_scale_fn_custom` last, null (a plain function is not saved). */
  override stateDict(): LRSchedulerStateDict {
    const sd = super.stateDict();
    delete sd._scale_fn_custom;
    return { ...sd, _scale_fn_custom: null };
  }

  protected override loadHyperState(sd: LRSchedulerStateDict, apply: boolean): void {
    const lists = ['max_lrs', 'base_momentums', 'max_momentums'];
    if (!apply) {
      checkNums(sd, ['total_size', 'step_ratio', 'gamma']);
      for (const k of lists) {
        const v = sd[k];
        if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'number' || x instanceof PyFloat))) {
          throw new TypeError(`Expected a list of numbers for ${k} but received ${describe(v)}`);
        }
      }
      for (const k of ['mode', 'scale_mode'])
        if (sd[k] !== undefined && typeof sd[k] !== 'string') throw new TypeError(`Expected a string for ${k} but received ${describe(sd[k])}`);
      return;
    }
    if (sd.max_lrs !== undefined) this.maxLrs = nums(sd.max_lrs);
    if (sd.total_size !== undefined) this.totalSize = num(sd.total_size);
    if (sd.step_ratio !== undefined) this.stepRatio = num(sd.step_ratio);
    if (sd.mode !== undefined) this.mode = sd.mode as string;
    if (sd.gamma !== undefined) this.gamma = num(sd.gamma);
    if (sd.scale_mode !== undefined) this.scaleMode = sd.scale_mode as 'cycle' | 'iterations';
    if (typeof sd.cycle_momentum === 'boolean') this.cycleMomentum = sd.cycle_momentum;
    if (typeof sd.use_beta1 === 'boolean') this.useBeta1 = sd.use_beta1;
    if (sd.base_momentums !== undefined) this.baseMomentums = nums(sd.base_momentums);
    if (sd.max_momentums !== undefined) this.maxMomentums = nums(sd.max_momentums);
    this.initScaleFn();
  }
}

/** Options of {@link CosineAnnealingWarmRestarts}. */
export interface CosineAnnealingWarmRestartsOptions extends SchedulerOptions {
  /** Epochs until the first restart (required; PyTorch's `T_0`), a positive integer. */
  t0: number;
  /** Factor by which the period grows after each restart (default 1; PyTorch's `T_mult`), an integer >= 1. */
  tMult?: number;
  /** Minimum lr (default 0.0). */
  etaMin?: number;
}

/**
 * SGDR (Loshchilov & Hutter): cosine annealing from the initial lr to `etaMin`, restarting every
 * `t0 * tMult^i` epochs. `step(epoch)` takes fractional epochs, as PyTorch's.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  tI: number;
  tMult: number;
  etaMin: number;
  tCur: number;

  /**
   * @param opts t0 (required), tMult (1), etaMin (0.0), lastEpoch (-1).
   * @throws RangeError "Expected positive integer T_0, but got 0", "Expected integer T_mult >= 1, but got 0";
   *   TypeError "Expected float or int eta_min, ..." for a non-number etaMin, or an unknown option.
   */
  constructor(optimizer: Optimizer, opts: CosineAnnealingWarmRestartsOptions) {
    super(optimizer, opts, ['t0', 'tMult', 'etaMin'], 'CosineAnnealingWarmRestarts');
    const t0 = opts.t0;
    const tMult = opts.tMult ?? 1;
    const etaMin = opts.etaMin ?? 0.0;
    if (typeof t0 !== 'number' || t0 <= 0 || !Number.isInteger(t0)) throw new RangeError(`Expected positive integer T_0, but got ${String(t0)}`);
    if (typeof tMult !== 'number' || tMult < 1 || !Number.isInteger(tMult)) throw new RangeError(`Expected integer T_mult >= 1, but got ${String(tMult)}`);
    if (typeof etaMin !== 'number') throw new TypeError(`Expected float or int eta_min, but got ${String(etaMin)} of type ${describe(etaMin)}`);
    this.t0 = t0;
    this.tI = t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tCur = this.lastEpoch;
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }

  /**
   * Advances one epoch, restarting the cosine when the period ends; or, given `epoch` (fractional allowed,
   * e.g. `epoch + i / iters` per batch), jumps there, as PyTorch. Does not count `_step_count`, as PyTorch.
   * @throws TypeError for a non-number epoch; RangeError "Expected non-negative epoch, but got -1".
   */
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur = this.tCur + 1;
      if (this.tCur >= this.tI) {
        this.tCur = this.tCur % this.tI;
        this.tI = this.tI * this.tMult;
      }
    } else {
      if (typeof epoch !== 'number') throw new TypeError(`Expected a number for epoch but received ${describe(epoch)}`);
      if (epoch < 0) throw new RangeError(`Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.t0) {
        if (this.tMult === 1) {
          this.tCur = epoch % this.t0;
        } else {
          const n = Math.trunc(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    const values = this.getLr();
    const groups = this.optimizer.paramGroups;
    values.forEach((lr, i) => {
      if (i < groups.length) groups[i].lr = lr;
    });
    this.lastLr = groups.map((g) => g.lr);
  }

  protected override hyperState(): LRSchedulerStateDict {
    return { T_0: this.t0, T_i: this.tI, T_mult: this.tMult, eta_min: this.etaMin === 0 ? pyFloat(0) : this.etaMin, T_cur: this.tCur };
  }

  protected override loadHyperState(sd: LRSchedulerStateDict, apply: boolean): void {
    if (!apply) return checkNums(sd, ['T_0', 'T_i', 'T_mult', 'eta_min', 'T_cur']);
    if (sd.T_0 !== undefined) this.t0 = num(sd.T_0);
    if (sd.T_i !== undefined) this.tI = num(sd.T_i);
    if (sd.T_mult !== undefined) this.tMult = num(sd.T_mult);
    if (sd.eta_min !== undefined) this.etaMin = num(sd.eta_min);
    if (sd.T_cur !== undefined) this.tCur = num(sd.T_cur);
  }
}
