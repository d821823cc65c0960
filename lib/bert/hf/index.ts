/**
 * Hugging Face BERT: transformers' models, config and tokenizer folders,
 * loaded and saved in transformers' own files. Re-exports only.
 */
export {
  bertConfig,
  configFromJson,
  configToJson,
  configToJsonString,
  readConfig,
  BERT_CONFIG_DEFAULTS,
  BERT_SIZES,
  HIDDEN_ACTS,
  type BertConfig,
  type BertConfigInit,
  type BertSize,
  type HiddenAct,
} from './config.js';
export { activation } from './activations.js';
export {
  BertEmbeddings,
  BertSelfAttention,
  BertSelfOutput,
  BertAttention,
  BertIntermediate,
  BertOutput,
  BertLayer,
  BertEncoder,
  BertPooler,
  sdpaMask,
  type BertInputs,
} from './modeling.js';
export {
  BertPreTrainedModel,
  readPretrainedStateDict,
  loadPretrainedWeights,
  SAFE_WEIGHTS_NAME,
  WEIGHTS_NAME,
  CONFIG_NAME,
  type FromPretrainedOptions,
  type SavePretrainedOptions,
  type LoadingInfo,
  type MismatchedKey,
  type PretrainedClass,
} from './pretrained.js';
export {
  BertModel,
  BertForPreTraining,
  BertForMaskedLM,
  BertForSequenceClassification,
  BertForTokenClassification,
  BertPredictionHeadTransform,
  BertLMPredictionHead,
  BertOnlyMLMHead,
  BertPreTrainingHeads,
  IGNORE_INDEX,
  type BertModelOutput,
  type PreTrainingInputs,
  type PreTrainingOutput,
  type MaskedPreTrainingOutput,
  type LabelledInputs,
  type HeadOutput,
} from './models.js';
export { BertTokenizerFast, TOKENIZER_DEFAULTS, type TokenizerSettings, type BatchEncodeOptions, type BatchEncoding } from './tokenizer.js';
export {
  courseBatchToHf,
  hfPretrainingLosses,
  hfTrainingCheckpoint,
  loadHfTrainingCheckpoint,
  HfPretrainingLoss,
  evaluateHf,
  type HfPretrainingInputs,
  type HfPretrainingLossOptions,
  type HfPretrainingLosses,
  type HfTrainingCheckpoint,
} from './pretraining.js';
export {
  brownGenreDataset,
  passages,
  COARSE_GROUPS,
  type GenreLabels,
  type GenreDocument,
  type GenreDataset,
  type Passage,
  type BrownGenreOptions,
} from './genre-data.js';
export { finetuneClassifier, evaluateClassifier, passageBatch, type FinetuneOptions, type FinetuneResult, type ClassifierEval } from './finetune.js';
