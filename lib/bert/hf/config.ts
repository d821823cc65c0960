/**
 * Hugging Face's `BertConfig`: the fields of a BERT `config.json`, with
 * transformers' defaults (bert-base-uncased's sizes), read from and written
 * to the same JSON transformers reads and writes (snake_case keys, sorted,
 * two-space indent). Fields this library does not use (`architectures`,
 * `transformers_version`, `use_cache`, ...) are kept and written back.
 */
import { readFileSync } from 'node:fs';
import { checkOptions, describe } from '../../torch/utils/index.js';

/** The activations `hiddenAct` may name (transformers' ACT2FN names this library implements). */
export const HIDDEN_ACTS = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'quick_gelu', 'relu', 'silu', 'swish', 'tanh'] as const;
export type HiddenAct = (typeof HIDDEN_ACTS)[number];

/** A BERT model's configuration (transformers' `BertConfig`, camelCased). */
export interface BertConfig {
  /** `vocab_size`, default 30522. */
  vocabSize: number;
  /** `hidden_size`, default 768. */
  hiddenSize: number;
  /** `num_hidden_layers`, default 12. */
  numHiddenLayers: number;
  /** `num_attention_heads`, default 12; must divide hiddenSize. */
  numAttentionHeads: number;
  /** `intermediate_size` (feed-forward width), default 3072. */
  intermediateSize: number;
  /** `hidden_act`, default 'gelu' (exact erf GELU). */
  hiddenAct: HiddenAct;
  /** `hidden_dropout_prob`, default 0.1. */
  hiddenDropoutProb: number;
  /** `attention_probs_dropout_prob`, default 0.1. */
  attentionProbsDropoutProb: number;
  /** `max_position_embeddings`, default 512. */
  maxPositionEmbeddings: number;
  /** `type_vocab_size` (segments), default 2. */
  typeVocabSize: number;
  /** `initializer_range`: std of the normal initialization, default 0.02. */
  initializerRange: number;
  /** `layer_norm_eps`, default 1e-12. */
  layerNormEps: number;
  /** `pad_token_id`: the word-embedding row that gets no gradient, default 0 (null: none). */
  padTokenId: number | null;
  /** `classifier_dropout`: dropout before classification heads, default null (then hiddenDropoutProb). */
  classifierDropout: number | null;
  /** `tie_word_embeddings`: the MLM decoder shares the word embeddings, default true. */
  tieWordEmbeddings: boolean;
  /** Label names by id (`id2label`); its length is `num_labels`. Default ['LABEL_0', 'LABEL_1']. */
  id2label: string[];
  /** `problem_type` of sequence classification, default null (inferred as transformers does). */
  problemType: 'regression' | 'single_label_classification' | 'multi_label_classification' | null;
  /** Other config.json fields, kept as read and written back unchanged. */
  extra: Record<string, unknown>;
}

/** transformers' defaults. */
export const BERT_CONFIG_DEFAULTS: Readonly<Omit<BertConfig, 'extra' | 'id2label'>> & { id2label: readonly string[] } = {
  vocabSize: 30522,
  hiddenSize: 768,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 3072,
  hiddenAct: 'gelu',
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
  maxPositionEmbeddings: 512,
  typeVocabSize: 2,
  initializerRange: 0.02,
  layerNormEps: 1e-12,
  padTokenId: 0,
  classifierDropout: null,
  tieWordEmbeddings: true,
  id2label: ['LABEL_0', 'LABEL_1'],
  problemType: null,
};

/** Options of {@link bertConfig}: any field, plus `numLabels` (labels named LABEL_i). */
export type BertConfigInit = Partial<Omit<BertConfig, 'extra'>> & { numLabels?: number; extra?: Record<string, unknown> };

/** camelCase field -> config.json key, for the fields with a simple value. */
const JSON_KEYS = {
  vocabSize: 'vocab_size',
  hiddenSize: 'hidden_size',
  numHiddenLayers: 'num_hidden_layers',
  numAttentionHeads: 'num_attention_heads',
  intermediateSize: 'intermediate_size',
  hiddenAct: 'hidden_act',
  hiddenDropoutProb: 'hidden_dropout_prob',
  attentionProbsDropoutProb: 'attention_probs_dropout_prob',
  maxPositionEmbeddings: 'max_position_embeddings',
  typeVocabSize: 'type_vocab_size',
  initializerRange: 'initializer_range',
  layerNormEps: 'layer_norm_eps',
  padTokenId: 'pad_token_id',
  classifierDropout: 'classifier_dropout',
  tieWordEmbeddings: 'tie_word_embeddings',
  problemType: 'problem_type',
} as const satisfies Partial<Record<keyof BertConfig, string>>;

const PROBLEM_TYPES = ['regression', 'single_label_classification', 'multi_label_classification'];

/** Keys transformers writes that describe other models (decoders, cross-attention) and must be off here. */
const UNSUPPORTED_TRUE = ['is_decoder', 'add_cross_attention'];

function fail(what: string, name: string, value: unknown, where: string): never {
  throw new RangeError(`Expected ${what} for ${name}${where} but received ${describe(value)}`);
}

/** Checks every field; `where` is appended to field names in messages (e.g. " in /x/config.json"). */
function validate(c: BertConfig, where: string, nameOf: (k: keyof BertConfig) => string): BertConfig {
  const posInt = (k: keyof BertConfig) => {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail('a positive integer', nameOf(k), v, where);
  };
  const prob = (k: keyof BertConfig, nullable = false) => {
    const v = c[k];
    if (nullable && v === null) return;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(`a probability in [0, 1]${nullable ? ' or null' : ''}`, nameOf(k), v, where);
  };
  for (const k of ['vocabSize', 'hiddenSize', 'numHiddenLayers', 'numAttentionHeads', 'intermediateSize', 'maxPositionEmbeddings', 'typeVocabSize'] as const)
    posInt(k);
  prob('hiddenDropoutProb');
  prob('attentionProbsDropoutProb');
  prob('classifierDropout', true);
  if (typeof c.initializerRange !== 'number' || !(c.initializerRange >= 0))
    fail('a non-negative number', nameOf('initializerRange'), c.initializerRange, where);
  if (typeof c.layerNormEps !== 'number' || !(c.layerNormEps > 0)) fail('a positive number', nameOf('layerNormEps'), c.layerNormEps, where);
  if (!(HIDDEN_ACTS as readonly unknown[]).includes(c.hiddenAct)) fail(`one of ${HIDDEN_ACTS.join(', ')}`, nameOf('hiddenAct'), c.hiddenAct, where);
  if (c.padTokenId !== null && (typeof c.padTokenId !== 'number' || !Number.isInteger(c.padTokenId) || c.padTokenId < 0 || c.padTokenId >= c.vocabSize)) {
    fail(`an integer in [0, ${c.vocabSize - 1}] or null`, nameOf('padTokenId'), c.padTokenId, where);
  }
  if (typeof c.tieWordEmbeddings !== 'boolean') fail('a boolean', nameOf('tieWordEmbeddings'), c.tieWordEmbeddings, where);
  if (c.problemType !== null && !PROBLEM_TYPES.includes(c.problemType))
    fail(`one of ${PROBLEM_TYPES.join(', ')} or null`, nameOf('problemType'), c.problemType, where);
  if (!Array.isArray(c.id2label) || c.id2label.length < 1 || c.id2label.some((l) => typeof l !== 'string')) {
    fail('a non-empty list of label names', nameOf('id2label'), c.id2label, where);
  }
  if (c.hiddenSize % c.numAttentionHeads !== 0) {
    throw new RangeError(`The hidden size (${c.hiddenSize}) is not a multiple of the number of attention heads (${c.numAttentionHeads})${where}`);
  }
  return c;
}

/**
 * A full config: transformers' defaults overridden by `init`.
 *
 * @example bertConfig({ vocabSize: 8000, hiddenSize: 256, numHiddenLayers: 4, numAttentionHeads: 4, intermediateSize: 1024 })
 * @throws TypeError for an unknown field; RangeError for a value out of range (e.g. "Expected a positive
 *   integer for hiddenSize but received 0 of type number") or a hidden size that the heads do not divide.
 */
export function bertConfig(init: BertConfigInit = {}): BertConfig {
  const allowed = [...Object.keys(BERT_CONFIG_DEFAULTS), 'numLabels', 'extra'];
  checkOptions(init, allowed, 'bertConfig');
  const { numLabels, extra, ...fields } = init;
  let id2label = fields.id2label ?? [...BERT_CONFIG_DEFAULTS.id2label];
  if (numLabels !== undefined) {
    if (!Number.isInteger(numLabels) || numLabels < 1) fail('a positive integer', 'numLabels', numLabels, '');
    if (fields.id2label !== undefined && fields.id2label.length !== numLabels) {
      throw new RangeError(`Expected id2label of length numLabels (${numLabels}) but received ${fields.id2label.length} labels`);
    }
    if (fields.id2label === undefined) id2label = Array.from({ length: numLabels }, (_, i) => `LABEL_${i}`);
  }
  const c: BertConfig = { ...BERT_CONFIG_DEFAULTS, ...fields, id2label: [...id2label], extra: { ...(extra ?? {}) } };
  return validate(c, '', (k) => k);
}

/**
 * Parses the object of a `config.json` (transformers' keys).
 *
 * @param where appended to error messages (default: nothing), e.g. " in dir/config.json".
 * @throws RangeError for a field out of range (naming the JSON key), a `model_type` other than
 *   'bert', a `position_embedding_type` other than 'absolute', or `is_decoder`/`add_cross_attention`.
 */
export function configFromJson(json: Record<string, unknown>, where = ''): BertConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('a JSON object', 'the config', json, where);
  const rest: Record<string, unknown> = { ...json };
  const c: Record<string, unknown> = { ...BERT_CONFIG_DEFAULTS, id2label: [...BERT_CONFIG_DEFAULTS.id2label] };
  for (const [field, key] of Object.entries(JSON_KEYS)) {
    if (key in rest) {
      c[field] = rest[key];
      delete rest[key];
    }
  }
  if (rest.model_type !== undefined && rest.model_type !== 'bert') fail("'bert'", 'model_type', rest.model_type, where);
  const pos = rest.position_embedding_type;
  if (pos !== undefined && pos !== 'absolute') fail("'absolute' (the only position embedding implemented)", 'position_embedding_type', pos, where);
  for (const k of UNSUPPORTED_TRUE) if (rest[k] === true) fail('false (decoders are not implemented)', k, true, where);
  // Labels: id2label {"0": "neg", ...} wins; else num_labels.
  const id2label = rest.id2label;
  if (id2label !== undefined && id2label !== null) {
    if (typeof id2label !== 'object' || Array.isArray(id2label)) fail('an object of label names by id', 'id2label', id2label, where);
    const entries = Object.entries(id2label as Record<string, unknown>);
    const labels: string[] = [];
    for (const [id, name] of entries) {
      const i = Number(id);
      if (!Number.isInteger(i) || i < 0 || i >= entries.length || typeof name !== 'string') fail('label names with ids 0..n-1', 'id2label', id2label, where);
      labels[i] = name;
    }
    c.id2label = labels;
  } else if (rest.num_labels !== undefined) {
    const n = rest.num_labels;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) fail('a positive integer', 'num_labels', n, where);
    c.id2label = Array.from({ length: n }, (_, i) => `LABEL_${i}`);
  }
  delete rest.id2label;
  delete rest.label2id;
  delete rest.num_labels;
  c.extra = rest;
  const keyOf = (k: keyof BertConfig): string => (k in JSON_KEYS ? JSON_KEYS[k as keyof typeof JSON_KEYS] : k);
  return validate(c as unknown as BertConfig, where, keyOf);
}

/**
 * Reads a `config.json`.
 * @throws Error when the file is missing or not JSON; RangeError as {@link configFromJson}.
 */
export function readConfig(path: string): BertConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read the BERT config ${path}: ${(e as Error).message}`);
  }
  return configFromJson(json as Record<string, unknown>, ` in ${path}`);
}

/**
 * The config as transformers writes it: snake_case keys, sorted; `architectures`
 * set to the saving class; `id2label`/`label2id` only when they are not the
 * default two labels.
 */
export function configToJson(c: BertConfig, architecture?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c.extra, model_type: 'bert' };
  for (const [field, key] of Object.entries(JSON_KEYS)) out[key] = c[field as keyof BertConfig];
  if (architecture !== undefined) out.architectures = [architecture];
  out.dtype ??= 'float32';
  const defaultLabels = c.id2label.length === 2 && c.id2label[0] === 'LABEL_0' && c.id2label[1] === 'LABEL_1';
  if (!defaultLabels) {
    out.id2label = Object.fromEntries(c.id2label.map((l, i) => [String(i), l]));
    out.label2id = Object.fromEntries(c.id2label.map((l, i) => [l, i]));
  }
  return Object.fromEntries(
    Object.keys(out)
      .sort()
      .map((k) => [k, out[k]]),
  );
}

/** The config.json text: JSON with two-space indent and a final newline, as transformers' `to_json_string`. */
export function configToJsonString(c: BertConfig, architecture?: string): string {
  return `${JSON.stringify(configToJson(c, architecture), null, 2)}\n`;
}

/**
 * BERT's published small sizes (Turc et al. 2019, google-research/bert):
 * layers, hidden size, heads (hidden / 64) and feed-forward width (4 x hidden).
 */
export const BERT_SIZES = {
  tiny: { numHiddenLayers: 2, hiddenSize: 128, numAttentionHeads: 2, intermediateSize: 512 },
  mini: { numHiddenLayers: 4, hiddenSize: 256, numAttentionHeads: 4, intermediateSize: 1024 },
  small: { numHiddenLayers: 4, hiddenSize: 512, numAttentionHeads: 8, intermediateSize: 2048 },
  medium: { numHiddenLayers: 8, hiddenSize: 512, numAttentionHeads: 8, intermediateSize: 2048 },
  base: { numHiddenLayers: 12, hiddenSize: 768, numAttentionHeads: 12, intermediateSize: 3072 },
} as const satisfies Record<string, BertConfigInit>;

/** A name of {@link BERT_SIZES}. */
export type BertSize = keyof typeof BERT_SIZES;
