/**
 * Convolution layers (as `nn.Conv1d/2d/3d` and `nn.ConvTranspose1d/2d/3d`):
 * PyTorch's constructor arguments, defaults, initialization (kaiming-uniform
 * weight with a = sqrt(5), uniform bias in +-1/sqrt(fan_in)), parameter names
 * and printed form, built on the generated `F.conv*` / `F.convTranspose*`.
 */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { empty } from '../../creation.js';
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import * as nnOps from '../../generated/nn.js';
import * as init from '../init.js';
import { checkOptions, rangeError } from '../../errors.js';
import { checkBool, checkChoice, checkInt, ntuple, pyTuple, type IntOrTuple } from './args.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';

/** How a convolution pads its input: PyTorch's `padding_mode`. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Options of Conv1d/2d/3d (Python's keyword arguments after kernel_size). */
export interface ConvOptions {
  /** Default 1. */
  stride?: IntOrTuple;
  /** Zero padding on both sides of each spatial dim, or 'valid' (none) / 'same' (output size = input size, stride 1 only); default 0. */
  padding?: IntOrTuple | 'same' | 'valid';
  /** Spacing between kernel elements; default 1. */
  dilation?: IntOrTuple;
  /** Blocked connections from input to output channels; default 1. */
  groups?: number;
  /** Learn an additive bias; default true. */
  bias?: boolean;
  /** Default 'zeros'. */
  paddingMode?: PaddingMode;
  device?: DeviceLike;
  dtype?: DType;
}

/** Options of ConvTranspose1d/2d/3d (Python's keyword arguments after kernel_size). */
export interface ConvTransposeOptions {
  /** Default 1. */
  stride?: IntOrTuple;
  /** dilation * (kernel_size - 1) - padding zero-padding on both sides; default 0. */
  padding?: IntOrTuple;
  /** Extra size added to one side of each output dim; default 0 (must be smaller than stride or dilation). */
  outputPadding?: IntOrTuple;
  /** Default 1. */
  groups?: number;
  /** Default true. */
  bias?: boolean;
  /** Default 1. */
  dilation?: IntOrTuple;
  /** Only 'zeros' (the default) is supported, as PyTorch. */
  paddingMode?: 'zeros';
  device?: DeviceLike;
  dtype?: DType;
}

const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];
const CONV_OPTIONS = ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', 'device', 'dtype'];
const CONV_T_OPTIONS = ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode', 'device', 'dtype'];

/** What _ConvNd's constructor takes once the public forms are unpacked. */
interface ConvSpec {
  nd: number;
  name: string;
  inChannels: number;
  outChannels: number;
  kernelSize: IntOrTuple;
  stride: IntOrTuple;
  padding: IntOrTuple | 'same' | 'valid';
  dilation: IntOrTuple;
  transposed: boolean;
  outputPadding: IntOrTuple;
  groups: number;
  bias: boolean;
  paddingMode: PaddingMode;
  device?: DeviceLike;
  dtype?: DType;
}

/** The shared part of every convolution (PyTorch's `_ConvNd`). */
export abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  /** Per-dim padding, or the string given ('same' / 'valid'). */
  readonly padding: number[] | 'same' | 'valid';
  readonly dilation: number[];
  readonly transposed: boolean;
  readonly outputPadding: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  /** F.pad's argument for the non-'zeros' padding modes (last dim first). */
  protected readonly reversedPaddingRepeatedTwice: number[];
  weight: Parameter;
  bias: Parameter | null;

  protected constructor(s: ConvSpec) {
    super();
    const n = s.nd;
    this.inChannels = checkInt(s.inChannels, 'inChannels', 1);
    this.outChannels = checkInt(s.outChannels, 'outChannels', 1);
    this.groups = checkInt(s.groups, 'groups', 1);
    if (this.inChannels % this.groups !== 0) rangeError(`a multiple of groups (${this.groups})`, 'inChannels', this.inChannels);
    if (this.outChannels % this.groups !== 0) rangeError(`a multiple of groups (${this.groups})`, 'outChannels', this.outChannels);
    this.kernelSize = ntuple(s.kernelSize, n, 'kernelSize', 1);
    this.stride = ntuple(s.stride, n, 'stride', 1);
    this.dilation = ntuple(s.dilation, n, 'dilation', 1);
    this.outputPadding = ntuple(s.outputPadding, n, 'outputPadding', 0);
    this.transposed = s.transposed;
    this.paddingMode = checkChoice(s.paddingMode, 'paddingMode', PADDING_MODES, 'zeros');
    if (typeof s.padding === 'string') {
      checkChoice(s.padding, 'padding', ['same', 'valid'], 'valid');
      if (s.padding === 'same' && this.stride.some((v) => v !== 1)) rangeError("stride 1 with padding 'same'", 'stride', s.stride);
      this.padding = s.padding;
      this.reversedPaddingRepeatedTwice = new Array<number>(2 * n).fill(0);
      if (s.padding === 'same') {
        for (let d = 0; d < n; d++) {
          const total = this.dilation[d] * (this.kernelSize[d] - 1);
          const left = Math.floor(total / 2);
          const i = n - 1 - d;
          this.reversedPaddingRepeatedTwice[2 * i] = left;
          this.reversedPaddingRepeatedTwice[2 * i + 1] = total - left;
        }
      }
    } else {
      this.padding = ntuple(s.padding, n, 'padding', 0);
      this.reversedPaddingRepeatedTwice = [...this.padding].reverse().flatMap((p) => [p, p]);
    }
    const factory = { dtype: s.dtype, device: s.device };
    const shape = s.transposed
      ? [this.inChannels, this.outChannels / this.groups, ...this.kernelSize]
      : [this.outChannels, this.inChannels / this.groups, ...this.kernelSize];
    this.weight = new Parameter(empty(shape, factory));
    this.bias = s.bias ? new Parameter(empty([this.outChannels], factory)) : null;
    this.resetParameters();
  }

  /** Re-draws weight (kaiming uniform, a = sqrt(5)) and bias (U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in from the weight). */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }

  /** Python's repr: only the arguments that differ from their defaults after stride. */
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((v) => v !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((v) => v !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

type ConvFn = (input: Tensor, weight: Tensor, bias: Tensor | null, stride: number[], padding: number[] | string, dilation: number[], groups: number) => Tensor;
const CONV_FNS: Record<number, ConvFn> = {
  1: F.conv1d as unknown as ConvFn,
  2: F.conv2d as unknown as ConvFn,
  3: F.conv3d as unknown as ConvFn,
};

/** Conv1d/2d/3d's forward: pads first for the non-'zeros' modes, as PyTorch's `_conv_forward`. */
abstract class Conv extends ConvNd {
  /** Applies the convolution to (N, C_in, *) or unbatched (C_in, *) input. @throws TorchError when libtorch rejects the shapes. */
  forward(input: Tensor): Tensor {
    return this.convForward(input, this.weight, this.bias);
  }

  /** The convolution with a given weight and bias (as PyTorch's `_conv_forward`). */
  convForward(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
    const conv = CONV_FNS[this.weight.dim() - 2];
    if (this.paddingMode !== 'zeros') {
      const padded = nnOps.pad(input, this.reversedPaddingRepeatedTwice, this.paddingMode);
      try {
        return conv(padded, weight, bias, this.stride, new Array<number>(this.stride.length).fill(0), this.dilation, this.groups);
      } finally {
        padded.dispose();
      }
    }
    return conv(input, weight, bias, this.stride, this.padding, this.dilation, this.groups);
  }
}

function convSpec(nd: number, name: string, inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvOptions): ConvSpec {
  checkOptions(opts, CONV_OPTIONS, name);
  return {
    nd,
    name,
    inChannels,
    outChannels,
    kernelSize,
    stride: opts.stride ?? 1,
    padding: opts.padding ?? 0,
    dilation: opts.dilation ?? 1,
    transposed: false,
    outputPadding: 0,
    groups: opts.groups ?? 1,
    bias: checkBool(opts.bias, 'bias', true),
    paddingMode: opts.paddingMode ?? 'zeros',
    device: opts.device,
    dtype: opts.dtype,
  };
}

/**
 * 1-D convolution over (N, C_in, L) or (C_in, L) input, as `nn.Conv1d`.
 * Parameters `weight` [outChannels, inChannels / groups, k] and `bias` [outChannels].
 * @example new nn.Conv1d(16, 33, 3, { stride: 2 })
 * @throws TypeError for unknown options or arguments of the wrong kind; RangeError for non-positive sizes,
 *   channels not divisible by groups, an unknown padding string or mode, or 'same' with a stride.
 */
export class Conv1d extends Conv {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvOptions = {}) {
    super(convSpec(1, 'Conv1d', inChannels, outChannels, kernelSize, opts));
  }
}

/**
 * 2-D convolution over (N, C_in, H, W) or (C_in, H, W) input, as `nn.Conv2d`.
 * @example new nn.Conv2d(3, 16, 3, { stride: 2, padding: 1 })
 * @throws as Conv1d.
 */
export class Conv2d extends Conv {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvOptions = {}) {
    super(convSpec(2, 'Conv2d', inChannels, outChannels, kernelSize, opts));
  }
}

/**
 * 3-D convolution over (N, C_in, D, H, W) or (C_in, D, H, W) input, as `nn.Conv3d`.
 * @throws as Conv1d.
 */
export class Conv3d extends Conv {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvOptions = {}) {
    super(convSpec(3, 'Conv3d', inChannels, outChannels, kernelSize, opts));
  }
}

type ConvTFn = (
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  stride: number[],
  padding: number[],
  outputPadding: number[],
  groups: number,
  dilation: number[],
) => Tensor;
const CONV_T_FNS: Record<number, ConvTFn> = {
  1: F.convTranspose1d as unknown as ConvTFn,
  2: F.convTranspose2d as unknown as ConvTFn,
  3: F.convTranspose3d as unknown as ConvTFn,
};

/** The transposed convolutions' forward, with an optional requested output size (as PyTorch's `_ConvTransposeNd`). */
abstract class ConvTranspose extends ConvNd {
  /**
   * Applies the transposed convolution. `outputSize` (spatial sizes, optionally with the
   * leading batch/channel sizes) picks the output padding, as PyTorch's `output_size`.
   * @throws RangeError for an output size outside the reachable range; TorchError when libtorch rejects the shapes.
   */
  forward(input: Tensor, outputSize: readonly number[] | null = null): Tensor {
    const outputPadding = this.outputPaddingFor(input, outputSize);
    return CONV_T_FNS[this.kernelSize.length](input, this.weight, this.bias, this.stride, this.padding as number[], outputPadding, this.groups, this.dilation);
  }

  /** PyTorch's `_output_padding`. */
  protected outputPaddingFor(input: Tensor, outputSize: readonly number[] | null): number[] {
    if (outputSize === null) return this.outputPadding;
    const n = this.kernelSize.length;
    const nonSpatial = input.dim() === n + 2 ? 2 : 1;
    let size = [...outputSize];
    if (size.length === nonSpatial + n) size = size.slice(nonSpatial);
    if (size.length !== n) rangeError(`${n} or ${n + nonSpatial} sizes`, 'outputSize', outputSize);
    const pad = this.padding as number[];
    const minSizes = this.kernelSize.map((k, d) => (input.size(d + nonSpatial) - 1) * this.stride[d] - 2 * pad[d] + this.dilation[d] * (k - 1) + 1);
    const maxSizes = minSizes.map((m, d) => m + this.stride[d] - 1);
    size.forEach((v, d) => {
      if (!(v >= minSizes[d] && v <= maxSizes[d])) {
        throw new RangeError(`Expected sizes from ${pyTuple(minSizes)} to ${pyTuple(maxSizes)} for outputSize but received ${pyTuple(size)}`);
      }
    });
    return size.map((v, d) => v - minSizes[d]);
  }
}

function convTSpec(nd: number, name: string, inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTransposeOptions): ConvSpec {
  checkOptions(opts, CONV_T_OPTIONS, name);
  if (opts.paddingMode !== undefined && opts.paddingMode !== 'zeros')
    rangeError("'zeros' (the only padding mode of transposed convolutions)", 'paddingMode', opts.paddingMode);
  if (typeof opts.padding === 'string') rangeError('an integer or integers (transposed convolutions take no padding string)', 'padding', opts.padding);
  return {
    nd,
    name,
    inChannels,
    outChannels,
    kernelSize,
    stride: opts.stride ?? 1,
    padding: opts.padding ?? 0,
    dilation: opts.dilation ?? 1,
    transposed: true,
    outputPadding: opts.outputPadding ?? 0,
    groups: opts.groups ?? 1,
    bias: checkBool(opts.bias, 'bias', true),
    paddingMode: 'zeros',
    device: opts.device,
    dtype: opts.dtype,
  };
}

/**
 * 1-D transposed convolution ("deconvolution"), as `nn.ConvTranspose1d`.
 * Parameters `weight` [inChannels, outChannels / groups, k] and `bias` [outChannels].
 * @throws TypeError for unknown options or arguments of the wrong kind; RangeError for non-positive sizes,
 *   channels not divisible by groups, or a padding mode other than 'zeros'.
 */
export class ConvTranspose1d extends ConvTranspose {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTransposeOptions = {}) {
    super(convTSpec(1, 'ConvTranspose1d', inChannels, outChannels, kernelSize, opts));
  }
}

/** 2-D transposed convolution, as `nn.ConvTranspose2d`. @throws as ConvTranspose1d. */
export class ConvTranspose2d extends ConvTranspose {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTransposeOptions = {}) {
    super(convTSpec(2, 'ConvTranspose2d', inChannels, outChannels, kernelSize, opts));
  }
}

/** 3-D transposed convolution, as `nn.ConvTranspose3d`. @throws as ConvTranspose1d. */
export class ConvTranspose3d extends ConvTranspose {
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, opts: ConvTransposeOptions = {}) {
    super(convTSpec(3, 'ConvTranspose3d', inChannels, outChannels, kernelSize, opts));
  }
}
