/** Loss modules wrapping nn.functional. */
import { Module } from '../module.js';
import { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import { checkOptions } from '../../errors.js';

/** Cross entropy from logits (ignoreIndex -100, reduction 'mean', labelSmoothing 0). */
export class CrossEntropyLoss extends Module {
  weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly reduction: F.Reduction;
  readonly labelSmoothing: number;
  constructor(opts: F.CrossEntropyOptions = {}) {
    super();
    checkOptions(opts, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'], 'CrossEntropyLoss');
    this.weight = null;
    this.registerBuffer('weight', opts.weight ?? null);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.reduction = opts.reduction ?? 'mean';
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

/** Negative log likelihood (ignoreIndex -100, reduction 'mean'). */
export class NLLLoss extends Module {
  weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly reduction: F.Reduction;
  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: F.Reduction } = {}) {
    super();
    checkOptions(opts, ['weight', 'ignoreIndex', 'reduction'], 'NLLLoss');
    this.weight = null;
    this.registerBuffer('weight', opts.weight ?? null);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.reduction = opts.reduction ?? 'mean';
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Mean squared error (reduction 'mean'). */
export class MSELoss extends Module {
  constructor(readonly reduction: F.Reduction = 'mean') {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error (reduction 'mean'). */
export class L1Loss extends Module {
  constructor(readonly reduction: F.Reduction = 'mean') {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Binary cross entropy from logits (weight, posWeight optional; reduction 'mean'). */
export class BCEWithLogitsLoss extends Module {
  weight: Tensor | null;
  posWeight: Tensor | null;
  readonly reduction: F.Reduction;
  constructor(opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: F.Reduction } = {}) {
    super();
    checkOptions(opts, ['weight', 'posWeight', 'reduction'], 'BCEWithLogitsLoss');
    this.weight = null;
    this.posWeight = null;
    this.registerBuffer('weight', opts.weight ?? null);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
    this.reduction = opts.reduction ?? 'mean';
  }
  forward(input: Tensor, target: Tensor): Tensor {
    const pw = (this as unknown as { pos_weight: Tensor | null }).pos_weight;
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: pw, reduction: this.reduction });
  }
}
