/** Layer normalization. */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { ones, zeros } from '../../creation.js';
import { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import { checkOptions } from '../../errors.js';
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
