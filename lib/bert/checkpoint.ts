/** Loading a pretraining checkpoint (ours or the course's Python state dict) back into a BERT. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';
import { BERT, type BERTConfig } from './model.js';

/** A checkpoint as train() writes it (Python-friendly names). */
export interface PretrainCheckpoint {
  model: Record<string, Tensor>;
  config?: Record<string, number>;
  vocab?: string | null;
  epoch?: number;
  step?: number;
}

/** The model config from a checkpoint's `config`, or inferred from the state dict's shapes. */
export function configFromCheckpoint(ck: PretrainCheckpoint): BERTConfig {
  const sd = ck.model;
  const c = ck.config;
  if (c !== undefined && c !== null && typeof c.d_model === 'number') {
    return {
      vocabSize: Number(c.vocab_size), dModel: Number(c.d_model), nLayers: Number(c.n_layers), heads: Number(c.heads),
      dropout: Number(c.dropout), dimFeedforward: Number(c.dim_feedforward ?? 2048),
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

/**
 * Loads `path` (a train() checkpoint, or a bare state dict saved by Python)
 * into a new BERT on `device`; returns the model and the vocabulary path
 * recorded in it (or a vocab.txt beside the checkpoint).
 * @throws Error when the file is not a BERT checkpoint or its keys/shapes do not match.
 */
export function loadPretrained(path: string, opts: { device?: torch.DeviceLike; heads?: number } = {}): { model: BERT; vocab: string | null; checkpoint: PretrainCheckpoint } {
  const raw = torch.load(path, { mapLocation: 'cpu' }) as unknown as Record<string, unknown>;
  const ck: PretrainCheckpoint = 'model' in raw ? (raw as unknown as PretrainCheckpoint) : { model: raw as Record<string, Tensor> };
  const config = configFromCheckpoint(ck);
  if (opts.heads !== undefined) config.heads = opts.heads;
  const model = new BERT(config);
  model.loadStateDict(ck.model);
  if (opts.device !== undefined) model.to(opts.device);
  model.eval();
  let vocab = typeof ck.vocab === 'string' ? ck.vocab : null;
  if ((vocab === null || !existsSync(vocab)) && existsSync(join(dirname(path), 'vocab.txt'))) vocab = join(dirname(path), 'vocab.txt');
  return { model, vocab, checkpoint: ck };
}
