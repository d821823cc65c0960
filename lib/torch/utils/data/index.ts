/** `torch.utils.data`: datasets, samplers, collation and the DataLoader. */
export {
  Dataset,
  IterableDataset,
  TensorDataset,
  Subset,
  ConcatDataset,
  randomSplit,
  defaultGenerator,
  buildFromWorkerSpec,
  checkIndex,
  type MapDataset,
  type WorkerSpec,
} from './dataset.js';
export {
  SequentialSampler,
  RandomSampler,
  SubsetRandomSampler,
  BatchSampler,
  type Sampler,
  type Sized,
  type RandomSamplerOptions,
} from './sampler.js';
export {
  defaultCollate,
  defaultCollateRaw,
  defaultConvert,
  wrapTensorData,
  tensorData,
  tensorFromData,
  isTensorData,
  transferables,
  TENSOR_DATA_TAG,
  type TensorData,
  type RawCollate,
  type CollateFn,
} from './collate.js';
export { DataLoader, type DataLoaderOptions } from './dataloader.js';
export { DistributedSampler, type DistributedSamplerOptions } from './distributed.js';
