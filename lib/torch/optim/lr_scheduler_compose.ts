/** SequentialLR and ChainedScheduler, as `torch.optim.lr_scheduler` in PyTorch 2.x: schedulers made of schedulers. */
import { describe } from '../errors.js';
import type { PyValue } from '../py-value.js';
import type { Optimizer } from './optimizer.js';
import { LRScheduler, nums, type LRSchedulerStateDict, type SchedulerOptions } from './lr_scheduler.js';
import { ReduceLROnPlateau } from './reduce_lr_on_plateau.js';

/** Checks the schedulers of a SequentialLR/ChainedScheduler (PyTorch's messages); returns the optimizer. */
function checkSchedulers(where: string, schedulers: unknown, optimizer: Optimizer | undefined): Optimizer {
  if (!Array.isArray(schedulers)) throw new TypeError(`Expected an array of schedulers for schedulers but received ${describe(schedulers)}`);
  const what = where === 'SequentialLR' ? 'at least one scheduler' : 'at least one scheduler to be chained';
  if (schedulers.length < 1) throw new RangeError(`${where} expects ${what}, but got no scheduler.`);
  const opt = optimizer ?? (schedulers[0] as { optimizer?: Optimizer }).optimizer;
  schedulers.forEach((s: unknown, i) => {
    if (!(s instanceof LRScheduler)) throw new TypeError(`${where} at index ${i} should have \`optimizer\` as its attribute.`);
    if (s instanceof ReduceLROnPlateau) {
      throw new RangeError(
        `${where} does not support \`ReduceLROnPlateau\` scheduler as it requires additional kwargs to be specified when calling \`step\`, ` +
          `but got one at index ${i} in the given schedulers sequence.`,
      );
    }
    if (s.optimizer !== opt) {
      throw new RangeError(
        `${where} expects all schedulers to belong to the same optimizer, but got scheduler ${s.constructor.name} at index ${i} has ` +
          `${String(s.optimizer)}, which is different from ${(opt as Optimizer).constructor.name}.`,
      );
    }
  });
  return opt as Optimizer;
}

function loadChildren(where: string, children: LRScheduler[], v: PyValue<never> | undefined): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.length !== children.length) {
    throw new TypeError(`Expected a list of ${children.length} scheduler state dicts for _schedulers of ${where} but received ${describe(v)}`);
  }
  (v as LRSchedulerStateDict[]).forEach((sd, i) => children[i].loadStateDict(sd));
}

/**
 * Runs schedulers one after another: `schedulers[i]` from `milestones[i - 1]` on (restarted at 0 there,
 * in its closed form where it has one, as PyTorch).
 */
export class SequentialLR extends LRScheduler {
  private readonly schedulers: LRScheduler[];
  private readonly milestones: number[];

  /**
   * @param schedulers the schedulers (of this optimizer), in order.
   * @param milestones the epochs at which the next scheduler takes over (one fewer than schedulers).
   * @param opts lastEpoch (-1).
   * @throws TypeError for something that is not a scheduler; RangeError with PyTorch's messages for no
   *   scheduler, a ReduceLROnPlateau, a scheduler of another optimizer, or a wrong number of milestones.
   */
  constructor(optimizer: Optimizer, schedulers: readonly LRScheduler[], milestones: readonly number[], opts: SchedulerOptions = {}) {
    super(optimizer, opts, [], 'SequentialLR');
    checkSchedulers('SequentialLR', schedulers, optimizer);
    if (!Array.isArray(milestones) || !milestones.every((m) => typeof m === 'number')) {
      throw new TypeError(`Expected an array of numbers for milestones but received ${describe(milestones)}`);
    }
    if (milestones.length !== schedulers.length - 1) {
      throw new RangeError(
        'Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, ' +
          `but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`,
      );
    }
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = this.lastEpoch + 1;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) undo(s);
    const idx = bisectRight(this.milestones, 0);
    this.schedulers[idx].initialStep();
    this.lastLr = this.schedulers[idx].getLastLr();
  }

  protected getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Advances one epoch on the scheduler whose turn it is. */
  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const scheduler = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.updateLr(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  /** `{_milestones, last_epoch, _last_lr, _schedulers: [their state dicts]}`, as PyTorch. */
  override stateDict(): LRSchedulerStateDict {
    return {
      _milestones: [...this.milestones],
      last_epoch: this.lastEpoch,
      _last_lr: [...this.lastLr],
      _schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  /**
   * Restores its own state and each scheduler's.
   * @throws TypeError for a malformed state dict (and as each scheduler's loadStateDict).
   */
  override loadStateDict(stateDict: LRSchedulerStateDict): void {
    if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) {
      throw new TypeError(`Expected a scheduler state dict object for stateDict but received ${describe(stateDict)}`);
    }
    loadChildren('SequentialLR', this.schedulers, stateDict._schedulers);
    if (stateDict._milestones !== undefined) this.milestones.splice(0, this.milestones.length, ...nums(stateDict._milestones));
    if (stateDict.last_epoch !== undefined) this.lastEpoch = nums([stateDict.last_epoch])[0];
    if (stateDict._last_lr !== undefined) this.lastLr = nums(stateDict._last_lr);
  }
}

/** PyTorch's `recursive_undo`: steps every (nested) scheduler's lastEpoch back by one. */
function undo(s: LRScheduler): void {
  const children = s instanceof SequentialLR || s instanceof ChainedScheduler ? (s as unknown as { schedulers: LRScheduler[] }).schedulers : null;
  if (children !== null) for (const c of children) undo(c);
  else s.lastEpoch -= 1;
}

function bisectRight(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Steps several schedulers together at every step (their effects multiply, for the chainable ones). */
export class ChainedScheduler extends LRScheduler {
  private readonly schedulers: LRScheduler[];

  /**
   * @param schedulers the schedulers to step together (of one optimizer).
   * @param optimizer their optimizer (default: the first scheduler's).
   * @throws TypeError for something that is not a scheduler; RangeError with PyTorch's messages for no
   *   scheduler, a ReduceLROnPlateau, or a scheduler of another optimizer.
   */
  constructor(schedulers: readonly LRScheduler[], optimizer?: Optimizer) {
    super(checkSchedulers('ChainedScheduler', schedulers, optimizer), {}, [], 'ChainedScheduler');
    this.schedulers = [...schedulers];
    this.lastLr = this.schedulers[this.schedulers.length - 1].optimizer.paramGroups.map((g) => g.lr);
  }

  protected getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Steps every scheduler, in order. */
  override step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.schedulers[this.schedulers.length - 1].optimizer.paramGroups.map((g) => g.lr);
  }

  /** `{_last_lr, _schedulers: [their state dicts]}`, as PyTorch. */
  override stateDict(): LRSchedulerStateDict {
    return { _last_lr: [...this.lastLr], _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /**
   * Restores its own state and each scheduler's.
   * @throws TypeError for a malformed state dict (and as each scheduler's loadStateDict).
   */
  override loadStateDict(stateDict: LRSchedulerStateDict): void {
    if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) {
      throw new TypeError(`Expected a scheduler state dict object for stateDict but received ${describe(stateDict)}`);
    }
    loadChildren('ChainedScheduler', this.schedulers, stateDict._schedulers);
    if (stateDict._last_lr !== undefined) this.lastLr = nums(stateDict._last_lr);
  }
}
