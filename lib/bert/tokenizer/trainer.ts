/**
 * WordPiece vocabulary training (Hugging Face's WordPieceTrainer algorithm: a
 * BPE trainer whose non-initial symbols carry the ## prefix). Start from the
 * characters, then repeatedly merge the most frequent adjacent pair (ties: the
 * pair of smaller ids first) until the vocabulary is full or no pair occurs
 * minFrequency times.
 */
import { rangeError } from '../../torch/utils/index.js';

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
export function trainWordPieceVocab(wordCounts: ReadonlyMap<string, number>, options: WordPieceTrainerOptions = {}): string[] {
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
      rangeError('a positive integer', name, v);
    }
  }
  if (!Number.isInteger(minFrequency) || minFrequency < 0) {
    rangeError('a non-negative integer', 'minFrequency', minFrequency);
  }
  if (vocabSize >= PAIR_SHIFT) {
    rangeError(`an integer below ${PAIR_SHIFT}`, 'vocabSize', vocabSize);
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
    throw new RangeError(`vocabSize ${vocabSize} is too small: the special tokens and the alphabet alone take ${vocab.length} entries`);
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
