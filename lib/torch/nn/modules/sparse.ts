/** EmbeddingBag (as `nn.EmbeddingBag`): sums, means or maxima of bags of embeddings without the intermediate lookup. */
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { empty } from '../../creation.js';
import type { Tensor } from '../../tensor.js';
import { noGrad } from '../../autograd.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { checkOptions, rangeError, typeError } from '../../errors.js';
import { pyFloat } from '../repr.js';
import { checkBool, checkChoice, checkInt, checkNumber, pyBool } from './args.js';
import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';

/** Options of EmbeddingBag (Python's keyword arguments). */
export interface EmbeddingBagModuleOptions {
  /** Renormalize looked-up rows to at most this norm; default null. */
  maxNorm?: number | null;
  /** Default 2. */
  normType?: number;
  /** Default false. */
  scaleGradByFreq?: boolean;
  /** How a bag is reduced; default 'mean'. */
  mode?: 'sum' | 'mean' | 'max';
  /** Sparse gradients; default false. */
  sparse?: boolean;
  /** The offsets include the end of the last bag; default false. */
  includeLastOffset?: boolean;
  /** Row excluded from the reductions (kept zero); default null; negative counts from the end. */
  paddingIdx?: number | null;
  device?: DeviceLike;
  dtype?: DType;
}

/**
 * A table of `numEmbeddings` vectors (N(0, 1), padding row zero) reduced per bag, as `nn.EmbeddingBag`.
 * @throws TypeError for unknown options or values of the wrong kind; RangeError for non-positive sizes,
 *   an unknown mode or a paddingIdx outside the table.
 */
export class EmbeddingBag extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly mode: 'sum' | 'mean' | 'max';
  readonly sparse: boolean;
  readonly includeLastOffset: boolean;
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingBagModuleOptions = {}) {
    super();
    checkOptions(opts, ['maxNorm', 'normType', 'scaleGradByFreq', 'mode', 'sparse', 'includeLastOffset', 'paddingIdx', 'device', 'dtype'], 'EmbeddingBag');
    this.numEmbeddings = checkInt(numEmbeddings, 'numEmbeddings', 1);
    this.embeddingDim = checkInt(embeddingDim, 'embeddingDim', 1);
    if (opts.maxNorm !== undefined && opts.maxNorm !== null && typeof opts.maxNorm !== 'number') typeError('a number or null', 'maxNorm', opts.maxNorm);
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = checkNumber(opts.normType, 'normType', 2);
    this.scaleGradByFreq = checkBool(opts.scaleGradByFreq, 'scaleGradByFreq', false);
    this.mode = checkChoice(opts.mode, 'mode', ['sum', 'mean', 'max'] as const, 'mean');
    this.sparse = checkBool(opts.sparse, 'sparse', false);
    this.includeLastOffset = checkBool(opts.includeLastOffset, 'includeLastOffset', false);
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      checkInt(pad, 'paddingIdx', -Infinity);
      if (pad >= numEmbeddings || pad < -numEmbeddings) rangeError(`an index in [${-numEmbeddings}, ${numEmbeddings - 1}]`, 'paddingIdx', pad);
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: opts.dtype, device: opts.device }));
    this.resetParameters();
  }

  /** Re-draws the table from N(0, 1) and zeroes the padding row. */
  resetParameters(): void {
    init.normal_(this.weight);
    const pad = this.paddingIdx;
    if (pad !== null) {
      noGrad(() => {
        const row = this.weight.select(0, pad);
        row.fill_(0);
        row.dispose();
      });
    }
  }

  /**
   * One reduced vector per bag: 2-D input is one bag per row; 1-D input needs `offsets` (bag starts).
   * @param offsets bag starts for 1-D input (default null).
   * @param perSampleWeights weights of each index (mode 'sum' only; default null).
   * @throws as F.embeddingBag.
   */
  forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return F.embeddingBag(input, this.weight, offsets, {
      maxNorm: this.maxNorm,
      normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq,
      mode: this.mode,
      sparse: this.sparse,
      perSampleWeights,
      includeLastOffset: this.includeLastOffset,
      paddingIdx: this.paddingIdx,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${pyBool(this.scaleGradByFreq)}`;
    s += `, mode='${this.mode}'`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}
