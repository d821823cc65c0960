/** Transformer encoder and decoder layers, and the full Transformer, with PyTorch's defaults and parameter names. */
import { Module } from '../module.js';
import { Linear } from './linear.js';
import { Dropout } from './activation.js';
import { LayerNorm } from './normalization.js';
import { MultiheadAttention } from './attention.js';
import { ModuleList } from './container.js';
import { Tensor } from '../../tensor.js';
import { full } from '../../creation.js';
import { noGrad } from '../../autograd.js';
import { triu } from '../../generated/torch.js';
import * as init from '../init.js';
import * as F from '../functional.js';
import { checkOptions, rangeError, typeError } from '../../errors.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';

/** Options of TransformerEncoderLayer (PyTorch's defaults). */
export interface TransformerEncoderLayerOptions {
  /** Feed-forward width (default 2048). */
  dimFeedforward?: number;
  /** Default 0.1. */
  dropout?: number;
  /** 'relu' (default), 'gelu', or a function. */
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor);
  /** Default 1e-5. */
  layerNormEps?: number;
  /** [B, S, E] inputs (default false: [S, B, E]). */
  batchFirst?: boolean;
  /** Pre-norm (default false: post-norm). */
  normFirst?: boolean;
  /** Biases in the attention projections, linear layers and layer norms (default true). */
  bias?: boolean;
  /**
   * Dropout with this library's fast CPU mask, and relu + dropout fused in the
   * feed-forward block (default false: PyTorch's draws, so a seed reproduces a
   * Python run). Not a PyTorch option; the BERT course path opts in.
   */
  fastDropout?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/** Options of the encoders' forward. */
export interface EncoderCallOptions {
  /** Attention mask [S, S]. */
  srcMask?: Tensor | null;
  /** [B, S]: true marks padding. */
  srcKeyPaddingMask?: Tensor | null;
  /** Hint that srcMask is the causal mask (default false). */
  isCausal?: boolean;
}

/** Self-attention then feed-forward, each with residual, dropout and layer norm. */
export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly activation: (x: Tensor) => Tensor;
  readonly activationName: string;
  readonly fastDropout: boolean;

  /** @throws RangeError when dModel is not divisible by nhead; TypeError for an unknown activation or option. */
  constructor(dModel: number, nhead: number, opts: TransformerEncoderLayerOptions = {}) {
    super();
    checkOptions(
      opts,
      ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias', 'fastDropout', 'device', 'dtype'],
      'TransformerEncoderLayer',
    );
    const ff = opts.dimFeedforward ?? 2048;
    if (!Number.isInteger(ff) || ff <= 0) rangeError('a positive integer', 'dimFeedforward', ff);
    const p = opts.dropout ?? 0.1;
    const eps = opts.layerNormEps ?? 1e-5;
    const bias = opts.bias ?? true;
    if (typeof bias !== 'boolean') typeError('a boolean', 'bias', bias);
    const f = { device: opts.device, dtype: opts.dtype };
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: opts.batchFirst ?? false, bias, ...f });
    this.fastDropout = opts.fastDropout ?? false;
    const fastMask = this.fastDropout;
    this.linear1 = new Linear(dModel, ff, { bias, ...f });
    this.dropout = new Dropout(p, { fastMask });
    this.linear2 = new Linear(ff, dModel, { bias, ...f });
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, bias, ...f });
    this.norm2 = new LayerNorm(dModel, { eps, bias, ...f });
    this.dropout1 = new Dropout(p, { fastMask });
    this.dropout2 = new Dropout(p, { fastMask });
    const act = opts.activation ?? 'relu';
    if (act === 'relu') this.activation = F.relu;
    else if (act === 'gelu') this.activation = (x) => F.gelu(x);
    else if (typeof act === 'function') this.activation = act;
    else typeError("'relu', 'gelu' or a function", 'activation', act);
    this.activationName = typeof act === 'string' ? act : 'custom';
  }

  /** src [S, B, E] (or [B, S, E] with batchFirst) -> same shape. */
  forward(src: Tensor, opts: EncoderCallOptions = {}): Tensor {
    checkOptions(opts, ['srcMask', 'srcKeyPaddingMask', 'isCausal'], 'TransformerEncoderLayer.forward');
    const mask = opts.srcMask ?? null;
    const kpm = opts.srcKeyPaddingMask ?? null;
    const isCausal = opts.isCausal ?? false;
    let x = src;
    if (this.normFirst) {
      const n1 = this.norm1.forward(x);
      x = x.add(this.saBlock(n1, mask, kpm, isCausal));
      const n2 = this.norm2.forward(x);
      x = x.add(this.ffBlock(n2));
    } else {
      x = this.norm1.forward(x.add(this.saBlock(x, mask, kpm, isCausal)));
      x = this.norm2.forward(x.add(this.ffBlock(x)));
    }
    return x;
  }

  private saBlock(x: Tensor, mask: Tensor | null, kpm: Tensor | null, isCausal: boolean): Tensor {
    const [out] = this.self_attn.forward(x, x, x, { attnMask: mask, keyPaddingMask: kpm, isCausal, needWeights: false });
    return this.dropout1.forward(out);
  }

  private ffBlock(x: Tensor): Tensor {
    const h = this.linear1.forward(x);
    // with fastDropout, dropout(relu(h)) as h * mask on the CPU: one pass instead
    // of three, the same draws as F.dropout's fastMask, the same gradient.
    const mask = this.fastDropout && this.activationName === 'relu' ? F._cpuDropoutMask(h, this.dropout.p, this.dropout.training, true) : null;
    let a: Tensor;
    if (mask !== null) {
      a = h.mul(mask);
      mask.dispose();
    } else {
      a = this.dropout.forward(this.activation(h));
    }
    return this.dropout2.forward(this.linear2.forward(a));
  }
}

/** A stack of deep copies of one encoder layer (`layers.0`, `layers.1`, ...), with an optional final norm. */
export class TransformerEncoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;

  /** @throws RangeError unless numLayers is a positive integer. */
  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    checkOptions(opts, ['norm'], 'TransformerEncoder');
    if (!(encoderLayer instanceof TransformerEncoderLayer)) typeError('a TransformerEncoderLayer', 'encoderLayer', encoderLayer);
    if (!Number.isInteger(numLayers) || numLayers <= 0) rangeError('a positive integer', 'numLayers', numLayers);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.deepCopy()));
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }

  /** isCausal: hint that mask is the causal mask (default: detected from mask, as PyTorch). */
  forward(src: Tensor, opts: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean | null } = {}): Tensor {
    checkOptions(opts, ['mask', 'srcKeyPaddingMask', 'isCausal'], 'TransformerEncoder.forward');
    const first = this.layers.get(0) as TransformerEncoderLayer;
    const seqLen = src.dim() === 2 ? src.size(0) : src.size(first.self_attn.batchFirst ? 1 : 0);
    const isCausal = detectIsCausalMask(opts.mask ?? null, opts.isCausal, seqLen);
    let x = src;
    for (const layer of this.layers) {
      x = (layer as TransformerEncoderLayer).forward(x, { srcMask: opts.mask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null, isCausal });
    }
    if (this.norm !== null) x = (this.norm as unknown as { forward(t: Tensor): Tensor }).forward(x);
    return x;
  }
}

// ------------------------------------------------------------------ decoder

/**
 * The causal mask [sz, sz]: 0 on and below the diagonal, -inf above (as
 * torch.nn.Transformer.generate_square_subsequent_mask).
 * @param opts.dtype default float32.
 * @throws RangeError unless sz is a non-negative integer.
 */
export function generateSquareSubsequentMask(sz: number, opts: { device?: DeviceLike; dtype?: DType } = {}): Tensor {
  checkOptions(opts, ['device', 'dtype'], 'generateSquareSubsequentMask');
  if (!Number.isInteger(sz) || sz < 0) rangeError('a non-negative integer', 'sz', sz);
  const f = full([sz, sz], -Infinity, { dtype: opts.dtype, device: opts.device });
  const out = triu(f, 1);
  f.dispose();
  return out;
}

/** Python's _detect_is_causal_mask: the hint as given, else whether the mask equals the causal mask of `size`. */
function detectIsCausalMask(mask: Tensor | null, isCausal: boolean | null | undefined, size: number | null): boolean {
  if (isCausal !== undefined && isCausal !== null) return isCausal;
  if (mask === null) return false;
  const sz = size ?? mask.size(-2);
  if (mask.dim() < 2 || mask.size(-2) !== sz || mask.size(-1) !== sz) return false;
  return noGrad(() => {
    const causal = generateSquareSubsequentMask(sz, { device: mask.device, dtype: mask.dtype });
    const eq = mask.equal(causal);
    causal.dispose();
    return eq;
  });
}

/** Options of TransformerDecoderLayer (PyTorch's defaults). */
export type TransformerDecoderLayerOptions = TransformerEncoderLayerOptions;

/** Options of the decoders' forward. */
export interface DecoderCallOptions {
  /** Self-attention mask [T, T] (bool: true = not allowed, or float: added). */
  tgtMask?: Tensor | null;
  /** Cross-attention mask [T, S]. */
  memoryMask?: Tensor | null;
  /** [B, T]: true marks padding in tgt. */
  tgtKeyPaddingMask?: Tensor | null;
  /** [B, S]: true marks padding in memory. */
  memoryKeyPaddingMask?: Tensor | null;
  /** Hint that tgtMask is the causal mask (layer default false; TransformerDecoder default: detected from tgtMask). */
  tgtIsCausal?: boolean | null;
  /** Hint that memoryMask is causal (default false). */
  memoryIsCausal?: boolean;
}

const DECODER_CALL = ['tgtMask', 'memoryMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'tgtIsCausal', 'memoryIsCausal'];

/** Self-attention, cross-attention over `memory`, then feed-forward; each with residual, dropout and layer norm. */
export class TransformerDecoderLayer extends Module {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  readonly activation: (x: Tensor) => Tensor;
  readonly activationName: string;

  /**
   * @throws RangeError when dModel is not divisible by nhead, or for a
   *   non-positive dimFeedforward; TypeError for an unknown activation or option.
   */
  constructor(dModel: number, nhead: number, opts: TransformerDecoderLayerOptions = {}) {
    super();
    checkOptions(
      opts,
      ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias', 'device', 'dtype'],
      'TransformerDecoderLayer',
    );
    const ff = opts.dimFeedforward ?? 2048;
    if (!Number.isInteger(ff) || ff <= 0) rangeError('a positive integer', 'dimFeedforward', ff);
    const p = opts.dropout ?? 0.1;
    const eps = opts.layerNormEps ?? 1e-5;
    const bias = opts.bias ?? true;
    if (typeof bias !== 'boolean') typeError('a boolean', 'bias', bias);
    const f = { device: opts.device, dtype: opts.dtype };
    const batchFirst = opts.batchFirst ?? false;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst, bias, ...f });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst, bias, ...f });
    this.linear1 = new Linear(dModel, ff, { bias, ...f });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias, ...f });
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, bias, ...f });
    this.norm2 = new LayerNorm(dModel, { eps, bias, ...f });
    this.norm3 = new LayerNorm(dModel, { eps, bias, ...f });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    const act = opts.activation ?? 'relu';
    if (act === 'relu') this.activation = F.relu;
    else if (act === 'gelu') this.activation = (x) => F.gelu(x);
    else if (typeof act === 'function') this.activation = act;
    else typeError("'relu', 'gelu' or a function", 'activation', act);
    this.activationName = typeof act === 'string' ? act : 'custom';
  }

  /** tgt [T, B, E] and memory [S, B, E] (or [B, *, E] with batchFirst, or unbatched [*, E]) -> [T, B, E]. */
  forward(tgt: Tensor, memory: Tensor, opts: DecoderCallOptions = {}): Tensor {
    checkOptions(opts, DECODER_CALL, 'TransformerDecoderLayer.forward');
    const tgtMask = opts.tgtMask ?? null;
    const memMask = opts.memoryMask ?? null;
    const tgtKpm = opts.tgtKeyPaddingMask ?? null;
    const memKpm = opts.memoryKeyPaddingMask ?? null;
    const tgtCausal = opts.tgtIsCausal ?? false;
    const memCausal = opts.memoryIsCausal ?? false;
    let x = tgt;
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1.forward(x), tgtMask, tgtKpm, tgtCausal));
      x = x.add(this.mhaBlock(this.norm2.forward(x), memory, memMask, memKpm, memCausal));
      x = x.add(this.ffBlock(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(x.add(this.saBlock(x, tgtMask, tgtKpm, tgtCausal)));
      x = this.norm2.forward(x.add(this.mhaBlock(x, memory, memMask, memKpm, memCausal)));
      x = this.norm3.forward(x.add(this.ffBlock(x)));
    }
    return x;
  }

  private saBlock(x: Tensor, mask: Tensor | null, kpm: Tensor | null, isCausal: boolean): Tensor {
    const [out] = this.self_attn.forward(x, x, x, { attnMask: mask, keyPaddingMask: kpm, isCausal, needWeights: false });
    return this.dropout1.forward(out);
  }

  private mhaBlock(x: Tensor, mem: Tensor, mask: Tensor | null, kpm: Tensor | null, isCausal: boolean): Tensor {
    const [out] = this.multihead_attn.forward(x, mem, mem, { attnMask: mask, keyPaddingMask: kpm, isCausal, needWeights: false });
    return this.dropout2.forward(out);
  }

  private ffBlock(x: Tensor): Tensor {
    return this.dropout3.forward(this.linear2.forward(this.dropout.forward(this.activation(this.linear1.forward(x)))));
  }
}

/** A stack of deep copies of one decoder layer (`layers.0`, ...), with an optional final norm. */
export class TransformerDecoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;

  /** @throws TypeError unless decoderLayer is a TransformerDecoderLayer; RangeError unless numLayers is a positive integer. */
  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    checkOptions(opts, ['norm'], 'TransformerDecoder');
    if (!(decoderLayer instanceof TransformerDecoderLayer)) typeError('a TransformerDecoderLayer', 'decoderLayer', decoderLayer);
    if (!Number.isInteger(numLayers) || numLayers <= 0) rangeError('a positive integer', 'numLayers', numLayers);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.deepCopy()));
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
  }

  /** tgt, memory as {@link TransformerDecoderLayer.forward}; tgtIsCausal defaults to whether tgtMask is the causal mask. */
  forward(tgt: Tensor, memory: Tensor, opts: DecoderCallOptions = {}): Tensor {
    checkOptions(opts, DECODER_CALL, 'TransformerDecoder.forward');
    const first = this.layers.get(0) as TransformerDecoderLayer;
    const seqLen = tgt.dim() === 2 ? tgt.size(0) : tgt.size(first.self_attn.batchFirst ? 1 : 0);
    const tgtIsCausal = detectIsCausalMask(opts.tgtMask ?? null, opts.tgtIsCausal, seqLen);
    let x = tgt;
    for (const layer of this.layers) x = (layer as TransformerDecoderLayer).forward(x, memory, { ...opts, tgtIsCausal });
    if (this.norm !== null) x = (this.norm as unknown as { forward(t: Tensor): Tensor }).forward(x);
    return x;
  }
}

/** Options of Transformer (PyTorch's defaults). */
export interface TransformerOptions {
  /** Model width (default 512). */
  dModel?: number;
  /** Attention heads (default 8). */
  nhead?: number;
  /** Default 6. */
  numEncoderLayers?: number;
  /** Default 6. */
  numDecoderLayers?: number;
  /** Default 2048. */
  dimFeedforward?: number;
  /** Default 0.1. */
  dropout?: number;
  /** 'relu' (default), 'gelu', or a function. */
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor);
  /** Used instead of the default encoder (its parameters of two or more dimensions are re-drawn with xavier_uniform_ too, as in PyTorch). */
  customEncoder?: Module | null;
  /** Used instead of the default decoder. */
  customDecoder?: Module | null;
  /** Default 1e-5. */
  layerNormEps?: number;
  /** [B, *, E] inputs (default false). */
  batchFirst?: boolean;
  /** Pre-norm (default false). */
  normFirst?: boolean;
  /** Biases in every layer and norm (default true). */
  bias?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/** Options of Transformer.forward. */
export interface TransformerCallOptions {
  srcMask?: Tensor | null;
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  /** Hint that srcMask is causal (default: detected from srcMask). */
  srcIsCausal?: boolean | null;
  tgtIsCausal?: boolean | null;
  memoryIsCausal?: boolean;
}

/**
 * The encoder-decoder Transformer of "Attention Is All You Need": encoder
 * (with a final LayerNorm) and decoder (with a final LayerNorm); every
 * parameter of two or more dimensions re-drawn with xavier_uniform_.
 */
export class Transformer extends Module {
  encoder: Module;
  decoder: Module;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  /** @throws TypeError for an unknown option or activation; RangeError for sizes as the layers check them. */
  constructor(opts: TransformerOptions = {}) {
    super();
    checkOptions(
      opts,
      [
        'dModel',
        'nhead',
        'numEncoderLayers',
        'numDecoderLayers',
        'dimFeedforward',
        'dropout',
        'activation',
        'customEncoder',
        'customDecoder',
        'layerNormEps',
        'batchFirst',
        'normFirst',
        'bias',
        'device',
        'dtype',
      ],
      'Transformer',
    );
    const d = opts.dModel ?? 512;
    const nhead = opts.nhead ?? 8;
    const eps = opts.layerNormEps ?? 1e-5;
    const f = { device: opts.device, dtype: opts.dtype };
    const layerOpts: TransformerEncoderLayerOptions = {
      dimFeedforward: opts.dimFeedforward ?? 2048,
      dropout: opts.dropout ?? 0.1,
      activation: opts.activation ?? 'relu',
      layerNormEps: eps,
      batchFirst: opts.batchFirst ?? false,
      normFirst: opts.normFirst ?? false,
      bias: opts.bias ?? true,
      ...f,
    };
    const normOpts = { eps, bias: opts.bias ?? true, ...f };
    if (opts.customEncoder !== undefined && opts.customEncoder !== null) {
      if (!(opts.customEncoder instanceof Module)) typeError('a Module', 'customEncoder', opts.customEncoder);
      this.encoder = opts.customEncoder;
    } else {
      this.encoder = new TransformerEncoder(new TransformerEncoderLayer(d, nhead, layerOpts), opts.numEncoderLayers ?? 6, { norm: new LayerNorm(d, normOpts) });
    }
    if (opts.customDecoder !== undefined && opts.customDecoder !== null) {
      if (!(opts.customDecoder instanceof Module)) typeError('a Module', 'customDecoder', opts.customDecoder);
      this.decoder = opts.customDecoder;
    } else {
      this.decoder = new TransformerDecoder(new TransformerDecoderLayer(d, nhead, layerOpts), opts.numDecoderLayers ?? 6, { norm: new LayerNorm(d, normOpts) });
    }
    for (const p of this.parameters()) if (p.dim() > 1) init.xavierUniform_(p);
    this.dModel = d;
    this.nhead = nhead;
    this.batchFirst = opts.batchFirst ?? false;
  }

  /**
   * src [S, B, E] and tgt [T, B, E] (or batchFirst, or unbatched) -> [T, B, E].
   * @throws RangeError when src and tgt have different batch sizes or a feature size other than dModel.
   */
  forward(src: Tensor, tgt: Tensor, opts: TransformerCallOptions = {}): Tensor {
    checkOptions(
      opts,
      ['srcMask', 'tgtMask', 'memoryMask', 'srcKeyPaddingMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'srcIsCausal', 'tgtIsCausal', 'memoryIsCausal'],
      'Transformer.forward',
    );
    if (!(src instanceof Tensor)) typeError('Tensor', 'src', src);
    if (!(tgt instanceof Tensor)) typeError('Tensor', 'tgt', tgt);
    const bdim = this.batchFirst ? 0 : 1;
    if (src.dim() === 3 && (tgt.dim() !== 3 || src.size(bdim) !== tgt.size(bdim))) {
      throw new RangeError(
        `Expected the batch size of src (${src.size(bdim)}) for tgt but received ${tgt.dim() === 3 ? tgt.size(bdim) : `a ${tgt.dim()}-D tensor`}`,
      );
    }
    if (src.size(-1) !== this.dModel || tgt.size(-1) !== this.dModel) {
      throw new RangeError(`Expected feature size ${this.dModel} (dModel) for src and tgt but received ${src.size(-1)} and ${tgt.size(-1)}`);
    }
    const memory = (this.encoder as unknown as { forward(s: Tensor, o: object): Tensor }).forward(src, {
      mask: opts.srcMask ?? null,
      srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null,
      isCausal: opts.srcIsCausal ?? null,
    });
    return (this.decoder as unknown as { forward(t: Tensor, m: Tensor, o: DecoderCallOptions): Tensor }).forward(tgt, memory, {
      tgtMask: opts.tgtMask ?? null,
      memoryMask: opts.memoryMask ?? null,
      tgtKeyPaddingMask: opts.tgtKeyPaddingMask ?? null,
      memoryKeyPaddingMask: opts.memoryKeyPaddingMask ?? null,
      tgtIsCausal: opts.tgtIsCausal ?? null,
      memoryIsCausal: opts.memoryIsCausal ?? false,
    });
  }

  /** The causal mask [sz, sz] (0 on and below the diagonal, -inf above); see {@link generateSquareSubsequentMask}. */
  static generateSquareSubsequentMask(sz: number, opts: { device?: DeviceLike; dtype?: DType } = {}): Tensor {
    return generateSquareSubsequentMask(sz, opts);
  }
}
