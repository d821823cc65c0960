/** AdaptiveLogSoftmaxWithLoss: the efficient softmax approximation of Grave et al. (as torch.nn's). */
import { Module } from '../../module.js';
import type { Tensor } from '../../../tensor.js';
import { Linear } from '../linear.js';
import { ModuleList, Sequential } from '../container.js';
import { tidy } from '../../../scope.js';
import { checkOptions, rangeError } from '../../../errors.js';
import { cat } from '../../../generated/torch.js';
import type { DType } from '../../../dtype.js';
import type { DeviceLike } from '../../../device.js';
import { boolOption, numberOption } from './base.js';

/** Options of AdaptiveLogSoftmaxWithLoss. */
export interface AdaptiveLogSoftmaxWithLossOptions {
  /** Ratio shrinking each tail cluster's hidden size (default 4). */
  divValue?: number;
  /** A bias on the head (default false). */
  headBias?: boolean;
  device?: DeviceLike;
  dtype?: DType;
}

/** What forward returns (Python's `_ASMoutput`): each target's log-probability and the mean negative log likelihood. */
export interface AdaptiveLogSoftmaxOutput {
  output: Tensor;
  loss: Tensor;
}

/**
 * Adaptive softmax: the `cutoffs[0]` most frequent classes in the head, the
 * rest in tail clusters projected through smaller hidden sizes. Children
 * `head` (Linear) and `tail` (ModuleList of Sequential(Linear, Linear)), so
 * state-dict keys equal PyTorch's.
 * @throws RangeError for cutoffs that are not unique increasing integers in [1, nClasses - 1].
 */
export class AdaptiveLogSoftmaxWithLoss extends Module {
  readonly inFeatures: number;
  readonly nClasses: number;
  /** The cutoffs with nClasses appended (as Python's `self.cutoffs`). */
  readonly cutoffs: number[];
  readonly divValue: number;
  readonly headBias: boolean;
  readonly shortlistSize: number;
  readonly nClusters: number;
  readonly headSize: number;
  head: Linear;
  tail: ModuleList<Sequential<Linear>>;

  constructor(inFeatures: number, nClasses: number, cutoffs: readonly number[], opts: AdaptiveLogSoftmaxWithLossOptions = {}) {
    super();
    checkOptions(opts, ['divValue', 'headBias', 'device', 'dtype'], 'AdaptiveLogSoftmaxWithLoss');
    if (!Number.isInteger(inFeatures) || inFeatures < 1) rangeError('a positive integer', 'inFeatures', inFeatures);
    if (!Number.isInteger(nClasses) || nClasses < 2) rangeError('an integer >= 2', 'nClasses', nClasses);
    const c = [...cutoffs];
    const sorted = [...c].sort((a, b) => a - b);
    if (
      c.length === 0 ||
      c.some((x, i) => x !== sorted[i] || !Number.isInteger(x)) ||
      Math.min(...c) <= 0 ||
      Math.max(...c) > nClasses - 1 ||
      new Set(c).size !== c.length
    ) {
      throw new RangeError(
        'cutoffs should be a sequence of unique, positive integers sorted in an increasing order, where each value is between 1 and n_classes-1',
      );
    }
    this.inFeatures = inFeatures;
    this.nClasses = nClasses;
    this.cutoffs = [...c, nClasses];
    this.divValue = numberOption(opts.divValue, 'divValue', 4);
    this.headBias = boolOption(opts.headBias, 'headBias', false);
    this.shortlistSize = this.cutoffs[0];
    this.nClusters = this.cutoffs.length - 1;
    this.headSize = this.shortlistSize + this.nClusters;
    const f = { device: opts.device, dtype: opts.dtype };
    this.head = new Linear(inFeatures, this.headSize, { bias: this.headBias, ...f });
    this.tail = new ModuleList<Sequential<Linear>>();
    for (let i = 0; i < this.nClusters; i++) {
      const hsz = Math.floor(inFeatures / this.divValue ** (i + 1));
      const osz = this.cutoffs[i + 1] - this.cutoffs[i];
      this.tail.append(new Sequential<Linear>(new Linear(inFeatures, hsz, { bias: false, ...f }), new Linear(hsz, osz, { bias: false, ...f })));
    }
  }

  /**
   * input [N, inFeatures] with target [N] (or [inFeatures] with a 0-dim target).
   * @throws RangeError for mismatched shapes or targets outside [0, nClasses).
   */
  forward(input: Tensor, target: Tensor): AdaptiveLogSoftmaxOutput {
    const td = target.dim();
    if (td === 1) {
      if (input.size(0) !== target.size(0)) throw new RangeError('Input and target should have the same size in the batch dimension.');
      if (input.dim() !== 2) throw new RangeError(`1D target tensor expects 2D input tensors, but found inputs with size [${input.shape.join(', ')}]`);
    } else if (td === 0) {
      if (input.dim() !== 1) throw new RangeError(`0D target tensor expects 1D input tensors, but found inputs with size [${input.shape.join(', ')}]`);
    } else throw new RangeError('0D or 1D target tensor expected, multi-target not supported');
    const batched = td > 0;
    return tidy(() => {
      const x = batched ? input : input.unsqueeze(0);
      const t = batched ? target : target.unsqueeze(0);
      const n = t.size(0);
      let output = x.newZeros([n]);
      let gatherInds = t.newZeros([n]);
      let used = 0;
      const bounds = [0, ...this.cutoffs];
      for (let i = 0; i < bounds.length - 1; i++) {
        const mask = t.ge(bounds[i]).logicalAnd(t.lt(bounds[i + 1]));
        const rows = mask.nonzero().reshape([-1]);
        if (rows.numel() === 0) continue;
        if (i === 0) gatherInds = gatherInds.indexCopy(0, rows, t.maskedSelect(mask));
        else {
          const relative = t.maskedSelect(mask).sub(bounds[i]);
          const clusterOut = this.tail.get(i - 1).forward(x.indexSelect(0, rows)) as Tensor;
          gatherInds = gatherInds.indexFill(0, rows, this.shortlistSize + i - 1);
          const local = clusterOut.logSoftmax(1).gather(1, relative.unsqueeze(1));
          output = output.indexCopy(0, rows, local.squeeze(1));
        }
        used += rows.numel();
      }
      if (used !== n) {
        throw new RangeError(`Target values should be in [0, ${this.nClasses - 1}], but values in range [${t.min().item()}, ${t.max().item()}] were found. `);
      }
      const headLogprob = this.head.forward(x).logSoftmax(1);
      output = output.add(headLogprob.gather(1, gatherInds.unsqueeze(1)).squeeze());
      const loss = output.neg().mean();
      return { output: batched ? output : output.squeeze(0), loss };
    });
  }

  /** Log-probabilities of every class: input [N, inFeatures] (or [inFeatures]) -> [N, nClasses]. */
  logProb(input: Tensor): Tensor {
    return tidy(() => {
      const batched = input.dim() === 2;
      const x = batched ? input : input.unsqueeze(0);
      const headLogprob = this.head.forward(x).logSoftmax(1);
      const parts: Tensor[] = [headLogprob.narrow(1, 0, this.shortlistSize)];
      for (let i = 0; i < this.nClusters; i++) {
        const clusterLogprob = (this.tail.get(i).forward(x) as Tensor).logSoftmax(1);
        parts.push(clusterLogprob.add(headLogprob.narrow(1, this.shortlistSize + i, 1)));
      }
      const out = cat(parts, 1);
      return batched ? out : out.squeeze(0);
    });
  }

  /** The most likely class of each row: input [N, inFeatures] (or [inFeatures]) -> [N] (or 0-dim). */
  predict(input: Tensor): Tensor {
    return tidy(() => this.logProb(input).argmax(-1));
  }
}
