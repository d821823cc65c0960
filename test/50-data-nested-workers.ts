/**
 * A dataset module that, when imported, iterates a DataLoader with workers
 * (as a training script would). Imported by a DataLoader worker in
 * test/50-data-loader.test.ts to check that workers cannot start workers.
 */
import { DataLoader } from '../lib/torch/utils/data/index.js';
import { RangeDataset } from './50-data-fixture.js';

export { RangeDataset as NestedDataset };

for await (const _ of new DataLoader(new RangeDataset(4), { batchSize: 2, numWorkers: 1 })) break;
