/**
 * The argument checks PyTorch's Python-level nn.functional functions make
 * before calling their operator (torch/nn/functional.py): the generated
 * functions (generated/functional.ts) call these with their resolved
 * arguments, named as in TS. Each throws PyTorch's message, as RangeError
 * (Python's ValueError or shape RuntimeError).
 */
import type { Tensor } from '../tensor.js';

type Args = Record<string, unknown>;

function t(v: unknown): Tensor {
  return v as Tensor;
}

function sizeText(x: Tensor): string {
  return `torch.Size([${x.shape.join(', ')}])`;
}

/** alpha_dropout, feature_alpha_dropout: p in [0, 1]. */
export function dropoutProbability(a: Args): void {
  const p = a.p as number;
  if (p < 0 || p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
}

function verifyBatchSize(size: number[]): void {
  let prod = size[0];
  for (let i = 2; i < size.length; i++) prod *= size[i];
  if (prod === 1) throw new RangeError(`Expected more than 1 value per channel when training, got input size torch.Size([${size.join(', ')}])`);
}

/** batch_norm: more than one value per channel when training; eps positive (training) or non-negative. */
export function batchNorm(a: Args): void {
  const training = a.training as boolean;
  const eps = a.eps as number;
  if (training) verifyBatchSize(t(a.input).shape);
  if (training && eps <= 0) throw new RangeError(`batch_norm eps must be positive during training, but got ${eps}`);
  if (eps < 0) throw new RangeError(`batch_norm eps must be non-negative, but got ${eps}`);
}

/** instance_norm: more than one spatial element when using the input's statistics. */
export function instanceNorm(a: Args): void {
  if (a.useInputStats !== true) return;
  const size = t(a.input).shape;
  let prod = 1;
  for (let i = 2; i < size.length; i++) prod *= size[i];
  if (prod === 1) throw new RangeError(`Expected more than 1 spatial element when training, got input size torch.Size([${size.join(', ')}])`);
}

/** group_norm: at least 2 dims; more than one value per group. */
export function groupNorm(a: Args): void {
  const x = t(a.input);
  if (x.dim() < 2) throw new RangeError(`Expected at least 2 dimensions for input tensor but received ${x.dim()}`);
  const g = Number(a.numGroups);
  const s = x.shape;
  verifyBatchSize([Math.floor((s[0] * s[1]) / g), g, ...s.slice(2)]);
}

/** hardtanh: minVal <= maxVal. */
export function hardtanh(a: Args): void {
  if ((a.minVal as number) > (a.maxVal as number)) throw new RangeError('min_val cannot be greater than max_val');
}

/** margin_ranking_loss: the three inputs have the same number of dims. */
export function marginRankingLoss(a: Args): void {
  const [x, y, z] = [t(a.input1), t(a.input2), t(a.target)];
  if (x.dim() !== y.dim() || x.dim() !== z.dim()) {
    throw new RangeError(
      `margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ${sizeText(x)}, input2: ${sizeText(y)}, target: ${sizeText(z)} `,
    );
  }
}

/** multi_margin_loss: p is 1 or 2; weight is 1-D. */
export function multiMarginLoss(a: Args): void {
  const p = Number(a.p);
  if (p !== 1 && p !== 2) throw new RangeError('only p == 1 and p == 2 supported');
  if (a.weight !== null && a.weight !== undefined && t(a.weight).dim() !== 1) throw new RangeError('weight must be one-dimensional');
}

/** triplet_margin_loss: margin > 0. */
export function tripletMarginLoss(a: Args): void {
  const m = a.margin as number;
  if (m <= 0) throw new RangeError(`margin must be greater than 0, got ${m}`);
}

/** affine_grid: floating theta of shape Nx2x3 (4-D size) or Nx3x4 (5-D size); positive sizes. */
export function affineGrid(a: Args): void {
  const theta = t(a.theta);
  const size = (a.size as (number | bigint)[]).map(Number);
  if (!theta.isFloatingPoint()) throw new RangeError(`Expected theta to have floating point type, but got torch.${theta.dtype}`);
  const sh = theta.shape;
  let spatial: number[];
  if (size.length === 4) {
    if (theta.dim() !== 3 || sh[1] !== 2 || sh[2] !== 3)
      throw new RangeError(`Expected a batch of 2D affine matrices of shape Nx2x3 for size [${size.join(', ')}]. Got ${sizeText(theta)}.`);
    spatial = size.slice(-2);
  } else if (size.length === 5) {
    if (theta.dim() !== 3 || sh[1] !== 3 || sh[2] !== 4)
      throw new RangeError(`Expected a batch of 3D affine matrices of shape Nx3x4 for size [${size.join(', ')}]. Got ${sizeText(theta)}.`);
    spatial = size.slice(-3);
  } else {
    throw new RangeError(`affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size [${size.join(', ')}].`);
  }
  if (!(a.alignCorners === true && Math.min(...spatial) === 1) && Math.min(...size) <= 0) {
    throw new RangeError(`Expected non-zero, positive output size. Got [${size.join(', ')}]`);
  }
}

/** binary_cross_entropy: target has input's size. */
export function binaryCrossEntropy(a: Args): void {
  const [x, y] = [t(a.input), t(a.target)];
  if (String(x.shape) !== String(y.shape) || x.dim() !== y.dim()) {
    throw new RangeError(
      `Using a target size (${sizeText(y)}) that is different to the input size (${sizeText(x)}) is deprecated. Please ensure they have the same size.`,
    );
  }
}

/** glu: not of a 0-dim tensor. */
export function glu(a: Args): void {
  if (t(a.input).dim() === 0) throw new RangeError('glu does not support scalars because halving size must be even');
}
