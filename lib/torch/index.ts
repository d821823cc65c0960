/**
 * A torch-like typed API over libtorch.
 *
 *   import * as torch from './lib/torch/index.js';
 *   const x = torch.randn([2, 3], { requiresGrad: true });
 */
export { TorchError } from './errors.js';
export * from './dtype.js';
export { Device, device, type DeviceLike, type DeviceType } from './device.js';
export {
  Tensor,
  Slice,
  slice,
  isTensor,
  type IndexItem,
  type IndexList,
  type NestedArray,
  type NestedBigIntArray,
  type ItemOptions,
  type ToOptions,
} from './tensor.js';
export { ValuesIndices } from './op-support.js';
export * from './generated/public.js';
export * from './python-functions.js';
// torch.is_floating_point(tensor) (it also takes a dtype, as dtype.ts's helper does).
export { isFloatingPoint } from './python-functions.js';
export * as linalg from './generated/linalg.js';
export * as special from './generated/special.js';
export * as fft from './generated/fft.js';
export type { Int, Scalar, Layout, MemoryFormat, Reduction } from './op-support.js';
export * from './creation.js';
export { Generator } from './generator.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, autocast } from './autograd.js';
export { tidy, keep, dispose } from './scope.js';
export { manualSeed, setNumThreads, getNumThreads, memory, parallelInfo, version, addonInfo, type MemoryStats } from './runtime.js';
export type { AddonInfo } from './loader.js';
export * as cuda from './cuda.js';
export * as cpu from './cpu.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as utils from './utils/index.js';
export * as distributed from './distributed/index.js';
export { save, load, CheckpointError, writeFileAtomic, type SaveOptions, type LoadOptions, type MapLocation } from './serialization/index.js';
export * as serialization from './serialization/index.js';
