/**
 * The base of every Hugging Face BERT model here: transformers' weight
 * initialization, weight tying, and `fromPretrained(dir)` / `savePretrained(dir)`
 * over the files transformers reads and writes:
 *
 *   config.json                                   the configuration (./config.ts)
 *   model.safetensors                             weights (preferred, written by default)
 *   model.safetensors.index.json + shards         sharded weights (read)
 *   pytorch_model.bin [.index.json + shards]      torch.save'd state dict (read; written on request)
 *
 * Loading follows transformers: a base-model checkpoint (keys without `bert.`)
 * loads into a model with a head and the other way round; LayerNorm
 * `gamma`/`beta` of old checkpoints are renamed; tied weights are neither
 * saved nor expected; weights the checkpoint lacks keep their fresh
 * initialization and are reported (missing), as are checkpoint weights the
 * model has no place for (unexpected).
 */
import { checkOptions } from '../../torch/utils/index.js';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../torch/index.js';
import { nn, type Tensor } from '../../torch/index.js';
import { writeFileAtomic } from '../../torch/serialization/index.js';
import { bertConfig, configToJsonString, readConfig, type BertConfig, type BertConfigInit } from './config.js';

/** The weight files transformers looks for, in its order of preference. */
export const WEIGHTS_NAME = 'pytorch_model.bin';
export const SAFE_WEIGHTS_NAME = 'model.safetensors';
export const CONFIG_NAME = 'config.json';

/** A checkpoint key whose shape differs from the model's. */
export interface MismatchedKey {
  key: string;
  checkpointShape: number[];
  modelShape: number[];
}

/** What fromPretrained found (transformers' `output_loading_info`). */
export interface LoadingInfo {
  /** Model weights the checkpoint lacks: they keep their fresh initialization. */
  missingKeys: string[];
  /** Checkpoint weights the model has no place for: ignored. */
  unexpectedKeys: string[];
  /** Shape mismatches re-initialized under `ignoreMismatchedSizes`. */
  mismatchedKeys: MismatchedKey[];
}

/** Options of {@link BertPreTrainedModel.fromPretrained}. */
export interface FromPretrainedOptions {
  /** Overrides of config.json fields (e.g. `{ numLabels: 3, hiddenDropoutProb: 0 }`). Default none. */
  config?: BertConfigInit;
  /** Load onto this device. Default 'cpu'. */
  device?: torch.DeviceLike;
  /** Cast floating weights to this dtype. Default: float32. */
  dtype?: torch.DType;
  /** Re-initialize weights whose checkpoint shape differs (e.g. another label count) instead of throwing. Default false. */
  ignoreMismatchedSizes?: boolean;
  /** Throw when a weight is missing or unexpected. Default false (reported in `loadingInfo` and warned). */
  strict?: boolean;
  /** Print transformers-like warnings about missing and unexpected weights. Default true. */
  warn?: boolean;
}

/** Options of {@link BertPreTrainedModel.savePretrained}. */
export interface SavePretrainedOptions {
  /** Write model.safetensors (default true) or, when false, pytorch_model.bin (torch.save format). */
  safeSerialization?: boolean;
}

/** A model class that fromPretrained can build: constructed from a config alone. */
export type PretrainedClass<T extends BertPreTrainedModel> = (new (config: BertConfig) => T) & { name: string };

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read ${path}: ${(e as Error).message}`);
  }
}

function weightMap(indexPath: string): string[] {
  const idx = readJson(indexPath) as { weight_map?: Record<string, string> };
  if (typeof idx !== 'object' || idx === null || typeof idx.weight_map !== 'object' || idx.weight_map === null) {
    throw new Error(`${indexPath} has no weight_map`);
  }
  return [...new Set(Object.values(idx.weight_map))];
}

/**
 * The weights in a transformers folder: model.safetensors, else its sharded
 * index, else pytorch_model.bin, else its sharded index; CPU tensors.
 * @throws Error when the folder or its weight file is missing or unreadable.
 */
export function readPretrainedStateDict(dir: string): { stateDict: Record<string, Tensor>; files: string[] } {
  if (!existsSync(dir)) throw new Error(`Pretrained model folder ${dir} does not exist`);
  const readSafe = (f: string) => torch.serialization.loadSafetensors(f, { mapLocation: 'cpu' });
  const readBin = (f: string) => {
    const obj = torch.load(f, { mapLocation: 'cpu' }) as unknown;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error(`${f} does not hold a state dict`);
    return obj as Record<string, Tensor>;
  };
  const candidates: [string, (f: string) => Record<string, Tensor>, boolean][] = [
    [SAFE_WEIGHTS_NAME, readSafe, false],
    [`${SAFE_WEIGHTS_NAME}.index.json`, readSafe, true],
    [WEIGHTS_NAME, readBin, false],
    [`${WEIGHTS_NAME}.index.json`, readBin, true],
  ];
  for (const [name, read, sharded] of candidates) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const files = sharded ? weightMap(path).map((f) => join(dir, f)) : [path];
    const stateDict: Record<string, Tensor> = {};
    for (const f of files) Object.assign(stateDict, read(f));
    for (const [k, v] of Object.entries(stateDict)) {
      if (!torch.isTensor(v)) throw new Error(`${files.join(', ')}: '${k}' is not a tensor`);
    }
    return { stateDict, files };
  }
  throw new Error(`No model weights in ${dir}: expected ${SAFE_WEIGHTS_NAME} or ${WEIGHTS_NAME} (or their .index.json)`);
}

/** Old checkpoints (TF conversions) name LayerNorm parameters gamma and beta. */
function renameLegacy(key: string): string {
  if (key.endsWith('LayerNorm.gamma')) return `${key.slice(0, -'gamma'.length)}weight`;
  if (key.endsWith('LayerNorm.beta')) return `${key.slice(0, -'beta'.length)}bias`;
  return key;
}

/** Non-persistent buffers that older transformers saved: ignored on load, as transformers does. */
const IGNORED = /(^|\.)embeddings\.position_ids$/;

/** The base of the BERT models: config, initialization, tying, loading and saving. */
export abstract class BertPreTrainedModel extends nn.Module {
  /** Name of the base model's attribute in models with a head (transformers' `base_model_prefix`). */
  static readonly baseModelPrefix = 'bert';
  readonly config: BertConfig;
  /** What the last fromPretrained found; null for a model built from a config. */
  loadingInfo: LoadingInfo | null = null;

  protected constructor(config: BertConfig) {
    super();
    this.config = config;
  }

  /** `[tied key, source key]` pairs: the tied key shares the source's parameter and is not saved. Default none. */
  tiedWeightsKeys(): [string, string][] {
    return [];
  }

  /**
   * transformers' `_init_weights`: Linear weights and embeddings N(0,
   * initializerRange), biases and padding rows 0, LayerNorm 1 and 0, the MLM
   * head's bias 0. Run by every model's constructor.
   */
  initWeights(): void {
    const std = this.config.initializerRange;
    const embeddings: nn.Embedding[] = [];
    torch.noGrad(() => {
      for (const m of this.modules()) {
        if (m instanceof nn.Linear) {
          nn.init.normal_(m.weight, 0, std);
          if (m.bias !== null) nn.init.zeros_(m.bias);
        } else if (m instanceof nn.LayerNorm) {
          if (m.weight !== null) nn.init.ones_(m.weight);
          if (m.bias !== null) nn.init.zeros_(m.bias);
        } else if (m instanceof nn.Embedding) {
          embeddings.push(m);
        }
      }
      // Embeddings last: a decoder tied to the word embeddings must end with their init (padding row 0).
      for (const e of embeddings) {
        nn.init.normal_(e.weight, 0, std);
        if (e.paddingIdx !== null) {
          const row = e.weight.select(0, e.paddingIdx);
          row.zero_();
          row.dispose();
        }
      }
      for (const [name, p] of this.namedParameters()) if (/(^|\.)predictions\.bias$/.test(name)) nn.init.zeros_(p);
    });
  }

  /** The state dict transformers saves: without the tied keys. */
  pretrainedStateDict(): Record<string, Tensor> {
    const sd = this.stateDict();
    for (const [tied] of this.tiedWeightsKeys()) {
      sd[tied]?.dispose();
      delete sd[tied];
    }
    return sd;
  }

  /**
   * Writes config.json and the weights into `dir` (created if needed), as
   * transformers' `save_pretrained`: model.safetensors (metadata
   * `format: pt`) or, with `safeSerialization: false`, pytorch_model.bin.
   * Weight files of an earlier save in `dir` are removed first.
   * @throws TypeError for an unknown option; Error when a file cannot be written.
   */
  savePretrained(dir: string, opts: SavePretrainedOptions = {}): void {
    checkOptions(opts, ['safeSerialization'], 'savePretrained');
    const safe = opts.safeSerialization ?? true;
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) {
      if (/^(model|pytorch_model)(-\d+-of-\d+)?\.(safetensors|bin)(\.index\.json)?$/.test(f)) rmSync(join(dir, f));
    }
    const sd = this.pretrainedStateDict();
    try {
      if (safe) torch.serialization.saveSafetensors({ ...sd }, join(dir, SAFE_WEIGHTS_NAME), { metadata: { format: 'pt' } });
      else torch.save(sd, join(dir, WEIGHTS_NAME));
    } finally {
      torch.dispose(Object.values(sd));
    }
    const text = configToJsonString(this.config, this.constructor.name);
    writeFileAtomic(join(dir, CONFIG_NAME), (sink) => sink.write(Buffer.from(text, 'utf8')));
  }

  /**
   * Builds this class from a transformers folder (config.json and weights),
   * as `from_pretrained(dir)`. The returned model is in eval mode, as
   * transformers returns it; `model.loadingInfo` says what was missing,
   * unexpected or re-initialized.
   *
   * @example const model = BertForSequenceClassification.fromPretrained('bert-mini', { config: { numLabels: 3 } });
   * @throws Error when the folder, config.json or the weights are missing or unreadable, for shape
   *   mismatches (unless ignoreMismatchedSizes), and under `strict` for missing or unexpected weights;
   *   RangeError for an invalid config; TypeError for an unknown option.
   */
  static fromPretrained<T extends BertPreTrainedModel>(this: PretrainedClass<T>, dir: string, opts: FromPretrainedOptions = {}): T {
    checkOptions(opts, ['config', 'device', 'dtype', 'ignoreMismatchedSizes', 'strict', 'warn'], 'fromPretrained');
    if (!existsSync(join(dir, CONFIG_NAME))) {
      throw new Error(existsSync(dir) ? `${dir} has no ${CONFIG_NAME}: not a transformers model folder` : `Pretrained model folder ${dir} does not exist`);
    }
    const read = readConfig(join(dir, CONFIG_NAME));
    const config = opts.config === undefined ? read : mergeConfig(read, opts.config);
    const { stateDict, files } = readPretrainedStateDict(dir);
    const model = new this(config);
    try {
      model.loadingInfo = loadPretrainedWeights(model, stateDict, { ignoreMismatchedSizes: opts.ignoreMismatchedSizes ?? false, source: files.join(', ') });
    } finally {
      torch.dispose(Object.values(stateDict));
    }
    const info = model.loadingInfo;
    // biome-ignore lint/complexity/noThisInStatic: the subclass fromPretrained was called on names itself in the error
    const name = this.name;
    if (opts.strict && (info.missingKeys.length > 0 || info.unexpectedKeys.length > 0)) {
      const parts: string[] = [];
      if (info.missingKeys.length > 0) parts.push(`Missing key(s): ${info.missingKeys.map((k) => `"${k}"`).join(', ')}.`);
      if (info.unexpectedKeys.length > 0) parts.push(`Unexpected key(s): ${info.unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
      throw new Error(`Error(s) in loading ${dir} into ${name}:\n\t${parts.join('\n\t')}`);
    }
    if (opts.warn ?? true) {
      if (info.unexpectedKeys.length > 0) {
        console.warn(`Some weights of the model checkpoint at ${dir} were not used when initializing ${name}: [${info.unexpectedKeys.join(', ')}]`);
      }
      if (info.missingKeys.length > 0 || info.mismatchedKeys.length > 0) {
        const keys = [...info.missingKeys, ...info.mismatchedKeys.map((m) => m.key)];
        console.warn(`Some weights of ${name} were not initialized from the model checkpoint at ${dir} and are newly initialized: [${keys.join(', ')}]`);
      }
    }
    if (opts.dtype !== undefined) model.to(opts.dtype);
    if (opts.device !== undefined) model.to(opts.device);
    model.eval();
    return model;
  }
}

/** config.json's config with overrides; a new label count replaces the stored label names. */
function mergeConfig(base: BertConfig, over: BertConfigInit): BertConfig {
  const { extra, ...fields } = base;
  const merged: BertConfigInit = { ...fields, extra };
  if (over.numLabels !== undefined && over.id2label === undefined && over.numLabels !== base.id2label.length) delete merged.id2label;
  return bertConfig({ ...merged, ...over, extra: { ...extra, ...(over.extra ?? {}) } });
}

/**
 * Copies a transformers state dict into `model` with transformers' key
 * handling (base-model prefix added or removed, legacy names, tied keys,
 * ignored buffers).
 * @throws Error listing every shape mismatch unless `ignoreMismatchedSizes`.
 */
export function loadPretrainedWeights(
  model: BertPreTrainedModel,
  stateDict: Record<string, Tensor>,
  opts: { ignoreMismatchedSizes?: boolean; source?: string } = {},
): LoadingInfo {
  const prefix = `${BertPreTrainedModel.baseModelPrefix}.`;
  const own = model.stateDict();
  const tied = model.tiedWeightsKeys();
  const tiedKeys = new Set(tied.map(([t]) => t));
  const modelHasBase = model.namedChildren().some(([n]) => n === BertPreTrainedModel.baseModelPrefix);
  const ckpt = new Map<string, Tensor>();
  const original = new Map<string, string>(); // our key -> the checkpoint's (reported as unexpected under it, as transformers)
  const keys = Object.keys(stateDict).map(renameLegacy);
  const ckptHasBase = keys.some((k) => k.startsWith(prefix));
  Object.entries(stateDict).forEach(([k, t]) => {
    let key = renameLegacy(k);
    if (modelHasBase && !ckptHasBase) key = prefix + key;
    else if (!modelHasBase && ckptHasBase && key.startsWith(prefix)) key = key.slice(prefix.length);
    if (IGNORED.test(key)) return;
    ckpt.set(key, t);
    original.set(key, k);
  });
  const missingSources = new Set<string>();
  for (const [t, s] of tied) {
    if (!ckpt.has(s) && ckpt.has(t)) ckpt.set(s, ckpt.get(t) as Tensor);
    ckpt.delete(t);
    if (!ckpt.has(s)) missingSources.add(t);
  }
  const info: LoadingInfo = { missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] };
  const copies: [Tensor, Tensor][] = [];
  const mismatch: string[] = [];
  const size = (s: number[]) => `[${s.join(', ')}]`;
  for (const [key, param] of Object.entries(own)) {
    if (tiedKeys.has(key)) {
      // A tied weight is missing when what it is tied to is (transformers lists both).
      if (missingSources.has(key)) info.missingKeys.push(key);
      continue;
    }
    const src = ckpt.get(key);
    if (src === undefined) {
      info.missingKeys.push(key);
      continue;
    }
    const a = src.shape;
    const b = param.shape;
    if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
      info.mismatchedKeys.push({ key, checkpointShape: a, modelShape: b });
      mismatch.push(`size mismatch for ${key}: the checkpoint has shape ${size(a)}, the model ${size(b)}`);
      continue;
    }
    copies.push([param, src]);
  }
  for (const key of ckpt.keys()) if (!(key in own)) info.unexpectedKeys.push(original.get(key) ?? key);
  try {
    if (mismatch.length > 0 && !opts.ignoreMismatchedSizes) {
      throw new Error(
        `Error(s) in loading ${opts.source ?? 'the checkpoint'} into ${model.constructor.name}:\n\t${mismatch.join('\n\t')}\n\t` +
          '(pass ignoreMismatchedSizes: true to re-initialize these weights)',
      );
    }
    torch.noGrad(() => {
      for (const [dst, src] of copies) dst.copy_(src);
    });
  } finally {
    torch.dispose(Object.values(own));
  }
  return info;
}
