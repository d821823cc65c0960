/** Batch sources: anything that yields the course's batches (a DataLoader, an array, a generator). */
import type { BertBatch } from './collate.js';

export type { BertBatch };

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
