/**
 * The tokenizer of a Hugging Face BERT folder, as transformers'
 * `BertTokenizerFast.from_pretrained(dir)` reads it:
 *
 *   tokenizer.json           the whole tokenizer (preferred when present)
 *   vocab.txt                the WordPiece vocabulary (older folders)
 *   tokenizer_config.json    do_lower_case, strip_accents, tokenize_chinese_chars,
 *                            special tokens, model_max_length
 *   special_tokens_map.json  special tokens (older folders; overrides the config)
 *
 * The WordPiece work is done by this project's {@link BertTokenizer}
 * (synchronous, checked against `tokenizers`); this file only reads and
 * writes the folder's files and batches encodings into tensors.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../torch/index.js';
import { writeFileAtomic } from '../../torch/index.js';
import { checkOptions } from '../../torch/utils/index.js';
import type { Tensor } from '../../torch/index.js';
import { BertTokenizer, type BertEncoding, type DecodeOptions, type EncodeOptions } from '../tokenizer/index.js';

/** How a folder's tokenizer normalizes and which special tokens it uses (tokenizer_config.json). */
export interface TokenizerSettings {
  /** Lowercase (uncased BERT). Default true. */
  doLowerCase: boolean;
  /** Strip accents; null: the same as doLowerCase (BERT's rule; a value equal to doLowerCase is kept as null). Default null. */
  stripAccents: boolean | null;
  /** Put spaces around CJK characters. Default true. */
  tokenizeChineseChars: boolean;
  unkToken: string;
  sepToken: string;
  padToken: string;
  clsToken: string;
  maskToken: string;
  /** Length `truncation: true` cuts to. Default 512. */
  modelMaxLength: number;
}

/** transformers' defaults (uncased BERT). */
export const TOKENIZER_DEFAULTS: Readonly<TokenizerSettings> = {
  doLowerCase: true,
  stripAccents: null,
  tokenizeChineseChars: true,
  unkToken: '[UNK]',
  sepToken: '[SEP]',
  padToken: '[PAD]',
  clsToken: '[CLS]',
  maskToken: '[MASK]',
  modelMaxLength: 512,
};

/** transformers' "no limit" model_max_length (int(1e30)), written back as the integer Python writes. */
const VERY_LARGE_INTEGER = 1e30;
const VERY_LARGE_LITERAL = '1000000000000000019884624838656';

const SPECIAL_KEYS = [
  ['unkToken', 'unk_token'],
  ['sepToken', 'sep_token'],
  ['padToken', 'pad_token'],
  ['clsToken', 'cls_token'],
  ['maskToken', 'mask_token'],
] as const;

/** Options of {@link BertTokenizerFast.batchEncode}. */
export interface BatchEncodeOptions {
  /** Second texts (one per text) for pairs. Default none. */
  pairs?: readonly string[] | null;
  /** Cut to this many tokens (special tokens included). Default: modelMaxLength when truncating. */
  maxLength?: number;
  /** Default true ('longest_first'). */
  truncation?: EncodeOptions['truncation'];
  /** 'longest' (default): pad to the batch's longest; 'max_length': to maxLength. */
  padding?: 'longest' | 'max_length';
}

/** A batch as the models take it: int64 tensors [B, S]. */
export interface BatchEncoding {
  inputIds: Tensor;
  attentionMask: Tensor;
  tokenTypeIds: Tensor;
}

function readJson(path: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read ${path}: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${path} does not hold a JSON object`);
  return v as Record<string, unknown>;
}

/** A special token as tokenizer configs write it: a string or an AddedToken object `{content}`. */
function tokenText(v: unknown, name: string, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  throw new Error(`${path}: ${name} is neither a string nor a token object`);
}

/**
 * A BERT WordPiece tokenizer read from (and written to) a transformers
 * folder. Encoding delegates to {@link BertTokenizer} (`.tokenizer`).
 *
 * @example
 * const tok = BertTokenizerFast.fromPretrained('bert-base-uncased');
 * const { inputIds, attentionMask, tokenTypeIds } = tok.batchEncode(['Hello world.', 'A second one.']);
 */
export class BertTokenizerFast {
  /** The tokenizer doing the work. */
  readonly tokenizer: BertTokenizer;
  /** What tokenizer_config.json says (and savePretrained writes). */
  readonly settings: Readonly<TokenizerSettings>;

  /**
   * @param vocab the vocabulary, index = id; it must hold the five special tokens named in `settings`.
   * @param settings normalization, special tokens, modelMaxLength (defaults {@link TOKENIZER_DEFAULTS}).
   * @throws TypeError for an unknown setting; Error when the vocabulary lacks a special token or repeats a token.
   */
  constructor(vocab: readonly string[], settings: Partial<TokenizerSettings> = {}) {
    checkOptions(settings, Object.keys(TOKENIZER_DEFAULTS), 'BertTokenizerFast');
    const s = { ...TOKENIZER_DEFAULTS, ...settings };
    if (s.stripAccents === s.doLowerCase) s.stripAccents = null; // BERT's rule says the same: one spelling
    this.settings = s;
    this.tokenizer = new BertTokenizer(vocab, {
      doLowerCase: s.doLowerCase,
      ...(s.stripAccents !== null ? { stripAccents: s.stripAccents } : {}),
      tokenizeChineseChars: s.tokenizeChineseChars,
      unkToken: s.unkToken,
      sepToken: s.sepToken,
      padToken: s.padToken,
      clsToken: s.clsToken,
      maskToken: s.maskToken,
      modelMaxLength: s.modelMaxLength,
    });
  }

  /**
   * Reads the tokenizer of a transformers folder: tokenizer.json when present
   * (a WordPiece model with BERT's normalizer and pre-tokenizer), else
   * vocab.txt with tokenizer_config.json's settings; special tokens from
   * special_tokens_map.json, else tokenizer_config.json, else BERT's.
   * @throws Error when the folder or both tokenizer files are missing, a file is unreadable,
   *   tokenizer.json is not a BERT WordPiece tokenizer, or the vocabulary lacks a special token.
   */
  static fromPretrained(dir: string): BertTokenizerFast {
    if (!existsSync(dir)) throw new Error(`Tokenizer folder ${dir} does not exist`);
    const cfgPath = join(dir, 'tokenizer_config.json');
    const mapPath = join(dir, 'special_tokens_map.json');
    const cfg = existsSync(cfgPath) ? readJson(cfgPath) : {};
    const map = existsSync(mapPath) ? readJson(mapPath) : {};
    const s: TokenizerSettings = { ...TOKENIZER_DEFAULTS };
    if (typeof cfg.do_lower_case === 'boolean') s.doLowerCase = cfg.do_lower_case;
    if (typeof cfg.strip_accents === 'boolean') s.stripAccents = cfg.strip_accents;
    if (typeof cfg.tokenize_chinese_chars === 'boolean') s.tokenizeChineseChars = cfg.tokenize_chinese_chars;
    if (typeof cfg.model_max_length === 'number' && Number.isInteger(cfg.model_max_length) && cfg.model_max_length > 0) s.modelMaxLength = cfg.model_max_length;
    for (const [field, key] of SPECIAL_KEYS) {
      const v = tokenText(map[key], key, mapPath) ?? tokenText(cfg[key], key, cfgPath);
      if (v !== undefined) s[field] = v;
    }
    const jsonPath = join(dir, 'tokenizer.json');
    if (existsSync(jsonPath)) return BertTokenizerFast.fromTokenizerJson(jsonPath, s);
    const vocabPath = join(dir, 'vocab.txt');
    if (!existsSync(vocabPath)) throw new Error(`No tokenizer in ${dir}: expected tokenizer.json or vocab.txt`);
    const lines = readFileSync(vocabPath, 'utf8').split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return new BertTokenizerFast(
      lines.map((l) => l.replace(/\r$/, '')),
      s,
    );
  }

  /** tokenizer.json: its normalizer's flags win over tokenizer_config.json, as in transformers. */
  private static fromTokenizerJson(path: string, s: TokenizerSettings): BertTokenizerFast {
    const json = readJson(path) as {
      model?: { type?: string; vocab?: Record<string, number>; unk_token?: string; continuing_subword_prefix?: string };
      normalizer?: { type?: string; lowercase?: boolean; strip_accents?: boolean | null; handle_chinese_chars?: boolean } | null;
      pre_tokenizer?: { type?: string } | null;
    };
    const model = json.model;
    if (model?.type !== 'WordPiece' || typeof model.vocab !== 'object' || model.vocab === null) {
      throw new Error(`${path} does not hold a WordPiece model (model.type is ${String(model?.type)})`);
    }
    if ((model.continuing_subword_prefix ?? '##') !== '##') throw new Error(`${path}: only the ## continuing-subword prefix is supported`);
    const norm = json.normalizer;
    if (norm?.type !== 'BertNormalizer' || json.pre_tokenizer?.type !== 'BertPreTokenizer') {
      throw new Error(
        `${path} is not a BERT tokenizer: expected a BertNormalizer and a BertPreTokenizer, found ${String(norm?.type)} and ${String(json.pre_tokenizer?.type)}`,
      );
    }
    const entries = Object.entries(model.vocab).sort((a, b) => a[1] - b[1]);
    entries.forEach(([, id], i) => {
      if (id !== i) throw new Error(`${path}: vocabulary ids are not 0..${entries.length - 1}`);
    });
    const settings: TokenizerSettings = {
      ...s,
      doLowerCase: norm.lowercase ?? true,
      stripAccents: norm.strip_accents ?? null,
      tokenizeChineseChars: norm.handle_chinese_chars ?? true,
      unkToken: model.unk_token ?? s.unkToken,
    };
    return new BertTokenizerFast(
      entries.map(([t]) => t),
      settings,
    );
  }

  /**
   * Writes vocab.txt, tokenizer.json, tokenizer_config.json and
   * special_tokens_map.json into `dir` (created if needed): what
   * transformers 5 writes, plus the two files older versions read.
   */
  savePretrained(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const s = this.settings;
    this.tokenizer.saveVocab(join(dir, 'vocab.txt'));
    this.tokenizer.saveTokenizerJson(join(dir, 'tokenizer.json'));
    const specials = Object.fromEntries(SPECIAL_KEYS.map(([field, key]) => [key, s[field]]));
    const large = s.modelMaxLength >= VERY_LARGE_INTEGER;
    const config = {
      backend: 'tokenizers',
      ...specials,
      do_lower_case: s.doLowerCase,
      model_max_length: large ? 0 : s.modelMaxLength,
      strip_accents: s.stripAccents,
      tokenize_chinese_chars: s.tokenizeChineseChars,
      tokenizer_class: 'BertTokenizer',
    };
    const sorted = Object.fromEntries(Object.entries(config).sort(([a], [b]) => (a < b ? -1 : 1)));
    let text = `${JSON.stringify(sorted, null, 2)}\n`;
    if (large) text = text.replace('"model_max_length": 0', `"model_max_length": ${VERY_LARGE_LITERAL}`);
    writeFileAtomic(join(dir, 'tokenizer_config.json'), text);
    writeFileAtomic(join(dir, 'special_tokens_map.json'), `${JSON.stringify(specials, null, 2)}\n`);
  }

  /** Number of tokens in the vocabulary. */
  get vocabSize(): number {
    return this.tokenizer.vocabSize;
  }

  /** Id of the padding token. */
  get padTokenId(): number {
    return this.tokenizer.padTokenId;
  }

  /** Id of the mask token. */
  get maskTokenId(): number {
    return this.tokenizer.maskTokenId;
  }

  /** WordPiece tokens of a text (no special tokens added). */
  tokenize(text: string): string[] {
    return this.tokenizer.tokenize(text);
  }

  /** Ids of `[CLS] text [SEP]` or `[CLS] text [SEP] pair [SEP]`. @throws as {@link BertTokenizer.encodePlus}. */
  encode(text: string, pair?: string | null, options: EncodeOptions = {}): number[] {
    return this.tokenizer.encode(text, pair, options);
  }

  /** Ids, token type ids, attention mask and special-token mask. @throws as {@link BertTokenizer.encodePlus}. */
  encodePlus(text: string, pair?: string | null, options: EncodeOptions = {}): BertEncoding {
    return this.tokenizer.encodePlus(text, pair, options);
  }

  /** Ids back to text. */
  decode(ids: ArrayLike<number | bigint> | Iterable<number | bigint>, options: DecodeOptions = {}): string {
    return this.tokenizer.decode(ids, options);
  }

  /**
   * Encodes texts (or pairs) and pads them into int64 tensors [B, S], as
   * `tokenizer(texts, padding=True, truncation=True, return_tensors='pt')`.
   * @throws TypeError for an unknown option; RangeError for an empty batch, pairs of another
   *   length, or `padding: 'max_length'` without maxLength.
   */
  batchEncode(texts: readonly string[], options: BatchEncodeOptions = {}): BatchEncoding {
    checkOptions(options, ['pairs', 'maxLength', 'truncation', 'padding'], 'batchEncode');
    if (!Array.isArray(texts) || texts.length === 0)
      throw new RangeError(`Expected a non-empty array of texts for texts but received ${Array.isArray(texts) ? 'an empty array' : typeof texts}`);
    const pairs = options.pairs ?? null;
    if (pairs !== null && pairs.length !== texts.length) {
      throw new RangeError(`Expected ${texts.length} pairs (one per text) for pairs but received ${pairs.length}`);
    }
    const padding = options.padding ?? 'longest';
    if (padding !== 'longest' && padding !== 'max_length')
      throw new TypeError(`Expected 'longest' or 'max_length' for padding but received ${String(padding)}`);
    if (padding === 'max_length' && options.maxLength === undefined) throw new RangeError("padding: 'max_length' needs maxLength");
    const enc = texts.map((t, i) =>
      this.tokenizer.encodePlus(t, pairs === null ? null : pairs[i], {
        truncation: options.truncation ?? true,
        ...(options.maxLength !== undefined ? { maxLength: options.maxLength } : {}),
      }),
    );
    const s = padding === 'max_length' ? (options.maxLength as number) : Math.max(...enc.map((e) => e.inputIds.length));
    const b = enc.length;
    const ids = new BigInt64Array(b * s).fill(BigInt(this.tokenizer.padTokenId));
    const mask = new BigInt64Array(b * s);
    const types = new BigInt64Array(b * s);
    enc.forEach((e, i) => {
      e.inputIds.forEach((id, j) => {
        ids[i * s + j] = BigInt(id);
        mask[i * s + j] = 1n;
        types[i * s + j] = BigInt(e.tokenTypeIds[j]);
      });
    });
    return {
      inputIds: torch.fromTypedArray(ids, [b, s]),
      attentionMask: torch.fromTypedArray(mask, [b, s]),
      tokenTypeIds: torch.fromTypedArray(types, [b, s]),
    };
  }
}
