/** Parallel training (as `torch.nn.parallel`). */
export { DistributedDataParallel, type DistributedDataParallelOptions } from './distributed.js';
