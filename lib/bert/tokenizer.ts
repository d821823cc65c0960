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
import { readFileSync, writeFileSync } from 'node:fs';
import {
  Tokenizer,
  WordPiece,
  bertNormalizer,
  bertPreTokenizer,
  bertProcessing,
  wordPieceDecoder,
  type Normalizer,
  type PreTokenizer,
} from 'tokenizers';

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

/** How to truncate: `true` = `'longest_first'`. */
export type TruncationStrategy = boolean | 'longest_first' | 'only_first' | 'only_second' | 'do_not_truncate';
/** How to pad: `true` = `'longest'` (a no-op for one encoding), `'max_length'` pads to `maxLength`. */
export type PaddingStrategy = boolean | 'longest' | 'max_length' | 'do_not_pad';

/** Options of {@link BertTokenizer.encodePlus} and {@link BertTokenizer.encode}. */
export interface EncodeOptions {
  /** Add `[CLS]`/`[SEP]`. Default true. */
  addSpecialTokens?: boolean;
  /** Maximum length, special tokens included. Default: none (`modelMaxLength` when truncating). */
  maxLength?: number;
  /** Truncation strategy. Default false. */
  truncation?: TruncationStrategy;
  /** Padding strategy. Default false. */
  padding?: PaddingStrategy;
}

/** Result of {@link BertTokenizer.encodePlus}; all arrays have the same length. */
export interface BertEncoding {
  /** Token ids. */
  inputIds: number[];
  /** 0 for `[CLS]`, A and its `[SEP]`; 1 for B and its `[SEP]`; 0 for padding. */
  tokenTypeIds: number[];
  /** 1 for real tokens, 0 for padding. */
  attentionMask: number[];
  /** 1 for `[CLS]`, `[SEP]` and padding added here, 0 for tokens of the text. */
  specialTokensMask: number[];
}

/** Options of {@link BertTokenizer.decode}. */
export interface DecodeOptions {
  /** Leave out special tokens. Default false (as in `transformers`). */
  skipSpecialTokens?: boolean;
  /** Remove the space before `. , ! ?` and in contractions (`n't`, `'s`). Default true. */
  cleanUpTokenizationSpaces?: boolean;
}

function checkKeys(what: string, options: object, allowed: readonly string[]): void {
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) {
      throw new TypeError(`Unknown option '${k}' for ${what}; expected one of: ${allowed.join(', ')}`);
    }
  }
}

function checkInt(name: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    const kind = min > 0 ? 'positive integer' : 'non-negative integer';
    throw new RangeError(`Expected ${kind} for ${name} but received ${String(v)} of type ${typeof v}`);
  }
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Surrogate halves: the word holds characters outside the BMP. */
const SURROGATE = /[\uD800-\uDFFF]/;
/** Only ASCII characters. */
const ASCII_ONLY = /^[\x00-\x7f]*$/;
/** ASCII control characters that BERT's `clean_text` removes (tab, LF, CR are whitespace). */
const ASCII_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
/** ASCII whitespace that `clean_text` turns into a space. */
const ASCII_SPACE = /[\t\n\r]/g;
/**
 * BERT's pre-tokenizer as a regular expression: words are split on Unicode
 * whitespace (Rust's `char::is_whitespace`), and every punctuation character
 * (ASCII punctuation or Unicode category P) is a word of its own.
 */
const BERT_WORDS =
  /[\p{P}\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]|[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\p{P}\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]+/gu;

/** What is known of a BERT normalizer, for the ASCII fast path. */
interface BertNormalizerSettings {
  cleanText: boolean;
  lowercase: boolean;
}

/**
 * Normalizes `text` and calls `visit` for each pre-tokenized word. ASCII text
 * under a BERT normalizer is normalized here (accent stripping and CJK
 * spacing do nothing to ASCII) and BERT's pre-tokenizer is a regular
 * expression; anything else goes to the Rust objects.
 */
function forEachWord(
  text: string,
  normalizer: Normalizer | null,
  ascii: BertNormalizerSettings | null,
  preTokenizer: PreTokenizer | null,
  bertWords: boolean,
  visit: (word: string) => void,
): void {
  let norm = text;
  if (normalizer !== null) {
    if (ascii !== null && ASCII_ONLY.test(text)) {
      if (ascii.cleanText) norm = norm.replace(ASCII_CONTROL, '').replace(ASCII_SPACE, ' ');
      if (ascii.lowercase) norm = norm.toLowerCase();
    } else {
      norm = normalizer.normalizeString(text);
    }
  }
  if (bertWords) {
    for (const m of norm.matchAll(BERT_WORDS)) visit(m[0]);
  } else if (preTokenizer === null) {
    if (norm.length > 0) visit(norm);
  } else {
    for (const [word] of preTokenizer.preTokenizeString(norm)) visit(word);
  }
}

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
  private readonly wordCache = new Map<string, number[]>();

  /**
   * @param vocab the vocabulary, index = id; must hold the five special tokens.
   * @param options normalization and special-token names (see {@link BertTokenizerOptions}).
   * @throws Error when the vocabulary has a duplicate token or lacks a special token.
   */
  constructor(vocab: readonly string[], options: BertTokenizerOptions = {}) {
    checkKeys('BertTokenizer', options, [
      'doLowerCase', 'stripAccents', 'tokenizeChineseChars', 'unkToken', 'sepToken', 'padToken',
      'clsToken', 'maskToken', 'maxInputCharsPerWord', 'modelMaxLength',
    ]);
    if (vocab.length === 0) throw new Error('The vocabulary is empty');
    if (options.maxInputCharsPerWord !== undefined) checkInt('maxInputCharsPerWord', options.maxInputCharsPerWord, 1);
    if (options.modelMaxLength !== undefined) checkInt('modelMaxLength', options.modelMaxLength, 1);
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
    this.modelMaxLength = options.modelMaxLength ?? 512;
    this.specialIds = new Set(specials.map((t) => this.requireId(t)));
    this.specialSplit = new RegExp(
      `(${[...specials].sort((x, y) => y.length - x.length).map(escapeRegExp).join('|')})`,
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
    checkKeys('BertTokenizer.train', options, [
      'vocabSize', 'minFrequency', 'limitAlphabet', 'doLowerCase', 'specialTokens', 'continuingSubwordPrefix',
    ]);
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
    const vocab = trainWordPieceVocab(counts, {
      vocabSize: options.vocabSize ?? 30522,
      minFrequency: options.minFrequency ?? 2,
      limitAlphabet: options.limitAlphabet ?? 1000,
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
    tok.asciiNormalizer =
      norm?.type === 'BertNormalizer'
        ? { cleanText: norm.clean_text ?? true, lowercase: norm.lowercase ?? true }
        : null;
    tok.bertWords = json.pre_tokenizer?.type === 'BertPreTokenizer';
    tok.wordCache.clear();
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
    writeFileSync(path, this.vocab.join('\n') + '\n');
  }

  /** Writes the whole tokenizer as Hugging Face's `tokenizer.json` (loadable by Python `tokenizers`). */
  saveTokenizerJson(path: string): void {
    this.native.save(path, true);
  }

  /** WordPiece of one pre-tokenized word; cached. */
  private wordPiece(word: string, out: number[]): void {
    const cached = this.wordCache.get(word);
    if (cached !== undefined) {
      for (const id of cached) out.push(id);
      return;
    }
    const pieces: number[] = [];
    const chars = SURROGATE.test(word) ? Array.from(word) : null;
    const n = chars === null ? word.length : chars.length;
    const sub = (s: number, e: number): string => (chars === null ? word.slice(s, e) : chars.slice(s, e).join(''));
    if (n > this.maxInputCharsPerWord) {
      pieces.push(this.unkTokenId);
    } else {
      let start = 0;
      while (start < n) {
        let end = n;
        let found = -1;
        while (start < end) {
          const piece = start > 0 ? '##' + sub(start, end) : sub(start, end);
          const id = this.ids.get(piece);
          if (id !== undefined) {
            found = id;
            break;
          }
          end--;
        }
        if (found < 0) {
          pieces.length = 0;
          pieces.push(this.unkTokenId);
          break;
        }
        pieces.push(found);
        start = end;
      }
    }
    if (this.wordCache.size >= 200000) this.wordCache.clear();
    this.wordCache.set(word, pieces);
    for (const id of pieces) out.push(id);
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
        this.wordPiece(w, out);
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
    checkKeys('encodePlus', options, ['addSpecialTokens', 'maxLength', 'truncation', 'padding']);
    const addSpecial = options.addSpecialTokens ?? true;
    if (options.maxLength !== undefined) checkInt('maxLength', options.maxLength, 1);
    let strategy = options.truncation ?? false;
    if (strategy === true) strategy = 'longest_first';
    if (strategy === 'do_not_truncate') strategy = false;
    let padding = options.padding ?? false;
    if (padding === true) padding = 'longest';
    if (padding === 'do_not_pad') padding = false;
    const validTrunc = [false, 'longest_first', 'only_first', 'only_second'];
    if (!validTrunc.includes(strategy)) {
      throw new TypeError(`Expected one of true, false, 'longest_first', 'only_first', 'only_second' for truncation but received ${String(strategy)}`);
    }
    if (padding !== false && padding !== 'longest' && padding !== 'max_length') {
      throw new TypeError(`Expected one of true, false, 'longest', 'max_length' for padding but received ${String(padding)}`);
    }
    if (padding === 'max_length' && options.maxLength === undefined) {
      throw new RangeError("padding: 'max_length' needs maxLength");
    }

    const endsA: number[] = [];
    const endsB: number[] = [];
    let a = this.textToIds(text, endsA);
    let b = textPair === undefined || textPair === null ? null : this.textToIds(textPair, endsB);
    if (strategy !== false) {
      const maxLength = options.maxLength ?? this.modelMaxLength;
      const added = addSpecial ? (b === null ? 2 : 3) : 0;
      const target = Math.max(0, maxLength - added);
      if (b === null) {
        if (strategy === 'only_second') throw new RangeError("truncation: 'only_second' needs a text pair");
        if (a.length > target) a = a.slice(0, target);
      } else if (a.length + b.length > target) {
        if (strategy === 'longest_first') {
          [a, b] = truncateLongestFirst(a, b, target, [
            wordRoundedLength(a.length, endsA, maxLength),
            wordRoundedLength(b.length, endsB, maxLength),
          ]);
        } else if (strategy === 'only_first') {
          if (b.length >= target) {
            throw new RangeError(`Cannot truncate the first text to maxLength ${maxLength}: the second text alone has ${b.length} tokens`);
          }
          a = a.slice(0, target - b.length);
        } else {
          if (a.length >= target) {
            throw new RangeError(`Cannot truncate the second text to maxLength ${maxLength}: the first text alone has ${a.length} tokens`);
          }
          b = b.slice(0, target - a.length);
        }
      }
    }

    const inputIds: number[] = [];
    const tokenTypeIds: number[] = [];
    const specialTokensMask: number[] = [];
    const push = (id: number, type: number, special: number): void => {
      inputIds.push(id);
      tokenTypeIds.push(type);
      specialTokensMask.push(special);
    };
    if (addSpecial) push(this.clsTokenId, 0, 1);
    for (const id of a) push(id, 0, 0);
    if (addSpecial) push(this.sepTokenId, 0, 1);
    if (b !== null) {
      for (const id of b) push(id, 1, 0);
      if (addSpecial) push(this.sepTokenId, 1, 1);
    }
    const attentionMask = inputIds.map(() => 1);
    if (padding === 'max_length') {
      const maxLength = options.maxLength as number;
      while (inputIds.length < maxLength) {
        inputIds.push(this.padTokenId);
        tokenTypeIds.push(0);
        attentionMask.push(0);
        specialTokensMask.push(1);
      }
    }
    return { inputIds, tokenTypeIds, attentionMask, specialTokensMask };
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
    checkKeys('decode', options, ['skipSpecialTokens', 'cleanUpTokenizationSpaces']);
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

/**
 * The length `tokenizers` 0.23 sees for a text when truncating a pair to
 * `maxLength`: a text longer than `maxLength` tokens counts only up to the end
 * of the word that holds its `maxLength`-th token (it stops tokenizing there).
 *
 * @param length tokens of the text.
 * @param wordEnds end index (in tokens) of every word, ascending.
 */
export function wordRoundedLength(length: number, wordEnds: readonly number[], maxLength: number): number {
  if (length <= maxLength) return length;
  for (const end of wordEnds) if (end >= maxLength) return Math.min(end, length);
  return length;
}

/**
 * Hugging Face's `longest_first` truncation of a pair to `target` tokens in
 * all: the shorter text is kept whole when the longer one can absorb the cut;
 * otherwise both are cut to half of `target`, and the odd token goes to the
 * longer text (the second one on a tie).
 *
 * @param target tokens to keep, special tokens excluded.
 * @param lengths the lengths that decide (default: the real ones). The
 *   `tokenizers` 0.23 binding decides on {@link wordRoundedLength}s; this
 *   only changes which text gets the odd token.
 */
export function truncateLongestFirst(
  a: number[],
  b: number[],
  target: number,
  lengths: readonly [number, number] = [a.length, b.length],
): [number[], number[]] {
  const [la, lb] = lengths;
  const swap = la > lb;
  let n1 = swap ? lb : la;
  let n2 = n1 > target ? n1 : Math.max(n1, target - n1);
  if (n1 + n2 > target) {
    n1 = Math.floor(target / 2);
    n2 = n1 + (target % 2);
  }
  const [na, nb] = swap ? [n2, n1] : [n1, n2];
  return [a.slice(0, na), b.slice(0, nb)];
}

// ---------------------------------------------------------------------------
// WordPiece vocabulary training (Hugging Face's WordPieceTrainer algorithm: a
// BPE trainer whose non-initial symbols carry the ## prefix). Start from the
// characters, then repeatedly merge the most frequent adjacent pair (ties: the
// pair of smaller ids first) until the vocabulary is full or no pair occurs
// minFrequency times.
// ---------------------------------------------------------------------------

/** Options of {@link trainWordPieceVocab}. */
export interface WordPieceTrainerOptions {
  /** Total vocabulary size, special tokens included. Default 30522. */
  vocabSize?: number;
  /** A pair is merged only if it occurs at least this often. Default 2. */
  minFrequency?: number;
  /** Keep at most this many distinct characters (the most frequent). Default 1000. */
  limitAlphabet?: number;
  /** Tokens placed first, in this order (ids 0, 1, ...). Default none. */
  specialTokens?: readonly string[];
  /** Prefix of word-continuing pieces. Default `##`. */
  continuingSubwordPrefix?: string;
}

/** Pair key: two ids below 2^22 packed into one safe integer. */
const PAIR_SHIFT = 4194304; // 2^22
const pairKey = (a: number, b: number): number => a * PAIR_SHIFT + b;

/** A max-heap of (count, pair) ordered by count, then smaller pair first. */
class PairHeap {
  private keys: number[] = [];
  private counts: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  private above(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    return ci !== cj ? ci > cj : this.keys[i] < this.keys[j];
  }

  private swap(i: number, j: number): void {
    const k = this.keys[i];
    this.keys[i] = this.keys[j];
    this.keys[j] = k;
    const c = this.counts[i];
    this.counts[i] = this.counts[j];
    this.counts[j] = c;
  }

  push(key: number, count: number): void {
    this.keys.push(key);
    this.counts.push(count);
    let i = this.keys.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** Removes the top; returns [key, count]. Call only when size > 0. */
  pop(): [number, number] {
    const top: [number, number] = [this.keys[0], this.counts[0]];
    const lastKey = this.keys.pop() as number;
    const lastCount = this.counts.pop() as number;
    const n = this.keys.length;
    if (n > 0) {
      this.keys[0] = lastKey;
      this.counts[0] = lastCount;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < n && this.above(l, m)) m = l;
        if (r < n && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/**
 * Trains a WordPiece vocabulary from word counts.
 *
 * Id order of the result: the special tokens, the alphabet sorted by code
 * point, the `##` forms of characters in order of first appearance, then the
 * merged pieces in merge order. Deterministic for a given input order.
 *
 * @param wordCounts words (already normalized and pre-tokenized) and how often
 *   each occurs; iteration order decides ties between `##` characters.
 * @param options see {@link WordPieceTrainerOptions}.
 * @returns the vocabulary, index = id; its length is at most `vocabSize`
 *   (fewer when the corpus has fewer mergeable pairs).
 * @throws RangeError when `vocabSize` cannot hold the special tokens and the
 *   alphabet, or an option is not a positive integer.
 */
export function trainWordPieceVocab(
  wordCounts: ReadonlyMap<string, number>,
  options: WordPieceTrainerOptions = {},
): string[] {
  const vocabSize = options.vocabSize ?? 30522;
  const minFrequency = options.minFrequency ?? 2;
  const limitAlphabet = options.limitAlphabet ?? 1000;
  const specials = options.specialTokens ?? [];
  const prefix = options.continuingSubwordPrefix ?? '##';
  for (const [name, v] of [
    ['vocabSize', vocabSize],
    ['limitAlphabet', limitAlphabet],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Expected positive integer for ${name} but received ${v}`);
    }
  }
  if (!Number.isInteger(minFrequency) || minFrequency < 0) {
    throw new RangeError(`Expected non-negative integer for minFrequency but received ${minFrequency}`);
  }
  if (vocabSize >= PAIR_SHIFT) {
    throw new RangeError(`Expected vocabSize below ${PAIR_SHIFT} but received ${vocabSize}`);
  }

  const vocab: string[] = [];
  const ids = new Map<string, number>();
  const add = (tok: string): number => {
    let id = ids.get(tok);
    if (id === undefined) {
      id = vocab.length;
      vocab.push(tok);
      ids.set(tok, id);
    }
    return id;
  };
  for (const s of specials) add(s);

  // Alphabet: every character, or the `limitAlphabet` most frequent ones.
  const charCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) {
    for (const ch of word) charCounts.set(ch, (charCounts.get(ch) ?? 0) + count);
  }
  let alphabet = [...charCounts.entries()];
  if (alphabet.length > limitAlphabet) {
    alphabet.sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    alphabet = alphabet.slice(0, limitAlphabet);
  }
  const kept = new Set(alphabet.map(([c]) => c));
  const sortedChars = [...kept].sort((x, y) => (x.codePointAt(0) as number) - (y.codePointAt(0) as number));
  for (const c of sortedChars) add(c);

  // Words as symbol ids (characters outside the alphabet split the word).
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [word, count] of wordCounts) {
    let symbols: number[] = [];
    let first = true;
    for (const ch of word) {
      if (!kept.has(ch)) {
        if (symbols.length > 0) {
          words.push(symbols);
          counts.push(count);
        }
        symbols = [];
        first = true;
        continue;
      }
      symbols.push(add(first ? ch : prefix + ch));
      first = false;
    }
    if (symbols.length > 0) {
      words.push(symbols);
      counts.push(count);
    }
  }
  if (vocab.length > vocabSize) {
    throw new RangeError(
      `vocabSize ${vocabSize} is too small: the special tokens and the alphabet alone take ${vocab.length} entries`,
    );
  }

  // Pair statistics.
  const pairCounts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  for (let w = 0; w < words.length; w++) {
    const s = words[w];
    const c = counts[w];
    for (let i = 0; i + 1 < s.length; i++) {
      const k = pairKey(s[i], s[i + 1]);
      pairCounts.set(k, (pairCounts.get(k) ?? 0) + c);
      let set = where.get(k);
      if (set === undefined) where.set(k, (set = new Set()));
      set.add(w);
    }
  }
  const heap = new PairHeap();
  for (const [k, c] of pairCounts) if (c > 0) heap.push(k, c);

  const threshold = Math.max(1, minFrequency);
  while (vocab.length < vocabSize && heap.size > 0) {
    const [key, queued] = heap.pop();
    const actual = pairCounts.get(key) ?? 0;
    if (queued !== actual) {
      if (actual > 0) heap.push(key, actual);
      continue;
    }
    if (actual < threshold) break;
    const a = Math.floor(key / PAIR_SHIFT);
    const b = key - a * PAIR_SHIFT;
    const partB = vocab[b].startsWith(prefix) ? vocab[b].slice(prefix.length) : vocab[b];
    const merged = add(vocab[a] + partB);

    const touched = new Set<number>();
    const affected = where.get(key);
    where.delete(key);
    if (affected === undefined) continue;
    for (const w of affected) {
      const s = words[w];
      const c = counts[w];
      // Merge left to right, non-overlapping.
      const next: number[] = [];
      let changed = false;
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          next.push(merged);
          i++;
          changed = true;
        } else {
          next.push(s[i]);
        }
      }
      if (!changed) continue;
      for (let i = 0; i + 1 < s.length; i++) {
        const k = pairKey(s[i], s[i + 1]);
        pairCounts.set(k, (pairCounts.get(k) as number) - c);
      }
      for (let i = 0; i + 1 < next.length; i++) {
        const k = pairKey(next[i], next[i + 1]);
        pairCounts.set(k, (pairCounts.get(k) ?? 0) + c);
        if (next[i] === merged || next[i + 1] === merged) {
          let set = where.get(k);
          if (set === undefined) where.set(k, (set = new Set()));
          set.add(w);
          touched.add(k);
        }
      }
      words[w] = next;
    }
    pairCounts.delete(key);
    for (const k of touched) {
      const c = pairCounts.get(k) ?? 0;
      if (c > 0) heap.push(k, c);
    }
  }
  return vocab;
}
