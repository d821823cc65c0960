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
  /** Learn weight (ones) and bias (zeros) (default true). */
  elementwiseAffine?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/** Normalizes over the trailing `normalizedShape` dims. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: number | number[], opts: LayerNormOptions = {}) {
    super();
    checkOptions(opts, ['eps', 'elementwiseAffine', 'device', 'dtype'], 'LayerNorm');
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, f)) : null;
    this.bias = this.elementwiseAffine ? new Parameter(zeros(this.normalizedShape, f)) : null;
  }

  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''}), eps=${pyFloat(this.eps)}, elementwise_affine=${this.elementwiseAffine ? 'True' : 'False'}`;
  }
}
