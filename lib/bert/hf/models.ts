/**
 * Hugging Face's BERT models: the base model and the heads of
 * `BertForPreTraining` (MLM + NSP, decoder tied to the word embeddings),
 * `BertForMaskedLM`, `BertForSequenceClassification` and
 * `BertForTokenClassification`, with transformers' module names, outputs and
 * losses (cross entropy ignoring label -100; MSE / BCE for the other
 * sequence-classification problem types).
 *
 *   const model = BertForPreTraining.fromPretrained('path/to/bert');
 *   const { loss, predictionLogits } = model.forward(inputIds, { attentionMask, tokenTypeIds, labels, nextSentenceLabel });
 */
import * as torch from '../../torch/index.js';
import { nn, type Tensor } from '../../torch/index.js';
import { describe } from '../../torch/utils/index.js';
import type { BertConfig } from './config.js';
import { activation } from './activations.js';
import { BertEmbeddings, BertEncoder, BertPooler, checkInputs, sdpaMask, type BertInputs } from './modeling.js';
import { BertPreTrainedModel } from './pretrained.js';

const F = nn.functional;

/** Labels equal to this are ignored by the losses (transformers' and PyTorch's default). */
export const IGNORE_INDEX = -100;

/** Output of {@link BertModel.forward}. */
export interface BertModelOutput {
  /** [B, S, H] */
  lastHiddenState: Tensor;
  /** [B, H]: tanh(dense(hidden[:, 0])); null without a pooling layer. */
  poolerOutput: Tensor | null;
}

function checkLabels(labels: Tensor | null | undefined, name: string, shape: number[]): void {
  if (labels === undefined || labels === null) return;
  if (!torch.isTensor(labels)) throw new TypeError(`Expected a Tensor for ${name} but received ${describe(labels)}`);
  if (labels.shape.length !== shape.length || labels.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(`Expected shape [${shape.join(', ')}] for ${name} but received [${labels.shape.join(', ')}]`);
  }
}

/** The encoder without a head: embeddings, layers and (by default) the pooler. */
export class BertModel extends BertPreTrainedModel {
  embeddings: BertEmbeddings;
  encoder: BertEncoder;
  pooler: BertPooler | null;

  /**
   * @param config see {@link BertConfig} (`bertConfig()` builds one).
   * @param opts addPoolingLayer (default true).
   */
  constructor(config: BertConfig, opts: { addPoolingLayer?: boolean } = {}) {
    super(config);
    this.embeddings = new BertEmbeddings(config);
    this.encoder = new BertEncoder(config);
    this.pooler = (opts.addPoolingLayer ?? true) ? new BertPooler(config) : null;
    this.initWeights();
  }

  /**
   * inputIds [B, S] -> hidden states [B, S, H] and the pooled [CLS] output [B, H].
   * @throws TypeError/RangeError for ids that are not an integer [B, S] tensor, a sequence longer than
   *   maxPositionEmbeddings, inputs of another shape, or an unknown option.
   */
  forward(inputIds: Tensor, inputs: BertInputs = {}): BertModelOutput {
    checkInputs(this.config, inputIds, inputs, 'BertModel.forward');
    return this.encode(inputIds, inputs);
  }

  /** forward without the checks (the heads check their own inputs). */
  encode(inputIds: Tensor, inputs: BertInputs): BertModelOutput {
    const emb = this.embeddings.forward(inputIds, inputs.tokenTypeIds ?? null, inputs.positionIds ?? null);
    const hidden = this.encoder.forward(emb, sdpaMask(inputs.attentionMask));
    return { lastHiddenState: hidden, poolerOutput: this.pooler === null ? null : this.pooler.forward(hidden) };
  }
}

/** dense -> activation -> LayerNorm, before the MLM decoder. */
export class BertPredictionHeadTransform extends nn.Module {
  dense: nn.Linear;
  readonly transform_act_fn: (x: Tensor) => Tensor;
  LayerNorm: nn.LayerNorm;
  constructor(config: BertConfig) {
    super();
    this.dense = new nn.Linear(config.hiddenSize, config.hiddenSize);
    this.transform_act_fn = activation(config.hiddenAct);
    this.LayerNorm = new nn.LayerNorm([config.hiddenSize], { eps: config.layerNormEps });
  }
  forward(hidden: Tensor): Tensor {
    return this.LayerNorm.forward(this.transform_act_fn(this.dense.forward(hidden)));
  }
}

/** The MLM head: transform, then the decoder to the vocabulary (its bias is `bias`). */
export class BertLMPredictionHead extends nn.Module {
  bias: nn.Parameter;
  transform: BertPredictionHeadTransform;
  decoder: nn.Linear;
  constructor(config: BertConfig) {
    super();
    this.bias = new nn.Parameter(torch.zeros([config.vocabSize]));
    this.transform = new BertPredictionHeadTransform(config);
    this.decoder = new nn.Linear(config.hiddenSize, config.vocabSize);
  }
  /** hidden [..., H] -> logits [..., V] */
  forward(hidden: Tensor): Tensor {
    return this.decoder.forward(this.transform.forward(hidden));
  }
}

/** `cls` of BertForMaskedLM. */
export class BertOnlyMLMHead extends nn.Module {
  predictions: BertLMPredictionHead;
  constructor(config: BertConfig) {
    super();
    this.predictions = new BertLMPredictionHead(config);
  }
  forward(hidden: Tensor): Tensor {
    return this.predictions.forward(hidden);
  }
}

/** `cls` of BertForPreTraining: the MLM head and the NSP classifier on the pooled output. */
export class BertPreTrainingHeads extends nn.Module {
  predictions: BertLMPredictionHead;
  seq_relationship: nn.Linear;
  constructor(config: BertConfig) {
    super();
    this.predictions = new BertLMPredictionHead(config);
    this.seq_relationship = new nn.Linear(config.hiddenSize, 2);
  }
  forward(sequenceOutput: Tensor, pooledOutput: Tensor): [Tensor, Tensor] {
    return [this.predictions.forward(sequenceOutput), this.seq_relationship.forward(pooledOutput)];
  }
}

/** Shares `source` with `holder[field]` (disposing the replaced parameter). */
function share(holder: nn.Linear, field: 'weight' | 'bias', source: nn.Parameter): void {
  const old = holder[field];
  holder[field] = source;
  if (old !== null && old !== source) old.dispose();
}

/** Ties the decoder to the word embeddings and its bias to `predictions.bias` when the config says so. */
function tieMlmHead(config: BertConfig, bert: BertModel, head: BertLMPredictionHead): void {
  if (!config.tieWordEmbeddings) return;
  share(head.decoder, 'weight', bert.embeddings.word_embeddings.weight);
  share(head.decoder, 'bias', head.bias);
}

const MLM_TIED: [string, string][] = [
  ['cls.predictions.decoder.weight', 'bert.embeddings.word_embeddings.weight'],
  ['cls.predictions.decoder.bias', 'cls.predictions.bias'],
];

/** Inputs of {@link BertForPreTraining.forward}. */
export interface PreTrainingInputs extends BertInputs {
  /** [B, S] MLM targets, -100 where not masked. With nextSentenceLabel it gives `loss`. */
  labels?: Tensor | null;
  /** [B]: 0 when B follows A, 1 when B is random (transformers' convention). */
  nextSentenceLabel?: Tensor | null;
}

/** Output of {@link BertForPreTraining.forward}. */
export interface PreTrainingOutput {
  /** MLM + NSP cross entropy when both label sets were given, else null. */
  loss: Tensor | null;
  /** [B, S, V] */
  predictionLogits: Tensor;
  /** [B, 2] */
  seqRelationshipLogits: Tensor;
}

/** Output of {@link BertForPreTraining.forwardMasked}: the MLM head run on masked positions only. */
export interface MaskedPreTrainingOutput {
  /** mlmLoss + nspLoss (nspLoss alone counts only when nextSentenceLabel was given). */
  loss: Tensor;
  mlmLoss: Tensor;
  /** null without nextSentenceLabel. */
  nspLoss: Tensor | null;
  /** [N, V] at the N positions whose label is not -100. */
  predictionLogits: Tensor;
  /** [N] the labels of those positions. */
  maskedLabels: Tensor;
  /** [B, 2] */
  seqRelationshipLogits: Tensor;
}

/** Runs the MLM head on the positions whose label is not -100; returns logits [N, V] and labels [N]. */
function maskedMlm(head: BertLMPredictionHead, hidden: Tensor, labels: Tensor): [Tensor, Tensor] {
  const keep = labels.ne(IGNORE_INDEX); // [B, S]
  return [head.forward(hidden.index(keep)), labels.index(keep)]; // [N, H] -> [N, V]
}

/** BERT with the pretraining heads: masked language modeling and next sentence prediction. */
export class BertForPreTraining extends BertPreTrainedModel {
  bert: BertModel;
  cls: BertPreTrainingHeads;

  constructor(config: BertConfig) {
    super(config);
    this.bert = new BertModel(config);
    this.cls = new BertPreTrainingHeads(config);
    tieMlmHead(config, this.bert, this.cls.predictions);
    this.initWeights();
  }

  override tiedWeightsKeys(): [string, string][] {
    return this.config.tieWordEmbeddings ? MLM_TIED : [];
  }

  /**
   * Logits of both heads over every position, and transformers' loss
   * (mean MLM cross entropy over labels != -100, plus NSP cross entropy)
   * when `labels` and `nextSentenceLabel` are both given.
   * @throws as {@link BertModel.forward}, and RangeError for labels of another shape.
   */
  forward(inputIds: Tensor, inputs: PreTrainingInputs = {}): PreTrainingOutput {
    checkInputs(this.config, inputIds, inputs, 'BertForPreTraining.forward', ['labels', 'nextSentenceLabel']);
    checkLabels(inputs.labels, 'labels', inputIds.shape);
    checkLabels(inputs.nextSentenceLabel, 'nextSentenceLabel', [inputIds.shape[0]]);
    const out = this.bert.encode(inputIds, inputs);
    const [predictionLogits, seqRelationshipLogits] = this.cls.forward(out.lastHiddenState, out.poolerOutput as Tensor);
    let loss: Tensor | null = null;
    if (inputs.labels != null && inputs.nextSentenceLabel != null) {
      const mlm = F.crossEntropy(predictionLogits.view(-1, this.config.vocabSize), inputs.labels.view(-1));
      loss = mlm.add(F.crossEntropy(seqRelationshipLogits.view(-1, 2), inputs.nextSentenceLabel.view(-1)));
    }
    return { loss, predictionLogits, seqRelationshipLogits };
  }

  /**
   * The same losses as {@link forward} with the MLM head (transform and
   * vocabulary projection) run only where labels != -100: the course's fast
   * path. Losses are computed in float32 (also under autocast).
   * @throws as {@link forward}; TypeError without labels.
   */
  forwardMasked(inputIds: Tensor, inputs: PreTrainingInputs & { labels: Tensor }): MaskedPreTrainingOutput {
    checkInputs(this.config, inputIds, inputs, 'BertForPreTraining.forwardMasked', ['labels', 'nextSentenceLabel']);
    if (!torch.isTensor(inputs.labels)) throw new TypeError(`Expected a Tensor for labels but received ${describe(inputs.labels)}`);
    checkLabels(inputs.labels, 'labels', inputIds.shape);
    checkLabels(inputs.nextSentenceLabel, 'nextSentenceLabel', [inputIds.shape[0]]);
    const out = this.bert.encode(inputIds, inputs);
    const [predictionLogits, maskedLabels] = maskedMlm(this.cls.predictions, out.lastHiddenState, inputs.labels);
    const seqRelationshipLogits = this.cls.seq_relationship.forward(out.poolerOutput as Tensor);
    const mlmLoss = F.crossEntropy(predictionLogits.float(), maskedLabels);
    const nspLoss = inputs.nextSentenceLabel != null ? F.crossEntropy(seqRelationshipLogits.float(), inputs.nextSentenceLabel.view(-1)) : null;
    return { loss: nspLoss === null ? mlmLoss : mlmLoss.add(nspLoss), mlmLoss, nspLoss, predictionLogits, maskedLabels, seqRelationshipLogits };
  }
}

/** Inputs of the single-head models: the encoder's inputs and optional labels. */
export interface LabelledInputs extends BertInputs {
  /** MaskedLM/TokenClassification: [B, S] (-100 ignored); SequenceClassification: [B] (or [B, numLabels] floats). */
  labels?: Tensor | null;
}

/** Output of the single-head models. */
export interface HeadOutput {
  /** The loss when labels were given, else null. */
  loss: Tensor | null;
  /** MaskedLM [B, S, V]; SequenceClassification [B, numLabels]; TokenClassification [B, S, numLabels]. */
  logits: Tensor;
}

/** BERT with the MLM head only (no pooler), decoder tied to the word embeddings. */
export class BertForMaskedLM extends BertPreTrainedModel {
  bert: BertModel;
  cls: BertOnlyMLMHead;

  constructor(config: BertConfig) {
    super(config);
    this.bert = new BertModel(config, { addPoolingLayer: false });
    this.cls = new BertOnlyMLMHead(config);
    tieMlmHead(config, this.bert, this.cls.predictions);
    this.initWeights();
  }

  override tiedWeightsKeys(): [string, string][] {
    return this.config.tieWordEmbeddings ? MLM_TIED : [];
  }

  /**
   * MLM logits [B, S, V]; with labels [B, S], the mean cross entropy over labels != -100.
   * @throws as {@link BertModel.forward}, and RangeError for labels of another shape.
   */
  forward(inputIds: Tensor, inputs: LabelledInputs = {}): HeadOutput {
    checkInputs(this.config, inputIds, inputs, 'BertForMaskedLM.forward', ['labels']);
    checkLabels(inputs.labels, 'labels', inputIds.shape);
    const logits = this.cls.forward(this.bert.encode(inputIds, inputs).lastHiddenState);
    const loss = inputs.labels != null ? F.crossEntropy(logits.view(-1, this.config.vocabSize), inputs.labels.view(-1)) : null;
    return { loss, logits };
  }

  /**
   * The MLM head on positions whose label is not -100 only: logits [N, V],
   * their labels [N] and the (float32) loss, equal to forward's.
   * @throws as {@link forward}.
   */
  forwardMasked(inputIds: Tensor, inputs: LabelledInputs & { labels: Tensor }): { loss: Tensor; logits: Tensor; maskedLabels: Tensor } {
    checkInputs(this.config, inputIds, inputs, 'BertForMaskedLM.forwardMasked', ['labels']);
    if (!torch.isTensor(inputs.labels)) throw new TypeError(`Expected a Tensor for labels but received ${describe(inputs.labels)}`);
    checkLabels(inputs.labels, 'labels', inputIds.shape);
    const [logits, maskedLabels] = maskedMlm(this.cls.predictions, this.bert.encode(inputIds, inputs).lastHiddenState, inputs.labels);
    return { loss: F.crossEntropy(logits.float(), maskedLabels), logits, maskedLabels };
  }
}

/** BERT with dropout and a linear classifier on the pooled [CLS] output. */
export class BertForSequenceClassification extends BertPreTrainedModel {
  readonly numLabels: number;
  bert: BertModel;
  dropout: nn.Dropout;
  classifier: nn.Linear;

  /** The label count is `config.id2label.length` (`bertConfig({ numLabels })`). */
  constructor(config: BertConfig) {
    super(config);
    this.numLabels = config.id2label.length;
    this.bert = new BertModel(config);
    this.dropout = new nn.Dropout(config.classifierDropout ?? config.hiddenDropoutProb);
    this.classifier = new nn.Linear(config.hiddenSize, this.numLabels);
    this.initWeights();
  }

  /**
   * Logits [B, numLabels]; with labels, transformers' loss for the problem
   * type (config.problemType, else inferred: one label -> MSE regression;
   * integer labels [B] -> cross entropy; float labels [B, numLabels] -> BCE with logits).
   * @throws as {@link BertModel.forward}; RangeError for labels of a shape that fits no problem type.
   */
  forward(inputIds: Tensor, inputs: LabelledInputs = {}): HeadOutput {
    checkInputs(this.config, inputIds, inputs, 'BertForSequenceClassification.forward', ['labels']);
    const pooled = this.bert.encode(inputIds, inputs).poolerOutput as Tensor;
    const logits = this.classifier.forward(this.dropout.forward(pooled));
    const labels = inputs.labels;
    if (labels === undefined || labels === null) return { loss: null, logits };
    if (!torch.isTensor(labels)) throw new TypeError(`Expected a Tensor for labels but received ${describe(labels)}`);
    const b = inputIds.shape[0];
    const integral = labels.dtype === 'int64' || labels.dtype === 'int32';
    const problem = this.config.problemType ?? (this.numLabels === 1 ? 'regression' : integral ? 'single_label_classification' : 'multi_label_classification');
    if (problem === 'regression') {
      if (labels.numel() !== b * this.numLabels)
        throw new RangeError(`Expected ${b * this.numLabels} regression targets for labels but received shape [${labels.shape.join(', ')}]`);
      const loss = this.numLabels === 1 ? F.mseLoss(logits.squeeze(), labels.squeeze().to(logits.dtype)) : F.mseLoss(logits, labels.to(logits.dtype));
      return { loss, logits };
    }
    if (problem === 'single_label_classification') {
      if (labels.numel() !== b) throw new RangeError(`Expected ${b} class indices for labels but received shape [${labels.shape.join(', ')}]`);
      return { loss: F.crossEntropy(logits.view(-1, this.numLabels), labels.view(-1)), logits };
    }
    checkLabels(labels, 'labels', [b, this.numLabels]);
    return { loss: F.binaryCrossEntropyWithLogits(logits, labels.to(logits.dtype)), logits };
  }
}

/** BERT (no pooler) with dropout and a linear classifier on every token. */
export class BertForTokenClassification extends BertPreTrainedModel {
  readonly numLabels: number;
  bert: BertModel;
  dropout: nn.Dropout;
  classifier: nn.Linear;

  /** The label count is `config.id2label.length`. */
  constructor(config: BertConfig) {
    super(config);
    this.numLabels = config.id2label.length;
    this.bert = new BertModel(config, { addPoolingLayer: false });
    this.dropout = new nn.Dropout(config.classifierDropout ?? config.hiddenDropoutProb);
    this.classifier = new nn.Linear(config.hiddenSize, this.numLabels);
    this.initWeights();
  }

  /**
   * Logits [B, S, numLabels]; with labels [B, S], cross entropy over labels != -100.
   * @throws as {@link BertModel.forward}, and RangeError for labels of another shape.
   */
  forward(inputIds: Tensor, inputs: LabelledInputs = {}): HeadOutput {
    checkInputs(this.config, inputIds, inputs, 'BertForTokenClassification.forward', ['labels']);
    checkLabels(inputs.labels, 'labels', inputIds.shape);
    const hidden = this.bert.encode(inputIds, inputs).lastHiddenState;
    const logits = this.classifier.forward(this.dropout.forward(hidden));
    const loss = inputs.labels != null ? F.crossEntropy(logits.view(-1, this.numLabels), inputs.labels.view(-1)) : null;
    return { loss, logits };
  }
}
