/**
 * Pooling layers (as `nn.MaxPool1d/2d/3d`, `nn.AvgPool1d/2d/3d`,
 * `nn.AdaptiveAvgPool1d/2d/3d`, `nn.AdaptiveMaxPool1d/2d/3d`,
 * `nn.MaxUnpool1d/2d/3d`, `nn.LPPool1d/2d/3d`): PyTorch's arguments, defaults
 * and printed form over the functional forms. Layers built with
 * `returnIndices: true` return `[output, indices]`, typed so.
 */
import { Module } from '../module.js';
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import { checkOptions, rangeError, typeError } from '../../errors.js';
import { checkBool, checkInt, intOrTuple, ntuple, pyBool, pySize, type IntOrTuple } from './args.js';

/** An output size: an int, or per-dim ints where null keeps the input's size. */
export type AdaptiveSize = number | readonly (number | null)[];

/** What a pooling layer with returnIndices R returns. */
export type PoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

// ------------------------------------------------------------------ max pooling
/** Options of MaxPool1d/2d/3d (Python's keyword arguments after kernel_size). */
export interface MaxPoolOptions<R extends boolean = boolean> {
  /** Default: kernelSize. */
  stride?: IntOrTuple | null;
  /** Implicit -inf padding on both sides; default 0 (at most half the kernel). */
  padding?: IntOrTuple;
  /** Spacing between window elements; default 1. */
  dilation?: IntOrTuple;
  /** Also return the argmax indices (for MaxUnpool); default false. */
  returnIndices?: R;
  /** Round the output size up instead of down; default false. */
  ceilMode?: boolean;
}

type MaxFn = (input: Tensor, k: IntOrTuple, s: IntOrTuple, p: IntOrTuple, d: IntOrTuple, ceil: boolean) => Tensor;
type MaxIdxFn = (input: Tensor, k: IntOrTuple, s: IntOrTuple, p: IntOrTuple, d: IntOrTuple, ceil: boolean) => readonly [Tensor, Tensor];
const MAX_FNS: Record<number, [MaxFn, MaxIdxFn]> = {
  1: [F.maxPool1d as unknown as MaxFn, F.maxPool1dWithIndices as unknown as MaxIdxFn],
  2: [F.maxPool2d as unknown as MaxFn, F.maxPool2dWithIndices as unknown as MaxIdxFn],
  3: [F.maxPool3d as unknown as MaxFn, F.maxPool3dWithIndices as unknown as MaxIdxFn],
};

/** The shared part of MaxPool1d/2d/3d (PyTorch's `_MaxPoolNd`). */
abstract class MaxPoolNd<R extends boolean> extends Module {
  readonly kernelSize: IntOrTuple;
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly dilation: IntOrTuple;
  readonly returnIndices: R;
  readonly ceilMode: boolean;
  private readonly nd: number;

  protected constructor(nd: number, name: string, kernelSize: IntOrTuple, opts: MaxPoolOptions<R>) {
    super();
    checkOptions(opts, ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'], name);
    this.nd = nd;
    this.kernelSize = intOrTuple(kernelSize, 'kernelSize', 1, typeof kernelSize === 'number' ? undefined : nd);
    this.stride =
      opts.stride === undefined || opts.stride === null
        ? this.kernelSize
        : intOrTuple(opts.stride, 'stride', 1, typeof opts.stride === 'number' ? undefined : nd);
    this.padding = intOrTuple(opts.padding ?? 0, 'padding', 0, typeof opts.padding === 'object' ? nd : undefined);
    this.dilation = intOrTuple(opts.dilation ?? 1, 'dilation', 1, typeof opts.dilation === 'object' ? nd : undefined);
    this.returnIndices = checkBool(opts.returnIndices, 'returnIndices', false) as R;
    this.ceilMode = checkBool(opts.ceilMode, 'ceilMode', false);
  }

  /** The maxima over each window (and their flat indices with returnIndices). @throws TorchError for shapes libtorch rejects. */
  forward(input: Tensor): PoolResult<R> {
    const [plain, withIdx] = MAX_FNS[this.nd];
    if (this.returnIndices) {
      const [o, i] = withIdx(input, this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode);
      return [o, i] as PoolResult<R>;
    }
    return plain(input, this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode) as PoolResult<R>;
  }

  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}, dilation=${pySize(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/**
 * Max pooling over (N, C, L) or (C, L) input, as `nn.MaxPool1d`.
 * @throws TypeError for unknown options or arguments of the wrong kind; RangeError for non-positive sizes.
 */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: IntOrTuple, opts: MaxPoolOptions<R> = {}) {
    super(1, 'MaxPool1d', kernelSize, opts);
  }
}
/** Max pooling over (N, C, H, W) or (C, H, W) input, as `nn.MaxPool2d`. @example new nn.MaxPool2d(3, { stride: 2, padding: 1 }) @throws as MaxPool1d. */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: IntOrTuple, opts: MaxPoolOptions<R> = {}) {
    super(2, 'MaxPool2d', kernelSize, opts);
  }
}
/** Max pooling over (N, C, D, H, W) or (C, D, H, W) input, as `nn.MaxPool3d`. @throws as MaxPool1d. */
export class MaxPool3d<R extends boolean = false> extends MaxPoolNd<R> {
  constructor(kernelSize: IntOrTuple, opts: MaxPoolOptions<R> = {}) {
    super(3, 'MaxPool3d', kernelSize, opts);
  }
}

// ------------------------------------------------------------------ average pooling
/** Options of AvgPool1d/2d/3d (Python's keyword arguments after kernel_size). */
export interface AvgPoolOptions {
  /** Default: kernelSize. */
  stride?: IntOrTuple | null;
  /** Implicit zero padding on both sides; default 0. */
  padding?: IntOrTuple;
  /** Default false. */
  ceilMode?: boolean;
  /** Count the zero padding in the average; default true. */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size (2-D and 3-D only); default null. */
  divisorOverride?: number | null;
}

/**
 * Average pooling over (N, C, L) or (C, L) input, as `nn.AvgPool1d` (sizes kept as 1-tuples, as PyTorch).
 * @throws TypeError for unknown options (divisorOverride included) or arguments of the wrong kind; RangeError for non-positive sizes.
 */
export class AvgPool1d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: IntOrTuple, opts: Omit<AvgPoolOptions, 'divisorOverride'> = {}) {
    super();
    checkOptions(opts, ['stride', 'padding', 'ceilMode', 'countIncludePad'], 'AvgPool1d');
    this.kernelSize = ntuple(kernelSize, 1, 'kernelSize', 1);
    this.stride = opts.stride === undefined || opts.stride === null ? this.kernelSize : ntuple(opts.stride, 1, 'stride', 1);
    this.padding = ntuple(opts.padding ?? 0, 1, 'padding', 0);
    this.ceilMode = checkBool(opts.ceilMode, 'ceilMode', false);
    this.countIncludePad = checkBool(opts.countIncludePad, 'countIncludePad', true);
  }

  /** @throws TorchError for shapes libtorch rejects. */
  forward(input: Tensor): Tensor {
    return F.avgPool1d(input, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad);
  }

  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}`;
  }
}

/** The shared part of AvgPool2d/3d. */
abstract class AvgPoolNd extends Module {
  readonly kernelSize: IntOrTuple;
  readonly stride: IntOrTuple;
  readonly padding: IntOrTuple;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  protected constructor(nd: number, name: string, kernelSize: IntOrTuple, opts: AvgPoolOptions) {
    super();
    checkOptions(opts, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'], name);
    this.kernelSize = intOrTuple(kernelSize, 'kernelSize', 1, typeof kernelSize === 'number' ? undefined : nd);
    this.stride =
      opts.stride === undefined || opts.stride === null
        ? this.kernelSize
        : intOrTuple(opts.stride, 'stride', 1, typeof opts.stride === 'number' ? undefined : nd);
    this.padding = intOrTuple(opts.padding ?? 0, 'padding', 0, typeof opts.padding === 'object' ? nd : undefined);
    this.ceilMode = checkBool(opts.ceilMode, 'ceilMode', false);
    this.countIncludePad = checkBool(opts.countIncludePad, 'countIncludePad', true);
    this.divisorOverride = opts.divisorOverride === undefined || opts.divisorOverride === null ? null : checkInt(opts.divisorOverride, 'divisorOverride', 1);
  }

  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}`;
  }
}

/** Average pooling over (N, C, H, W) or (C, H, W) input, as `nn.AvgPool2d`. @throws as AvgPool1d; RangeError for divisorOverride < 1. */
export class AvgPool2d extends AvgPoolNd {
  constructor(kernelSize: IntOrTuple, opts: AvgPoolOptions = {}) {
    super(2, 'AvgPool2d', kernelSize, opts);
  }
  /** @throws TorchError for shapes libtorch rejects. */
  forward(input: Tensor): Tensor {
    return F.avgPool2d(input, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride);
  }
}

/** Average pooling over (N, C, D, H, W) or (C, D, H, W) input, as `nn.AvgPool3d`. @throws as AvgPool2d. */
export class AvgPool3d extends AvgPoolNd {
  constructor(kernelSize: IntOrTuple, opts: AvgPoolOptions = {}) {
    super(3, 'AvgPool3d', kernelSize, opts);
  }
  /** @throws TorchError for shapes libtorch rejects. */
  forward(input: Tensor): Tensor {
    return F.avgPool3d(input, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride);
  }
}

// ------------------------------------------------------------------ adaptive pooling
function checkAdaptive(v: unknown, nd: number): AdaptiveSize {
  if (typeof v === 'number') return checkInt(v, 'outputSize', 0);
  if (!Array.isArray(v)) typeError(`an integer or ${nd} integers (null keeps the input's size)`, 'outputSize', v);
  const a = v as unknown[];
  if (a.length !== nd) rangeError(`an integer or ${nd} integers (null keeps the input's size)`, 'outputSize', v);
  return a.map((x, i) => (x === null ? null : checkInt(x, `outputSize[${i}]`, 0)));
}

/** Resolves nulls to the input's trailing sizes (Python's _list_with_default). */
function resolveSize(size: AdaptiveSize, input: Tensor): number | number[] {
  if (typeof size === 'number') return size;
  const shape = input.shape;
  if (shape.length <= size.length) throw new RangeError(`Expected at least ${size.length + 1} dims for input but received a ${shape.length}-D tensor`);
  const tail = shape.slice(-size.length);
  return size.map((v, i) => (v === null ? tail[i] : v));
}

type AdaptiveAvgFn = (input: Tensor, size: number | number[]) => Tensor;
const ADAPTIVE_AVG: Record<number, AdaptiveAvgFn> = {
  1: F.adaptiveAvgPool1d as AdaptiveAvgFn,
  2: F.adaptiveAvgPool2d as AdaptiveAvgFn,
  3: F.adaptiveAvgPool3d as AdaptiveAvgFn,
};

/** The shared part of AdaptiveAvgPool1d/2d/3d. */
abstract class AdaptiveAvgPoolNd extends Module {
  readonly outputSize: AdaptiveSize;
  private readonly nd: number;
  protected constructor(nd: number, outputSize: AdaptiveSize) {
    super();
    this.nd = nd;
    this.outputSize = checkAdaptive(outputSize, nd);
  }
  /** Averages over windows sized so the output has outputSize. @throws TorchError for shapes libtorch rejects. */
  forward(input: Tensor): Tensor {
    return ADAPTIVE_AVG[this.nd](input, resolveSize(this.outputSize, input));
  }
  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}

/** Adaptive average pooling to a length, as `nn.AdaptiveAvgPool1d`. @throws TypeError/RangeError for a bad outputSize. */
export class AdaptiveAvgPool1d extends AdaptiveAvgPoolNd {
  constructor(outputSize: number | readonly [number]) {
    super(1, outputSize);
  }
}
/** Adaptive average pooling to (H, W) (null keeps the input's size), as `nn.AdaptiveAvgPool2d`. @throws as AdaptiveAvgPool1d. */
export class AdaptiveAvgPool2d extends AdaptiveAvgPoolNd {
  constructor(outputSize: AdaptiveSize) {
    super(2, outputSize);
  }
}
/** Adaptive average pooling to (D, H, W), as `nn.AdaptiveAvgPool3d`. @throws as AdaptiveAvgPool1d. */
export class AdaptiveAvgPool3d extends AdaptiveAvgPoolNd {
  constructor(outputSize: AdaptiveSize) {
    super(3, outputSize);
  }
}

type AdaptiveMaxFn = (input: Tensor, size: number | number[], returnIndices: boolean) => Tensor | readonly [Tensor, Tensor];
const ADAPTIVE_MAX: Record<number, AdaptiveMaxFn> = {
  1: F.adaptiveMaxPool1d as unknown as AdaptiveMaxFn,
  2: F.adaptiveMaxPool2d as unknown as AdaptiveMaxFn,
  3: F.adaptiveMaxPool3d as unknown as AdaptiveMaxFn,
};

/** The shared part of AdaptiveMaxPool1d/2d/3d. */
abstract class AdaptiveMaxPoolNd<R extends boolean> extends Module {
  readonly outputSize: AdaptiveSize;
  readonly returnIndices: R;
  private readonly nd: number;
  protected constructor(nd: number, name: string, outputSize: AdaptiveSize, opts: { returnIndices?: R }) {
    super();
    checkOptions(opts, ['returnIndices'], name);
    this.nd = nd;
    this.outputSize = checkAdaptive(outputSize, nd);
    this.returnIndices = checkBool(opts.returnIndices, 'returnIndices', false) as R;
  }
  /** Maxima over adaptive windows (and their indices with returnIndices). @throws TorchError for shapes libtorch rejects. */
  forward(input: Tensor): PoolResult<R> {
    const out = ADAPTIVE_MAX[this.nd](input, resolveSize(this.outputSize, input), this.returnIndices);
    return (this.returnIndices ? [...(out as readonly [Tensor, Tensor])] : out) as PoolResult<R>;
  }
  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
}

/** Adaptive max pooling to a length, as `nn.AdaptiveMaxPool1d`. @throws TypeError/RangeError for a bad outputSize or unknown options. */
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  constructor(outputSize: number | readonly [number], opts: { returnIndices?: R } = {}) {
    super(1, 'AdaptiveMaxPool1d', outputSize, opts);
  }
}
/** Adaptive max pooling to (H, W), as `nn.AdaptiveMaxPool2d`. @throws as AdaptiveMaxPool1d. */
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  constructor(outputSize: AdaptiveSize, opts: { returnIndices?: R } = {}) {
    super(2, 'AdaptiveMaxPool2d', outputSize, opts);
  }
}
/** Adaptive max pooling to (D, H, W), as `nn.AdaptiveMaxPool3d`. @throws as AdaptiveMaxPool1d. */
export class AdaptiveMaxPool3d<R extends boolean = false> extends AdaptiveMaxPoolNd<R> {
  constructor(outputSize: AdaptiveSize, opts: { returnIndices?: R } = {}) {
    super(3, 'AdaptiveMaxPool3d', outputSize, opts);
  }
}

// ------------------------------------------------------------------ max unpooling
type UnpoolFn = (input: Tensor, indices: Tensor, k: number[], s: number[], p: number[], outputSize: readonly number[] | null) => Tensor;
const UNPOOL: Record<number, UnpoolFn> = {
  1: F.maxUnpool1d as unknown as UnpoolFn,
  2: F.maxUnpool2d as unknown as UnpoolFn,
  3: F.maxUnpool3d as unknown as UnpoolFn,
};

/** The shared part of MaxUnpool1d/2d/3d (sizes kept as tuples, as PyTorch). */
abstract class MaxUnpoolNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  protected constructor(nd: number, name: string, kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; padding?: IntOrTuple }) {
    super();
    checkOptions(opts, ['stride', 'padding'], name);
    this.kernelSize = ntuple(kernelSize, nd, 'kernelSize', 1);
    this.stride = opts.stride === undefined || opts.stride === null ? this.kernelSize : ntuple(opts.stride, nd, 'stride', 1);
    this.padding = ntuple(opts.padding ?? 0, nd, 'padding', 0);
  }
  /**
   * Puts each value back at its index (from MaxPool with returnIndices), zeros elsewhere.
   * @param outputSize the exact output size when the pooling's rounding left it ambiguous (default null).
   * @throws TorchError / RangeError for indices or sizes that do not fit.
   */
  forward(input: Tensor, indices: Tensor, outputSize: readonly number[] | null = null): Tensor {
    return UNPOOL[this.kernelSize.length](input, indices, this.kernelSize, this.stride, this.padding, outputSize);
  }
  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, padding=${pySize(this.padding)}`;
  }
}

/** Partial inverse of MaxPool1d, as `nn.MaxUnpool1d`. @throws TypeError/RangeError for bad sizes or unknown options. */
export class MaxUnpool1d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; padding?: IntOrTuple } = {}) {
    super(1, 'MaxUnpool1d', kernelSize, opts);
  }
}
/** Partial inverse of MaxPool2d, as `nn.MaxUnpool2d`. @throws as MaxUnpool1d. */
export class MaxUnpool2d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; padding?: IntOrTuple } = {}) {
    super(2, 'MaxUnpool2d', kernelSize, opts);
  }
}
/** Partial inverse of MaxPool3d, as `nn.MaxUnpool3d`. @throws as MaxUnpool1d. */
export class MaxUnpool3d extends MaxUnpoolNd {
  constructor(kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; padding?: IntOrTuple } = {}) {
    super(3, 'MaxUnpool3d', kernelSize, opts);
  }
}

// ------------------------------------------------------------------ power-average pooling
type LpFn = (input: Tensor, normType: number, k: IntOrTuple, s: IntOrTuple | null, ceil: boolean) => Tensor;
const LP: Record<number, LpFn> = { 1: F.lpPool1d as LpFn, 2: F.lpPool2d as LpFn, 3: F.lpPool3d as LpFn };

/** The shared part of LPPool1d/2d/3d. */
abstract class LPPoolNd extends Module {
  readonly normType: number;
  readonly kernelSize: IntOrTuple;
  readonly stride: IntOrTuple | null;
  readonly ceilMode: boolean;
  private readonly nd: number;
  protected constructor(nd: number, name: string, normType: number, kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; ceilMode?: boolean }) {
    super();
    checkOptions(opts, ['stride', 'ceilMode'], name);
    if (typeof normType !== 'number' || Number.isNaN(normType)) typeError('a number', 'normType', normType);
    if (normType === 0) rangeError('a non-zero number', 'normType', normType);
    this.nd = nd;
    this.normType = normType;
    this.kernelSize = intOrTuple(kernelSize, 'kernelSize', 1, typeof kernelSize === 'number' ? undefined : nd);
    this.stride =
      opts.stride === undefined || opts.stride === null ? null : intOrTuple(opts.stride, 'stride', 1, typeof opts.stride === 'number' ? undefined : nd);
    this.ceilMode = checkBool(opts.ceilMode, 'ceilMode', false);
  }
  /** The normType-norm of each window. @throws TorchError for shapes libtorch rejects. */
  forward(input: Tensor): Tensor {
    return LP[this.nd](input, this.normType, this.kernelSize, this.stride, this.ceilMode);
  }
  override extraRepr(): string {
    return `norm_type=${this.normType}, kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** Power-average pooling over (N, C, L) input, as `nn.LPPool1d`. @throws TypeError/RangeError for bad arguments or unknown options. */
export class LPPool1d extends LPPoolNd {
  constructor(normType: number, kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; ceilMode?: boolean } = {}) {
    super(1, 'LPPool1d', normType, kernelSize, opts);
  }
}
/** Power-average pooling over (N, C, H, W) input, as `nn.LPPool2d`. @throws as LPPool1d. */
export class LPPool2d extends LPPoolNd {
  constructor(normType: number, kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; ceilMode?: boolean } = {}) {
    super(2, 'LPPool2d', normType, kernelSize, opts);
  }
}
/** Power-average pooling over (N, C, D, H, W) input, as `nn.LPPool3d`. @throws as LPPool1d. */
export class LPPool3d extends LPPoolNd {
  constructor(normType: number, kernelSize: IntOrTuple, opts: { stride?: IntOrTuple | null; ceilMode?: boolean } = {}) {
    super(3, 'LPPool3d', normType, kernelSize, opts);
  }
}
