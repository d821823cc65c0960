/**
 * Pretraining checkpoints: what train() stores (Python-friendly names, so
 * `torch.load` in Python reads them) and how they load back: into a BERT for
 * predictions, or into a run that continues where it stopped.
 *
 *   model            the course model's state dict
 *   optimizer        Adam's state dict (PyTorch's layout)
 *   scheduler        the learning-rate schedule's state dict
 *   epoch, step      the epoch being trained (1-based) and optimizer steps so far
 *   config           the model's shape (vocab_size, d_model, n_layers, heads, dropout, dim_feedforward)
 *   train_config     every setting of the run (PretrainConfig in snake_case; None where unset)
 *   train_state      where the run stands: samples_in_epoch, epoch_complete, skipped_batches, world_size
 *   vocab            the vocabulary itself (a list of tokens), and vocab_sha256 its hash
 *   eval_loss, best_eval_loss
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';
import { BERT, type BERTConfig } from './model.js';
import { BertTokenizer } from './tokenizer/index.js';
import { checkModelVocabulary, loadModelVocabulary, vocabularyHash } from './vocabulary.js';
import { flagName } from './config/fields.js';
import { PRETRAIN_SCHEMA, type PretrainConfig } from './config/pretrain.js';

type PyScalar = string | number | boolean | null;

/** Where a run stands (stored as `train_state`). */
export interface TrainState {
  /** The epoch being trained, 1-based. */
  epoch: number;
  /** Samples of this epoch already trained on, per process. */
  samplesInEpoch: number;
  /** The epoch ended (and was evaluated). */
  epochComplete: boolean;
  /** Optimizer steps so far. */
  globalStep: number;
  /** Batches skipped because their loss was not finite. */
  skippedBatches: number;
  /** Lowest evaluation loss so far (Infinity before the first). */
  bestEvalLoss: number;
  /** Processes the run trained on. */
  worldSize: number;
}

/** A checkpoint as train() writes it (older ones lack the later keys). */
export interface PretrainCheckpoint {
  model: Record<string, Tensor>;
  optimizer?: unknown;
  scheduler?: unknown;
  epoch?: number;
  step?: number;
  config?: Record<string, number>;
  train_config?: Record<string, PyScalar>;
  train_state?: Record<string, PyScalar>;
  /** The vocabulary's tokens; in older checkpoints, the path of a vocab.txt. */
  vocab?: string[] | string | null;
  vocab_sha256?: string;
  eval_loss?: number;
  best_eval_loss?: number;
}

/** The model's shape in Python's names. */
export function modelConfigDict(c: BERTConfig): Record<string, number> {
  return { vocab_size: c.vocabSize, d_model: c.dModel, n_layers: c.nLayers, heads: c.heads, dropout: c.dropout, dim_feedforward: c.dimFeedforward };
}

/** A run's settings in snake_case (`batch_size`), unset ones as null. */
export function trainConfigDict(config: PretrainConfig): Record<string, PyScalar> {
  const out: Record<string, PyScalar> = {};
  for (const [k, v] of Object.entries(config)) out[flagName(k).replace(/-/g, '_')] = v === undefined ? null : (v as PyScalar);
  return out;
}

/** The settings stored in a checkpoint (those this version knows), or null for an older checkpoint. */
export function trainConfigFromCheckpoint(ck: PretrainCheckpoint): Partial<PretrainConfig> | null {
  const stored = ck.train_config;
  if (stored === undefined || stored === null) return null;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(PRETRAIN_SCHEMA)) {
    const v = stored[flagName(key).replace(/-/g, '_')];
    if (v !== undefined) out[key] = v === null ? undefined : v;
  }
  return out as Partial<PretrainConfig>;
}

/** `train_state` of a checkpoint. */
export function trainStateDict(s: TrainState): Record<string, PyScalar> {
  return {
    epoch: s.epoch,
    samples_in_epoch: s.samplesInEpoch,
    epoch_complete: s.epochComplete,
    global_step: s.globalStep,
    skipped_batches: s.skippedBatches,
    best_eval_loss: s.bestEvalLoss,
    world_size: s.worldSize,
  };
}

/** Where the checkpoint's run stands; an older checkpoint (no `train_state`) ended its epoch. */
export function trainStateFromCheckpoint(ck: PretrainCheckpoint): TrainState {
  const s = ck.train_state;
  const n = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);
  if (s === undefined || s === null) {
    return {
      epoch: n(ck.epoch, 0),
      samplesInEpoch: 0,
      epochComplete: true,
      globalStep: n(ck.step, 0),
      skippedBatches: 0,
      bestEvalLoss: n(ck.best_eval_loss, Infinity),
      worldSize: 1,
    };
  }
  return {
    epoch: n(s.epoch, 1),
    samplesInEpoch: n(s.samples_in_epoch, 0),
    epochComplete: s.epoch_complete === true,
    globalStep: n(s.global_step, 0),
    skippedBatches: n(s.skipped_batches, 0),
    bestEvalLoss: n(s.best_eval_loss, Infinity),
    worldSize: n(s.world_size, 1),
  };
}

/** The vocabulary entries of a checkpoint. */
export function vocabularyEntries(tokens: readonly string[]): { vocab: string[]; vocab_sha256: string } {
  return { vocab: [...tokens], vocab_sha256: vocabularyHash(tokens) };
}

/** The model config from a checkpoint's `config`, or inferred from the state dict's shapes. */
export function configFromCheckpoint(ck: PretrainCheckpoint): BERTConfig {
  const sd = ck.model;
  const c = ck.config;
  if (c !== undefined && c !== null && typeof c.d_model === 'number') {
    return {
      vocabSize: Number(c.vocab_size),
      dModel: Number(c.d_model),
      nLayers: Number(c.n_layers),
      heads: Number(c.heads),
      dropout: Number(c.dropout),
      dimFeedforward: Number(c.dim_feedforward ?? 2048),
    };
  }
  // A bare state dict (e.g. Python's model.state_dict()): sizes from the shapes; heads cannot be
  // read from shapes, so the course's 2 are assumed unless the width says otherwise.
  const emb = sd['bert_embedding.token_embedding.embedding.weight'];
  const ff = sd['transformer_encoder.layers.0.linear1.weight'];
  if (emb === undefined || ff === undefined) throw new Error('checkpoint: not a BERT state dict (no bert_embedding.token_embedding.embedding.weight)');
  const nLayers = Object.keys(sd).filter((k) => /^transformer_encoder\.layers\.\d+\.linear1\.weight$/.test(k)).length;
  const [vocabSize, dModel] = emb.shape;
  const heads = dModel === 10 ? 2 : Math.max(1, Math.round(dModel / 64));
  return { vocabSize, dModel, nLayers, heads, dropout: 0.1, dimFeedforward: ff.shape[0] };
}

/** Reads a checkpoint file (a train() checkpoint or a bare state dict). */
export function readCheckpoint(path: string): PretrainCheckpoint {
  const raw = torch.load(path, { mapLocation: 'cpu' }) as unknown as Record<string, unknown>;
  return 'model' in raw ? (raw as unknown as PretrainCheckpoint) : { model: raw as Record<string, Tensor> };
}

/**
 * The tokenizer a checkpoint was trained with: the vocabulary stored in it,
 * or (`vocabPath`) a vocab.txt that must equal it. Older checkpoints store a
 * path, and bare state dicts nothing: then `vocabPath`, that path, or a
 * vocab.txt beside the checkpoint, checked by size only.
 * @throws Error when no vocabulary is found, when `vocabPath` differs from the
 *   stored one, or when it does not fit the model ([PAD] not id 0, another size).
 */
export function checkpointTokenizer(ck: PretrainCheckpoint, path: string, vocabPath?: string): { tokenizer: BertTokenizer; source: string } {
  const stored = Array.isArray(ck.vocab) ? ck.vocab : null;
  let tokenizer: BertTokenizer;
  let source: string;
  if (stored !== null) {
    const hash = vocabularyHash(stored);
    if (vocabPath !== undefined) {
      tokenizer = loadModelVocabulary(vocabPath);
      const given = vocabularyHash(tokenizer.vocab);
      if (given !== hash) {
        throw new Error(
          `${vocabPath} is not the vocabulary ${path} was trained with (sha256 ${given.slice(0, 12)}... vs ${hash.slice(0, 12)}...); leave out --vocab to use the one stored in the checkpoint`,
        );
      }
      source = vocabPath;
    } else {
      tokenizer = new BertTokenizer(stored);
      checkModelVocabulary(tokenizer, `the vocabulary stored in ${path}`);
      source = `the vocabulary stored in ${path}`;
    }
  } else {
    const candidates = [vocabPath, typeof ck.vocab === 'string' ? ck.vocab : undefined, join(dirname(path), 'vocab.txt')];
    const found = candidates.find((p): p is string => p !== undefined && existsSync(p));
    if (found === undefined) throw new Error(`${path} stores no vocabulary; pass --vocab vocab.txt`);
    tokenizer = loadModelVocabulary(found);
    source = found;
  }
  const vocabSize = configFromCheckpoint(ck).vocabSize;
  if (tokenizer.vocabSize !== vocabSize) {
    throw new Error(`${source} has ${tokenizer.vocabSize} tokens but the model was trained with ${vocabSize}`);
  }
  return { tokenizer, source };
}

/**
 * Loads `path` (a train() checkpoint, or a bare state dict saved by Python)
 * into a new BERT on `device`, in eval mode.
 * @throws Error when the file is not a BERT checkpoint or its keys/shapes do not match.
 */
export function loadPretrained(path: string, opts: { device?: torch.DeviceLike; heads?: number } = {}): { model: BERT; checkpoint: PretrainCheckpoint } {
  const ck = readCheckpoint(path);
  const config = configFromCheckpoint(ck);
  if (opts.heads !== undefined) config.heads = opts.heads;
  const model = new BERT(config);
  model.loadStateDict(ck.model);
  if (opts.device !== undefined) model.to(opts.device);
  model.eval();
  return { model, checkpoint: ck };
}
