/** Losses between predictions and real-valued targets: L1, MSE, Huber, SmoothL1, PoissonNLL, GaussianNLL, KLDiv. */
import type { Tensor } from '../../../tensor.js';
import * as F from '../../functional.js';
import { rangeError } from '../../../errors.js';
import { Loss, boolOption, numberOption, type LossOptions } from './base.js';

/** Mean absolute error. Options: reduction ('mean'). @throws TypeError for an unknown option or reduction. */
export class L1Loss extends Loss {
  constructor(opts: LossOptions = {}) {
    super(opts, []);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Mean squared error. Options: reduction ('mean'). @throws TypeError for an unknown option or reduction. */
export class MSELoss extends Loss {
  constructor(opts: LossOptions = {}) {
    super(opts, []);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Huber loss: quadratic within delta (default 1), linear beyond. @throws RangeError for delta <= 0. */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(opts: LossOptions & { delta?: number } = {}) {
    super(opts, ['delta']);
    this.delta = numberOption(opts.delta, 'delta', 1);
    if (!(this.delta > 0)) rangeError('a positive number', 'delta', this.delta);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Smooth L1: quadratic below beta (default 1; 0 is plain L1), linear beyond. @throws RangeError for a negative beta. */
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(opts: LossOptions & { beta?: number } = {}) {
    super(opts, ['beta']);
    this.beta = numberOption(opts.beta, 'beta', 1);
    if (!(this.beta >= 0)) rangeError('a non-negative number', 'beta', this.beta);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Options of PoissonNLLLoss. */
export interface PoissonNLLLossOptions extends LossOptions {
  /** input is log(rate) (default true); else the rate itself. */
  logInput?: boolean;
  /** Add Stirling's approximation term (default false). */
  full?: boolean;
  /** Added to the rate before log when logInput is false (default 1e-8). */
  eps?: number;
}

/** Negative log likelihood of a Poisson target. */
export class PoissonNLLLoss extends Loss {
  readonly logInput: boolean;
  readonly full: boolean;
  readonly eps: number;
  constructor(opts: PoissonNLLLossOptions = {}) {
    super(opts, ['logInput', 'full', 'eps']);
    this.logInput = boolOption(opts.logInput, 'logInput', true);
    this.full = boolOption(opts.full, 'full', false);
    this.eps = numberOption(opts.eps, 'eps', 1e-8);
  }
  forward(logInput: Tensor, target: Tensor): Tensor {
    return F.poissonNllLoss(logInput, target, { logInput: this.logInput, full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

/** Negative log likelihood of a Gaussian target; forward(input, target, var). Options: full (false), eps (1e-6), reduction. */
export class GaussianNLLLoss extends Loss {
  readonly full: boolean;
  readonly eps: number;
  constructor(opts: LossOptions & { full?: boolean; eps?: number } = {}) {
    super(opts, ['full', 'eps']);
    this.full = boolOption(opts.full, 'full', false);
    this.eps = numberOption(opts.eps, 'eps', 1e-6);
  }
  /** @throws RangeError for a negative variance or a var of the wrong shape. */
  forward(input: Tensor, target: Tensor, variance: Tensor | number): Tensor {
    return F.gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

/** Kullback-Leibler divergence of log-probabilities input from target. Options: reduction ('mean', or 'batchmean'), logTarget (false). */
export class KLDivLoss extends Loss<F.Reduction | 'batchmean'> {
  readonly logTarget: boolean;
  constructor(opts: { reduction?: F.Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super(opts, ['logTarget'], ['none', 'mean', 'sum', 'batchmean']);
    this.logTarget = boolOption(opts.logTarget, 'logTarget', false);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
