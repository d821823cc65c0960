/** Settings of `npm run predict`, with their defaults written once. */
import { flag, int, optionalInt, optionalStr, str, type ConfigOf } from './fields.js';

export const PREDICT_SCHEMA = {
  /** A checkpoint of `npm run pretrain`, or a bare state dict saved by Python. */
  checkpoint: optionalStr('checkpoint from npm run pretrain (or a Python state dict)'),
  /** Checkpoints hold their vocabulary; a vocab.txt given here must be the same one. */
  vocab: optionalStr('vocab.txt (default: the one stored in the checkpoint)'),
  /** Next-sentence prediction for two sentences instead of filling [MASK]. */
  nsp: flag('next-sentence prediction for two sentences'),
  /** Candidates listed per [MASK]. */
  topK: int('candidates shown per [MASK]', 5, { min: 1 }),
  /** Only bare state dicts need it: heads cannot be read from weight shapes. */
  heads: optionalInt('attention heads (only for bare state dicts without a config)', { min: 1 }),
  device: str("'cpu' or 'cuda'", 'cpu'),
};

/** The predict command's settings. */
export type PredictConfig = ConfigOf<typeof PREDICT_SCHEMA>;
