/** The course's batch: four int64 tensors, sequence-first. */
import type { Tensor } from '../torch/index.js';

/** [bertInputs [S, B], bertLabels [S, B], segmentLabels [S, B], isNexts [B]] */
export type BertBatch = [Tensor, Tensor, Tensor, Tensor];

/** Anything that yields batches: a DataLoader, an array, a generator. */
export type BatchSource = Iterable<BertBatch> | AsyncIterable<BertBatch>;

/** Iterates a BatchSource (sync or async). */
export async function* batches(source: BatchSource): AsyncGenerator<BertBatch> {
  if (Symbol.asyncIterator in source) {
    yield* source as AsyncIterable<BertBatch>;
  } else {
    yield* source as Iterable<BertBatch>;
  }
}

/** Number of batches when the source knows it (DataLoader.length, array length). */
export function batchCount(source: BatchSource): number | undefined {
  const n = (source as { length?: unknown }).length;
  return typeof n === 'number' ? n : undefined;
}
