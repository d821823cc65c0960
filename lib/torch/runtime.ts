/** Seeds, threads and memory statistics. */
import { native } from './native.js';
import { addonInfo as loadedAddonInfo, type AddonInfo } from './loader.js';
import { rangeError } from './errors.js';
import { liveTensorWrappers } from './tensor.js';

/** Seeds libtorch's CPU generator and every CUDA generator. @throws RangeError for a non-integer seed. */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0) rangeError('a non-negative integer', 'seed', seed);
  native.manualSeed(seed);
}

/** Sets libtorch's intra-op thread count. @throws RangeError unless a positive integer. */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) rangeError('a positive integer', 'numThreads', n);
  native.setNumThreads(n);
}

/** libtorch's intra-op thread count. */
export function getNumThreads(): number {
  return native.getNumThreads();
}

/** Live tensors and bytes held per device (each storage counted once). */
export interface MemoryStats {
  /** Native tensor handles not yet disposed or collected. */
  numTensors: number;
  /** Tensor objects not disposed by code (dispose(), a scope); ones the GC collected count too. */
  numWrappers: number;
  /** Bytes of the storages behind live handles, per device ('cpu', 'cuda:0'...). */
  bytes: Record<string, number>;
}

/** The live-tensor count and bytes per device. */
export function memory(): MemoryStats {
  const m = native.memory();
  return { numTensors: m.numTensors, numWrappers: liveTensorWrappers(), bytes: m.bytes };
}

/**
 * Where the native addon was loaded from: its path, and whether it was
 * TORCH_NODE_ADDON ('env'), a source build ('build') or a prebuilt binary
 * package ('prebuilt', with the libtorch folder it loaded and how it found it).
 */
export function addonInfo(): AddonInfo {
  return { ...(loadedAddonInfo as AddonInfo) };
}

/** libtorch's version string (e.g. '2.13.0'). */
export const version: string = native.torchVersion;

/** libtorch's parallel settings (thread pools, BLAS), as at::get_parallel_info. */
export function parallelInfo(): string {
  return native.parallelInfo();
}

// Intra-op threads: TORCH_NUM_THREADS or OMP_NUM_THREADS when set, else
// libtorch's own default (the machine's cores, as in Python).
const envThreads = Number(process.env.TORCH_NUM_THREADS ?? process.env.OMP_NUM_THREADS ?? '');
if (Number.isInteger(envThreads) && envThreads > 0) native.setNumThreads(envThreads);
