/** Flatten and Unflatten (as `nn.Flatten` / `nn.Unflatten`). */
import { Module } from '../module.js';
import type { Tensor } from '../../tensor.js';
import { checkOptions, typeError } from '../../errors.js';
import { checkInt, pyTuple } from './args.js';

/**
 * Flattens dims startDim..endDim into one (default 1..-1, keeping the batch dim), as `nn.Flatten`.
 * @throws TypeError for non-integer dims or unknown options.
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(opts: { startDim?: number; endDim?: number } = {}) {
    super();
    checkOptions(opts, ['startDim', 'endDim'], 'Flatten');
    this.startDim = checkInt(opts.startDim ?? 1, 'startDim', -Infinity);
    this.endDim = checkInt(opts.endDim ?? -1, 'endDim', -Infinity);
  }
  /** @throws TorchError for dims out of range. */
  forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Expands dim `dim` into `unflattenedSize` (one entry may be -1), as `nn.Unflatten`.
 * @throws TypeError for a non-integer dim or sizes that are not integers.
 */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: number[];
  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    this.dim = checkInt(dim, 'dim', -Infinity);
    if (!Array.isArray(unflattenedSize)) typeError('an array of integers', 'unflattenedSize', unflattenedSize);
    this.unflattenedSize = unflattenedSize.map((v, i) => checkInt(v, `unflattenedSize[${i}]`, -1));
  }
  /** @throws TorchError when the sizes do not multiply to the dim's size. */
  forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattenedSize);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}
