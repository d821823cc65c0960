/** Settings of `npm run finetune`, with their defaults written once. */
import { BERT_SIZES } from '../hf/index.js';
import { choice, int, num, optionalInt, optionalNum, optionalStr, str, type ConfigOf } from './fields.js';

export const FINETUNE_SCHEMA = {
  /** A transformers BERT folder; without it a random model is trained from scratch. */
  fromPretrained: optionalStr('a transformers BERT folder (config.json, model.safetensors or pytorch_model.bin, tokenizer); default: a random model', {
    valueName: 'DIR',
  }),
  labels: choice("'coarse' (press/fiction/learned/general) or 'genre' (Brown's 15)", ['coarse', 'genre'] as const, 'coarse'),
  size: choice('size of the random model (without --from-pretrained)', Object.keys(BERT_SIZES) as (keyof typeof BERT_SIZES)[], 'tiny'),
  vocabSize: int('WordPiece vocabulary trained on the training documents (without --from-pretrained)', 8000, { min: 1 }),
  maxLength: int('tokens per passage, [CLS] and [SEP] included', 128, { min: 1 }),
  epochs: int('passes over the training passages', 2, { min: 1 }),
  batchSize: int('passages per step', 32, { min: 1 }),
  /** Default 5e-4 for a random model, 5e-5 with --from-pretrained. */
  lr: optionalNum('peak AdamW learning rate (default: 5e-4 for a random model, 5e-5 with --from-pretrained)', { min: 0, minExclusive: true }),
  weightDecay: num('AdamW weight decay (not on biases and LayerNorm)', 0.01, { min: 0 }),
  warmupRatio: num('share of the steps spent warming up the learning rate', 0.1, { min: 0, max: 1 }),
  maxSteps: optionalInt('stop after this many steps', { min: 1 }),
  maxTrainPassages: optionalInt('use only this many training passages, evenly spread (a quick run)', { min: 1 }),
  maxTestPassages: optionalInt('evaluate on only this many held-out passages, evenly spread (a quick run)', { min: 1 }),
  seed: int('random seed', 42),
  out: str('output folder (transformers model + tokenizer, metrics.json)', 'runs/finetune-<labels>', { valueName: 'DIR' }),
  /** Default: cuda when available. */
  device: optionalStr("'cpu', 'cuda' or 'cuda:N' (default: cuda when available)"),
  threads: optionalInt('libtorch intra-op threads (default: all cores)', { min: 1 }),
};

/** The finetune command's settings. */
export type FinetuneConfig = ConfigOf<typeof FINETUNE_SCHEMA>;
