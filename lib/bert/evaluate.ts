/** evaluate(): average losses and NSP accuracy over a loader, in eval mode without gradients. */
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';
import type { BERT } from './model.js';
import { PAD_IDX } from './model.js';
import { batches, type BatchSource, type BertBatch } from './batch.js';

/** What evaluate() returns (and prints). */
export interface EvalResult {
  /** Mean over batches of NSP loss + MLM loss. */
  loss: number;
  nspLoss: number;
  mlmLoss: number;
  /** Share of NSP predictions equal to the label. */
  nspAccuracy: number;
  batches: number;
  examples: number;
}

/** A loss over logits and targets, e.g. an nn.CrossEntropyLoss. */
export interface LossFn {
  forward(input: Tensor, target: Tensor): Tensor;
}

/**
 * Runs the model over every batch in eval mode without gradients and
 * averages total, NSP and MLM loss (batches whose MLM loss is undefined,
 * having no masked token, are left out of the MLM mean) and NSP accuracy.
 * `lossFn` scores MLM (default cross entropy ignoring [PAD]); NSP is scored
 * with plain cross entropy. With `exactCourse: false` the MLM logits are
 * computed at masked positions only (the same loss, far less work); the
 * default is the course's full projection. Restores the model's previous mode.
 */
export async function evaluate(
  loader: BatchSource,
  model: BERT,
  lossFn: LossFn = new torch.nn.CrossEntropyLoss({ ignoreIndex: PAD_IDX }),
  device: torch.DeviceLike = 'cpu',
  opts: { quiet?: boolean; maxBatches?: number; exactCourse?: boolean } = {},
): Promise<EvalResult> {
  const result = await averageOverBatches(
    loader,
    model,
    (batch) => {
      const [x, labels, seg, isNext] = batch.map((t) => t.to(device));
      let nsp: Tensor;
      let mlmLoss: number;
      if (opts.exactCourse ?? true) {
        const [n, mlm] = model.forward(x, seg);
        nsp = n;
        mlmLoss = lossFn.forward(mlm.view(-1, mlm.size(-1)), labels.view(-1)).item();
      } else {
        // The same loss from the masked positions only (labels elsewhere are [PAD], ignored).
        const [n, mlm, targets] = model.forwardMasked(x, seg, labels);
        nsp = n;
        mlmLoss = lossFn.forward(mlm, targets).item();
      }
      const nspLoss = torch.nn.functional.crossEntropy(nsp, isNext).item();
      const right = nsp.argmax(1).eq(isNext).sum().item();
      return { nspLoss, mlmLoss, right, size: isNext.size(0) };
    },
    opts.maxBatches,
  );
  if (!opts.quiet) {
    console.log(
      `eval: loss ${result.loss.toFixed(4)} (nsp ${result.nspLoss.toFixed(4)}, mlm ${result.mlmLoss.toFixed(4)}), ` +
        `nsp accuracy ${(100 * result.nspAccuracy).toFixed(2)}% over ${result.examples} examples`,
    );
  }
  return result;
}

/** One batch's scores, as {@link averageOverBatches} sums them. */
export interface BatchScores {
  nspLoss: number;
  /** NaN for a batch without a masked token (left out of the MLM mean). */
  mlmLoss: number;
  /** NSP predictions equal to the label. */
  right: number;
  size: number;
}

/**
 * The evaluation loop shared by the course's and the Hugging Face model's
 * evaluate: `score` runs on each batch in eval mode without gradients (in a
 * memory scope; the batch is disposed after it), the scores are averaged as
 * {@link evaluate} describes, and the model's previous mode is restored.
 */
export async function averageOverBatches(
  loader: BatchSource,
  model: { training: boolean; train(mode?: boolean): unknown; eval(): unknown },
  score: (batch: BertBatch) => BatchScores,
  maxBatches?: number,
): Promise<EvalResult> {
  const wasTraining = model.training;
  model.eval();
  let nspSum = 0,
    mlmSum = 0,
    mlmBatches = 0,
    n = 0,
    correct = 0,
    examples = 0;
  try {
    for await (const batch of batches(loader)) {
      if (maxBatches !== undefined && n >= maxBatches) {
        torch.dispose(batch);
        break;
      }
      const r = torch.tidy(() => torch.noGrad(() => score(batch)));
      torch.dispose(batch);
      n++;
      nspSum += r.nspLoss;
      if (Number.isFinite(r.mlmLoss)) {
        mlmSum += r.mlmLoss;
        mlmBatches++;
      }
      correct += r.right;
      examples += r.size;
    }
  } finally {
    model.train(wasTraining);
  }
  const nspLoss = n > 0 ? nspSum / n : NaN;
  const mlmLoss = mlmBatches > 0 ? mlmSum / mlmBatches : NaN;
  return { loss: nspLoss + mlmLoss, nspLoss, mlmLoss, nspAccuracy: examples > 0 ? correct / examples : NaN, batches: n, examples };
}
