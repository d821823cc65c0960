/**
 * Pretraining data preparation: documents of sentences → next-sentence pairs
 * with masked tokens, written as the course's CSV files.
 *
 * For every two consecutive sentences A, B of a document: with probability
 * `nspProbability` (0.5) the pair is kept (`Is Next` = 1), otherwise B is
 * replaced by a random sentence of another document of the same split
 * (`Is Next` = 0). The pair is truncated to `maxLen` (Hugging Face's
 * `longest_first`) and laid out as `[CLS] A [SEP] B [SEP]`. Masked language
 * modelling follows Google's `create_pretraining_data.py`: of the tokens that
 * are not `[CLS]`/`[SEP]`, `max(1, round(n * maskProbability))` are chosen; each
 * becomes `[MASK]` (80%), a random non-special token (10%) or stays (10%).
 * `BERT Label` holds the original id at chosen positions and `[PAD]` (0)
 * elsewhere; `Segment Label` is 1 for `[CLS] A [SEP]` and 2 for `B [SEP]`.
 *
 * Documents (not sentences) are split between train and test, and the
 * vocabulary is trained on the training documents only, so nothing of a test
 * document is seen in training. Everything is deterministic for a seed.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Corpus } from './corpus.js';
import { BertTokenizer, truncateLongestFirst } from './tokenizer/index.js';
import { BERT_CSV_COLUMNS } from './constants.js';
import { writeFileAtomic } from './atomic-write.js';
import { DATA_FIELDS, type DataConfig } from './config/prepare.js';
import { resolveConfig } from './config/fields.js';

/**
 * A small seeded pseudo-random generator (mulberry32): 32-bit state, period
 * 2^32, good enough for sampling and the same on every platform.
 */
export class Mulberry32 {
  private state: number;

  /** @param seed any integer (taken modulo 2^32). */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  randint(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.randint(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

/** One pretraining example (one CSV row). */
export interface PretrainingExample {
  /** `[CLS] A [SEP] B [SEP]` with masked tokens replaced. */
  bertInput: number[];
  /** Original id where a token was chosen for prediction, `[PAD]` (0) elsewhere. */
  bertLabel: number[];
  /** 1 for `[CLS] A [SEP]`, 2 for `B [SEP]`. */
  segmentLabel: number[];
  /** 1 when B is A's next sentence, 0 when B is a random sentence. */
  isNext: 0 | 1;
}

/** Where an example's sentences come from (document and sentence indices in the corpus). */
export interface ExampleSource {
  docA: number;
  sentA: number;
  docB: number;
  sentB: number;
}

/**
 * Options of {@link prepareData}: the data settings of `prepare-data` (see
 * {@link DATA_FIELDS} for each one's default and range), and optionally a
 * tokenizer to use instead of training one on the training documents.
 */
export type PrepareOptions = Partial<DataConfig> & { tokenizer?: BertTokenizer };

/** Counts measured while preparing one split. */
export interface SplitStats {
  documents: number;
  sentences: number;
  pairs: number;
  /** Pairs with `Is Next` = 1. */
  isNext: number;
  /** Tokens that are not `[CLS]`/`[SEP]`. */
  tokens: number;
  /** Tokens chosen for prediction, and what became of them. */
  masked: number;
  maskedAsMask: number;
  maskedAsRandom: number;
  maskedUnchanged: number;
  /** Pairs cut to `maxLen`. */
  truncated: number;
}

/** Result of {@link prepareData}. */
export interface PreparedData {
  train: PretrainingExample[];
  test: PretrainingExample[];
  /** Source sentences of each example (same order as `train`/`test`). */
  trainSources: ExampleSource[];
  testSources: ExampleSource[];
  /** Corpus indices of the documents of each split. */
  trainDocuments: number[];
  testDocuments: number[];
  tokenizer: BertTokenizer;
  stats: { train: SplitStats; test: SplitStats; vocabSize: number; seconds: number };
}

/**
 * Splits documents between train and test: `round(n * testFraction)` random
 * documents (at least one when `testFraction` > 0 and n ≥ 2) go to test.
 *
 * @returns corpus indices of each split, each in ascending order.
 */
export function splitDocuments(nDocuments: number, testFraction: number, rng: Mulberry32): { train: number[]; test: number[] } {
  const order = rng.shuffle(Array.from({ length: nDocuments }, (_, i) => i));
  let nTest = Math.round(nDocuments * testFraction);
  if (testFraction > 0 && nTest === 0 && nDocuments >= 2) nTest = 1;
  if (nTest >= nDocuments) nTest = nDocuments - 1;
  const test = order.slice(0, nTest).sort((a, b) => a - b);
  const train = order.slice(nTest).sort((a, b) => a - b);
  return { train, test };
}

function emptyStats(): SplitStats {
  return {
    documents: 0,
    sentences: 0,
    pairs: 0,
    isNext: 0,
    tokens: 0,
    masked: 0,
    maskedAsMask: 0,
    maskedAsRandom: 0,
    maskedUnchanged: 0,
    truncated: 0,
  };
}

/**
 * Builds the NSP/MLM examples of one split.
 *
 * @param corpus all documents.
 * @param docs corpus indices of this split's documents.
 * @param encoded token ids (no special tokens) of every sentence, `encoded[doc][sent]`.
 */
function buildExamples(
  corpus: Corpus,
  docs: readonly number[],
  encoded: (number[] | undefined)[][],
  tokenizer: BertTokenizer,
  rng: Mulberry32,
  maxLen: number,
  nspProbability: number,
  maskProbability: number,
): { examples: PretrainingExample[]; sources: ExampleSource[]; stats: SplitStats } {
  const stats = emptyStats();
  const examples: PretrainingExample[] = [];
  const sources: ExampleSource[] = [];
  // Token ids that a "random token" may be: every id except the special ones.
  const randomIds: number[] = [];
  for (let id = 0; id < tokenizer.vocabSize; id++) if (!tokenizer.isSpecialId(id)) randomIds.push(id);
  const { clsTokenId: cls, sepTokenId: sep, maskTokenId: mask, padTokenId: pad } = tokenizer;
  const target = maxLen - 3;

  const randomSentence = (docA: number, sentA: number): [number, number] => {
    if (docs.length >= 2) {
      let d = docA;
      while (d === docA) d = docs[rng.randint(docs.length)];
      return [d, rng.randint(corpus[d].length)];
    }
    // One document only: any sentence of it other than the true next one.
    const n = corpus[docA].length;
    let s = sentA + 1;
    while (s === sentA + 1 && n > 2) s = rng.randint(n);
    return [docA, s];
  };

  for (const d of docs) {
    const doc = corpus[d];
    stats.documents++;
    stats.sentences += doc.length;
    for (let i = 0; i + 1 < doc.length; i++) {
      let isNext: 0 | 1 = 1;
      let docB = d;
      let sentB = i + 1;
      if (rng.random() >= nspProbability) {
        [docB, sentB] = randomSentence(d, i);
        isNext = docB === d && sentB === i + 1 ? 1 : 0;
      }
      let a = encoded[d][i] as number[];
      let b = encoded[docB][sentB] as number[];
      if (a.length === 0 || b.length === 0) continue;
      if (a.length + b.length > target) {
        [a, b] = truncateLongestFirst(a, b, target);
        stats.truncated++;
      }
      const n = a.length + b.length + 3;
      const bertInput = new Array<number>(n);
      const segmentLabel = new Array<number>(n);
      bertInput[0] = cls;
      segmentLabel[0] = 1;
      for (let k = 0; k < a.length; k++) {
        bertInput[1 + k] = a[k];
        segmentLabel[1 + k] = 1;
      }
      bertInput[a.length + 1] = sep;
      segmentLabel[a.length + 1] = 1;
      for (let k = 0; k < b.length; k++) {
        bertInput[a.length + 2 + k] = b[k];
        segmentLabel[a.length + 2 + k] = 2;
      }
      bertInput[n - 1] = sep;
      segmentLabel[n - 1] = 2;

      // Masked LM: candidate positions are every token of A and B.
      const candidates: number[] = [];
      for (let k = 1; k <= a.length; k++) candidates.push(k);
      for (let k = a.length + 2; k < n - 1; k++) candidates.push(k);
      const nPredict = Math.min(candidates.length, Math.max(1, Math.round(candidates.length * maskProbability)));
      const bertLabel = new Array<number>(n).fill(pad);
      for (let k = 0; k < nPredict; k++) {
        const j = k + rng.randint(candidates.length - k);
        const pos = candidates[j];
        candidates[j] = candidates[k];
        candidates[k] = pos;
        bertLabel[pos] = bertInput[pos];
        const r = rng.random();
        if (r < 0.8) {
          bertInput[pos] = mask;
          stats.maskedAsMask++;
        } else if (r < 0.9) {
          bertInput[pos] = randomIds[rng.randint(randomIds.length)];
          stats.maskedAsRandom++;
        } else {
          stats.maskedUnchanged++;
        }
      }
      stats.tokens += candidates.length;
      stats.masked += nPredict;
      stats.pairs++;
      stats.isNext += isNext;
      examples.push({ bertInput, bertLabel, segmentLabel, isNext });
      sources.push({ docA: d, sentA: i, docB, sentB });
    }
  }
  return { examples, sources, stats };
}

/**
 * Prepares pretraining examples from a corpus: document split, vocabulary
 * (trained on the training documents), NSP pairs, masking.
 *
 * @param corpus documents of sentences (see `corpus.ts`).
 * @param options see {@link PrepareOptions}.
 * @throws TypeError for an unknown option; RangeError for an option out of
 *   range (`maxLen` outside [5, 5000], probabilities outside [0, 1], a seed
 *   that is not an integer in [0, 2^31 - 1]);
 *   Error when the corpus has fewer than two documents with two sentences.
 */
export function prepareData(corpus: Corpus, options: PrepareOptions = {}): PreparedData {
  const started = performance.now();
  const { tokenizer: given, ...settings } = options;
  const { maxLen, testFraction, seed, vocabSize, minFrequency, nspProbability, maskProbability } = resolveConfig(DATA_FIELDS, settings, 'prepareData');

  const docs = corpus.filter((d) => d.length >= 2);
  if (docs.length < 2) {
    throw new Error(`The corpus needs at least 2 documents of 2 or more sentences; it has ${docs.length}`);
  }
  const rng = new Mulberry32(seed);
  const split = splitDocuments(docs.length, testFraction, rng);

  const tokenizer =
    given ??
    BertTokenizer.train(
      (function* () {
        for (const d of split.train) yield* docs[d];
      })(),
      { vocabSize, minFrequency },
    );
  const encoded = docs.map((doc) => doc.map((s) => tokenizer.encode(s, null, { addSpecialTokens: false })));

  const train = buildExamples(docs, split.train, encoded, tokenizer, rng, maxLen, nspProbability, maskProbability);
  const test = buildExamples(docs, split.test, encoded, tokenizer, rng, maxLen, nspProbability, maskProbability);
  // Indices into `docs` → indices into the caller's corpus.
  const corpusIndex: number[] = [];
  corpus.forEach((d, i) => {
    if (d.length >= 2) corpusIndex.push(i);
  });
  const remap = (sources: ExampleSource[]): ExampleSource[] =>
    sources.map((s) => ({ docA: corpusIndex[s.docA], sentA: s.sentA, docB: corpusIndex[s.docB], sentB: s.sentB }));
  return {
    train: train.examples,
    test: test.examples,
    trainSources: remap(train.sources),
    testSources: remap(test.sources),
    trainDocuments: split.train.map((i) => corpusIndex[i]),
    testDocuments: split.test.map((i) => corpusIndex[i]),
    tokenizer,
    stats: {
      train: train.stats,
      test: test.stats,
      vocabSize: tokenizer.vocabSize,
      seconds: (performance.now() - started) / 1000,
    },
  };
}

/** A list of ids as the course writes it: `[2, 45, 4, 3]`. */
function listCell(ids: readonly number[]): string {
  return `"[${ids.join(', ')}]"`;
}

/**
 * Renders examples as the course's CSV: header `BERT Input,BERT Label,Segment
 * Label,Is Next`, lists as JSON in quoted cells, `Is Next` as 0/1.
 */
export function examplesToCsv(examples: readonly PretrainingExample[]): string {
  const lines = [BERT_CSV_COLUMNS.join(',')];
  for (const e of examples) {
    lines.push(`${listCell(e.bertInput)},${listCell(e.bertLabel)},${listCell(e.segmentLabel)},${e.isNext}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes `train.csv`, `test.csv`, `vocab.txt` and `tokenizer.json` into `dir`
 * (created if needed), each atomically.
 *
 * @returns the paths written.
 * @throws Error when the folder cannot be created or written.
 */
export function writePreparedData(dir: string, data: PreparedData): { train: string; test: string; vocab: string; tokenizerJson: string } {
  mkdirSync(dir, { recursive: true });
  const files = {
    train: path.join(dir, 'train.csv'),
    test: path.join(dir, 'test.csv'),
    vocab: path.join(dir, 'vocab.txt'),
    tokenizerJson: path.join(dir, 'tokenizer.json'),
  };
  writeFileAtomic(files.train, examplesToCsv(data.train));
  writeFileAtomic(files.test, examplesToCsv(data.test));
  data.tokenizer.saveVocab(files.vocab);
  data.tokenizer.saveTokenizerJson(files.tokenizerJson);
  return files;
}
