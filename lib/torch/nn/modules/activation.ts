/**
 * Dropout and the activation layers of torch.nn (MultiheadAttention lives in
 * attention.ts). Each takes PyTorch's positional arguments, then an options
 * object with `inplace` where PyTorch has it; reprs equal Python's.
 */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import type { Tensor } from '../../tensor.js';
import { empty } from '../../creation.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { rangeError, typeError, checkOptions } from '../../errors.js';
import { pyFloat } from '../repr.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';

/** Options of the layers that can work in place. */
export interface InplaceOptions {
  /** Overwrite the input instead of allocating the output (default false). */
  inplace?: boolean;
}

function num(v: unknown, name: string): number {
  if (typeof v !== 'number' || Number.isNaN(v)) typeError('a number', name, v);
  return v;
}

function inplaceOf(opts: InplaceOptions, where: string): boolean {
  checkOptions(opts, ['inplace'], where);
  const v = opts.inplace ?? false;
  if (typeof v !== 'boolean') typeError('a boolean', 'inplace', v);
  return v;
}

function dimArg(v: unknown, name = 'dim'): number {
  if (!Number.isInteger(v)) typeError('an integer', name, v);
  return v as number;
}

const inplaceSuffix = (inplace: boolean) => (inplace ? ', inplace=True' : '');
const inplaceOnly = (inplace: boolean) => (inplace ? 'inplace=True' : '');

/** Options of Dropout. */
export interface DropoutOptions extends InplaceOptions {
  /** Use this library's faster CPU mask instead of PyTorch's draws (default false; see F.dropout). */
  fastMask?: boolean;
}

/**
 * Zeroes elements with probability p (default 0.5) in training mode, with
 * PyTorch's draws: after `torch.manualSeed(s)` the mask equals Python's.
 * @throws RangeError unless 0 <= p <= 1; TypeError for an unknown option.
 */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;
  readonly fastMask: boolean;
  constructor(p = 0.5, opts: DropoutOptions = {}) {
    super();
    checkOptions(opts, ['inplace', 'fastMask'], 'Dropout');
    if (typeof p !== 'number') typeError('a number', 'p', p);
    if (!(p >= 0 && p <= 1)) rangeError('a probability in [0, 1]', 'p', p);
    this.p = p;
    this.inplace = opts.inplace ?? false;
    this.fastMask = opts.fastMask ?? false;
  }
  forward(input: Tensor): Tensor {
    return F.dropout(input, { p: this.p, training: this.training, inplace: this.inplace, fastMask: this.fastMask });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${this.inplace ? 'True' : 'False'}`;
  }
}

/** y = x if x > threshold else value. @throws TypeError for non-numbers. */
export class Threshold extends Module {
  readonly threshold: number;
  readonly value: number;
  readonly inplace: boolean;
  constructor(threshold: number, value: number, opts: InplaceOptions = {}) {
    super();
    this.threshold = num(threshold, 'threshold');
    this.value = num(value, 'value');
    this.inplace = inplaceOf(opts, 'Threshold');
  }
  forward(input: Tensor): Tensor {
    return F.threshold(input, this.threshold, this.value, this.inplace);
  }
  override extraRepr(): string {
    return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}${inplaceSuffix(this.inplace)}`;
  }
}

/** max(0, x). */
export class ReLU extends Module {
  readonly inplace: boolean;
  constructor(opts: InplaceOptions = {}) {
    super();
    this.inplace = inplaceOf(opts, 'ReLU');
  }
  forward(input: Tensor): Tensor {
    return F.relu(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

/**
 * Randomized leaky ReLU: negative slope drawn from U(lower, upper) per element
 * while training, (lower + upper) / 2 in eval. Defaults lower 1/8, upper 1/3.
 */
export class RReLU extends Module {
  readonly lower: number;
  readonly upper: number;
  readonly inplace: boolean;
  constructor(lower = 1 / 8, upper = 1 / 3, opts: InplaceOptions = {}) {
    super();
    this.lower = num(lower, 'lower');
    this.upper = num(upper, 'upper');
    this.inplace = inplaceOf(opts, 'RReLU');
  }
  forward(input: Tensor): Tensor {
    return F.rrelu(input, this.lower, this.upper, this.training, this.inplace);
  }
  override extraRepr(): string {
    return `lower=${pyFloat(this.lower)}, upper=${pyFloat(this.upper)}${inplaceSuffix(this.inplace)}`;
  }
}

/** Clamps to [minVal, maxVal] (defaults -1, 1). @throws RangeError when maxVal <= minVal. */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  readonly inplace: boolean;
  constructor(minVal = -1, maxVal = 1, opts: InplaceOptions = {}) {
    super();
    this.minVal = num(minVal, 'minVal');
    this.maxVal = num(maxVal, 'maxVal');
    this.inplace = inplaceOf(opts, this.constructor.name);
    if (!(this.maxVal > this.minVal)) rangeError(`a number greater than minVal (${this.minVal})`, 'maxVal', maxVal);
  }
  forward(input: Tensor): Tensor {
    return F.hardtanh(input, this.minVal, this.maxVal, this.inplace);
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${inplaceSuffix(this.inplace)}`;
  }
}

/** min(max(0, x), 6). */
export class ReLU6 extends Hardtanh {
  constructor(opts: InplaceOptions = {}) {
    super(0, 6, opts);
  }
  override forward(input: Tensor): Tensor {
    return F.relu6(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

/** 1 / (1 + exp(-x)). */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return input.sigmoid();
  }
}

/** relu6(x + 3) / 6. */
export class Hardsigmoid extends Module {
  readonly inplace: boolean;
  constructor(opts: InplaceOptions = {}) {
    super();
    this.inplace = inplaceOf(opts, 'Hardsigmoid');
  }
  forward(input: Tensor): Tensor {
    return F.hardsigmoid(input, this.inplace);
  }
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return input.tanh();
  }
}

/** x * sigmoid(x). */
export class SiLU extends Module {
  readonly inplace: boolean;
  constructor(opts: InplaceOptions = {}) {
    super();
    this.inplace = inplaceOf(opts, 'SiLU');
  }
  forward(input: Tensor): Tensor {
    return F.silu(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

/** x * tanh(softplus(x)). */
export class Mish extends Module {
  readonly inplace: boolean;
  constructor(opts: InplaceOptions = {}) {
    super();
    this.inplace = inplaceOf(opts, 'Mish');
  }
  forward(input: Tensor): Tensor {
    return F.mish(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

/** x * relu6(x + 3) / 6. */
export class Hardswish extends Module {
  readonly inplace: boolean;
  constructor(opts: InplaceOptions = {}) {
    super();
    this.inplace = inplaceOf(opts, 'Hardswish');
  }
  forward(input: Tensor): Tensor {
    return F.hardswish(input, this.inplace);
  }
}

/** x if x > 0 else alpha * (exp(x) - 1) (alpha default 1). */
export class ELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  constructor(alpha = 1, opts: InplaceOptions = {}) {
    super();
    this.alpha = num(alpha, 'alpha');
    this.inplace = inplaceOf(opts, 'ELU');
  }
  forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha, this.inplace);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceSuffix(this.inplace)}`;
  }
}

/** max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) (alpha default 1). @throws RangeError for alpha 0. */
export class CELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  constructor(alpha = 1, opts: InplaceOptions = {}) {
    super();
    this.alpha = num(alpha, 'alpha');
    if (this.alpha === 0) rangeError('a non-zero number', 'alpha', alpha);
    this.inplace = inplaceOf(opts, 'CELU');
  }
  forward(input: Tensor): Tensor {
    return F.celu(input, this.alpha, this.inplace);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceSuffix(this.inplace)}`;
  }
}

/** scale * elu(x, alpha) with the self-normalizing constants. */
export class SELU extends Module {
  readonly inplace: boolean;
  constructor(opts: InplaceOptions = {}) {
    super();
    this.inplace = inplaceOf(opts, 'SELU');
  }
  forward(input: Tensor): Tensor {
    return F.selu(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

/** Gated linear unit: a * sigmoid(b), the halves of `dim` (default -1). */
export class GLU extends Module {
  readonly dim: number;
  constructor(dim = -1) {
    super();
    this.dim = dimArg(dim);
  }
  forward(input: Tensor): Tensor {
    return F.glu(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** GELU; approximate 'none' (default) or 'tanh'. @throws TypeError for another approximation. */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh')
      throw new TypeError(`Expected 'none' or 'tanh' for approximate but received '${String(approximate)}'`);
  }
  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x if |x| > lambd else 0 (lambd default 0.5). */
export class Hardshrink extends Module {
  readonly lambd: number;
  constructor(lambd = 0.5) {
    super();
    this.lambd = num(lambd, 'lambd');
  }
  forward(input: Tensor): Tensor {
    return F.hardshrink(input, this.lambd);
  }
  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}

/** x if x >= 0 else negativeSlope * x (default 0.01). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  constructor(negativeSlope = 0.01, opts: InplaceOptions = {}) {
    super();
    this.negativeSlope = num(negativeSlope, 'negativeSlope');
    this.inplace = inplaceOf(opts, 'LeakyReLU');
  }
  forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope, this.inplace);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${inplaceSuffix(this.inplace)}`;
  }
}

/** log(sigmoid(x)). */
export class LogSigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.logsigmoid(input);
  }
}

/** log(1 + exp(beta * x)) / beta, linear above threshold (beta 1, threshold 20). */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(beta = 1, threshold = 20) {
    super();
    this.beta = num(beta, 'beta');
    this.threshold = num(threshold, 'threshold');
  }
  forward(input: Tensor): Tensor {
    return F.softplus(input, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    return `beta=${pyFloat(this.beta)}, threshold=${pyFloat(this.threshold)}`;
  }
}

/** x - lambd if x > lambd, x + lambd if x < -lambd, else 0 (lambd default 0.5). @throws RangeError for a negative lambd. */
export class Softshrink extends Module {
  readonly lambd: number;
  constructor(lambd = 0.5) {
    super();
    this.lambd = num(lambd, 'lambd');
    if (this.lambd < 0) rangeError('a non-negative number', 'lambd', lambd);
  }
  forward(input: Tensor): Tensor {
    return F.softshrink(input, this.lambd);
  }
  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}

/** Options of PReLU. */
export interface PReLUOptions {
  /** Initial slope (default 0.25). */
  init?: number;
  device?: DeviceLike;
  dtype?: DType;
}

/** Leaky ReLU with a learned slope (a parameter named weight, one or one per channel). */
export class PReLU extends Module {
  readonly numParameters: number;
  readonly init: number;
  weight: Parameter;
  /** @throws RangeError unless numParameters is a positive integer; TypeError on unknown options. */
  constructor(numParameters = 1, opts: PReLUOptions = {}) {
    super();
    checkOptions(opts, ['init', 'device', 'dtype'], 'PReLU');
    if (!Number.isInteger(numParameters) || numParameters < 1) rangeError('a positive integer', 'numParameters', numParameters);
    this.numParameters = numParameters;
    this.init = num(opts.init ?? 0.25, 'init');
    this.weight = new Parameter(empty([numParameters], { dtype: opts.dtype, device: opts.device }));
    this.resetParameters();
  }
  /** Fills weight with `init`. */
  resetParameters(): void {
    init.constant_(this.weight, this.init);
  }
  forward(input: Tensor): Tensor {
    return F.prelu(input, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

/** x / (1 + |x|). */
export class Softsign extends Module {
  forward(input: Tensor): Tensor {
    return F.softsign(input);
  }
}

/** x - tanh(x). */
export class Tanhshrink extends Module {
  forward(input: Tensor): Tensor {
    return F.tanhshrink(input);
  }
}

function dimOrNull(dim: number | null): number | null {
  if (dim !== null) dimArg(dim);
  return dim;
}
const dimRepr = (dim: number | null) => `dim=${dim === null ? 'None' : dim}`;

/** softmax(-x) along dim (null: PyTorch's legacy implicit dim). */
export class Softmin extends Module {
  readonly dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dimOrNull(dim);
  }
  forward(input: Tensor): Tensor {
    return F.softmin(input, this.dim);
  }
  override extraRepr(): string {
    return dimRepr(this.dim);
  }
}

/** Softmax along dim (null: PyTorch's legacy implicit dim). */
export class Softmax extends Module {
  readonly dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dimOrNull(dim);
  }
  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }
  override extraRepr(): string {
    return dimRepr(this.dim);
  }
}

/** Softmax over the channels of a [C, H, W] or [N, C, H, W] input. @throws RangeError for other ranks. */
export class Softmax2d extends Module {
  forward(input: Tensor): Tensor {
    const d = input.dim();
    if (d !== 3 && d !== 4) throw new RangeError(`Softmax2d: expected input to be 3D or 4D, got ${d}D instead`);
    return F.softmax(input, -3);
  }
}

/** log(softmax(x)) along dim (null: PyTorch's legacy implicit dim). */
export class LogSoftmax extends Module {
  readonly dim: number | null;
  constructor(dim: number | null = null) {
    super();
    this.dim = dimOrNull(dim);
  }
  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }
  override extraRepr(): string {
    return dimRepr(this.dim);
  }
}

/** Returns its input. */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}
