/**
 * Every setting of a pretraining run, with its default written once and a
 * comment each (nanoGPT's train.py style). `npm run pretrain` parses its
 * flags from this table, `train()` takes the resolved config, and every
 * checkpoint stores it whole, so a run can be reproduced from its checkpoint.
 *
 * Adding a setting: one entry here (kind, default, range, help line, what
 * resume does with it), then its use. The flag is its name in kebab case.
 */
import { availableParallelism } from 'node:os';
import { PRESETS, type PresetName } from '../model.js';
import { DATA_FIELDS } from './prepare.js';
import { choice, flag, int, num, optionalInt, optionalStr, str, type ConfigOf } from './fields.js';

const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export const PRETRAIN_SCHEMA = {
  // ---- model
  /** The course's d_model 10 / 2 layers / 2 heads, or one of BERT's published sizes. */
  preset: choice('model size', PRESET_NAMES, 'course', { onResume: 'fixed' }),

  // ---- optimization (Adam with PyTorch's betas, as the course)
  /** Passes over the training pairs. */
  epochs: int('training epochs', 1, { min: 1 }),
  /** Pairs per optimizer step (per process under DDP). */
  batchSize: int('examples per batch', 32, { min: 1 }),
  /** Adam's learning rate; the course uses 1e-4, which barely moves its tiny model in one epoch. */
  lr: num('Adam learning rate (the course: 1e-4)', 1e-3, { min: 0, minExclusive: true }),
  /** Adam's L2 penalty (the course's 0.01; not AdamW's decoupled decay). */
  weightDecay: num("Adam's L2 weight decay", 0.01, { min: 0 }),
  /** Linear warmup over this many steps, then linear decay to 0 at the last step; 0 keeps lr constant. */
  warmupSteps: int('linear warmup steps, then linear decay (0: constant lr)', 0, { min: 0 }),

  // ---- data (prepared from --corpus and cached under --data, or given as the course's CSVs)
  /** Pairs are cut to this many tokens when the corpus is prepared. */
  maxLen: { ...DATA_FIELDS.maxLen, help: 'longest sequence when preparing the corpus' },
  /** Vocabulary trained on the corpus's training documents. */
  vocabSize: { ...DATA_FIELDS.vocabSize, help: 'WordPiece vocabulary size when preparing the corpus' },
  /** The embedded Brown corpus, or a text file/folder in BERT's format. */
  corpus: str("'brown' or a text file/folder (one sentence per line, blank line between documents)", 'brown', { onResume: 'fixed' }),
  /** Already prepared data in the course's CSV format (then --test-csv and --vocab are needed too). */
  trainCsv: optionalStr('course-format training CSV (skips corpus preparation; needs --test-csv and --vocab)', { onResume: 'fixed' }),
  testCsv: optionalStr('course-format test CSV', { onResume: 'fixed' }),
  vocab: optionalStr('vocab.txt of the CSVs', { onResume: 'fixed' }),

  // ---- run
  /** Where checkpoints, metrics.jsonl and loss.png go; a folder that holds a run is never written into (see --resume). */
  out: optionalStr('run folder (checkpoints, metrics.jsonl, loss.png)', {
    defaultText: 'runs/<preset>, or runs/<preset>-N when that holds a run',
    onResume: 'local',
  }),
  /** Prepared corpora are cached here, keyed by a hash of their content and settings. */
  data: str('cache folder for prepared corpora', 'data', { onResume: 'local' }),
  /** A checkpoint of this app (last.pt, epoch-N.pt, best.pt): training continues where it stopped. */
  resume: optionalStr('continue from a checkpoint', { onResume: 'local' }),
  /** Seeds the data order, dropout and weight initialization (and corpus preparation). */
  seed: { ...DATA_FIELDS.seed, onResume: 'fixed' as const },
  /** Default: CUDA when available, else the CPU. */
  device: optionalStr("'cpu', 'cuda' or 'cuda:N'", { defaultText: 'cuda when available', onResume: 'local' }),
  /** Stop after this many optimizer steps in all (epochs permitting). */
  maxSteps: optionalInt('stop after this many steps', { min: 1 }),
  /** The course's full-vocabulary MLM projection (slower; the same loss). */
  exactCourse: flag("the course's exact path: full-vocabulary MLM logits, no mixed precision"),
  /** Worker threads that parse and collate batches. */
  numWorkers: int('DataLoader worker threads', 0, { min: 0, max: 64, onResume: 'local' }),
  /** libtorch's intra-op threads; more than 4 per core only slows training down. */
  threads: optionalInt('libtorch intra-op threads', { min: 1, max: () => 4 * availableParallelism(), defaultText: 'all cores', onResume: 'local' }),

  // ---- added by issues #12 and #17
  /** Gradients are clipped to this total norm before each step (the course's 1.0). */
  maxGradNorm: num('gradient norm clip', 1.0, { min: 0, minExclusive: true }),
  /** Also write last.pt every N steps (epoch ends and interruptions always write one). */
  saveEvery: optionalInt('also checkpoint (last.pt) every N steps', { min: 1, onResume: 'local' }),
  /** Also write last.pt when this many minutes passed since the last checkpoint. */
  saveEveryMinutes: num('also checkpoint (last.pt) every M minutes', 10, { min: 0, minExclusive: true, valueName: 'M', onResume: 'local' }),
  /** Data-parallel training on N processes of this machine, launched through torchrun. */
  nprocPerNode: optionalInt('train on N processes with torchrun (DDP)', { min: 1, max: 256, onResume: 'local' }),

  // ---- added by issue #18
  /** A transformers BertForPreTraining folder to continue pretraining: its tokenizer prepares the corpus (--preset and --vocab-size do not apply). */
  fromPretrained: optionalStr('continue pretraining a transformers BERT folder (config.json, weights, vocab.txt or tokenizer.json)', {
    valueName: 'DIR',
    onResume: 'fixed',
  }),
};

/** A pretraining run's settings. */
export type PretrainConfig = ConfigOf<typeof PRETRAIN_SCHEMA>;
