/** The vocabulary as the model sees it: [PAD] must be id 0, and a checkpoint knows exactly which vocabulary it was trained with. */
import { createHash } from 'node:crypto';
import { PAD_IDX } from './constants.js';
import { BertTokenizer } from './tokenizer/index.js';

/** SHA-256 of the vocabulary as vocab.txt holds it (one token per line). */
export function vocabularyHash(tokens: readonly string[]): string {
  return createHash('sha256')
    .update(`${tokens.join('\n')}\n`)
    .digest('hex');
}

/**
 * Checks that the model can use this vocabulary: `[PAD]` is id 0 (the model
 * masks attention and the loss at id 0).
 * @throws Error naming `source` and the id `[PAD]` has.
 */
export function checkModelVocabulary(tokenizer: BertTokenizer, source: string): void {
  if (tokenizer.padTokenId !== PAD_IDX) {
    throw new Error(
      `${source}: ${tokenizer.padToken} has id ${tokenizer.padTokenId}, but the model pads with id ${PAD_IDX}; ` +
        `a vocabulary for this model must start with ${tokenizer.padToken} (its first line)`,
    );
  }
}

/**
 * Loads vocab.txt for the model.
 * @throws Error when the file cannot be read, lacks a special token, or has `[PAD]` elsewhere than id 0.
 */
export function loadModelVocabulary(path: string): BertTokenizer {
  const tok = BertTokenizer.fromVocabFile(path);
  checkModelVocabulary(tok, path);
  return tok;
}
