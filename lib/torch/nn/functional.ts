/**
 * Functional forms of layers and losses (as `torch.nn.functional`): the
 * generated ones (generated/functional.ts: one operator call each), the
 * Python-level ones (functional-python.ts), and these hand-written ones.
 */
export * from '../generated/functional.js';
export * from './functional-python.js';
import { Tensor } from '../tensor.js';
import * as ops from '../generated/torch.js';
import * as nnOps from '../generated/nn.js';
import { checkOptions, typeError, rangeError } from '../errors.js';
import { native } from '../native.js';
import { wrap } from '../handle.js';

/** How a loss reduces over the batch. */
export type Reduction = 'none' | 'mean' | 'sum';

function reductionCode(r: Reduction | undefined, where: string): number {
  const v = r ?? 'mean';
  if (v === 'none') return 0;
  if (v === 'mean') return 1;
  if (v === 'sum') return 2;
  throw new TypeError(`Expected 'none', 'mean' or 'sum' for ${where} reduction but received '${String(v)}'`);
}

function tensorArg(v: unknown, name: string): asserts v is Tensor {
  if (!(v instanceof Tensor)) typeError('Tensor', name, v);
}

/** input @ weight.T + bias. @throws TorchError on mismatched feature sizes. */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  tensorArg(input, 'input');
  return nnOps.linear(input, weight, bias);
}

/** Rows of `weight` at `input` indices; `paddingIdx` rows get no gradient. */
export function embedding(input: Tensor, weight: Tensor, opts: { paddingIdx?: number | null } = {}): Tensor {
  checkOptions(opts, ['paddingIdx'], 'embedding');
  tensorArg(input, 'input');
  let pad = opts.paddingIdx ?? -1;
  if (opts.paddingIdx != null) {
    const n = weight.size(0);
    if (pad >= n || pad < -n) rangeError(`an index in [${-n}, ${n - 1}]`, 'paddingIdx', pad);
    if (pad < 0) pad += n;
  }
  return ops.embedding(weight, input, pad);
}

/**
 * @internal The CPU dropout mask for `input` (0 with probability p, else
 * 1/(1 - p)), drawn natively in parallel from libtorch's generator: several
 * times faster than bernoulli_, same distribution. With `relu` it is also 0
 * where input <= 0, so that input * mask is dropout(relu(input)) with the same
 * draws. Null where libtorch's own dropout runs (not training, p of 0 or 1,
 * CUDA, other dtypes).
 */
export function _cpuDropoutMask(input: Tensor, p: number, training: boolean, relu = false): Tensor | null {
  if (!training || !(p > 0 && p < 1) || input.isCuda || !(input.dtype === 'float32' || input.dtype === 'float64')) return null;
  return wrap<Tensor>(native.dropoutMask(input._h, p, relu));
}

/** Options of dropout. */
export interface DropoutFnOptions {
  /** Probability of an element to be zeroed (default 0.5). */
  p?: number;
  /** Apply dropout (default true); otherwise the input is returned as is. */
  training?: boolean;
  /** Overwrite the input (default false). */
  inplace?: boolean;
  /**
   * Draw the mask with this library's parallel CPU kernel (default false):
   * several times faster, the same distribution, but not the same draws as
   * PyTorch for a given seed. Without it the mask is libtorch's aten::dropout,
   * so `torch.manualSeed(s)` reproduces a Python run's mask.
   */
  fastMask?: boolean;
}

/**
 * Zeroes elements with probability p (default 0.5) while training (default
 * true), scaling the rest by 1/(1-p), with PyTorch's draws (aten::dropout).
 * @throws RangeError unless 0 <= p <= 1; TypeError for an unknown option.
 */
export function dropout(input: Tensor, opts: DropoutFnOptions = {}): Tensor {
  checkOptions(opts, ['p', 'training', 'inplace', 'fastMask'], 'dropout');
  tensorArg(input, 'input');
  const p = opts.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  const training = opts.training ?? true;
  const mask = opts.fastMask === true ? _cpuDropoutMask(input, p, training) : null;
  if (mask !== null) {
    const out = opts.inplace ? input.mul_(mask) : input.mul(mask);
    mask.dispose();
    return out;
  }
  return opts.inplace ? ops.dropout_(input, p, training) : ops.dropout(input, p, training);
}

/** Layer normalization over the trailing `normalizedShape` dims (eps default 1e-5). */
export function layerNorm(input: Tensor, normalizedShape: number[], opts: { weight?: Tensor | null; bias?: Tensor | null; eps?: number } = {}): Tensor {
  checkOptions(opts, ['weight', 'bias', 'eps'], 'layerNorm');
  tensorArg(input, 'input');
  return ops.layerNorm(input, normalizedShape, opts.weight ?? null, opts.bias ?? null, opts.eps ?? 1e-5);
}

/** max(0, x); with inplace (default false) it overwrites input. */
export function relu(input: Tensor, inplace = false): Tensor {
  tensorArg(input, 'input');
  return inplace ? input.relu_() : input.relu();
}

/** GELU; approximate 'none' (default, exact erf) or 'tanh'. */
export function gelu(input: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  checkOptions(opts, ['approximate'], 'gelu');
  const a = opts.approximate ?? 'none';
  if (a !== 'none' && a !== 'tanh') throw new TypeError(`Expected 'none' or 'tanh' for approximate but received '${String(a)}'`);
  return nnOps.gelu(input, { approximate: a });
}

export function tanh(input: Tensor): Tensor {
  return input.tanh();
}
export function sigmoid(input: Tensor): Tensor {
  return input.sigmoid();
}
/** x * sigmoid(x); with inplace (default false) it overwrites input. */
export function silu(input: Tensor, inplace = false): Tensor {
  return inplace ? nnOps.silu_(input) : nnOps.silu(input);
}
/** x if x >= 0 else negativeSlope * x (default 0.01); with inplace (default false) it overwrites input. */
export function leakyRelu(input: Tensor, negativeSlope = 0.01, inplace = false): Tensor {
  return inplace ? nnOps.leakyRelu_(input, negativeSlope) : nnOps.leakyRelu(input, negativeSlope);
}
export function softplus(input: Tensor, opts: { beta?: number; threshold?: number } = {}): Tensor {
  checkOptions(opts, ['beta', 'threshold'], 'softplus');
  return nnOps.softplus(input, opts.beta ?? 1, opts.threshold ?? 20);
}

/** The dim PyTorch picks when softmax is called without one (deprecated there): 0 for 0-, 1- and 3-dim input, else 1. */
function implicitSoftmaxDim(input: Tensor): number {
  return [0, 1, 3].includes(input.dim()) ? 0 : 1;
}

/** Softmax along dim (dim omitted or null: PyTorch's legacy choice, 0 for 0/1/3-dim input, else 1). */
export function softmax(input: Tensor, dim?: number | null, opts: { dtype?: Tensor['dtype'] } = {}): Tensor {
  tensorArg(input, 'input');
  const d = dim ?? implicitSoftmaxDim(input);
  if (!Number.isInteger(d)) typeError('an integer', 'dim', dim);
  return input.softmax(d, opts);
}

/** log(softmax) along dim, computed stably (dim omitted or null: as softmax). */
export function logSoftmax(input: Tensor, dim?: number | null, opts: { dtype?: Tensor['dtype'] } = {}): Tensor {
  tensorArg(input, 'input');
  const d = dim ?? implicitSoftmaxDim(input);
  if (!Number.isInteger(d)) typeError('an integer', 'dim', dim);
  return input.logSoftmax(d, opts);
}

/** Options of crossEntropy. */
export interface CrossEntropyOptions {
  /** Per-class weights (default none). */
  weight?: Tensor | null;
  /** Target value that contributes nothing (default -100). */
  ignoreIndex?: number;
  /** Default 'mean' (over non-ignored targets). */
  reduction?: Reduction;
  /** Smoothing in [0, 1] (default 0). */
  labelSmoothing?: number;
}

/**
 * Cross entropy between logits `input` ([N, C] or [N, C, d...]) and class
 * indices (or class probabilities) `target`.
 * @throws TorchError on shape/dtype mismatches or targets out of range.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  checkOptions(opts, ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'], 'crossEntropy');
  tensorArg(input, 'input');
  tensorArg(target, 'target');
  const ls = opts.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls <= 1)) rangeError('a value in [0, 1]', 'labelSmoothing', ls);
  return nnOps.crossEntropyLoss(input, target, opts.weight ?? null, reductionCode(opts.reduction, 'crossEntropy'), opts.ignoreIndex ?? -100, ls);
}

/** Negative log likelihood of log-probabilities `input` at class indices `target`. */
export function nllLoss(input: Tensor, target: Tensor, opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}): Tensor {
  checkOptions(opts, ['weight', 'ignoreIndex', 'reduction'], 'nllLoss');
  tensorArg(input, 'input');
  return nnOps.nllLossNd(input, target, opts.weight ?? null, reductionCode(opts.reduction, 'nllLoss'), opts.ignoreIndex ?? -100);
}

/**
 * An elementwise loss as PyTorch 2.13's F.mse_loss/F.l1_loss compute it: input
 * and target broadcast first (so a 0-dim target takes part in type promotion);
 * with a weight (input's shape) the weighted errors are summed, and 'mean'
 * divides by the weights' sum.
 */
function pointwiseLoss(name: 'mseLoss' | 'l1Loss', input: Tensor, target: Tensor, opts: { reduction?: Reduction; weight?: Tensor | null }): Tensor {
  checkOptions(opts, ['reduction', 'weight'], name);
  tensorArg(input, 'input');
  tensorArg(target, 'target');
  const reduction = reductionCode(opts.reduction, name);
  const [x, y] = ops.broadcastTensors([input, target]);
  try {
    const weight = opts.weight ?? null;
    if (weight === null) return name === 'mseLoss' ? nnOps.mseLoss(x, y, reduction) : nnOps.l1Loss(x, y, reduction);
    tensorArg(weight, 'weight');
    if (String(weight.shape) !== String(input.shape) || weight.dim() !== input.dim()) throw new RangeError('Weights and input must have the same size.');
    const diff = x.sub(y);
    const err = name === 'mseLoss' ? diff.pow(2) : diff.abs();
    const weighted = err.mul(weight);
    diff.dispose();
    err.dispose();
    if (reduction === 0) return weighted;
    const total = weighted.sum();
    weighted.dispose();
    if (reduction === 2) return total;
    const wsum = weight.sum();
    const out = total.div(wsum);
    total.dispose();
    wsum.dispose();
    return out;
  } finally {
    x.dispose();
    y.dispose();
  }
}

/**
 * Mean squared error (reduction default 'mean'; weight: elementwise weights of input's shape).
 * @throws RangeError when weight's shape differs from input's; TorchError when input and target do not broadcast.
 */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; weight?: Tensor | null } = {}): Tensor {
  return pointwiseLoss('mseLoss', input, target, opts);
}

/**
 * Mean absolute error (reduction default 'mean'; weight: elementwise weights of input's shape).
 * @throws RangeError when weight's shape differs from input's; TorchError when input and target do not broadcast.
 */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; weight?: Tensor | null } = {}): Tensor {
  return pointwiseLoss('l1Loss', input, target, opts);
}

/** Binary cross entropy from logits (weight, posWeight optional). */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {},
): Tensor {
  checkOptions(opts, ['weight', 'posWeight', 'reduction'], 'binaryCrossEntropyWithLogits');
  tensorArg(input, 'input');
  tensorArg(target, 'target');
  const a = input.shape;
  const b = target.shape;
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new Error(`Target size ([${b.join(', ')}]) must be the same as input size ([${a.join(', ')}])`);
  }
  return ops.binaryCrossEntropyWithLogits(
    input,
    target,
    opts.weight ?? null,
    opts.posWeight ?? null,
    reductionCode(opts.reduction, 'binaryCrossEntropyWithLogits'),
  );
}

/**
 * Pads the last dims: pad = [left, right, top, bottom, ...]; mode 'constant' (default; value default 0),
 * 'reflect', 'replicate' or 'circular' (libtorch's aten::pad, as Python's F.pad).
 * @throws TypeError for an unknown mode; RangeError for an odd or too long pad; TorchError when libtorch rejects the padding.
 */
export function pad(input: Tensor, padding: number[], opts: { mode?: 'constant' | 'reflect' | 'replicate' | 'circular'; value?: number } = {}): Tensor {
  checkOptions(opts, ['mode', 'value'], 'pad');
  const mode = opts.mode ?? 'constant';
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) {
    throw new TypeError(`Expected 'constant', 'reflect', 'replicate' or 'circular' for pad mode but received '${String(mode)}'`);
  }
  if (padding.length % 2 !== 0) throw new RangeError('Padding length must be divisible by 2');
  if (padding.length / 2 > input.dim()) throw new RangeError('Padding length too large');
  if (mode !== 'constant') return nnOps.pad(input, padding, mode);
  return ops.constantPadNd(input, padding, opts.value ?? 0);
}

/** One-hot encoding of int64 classes (numClasses default: max + 1). */
export function oneHot(input: Tensor, numClasses = -1): Tensor {
  return nnOps.oneHot(input, numClasses);
}

/**
 * softmax(q @ k^T * scale + mask) @ v over the last two dims, as
 * `F.scaled_dot_product_attention` (libtorch's own operator, fused where it
 * has a kernel): a bool attnMask keeps the true positions, a float one is
 * added; isCausal masks the future; scale defaults to 1/sqrt(E); dropoutP
 * (default 0) drops attention weights.
 * @throws TypeError for an unknown option; TorchError for mismatched shapes
 *   or both attnMask and isCausal.
 */
export function scaledDotProductAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  opts: { attnMask?: Tensor | null; dropoutP?: number; isCausal?: boolean; scale?: number | null } = {},
): Tensor {
  checkOptions(opts, ['attnMask', 'dropoutP', 'isCausal', 'scale'], 'scaledDotProductAttention');
  tensorArg(query, 'query');
  const scale = opts.scale ?? undefined;
  return nnOps.scaledDotProductAttention(
    query,
    key,
    value,
    opts.attnMask ?? null,
    opts.dropoutP ?? 0,
    opts.isCausal ?? false,
    scale === undefined ? {} : { scale },
  );
}
