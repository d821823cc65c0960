/** Losses over class scores: CrossEntropy, NLL, BCE, BCEWithLogits, the margin losses over classes, CTC. */
import { Tensor } from '../../../tensor.js';
import * as F from '../../functional.js';
import { rangeError } from '../../../errors.js';
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
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
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
    if (inputLengths instanceof Tensor || targetLengths instanceof Tensor) throw new TypeError('Expected inputLengths and targetLengths both Tensors or both integer arrays');
    return F.ctcLoss(logProbs, targets, inputLengths, targetLengths, o);
  }
}
