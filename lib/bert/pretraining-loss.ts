/**
 * The course's two losses as one module, so that one forward computes what a
 * training step needs (and DistributedDataParallel, which wraps a module's
 * forward, can wrap it): cross entropy of the NSP head, and cross entropy of
 * the MLM head over the masked positions ([PAD] labels are ignored).
 */
import * as torch from '../torch/index.js';
import { nn, type Tensor } from '../torch/index.js';
import { PAD_IDX } from './constants.js';
import type { BERT } from './model.js';

export class PretrainingLoss extends nn.Module {
  bert: BERT;
  private readonly nspFn = new nn.CrossEntropyLoss();
  private readonly mlmFn = new nn.CrossEntropyLoss({ ignoreIndex: PAD_IDX });

  /**
   * @param bert the model.
   * @param exactCourse the course's full-vocabulary MLM projection (default
   *   false: logits at the masked positions only, the same loss for far less work).
   * @param autocast bf16 autocast on CUDA (default false).
   */
  constructor(
    bert: BERT,
    private readonly exactCourse = false,
    private readonly autocast = false,
  ) {
    super();
    this.bert = bert;
  }

  /** bertInputs, bertLabels, segmentLabels [S, B], isNexts [B] -> [nspLoss, mlmLoss] (0-d). */
  forward(bertInputs: Tensor, bertLabels: Tensor, segmentLabels: Tensor, isNexts: Tensor): [Tensor, Tensor] {
    const run = (): [Tensor, Tensor] => {
      if (this.exactCourse) {
        const [nsp, mlm] = this.bert.forward(bertInputs, segmentLabels); // [B, 2], [S, B, V]
        return [this.nspFn.forward(nsp, isNexts), this.mlmFn.forward(mlm.view(-1, mlm.size(-1)), bertLabels.view(-1))];
      }
      const [nsp, mlm, targets] = this.bert.forwardMasked(bertInputs, segmentLabels, bertLabels); // [B, 2], [N, V], [N]
      return [this.nspFn.forward(nsp.float(), isNexts), this.mlmFn.forward(mlm.float(), targets)];
    };
    return this.autocast ? torch.autocast('cuda', run) : run();
  }
}
