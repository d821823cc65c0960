/** ReduceLROnPlateau, as `torch.optim.lr_scheduler.ReduceLROnPlateau` in PyTorch 2.x. */
import { describe } from '../errors.js';
import { PyFloat } from '../py-value.js';
import type { Optimizer } from './optimizer.js';
import { LRScheduler, checkNums, num, nums, requireNumber, type LRSchedulerStateDict, type SchedulerOptions } from './lr_scheduler.js';

/** Options of {@link ReduceLROnPlateau} (it takes no lastEpoch, as PyTorch). */
export interface ReduceLROnPlateauOptions {
  /** 'min' (default): reduce when the metric stops decreasing; 'max': when it stops increasing. */
  mode?: 'min' | 'max';
  /** Factor of the reduction (default 0.1), < 1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** What counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): relative to the best; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** Lower bound on the lr, one or per group (default 0). */
  minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduces the lr by `factor` when a metric has stopped improving for `patience` epochs.
 * Call `step(metric)` after each validation.
 */
export class ReduceLROnPlateau extends LRScheduler {
  factor: number;
  defaultMinLr: number | null;
  minLrs: number[];
  patience: number;
  cooldown: number;
  eps: number;
  modeWorse = Infinity;
  mode: 'min' | 'max' = 'min';
  threshold = 1e-4;
  thresholdMode: 'rel' | 'abs' = 'rel';
  best = Infinity;
  cooldownCounter = 0;
  numBadEpochs = 0;

  /**
   * @param opts mode 'min', factor 0.1, patience 10, threshold 1e-4, thresholdMode 'rel', cooldown 0, minLr 0, eps 1e-8.
   * @throws RangeError "Factor should be < 1.0.", "expected 2 min_lrs, got 1", "mode x is unknown!",
   *   "threshold mode x is unknown!"; TypeError for an unknown option (lastEpoch included) or a value of the wrong kind.
   */
  constructor(optimizer: Optimizer, opts: ReduceLROnPlateauOptions = {}) {
    super(
      optimizer,
      opts as SchedulerOptions,
      ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'],
      'ReduceLROnPlateau',
      false,
    );
    const factor = requireNumber(opts.factor ?? 0.1, 'factor');
    if (factor >= 1.0) throw new RangeError('Factor should be < 1.0.');
    this.factor = factor;
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n) throw new RangeError(`expected ${n} min_lrs, got ${minLr.length}`);
      this.defaultMinLr = null;
      this.minLrs = (minLr as readonly unknown[]).map((x, i) => requireNumber(x, `minLr[${i}]`));
    } else {
      this.defaultMinLr = requireNumber(minLr, 'minLr');
      this.minLrs = new Array<number>(n).fill(this.defaultMinLr);
    }
    this.patience = requireNumber(opts.patience ?? 10, 'patience');
    this.cooldown = requireNumber(opts.cooldown ?? 0, 'cooldown');
    this.eps = requireNumber(opts.eps ?? 1e-8, 'eps');
    this.lastEpoch = 0;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
    this.initIsBetter(opts.mode ?? 'min', requireNumber(opts.threshold ?? 1e-4, 'threshold'), opts.thresholdMode ?? 'rel');
    this.reset();
  }

  private reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  private initIsBetter(mode: unknown, threshold: number, thresholdMode: unknown): void {
    if (mode !== 'min' && mode !== 'max') throw new RangeError(`mode ${String(mode)} is unknown!`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new RangeError(`threshold mode ${String(thresholdMode)} is unknown!`);
    this.modeWorse = mode === 'min' ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1.0 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1.0);
    return a > best + this.threshold;
  }

  /** True while cooling down after a reduction. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  protected getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * Records the metric of an epoch and reduces the lr when it has not improved for `patience` epochs.
   * @throws TypeError when `metrics` is not a number (PyTorch requires it too);
   *   Error when groups were added and minLr was given per group.
   */
  override step(metrics?: number): void {
    if (typeof metrics !== 'number') throw new TypeError(`Expected a number for metrics but received ${describe(metrics)}`);
    const current = metrics;
    const epoch = this.lastEpoch + 1;
    this.lastEpoch = epoch;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.minLrs.length) {
      if (this.defaultMinLr === null) {
        throw new Error(
          `The number of param groups in the \`optimizer\` (${groups.length}) differs from when \`ReduceLROnPlateau\` was initialized ` +
            `(${this.minLrs.length}), usually due to a new param group being added to the optimizer. Please modify the \`min_lrs\` field ` +
            'to match the length of the `optimizer` param groups.',
        );
      }
      this.minLrs = new Array<number>(groups.length).fill(this.defaultMinLr);
    }
    groups.forEach((g, i) => {
      const oldLr = g.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) g.lr = newLr;
    });
  }

  /** Python's attribute names and order: `{factor, default_min_lr, min_lrs, ..., best, cooldown_counter, num_bad_epochs}`. */
  override stateDict(): LRSchedulerStateDict {
    return {
      factor: this.factor,
      default_min_lr: this.defaultMinLr,
      min_lrs: [...this.minLrs],
      patience: this.patience,
      cooldown: this.cooldown,
      eps: this.eps,
      last_epoch: this.lastEpoch,
      _last_lr: [...this.lastLr],
      mode_worse: new PyFloat(this.modeWorse),
      mode: this.mode,
      threshold: this.threshold,
      threshold_mode: this.thresholdMode,
      best: this.best,
      cooldown_counter: this.cooldownCounter,
      num_bad_epochs: this.numBadEpochs,
    };
  }

  /**
   * Restores the state (keys it lacks are left alone); mode and threshold are re-checked, as PyTorch.
   * Nothing changes when it throws.
   * @throws TypeError for a value of the wrong kind; RangeError for an unknown mode or threshold mode.
   */
  override loadStateDict(stateDict: LRSchedulerStateDict): void {
    if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) {
      throw new TypeError(`Expected a scheduler state dict object for stateDict but received ${describe(stateDict)}`);
    }
    const sd = stateDict;
    checkNums(sd, ['factor', 'patience', 'cooldown', 'eps', 'last_epoch', 'mode_worse', 'threshold', 'best', 'cooldown_counter', 'num_bad_epochs']);
    for (const k of ['min_lrs', '_last_lr']) {
      const v = sd[k];
      if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'number' || x instanceof PyFloat))) {
        throw new TypeError(`Expected a list of numbers for ${k} but received ${describe(v)}`);
      }
    }
    const mode = sd.mode ?? this.mode;
    const thresholdMode = sd.threshold_mode ?? this.thresholdMode;
    if (mode !== 'min' && mode !== 'max') throw new RangeError(`mode ${String(mode)} is unknown!`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new RangeError(`threshold mode ${String(thresholdMode)} is unknown!`);
    if (sd.factor !== undefined) this.factor = num(sd.factor);
    if (sd.default_min_lr !== undefined) this.defaultMinLr = sd.default_min_lr === null ? null : num(sd.default_min_lr);
    if (sd.min_lrs !== undefined) this.minLrs = nums(sd.min_lrs);
    if (sd.patience !== undefined) this.patience = num(sd.patience);
    if (sd.cooldown !== undefined) this.cooldown = num(sd.cooldown);
    if (sd.eps !== undefined) this.eps = num(sd.eps);
    if (sd.last_epoch !== undefined) this.lastEpoch = num(sd.last_epoch);
    if (sd._last_lr !== undefined) this.lastLr = nums(sd._last_lr);
    if (sd.best !== undefined) this.best = num(sd.best);
    if (sd.cooldown_counter !== undefined) this.cooldownCounter = num(sd.cooldown_counter);
    if (sd.num_bad_epochs !== undefined) this.numBadEpochs = num(sd.num_bad_epochs);
    this.initIsBetter(mode, sd.threshold !== undefined ? num(sd.threshold) : this.threshold, thresholdMode);
  }
}
