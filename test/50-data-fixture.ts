/**
 * Datasets for the DataLoader tests that worker threads can rebuild
 * (module path + constructor arguments).
 */
import { Dataset, type WorkerSpec } from '../lib/torch/utils/data/index.js';

/** Sample `i`: `{ x: i, v: Float32Array [i, 2i], name: 'item-i' }`; throws at `failAt`. */
export class RangeDataset extends Dataset<{ x: number; v: Float32Array; name: string }> {
  constructor(
    readonly n: number,
    readonly failAt = -1,
  ) {
    super();
  }

  get length(): number {
    return this.n;
  }

  get(i: number): { x: number; v: Float32Array; name: string } {
    if (i === this.failAt) throw new Error(`boom at ${i}`);
    return { x: i, v: Float32Array.of(i, 2 * i), name: `item-${i}` };
  }

  override workerSpec(): WorkerSpec {
    return { module: import.meta.url, exportName: 'RangeDataset', args: [this.n, this.failAt] };
  }
}
