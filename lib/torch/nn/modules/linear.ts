/** Linear (fully connected) layer. */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { empty } from '../../creation.js';
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { checkOptions, rangeError } from '../../errors.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';

/** Options of Linear. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/** y = x A^T + b, with PyTorch's initialization (kaiming-uniform weight, uniform bias). */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  /** @throws RangeError unless the sizes are positive integers; TypeError on unknown options. */
  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    checkOptions(opts, ['bias', 'device', 'dtype'], 'Linear');
    if (!Number.isInteger(inFeatures) || inFeatures < 0) rangeError('a non-negative integer', 'inFeatures', inFeatures);
    if (!Number.isInteger(outFeatures) || outFeatures < 0) rangeError('a non-negative integer', 'outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const factory = { dtype: opts.dtype, device: opts.device };
    this.weight = new Parameter(empty([outFeatures, inFeatures], factory));
    this.bias = (opts.bias ?? true) ? new Parameter(empty([outFeatures], factory)) : null;
    this.resetParameters();
  }

  /** Re-draws weight (kaiming uniform, a = sqrt(5)) and bias (U(-1/sqrt(fan_in), 1/sqrt(fan_in))). */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const fanIn = this.inFeatures;
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}
