/** Losses over class scores: CrossEntropy, NLL, BCE, BCEWithLogits, the margin losses over classes, CTC. */
import { Tensor } from '../../../tensor.js';
import * as F from '../../functional.js';
import { rangeError } from '../../../errors.js';
import { Linear } from '../linear.js';
import { pyFloat } from '../../repr.js';
import type { DType } from '../../../dtype.js';
import type { DeviceLike } from '../../../device.js';
import { Loss, WeightedLoss, boolOption, intOption, numberOption, tensorOption, type LossOptions, type WeightedLossOptions } from './base.js';

/** Options of CrossEntropyLoss. */
export interface CrossEntropyLossOptions extends WeightedLossOptions {
  /** Target class that contributes nothing (default -100). */
  ignoreIndex?: number;
  /** Label smoothing in [0, 1] (default 0). */
  labelSmoothing?: number;
}

/**
 * Cross entropy from logits against class indices or class probabilities
 * (a float target of input's shape). Options: weight (buffer), ignoreIndex
 * (-100), reduction ('mean'), labelSmoothing (0).
 * @throws TypeError for an unknown option; RangeError for labelSmoothing outside [0, 1].
 */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(opts: CrossEntropyLossOptions = {}) {
    super(opts, ['ignoreIndex', 'labelSmoothing']);
    this.ignoreIndex = intOption(opts.ignoreIndex, 'ignoreIndex', -100);
    this.labelSmoothing = numberOption(opts.labelSmoothing, 'labelSmoothing', 0);
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1)) rangeError('a value in [0, 1]', 'labelSmoothing', this.labelSmoothing);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Negative log likelihood of log-probabilities at class indices. Options: weight (buffer), ignoreIndex (-100), reduction. */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  constructor(opts: WeightedLossOptions & { ignoreIndex?: number } = {}) {
    super(opts, ['ignoreIndex']);
    this.ignoreIndex = intOption(opts.ignoreIndex, 'ignoreIndex', -100);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Binary cross entropy of probabilities. Options: weight (buffer), reduction. */
export class BCELoss extends WeightedLoss {
  constructor(opts: WeightedLossOptions = {}) {
    super(opts, []);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross entropy from logits. Options: weight and posWeight (buffers `weight`, `pos_weight`), reduction. */
export class BCEWithLogitsLoss extends WeightedLoss {
  constructor(opts: WeightedLossOptions & { posWeight?: Tensor | null } = {}) {
    super(opts, ['posWeight']);
    this.registerBuffer('pos_weight', tensorOption(opts.posWeight, 'posWeight'));
  }
  /** The positive-class weight (the buffer `pos_weight`). */
  get posWeight(): Tensor | null {
    return (this as unknown as { pos_weight: Tensor | null }).pos_weight;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

/** One-versus-all logistic loss over classes for multi-label targets. Options: weight (buffer), reduction. */
export class MultiLabelSoftMarginLoss extends WeightedLoss {
  constructor(opts: WeightedLossOptions = {}) {
    super(opts, []);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.multilabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Multi-class hinge loss. Options: p (1 or 2, default 1), margin (1), weight (buffer), reduction. @throws RangeError unless p is 1 or 2. */
export class MultiMarginLoss extends WeightedLoss {
  readonly p: number;
  readonly margin: number;
  constructor(opts: WeightedLossOptions & { p?: number; margin?: number } = {}) {
    super(opts, ['p', 'margin']);
    this.p = numberOption(opts.p, 'p', 1);
    if (this.p !== 1 && this.p !== 2) rangeError('1 or 2', 'p', this.p);
    this.margin = numberOption(opts.margin, 'margin', 1);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.multiMarginLoss(input, target, { p: this.p, margin: this.margin, weight: this.weight, reduction: this.reduction });
  }
}

/** Multi-class multi-label hinge loss (targets: class indices padded with -1). Options: reduction. */
export class MultiLabelMarginLoss extends Loss {
  constructor(opts: LossOptions = {}) {
    super(opts, []);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.multilabelMarginLoss(input, target, { reduction: this.reduction });
  }
}

/** Two-class logistic loss, targets 1 or -1. Options: reduction. */
export class SoftMarginLoss extends Loss {
  constructor(opts: LossOptions = {}) {
    super(opts, []);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.softMarginLoss(input, target, { reduction: this.reduction });
  }
}

/** Connectionist temporal classification. Options: blank (0), reduction ('mean'), zeroInfinity (false). */
export class CTCLoss extends Loss {
  readonly blank: number;
  readonly zeroInfinity: boolean;
  constructor(opts: LossOptions & { blank?: number; zeroInfinity?: boolean } = {}) {
    super(opts, ['blank', 'zeroInfinity']);
    this.blank = intOption(opts.blank, 'blank', 0);
    if (this.blank < 0) rangeError('a non-negative integer', 'blank', this.blank);
    this.zeroInfinity = boolOption(opts.zeroInfinity, 'zeroInfinity', false);
  }
  /** logProbs [T, N, C] (or [T, C]), targets, and the lengths as tensors or integer arrays. */
  forward(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[], targetLengths: Tensor | readonly number[]): Tensor {
    const o = { blank: this.blank, reduction: this.reduction, zeroInfinity: this.zeroInfinity };
    if (inputLengths instanceof Tensor && targetLengths instanceof Tensor) return F.ctcLoss(logProbs, targets, inputLengths, targetLengths, o);
    if (inputLengths instanceof Tensor || targetLengths instanceof Tensor)
      throw new TypeError('Expected inputLengths and targetLengths both Tensors or both integer arrays');
    return F.ctcLoss(logProbs, targets, inputLengths, targetLengths, o);
  }
}

/** NLLLoss under its deprecated 2-D name (as torch.nn.NLLLoss2d). */
export class NLLLoss2d extends NLLLoss {}

/** Options of LinearCrossEntropyLoss (Python's keyword-only arguments). */
export interface LinearCrossEntropyLossOptions extends WeightedLossOptions {
  /** Extra output dims (d1, ..., dK) for a K-dimensional loss (default []). */
  outFeatures?: readonly number[];
  /** Learn a bias for the logits (default false). */
  bias?: boolean;
  device?: DeviceLike;
  dtype?: DType;
  /** Target class that contributes nothing (default null: -100). */
  ignoreIndex?: number | null;
  /** Label smoothing in [0, 1] (default 0). */
  labelSmoothing?: number;
}

/**
 * Cross entropy of `linear(input)` (logits of numClasses x outFeatures) and
 * target, with the projection as the child `linear` (keys `linear.weight`,
 * `linear.bias`) as PyTorch 2.13's module. This is PyTorch's reference path
 * (`options=None`); the chunked path is not implemented.
 * @throws RangeError for sizes that are not positive integers, a weight not of shape [numClasses] or labelSmoothing outside [0, 1]; TypeError for an unknown option.
 */
export class LinearCrossEntropyLoss extends WeightedLoss {
  readonly numClasses: number;
  readonly outFeatures: readonly number[];
  readonly ignoreIndex: number | null;
  readonly labelSmoothing: number;
  linear: Linear;
  constructor(inFeatures: number, numClasses: number, opts: LinearCrossEntropyLossOptions = {}) {
    super(opts, ['outFeatures', 'bias', 'device', 'dtype', 'ignoreIndex', 'labelSmoothing']);
    if (!Number.isInteger(inFeatures) || inFeatures < 1) rangeError('a positive integer', 'inFeatures', inFeatures);
    if (!Number.isInteger(numClasses) || numClasses < 1) rangeError('a positive integer', 'numClasses', numClasses);
    const out = opts.outFeatures ?? [];
    if (!Array.isArray(out) || out.some((d) => !Number.isInteger(d) || d < 1)) rangeError('an array of positive integers', 'outFeatures', out);
    if (this.weight !== null && (this.weight.dim() !== 1 || this.weight.size(0) !== numClasses)) {
      throw new RangeError(`Expected a Tensor of shape [${numClasses}] for weight but received a Tensor of shape [${this.weight.shape.join(', ')}]`);
    }
    this.numClasses = numClasses;
    this.outFeatures = [...out];
    const ii = opts.ignoreIndex ?? null;
    this.ignoreIndex = ii === null ? null : intOption(ii, 'ignoreIndex', -100);
    this.labelSmoothing = numberOption(opts.labelSmoothing, 'labelSmoothing', 0);
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1)) rangeError('a value in [0, 1]', 'labelSmoothing', this.labelSmoothing);
    const width = this.outFeatures.reduce((a, b) => a * b, numClasses);
    this.linear = new Linear(inFeatures, width, { bias: boolOption(opts.bias, 'bias', false), device: opts.device, dtype: opts.dtype });
  }
  /** input [inFeatures] or [N, inFeatures]; target as CrossEntropyLoss's for logits [N, numClasses, ...outFeatures]. */
  forward(input: Tensor, target: Tensor): Tensor {
    const flat = this.linear.forward(input);
    const lead = input.dim() === 1 ? [] : [input.size(0)];
    const logits = flat.reshape([...lead, this.numClasses, ...this.outFeatures]);
    flat.dispose();
    const out = F.crossEntropy(logits, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex ?? -100,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
    logits.dispose();
    return out;
  }
  override extraRepr(): string {
    const o = this.outFeatures;
    const tuple = o.length === 1 ? `(${o[0]},)` : `(${o.join(', ')})`;
    return (
      `in_features=${this.linear.inFeatures}, num_classes=${this.numClasses}, out_features=${tuple}, bias=${this.linear.bias !== null ? 'True' : 'False'}, ` +
      `reduction=${this.reduction}, ignore_index=${this.ignoreIndex === null ? 'None' : this.ignoreIndex}, label_smoothing=${pyFloat(this.labelSmoothing)}, options=None`
    );
  }
}
