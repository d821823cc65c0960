/**
 * Fold and Unfold (as `nn.Fold` / `nn.Unfold`): sliding local blocks to and
 * from columns, built on the generated `F.fold` / `F.unfold`.
 */
import { Module } from '../module.js';
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import { checkOptions } from '../../errors.js';
import { intOrTuple, pySize, type IntOrTuple } from './args.js';

/** Options of Fold/Unfold (Python's keyword arguments). */
export interface FoldOptions {
  /** Default 1. */
  dilation?: IntOrTuple;
  /** Default 0. */
  padding?: IntOrTuple;
  /** Default 1. */
  stride?: IntOrTuple;
}

const FOLD_OPTIONS = ['dilation', 'padding', 'stride'];

/**
 * Combines sliding local blocks (N, C * prod(kernelSize), L) into a (N, C, *outputSize) tensor, as `nn.Fold`.
 * @throws TypeError for unknown options or arguments of the wrong kind; RangeError for non-positive sizes.
 */
export class Fold extends Module {
  readonly outputSize: IntOrTuple;
  readonly kernelSize: IntOrTuple;
  readonly dilation: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly stride: IntOrTuple;

  constructor(outputSize: IntOrTuple, kernelSize: IntOrTuple, opts: FoldOptions = {}) {
    super();
    checkOptions(opts, FOLD_OPTIONS, 'Fold');
    this.outputSize = intOrTuple(outputSize, 'outputSize', 1, typeof outputSize === 'number' ? undefined : 2);
    this.kernelSize = intOrTuple(kernelSize, 'kernelSize', 1, typeof kernelSize === 'number' ? undefined : 2);
    this.dilation = intOrTuple(opts.dilation ?? 1, 'dilation', 1);
    this.padding = intOrTuple(opts.padding ?? 0, 'padding', 0);
    this.stride = intOrTuple(opts.stride ?? 1, 'stride', 1);
  }

  /** @throws TorchError when the input's shape does not fit the blocks. */
  forward(input: Tensor): Tensor {
    return F.fold(input, this.outputSize, this.kernelSize, this.dilation, this.padding, this.stride);
  }

  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}, kernel_size=${pySize(this.kernelSize)}, dilation=${pySize(this.dilation)}, padding=${pySize(this.padding)}, stride=${pySize(this.stride)}`;
  }
}

/**
 * Extracts sliding local blocks of a (N, C, H, W) tensor into (N, C * prod(kernelSize), L) columns, as `nn.Unfold`.
 * @throws TypeError for unknown options or arguments of the wrong kind; RangeError for non-positive sizes.
 */
export class Unfold extends Module {
  readonly kernelSize: IntOrTuple;
  readonly dilation: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly stride: IntOrTuple;

  constructor(kernelSize: IntOrTuple, opts: FoldOptions = {}) {
    super();
    checkOptions(opts, FOLD_OPTIONS, 'Unfold');
    this.kernelSize = intOrTuple(kernelSize, 'kernelSize', 1, typeof kernelSize === 'number' ? undefined : 2);
    this.dilation = intOrTuple(opts.dilation ?? 1, 'dilation', 1);
    this.padding = intOrTuple(opts.padding ?? 0, 'padding', 0);
    this.stride = intOrTuple(opts.stride ?? 1, 'stride', 1);
  }

  /** @throws TorchError when libtorch rejects the input's shape. */
  forward(input: Tensor): Tensor {
    return F.unfold(input, this.kernelSize, this.dilation, this.padding, this.stride);
  }

  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, dilation=${pySize(this.dilation)}, padding=${pySize(this.padding)}, stride=${pySize(this.stride)}`;
  }
}
