/**
 * The course's `collate_batch`: pads each sequence of a batch to the
 * longest one with `[PAD]` (0) and stacks sequence-first, as
 * `pad_sequence(batch, batch_first=False, padding_value=PAD_IDX)` does:
 * `[bertInputs [S, B], bertLabels [S, B], segmentLabels [S, B], isNexts [B]]`,
 * all int64.
 *
 * The padding happens in typed arrays ({@link collateBatchRaw}, no tensors,
 * usable in DataLoader workers) and each tensor is created once
 * ({@link wrapCollatedBatch}).
 */
import * as torch from '../torch/index.js';
import type { Tensor } from '../torch/index.js';
import type { CollateFn, RawCollate } from '../torch/utils/data/index.js';
import type { BertSample, RawBertSample } from './dataset.js';

import { PAD_IDX } from './constants.js';

export { PAD_IDX };

/** A collated batch as plain data: row-major `[seqLen, batchSize]` int64 blocks. */
export interface CollatedBertData {
  seqLen: number;
  batchSize: number;
  bertInputs: BigInt64Array;
  bertLabels: BigInt64Array;
  segmentLabels: BigInt64Array;
  /** Length `batchSize`. */
  isNexts: BigInt64Array;
}

/** The course's batch: `[bertInputs [S, B], bertLabels [S, B], segmentLabels [S, B], isNexts [B]]`, int64, sequence-first. */
export type BertBatch = [Tensor, Tensor, Tensor, Tensor];

/** A sample as collation reads it: numbers from typed arrays, arrays or tensors. */
type Seq = ArrayLike<number> | BigInt64Array | Tensor;
type Item = { bertInput: Seq; bertLabel: Seq; segmentLabel: Seq; isNext: number | bigint | Tensor };

function asNumbers(s: Seq): ArrayLike<number> {
  if (s instanceof BigInt64Array) return Array.from(s, Number);
  if (typeof (s as Tensor).toTypedArray === 'function' && !(ArrayBuffer.isView(s) || Array.isArray(s))) {
    const t = s as Tensor;
    if (t.shape.length !== 1) throw new RangeError(`Expected 1-dimensional sequences but received shape [${t.shape.join(', ')}]`);
    const a = t.toTypedArray();
    return a instanceof BigInt64Array ? Array.from(a, Number) : (a as ArrayLike<number>);
  }
  return s as ArrayLike<number>;
}

function asNumber(v: number | bigint | Tensor): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return Number(v.item());
}

/** Writes `src` into column `b` of a row-major `[S, B]` int64 block, through its int32 words. */
function writeColumn(words: Int32Array, src: ArrayLike<number>, b: number, batchSize: number): void {
  for (let s = 0; s < src.length; s++) {
    const v = src[s];
    const k = 2 * (s * batchSize + b);
    words[k] = v;
    words[k + 1] = v < 0 ? -1 : 0;
  }
}

/**
 * Pads and stacks a batch into typed arrays (no tensors).
 *
 * @param items samples: {@link RawBertSample}s (from `getRaw`), plain arrays,
 *   or {@link BertSample}s (tensors, copied out).
 * @param paddingValue pad id. Default `PAD_IDX` (0).
 * @throws RangeError for an empty batch or a sample whose three sequences differ in length.
 */
export function collateBatchRaw(items: readonly Item[], paddingValue = PAD_IDX): CollatedBertData {
  const batchSize = items.length;
  if (batchSize === 0) throw new RangeError('collateBatch: the batch is empty');
  const rows = items.map((it) => [asNumbers(it.bertInput), asNumbers(it.bertLabel), asNumbers(it.segmentLabel)] as const);
  let seqLen = 0;
  rows.forEach(([a, b, c], i) => {
    if (a.length !== b.length || a.length !== c.length) {
      throw new RangeError(
        `collateBatch: sample ${i} has sequences of different lengths (bertInput ${a.length}, bertLabel ${b.length}, segmentLabel ${c.length})`,
      );
    }
    if (a.length > seqLen) seqLen = a.length;
  });
  const make = (): [BigInt64Array, Int32Array] => {
    const out = new BigInt64Array(seqLen * batchSize);
    if (paddingValue !== 0) out.fill(BigInt(paddingValue));
    return [out, new Int32Array(out.buffer)];
  };
  const [bertInputs, wi] = make();
  const [bertLabels, wl] = make();
  const [segmentLabels, ws] = make();
  const isNexts = new BigInt64Array(batchSize);
  const wn = new Int32Array(isNexts.buffer);
  rows.forEach(([a, b, c], i) => {
    writeColumn(wi, a, i, batchSize);
    writeColumn(wl, b, i, batchSize);
    writeColumn(ws, c, i, batchSize);
    const v = asNumber(items[i].isNext);
    wn[2 * i] = v;
    wn[2 * i + 1] = v < 0 ? -1 : 0;
  });
  return { seqLen, batchSize, bertInputs, bertLabels, segmentLabels, isNexts };
}

/** Wraps collated data as the four int64 tensors (one tensor each). */
export function wrapCollatedBatch(raw: CollatedBertData): BertBatch {
  const shape = [raw.seqLen, raw.batchSize];
  return [
    torch.fromTypedArray(raw.bertInputs, shape),
    torch.fromTypedArray(raw.bertLabels, shape),
    torch.fromTypedArray(raw.segmentLabels, shape),
    torch.fromTypedArray(raw.isNexts, [raw.batchSize]),
  ];
}

const rawCollate: RawCollate<CollatedBertData, BertBatch> = {
  input: 'raw',
  raw: (samples: unknown[]): CollatedBertData => collateBatchRaw(samples as Item[]),
  wrap: wrapCollatedBatch,
  module: import.meta.url,
  exportName: 'collateBatchRaw',
};

/**
 * The course's `collate_batch`: pads to the longest sequence with `[PAD]`
 * and returns `[bertInputs [S, B], bertLabels [S, B], segmentLabels [S, B],
 * isNexts [B]]` (int64, sequence-first). Works in DataLoader workers.
 *
 * @throws RangeError as {@link collateBatchRaw}.
 */
export const collateBatch: CollateFn<BertSample | RawBertSample, BertBatch> = Object.assign(
  (items: (BertSample | RawBertSample)[]): BertBatch => wrapCollatedBatch(collateBatchRaw(items)),
  { rawCollate: rawCollate as RawCollate<unknown, BertBatch> },
);
