/** BERT's WordPiece tokenizer: pre-tokenizer, WordPiece lookup, encoding with truncation and padding, vocabulary trainer. */
export { BertTokenizer, SPECIAL_TOKENS, type BertTokenizerOptions, type BertTrainOptions, type DecodeOptions } from './bert-tokenizer.js';
export type { BertEncoding, EncodeOptions, PaddingStrategy, TruncationStrategy } from './encoding.js';
export { truncateLongestFirst, wordRoundedLength } from './truncation.js';
export { trainWordPieceVocab, type WordPieceTrainerOptions } from './trainer.js';
