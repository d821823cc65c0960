/**
 * Continued pretraining of a Hugging Face BertForPreTraining on the course's
 * batches: what `npm run pretrain -- --from-pretrained DIR` needs besides its
 * loop (optimizer, clipping, logging stay the loop's).
 *
 *   course batch [bertInputs [S, B], bertLabels [S, B], segmentLabels [S, B], isNexts [B]]
 *     -> transformers' inputs [B, S]: attention mask = segment != 0, token types = (segment == 2),
 *        labels = bertLabels where != [PAD] else -100, next_sentence_label = 1 - isNext
 *        (the course says 1 for "B follows A"; transformers says 0)
 *
 * {@link hfPretrainingLosses} gives the course's two losses for such a batch
 * (MLM head on masked positions only, bf16 autocast on CUDA, as the course
 * path); {@link hfTrainingCheckpoint}/{@link loadHfTrainingCheckpoint} keep
 * the model in this project's torch.save checkpoint format, and
 * `model.savePretrained(dir)` + `tokenizer.savePretrained(dir)` write the
 * transformers folder.
 */
import { checkOptions } from '../../torch/utils/index.js';
import * as torch from '../../torch/index.js';
import { nn, type Tensor } from '../../torch/index.js';
import type { BatchSource, BertBatch } from '../batch.js';
import { averageOverBatches, type EvalResult } from '../evaluate.js';
import { PAD_IDX } from '../collate.js';
import { configFromJson, configToJson } from './config.js';
import { BertForPreTraining, IGNORE_INDEX } from './models.js';

/** transformers' inputs of BertForPreTraining, batch-first int64 [B, S] (nextSentenceLabel [B]). */
export interface HfPretrainingInputs {
  inputIds: Tensor;
  attentionMask: Tensor;
  tokenTypeIds: Tensor;
  labels: Tensor;
  nextSentenceLabel: Tensor;
}

/**
 * Converts a course batch (sequence-first, segment ids 0 = pad / 1 = A / 2 = B,
 * MLM labels [PAD] where unmasked, isNext 1 for a true continuation) into
 * transformers' batch-first inputs.
 * @throws RangeError unless the batch is four tensors of shapes [S, B] x 3 and [B].
 */
export function courseBatchToHf(batch: BertBatch): HfPretrainingInputs {
  if (!Array.isArray(batch) || batch.length !== 4 || !batch.every((t) => torch.isTensor(t))) {
    throw new RangeError(
      `Expected a course batch [bertInputs, bertLabels, segmentLabels, isNexts] for batch but received ${Array.isArray(batch) ? `an array of length ${batch.length}` : typeof batch}`,
    );
  }
  const [x, labels, seg, isNext] = batch;
  const [s, b] = x.shape;
  if (x.dim() !== 2 || [labels, seg].some((t) => t.dim() !== 2 || t.shape[0] !== s || t.shape[1] !== b) || isNext.dim() !== 1 || isNext.shape[0] !== b) {
    throw new RangeError(`Expected shapes [S, B], [S, B], [S, B], [B] for batch but received ${batch.map((t) => `[${t.shape.join(', ')}]`).join(', ')}`);
  }
  return {
    inputIds: x.t().contiguous().long(),
    attentionMask: seg.ne(0).t().contiguous().long(),
    tokenTypeIds: seg.eq(2).t().contiguous().long(),
    labels: torch.where(labels.eq(PAD_IDX), IGNORE_INDEX, labels).t().contiguous().long(),
    nextSentenceLabel: isNext.long().neg().add(1),
  };
}

/** Options of {@link hfPretrainingLosses}. */
export interface HfPretrainingLossOptions {
  /** Full-vocabulary MLM logits at every position (transformers' forward). Default false: masked positions only. */
  exactCourse?: boolean;
  /** bf16 autocast around the forward pass; only on CUDA. Default: true on CUDA unless exactCourse. */
  mixedPrecision?: boolean;
}

/** The losses of one batch (scalars; backward through `loss`). */
export interface HfPretrainingLosses {
  loss: Tensor;
  nspLoss: Tensor;
  mlmLoss: Tensor;
  /** The NSP head's logits [B, 2] (transformers' order: index 0 = B follows A). */
  nspLogits: Tensor;
}

/**
 * MLM + NSP losses of `model` on a course batch, moved to the model's
 * device: the course's sum of two cross entropies (MLM ignoring unmasked
 * positions), equal to transformers' `BertForPreTraining(...).loss`.
 * @throws RangeError for a malformed batch (see {@link courseBatchToHf}); TypeError for an unknown option.
 */
export function hfPretrainingLosses(model: BertForPreTraining, batch: BertBatch, opts: HfPretrainingLossOptions = {}): HfPretrainingLosses {
  checkOptions(opts, ['exactCourse', 'mixedPrecision'], 'hfPretrainingLosses');
  const device = model.bert.embeddings.word_embeddings.weight.device;
  const isCuda = device.type === 'cuda';
  const exact = opts.exactCourse ?? false;
  const amp = (opts.mixedPrecision ?? !exact) && isCuda;
  const inp = courseBatchToHf(batch);
  const on = (t: Tensor) => t.to(device);
  const run = (): HfPretrainingLosses => {
    const common = { attentionMask: on(inp.attentionMask), tokenTypeIds: on(inp.tokenTypeIds) };
    const labels = on(inp.labels);
    const next = on(inp.nextSentenceLabel);
    if (exact) {
      const out = model.forward(on(inp.inputIds), common);
      const v = model.config.vocabSize;
      const mlmLoss = torch.nn.functional.crossEntropy(out.predictionLogits.float().view(-1, v), labels.view(-1));
      const nspLoss = torch.nn.functional.crossEntropy(out.seqRelationshipLogits.float(), next);
      return { loss: mlmLoss.add(nspLoss), nspLoss, mlmLoss, nspLogits: out.seqRelationshipLogits };
    }
    const out = model.forwardMasked(on(inp.inputIds), { ...common, labels, nextSentenceLabel: next });
    return { loss: out.loss, nspLoss: out.nspLoss as Tensor, mlmLoss: out.mlmLoss, nspLogits: out.seqRelationshipLogits };
  };
  return amp ? torch.autocast('cuda', run, { dtype: 'bfloat16' }) : run();
}

/** A BertForPreTraining in this project's checkpoint format (torch.save): its full state dict and config.json's fields. */
export interface HfTrainingCheckpoint {
  /** Always 'hf-bert': tells it from the course model's checkpoints. */
  format: 'hf-bert';
  /** The state dict, tied keys included (loadStateDict-ready). */
  model: Record<string, Tensor>;
  /** config.json's object. */
  config: Record<string, unknown>;
}

/** The checkpoint fields for `model` (merge the optimizer, step, ... in and torch.save it). */
export function hfTrainingCheckpoint(model: BertForPreTraining): HfTrainingCheckpoint {
  return { format: 'hf-bert', model: model.stateDict(), config: configToJson(model.config, 'BertForPreTraining') };
}

/**
 * Rebuilds the BertForPreTraining of a checkpoint written with {@link hfTrainingCheckpoint}.
 * @throws Error when the file is not such a checkpoint, or its state dict does not fit its config.
 */
export function loadHfTrainingCheckpoint(path: string): { model: BertForPreTraining; checkpoint: Record<string, unknown> } {
  const ck = torch.load(path, { mapLocation: 'cpu' }) as unknown as Record<string, unknown>;
  if (ck === null || typeof ck !== 'object' || ck.format !== 'hf-bert' || typeof ck.config !== 'object' || typeof ck.model !== 'object') {
    throw new Error(`${path} is not a Hugging Face BERT training checkpoint (no format 'hf-bert' with model and config)`);
  }
  const model = new BertForPreTraining(configFromJson(ck.config as Record<string, unknown>, ` in ${path}`));
  model.loadStateDict(ck.model as Record<string, Tensor>);
  torch.dispose(ck.model);
  return { model, checkpoint: ck };
}

/**
 * The course's two losses of a BertForPreTraining as one module, as the
 * training loop (and DistributedDataParallel, which wraps a module's forward)
 * takes them: course batch tensors -> [nspLoss, mlmLoss].
 */
export class HfPretrainingLoss extends nn.Module {
  model: BertForPreTraining;

  /**
   * @param model the model (its parameters are this module's).
   * @param opts see {@link HfPretrainingLossOptions} (defaults: masked-positions-only MLM head; bf16 autocast on CUDA).
   * @throws TypeError for an unknown option.
   */
  constructor(
    model: BertForPreTraining,
    private readonly opts: HfPretrainingLossOptions = {},
  ) {
    super();
    checkOptions(opts, ['exactCourse', 'mixedPrecision'], 'HfPretrainingLoss');
    this.model = model;
  }

  /** bertInputs, bertLabels, segmentLabels [S, B], isNexts [B] -> [nspLoss, mlmLoss] (0-d). */
  forward(bertInputs: Tensor, bertLabels: Tensor, segmentLabels: Tensor, isNexts: Tensor): [Tensor, Tensor] {
    const r = hfPretrainingLosses(this.model, [bertInputs, bertLabels, segmentLabels, isNexts], this.opts);
    return [r.nspLoss, r.mlmLoss];
  }
}

/**
 * The course's `evaluate` for a BertForPreTraining: mean NSP and MLM loss
 * over the batches (batches without a masked token are left out of the MLM
 * mean) and NSP accuracy, in eval mode without gradients; the model's mode is
 * restored. `exactCourse` as in {@link hfPretrainingLosses} (default false).
 * @throws RangeError for a malformed batch.
 */
export async function evaluateHf(loader: BatchSource, model: BertForPreTraining, opts: { exactCourse?: boolean } = {}): Promise<EvalResult> {
  checkOptions(opts, ['exactCourse'], 'evaluateHf');
  return averageOverBatches(loader, model, (batch) => {
    const out = hfPretrainingLosses(model, batch, { exactCourse: opts.exactCourse ?? false });
    // transformers' NSP class 0 is "B follows A", the course's isNext 1.
    const isNext = batch[3].to(out.nspLogits.device);
    const right = out.nspLogits.argmax(1).eq(isNext.neg().add(1)).sum().item();
    return { nspLoss: out.nspLoss.item(), mlmLoss: out.mlmLoss.item(), right, size: isNext.size(0) };
  });
}
