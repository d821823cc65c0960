/** Layer, group, RMS and local response normalization. */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { ones, zeros } from '../../creation.js';
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import { checkOptions, rangeError, typeError } from '../../errors.js';
import { checkBool, checkInt, checkNumber, pyBool, pyOptFloat, pyTuple } from './args.js';
import { pyFloat } from '../repr.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';

/** Options of LayerNorm. */
export interface LayerNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Learn a weight (ones) and, with `bias`, a bias (zeros) (default true). */
  elementwiseAffine?: boolean;
  /** Learn the bias too when elementwiseAffine (default true). */
  bias?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/**
 * Normalizes over the trailing `normalizedShape` dims, as `nn.LayerNorm`.
 * Parameters `weight` and `bias` (null without elementwiseAffine; bias null with `bias: false`).
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  /**
   * @param normalizedShape the trailing shape to normalize over.
   * @param opts eps (default 1e-5), elementwiseAffine (true), bias (true), device, dtype.
   * @throws TypeError for an unknown option.
   */
  constructor(normalizedShape: number | number[], opts: LayerNormOptions = {}) {
    super();
    checkOptions(opts, ['eps', 'elementwiseAffine', 'bias', 'device', 'dtype'], 'LayerNorm');
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, f)) : null;
    this.bias = this.elementwiseAffine && (opts.bias ?? true) ? new Parameter(zeros(this.normalizedShape, f)) : null;
  }

  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''}), eps=${pyFloat(this.eps)}, elementwise_affine=${this.elementwiseAffine ? 'True' : 'False'}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}

/** Options of GroupNorm. */
export interface GroupNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Learn per-channel `weight` (ones) and `bias` (zeros); default true. */
  affine?: boolean;
  /** With affine, learn the bias too; default true. */
  bias?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/**
 * Group normalization over (N, C, *) input: channels in `numGroups` groups, as `nn.GroupNorm`.
 * @throws TypeError for unknown options or arguments of the wrong kind; RangeError for non-positive sizes
 *   or numChannels not divisible by numGroups.
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, opts: GroupNormOptions = {}) {
    super();
    checkOptions(opts, ['eps', 'affine', 'bias', 'device', 'dtype'], 'GroupNorm');
    this.numGroups = checkInt(numGroups, 'numGroups', 1);
    this.numChannels = checkInt(numChannels, 'numChannels', 1);
    if (numChannels % numGroups !== 0) rangeError(`a multiple of numGroups (${numGroups})`, 'numChannels', numChannels);
    this.eps = checkNumber(opts.eps, 'eps', 1e-5);
    this.affine = checkBool(opts.affine, 'affine', true);
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.affine ? new Parameter(ones([numChannels], f)) : null;
    this.bias = this.affine && checkBool(opts.bias, 'bias', true) ? new Parameter(zeros([numChannels], f)) : null;
  }

  /** @throws TorchError when the input's channels differ from numChannels. */
  forward(input: Tensor): Tensor {
    return F.groupNorm(input, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Options of RMSNorm. */
export interface RMSNormOptions {
  /** Added inside the square root; default null (the dtype's machine epsilon, as PyTorch). */
  eps?: number | null;
  /** Learn a `weight` (ones); default true. */
  elementwiseAffine?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/**
 * Root-mean-square normalization over the trailing `normalizedShape` dims, as `nn.RMSNorm`.
 * @throws TypeError for unknown options or arguments of the wrong kind; RangeError for non-positive sizes.
 */
export class RMSNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: RMSNormOptions = {}) {
    super();
    checkOptions(opts, ['eps', 'elementwiseAffine', 'device', 'dtype'], 'RMSNorm');
    this.normalizedShape = typeof normalizedShape === 'number' ? [checkInt(normalizedShape, 'normalizedShape', 1)] : ntupleAny(normalizedShape);
    if (opts.eps !== undefined && opts.eps !== null && typeof opts.eps !== 'number') typeError('a number or null', 'eps', opts.eps);
    this.eps = opts.eps ?? null;
    this.elementwiseAffine = checkBool(opts.elementwiseAffine, 'elementwiseAffine', true);
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype: opts.dtype, device: opts.device })) : null;
  }

  /** @throws TorchError when the input's trailing shape differs from normalizedShape. */
  forward(input: Tensor): Tensor {
    return F.rmsNorm(input, this.normalizedShape, this.weight, this.eps);
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyOptFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

function ntupleAny(v: unknown): number[] {
  if (!Array.isArray(v)) typeError('an integer or an array of integers', 'normalizedShape', v);
  return (v as unknown[]).map((x, i) => checkInt(x, `normalizedShape[${i}]`, 1));
}

/** Options of LocalResponseNorm (Python's keyword arguments after size). */
export interface LocalResponseNormOptions {
  /** Default 1e-4. */
  alpha?: number;
  /** Default 0.75. */
  beta?: number;
  /** Default 1. */
  k?: number;
}

/**
 * Local response normalization across channels, as `nn.LocalResponseNorm`.
 * @throws TypeError for unknown options or arguments of the wrong kind; RangeError for a non-positive size.
 */
export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;

  constructor(size: number, opts: LocalResponseNormOptions = {}) {
    super();
    checkOptions(opts, ['alpha', 'beta', 'k'], 'LocalResponseNorm');
    this.size = checkInt(size, 'size', 1);
    this.alpha = checkNumber(opts.alpha, 'alpha', 1e-4);
    this.beta = checkNumber(opts.beta, 'beta', 0.75);
    this.k = checkNumber(opts.k, 'k', 1);
  }

  /** @throws RangeError for input with fewer than 3 dims. */
  forward(input: Tensor): Tensor {
    return F.localResponseNorm(input, this.size, { alpha: this.alpha, beta: this.beta, k: this.k });
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
