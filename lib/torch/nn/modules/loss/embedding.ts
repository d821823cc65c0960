/** Losses over pairs and triplets of embeddings: MarginRanking, HingeEmbedding, CosineEmbedding, TripletMargin, TripletMarginWithDistance. */
import type { Tensor } from '../../../tensor.js';
import * as F from '../../functional.js';
import { rangeError, typeError } from '../../../errors.js';
import { Loss, boolOption, numberOption, type LossOptions } from './base.js';

/** max(0, -target * (x1 - x2) + margin). Options: margin (0), reduction. */
export class MarginRankingLoss extends Loss {
  readonly margin: number;
  constructor(opts: LossOptions & { margin?: number } = {}) {
    super(opts, ['margin']);
    this.margin = numberOption(opts.margin, 'margin', 0);
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** x where target is 1, max(0, margin - x) where it is -1. Options: margin (1), reduction. */
export class HingeEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(opts: LossOptions & { margin?: number } = {}) {
    super(opts, ['margin']);
    this.margin = numberOption(opts.margin, 'margin', 1);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** 1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1. Options: margin (0), reduction. */
export class CosineEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(opts: LossOptions & { margin?: number } = {}) {
    super(opts, ['margin']);
    this.margin = numberOption(opts.margin, 'margin', 0);
  }
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** Options of TripletMarginLoss. */
export interface TripletMarginLossOptions extends LossOptions {
  /** Default 1. */
  margin?: number;
  /** Norm degree of the pairwise distance (default 2). */
  p?: number;
  /** Added for numerical stability (default 1e-6). */
  eps?: number;
  /** Distance swap (default false). */
  swap?: boolean;
}

/** max(d(a, p) - d(a, n) + margin, 0) with the p-norm distance. */
export class TripletMarginLoss extends Loss {
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;
  constructor(opts: TripletMarginLossOptions = {}) {
    super(opts, ['margin', 'p', 'eps', 'swap']);
    this.margin = numberOption(opts.margin, 'margin', 1);
    this.p = numberOption(opts.p, 'p', 2);
    this.eps = numberOption(opts.eps, 'eps', 1e-6);
    this.swap = boolOption(opts.swap, 'swap', false);
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}

/** Options of TripletMarginWithDistanceLoss. */
export interface TripletMarginWithDistanceLossOptions extends LossOptions {
  /** Distance between two batches of vectors (default F.pairwiseDistance). */
  distanceFunction?: ((a: Tensor, b: Tensor) => Tensor) | null;
  /** Default 1; must be positive. */
  margin?: number;
  /** Distance swap (default false). */
  swap?: boolean;
}

/** max(d(a, p) - d(a, n) + margin, 0) with any distance function. @throws RangeError for margin <= 0. */
export class TripletMarginWithDistanceLoss extends Loss {
  readonly distanceFunction: ((a: Tensor, b: Tensor) => Tensor) | null;
  readonly margin: number;
  readonly swap: boolean;
  constructor(opts: TripletMarginWithDistanceLossOptions = {}) {
    super(opts, ['distanceFunction', 'margin', 'swap']);
    const d = opts.distanceFunction ?? null;
    if (d !== null && typeof d !== 'function') typeError('a function or null', 'distanceFunction', d);
    this.distanceFunction = d;
    this.margin = numberOption(opts.margin, 'margin', 1);
    if (!(this.margin > 0)) rangeError('a positive number', 'margin', this.margin);
    this.swap = boolOption(opts.swap, 'swap', false);
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginWithDistanceLoss(anchor, positive, negative, {
      distanceFunction: this.distanceFunction,
      margin: this.margin,
      swap: this.swap,
      reduction: this.reduction,
    });
  }
}
