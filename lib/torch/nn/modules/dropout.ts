/**
 * Channel dropout and alpha dropout layers (as `nn.Dropout1d/2d/3d`,
 * `nn.AlphaDropout`, `nn.FeatureAlphaDropout`); plain `nn.Dropout` is in
 * activation.ts. Masks come from libtorch's own kernels, so a
 * `torch.manualSeed(s)` run draws the masks Python draws after the same seed.
 */
import { Module } from '../module.js';
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import { checkOptions } from '../../errors.js';
import { pyFloat } from '../repr.js';
import { checkBool, checkP, pyBool } from './args.js';

/** The shared part of the dropout layers (PyTorch's `_DropoutNd`). */
abstract class DropoutNd extends Module {
  readonly p: number;
  readonly inplace: boolean;
  protected constructor(name: string, p: number, opts: { inplace?: boolean }) {
    super();
    checkOptions(opts, ['inplace'], name);
    this.p = checkP(p);
    this.inplace = checkBool(opts.inplace, 'inplace', false);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/**
 * Zeroes whole channels of (N, C, L) or (C, L) input with probability p (default 0.5) in training, as `nn.Dropout1d`.
 * @throws RangeError unless 0 <= p <= 1 (and at forward for other than 2-D/3-D input); TypeError for unknown options.
 */
export class Dropout1d extends DropoutNd {
  constructor(p = 0.5, opts: { inplace?: boolean } = {}) {
    super('Dropout1d', p, opts);
  }
  forward(input: Tensor): Tensor {
    return F.dropout1d(input, this.p, this.training, this.inplace);
  }
}
/** Zeroes whole channels of (N, C, H, W) input, as `nn.Dropout2d`. @throws as Dropout1d. */
export class Dropout2d extends DropoutNd {
  constructor(p = 0.5, opts: { inplace?: boolean } = {}) {
    super('Dropout2d', p, opts);
  }
  forward(input: Tensor): Tensor {
    return F.dropout2d(input, this.p, this.training, this.inplace);
  }
}
/** Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) input, as `nn.Dropout3d`. @throws as Dropout1d. */
export class Dropout3d extends DropoutNd {
  constructor(p = 0.5, opts: { inplace?: boolean } = {}) {
    super('Dropout3d', p, opts);
  }
  forward(input: Tensor): Tensor {
    return F.dropout3d(input, this.p, this.training, this.inplace);
  }
}
/** Dropout that keeps a SELU network's mean and variance, as `nn.AlphaDropout`. @throws as Dropout1d. */
export class AlphaDropout extends DropoutNd {
  constructor(p = 0.5, opts: { inplace?: boolean } = {}) {
    super('AlphaDropout', p, opts);
  }
  forward(input: Tensor): Tensor {
    return F.alphaDropout(input, this.p, this.training);
  }
}
/** Alpha dropout of whole channels, as `nn.FeatureAlphaDropout`. @throws as Dropout1d. */
export class FeatureAlphaDropout extends DropoutNd {
  constructor(p = 0.5, opts: { inplace?: boolean } = {}) {
    super('FeatureAlphaDropout', p, opts);
  }
  forward(input: Tensor): Tensor {
    return F.featureAlphaDropout(input, this.p, this.training);
  }
}
