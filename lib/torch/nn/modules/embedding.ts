/** Embedding lookup table. */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { empty } from '../../creation.js';
import type { Tensor } from '../../tensor.js';
import { noGrad } from '../../autograd.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { checkOptions, rangeError } from '../../errors.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';

/** Options of Embedding. */
export interface EmbeddingOptions {
  /** Row that stays zero and gets no gradient (default none; negative counts from the end). */
  paddingIdx?: number | null;
  device?: DeviceLike;
  dtype?: DType;
}

/** A table of `numEmbeddings` vectors of size `embeddingDim`, initialized N(0, 1). */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  weight: Parameter;

  /** @throws RangeError for non-positive sizes or a paddingIdx outside the table. */
  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    checkOptions(opts, ['paddingIdx', 'device', 'dtype'], 'Embedding');
    if (!Number.isInteger(numEmbeddings) || numEmbeddings < 0) rangeError('a non-negative integer', 'numEmbeddings', numEmbeddings);
    if (!Number.isInteger(embeddingDim) || embeddingDim < 0) rangeError('a non-negative integer', 'embeddingDim', embeddingDim);
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (pad >= numEmbeddings || pad < -numEmbeddings) throw new RangeError('Padding_idx must be within num_embeddings');
      if (pad < 0) pad += numEmbeddings;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = pad;
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: opts.dtype, device: opts.device }));
    this.resetParameters();
  }

  /** Re-draws N(0, 1) and zeroes the padding row. */
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.weight.select(0, this.paddingIdx);
      noGrad(() => row.zero_());
      row.dispose();
    }
  }

  /** A table holding `embeddings` (frozen by default). */
  static fromPretrained(embeddings: Tensor, opts: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    checkOptions(opts, ['freeze', 'paddingIdx'], 'Embedding.fromPretrained');
    if (embeddings.dim() !== 2) throw new RangeError('Embeddings parameter is expected to be 2-dimensional');
    const [n, d] = embeddings.shape;
    const e = new Embedding(n, d, { paddingIdx: opts.paddingIdx ?? null, dtype: embeddings.dtype, device: embeddings.device });
    noGrad(() => e.weight.copy_(embeddings));
    e.weight.requiresGrad_(!(opts.freeze ?? true));
    return e;
  }

  forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }
}
