/**
 * Greedy longest-match-first WordPiece: a word becomes the longest vocabulary
 * entry that starts it, then the longest `##` piece that continues it, and so
 * on; a word with no such split is the unknown token.
 */

/** Surrogate halves: the word holds characters outside the BMP. */
const SURROGATE = /[\uD800-\uDFFF]/;

/** A vocabulary's WordPiece lookup, with a cache of the words seen. */
export class WordPieceLookup {
  private readonly wordCache = new Map<string, number[]>();

  /**
   * @param ids token -> id.
   * @param unkTokenId the unknown token's id.
   * @param maxInputCharsPerWord longer words are the unknown token.
   */
  constructor(
    private readonly ids: ReadonlyMap<string, number>,
    private readonly unkTokenId: number,
    private readonly maxInputCharsPerWord: number,
  ) {}

  /** WordPiece of one pre-tokenized word; cached. */
  pieces(word: string, out: number[]): void {
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
          const piece = start > 0 ? `##${sub(start, end)}` : sub(start, end);
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
}
