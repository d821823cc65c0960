/** CUDA devices (as `torch.cuda`). Every function works where CUDA is absent. */
import { native } from './native.js';
import { rangeError, TorchError } from './errors.js';
import { setCudaCheck, CUDA_UNAVAILABLE } from './device.js';

let available: boolean | undefined;
setCudaCheck(() => (available ??= native.cudaIsAvailable()));

/** True when libtorch sees a CUDA device. */
export function isAvailable(): boolean {
  return native.cudaIsAvailable();
}

/** Number of CUDA devices (0 without CUDA). */
export function deviceCount(): number {
  return native.cudaDeviceCount();
}

function checkDevice(device: number): void {
  const n = deviceCount();
  if (n === 0) throw new TorchError(CUDA_UNAVAILABLE);
  if (!Number.isInteger(device) || device < 0 || device >= n) rangeError(`a device index in [0, ${n - 1}]`, 'device', device);
}

/** Waits for all work on a device (default 0) to finish. @throws Error without CUDA. */
export function synchronize(device = 0): void {
  checkDevice(device);
  native.cudaSynchronize(device);
}

/** Bytes held by tensors on a device. @throws Error without CUDA. */
export function memoryAllocated(device = 0): number {
  checkDevice(device);
  return native.cudaMemory(device).allocated;
}

/** Bytes reserved by the caching allocator. @throws Error without CUDA. */
export function memoryReserved(device = 0): number {
  checkDevice(device);
  return native.cudaMemory(device).reserved;
}

/** Peak bytes held by tensors. @throws Error without CUDA. */
export function maxMemoryAllocated(device = 0): number {
  checkDevice(device);
  return native.cudaMemory(device).peakAllocated;
}

/** Releases cached, unused blocks to the driver. */
export function emptyCache(): void {
  native.cudaEmptyCache();
}

/** Seeds every CUDA generator (torch.manualSeed does this too). */
export function manualSeedAll(seed: number): void {
  native.manualSeed(seed);
}
