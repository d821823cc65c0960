/**
 * A training script as a newcomer writes it: the dataset class is defined in
 * the script that is run, and the DataLoader uses workers. Run as the main
 * script by test/50-data-loader.test.ts (not a test file itself): the workers
 * would have to import this very file, running it again in every worker.
 */
import { DataLoader, Dataset, type WorkerSpec } from '../lib/torch/utils/data/index.js';

export class Squares extends Dataset<{ x: number }> {
  get length(): number {
    return 16;
  }
  get(i: number): { x: number } {
    return { x: i * i };
  }
  override workerSpec(): WorkerSpec {
    return { module: import.meta.url, exportName: 'Squares' };
  }
}

const loader = new DataLoader(new Squares(), { batchSize: 4, numWorkers: 2 });
let n = 0;
try {
  for await (const _ of loader) n++;
  console.log(`batches ${n}`);
} catch (e) {
  console.log(`${(e as Error).name}: ${(e as Error).message}`);
  process.exitCode = 3;
}
