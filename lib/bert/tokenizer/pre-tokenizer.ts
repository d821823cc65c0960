/**
 * BERT's normalizer and pre-tokenizer: text to the words WordPiece splits.
 * Hugging Face's Rust objects (npm `tokenizers`) do the work, except for
 * ASCII text under a BERT normalizer, which is normalized here, and BERT's
 * pre-tokenizer, which is one regular expression (both give the same words).
 */
import type { Normalizer, PreTokenizer } from 'tokenizers';

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
export interface BertNormalizerSettings {
  cleanText: boolean;
  lowercase: boolean;
}

/**
 * Normalizes `text` and calls `visit` for each pre-tokenized word. ASCII text
 * under a BERT normalizer is normalized here (accent stripping and CJK
 * spacing do nothing to ASCII) and BERT's pre-tokenizer is a regular
 * expression; anything else goes to the Rust objects.
 */
export function forEachWord(
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
