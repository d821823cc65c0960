/**
 * Recurrent layers (as torch.nn.RNN/LSTM/GRU and their cells) on libtorch's
 * own kernels (aten::rnn_tanh / rnn_relu / lstm / gru and the *_cell ops),
 * with PyTorch's parameter names (`weight_ih_l0`, ..., `_reverse`), init and
 * defaults. The multi-layer layers also take and return a PackedSequence.
 */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { empty, zeros } from '../../creation.js';
import { Tensor } from '../../tensor.js';
import * as init from '../init.js';
import { pyFloat } from '../repr.js';
import { PackedSequence } from '../utils/rnn.js';
import { checkOptions, rangeError, typeError } from '../../errors.js';
import * as ops from '../../generated/torch.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** Options shared by RNN, LSTM and GRU (PyTorch's defaults). */
export interface RNNBaseOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Learn bias_ih/bias_hh (default true). */
  bias?: boolean;
  /** [B, T, *] input and output (default false: [T, B, *]); the hidden states stay [layers * dirs, B, H]. */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training (default 0). */
  dropout?: number;
  /** Also run each layer backwards and concatenate (default false). */
  bidirectional?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/** Options of RNN. */
export interface RNNOptions extends RNNBaseOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** Options of LSTM. */
export interface LSTMOptions extends RNNBaseOptions {
  /** Project h to this size with weight_hr (default 0: no projection); must be below hiddenSize. */
  projSize?: number;
}

const BASE_OPTIONS = ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'device', 'dtype'] as const;

function positiveInt(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) typeError('a positive integer', name, v);
  if ((v as number) <= 0) rangeError('a positive integer', name, v);
  return v as number;
}

function boolOpt(v: unknown, name: string, def: boolean): boolean {
  if (v === undefined) return def;
  if (typeof v !== 'boolean') typeError('a boolean', name, v);
  return v as boolean;
}

/** Throws `Expected <what> for <name> but received <received>` (received already described). */
function fail(Cls: typeof TypeError | typeof RangeError, what: string, name: string, received: string): never {
  throw new Cls(`Expected ${what} for ${name} but received ${received}`);
}

function shapeText(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

function checkShape(t: Tensor, expected: number[], name: string): void {
  const got = t.shape;
  if (got.length !== expected.length || got.some((d, i) => d !== expected[i])) {
    fail(RangeError, `shape ${shapeText(expected)}`, name, `shape ${shapeText(got)}`);
  }
}

function checkTensor(v: unknown, name: string): Tensor {
  if (!(v instanceof Tensor)) typeError('Tensor', name, v);
  return v as Tensor;
}

/**
 * The common part of RNN, LSTM and GRU: the per-layer, per-direction weights
 * registered under PyTorch's names in PyTorch's order, init U(-1/sqrt(H), 1/sqrt(H)),
 * input and hidden-state checks, and the printed form.
 */
export abstract class RNNBase extends Module {
  /** The parameters by PyTorch's names (`weight_ih_l0`, `bias_hh_l1_reverse`, `weight_hr_l0`, ...). */
  [name: `weight_${string}` | `bias_${string}`]: Parameter;
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  /** The parameter names in the order the kernels take them (Python's `_flat_weights_names`). */
  readonly flatWeightsNames: string[];

  protected constructor(mode: Mode, inputSize: number, hiddenSize: number, opts: LSTMOptions, where: string) {
    super();
    this.mode = mode;
    this.inputSize = positiveInt(inputSize, 'inputSize');
    this.hiddenSize = positiveInt(hiddenSize, 'hiddenSize');
    this.numLayers = positiveInt(opts.numLayers ?? 1, 'numLayers');
    this.bias = boolOpt(opts.bias, 'bias', true);
    this.batchFirst = boolOpt(opts.batchFirst, 'batchFirst', false);
    this.bidirectional = boolOpt(opts.bidirectional, 'bidirectional', false);
    const dropout = opts.dropout ?? 0;
    if (typeof dropout !== 'number') typeError('a number', 'dropout', dropout);
    if (!(dropout >= 0 && dropout <= 1)) rangeError('a probability in [0, 1]', 'dropout', dropout);
    this.dropout = dropout;
    const projSize = opts.projSize ?? 0;
    if (typeof projSize !== 'number' || !Number.isInteger(projSize)) typeError('a non-negative integer', 'projSize', projSize);
    if (projSize < 0) rangeError('a non-negative integer', 'projSize', projSize);
    if (projSize >= this.hiddenSize) rangeError(`an integer smaller than hiddenSize (${this.hiddenSize})`, 'projSize', projSize);
    this.projSize = projSize;
    if (dropout > 0 && this.numLayers === 1) {
      process.emitWarning(
        `${where}: dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects numLayers greater than 1, but got dropout=${dropout} and numLayers=${this.numLayers}`,
      );
    }
    const gateSize = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 }[mode] * this.hiddenSize;
    const factory = { device: opts.device, dtype: opts.dtype };
    const dirs = this.bidirectional ? 2 : 1;
    const realHidden = projSize > 0 ? projSize : this.hiddenSize;
    this.flatWeightsNames = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let dir = 0; dir < dirs; dir++) {
        const layerInput = layer === 0 ? this.inputSize : realHidden * dirs;
        const suffix = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
        const entries: [string, number[]][] = [
          [`weight_ih${suffix}`, [gateSize, layerInput]],
          [`weight_hh${suffix}`, [gateSize, realHidden]],
        ];
        if (this.bias) entries.push([`bias_ih${suffix}`, [gateSize]], [`bias_hh${suffix}`, [gateSize]]);
        if (projSize > 0) entries.push([`weight_hr${suffix}`, [projSize, this.hiddenSize]]);
        for (const [name, shape] of entries) {
          this.registerParameter(name, new Parameter(empty(shape, factory)));
          this.flatWeightsNames.push(name);
        }
      }
    }
    this.resetParameters();
  }

  /** The parameters in the kernels' order (Python's `_flat_weights`). */
  get flatWeights(): Parameter[] {
    return this.flatWeightsNames.map((n) => (this as unknown as Record<string, Parameter>)[n]);
  }

  /** The parameters grouped per layer and direction (Python's `all_weights`). */
  get allWeights(): Parameter[][] {
    const per = (this.bias ? 4 : 2) + (this.projSize > 0 ? 1 : 0);
    const flat = this.flatWeights;
    return Array.from({ length: flat.length / per }, (_, i) => flat.slice(i * per, (i + 1) * per));
  }

  /** Re-draws every parameter from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)), in registration order. */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ', bias=False';
    if (this.batchFirst) s += ', batch_first=True';
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += ', bidirectional=True';
    return s;
  }

  /** Checks the input's dtype, rank and feature size (Python's check_input). */
  protected checkInput(input: Tensor, packed: boolean): void {
    const w = this.flatWeights[0];
    if (input.dtype !== w.dtype) fail(TypeError, `a ${w.dtype} tensor (the weights' dtype)`, 'input', `a ${input.dtype} tensor`);
    const rank = packed ? 2 : 3;
    if (input.dim() !== rank) fail(RangeError, `a ${rank}-D tensor`, 'input', `a ${input.dim()}-D tensor`);
    if (input.size(-1) !== this.inputSize) {
      fail(RangeError, `size ${this.inputSize} (inputSize) in the last dimension`, 'input', `size ${input.size(-1)}`);
    }
  }

  /** [numLayers * dirs, batch, size]. */
  protected stateShape(batch: number, size: number): number[] {
    return [this.numLayers * (this.bidirectional ? 2 : 1), batch, size];
  }

  /** Unpacks the input: [tensor input, batchSizes or null, batch size, unbatched, sorted/unsorted permutations]. */
  protected prepare(
    input: Tensor | PackedSequence,
    where: string,
  ): { x: Tensor; batchSizes: Tensor | null; batch: number; unbatched: boolean; sorted: Tensor | null; unsorted: Tensor | null } {
    if (input instanceof PackedSequence) {
      this.checkInput(input.data, true);
      const b0 = input.batchSizes.size(0) > 0 ? Number((input.batchSizes.dataSync() as ArrayLike<number | bigint>)[0]) : 0;
      return { x: input.data, batchSizes: input.batchSizes, batch: b0, unbatched: false, sorted: input.sortedIndices, unsorted: input.unsortedIndices };
    }
    checkTensor(input, 'input');
    if (input.dim() !== 2 && input.dim() !== 3) fail(RangeError, 'a 2-D (unbatched) or 3-D tensor', `input of ${where}`, `a ${input.dim()}-D tensor`);
    const unbatched = input.dim() === 2;
    const x = unbatched ? input.unsqueeze(this.batchFirst ? 0 : 1) : input;
    this.checkInput(x, false);
    return { x, batchSizes: null, batch: x.size(this.batchFirst ? 0 : 1), unbatched, sorted: null, unsorted: null };
  }

  /** A hidden state given by the user: rank checked, unsqueezed when unbatched, permuted for a packed input. */
  protected userState(h: unknown, name: string, unbatched: boolean, packed: boolean, expected: number[], sorted: Tensor | null): Tensor {
    const t = checkTensor(h, name);
    if (!packed) {
      const rank = unbatched ? 2 : 3;
      if (t.dim() !== rank) fail(RangeError, `a ${rank}-D tensor (the input is ${unbatched ? 'unbatched 2-D' : 'batched 3-D'})`, name, `a ${t.dim()}-D tensor`);
    }
    const u = unbatched ? t.unsqueeze(1) : t;
    checkShape(u, expected, name);
    return sorted === null ? u : u.indexSelect(1, sorted);
  }

  /** Undoes the batch sort on a hidden state. */
  protected static unpermute(h: Tensor, unsorted: Tensor | null): Tensor {
    if (unsorted === null) return h;
    const out = h.indexSelect(1, unsorted);
    h.dispose();
    return out;
  }
}

/** RNN and GRU: one hidden state [layers * dirs, B, H]. */
abstract class SingleStateRNN extends RNNBase {
  protected run(input: Tensor | PackedSequence, hx: Tensor | null | undefined, where: string): [Tensor | PackedSequence, Tensor] {
    const p = this.prepare(input, where);
    const packed = p.batchSizes !== null;
    const expected = this.stateShape(p.batch, this.hiddenSize);
    const own = hx === undefined || hx === null;
    const h0 = own ? zeros(expected, { dtype: p.x.dtype, device: p.x.device }) : this.userState(hx, 'hx', p.unbatched, packed, expected, p.sorted);
    const kernel = this.mode === 'GRU' ? ops.gru : this.mode === 'RNN_RELU' ? ops.rnnRelu : ops.rnnTanh;
    const flat = this.flatWeights;
    const [out, hn] =
      p.batchSizes !== null
        ? kernel(p.x, p.batchSizes, h0, flat, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional)
        : kernel(p.x, h0, flat, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional, this.batchFirst);
    if (own || h0 !== hx) h0.dispose();
    if (input instanceof PackedSequence) {
      return [new PackedSequence(out, input.batchSizes, input.sortedIndices, input.unsortedIndices), RNNBase.unpermute(hn, p.unsorted)];
    }
    if (p.x !== input) p.x.dispose();
    if (!p.unbatched) return [out, hn];
    const o = out.squeeze(this.batchFirst ? 0 : 1);
    const h = hn.squeeze(1);
    out.dispose();
    hn.dispose();
    return [o, h];
  }
}

/**
 * Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu), stacked and optionally bidirectional.
 *
 * `forward(input, hx?)`: input [T, B, inputSize] ([B, T, inputSize] with
 * batchFirst, [T, inputSize] unbatched, or a PackedSequence), hx
 * [layers * dirs, B, H] (default zeros) -> [output [T, B, dirs * H], h_n].
 */
export class RNN extends SingleStateRNN {
  readonly nonlinearity: 'tanh' | 'relu';

  /**
   * @throws TypeError for a wrong kind or an unknown option (projSize included:
   *   only LSTM projects); RangeError for sizes that are not positive integers,
   *   dropout outside [0, 1], or a nonlinearity other than 'tanh'/'relu'.
   */
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    checkOptions(opts, [...BASE_OPTIONS, 'nonlinearity'], 'RNN');
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') rangeError("'tanh' or 'relu'", 'nonlinearity', nl);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts, 'RNN');
    this.nonlinearity = nl;
  }

  /**
   * Runs the layers over a sequence (see the class comment for shapes).
   * @throws TypeError for a non-tensor input or state, or an input whose dtype
   *   is not the weights'; RangeError for an input that is not 2-D/3-D (2-D
   *   data for a PackedSequence), a last dimension other than inputSize, or an
   *   initial state of the wrong rank or shape.
   */
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    return this.run(input, hx, 'RNN');
  }
}

/**
 * Gated recurrent unit (gates r, z, n in that order in the weights), stacked and optionally bidirectional.
 * `forward(input, hx?)` as {@link RNN}.
 */
export class GRU extends SingleStateRNN {
  /** @throws TypeError for a wrong kind or an unknown option (projSize included); RangeError as RNN. */
  constructor(inputSize: number, hiddenSize: number, opts: RNNBaseOptions = {}) {
    checkOptions(opts, BASE_OPTIONS, 'GRU');
    super('GRU', inputSize, hiddenSize, opts, 'GRU');
  }

  /**
   * Runs the layers over a sequence (see the class comment for shapes).
   * @throws TypeError for a non-tensor input or state, or an input whose dtype
   *   is not the weights'; RangeError for an input that is not 2-D/3-D (2-D
   *   data for a PackedSequence), a last dimension other than inputSize, or an
   *   initial state of the wrong rank or shape.
   */
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    return this.run(input, hx, 'GRU');
  }
}

/**
 * Long short-term memory (gates i, f, g, o in the weights), stacked,
 * optionally bidirectional and with a projection of h (projSize).
 *
 * `forward(input, [h0, c0]?)`: input as {@link RNN}; h0 [layers * dirs, B,
 * projSize || H], c0 [layers * dirs, B, H] (default zeros) ->
 * [output [T, B, dirs * (projSize || H)], [h_n, c_n]].
 */
export class LSTM extends RNNBase {
  /**
   * @throws TypeError for a wrong kind or an unknown option; RangeError for
   *   sizes that are not positive integers, dropout outside [0, 1], or projSize
   *   negative or not below hiddenSize.
   */
  constructor(inputSize: number, hiddenSize: number, opts: LSTMOptions = {}) {
    checkOptions(opts, [...BASE_OPTIONS, 'projSize'], 'LSTM');
    super('LSTM', inputSize, hiddenSize, opts, 'LSTM');
  }

  /**
   * Runs the layers over a sequence (see the class comment for shapes).
   * @throws TypeError for a non-tensor input or state (hx must be [h0, c0]), or an input whose dtype
   *   is not the weights'; RangeError for an input that is not 2-D/3-D (2-D
   *   data for a PackedSequence), a last dimension other than inputSize, or an
   *   initial state of the wrong rank or shape.
   */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  forward(input: PackedSequence, hx?: readonly [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  forward(input: Tensor | PackedSequence, hx?: readonly [Tensor, Tensor] | null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    const p = this.prepare(input, 'LSTM');
    const packed = p.batchSizes !== null;
    const hShape = this.stateShape(p.batch, this.projSize > 0 ? this.projSize : this.hiddenSize);
    const cShape = this.stateShape(p.batch, this.hiddenSize);
    let h0: Tensor, c0: Tensor;
    const own = hx === undefined || hx === null;
    if (own) {
      h0 = zeros(hShape, { dtype: p.x.dtype, device: p.x.device });
      c0 = zeros(cShape, { dtype: p.x.dtype, device: p.x.device });
    } else {
      if (!Array.isArray(hx) || hx.length !== 2) typeError('an array [h0, c0] of two Tensors', 'hx', hx);
      h0 = this.userState(hx[0], 'hx[0]', p.unbatched, packed, hShape, p.sorted);
      c0 = this.userState(hx[1], 'hx[1]', p.unbatched, packed, cShape, p.sorted);
    }
    const flat = this.flatWeights;
    const [out, hn, cn] =
      p.batchSizes !== null
        ? ops.lstm(p.x, p.batchSizes, [h0, c0], flat, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional)
        : ops.lstm(p.x, [h0, c0], flat, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional, this.batchFirst);
    if (own || h0 !== hx?.[0]) h0.dispose();
    if (own || c0 !== hx?.[1]) c0.dispose();
    if (input instanceof PackedSequence) {
      return [
        new PackedSequence(out, input.batchSizes, input.sortedIndices, input.unsortedIndices),
        [RNNBase.unpermute(hn, p.unsorted), RNNBase.unpermute(cn, p.unsorted)],
      ];
    }
    if (p.x !== input) p.x.dispose();
    if (!p.unbatched) return [out, [hn, cn]];
    const o = out.squeeze(this.batchFirst ? 0 : 1);
    const h = hn.squeeze(1);
    const c = cn.squeeze(1);
    out.dispose();
    hn.dispose();
    cn.dispose();
    return [o, [h, c]];
  }
}

// ------------------------------------------------------------------ cells

/** Options of the cells. */
export interface RNNCellBaseOptions {
  /** Learn bias_ih/bias_hh (default true). */
  bias?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/** Options of RNNCell. */
export interface RNNCellOptions extends RNNCellBaseOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** One time step: weight_ih [chunks * H, in], weight_hh [chunks * H, H], bias_ih, bias_hh, init U(-1/sqrt(H), 1/sqrt(H)). */
export abstract class RNNCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;

  protected constructor(inputSize: number, hiddenSize: number, chunks: number, opts: RNNCellBaseOptions) {
    super();
    this.inputSize = positiveInt(inputSize, 'inputSize');
    this.hiddenSize = positiveInt(hiddenSize, 'hiddenSize');
    this.bias = boolOpt(opts.bias, 'bias', true);
    const f = { device: opts.device, dtype: opts.dtype };
    this.weight_ih = new Parameter(empty([chunks * hiddenSize, inputSize], f));
    this.weight_hh = new Parameter(empty([chunks * hiddenSize, hiddenSize], f));
    this.bias_ih = this.bias ? new Parameter(empty([chunks * hiddenSize], f)) : null;
    this.bias_hh = this.bias ? new Parameter(empty([chunks * hiddenSize], f)) : null;
    this.resetParameters();
  }

  /** Re-draws every parameter from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }

  /** Input and state checks: [input as 2-D, state as 2-D, unbatched]. */
  protected prepareStep(input: unknown, where: string): { x: Tensor; unbatched: boolean } {
    const t = checkTensor(input, 'input');
    if (t.dim() !== 1 && t.dim() !== 2) fail(RangeError, 'a 1-D (unbatched) or 2-D tensor', `input of ${where}`, `a ${t.dim()}-D tensor`);
    const unbatched = t.dim() === 1;
    const x = unbatched ? t.unsqueeze(0) : t;
    if (x.size(1) !== this.inputSize) {
      fail(RangeError, `size ${this.inputSize} (inputSize) in the last dimension`, 'input', `size ${x.size(1)}`);
    }
    return { x, unbatched };
  }

  protected stateOf(h: unknown, name: string, x: Tensor, unbatched: boolean): Tensor {
    const t = checkTensor(h, name);
    if (t.dim() !== (unbatched ? 1 : 2))
      fail(RangeError, `a ${unbatched ? '1-D tensor (the input is unbatched)' : '2-D tensor'}`, name, `a ${t.dim()}-D tensor`);
    const u = unbatched ? t.unsqueeze(0) : t;
    checkShape(u, [x.size(0), this.hiddenSize], name);
    return u;
  }
}

/** One Elman RNN step: input [B, in] or [in], hx [B, H] or [H] (default zeros) -> h'. */
export class RNNCell extends RNNCellBase {
  readonly nonlinearity: 'tanh' | 'relu';

  /** @throws TypeError for a wrong kind or an unknown option; RangeError for non-positive sizes or an unknown nonlinearity. */
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    checkOptions(opts, ['bias', 'nonlinearity', 'device', 'dtype'], 'RNNCell');
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') rangeError("'tanh' or 'relu'", 'nonlinearity', nl);
    super(inputSize, hiddenSize, 1, opts);
    this.nonlinearity = nl;
  }

  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity !== 'tanh' ? `, nonlinearity=${this.nonlinearity}` : '');
  }

  /**
   * One step (see the class comment for shapes).
   * @throws TypeError for a non-tensor input or state; RangeError for an input
   *   that is not 1-D/2-D, a last dimension other than inputSize, or a state of
   *   the wrong rank or shape.
   */
  forward(input: Tensor, hx?: Tensor | null): Tensor {
    const { x, unbatched } = this.prepareStep(input, 'RNNCell');
    const h =
      hx === undefined || hx === null ? zeros([x.size(0), this.hiddenSize], { dtype: x.dtype, device: x.device }) : this.stateOf(hx, 'hx', x, unbatched);
    const cell = this.nonlinearity === 'tanh' ? ops.rnnTanhCell : ops.rnnReluCell;
    const r = cell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    if (h !== hx) h.dispose();
    if (x !== input) x.dispose();
    if (!unbatched) return r;
    const o = r.squeeze(0);
    r.dispose();
    return o;
  }
}

/** One LSTM step: input [B, in] or [in], hx [h, c] (default zeros) -> [h', c']. */
export class LSTMCell extends RNNCellBase {
  /** @throws TypeError for a wrong kind or an unknown option; RangeError for non-positive sizes. */
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellBaseOptions = {}) {
    checkOptions(opts, ['bias', 'device', 'dtype'], 'LSTMCell');
    super(inputSize, hiddenSize, 4, opts);
  }

  /**
   * One step (see the class comment for shapes).
   * @throws TypeError for a non-tensor input or state; RangeError for an input
   *   that is not 1-D/2-D, a last dimension other than inputSize, or a state of
   *   the wrong rank or shape.
   */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const { x, unbatched } = this.prepareStep(input, 'LSTMCell');
    let h: Tensor, c: Tensor;
    const own = hx === undefined || hx === null;
    if (own) {
      h = zeros([x.size(0), this.hiddenSize], { dtype: x.dtype, device: x.device });
      c = h;
    } else {
      if (!Array.isArray(hx) || hx.length !== 2) typeError('an array [h, c] of two Tensors', 'hx', hx);
      h = this.stateOf(hx[0], 'hx[0]', x, unbatched);
      c = this.stateOf(hx[1], 'hx[1]', x, unbatched);
    }
    const [h1, c1] = ops.lstmCell(x, [h, c], this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    if (own) h.dispose();
    else {
      if (h !== hx?.[0]) h.dispose();
      if (c !== hx?.[1]) c.dispose();
    }
    if (x !== input) x.dispose();
    if (!unbatched) return [h1, c1];
    const a = h1.squeeze(0);
    const b = c1.squeeze(0);
    h1.dispose();
    c1.dispose();
    return [a, b];
  }
}

/** One GRU step: input [B, in] or [in], hx [B, H] or [H] (default zeros) -> h'. */
export class GRUCell extends RNNCellBase {
  /** @throws TypeError for a wrong kind or an unknown option; RangeError for non-positive sizes. */
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellBaseOptions = {}) {
    checkOptions(opts, ['bias', 'device', 'dtype'], 'GRUCell');
    super(inputSize, hiddenSize, 3, opts);
  }

  /**
   * One step (see the class comment for shapes).
   * @throws TypeError for a non-tensor input or state; RangeError for an input
   *   that is not 1-D/2-D, a last dimension other than inputSize, or a state of
   *   the wrong rank or shape.
   */
  forward(input: Tensor, hx?: Tensor | null): Tensor {
    const { x, unbatched } = this.prepareStep(input, 'GRUCell');
    const h =
      hx === undefined || hx === null ? zeros([x.size(0), this.hiddenSize], { dtype: x.dtype, device: x.device }) : this.stateOf(hx, 'hx', x, unbatched);
    const r = ops.gruCell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    if (h !== hx) h.dispose();
    if (x !== input) x.dispose();
    if (!unbatched) return r;
    const o = r.squeeze(0);
    r.dispose();
    return o;
  }
}
