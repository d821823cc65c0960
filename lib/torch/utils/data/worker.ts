/**
 * DataLoader worker thread. It rebuilds the dataset from a {@link WorkerSpec},
 * imports the raw collate function, and answers each request (a list of
 * indices) with the collated batch as plain data; the typed arrays it owns
 * are transferred, not copied. It never sends tensors.
 *
 * Messages in: `{ type: 'batch', id, indices }`, `{ type: 'close' }`.
 * Messages out: `{ type: 'ready' }`, `{ type: 'batch', id, data }`,
 * `{ type: 'error', id, message, stack }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildFromWorkerSpec, type MapDataset, type WorkerSpec } from './dataset.js';
import { transferables } from './collate.js';

/** What the main thread passes to a worker. */
export interface WorkerInit {
  /** Marks a DataLoader worker, which may not start workers itself (see dataloader.ts). */
  __torchDataLoaderWorker__: true;
  dataset: WorkerSpec;
  collate: { module: string; exportName: string };
  workerId: number;
  numWorkers: number;
  /** Fetch samples with `getRaw` (true) or `get`. */
  useRaw: boolean;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('worker.ts must run in a worker thread');
  const init = workerData as WorkerInit;
  let dataset: MapDataset<unknown>;
  let collate: (samples: unknown[]) => unknown;
  try {
    dataset = await buildFromWorkerSpec<MapDataset<unknown>>(init.dataset);
    const mod = (await import(init.collate.module)) as Record<string, unknown>;
    const fn = mod[init.collate.exportName];
    if (typeof fn !== 'function') throw new Error(`Module ${init.collate.module} has no function export '${init.collate.exportName}'`);
    collate = fn as (samples: unknown[]) => unknown;
  } catch (e) {
    const err = e as Error;
    port.postMessage({ type: 'error', id: -1, message: err.message, stack: err.stack });
    return;
  }
  const fetch = init.useRaw && dataset.getRaw !== undefined ? dataset.getRaw.bind(dataset) : dataset.get.bind(dataset);
  port.on('message', (msg: { type: string; id: number; indices: number[] }) => {
    if (msg.type === 'close') {
      port.close();
      return;
    }
    try {
      const data = collate(msg.indices.map((i) => fetch(i)));
      port.postMessage({ type: 'batch', id: msg.id, data }, transferables(data));
    } catch (e) {
      const err = e as Error;
      port.postMessage({ type: 'error', id: msg.id, message: err.message, stack: err.stack });
    }
  });
  port.postMessage({ type: 'ready' });
}

void main();
