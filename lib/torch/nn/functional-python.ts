/**
 * nn.functional functions whose Python form is more than one operator call
 * (torch/nn/functional.py), ported with PyTorch's defaults, argument order
 * and checks. The rest of nn.functional is generated
 * (lib/torch/generated/functional.ts) or in functional.ts.
 */
import type { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import { isTensor } from '../handle.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../scope.js';
import { arange, rand, onesLike } from '../creation.js';
import { pyArgs, argError, cB, cF, cFO, cI, cIO, cILO, cStr, cTO, type Int, type Reduction } from '../op-support.js';
import * as torchOps from '../generated/torch.js';
import * as nnOps from '../generated/nn.js';

type Size = Int | readonly Int[];
type Pooled = readonly [Tensor, Tensor];

function tensorArg(op: string, v: unknown, name: string): Tensor {
  if (!isTensor(v)) argError(op, 'Tensor', name, v);
  return v as Tensor;
}

function bool(op: string, v: unknown, name: string, def: boolean): boolean {
  return v === undefined ? def : (cB(v, op, name) as boolean);
}

/** An int list of n entries (one integer stands for n copies), as Python's _single/_pair/_triple. */
function ntuple(op: string, v: unknown, name: string, n: number): number[] {
  const x = cILO(v, op, name, n);
  return (Array.isArray(x) ? x : [x]).map((e) => Number(e));
}

function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
}

// ---------------------------------------------------------------- max pooling
/** Options of the max pooling functions (Python's keyword arguments). */
export interface MaxPoolOptions {
  /** Default: kernelSize. */
  stride?: Size | null;
  /** Default 0. */
  padding?: Size;
  /** Default 1. */
  dilation?: Size;
  /** Default false. */
  ceilMode?: boolean;
  /** Also return the indices of the maxima (default false). */
  returnIndices?: boolean;
}
type MaxPoolArgs =
  | [kernelSize: Size, opts?: MaxPoolOptions]
  | [kernelSize: Size, stride: Size | null, opts?: MaxPoolOptions]
  | [kernelSize: Size, stride: Size | null, padding: Size, opts?: MaxPoolOptions]
  | [kernelSize: Size, stride: Size | null, padding: Size, dilation: Size, opts?: MaxPoolOptions]
  | [kernelSize: Size, stride: Size | null, padding: Size, dilation: Size, ceilMode: boolean, opts?: MaxPoolOptions]
  | [kernelSize: Size, stride: Size | null, padding: Size, dilation: Size, ceilMode: boolean, returnIndices: boolean, opts?: MaxPoolOptions];

const POOL_NAMES = ['input', 'kernelSize', 'stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'];

function maxPool(op: string, nd: 1 | 2 | 3, a: unknown[], forceIndices: boolean): Tensor | Pooled {
  const r = pyArgs(op, a, POOL_NAMES);
  const input = tensorArg(op, r.input, 'input');
  const stride = r.stride === undefined || r.stride === null ? [] : r.stride;
  const args = [input, r.kernelSize, stride, r.padding ?? 0, r.dilation ?? 1, r.ceilMode ?? false] as const;
  if (forceIndices || bool(op, r.returnIndices, 'returnIndices', false)) {
    const f = nd === 1 ? torchOps.maxPool1dWithIndices : nd === 2 ? nnOps.maxPool2dWithIndices : nnOps.maxPool3dWithIndices;
    return (f as (...x: unknown[]) => Pooled)(...args);
  }
  const f = nd === 1 ? torchOps.maxPool1d : nd === 2 ? torchOps.maxPool2d : torchOps.maxPool3d;
  return (f as (...x: unknown[]) => Tensor)(...args);
}

/**
 * F.max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False);
 * with returnIndices, [output, indices].
 * @throws TypeError for arguments of the wrong kind; TorchError for sizes libtorch rejects.
 */
export function maxPool1d(input: Tensor, ...args: MaxPoolArgs): Tensor;
export function maxPool1d(...a: unknown[]): Tensor | Pooled {
  return maxPool('maxPool1d', 1, a, false);
}
/** F.max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False). */
export function maxPool2d(input: Tensor, ...args: MaxPoolArgs): Tensor;
export function maxPool2d(...a: unknown[]): Tensor | Pooled {
  return maxPool('maxPool2d', 2, a, false);
}
/** F.max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False). */
export function maxPool3d(input: Tensor, ...args: MaxPoolArgs): Tensor;
export function maxPool3d(...a: unknown[]): Tensor | Pooled {
  return maxPool('maxPool3d', 3, a, false);
}
/** F.max_pool1d_with_indices: [output, indices]. */
export function maxPool1dWithIndices(input: Tensor, ...args: MaxPoolArgs): Pooled;
export function maxPool1dWithIndices(...a: unknown[]): Tensor | Pooled {
  return maxPool('maxPool1dWithIndices', 1, a, true);
}
/** F.max_pool2d_with_indices: [output, indices]. */
export function maxPool2dWithIndices(input: Tensor, ...args: MaxPoolArgs): Pooled;
export function maxPool2dWithIndices(...a: unknown[]): Tensor | Pooled {
  return maxPool('maxPool2dWithIndices', 2, a, true);
}
/** F.max_pool3d_with_indices: [output, indices]. */
export function maxPool3dWithIndices(input: Tensor, ...args: MaxPoolArgs): Pooled;
export function maxPool3dWithIndices(...a: unknown[]): Tensor | Pooled {
  return maxPool('maxPool3dWithIndices', 3, a, true);
}

// ---------------------------------------------------------------- adaptive max pooling
/** Output sizes; null keeps the input's size there (Python's None). */
type AdaptiveSize = Int | readonly (Int | null)[];

function adaptiveMaxPool(op: string, nd: 1 | 2 | 3, a: unknown[], forceIndices: boolean): Tensor | Pooled {
  const r = pyArgs(op, a, ['input', 'outputSize', 'returnIndices']);
  const input = tensorArg(op, r.input, 'input');
  let size = r.outputSize;
  if (Array.isArray(size)) {
    const shape = input.shape;
    if (shape.length <= size.length) throw new RangeError(`Input dimension should be at least ${size.length + 1}`);
    const defaults = shape.slice(-size.length);
    size = size.map((v: unknown, i: number) => (v === null ? defaults[i] : v));
  }
  const f = nd === 1 ? torchOps.adaptiveMaxPool1d : nd === 2 ? nnOps.adaptiveMaxPool2d : nnOps.adaptiveMaxPool3d;
  const out = (f as (...x: unknown[]) => Pooled)(input, size);
  if (forceIndices || bool(op, r.returnIndices, 'returnIndices', false)) return out;
  out[1].dispose();
  return out[0];
}

/** F.adaptive_max_pool1d(input, output_size, return_indices=False). */
export function adaptiveMaxPool1d(input: Tensor, outputSize: AdaptiveSize, returnIndices?: false | { returnIndices?: false }): Tensor;
export function adaptiveMaxPool1d(input: Tensor, outputSize: AdaptiveSize, returnIndices: true | { returnIndices: true }): Pooled;
export function adaptiveMaxPool1d(...a: unknown[]): Tensor | Pooled {
  return adaptiveMaxPool('adaptiveMaxPool1d', 1, a, false);
}
/** F.adaptive_max_pool2d(input, output_size, return_indices=False); null sizes keep the input's. */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices?: false | { returnIndices?: false }): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, returnIndices: true | { returnIndices: true }): Pooled;
export function adaptiveMaxPool2d(...a: unknown[]): Tensor | Pooled {
  return adaptiveMaxPool('adaptiveMaxPool2d', 2, a, false);
}
/** F.adaptive_max_pool3d(input, output_size, return_indices=False); null sizes keep the input's. */
export function adaptiveMaxPool3d(input: Tensor, outputSize: AdaptiveSize, returnIndices?: false | { returnIndices?: false }): Tensor;
export function adaptiveMaxPool3d(input: Tensor, outputSize: AdaptiveSize, returnIndices: true | { returnIndices: true }): Pooled;
export function adaptiveMaxPool3d(...a: unknown[]): Tensor | Pooled {
  return adaptiveMaxPool('adaptiveMaxPool3d', 3, a, false);
}
/** F.adaptive_max_pool1d_with_indices: [output, indices]. */
export function adaptiveMaxPool1dWithIndices(input: Tensor, outputSize: AdaptiveSize): Pooled {
  return adaptiveMaxPool('adaptiveMaxPool1dWithIndices', 1, [input, outputSize], true) as Pooled;
}
/** F.adaptive_max_pool2d_with_indices: [output, indices]. */
export function adaptiveMaxPool2dWithIndices(input: Tensor, outputSize: AdaptiveSize): Pooled {
  return adaptiveMaxPool('adaptiveMaxPool2dWithIndices', 2, [input, outputSize], true) as Pooled;
}
/** F.adaptive_max_pool3d_with_indices: [output, indices]. */
export function adaptiveMaxPool3dWithIndices(input: Tensor, outputSize: AdaptiveSize): Pooled {
  return adaptiveMaxPool('adaptiveMaxPool3dWithIndices', 3, [input, outputSize], true) as Pooled;
}

// ---------------------------------------------------------------- fractional max pooling
/** Options of the fractional max pooling functions. */
export interface FractionalMaxPoolOptions {
  outputSize?: Size | null;
  /** Output size as a fraction of the input's (when outputSize is null). */
  outputRatio?: number | readonly number[] | null;
  returnIndices?: boolean;
  /** The pooling regions' random offsets (default: drawn with torch.rand). */
  randomSamples?: Tensor | null;
}

function fractionalMaxPool(op: string, nd: 2 | 3, a: unknown[], forceIndices: boolean): Tensor | Pooled {
  const r = pyArgs(op, a, ['input', 'kernelSize', 'outputSize', 'outputRatio', 'returnIndices', 'randomSamples']);
  const input = tensorArg(op, r.input, 'input');
  let size = r.outputSize ?? null;
  if (size === null) {
    if (r.outputRatio === undefined || r.outputRatio === null) {
      throw new TypeError(`${op} requires specifying either an output_size or an output_ratio`);
    }
    const ratio = Array.isArray(r.outputRatio)
      ? (r.outputRatio as unknown[]).map((x) => cF(x, op, 'outputRatio') as number)
      : new Array(nd).fill(cF(r.outputRatio, op, 'outputRatio'));
    if (ratio.length !== nd) argError(op, `a number or ${nd} numbers`, 'outputRatio', r.outputRatio);
    const shape = input.shape;
    size = ratio.map((f: number, i: number) => Math.trunc(shape[shape.length - nd + i] * f));
  }
  let samples = cTO(r.randomSamples, op, 'randomSamples') === undefined || r.randomSamples === null ? null : (r.randomSamples as Tensor);
  const own = samples === null;
  if (samples === null) {
    const nBatch = input.dim() === nd + 1 ? 1 : input.size(0);
    samples = rand([nBatch, input.size(-nd - 1), nd], { dtype: input.dtype, device: input.device });
  }
  const f = nd === 2 ? nnOps.fractionalMaxPool2d : nnOps.fractionalMaxPool3d;
  const out = (f as (...x: unknown[]) => Pooled)(input, r.kernelSize, size, samples);
  if (own) samples.dispose();
  if (forceIndices || bool(op, r.returnIndices, 'returnIndices', false)) return out;
  out[1].dispose();
  return out[0];
}

/** F.fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None). */
export function fractionalMaxPool2d(input: Tensor, kernelSize: Size, opts: FractionalMaxPoolOptions & { returnIndices?: false }): Tensor;
export function fractionalMaxPool2d(input: Tensor, kernelSize: Size, opts: FractionalMaxPoolOptions & { returnIndices: true }): Pooled;
export function fractionalMaxPool2d(
  input: Tensor,
  kernelSize: Size,
  outputSize: Size | null,
  outputRatio?: number | readonly number[] | null,
  returnIndices?: boolean,
  randomSamples?: Tensor | null,
): Tensor | Pooled;
export function fractionalMaxPool2d(...a: unknown[]): Tensor | Pooled {
  return fractionalMaxPool('fractionalMaxPool2d', 2, a, false);
}
/** F.fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None). */
export function fractionalMaxPool3d(input: Tensor, kernelSize: Size, opts: FractionalMaxPoolOptions & { returnIndices?: false }): Tensor;
export function fractionalMaxPool3d(input: Tensor, kernelSize: Size, opts: FractionalMaxPoolOptions & { returnIndices: true }): Pooled;
export function fractionalMaxPool3d(
  input: Tensor,
  kernelSize: Size,
  outputSize: Size | null,
  outputRatio?: number | readonly number[] | null,
  returnIndices?: boolean,
  randomSamples?: Tensor | null,
): Tensor | Pooled;
export function fractionalMaxPool3d(...a: unknown[]): Tensor | Pooled {
  return fractionalMaxPool('fractionalMaxPool3d', 3, a, false);
}
/** F.fractional_max_pool2d_with_indices: [output, indices]. */
export function fractionalMaxPool2dWithIndices(input: Tensor, kernelSize: Size, opts: FractionalMaxPoolOptions): Pooled {
  return fractionalMaxPool('fractionalMaxPool2dWithIndices', 2, [input, kernelSize, opts], true) as Pooled;
}
/** F.fractional_max_pool3d_with_indices: [output, indices]. */
export function fractionalMaxPool3dWithIndices(input: Tensor, kernelSize: Size, opts: FractionalMaxPoolOptions): Pooled {
  return fractionalMaxPool('fractionalMaxPool3dWithIndices', 3, [input, kernelSize, opts], true) as Pooled;
}

// ---------------------------------------------------------------- unpooling
function unpoolOutputSize(op: string, input: Tensor, kernel: number[], stride: number[], padding: number[], outputSize: unknown): number[] {
  const shape = input.shape;
  const n = kernel.length;
  const defaults = kernel.map((k, d) => (shape[shape.length - n + d] - 1) * stride[d] + k - 2 * padding[d]);
  let ret = defaults;
  if (outputSize !== undefined && outputSize !== null) {
    let size = ntuple(op, outputSize, 'outputSize', n);
    if (size.length === n + 2) size = size.slice(2);
    if (size.length !== n) {
      throw new RangeError(`output_size should be a sequence containing ${n} or ${n + 2} elements, but it has a length of '${size.length}'`);
    }
    for (let d = 0; d < n; d++) {
      const min = defaults[d] - stride[d];
      const max = defaults[d] + stride[d];
      if (!(min < size[d] && size[d] < max)) throw new RangeError(`invalid output_size "[${size.join(', ')}]" (dim ${d} must be between ${min} and ${max})`);
    }
    ret = size;
  }
  for (let d = 0; d < n; d++) {
    if (ret[d] < 0) throw new RangeError(`max_unpooling: output_size must contain non-negative spatial dimensions, but got output_size[${d}]=${ret[d]}`);
  }
  return ret;
}

/** Options of the max unpooling functions. */
export interface MaxUnpoolOptions {
  /** Default: kernelSize. */
  stride?: Size | null;
  padding?: Size;
  outputSize?: readonly Int[] | null;
}

function maxUnpool(op: string, nd: 1 | 2 | 3, a: unknown[]): Tensor {
  const r = pyArgs(op, a, ['input', 'indices', 'kernelSize', 'stride', 'padding', 'outputSize']);
  const input = tensorArg(op, r.input, 'input');
  const indices = tensorArg(op, r.indices, 'indices');
  const kernel = ntuple(op, r.kernelSize, 'kernelSize', nd);
  const stride = r.stride === undefined || r.stride === null ? kernel : ntuple(op, r.stride, 'stride', nd);
  const padding = ntuple(op, r.padding ?? 0, 'padding', nd);
  const size = unpoolOutputSize(op, input, kernel, stride, padding, r.outputSize);
  if (nd === 1) {
    const x = input.unsqueeze(-1);
    const i = indices.unsqueeze(-1);
    const y = nnOps.maxUnpool2d(x, i, [...size, 1]);
    const out = y.squeeze(-1);
    for (const t of [x, i, y]) t.dispose();
    return out;
  }
  return nd === 2 ? nnOps.maxUnpool2d(input, indices, size) : nnOps.maxUnpool3d(input, indices, size, stride, padding);
}

/** F.max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None). */
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: Size, opts?: MaxUnpoolOptions): Tensor;
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: Size, stride: Size | null, padding?: Size, outputSize?: readonly Int[] | null): Tensor;
export function maxUnpool1d(...a: unknown[]): Tensor {
  return maxUnpool('maxUnpool1d', 1, a);
}
/** F.max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None). */
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: Size, opts?: MaxUnpoolOptions): Tensor;
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: Size, stride: Size | null, padding?: Size, outputSize?: readonly Int[] | null): Tensor;
export function maxUnpool2d(...a: unknown[]): Tensor {
  return maxUnpool('maxUnpool2d', 2, a);
}
/** F.max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None). */
export function maxUnpool3d(input: Tensor, indices: Tensor, kernelSize: Size, opts?: MaxUnpoolOptions): Tensor;
export function maxUnpool3d(input: Tensor, indices: Tensor, kernelSize: Size, stride: Size | null, padding?: Size, outputSize?: readonly Int[] | null): Tensor;
export function maxUnpool3d(...a: unknown[]): Tensor {
  return maxUnpool('maxUnpool3d', 3, a);
}

// ---------------------------------------------------------------- channel dropout
/** Options of the channel dropout functions: p (default 0.5), training (default true), inplace (default false). */
export interface DropoutOptions {
  p?: number;
  training?: boolean;
  inplace?: boolean;
}

function channelDropout(op: string, batchedDims: number, a: unknown[]): Tensor {
  const r = pyArgs(op, a, ['input', 'p', 'training', 'inplace']);
  let input = tensorArg(op, r.input, 'input');
  const p = r.p === undefined ? 0.5 : (cF(r.p, op, 'p') as number);
  checkP(p);
  const training = bool(op, r.training, 'training', true);
  const inplace = bool(op, r.inplace, 'inplace', false);
  const ndim = input.dim();
  if (op === 'dropout1d' && ndim !== 2 && ndim !== 3) {
    throw new RangeError(
      `dropout1d: Expected 2D or 3D input, but received a ${ndim}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`,
    );
  }
  const unbatched = batchedDims > 0 && ndim !== batchedDims;
  let made: Tensor | null = null;
  if (unbatched) {
    if (inplace) input.unsqueeze_(0);
    else input = made = input.unsqueeze(0);
  }
  let result = inplace ? torchOps.featureDropout_(input, p, training) : torchOps.featureDropout(input, p, training);
  if (unbatched) {
    if (inplace) result = result.squeeze_(0);
    else {
      const sq = result.squeeze(0);
      result.dispose();
      result = sq;
    }
  }
  made?.dispose();
  return result;
}

/** F.dropout1d(input, p=0.5, training=True, inplace=False): zeroes whole channels of (N, C, L) or (C, L) input. */
export function dropout1d(input: Tensor, p?: number | DropoutOptions, training?: boolean, inplace?: boolean): Tensor;
export function dropout1d(...a: unknown[]): Tensor {
  return channelDropout('dropout1d', 3, a);
}
/** F.dropout2d(input, p=0.5, training=True, inplace=False): zeroes whole channels of (N, C, H, W) input (3-D input as (N, C, L), as PyTorch). */
export function dropout2d(input: Tensor, p?: number | DropoutOptions, training?: boolean, inplace?: boolean): Tensor;
export function dropout2d(...a: unknown[]): Tensor {
  return channelDropout('dropout2d', 0, a);
}
/** F.dropout3d(input, p=0.5, training=True, inplace=False): zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) input. */
export function dropout3d(input: Tensor, p?: number | DropoutOptions, training?: boolean, inplace?: boolean): Tensor;
export function dropout3d(...a: unknown[]): Tensor {
  return channelDropout('dropout3d', 5, a);
}

// ---------------------------------------------------------------- interpolation
/** Interpolation modes of F.interpolate. */
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area';

/** Options of F.interpolate (Python's keyword arguments). */
export interface InterpolateOptions {
  size?: Size | null;
  scaleFactor?: number | readonly number[] | null;
  /** Default 'nearest'. */
  mode?: InterpolateMode;
  /** For the linear modes; default false. */
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
  /** Anti-aliasing, for bilinear and bicubic on 4-D input; default false. */
  antialias?: boolean;
}

/**
 * F.interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
 * recompute_scale_factor=None, antialias=False): resizes the spatial dims of
 * (N, C, d1, ...) input, as PyTorch.
 * @throws TypeError/RangeError for inconsistent arguments (PyTorch's ValueErrors, same messages).
 */
export function interpolate(input: Tensor, opts?: InterpolateOptions): Tensor;
export function interpolate(input: Tensor, size: Size | null, opts?: InterpolateOptions): Tensor;
export function interpolate(input: Tensor, size: Size | null, scaleFactor: number | readonly number[] | null, opts?: InterpolateOptions): Tensor;
export function interpolate(
  input: Tensor,
  size: Size | null,
  scaleFactor: number | readonly number[] | null,
  mode: InterpolateMode,
  alignCorners?: boolean | null,
  recomputeScaleFactor?: boolean | null,
  antialias?: boolean,
): Tensor;
export function interpolate(...a: unknown[]): Tensor {
  const op = 'interpolate';
  const r = pyArgs(op, a, ['input', 'size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor', 'antialias']);
  const input = tensorArg(op, r.input, 'input');
  const mode = r.mode === undefined ? 'nearest' : (cStr(r.mode, op, 'mode') as string);
  let alignCorners = r.alignCorners === undefined || r.alignCorners === null ? null : (cB(r.alignCorners, op, 'alignCorners') as boolean);
  if (mode === 'nearest' || mode === 'area' || mode === 'nearest-exact') {
    if (alignCorners !== null)
      throw new TypeError('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
  } else alignCorners ??= false;
  const dim = input.dim() - 2;
  const size = r.size ?? null;
  const scale = r.scaleFactor ?? null;
  let outputSize: number[] | null = null;
  let scales: number[] | null = null;
  if (size !== null && scale !== null) throw new TypeError('only one of size or scale_factor should be defined');
  if (size !== null) {
    if (Array.isArray(size)) {
      if (size.length !== dim) {
        throw new RangeError(
          `Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [${input.shape.slice(2).join(', ')}] and output size of [${size.join(', ')}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`,
        );
      }
      outputSize = size.map((x: unknown, i: number) => Number(cI(x, op, `size[${i}]`)));
    } else outputSize = new Array(dim).fill(Number(cI(size, op, 'size')));
  } else if (scale !== null) {
    if (Array.isArray(scale)) {
      if (scale.length !== dim) {
        throw new RangeError(
          `Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of [${input.shape.slice(2).join(', ')}] and scale_factor of shape [${scale.join(', ')}]. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`,
        );
      }
      scales = scale.map((x: unknown, i: number) => cF(x, op, `scaleFactor[${i}]`) as number);
    } else scales = new Array(dim).fill(cF(scale, op, 'scaleFactor'));
  } else throw new TypeError('either size or scale_factor should be defined');
  let recompute =
    r.recomputeScaleFactor === undefined || r.recomputeScaleFactor === null ? null : (cB(r.recomputeScaleFactor, op, 'recomputeScaleFactor') as boolean);
  if (recompute === true && size !== null) throw new TypeError('recompute_scale_factor is not meaningful with an explicit size.');
  if (mode === 'area' && outputSize === null) recompute = true;
  if (recompute === true) {
    const shape = input.shape;
    outputSize = (scales as number[]).map((f, i) => Math.floor(shape[i + 2] * f));
    scales = null;
  }
  const antialias = bool(op, r.antialias, 'antialias', false);
  if (antialias && !((mode === 'bilinear' || mode === 'bicubic') && input.dim() === 4)) {
    throw new TypeError('Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D tensor as input');
  }
  const nd = input.dim();
  const key = `${mode}:${nd}`;
  switch (key) {
    case 'nearest:3':
      return nnOps.upsampleNearest1d(input, outputSize, scales);
    case 'nearest:4':
      return nnOps.upsampleNearest2d(input, outputSize, scales);
    case 'nearest:5':
      return nnOps.upsampleNearest3d(input, outputSize, scales);
    case 'nearest-exact:3':
      return torchOps._upsampleNearestExact1d(input, outputSize, scales);
    case 'nearest-exact:4':
      return torchOps._upsampleNearestExact2d(input, outputSize, scales);
    case 'nearest-exact:5':
      return torchOps._upsampleNearestExact3d(input, outputSize, scales);
    case 'area:3':
      return torchOps.adaptiveAvgPool1d(input, outputSize as number[]);
    case 'area:4':
      return nnOps.adaptiveAvgPool2d(input, outputSize as number[]);
    case 'area:5':
      return nnOps.adaptiveAvgPool3d(input, outputSize as number[]);
    case 'linear:3':
      return nnOps.upsampleLinear1d(input, outputSize, alignCorners as boolean, scales);
    case 'bilinear:4':
      return antialias
        ? torchOps._upsampleBilinear2dAa(input, outputSize, alignCorners as boolean, scales)
        : nnOps.upsampleBilinear2d(input, outputSize, alignCorners as boolean, scales);
    case 'trilinear:5':
      return nnOps.upsampleTrilinear3d(input, outputSize, alignCorners as boolean, scales);
    case 'bicubic:4':
      return antialias
        ? torchOps._upsampleBicubic2dAa(input, outputSize, alignCorners as boolean, scales)
        : nnOps.upsampleBicubic2d(input, outputSize, alignCorners as boolean, scales);
  }
  const want: Record<string, string> = { linear: '3D', bilinear: '4D', bicubic: '4D', trilinear: '5D' };
  if (want[mode] !== undefined) throw new RangeError(`Got ${nd}D input, but ${mode} mode needs ${want[mode]} input`);
  throw new TypeError(
    `Input Error: Only 3D, 4D and 5D input Tensors supported (got ${nd}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`,
  );
}

/** F.upsample (deprecated alias of interpolate): upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None). */
export function upsample(
  input: Tensor,
  size?: Size | null | InterpolateOptions,
  scaleFactor?: number | readonly number[] | null,
  mode?: InterpolateMode,
  alignCorners?: boolean | null,
): Tensor;
export function upsample(...a: unknown[]): Tensor {
  const r = pyArgs('upsample', a, ['input', 'size', 'scaleFactor', 'mode', 'alignCorners']);
  return interpolate(r.input as Tensor, {
    size: r.size as Size | null,
    scaleFactor: r.scaleFactor as number | null,
    mode: (r.mode as InterpolateMode) ?? 'nearest',
    alignCorners: r.alignCorners as boolean | null,
  });
}
/** F.upsample_nearest(input, size=None, scale_factor=None) (deprecated): interpolate with mode 'nearest'. */
export function upsampleNearest(input: Tensor, size?: Size | null | { size?: Size | null; scaleFactor?: number | null }, scaleFactor?: number | null): Tensor;
export function upsampleNearest(...a: unknown[]): Tensor {
  const r = pyArgs('upsampleNearest', a, ['input', 'size', 'scaleFactor']);
  return interpolate(r.input as Tensor, { size: r.size as Size | null, scaleFactor: r.scaleFactor as number | null, mode: 'nearest' });
}
/** F.upsample_bilinear(input, size=None, scale_factor=None) (deprecated): interpolate with mode 'bilinear', alignCorners true. */
export function upsampleBilinear(input: Tensor, size?: Size | null | { size?: Size | null; scaleFactor?: number | null }, scaleFactor?: number | null): Tensor;
export function upsampleBilinear(...a: unknown[]): Tensor {
  const r = pyArgs('upsampleBilinear', a, ['input', 'size', 'scaleFactor']);
  return interpolate(r.input as Tensor, { size: r.size as Size | null, scaleFactor: r.scaleFactor as number | null, mode: 'bilinear', alignCorners: true });
}

/**
 * F.grid_sample(input, grid, mode='bilinear', padding_mode='zeros', align_corners=None)
 * (alignCorners null means false, as PyTorch).
 * @throws TypeError for an unknown mode or paddingMode.
 */
export function gridSample(
  input: Tensor,
  grid: Tensor,
  opts?: { mode?: 'bilinear' | 'nearest' | 'bicubic'; paddingMode?: 'zeros' | 'border' | 'reflection'; alignCorners?: boolean | null },
): Tensor;
export function gridSample(
  input: Tensor,
  grid: Tensor,
  mode: 'bilinear' | 'nearest' | 'bicubic',
  paddingMode?: 'zeros' | 'border' | 'reflection',
  alignCorners?: boolean | null,
): Tensor;
export function gridSample(...a: unknown[]): Tensor {
  const op = 'gridSample';
  const r = pyArgs(op, a, ['input', 'grid', 'mode', 'paddingMode', 'alignCorners']);
  const mode = r.mode ?? 'bilinear';
  const pad = r.paddingMode ?? 'zeros';
  const modes = ['bilinear', 'nearest', 'bicubic'];
  const pads = ['zeros', 'border', 'reflection'];
  if (!modes.includes(mode as string))
    throw new TypeError(`nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '${String(mode)}'`);
  if (!pads.includes(pad as string))
    throw new TypeError(`nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '${String(pad)}'`);
  const align = r.alignCorners === undefined || r.alignCorners === null ? false : (cB(r.alignCorners, op, 'alignCorners') as boolean);
  return torchOps.gridSampler(
    tensorArg(op, r.input, 'input'),
    tensorArg(op, r.grid, 'grid'),
    modes.indexOf(mode as string),
    pads.indexOf(pad as string),
    align,
  );
}

// ---------------------------------------------------------------- embedding bags
/** Options of F.embedding_bag (Python's keyword arguments). */
export interface EmbeddingBagOptions {
  offsets?: Tensor | null;
  maxNorm?: number | null;
  /** Default 2. */
  normType?: number;
  scaleGradByFreq?: boolean;
  /** Default 'mean'. */
  mode?: 'sum' | 'mean' | 'max';
  sparse?: boolean;
  perSampleWeights?: Tensor | null;
  includeLastOffset?: boolean;
  paddingIdx?: Int | null;
}

/**
 * F.embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
 * scale_grad_by_freq=False, mode='mean', sparse=False, per_sample_weights=None,
 * include_last_offset=False, padding_idx=None): sums, means or maxima of bags
 * of embeddings (2-D input: one bag per row; 1-D input: bags start at offsets).
 * @throws TypeError/RangeError for inconsistent arguments (PyTorch's ValueErrors, same messages).
 */
export function embeddingBag(input: Tensor, weight: Tensor, opts?: EmbeddingBagOptions): Tensor;
export function embeddingBag(input: Tensor, weight: Tensor, offsets: Tensor | null, opts?: EmbeddingBagOptions): Tensor;
export function embeddingBag(...a: unknown[]): Tensor {
  const op = 'embeddingBag';
  const r = pyArgs(op, a, [
    'input',
    'weight',
    'offsets',
    'maxNorm',
    'normType',
    'scaleGradByFreq',
    'mode',
    'sparse',
    'perSampleWeights',
    'includeLastOffset',
    'paddingIdx',
  ]);
  let input = tensorArg(op, r.input, 'input');
  const weight = tensorArg(op, r.weight, 'weight');
  let offsets = (cTO(r.offsets, op, 'offsets') === undefined ? null : r.offsets) as Tensor | null;
  let psw = (cTO(r.perSampleWeights, op, 'perSampleWeights') === undefined ? null : r.perSampleWeights) as Tensor | null;
  let includeLast = bool(op, r.includeLastOffset, 'includeLastOffset', false);
  const mode = r.mode === undefined ? 'mean' : (cStr(r.mode, op, 'mode') as string);
  const scaleGrad = bool(op, r.scaleGradByFreq, 'scaleGradByFreq', false);
  const sparse = bool(op, r.sparse, 'sparse', false);
  const temps: Tensor[] = [];
  if (psw !== null && String(input.shape) !== String(psw.shape)) {
    throw new RangeError(
      `embedding_bag: If per_sample_weights ([${psw.shape.join(', ')}]) is not None, then it must have the same shape as the input ([${input.shape.join(', ')}])`,
    );
  }
  if (weight.dim() !== 2) throw new RangeError(`weight has to be a 2D Tensor, but got Tensor of dimension ${weight.dim()}`);
  if (input.dim() === 2) {
    if (offsets !== null) throw new TypeError('if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences.');
    offsets = arange(0, input.numel(), input.size(1), { dtype: input.dtype, device: input.device });
    includeLast = false;
    input = input.reshape(-1);
    temps.push(offsets, input);
    if (psw !== null) {
      psw = psw.reshape(-1);
      temps.push(psw);
    }
  } else if (input.dim() === 1) {
    if (offsets === null) throw new TypeError('offsets has to be a 1D Tensor but got None');
    if (offsets.dim() !== 1) throw new RangeError('offsets has to be a 1D Tensor');
  } else throw new RangeError(`input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.dim()}`);
  const modes = ['sum', 'mean', 'max'];
  if (!modes.includes(mode)) throw new TypeError('mode has to be one of sum, mean or max');
  if (mode === 'max' && scaleGrad) throw new TypeError('max mode does not support scaling the gradient by the frequency');
  if (mode === 'max' && sparse) throw new TypeError('max mode does not support sparse weights');
  const maxNorm = cFO(r.maxNorm, op, 'maxNorm') as number | null | undefined;
  if (maxNorm !== null && maxNorm !== undefined) {
    const normType = r.normType === undefined ? 2 : (cF(r.normType, op, 'normType') as number);
    noGrad(() => torchOps.embeddingRenorm_(weight, input, maxNorm, normType));
  }
  if (psw !== null && mode !== 'sum') {
    throw new TypeError(
      `embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${mode}'). Please open a feature request on GitHub.`,
    );
  }
  let paddingIdx = cIO(r.paddingIdx, op, 'paddingIdx') as Int | null | undefined;
  if (paddingIdx !== null && paddingIdx !== undefined) {
    const n = weight.size(0);
    const pi = Number(paddingIdx);
    if (pi > 0 && pi >= n) throw new RangeError('Padding_idx must be within num_embeddings');
    if (pi < 0 && pi < -n) throw new RangeError('Padding_idx must be within num_embeddings');
    paddingIdx = pi < 0 ? n + pi : pi;
  } else paddingIdx = null; // as Python: None (libtorch reads -1 as "index -1 pads", i.e. the last row)
  const out = torchOps.embeddingBag(weight, input, offsets, scaleGrad, modes.indexOf(mode), sparse, psw, includeLast, paddingIdx);
  for (const t of out.slice(1)) t.dispose();
  for (const t of temps) t.dispose();
  return out[0];
}

// ---------------------------------------------------------------- losses and small composites
/**
 * F.huber_loss(input, target, reduction='mean', delta=1.0, weight=None); with
 * a weight, the elementwise loss times weight, then reduced.
 * @throws RangeError when weight's shape differs from input's.
 */
export function huberLoss(input: Tensor, target: Tensor, opts?: { reduction?: Reduction; delta?: number; weight?: Tensor | null }): Tensor;
export function huberLoss(input: Tensor, target: Tensor, reduction: Reduction, delta?: number, weight?: Tensor | null): Tensor;
export function huberLoss(...a: unknown[]): Tensor {
  const op = 'huberLoss';
  const r = pyArgs(op, a, ['input', 'target', 'reduction', 'delta', 'weight']);
  const input = tensorArg(op, r.input, 'input');
  const target = tensorArg(op, r.target, 'target');
  const reduction = (r.reduction ?? 'mean') as Reduction;
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') argError(op, "'none', 'mean' or 'sum'", 'reduction', reduction);
  const delta = r.delta === undefined ? 1 : (cF(r.delta, op, 'delta') as number);
  const weight = r.weight === undefined || r.weight === null ? null : tensorArg(op, r.weight, 'weight');
  const [x, y] = torchOps.broadcastTensors([input, target]);
  try {
    if (weight === null) return nnOps.huberLoss(x, y, ['none', 'mean', 'sum'].indexOf(reduction), delta);
    if (String(weight.shape) !== String(input.shape)) throw new RangeError('Weights and input must have the same size.');
    const loss = nnOps.huberLoss(x, y, 0, delta);
    const weighted = loss.mul(weight);
    loss.dispose();
    if (reduction === 'none') return weighted;
    const out = reduction === 'sum' ? weighted.sum() : weighted.mean();
    weighted.dispose();
    return out;
  } finally {
    x.dispose();
    y.dispose();
  }
}

/**
 * F.normalize(input, p=2.0, dim=1, eps=1e-12): input / max(||input||_p over dim, eps).
 * @throws TorchError when dim is out of range.
 */
export function normalize(input: Tensor, opts?: { p?: number; dim?: Int; eps?: number }): Tensor;
export function normalize(input: Tensor, p: number, dim?: Int, eps?: number): Tensor;
export function normalize(...a: unknown[]): Tensor {
  const op = 'normalize';
  const r = pyArgs(op, a, ['input', 'p', 'dim', 'eps']);
  const input = tensorArg(op, r.input, 'input');
  const p = r.p === undefined ? 2 : (cF(r.p, op, 'p') as number);
  const dim = r.dim === undefined ? 1 : (cI(r.dim, op, 'dim') as Int);
  const eps = r.eps === undefined ? 1e-12 : (cF(r.eps, op, 'eps') as number);
  const n = input.norm(p, dim, true);
  const d = n.clampMin(eps);
  const e = d.expandAs(input);
  const out = input.div(e);
  for (const t of [n, d, e]) t.dispose();
  return out;
}

/** F.softmin(input, dim=None, dtype=None): softmax(-input) (dim null picks PyTorch's legacy default). */
export function softmin(input: Tensor, dim?: Int | null | { dim?: Int | null; dtype?: DType | null }, opts?: { dtype?: DType | null }): Tensor;
export function softmin(...a: unknown[]): Tensor {
  const op = 'softmin';
  const r = pyArgs(op, a, ['input', 'dim'], ['dtype']);
  const input = tensorArg(op, r.input, 'input');
  let dim = cIO(r.dim, op, 'dim') as Int | null | undefined;
  if (dim === null || dim === undefined) dim = [0, 1, 3].includes(input.dim()) ? 0 : 1;
  const neg = input.neg();
  const out = r.dtype === undefined || r.dtype === null ? neg.softmax(dim) : neg.softmax(dim, r.dtype as DType);
  neg.dispose();
  return out;
}

/** F.softsign(input): input / (|input| + 1). */
export function softsign(input: Tensor): Tensor {
  const x = tensorArg('softsign', input, 'input');
  const abs = x.abs();
  const den = abs.add(1);
  const out = x.div(den);
  abs.dispose();
  den.dispose();
  return out;
}

/** F.tanhshrink(input): input - tanh(input). */
export function tanhshrink(input: Tensor): Tensor {
  const x = tensorArg('tanhshrink', input, 'input');
  const t = x.tanh();
  const out = x.sub(t);
  t.dispose();
  return out;
}

/**
 * F.kl_div(input, target, reduction='mean', log_target=False): reduction may
 * also be 'batchmean' (the sum divided by the batch size, the mathematical KL
 * divergence), as in PyTorch.
 * @throws TypeError for an unknown reduction.
 */
export function klDiv(input: Tensor, target: Tensor, opts?: { reduction?: Reduction | 'batchmean'; logTarget?: boolean }): Tensor;
export function klDiv(input: Tensor, target: Tensor, reduction: Reduction | 'batchmean', logTarget?: boolean): Tensor;
export function klDiv(...a: unknown[]): Tensor {
  const op = 'klDiv';
  const r = pyArgs(op, a, ['input', 'target', 'reduction', 'logTarget']);
  const input = tensorArg(op, r.input, 'input');
  const target = tensorArg(op, r.target, 'target');
  const reduction = r.reduction ?? 'mean';
  const codes: Record<string, number> = { none: 0, mean: 1, sum: 2, batchmean: 2 };
  if (typeof reduction !== 'string' || codes[reduction] === undefined) argError(op, "'none', 'mean', 'sum' or 'batchmean'", 'reduction', reduction);
  const out = torchOps.klDiv(input, target, codes[reduction as string], { logTarget: bool(op, r.logTarget, 'logTarget', false) });
  if (reduction !== 'batchmean' || input.dim() === 0) return out;
  const scaled = out.div(input.size(0));
  out.dispose();
  return scaled;
}

// ---------------------------------------------------------------- local response norm and power-average pooling
/** Disposes the intermediates of a chain of ops (all but the last result). */
function disposeAll(ts: Tensor[]): void {
  for (const t of ts) t.dispose();
}

/**
 * F.local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0): each value divided by
 * (k + alpha * mean of squares over `size` neighbouring channels) ** beta, as PyTorch.
 * @throws RangeError for input with fewer than 3 dims; TypeError for arguments of the wrong kind.
 */
export function localResponseNorm(input: Tensor, size: Int, opts?: { alpha?: number; beta?: number; k?: number }): Tensor;
export function localResponseNorm(input: Tensor, size: Int, alpha: number, beta?: number, k?: number): Tensor;
export function localResponseNorm(...a: unknown[]): Tensor {
  const op = 'localResponseNorm';
  const r = pyArgs(op, a, ['input', 'size', 'alpha', 'beta', 'k']);
  const input = tensorArg(op, r.input, 'input');
  const size = Number(cI(r.size, op, 'size'));
  const alpha = r.alpha === undefined ? 1e-4 : (cF(r.alpha, op, 'alpha') as number);
  const beta = r.beta === undefined ? 0.75 : (cF(r.beta, op, 'beta') as number);
  const k = r.k === undefined ? 1 : (cF(r.k, op, 'k') as number);
  const dim = input.dim();
  if (dim < 3) throw new RangeError(`Expected 3D or higher dimensionality input for ${op} input but received ${dim} dimensions`);
  if (input.numel() === 0) return input.alias();
  const tmp: Tensor[] = [];
  const keep = (t: Tensor): Tensor => (tmp.push(t), t);
  let div = keep(input.mul(input));
  if (dim === 3) {
    div = keep(div.unsqueeze(1));
    div = keep(torchOps.constantPadNd(div, [0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)], 0));
    div = keep(nnOps.avgPool2d(div, [size, 1], 1));
    div = keep(div.squeeze(1));
  } else {
    const sizes = input.shape;
    div = keep(div.view([sizes[0], 1, sizes[1], sizes[2], -1]));
    div = keep(torchOps.constantPadNd(div, [0, 0, 0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)], 0));
    div = keep(nnOps.avgPool3d(div, [size, 1, 1], 1));
    div = keep(div.squeeze(1));
    div = keep(div.view(sizes));
  }
  div = keep(div.mul(alpha));
  div = keep(div.add(k));
  div = keep(div.pow(beta));
  const out = input.div(div);
  disposeAll(tmp);
  return out;
}

function lpPool(op: string, nd: 1 | 2 | 3, a: unknown[]): Tensor {
  const r = pyArgs(op, a, ['input', 'normType', 'kernelSize', 'stride', 'ceilMode']);
  const input = tensorArg(op, r.input, 'input');
  const normType = cF(r.normType, op, 'normType') as number;
  const kernel = ntuple(op, r.kernelSize, 'kernelSize', nd);
  const stride = r.stride === undefined || r.stride === null ? [] : ntuple(op, r.stride, 'stride', nd);
  const ceilMode = bool(op, r.ceilMode, 'ceilMode', false);
  const tmp: Tensor[] = [];
  const keep = (t: Tensor): Tensor => (tmp.push(t), t);
  const powed = keep(input.pow(normType));
  const pool = nd === 1 ? torchOps.avgPool1d : nd === 2 ? nnOps.avgPool2d : nnOps.avgPool3d;
  const out = keep((pool as (...x: unknown[]) => Tensor)(powed, kernel, stride, 0, ceilMode));
  const s = keep(out.sign());
  const ab = keep(out.abs());
  const re = keep(ab.relu());
  const m = keep(s.mul(re));
  const scaled = keep(m.mul(kernel.reduce((x, y) => x * y, 1)));
  const res = scaled.pow(1 / normType);
  disposeAll(tmp);
  return res;
}

/**
 * F.lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False): the p-norm of each
 * window (p = normType), as PyTorch (stride defaults to kernelSize).
 * @throws TypeError for arguments of the wrong kind; TorchError for sizes libtorch rejects.
 */
export function lpPool1d(input: Tensor, normType: number, kernelSize: Size, stride?: Size | null, ceilMode?: boolean): Tensor;
export function lpPool1d(input: Tensor, normType: number, kernelSize: Size, opts?: { stride?: Size | null; ceilMode?: boolean }): Tensor;
export function lpPool1d(...a: unknown[]): Tensor {
  return lpPool('lpPool1d', 1, a);
}
/** F.lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False). @throws as lpPool1d. */
export function lpPool2d(input: Tensor, normType: number, kernelSize: Size, stride?: Size | null, ceilMode?: boolean): Tensor;
export function lpPool2d(input: Tensor, normType: number, kernelSize: Size, opts?: { stride?: Size | null; ceilMode?: boolean }): Tensor;
export function lpPool2d(...a: unknown[]): Tensor {
  return lpPool('lpPool2d', 2, a);
}
/** F.lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False). @throws as lpPool1d. */
export function lpPool3d(input: Tensor, normType: number, kernelSize: Size, stride?: Size | null, ceilMode?: boolean): Tensor;
export function lpPool3d(input: Tensor, normType: number, kernelSize: Size, opts?: { stride?: Size | null; ceilMode?: boolean }): Tensor;
export function lpPool3d(...a: unknown[]): Tensor {
  return lpPool('lpPool3d', 3, a);
}

// ---------------------------------------------------------------- losses written in Python (wt-act)
function reductionArg(op: string, v: unknown): Reduction {
  const r = v ?? 'mean';
  if (r !== 'none' && r !== 'mean' && r !== 'sum') argError(op, "'none', 'mean' or 'sum'", 'reduction', r);
  return r as Reduction;
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? loss.sum() : loss.mean();
}

/**
 * F.gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean'):
 * 0.5 * (log(max(var, eps)) + (input - target)^2 / max(var, eps)), plus
 * 0.5 * log(2 pi) with full. `var` is a tensor of input's shape, of input's
 * shape without its last dim, or with one dim of size 1; or a number.
 * @throws RangeError for a negative variance or a var of another shape; TypeError for an unknown reduction.
 */
export function gaussianNllLoss(
  input: Tensor,
  target: Tensor,
  variance: Tensor | number,
  opts?: { full?: boolean; eps?: number; reduction?: Reduction },
): Tensor;
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor | number, full: boolean, eps?: number, reduction?: Reduction): Tensor;
export function gaussianNllLoss(...a: unknown[]): Tensor {
  const op = 'gaussianNllLoss';
  const r = pyArgs(op, a, ['input', 'target', 'var', 'full', 'eps', 'reduction']);
  const input = tensorArg(op, r.input, 'input');
  const target = tensorArg(op, r.target, 'target');
  const full = bool(op, r.full, 'full', false);
  const eps = r.eps === undefined ? 1e-6 : (cF(r.eps, op, 'eps') as number);
  const reduction = reductionArg(op, r.reduction);
  return tidy(() => {
    let v: Tensor;
    if (typeof r.var === 'number') {
      if (r.var < 0) throw new RangeError('var has negative entry/entries');
      v = onesLike(input).mul(r.var);
    } else {
      v = tensorArg(op, r.var, 'var');
      if (v.lt(0).any().item()) throw new RangeError('var has negative entry/entries');
    }
    const is = input.shape;
    const vs = v.shape;
    if (String(vs) !== String(is) || vs.length !== is.length) {
      if (vs.length === is.length - 1 && String(is.slice(0, -1)) === String(vs)) v = v.unsqueeze(-1);
      else if (!(vs.length === is.length && is.reduce((s, d, i) => s + (d !== vs[i] ? vs[i] : 0), 0) === 1)) throw new RangeError('var is of incorrect size');
    }
    const clamped = noGrad(() => v.clampMin(eps));
    // as Python's var.clone() then clamp_ under no_grad: the gradient reaches var unclamped
    const vv = v.add(clamped.sub(v).detach());
    let loss = vv.log().add(input.sub(target).pow(2).div(vv)).mul(0.5);
    if (full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
    return reduce(loss, reduction);
  });
}

/**
 * F.multilabel_soft_margin_loss(input, target, weight=None, reduction='mean'):
 * -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input)), times
 * weight, averaged over the classes (last dim), then reduced.
 * @throws TypeError for an unknown reduction.
 */
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, opts?: { weight?: Tensor | null; reduction?: Reduction }): Tensor;
export function multilabelSoftMarginLoss(input: Tensor, target: Tensor, weight: Tensor | null, reduction?: Reduction): Tensor;
export function multilabelSoftMarginLoss(...a: unknown[]): Tensor {
  const op = 'multilabelSoftMarginLoss';
  const r = pyArgs(op, a, ['input', 'target', 'weight', 'reduction']);
  const input = tensorArg(op, r.input, 'input');
  const target = tensorArg(op, r.target, 'target');
  const weight = r.weight === undefined || r.weight === null ? null : tensorArg(op, r.weight, 'weight');
  const reduction = reductionArg(op, r.reduction);
  return tidy(() => {
    const pos = target.mul(nnOps.logSigmoid(input));
    const neg = torchOps.rsub(target, 1).mul(nnOps.logSigmoid(input.neg()));
    let loss = pos.add(neg).neg();
    if (weight !== null) loss = loss.mul(weight);
    const classDim = input.dim() - 1;
    loss = loss.sum(classDim).div(input.size(classDim));
    return reduce(loss, reduction);
  });
}

/** Options of tripletMarginWithDistanceLoss (keyword-only in Python). */
export interface TripletMarginWithDistanceOptions {
  /** Distance between two batches of vectors (default F.pairwiseDistance). */
  distanceFunction?: ((a: Tensor, b: Tensor) => Tensor) | null;
  /** Default 1; must be positive. */
  margin?: number;
  /** Use min(d(a, n), d(p, n)) as the negative distance (default false). */
  swap?: boolean;
  reduction?: Reduction;
}

/**
 * F.triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False, reduction='mean'):
 * max(margin + d(anchor, positive) - d(anchor, negative), 0), reduced.
 * @throws RangeError for a margin <= 0 or inputs of different ranks; TypeError for an unknown reduction or option.
 */
export function tripletMarginWithDistanceLoss(anchor: Tensor, positive: Tensor, negative: Tensor, opts: TripletMarginWithDistanceOptions = {}): Tensor {
  const op = 'tripletMarginWithDistanceLoss';
  if (opts === null || typeof opts !== 'object') argError(op, 'an options object', 'options', opts);
  for (const k of Object.keys(opts)) {
    if (!['distanceFunction', 'margin', 'swap', 'reduction'].includes(k))
      throw new TypeError(`Unknown option '${k}' for ${op}; expected one of: distanceFunction, margin, swap, reduction`);
  }
  tensorArg(op, anchor, 'anchor');
  tensorArg(op, positive, 'positive');
  tensorArg(op, negative, 'negative');
  const reduction = reductionArg(op, opts.reduction);
  const margin = opts.margin === undefined ? 1 : (cF(opts.margin, op, 'margin') as number);
  if (margin <= 0) throw new RangeError(`margin must be greater than 0, got ${margin}`);
  const swap = bool(op, opts.swap, 'swap', false);
  const dist = opts.distanceFunction ?? ((x: Tensor, y: Tensor) => torchOps.pairwiseDistance(x, y));
  if (typeof dist !== 'function') argError(op, 'a function or null', 'distanceFunction', dist);
  const [ad, pd, nd] = [anchor.dim(), positive.dim(), negative.dim()];
  if (!(ad === pd && pd === nd)) {
    throw new RangeError(
      `The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor ${ad}D, positive ${pd}D, and negative ${nd}D inputs`,
    );
  }
  return tidy(() => {
    const dPos = dist(anchor, positive);
    let dNeg = dist(anchor, negative);
    if (swap) dNeg = torchOps.minimum(dNeg, dist(positive, negative));
    const loss = dPos.sub(dNeg).add(margin).clampMin(0);
    return reduce(loss, reduction);
  });
}
