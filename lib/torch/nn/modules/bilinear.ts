/** Bilinear (as `nn.Bilinear`): y = x1^T A x2 + b. */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { empty } from '../../creation.js';
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { checkOptions } from '../../errors.js';
import { checkBool, checkInt, pyBool } from './args.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';

/** Options of Bilinear. */
export interface BilinearOptions {
  /** Default true. */
  bias?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/**
 * Bilinear map of two inputs, as `nn.Bilinear`: `weight` [out, in1, in2] and `bias` [out],
 * both U(-1/sqrt(in1), 1/sqrt(in1)).
 * @throws TypeError for unknown options or arguments of the wrong kind; RangeError for non-positive sizes.
 */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(in1Features: number, in2Features: number, outFeatures: number, opts: BilinearOptions = {}) {
    super();
    checkOptions(opts, ['bias', 'device', 'dtype'], 'Bilinear');
    this.in1Features = checkInt(in1Features, 'in1Features', 1);
    this.in2Features = checkInt(in2Features, 'in2Features', 1);
    this.outFeatures = checkInt(outFeatures, 'outFeatures', 1);
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features], f));
    this.bias = checkBool(opts.bias, 'bias', true) ? new Parameter(empty([outFeatures], f)) : null;
    this.resetParameters();
  }

  /** Re-draws weight and bias from U(-1/sqrt(in1Features), 1/sqrt(in1Features)). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.size(1));
    init.uniform_(this.weight, -bound, bound);
    if (this.bias !== null) init.uniform_(this.bias, -bound, bound);
  }

  /** @throws TorchError when the inputs' last dims differ from in1Features / in2Features. */
  forward(input1: Tensor, input2: Tensor): Tensor {
    return F.bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
