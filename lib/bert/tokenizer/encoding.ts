/**
 * Hugging Face's `encode_plus` after tokenization: truncation of one text or a
 * pair, `[CLS] A [SEP] B [SEP]` with token types, and padding.
 */
import { checkOptions, rangeError } from '../../torch/utils/index.js';
import { truncateLongestFirst, wordRoundedLength } from './truncation.js';

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

/** The special ids an encoding needs. */
export interface EncodingIds {
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;
}

/**
 * Lays out the ids of text A (and B) as an encoding: truncated per
 * `options.truncation`, with special tokens, padded per `options.padding`.
 *
 * @param a ids of A (no special tokens); `endsA` the end (in ids) of each of its words.
 * @param b ids of B, or null; `endsB` likewise.
 * @param modelMaxLength the length `truncation` uses without `maxLength`.
 * @throws TypeError for an unknown option or a bad strategy; RangeError for a
 *   bad `maxLength`, `padding: 'max_length'` without `maxLength`, or when
 *   `'only_first'`/`'only_second'` cannot reach `maxLength`.
 */
export function encodeIds(
  a: number[],
  endsA: readonly number[],
  b: number[] | null,
  endsB: readonly number[],
  ids: EncodingIds,
  options: EncodeOptions,
  modelMaxLength: number,
): BertEncoding {
  checkOptions(options, ['addSpecialTokens', 'maxLength', 'truncation', 'padding'], 'encodePlus');
  const addSpecial = options.addSpecialTokens ?? true;
  if (options.maxLength !== undefined && !(Number.isInteger(options.maxLength) && options.maxLength >= 1))
    rangeError('a positive integer', 'maxLength', options.maxLength);
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

  if (strategy !== false) {
    const maxLength = options.maxLength ?? modelMaxLength;
    const added = addSpecial ? (b === null ? 2 : 3) : 0;
    const target = Math.max(0, maxLength - added);
    if (b === null) {
      if (strategy === 'only_second') throw new RangeError("truncation: 'only_second' needs a text pair");
      if (a.length > target) a = a.slice(0, target);
    } else if (a.length + b.length > target) {
      if (strategy === 'longest_first') {
        [a, b] = truncateLongestFirst(a, b, target, [wordRoundedLength(a.length, endsA, maxLength), wordRoundedLength(b.length, endsB, maxLength)]);
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
  if (addSpecial) push(ids.clsTokenId, 0, 1);
  for (const id of a) push(id, 0, 0);
  if (addSpecial) push(ids.sepTokenId, 0, 1);
  if (b !== null) {
    for (const id of b) push(id, 1, 0);
    if (addSpecial) push(ids.sepTokenId, 1, 1);
  }
  const attentionMask = inputIds.map(() => 1);
  if (padding === 'max_length') {
    const maxLength = options.maxLength as number;
    while (inputIds.length < maxLength) {
      inputIds.push(ids.padTokenId);
      tokenTypeIds.push(0);
      attentionMask.push(0);
      specialTokensMask.push(1);
    }
  }
  return { inputIds, tokenTypeIds, attentionMask, specialTokensMask };
}
