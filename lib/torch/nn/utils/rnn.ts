/** Sequence padding and packing (as torch.nn.utils.rnn). */
import { Tensor } from '../../tensor.js';
import { arange, emptyLike, full, tensor } from '../../creation.js';
import { checkOptions, rangeError, typeError } from '../../errors.js';
import { native } from '../../native.js';
import { lookup, tupleResult } from '../../op-support.js';
import { sort } from '../../generated/torch.js';

/**
 * Stacks variable-length sequences ([L_i, *]) into [maxL, B, *] (or
 * [B, maxL, *] with batchFirst), filling with paddingValue (default 0), on the
 * right (paddingSide 'right', the default) or on the left ('left').
 * @throws TypeError for an empty list, mismatched trailing shapes/dtypes, or a
 *   paddingSide other than 'left'/'right'.
 */
export function padSequence(sequences: Tensor[], opts: { batchFirst?: boolean; paddingValue?: number; paddingSide?: 'left' | 'right' } = {}): Tensor {
  checkOptions(opts, ['batchFirst', 'paddingValue', 'paddingSide'], 'padSequence');
  const side = opts.paddingSide ?? 'right';
  if (side !== 'left' && side !== 'right') typeError("'left' or 'right'", 'paddingSide', side);
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
    const start = side === 'left' ? maxLen - len : 0;
    const dst = batchFirst ? out.select(0, i).narrow(0, start, len) : out.narrow(0, start, len).select(1, i);
    dst.copy_(s);
    dst.dispose();
  });
  return out;
}

// ---------------------------------------------------------------- packed sequences

/**
 * A batch of variable-length sequences packed time step by time step (as
 * torch.nn.utils.rnn.PackedSequence): `data` [sum(lengths), *], `batchSizes`
 * (int64, CPU) the batch size at each step, and the permutations that sort the
 * batch by length (null when the input was already sorted). Iterable as
 * Python's named tuple: `const [data, batchSizes] = packed`. Made by
 * {@link packPaddedSequence} / {@link packSequence}, never by hand.
 */
export class PackedSequence {
  readonly data: Tensor;
  readonly batchSizes: Tensor;
  readonly sortedIndices: Tensor | null;
  readonly unsortedIndices: Tensor | null;

  /**
   * @param unsortedIndices default: the inverse of sortedIndices.
   * @throws TypeError for non-tensors; RangeError when batchSizes is not on the CPU.
   */
  constructor(data: Tensor, batchSizes: Tensor, sortedIndices: Tensor | null = null, unsortedIndices: Tensor | null = null) {
    if (!(data instanceof Tensor)) typeError('Tensor', 'data', data);
    if (!(batchSizes instanceof Tensor)) typeError('Tensor', 'batchSizes', batchSizes);
    if (sortedIndices !== null && !(sortedIndices instanceof Tensor)) typeError('a Tensor or null', 'sortedIndices', sortedIndices);
    if (unsortedIndices !== null && !(unsortedIndices instanceof Tensor)) typeError('a Tensor or null', 'unsortedIndices', unsortedIndices);
    if (batchSizes.device.type !== 'cpu') throw new RangeError(`Expected a CPU tensor for batchSizes but received a tensor on ${batchSizes.device.type}`);
    this.data = data;
    this.batchSizes = batchSizes;
    this.sortedIndices = sortedIndices;
    this.unsortedIndices = unsortedIndices ?? invertPermutation(sortedIndices);
  }

  *[Symbol.iterator](): Iterator<Tensor | null> {
    yield this.data;
    yield this.batchSizes;
    yield this.sortedIndices;
    yield this.unsortedIndices;
  }

  /** The same sequences with `data` (and the permutations) moved/cast by `Tensor.to`; batchSizes stays on the CPU. */
  to(target: Parameters<Tensor['to']>[0]): PackedSequence {
    const data = this.data.to(target);
    if (data === this.data) return this;
    const dev = { device: data.device };
    return new PackedSequence(data, this.batchSizes, this.sortedIndices?.to(dev) ?? null, this.unsortedIndices?.to(dev) ?? null);
  }

  /** Frees the tensors this packed sequence holds. */
  dispose(): void {
    for (const t of [this.data, this.batchSizes, this.sortedIndices, this.unsortedIndices]) if (t !== null && !t.isDisposed) t.dispose();
  }
}

/** The inverse of a permutation (null stays null), as torch.nn.utils.rnn.invert_permutation. */
export function invertPermutation(permutation: Tensor | null): Tensor | null {
  if (permutation === null) return null;
  if (!(permutation instanceof Tensor)) typeError('a Tensor or null', 'permutation', permutation);
  const out = emptyLike(permutation);
  const idx = arange(0, permutation.numel(), { device: permutation.device });
  out.scatter_(0, permutation, idx);
  idx.dispose();
  return out;
}

function lengthsTensor(lengths: Tensor | readonly number[], where: string): Tensor {
  if (lengths instanceof Tensor) return lengths.to({ dtype: 'int64' });
  if (!Array.isArray(lengths) || lengths.some((l) => !Number.isInteger(l))) typeError('a Tensor or an array of integers', `lengths of ${where}`, lengths);
  return tensor(lengths as number[], { dtype: 'int64' });
}

/**
 * Packs a padded batch [T, B, *] (or [B, T, *] with batchFirst) of sequences
 * with the given lengths (as torch.nn.utils.rnn.pack_padded_sequence).
 * @param opts.batchFirst default false. @param opts.enforceSorted default true:
 *   lengths must be sorted in decreasing order; false sorts the batch and
 *   records the permutation.
 * @throws TypeError for wrong kinds or unknown options; RangeError for a
 *   number of lengths other than the batch size or a length longer than the
 *   padded input (which PyTorch 2.13 does not check); TorchError (libtorch's
 *   message) for unsorted lengths under enforceSorted or a zero length.
 */
export function packPaddedSequence(
  input: Tensor,
  lengths: Tensor | readonly number[],
  opts: { batchFirst?: boolean; enforceSorted?: boolean } = {},
): PackedSequence {
  checkOptions(opts, ['batchFirst', 'enforceSorted'], 'packPaddedSequence');
  if (!(input instanceof Tensor)) typeError('Tensor', 'input', input);
  const batchFirst = opts.batchFirst ?? false;
  const enforceSorted = opts.enforceSorted ?? true;
  if (typeof batchFirst !== 'boolean') typeError('a boolean', 'batchFirst', batchFirst);
  if (typeof enforceSorted !== 'boolean') typeError('a boolean', 'enforceSorted', enforceSorted);
  const given = lengthsTensor(lengths, 'packPaddedSequence');
  const owned: Tensor[] = given !== lengths ? [given] : [];
  try {
    if (input.dim() < 2)
      throw new RangeError(`Expected a tensor of at least 2 dimensions for input of packPaddedSequence but received a ${input.dim()}-D tensor`);
    const steps = input.size(batchFirst ? 1 : 0);
    const batch = input.size(batchFirst ? 0 : 1);
    if (given.dim() !== 1 || given.size(0) !== batch) {
      throw new RangeError(`Expected ${batch} lengths (the batch size) for lengths of packPaddedSequence but received ${given.numel()}`);
    }
    // libtorch does not check this one: it would read past the end of the input
    const longest = given.numel() > 0 ? Math.max(...Array.from(given.dataSync() as ArrayLike<number | bigint>, Number)) : 0;
    if (longest > steps)
      throw new RangeError(`Expected lengths of at most ${steps} (the padded length) for lengths of packPaddedSequence but received ${longest}`);
    let lens = given;
    let sortedIndices: Tensor | null = null;
    let x = input;
    if (!enforceSorted) {
      const s = sort(given, { descending: true });
      lens = s.values;
      owned.push(s.values);
      sortedIndices = s.indices.to({ device: input.device });
      if (sortedIndices !== s.indices) owned.push(s.indices);
      x = input.indexSelect(batchFirst ? 0 : 1, sortedIndices);
      owned.push(x);
    }
    const [data, batchSizes] = tupleResult<[Tensor, Tensor]>('TT', native.callOp(lookup('aten::_pack_padded_sequence', ''), x._h, lens._h, batchFirst));
    return new PackedSequence(data, batchSizes, sortedIndices, null);
  } finally {
    for (const t of owned) t.dispose();
  }
}

/**
 * Pads a packed batch back into [T, B, *] (or [B, T, *] with batchFirst), in
 * the original batch order; returns [padded, lengths] (lengths int64 on the
 * CPU), as torch.nn.utils.rnn.pad_packed_sequence.
 * @param opts.paddingValue default 0. @param opts.totalLength pad to this
 *   length (default: the longest sequence).
 * @throws TypeError for wrong kinds or unknown options; RangeError when
 *   totalLength is shorter than the longest sequence.
 */
export function padPackedSequence(
  sequence: PackedSequence,
  opts: { batchFirst?: boolean; paddingValue?: number; totalLength?: number | null } = {},
): [Tensor, Tensor] {
  checkOptions(opts, ['batchFirst', 'paddingValue', 'totalLength'], 'padPackedSequence');
  if (!(sequence instanceof PackedSequence)) typeError('a PackedSequence', 'sequence', sequence);
  const batchFirst = opts.batchFirst ?? false;
  if (typeof batchFirst !== 'boolean') typeError('a boolean', 'batchFirst', batchFirst);
  const paddingValue = opts.paddingValue ?? 0;
  if (typeof paddingValue !== 'number') typeError('a number', 'paddingValue', paddingValue);
  let maxLen = sequence.batchSizes.size(0);
  const total = opts.totalLength ?? null;
  if (total !== null) {
    if (!Number.isInteger(total)) typeError('an integer or null', 'totalLength', total);
    if (total < maxLen) rangeError(`an integer of at least the longest sequence length (${maxLen})`, 'totalLength', total);
    maxLen = total;
  }
  const [padded, lengths] = tupleResult<[Tensor, Tensor]>(
    'TT',
    native.callOp(lookup('aten::_pad_packed_sequence', ''), sequence.data._h, sequence.batchSizes._h, batchFirst, paddingValue, maxLen),
  );
  const un = sequence.unsortedIndices;
  if (un === null) return [padded, lengths];
  const out = padded.indexSelect(batchFirst ? 0 : 1, un);
  const unCpu = un.cpu();
  const lens = lengths.indexSelect(0, unCpu);
  padded.dispose();
  lengths.dispose();
  if (unCpu !== un) unCpu.dispose();
  return [out, lens];
}

/**
 * Packs a list of sequences [L_i, *] (as torch.nn.utils.rnn.pack_sequence).
 * @param opts.enforceSorted default true (lengths must be decreasing).
 * @throws as padSequence and packPaddedSequence.
 */
export function packSequence(sequences: Tensor[], opts: { enforceSorted?: boolean } = {}): PackedSequence {
  checkOptions(opts, ['enforceSorted'], 'packSequence');
  if (!Array.isArray(sequences)) typeError('an array of Tensors', 'sequences', sequences);
  const padded = padSequence(sequences);
  const lengths = sequences.map((s) => s.size(0));
  const packed = packPaddedSequence(padded, lengths, { enforceSorted: opts.enforceSorted ?? true });
  padded.dispose();
  return packed;
}

/**
 * Unpacks into a list of unpadded sequences [L_i, *] in the original order
 * (as torch.nn.utils.rnn.unpack_sequence).
 */
export function unpackSequence(packed: PackedSequence): Tensor[] {
  const [padded, lengths] = padPackedSequence(packed, { batchFirst: true });
  const lens = lengths.dataSync() as ArrayLike<number | bigint>;
  const out = Array.from({ length: padded.size(0) }, (_, i) => padded.select(0, i).narrow(0, 0, Number(lens[i])).clone());
  padded.dispose();
  lengths.dispose();
  return out;
}

/**
 * Splits a padded batch back into its sequences [L_i, *] (as
 * torch.nn.utils.rnn.unpad_sequence; right padding).
 * @param opts.batchFirst default false ([T, B, *]).
 * @throws TypeError for wrong kinds; RangeError when the number of lengths is not the batch size or a length exceeds the padded length.
 */
export function unpadSequence(paddedSequences: Tensor, lengths: Tensor | readonly number[], opts: { batchFirst?: boolean } = {}): Tensor[] {
  checkOptions(opts, ['batchFirst'], 'unpadSequence');
  if (!(paddedSequences instanceof Tensor)) typeError('Tensor', 'paddedSequences', paddedSequences);
  const batchFirst = opts.batchFirst ?? false;
  if (typeof batchFirst !== 'boolean') typeError('a boolean', 'batchFirst', batchFirst);
  if (paddedSequences.dim() < 2)
    throw new RangeError(`Expected a tensor of at least 2 dimensions for paddedSequences but received a ${paddedSequences.dim()}-D tensor`);
  const lt = lengthsTensor(lengths, 'unpadSequence');
  const lens = Array.from(lt.dataSync() as ArrayLike<number | bigint>, Number);
  if (lt !== lengths) lt.dispose();
  const batch = paddedSequences.size(batchFirst ? 0 : 1);
  const steps = paddedSequences.size(batchFirst ? 1 : 0);
  if (lens.length !== batch) throw new RangeError(`Expected ${batch} lengths (the batch size) for lengths of unpadSequence but received ${lens.length}`);
  const over = lens.find((l) => l > steps || l < 0);
  if (over !== undefined) throw new RangeError(`Expected lengths in [0, ${steps}] (the padded length) for lengths of unpadSequence but received ${over}`);
  return lens.map((len, i) => {
    const seq = paddedSequences.select(batchFirst ? 0 : 1, i);
    const view = seq.narrow(0, 0, len);
    const out = view.clone();
    view.dispose();
    seq.dispose();
    return out;
  });
}
