/** Sequence padding (as torch.nn.utils.rnn.pad_sequence). */
import { Tensor } from '../../tensor.js';
import { full } from '../../creation.js';
import { checkOptions, typeError } from '../../errors.js';

/**
 * Stacks variable-length sequences ([L_i, *]) into [maxL, B, *] (or
 * [B, maxL, *] with batchFirst), filling with paddingValue (default 0).
 * @throws TypeError for an empty list or mismatched trailing shapes/dtypes.
 */
export function padSequence(sequences: Tensor[], opts: { batchFirst?: boolean; paddingValue?: number } = {}): Tensor {
  checkOptions(opts, ['batchFirst', 'paddingValue'], 'padSequence');
  if (!Array.isArray(sequences) || sequences.length === 0) typeError('a non-empty array of Tensors', 'sequences', sequences);
  const first = sequences[0];
  if (!(first instanceof Tensor)) typeError('Tensor', 'sequences[0]', first);
  const trailing = first.shape.slice(1);
  let maxLen = 0;
  for (const [i, s] of sequences.entries()) {
    if (!(s instanceof Tensor)) typeError('Tensor', `sequences[${i}]`, s);
    const t = s.shape.slice(1);
    if (t.length !== trailing.length || t.some((d, j) => d !== trailing[j])) {
      throw new TypeError(`padSequence: sequences[${i}] has trailing shape [${t.join(', ')}] but sequences[0] has [${trailing.join(', ')}]`);
    }
    maxLen = Math.max(maxLen, s.size(0));
  }
  const batchFirst = opts.batchFirst ?? false;
  const shape = batchFirst ? [sequences.length, maxLen, ...trailing] : [maxLen, sequences.length, ...trailing];
  const out = full(shape, opts.paddingValue ?? 0, { dtype: first.dtype, device: first.device });
  sequences.forEach((s, i) => {
    const len = s.size(0);
    if (len === 0) return;
    const dst = batchFirst ? out.select(0, i).narrow(0, 0, len) : out.narrow(0, 0, len).select(1, i);
    dst.copy_(s);
    dst.dispose();
  });
  return out;
}
