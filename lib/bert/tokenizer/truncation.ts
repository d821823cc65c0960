/** Hugging Face's truncation of a text pair, as the `tokenizers` 0.23 binding does it. */

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
