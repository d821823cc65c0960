/** Transformer encoder layers with PyTorch's defaults and parameter names. */
import { Module } from '../module.js';
import { Linear } from './linear.js';
import { Dropout } from './activation.js';
import { LayerNorm } from './normalization.js';
import { MultiheadAttention } from './attention.js';
import { ModuleList } from './container.js';
import { Tensor } from '../../tensor.js';
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
    checkOptions(opts, ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'fastDropout', 'device', 'dtype'], 'TransformerEncoderLayer');
    const ff = opts.dimFeedforward ?? 2048;
    if (!Number.isInteger(ff) || ff <= 0) rangeError('a positive integer', 'dimFeedforward', ff);
    const p = opts.dropout ?? 0.1;
    const eps = opts.layerNormEps ?? 1e-5;
    const f = { device: opts.device, dtype: opts.dtype };
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: opts.batchFirst ?? false, ...f });
    this.fastDropout = opts.fastDropout ?? false;
    const fastMask = this.fastDropout;
    this.linear1 = new Linear(dModel, ff, f);
    this.dropout = new Dropout(p, { fastMask });
    this.linear2 = new Linear(ff, dModel, f);
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, ...f });
    this.norm2 = new LayerNorm(dModel, { eps, ...f });
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
    checkOptions(opts, ['srcMask', 'srcKeyPaddingMask'], 'TransformerEncoderLayer.forward');
    const mask = opts.srcMask ?? null;
    const kpm = opts.srcKeyPaddingMask ?? null;
    let x = src;
    if (this.normFirst) {
      const n1 = this.norm1.forward(x);
      x = x.add(this.saBlock(n1, mask, kpm));
      const n2 = this.norm2.forward(x);
      x = x.add(this.ffBlock(n2));
    } else {
      x = this.norm1.forward(x.add(this.saBlock(x, mask, kpm)));
      x = this.norm2.forward(x.add(this.ffBlock(x)));
    }
    return x;
  }

  private saBlock(x: Tensor, mask: Tensor | null, kpm: Tensor | null): Tensor {
    const [out] = this.self_attn.forward(x, x, x, { attnMask: mask, keyPaddingMask: kpm, needWeights: false });
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

  forward(src: Tensor, opts: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null } = {}): Tensor {
    checkOptions(opts, ['mask', 'srcKeyPaddingMask'], 'TransformerEncoder.forward');
    let x = src;
    for (const layer of this.layers) {
      x = (layer as TransformerEncoderLayer).forward(x, { srcMask: opts.mask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null });
    }
    if (this.norm !== null) x = (this.norm as unknown as { forward(t: Tensor): Tensor }).forward(x);
    return x;
  }
}
