/**
 * BERT's WordPiece tokenizer, like Hugging Face's `BertTokenizer`
 * (`do_lower_case=True`): BERT normalizer (clean text, lowercase, strip
 * accents, space around CJK characters), BERT pre-tokenizer (split on
 * whitespace and punctuation), greedy longest-match-first WordPiece with `##`
 * continuation pieces, and `[CLS] A [SEP] B [SEP]` post-processing.
 *
 * Normalization and pre-tokenization run in Hugging Face's Rust code (npm
 * `tokenizers`); the WordPiece lookup runs here, so every method is
 * synchronous. The result equals `tokenizers`' own (asynchronous) `encode`,
 * which the tests check on the Brown corpus.
 *
 * Vocabulary training is ours too ({@link trainWordPieceVocab}): the
 * `tokenizers` Node binding trains with default settings only, and special
 * tokens added before its training collide with learned ids. Our vocabulary
 * starts with the special tokens: `[PAD]`=0, `[UNK]`=1, `[CLS]`=2, `[SEP]`=3,
 * `[MASK]`=4. A standard BERT `vocab.txt` (where `[PAD]`=0 and `[UNK]`=100)
 * loads as well: special ids are always looked up, never assumed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer, WordPiece, bertNormalizer, bertPreTokenizer, bertProcessing, wordPieceDecoder, type Normalizer, type PreTokenizer } from 'tokenizers';
import { checkOptions, rangeError } from '../../torch/utils/index.js';
import { writeFileAtomic } from '../atomic-write.js';
import { forEachWord, type BertNormalizerSettings } from './pre-tokenizer.js';
import { WordPieceLookup } from './wordpiece.js';
import { encodeIds, type BertEncoding, type EncodeOptions } from './encoding.js';
import { trainWordPieceVocab, type WordPieceTrainerOptions } from './trainer.js';

/** The special tokens of a trained vocabulary, in id order (`[PAD]` = 0). */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Options of the {@link BertTokenizer} constructor and loaders. */
export interface BertTokenizerOptions {
  /** Lowercase the input (and strip accents unless `stripAccents` says otherwise). Default true. */
  doLowerCase?: boolean;
  /** Strip accents. Default: same as `doLowerCase`. */
  stripAccents?: boolean;
  /** Put spaces around CJK characters so each is one word. Default true. */
  tokenizeChineseChars?: boolean;
  /** Unknown token. Default `[UNK]`. */
  unkToken?: string;
  /** Separator token. Default `[SEP]`. */
  sepToken?: string;
  /** Padding token. Default `[PAD]`. */
  padToken?: string;
  /** Classifier token. Default `[CLS]`. */
  clsToken?: string;
  /** Mask token. Default `[MASK]`. */
  maskToken?: string;
  /** Words longer than this many characters become the unknown token. Default 100. */
  maxInputCharsPerWord?: number;
  /** Length used by `truncation: true` without `maxLength`. Default 512. */
  modelMaxLength?: number;
}

/** Options of {@link BertTokenizer.train}. */
export interface BertTrainOptions extends WordPieceTrainerOptions {
  /** Lowercase and strip accents before counting words. Default true. */
  doLowerCase?: boolean;
}

/** Options of {@link BertTokenizer.decode}. */
export interface DecodeOptions {
  /** Leave out special tokens. Default false (as in `transformers`). */
  skipSpecialTokens?: boolean;
  /** Remove the space before `. , ! ?` and in contractions (`n't`, `'s`). Default true. */
  cleanUpTokenizationSpaces?: boolean;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A BERT WordPiece tokenizer. Build one with {@link BertTokenizer.train},
 * {@link BertTokenizer.fromVocabFile}, {@link BertTokenizer.fromTokenizerJson}
 * or the constructor.
 *
 * @example
 * const tok = BertTokenizer.train(['The cat sat.', 'The dog ran.'], { vocabSize: 100 });
 * tok.encodePlus('The cat sat.', 'The dog ran.', { maxLength: 16, truncation: true, padding: 'max_length' });
 */
export class BertTokenizer {
  /** Id → token. */
  readonly vocab: readonly string[];
  /** Unknown token (default `[UNK]`). */
  readonly unkToken: string;
  /** Separator token (default `[SEP]`). */
  readonly sepToken: string;
  /** Padding token (default `[PAD]`). */
  readonly padToken: string;
  /** Classifier token (default `[CLS]`). */
  readonly clsToken: string;
  /** Mask token (default `[MASK]`). */
  readonly maskToken: string;
  /** Id of the unknown token. */
  readonly unkTokenId: number;
  /** Id of the separator token. */
  readonly sepTokenId: number;
  /** Id of the padding token. */
  readonly padTokenId: number;
  /** Id of the classifier token. */
  readonly clsTokenId: number;
  /** Id of the mask token. */
  readonly maskTokenId: number;
  /** Words longer than this many characters become the unknown token. */
  readonly maxInputCharsPerWord: number;
  /** Length used by `truncation: true` without `maxLength`. */
  readonly modelMaxLength: number;
  /** Prefix of word-continuing pieces (`##`). */
  readonly continuingSubwordPrefix = '##';

  private readonly ids: Map<string, number>;
  private readonly specialIds: Set<number>;
  private readonly specialSplit: RegExp;
  private normalizer: Normalizer | null;
  private preTokenizer: PreTokenizer | null;
  private nativeTokenizer: Tokenizer | null;
  /** Settings of the BERT normalizer (null: some other normalizer, always call it). */
  private asciiNormalizer: BertNormalizerSettings | null;
  /** Whether the pre-tokenizer is BERT's (then {@link BERT_WORDS} replaces the native call). */
  private bertWords: boolean;
  private readonly lookup: WordPieceLookup;

  /**
   * @param vocab the vocabulary, index = id; must hold the five special tokens.
   * @param options normalization and special-token names (see {@link BertTokenizerOptions}).
   * @throws Error when the vocabulary has a duplicate token or lacks a special token.
   */
  constructor(vocab: readonly string[], options: BertTokenizerOptions = {}) {
    checkOptions(
      options,
      [
        'doLowerCase',
        'stripAccents',
        'tokenizeChineseChars',
        'unkToken',
        'sepToken',
        'padToken',
        'clsToken',
        'maskToken',
        'maxInputCharsPerWord',
        'modelMaxLength',
      ],
      'BertTokenizer',
    );
    if (vocab.length === 0) throw new Error('The vocabulary is empty');
    for (const k of ['maxInputCharsPerWord', 'modelMaxLength'] as const) {
      const v = options[k];
      if (v !== undefined && !(Number.isInteger(v) && v >= 1)) rangeError('a positive integer', k, v);
    }
    this.vocab = vocab.slice();
    this.ids = new Map();
    this.vocab.forEach((tok, i) => {
      const prev = this.ids.get(tok);
      if (prev !== undefined) throw new Error(`The vocabulary has token '${tok}' twice (ids ${prev} and ${i})`);
      this.ids.set(tok, i);
    });
    this.unkToken = options.unkToken ?? '[UNK]';
    this.sepToken = options.sepToken ?? '[SEP]';
    this.padToken = options.padToken ?? '[PAD]';
    this.clsToken = options.clsToken ?? '[CLS]';
    this.maskToken = options.maskToken ?? '[MASK]';
    const specials = [this.padToken, this.unkToken, this.clsToken, this.sepToken, this.maskToken];
    const missing = specials.filter((t) => !this.ids.has(t));
    if (missing.length > 0) throw new Error(`The vocabulary lacks the special token(s) ${missing.join(', ')}`);
    this.unkTokenId = this.requireId(this.unkToken);
    this.sepTokenId = this.requireId(this.sepToken);
    this.padTokenId = this.requireId(this.padToken);
    this.clsTokenId = this.requireId(this.clsToken);
    this.maskTokenId = this.requireId(this.maskToken);
    this.maxInputCharsPerWord = options.maxInputCharsPerWord ?? 100;
    this.lookup = new WordPieceLookup(this.ids, this.unkTokenId, this.maxInputCharsPerWord);
    this.modelMaxLength = options.modelMaxLength ?? 512;
    this.specialIds = new Set(specials.map((t) => this.requireId(t)));
    this.specialSplit = new RegExp(
      `(${[...specials]
        .sort((x, y) => y.length - x.length)
        .map(escapeRegExp)
        .join('|')})`,
    );
    const lower = options.doLowerCase ?? true;
    this.normalizer = bertNormalizer({
      cleanText: true,
      handleChineseChars: options.tokenizeChineseChars ?? true,
      stripAccents: options.stripAccents ?? lower,
      lowercase: lower,
    });
    this.preTokenizer = bertPreTokenizer();
    this.nativeTokenizer = null;
    this.asciiNormalizer = { cleanText: true, lowercase: lower };
    this.bertWords = true;
  }

  private requireId(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) throw new Error(`The vocabulary lacks the special token ${token}`);
    return id;
  }

  /**
   * Trains a WordPiece vocabulary on text and returns its tokenizer. Words
   * are counted after BERT normalization and pre-tokenization; the vocabulary
   * starts with `[PAD] [UNK] [CLS] [SEP] [MASK]` (ids 0 to 4).
   *
   * @param input sentences (any iterable of strings), or `{ files }`: text
   *   files read line by line.
   * @param options `vocabSize` (default 30522, fewer when the corpus has fewer
   *   mergeable pairs), `minFrequency` (default 2), `limitAlphabet` (default
   *   1000), `doLowerCase` (default true).
   * @throws RangeError for a bad option or a `vocabSize` below the special
   *   tokens plus the alphabet; Error when a file cannot be read.
   */
  static train(input: Iterable<string> | { files: readonly string[] }, options: BertTrainOptions = {}): BertTokenizer {
    checkOptions(options, ['vocabSize', 'minFrequency', 'limitAlphabet', 'doLowerCase', 'specialTokens', 'continuingSubwordPrefix'], 'BertTokenizer.train');
    if (options.specialTokens !== undefined || options.continuingSubwordPrefix !== undefined) {
      throw new TypeError('BertTokenizer.train uses the BERT special tokens and the ## prefix; they cannot be changed');
    }
    const lower = options.doLowerCase ?? true;
    const normalizer = bertNormalizer({ cleanText: true, handleChineseChars: true, stripAccents: lower, lowercase: lower });
    const preTokenizer = bertPreTokenizer();
    const counts = new Map<string, number>();
    const ascii: BertNormalizerSettings = { cleanText: true, lowercase: lower };
    const count = (w: string): void => {
      counts.set(w, (counts.get(w) ?? 0) + 1);
    };
    const addText = (text: string): void => forEachWord(text, normalizer, ascii, preTokenizer, true, count);
    if (typeof input === 'object' && input !== null && 'files' in input && !(Symbol.iterator in input)) {
      for (const f of input.files) {
        for (const line of readFileSync(f, 'utf8').split('\n')) addText(line);
      }
    } else {
      for (const s of input as Iterable<string>) {
        if (typeof s !== 'string') throw new TypeError(`Expected string for a training sentence but received ${typeof s}`);
        addText(s);
      }
    }
    // The trainer's defaults apply to what is not given.
    const vocab = trainWordPieceVocab(counts, {
      vocabSize: options.vocabSize,
      minFrequency: options.minFrequency,
      limitAlphabet: options.limitAlphabet,
      specialTokens: SPECIAL_TOKENS,
    });
    return new BertTokenizer(vocab, { doLowerCase: lower });
  }

  /**
   * Loads a BERT `vocab.txt` (one token per line, line number = id), such as
   * Google's `bert-base-uncased` vocabulary or one written by {@link saveVocab}.
   *
   * @throws Error when the file cannot be read, has a duplicate token or lacks a special token.
   */
  static fromVocabFile(path: string, options: BertTokenizerOptions = {}): BertTokenizer {
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return new BertTokenizer(lines, options);
  }

  /**
   * Loads a `tokenizer.json` written by {@link saveTokenizerJson} or by
   * Hugging Face `tokenizers` for a WordPiece model. Its normalizer and
   * pre-tokenizer are used as stored.
   *
   * @throws Error when the file cannot be read or parsed, is not a WordPiece
   *   model, or its vocabulary lacks a special token.
   */
  static fromTokenizerJson(path: string): BertTokenizer {
    const json = JSON.parse(readFileSync(path, 'utf8')) as {
      model?: { type?: string; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number; vocab?: Record<string, number> };
      normalizer?: { type?: string; lowercase?: boolean; clean_text?: boolean } | null;
      pre_tokenizer?: { type?: string } | null;
    };
    const model = json.model;
    if (model?.type !== 'WordPiece' || model.vocab === undefined) {
      throw new Error(`${path} does not hold a WordPiece model (model.type is ${String(model?.type)})`);
    }
    if ((model.continuing_subword_prefix ?? '##') !== '##') {
      throw new Error(`${path}: only the ## continuing-subword prefix is supported`);
    }
    const entries = Object.entries(model.vocab).sort((x, y) => x[1] - y[1]);
    const vocab = entries.map(([t], i) => {
      if (entries[i][1] !== i) throw new Error(`${path}: vocabulary ids are not 0..${entries.length - 1}`);
      return t;
    });
    const tok = new BertTokenizer(vocab, {
      unkToken: model.unk_token ?? '[UNK]',
      maxInputCharsPerWord: model.max_input_chars_per_word ?? 100,
    });
    const native = Tokenizer.fromFile(path);
    tok.nativeTokenizer = native;
    tok.normalizer = native.getNormalizer();
    tok.preTokenizer = native.getPreTokenizer();
    const norm = json.normalizer;
    tok.asciiNormalizer = norm?.type === 'BertNormalizer' ? { cleanText: norm.clean_text ?? true, lowercase: norm.lowercase ?? true } : null;
    tok.bertWords = json.pre_tokenizer?.type === 'BertPreTokenizer';
    return tok;
  }

  /** Number of tokens in the vocabulary. */
  get vocabSize(): number {
    return this.vocab.length;
  }

  /** The vocabulary as token → id. */
  getVocab(): Map<string, number> {
    return new Map(this.ids);
  }

  /** Ids of `[PAD] [UNK] [CLS] [SEP] [MASK]`. */
  get allSpecialIds(): number[] {
    return [...this.specialIds];
  }

  /** Whether `id` is one of the special tokens. */
  isSpecialId(id: number): boolean {
    return this.specialIds.has(id);
  }

  /**
   * The equivalent Hugging Face `tokenizers` object (normalizer,
   * pre-tokenizer, WordPiece, BERT post-processor and decoder, special
   * tokens), built on first use.
   */
  get native(): Tokenizer {
    if (this.nativeTokenizer === null) {
      const vocab: Record<string, number> = Object.create(null) as Record<string, number>;
      this.vocab.forEach((t, i) => {
        vocab[t] = i;
      });
      const native = new Tokenizer(
        WordPiece.init(vocab, {
          unkToken: this.unkToken,
          continuingSubwordPrefix: '##',
          maxInputCharsPerWord: this.maxInputCharsPerWord,
        }),
      );
      if (this.normalizer !== null) native.setNormalizer(this.normalizer);
      if (this.preTokenizer !== null) native.setPreTokenizer(this.preTokenizer);
      native.setPostProcessor(bertProcessing([this.sepToken, this.sepTokenId], [this.clsToken, this.clsTokenId]));
      native.setDecoder(wordPieceDecoder('##', true));
      native.addSpecialTokens([this.padToken, this.unkToken, this.clsToken, this.sepToken, this.maskToken]);
      this.nativeTokenizer = native;
    }
    return this.nativeTokenizer;
  }

  /** Writes the vocabulary as `vocab.txt`: one token per line, line number = id. */
  saveVocab(path: string): void {
    writeFileAtomic(path, `${this.vocab.join('\n')}\n`);
  }

  /** Writes the whole tokenizer as Hugging Face's `tokenizer.json` (loadable by Python `tokenizers`). */
  saveTokenizerJson(path: string): void {
    // The binding writes only to a path: write it aside, then atomically into place.
    const scratch = mkdtempSync(join(tmpdir(), 'tokenizer-'));
    try {
      this.native.save(join(scratch, 'tokenizer.json'), true);
      writeFileAtomic(path, readFileSync(join(scratch, 'tokenizer.json')));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Text → ids without special tokens added (special tokens written in the
   * text are kept). When `wordEnds` is given, the end index (in ids) of every
   * word is appended to it.
   */
  private textToIds(text: string, wordEnds?: number[]): number[] {
    if (typeof text !== 'string') throw new TypeError(`Expected string for text but received ${typeof text}`);
    const out: number[] = [];
    for (const part of text.split(this.specialSplit)) {
      if (part.length === 0) continue;
      const special = this.ids.get(part);
      if (special !== undefined && this.specialIds.has(special)) {
        out.push(special);
        wordEnds?.push(out.length);
        continue;
      }
      forEachWord(part, this.normalizer, this.asciiNormalizer, this.preTokenizer, this.bertWords, (w) => {
        this.lookup.pieces(w, out);
        wordEnds?.push(out.length);
      });
    }
    return out;
  }

  /**
   * Splits text into WordPiece tokens (no `[CLS]`/`[SEP]` added).
   *
   * @example tok.tokenize('Unaffable!') // ['un', '##aff', '##able', '!'] with a suitable vocabulary
   */
  tokenize(text: string): string[] {
    return this.textToIds(text).map((id) => this.vocab[id]);
  }

  /**
   * Encodes one text or a pair: `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]`,
   * optionally truncated (Hugging Face's strategies; `'longest_first'` takes
   * tokens from the longer text, keeping the two as even as possible) and
   * padded with `[PAD]`.
   *
   * @param text first text (A).
   * @param textPair optional second text (B).
   * @param options see {@link EncodeOptions}.
   * @throws TypeError for an unknown option or a non-string text; RangeError
   *   for a bad `maxLength`, for `padding: 'max_length'` without `maxLength`,
   *   or when `'only_first'`/`'only_second'` cannot reach `maxLength`.
   */
  encodePlus(text: string, textPair?: string | null, options: EncodeOptions = {}): BertEncoding {
    const endsA: number[] = [];
    const endsB: number[] = [];
    const a = this.textToIds(text, endsA);
    const b = textPair === undefined || textPair === null ? null : this.textToIds(textPair, endsB);
    return encodeIds(a, endsA, b, endsB, this, options, this.modelMaxLength);
  }

  /**
   * Encodes one text or a pair to ids (the `inputIds` of {@link encodePlus}).
   *
   * @throws as {@link encodePlus}.
   */
  encode(text: string, textPair?: string | null, options: EncodeOptions = {}): number[] {
    return this.encodePlus(text, textPair, options).inputIds;
  }

  /**
   * Ids → tokens. Ids outside the vocabulary give the unknown token, as in
   * `transformers`.
   */
  convertIdsToTokens(ids: number): string;
  convertIdsToTokens(ids: ArrayLike<number | bigint> | Iterable<number | bigint>): string[];
  convertIdsToTokens(ids: number | ArrayLike<number | bigint> | Iterable<number | bigint>): string | string[] {
    const one = (id: number | bigint): string => this.vocab[Number(id)] ?? this.unkToken;
    if (typeof ids === 'number') return one(ids);
    return Array.from(ids as ArrayLike<number | bigint>, one);
  }

  /** Tokens → ids; unknown tokens give the unknown token's id. */
  convertTokensToIds(tokens: string): number;
  convertTokensToIds(tokens: readonly string[]): number[];
  convertTokensToIds(tokens: string | readonly string[]): number | number[] {
    if (typeof tokens === 'string') return this.ids.get(tokens) ?? this.unkTokenId;
    return tokens.map((t) => this.ids.get(t) ?? this.unkTokenId);
  }

  /**
   * Ids → text: pieces joined by spaces, `##` pieces glued to the previous
   * one, then (by default) the spaces before punctuation and inside
   * contractions removed, as `transformers`' `BertTokenizer.decode`.
   */
  decode(ids: ArrayLike<number | bigint> | Iterable<number | bigint>, options: DecodeOptions = {}): string {
    checkOptions(options, ['skipSpecialTokens', 'cleanUpTokenizationSpaces'], 'decode');
    const skip = options.skipSpecialTokens ?? false;
    const tokens: string[] = [];
    for (const raw of Array.from(ids as ArrayLike<number | bigint>)) {
      const id = Number(raw);
      if (skip && this.specialIds.has(id)) continue;
      tokens.push(this.vocab[id] ?? this.unkToken);
    }
    let text = tokens.join(' ').replaceAll(' ##', '').trim();
    if (options.cleanUpTokenizationSpaces ?? true) {
      text = text
        .replaceAll(' .', '.')
        .replaceAll(' ?', '?')
        .replaceAll(' !', '!')
        .replaceAll(' ,', ',')
        .replaceAll(" ' ", "'")
        .replaceAll(" n't", "n't")
        .replaceAll(" 'm", "'m")
        .replaceAll(" 's", "'s")
        .replaceAll(" 've", "'ve")
        .replaceAll(" 're", "'re");
    }
    return text;
  }
}
