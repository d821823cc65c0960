/**
 * Batch normalization (as `nn.BatchNorm1d/2d/3d`) and the shared base of the
 * running-statistics norms (PyTorch's `_NormBase`). Buffers carry Python's
 * names (`running_mean`, `running_var`, `num_batches_tracked`) so stateDict()
 * keys equal PyTorch's; `runningMean`, `runningVar` and `numBatchesTracked`
 * read them in camelCase.
 */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { empty, ones, zeros } from '../../creation.js';
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { noGrad } from '../../autograd.js';
import { checkOptions, typeError } from '../../errors.js';
import { pyFloat } from '../repr.js';
import { checkBool, checkInputDims, checkInt, checkNumber, pyBool, pyOptFloat } from './args.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';

/** Options of the BatchNorm and InstanceNorm layers (Python's keyword arguments). */
export interface NormOptions {
  /** Added to the variance; default 1e-5. */
  eps?: number;
  /** Weight of the new batch in the running statistics; null = cumulative average. Default 0.1. */
  momentum?: number | null;
  /** Learn `weight` (ones) and `bias` (zeros); default true for BatchNorm, false for InstanceNorm. */
  affine?: boolean;
  /** Keep running_mean / running_var / num_batches_tracked; default true for BatchNorm, false for InstanceNorm. */
  trackRunningStats?: boolean;
  /** With affine, learn the bias too; default true (PyTorch 2.13's keyword-only `bias`). */
  bias?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

const NORM_OPTIONS = ['eps', 'momentum', 'affine', 'trackRunningStats', 'bias', 'device', 'dtype'];

/** The shared part of BatchNorm and InstanceNorm (PyTorch's `_NormBase`). */
export abstract class NormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  protected constructor(name: string, numFeatures: number, opts: NormOptions, defaults: { affine: boolean; trackRunningStats: boolean }) {
    super();
    checkOptions(opts, NORM_OPTIONS, name);
    this.numFeatures = checkInt(numFeatures, 'numFeatures', 1);
    this.eps = checkNumber(opts.eps, 'eps', 1e-5);
    if (opts.momentum !== undefined && opts.momentum !== null && typeof opts.momentum !== 'number') typeError('a number or null', 'momentum', opts.momentum);
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = checkBool(opts.affine, 'affine', defaults.affine);
    this.trackRunningStats = checkBool(opts.trackRunningStats, 'trackRunningStats', defaults.trackRunningStats);
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.affine ? new Parameter(empty([numFeatures], f)) : null;
    this.bias = this.affine && checkBool(opts.bias, 'bias', true) ? new Parameter(empty([numFeatures], f)) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], f));
      this.registerBuffer('running_var', ones([numFeatures], f));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int64', device: opts.device }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
    this.resetParameters();
  }

  /** The running mean (Python's `running_mean`), or null without trackRunningStats. */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  /** The running variance (Python's `running_var`), or null without trackRunningStats. */
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  /** Batches seen in training (Python's `num_batches_tracked`, int64), or null without trackRunningStats. */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Running mean to zeros, running variance to ones, the batch count to 0. */
  resetRunningStats(): void {
    noGrad(() => {
      this.running_mean?.zero_();
      this.running_var?.fill_(1);
      this.num_batches_tracked?.zero_();
    });
  }

  /** resetRunningStats(), then weight to ones and bias to zeros. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight !== null) init.ones_(this.weight);
    if (this.bias !== null) init.zeros_(this.bias);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyOptFloat(this.momentum)}, affine=${pyBool(this.affine)}, bias=${pyBool(this.bias !== null)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** BatchNorm's forward (PyTorch's `_BatchNorm`). */
abstract class BatchNorm extends NormBase {
  protected abstract readonly inputDims: readonly number[];

  /**
   * Normalizes with the batch statistics in training (updating the running ones
   * and num_batches_tracked) and with the running statistics in eval.
   * @throws RangeError for an input of the wrong number of dims; TorchError when libtorch rejects it
   *   (e.g. one value per channel in training).
   */
  forward(input: Tensor): Tensor {
    checkInputDims(input, this.inputDims, this.constructor.name);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked !== null) {
      const nbt = this.num_batches_tracked;
      noGrad(() => nbt.add_(1));
      if (this.momentum === null) factor = 1 / nbt.item();
    }
    const bnTraining = this.training ? true : this.running_mean === null && this.running_var === null;
    const useRunning = !this.training || this.trackRunningStats;
    return F.batchNorm(
      input,
      useRunning ? this.running_mean : null,
      useRunning ? this.running_var : null,
      this.weight,
      this.bias,
      bnTraining,
      factor,
      this.eps,
    );
  }
}

/**
 * Batch normalization over (N, C) or (N, C, L) input, as `nn.BatchNorm1d`.
 * @example new nn.BatchNorm1d(100, { momentum: null })
 * @throws TypeError for unknown options or arguments of the wrong kind; RangeError for a non-positive numFeatures.
 */
export class BatchNorm1d extends BatchNorm {
  protected readonly inputDims = [2, 3];
  constructor(numFeatures: number, opts: NormOptions = {}) {
    super('BatchNorm1d', numFeatures, opts, { affine: true, trackRunningStats: true });
  }
}

/** Batch normalization over (N, C, H, W) input, as `nn.BatchNorm2d`. @throws as BatchNorm1d. */
export class BatchNorm2d extends BatchNorm {
  protected readonly inputDims = [4];
  constructor(numFeatures: number, opts: NormOptions = {}) {
    super('BatchNorm2d', numFeatures, opts, { affine: true, trackRunningStats: true });
  }
}

/** Batch normalization over (N, C, D, H, W) input, as `nn.BatchNorm3d`. @throws as BatchNorm1d. */
export class BatchNorm3d extends BatchNorm {
  protected readonly inputDims = [5];
  constructor(numFeatures: number, opts: NormOptions = {}) {
    super('BatchNorm3d', numFeatures, opts, { affine: true, trackRunningStats: true });
  }
}
