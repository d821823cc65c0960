/**
 * The CPU block cache (libtorch 1.x builds): freed tensors of 1 MiB and more
 * are kept for reuse instead of going back to the kernel, so a training
 * step does not page-fault its large activations in again. The cache holds
 * at most `limitBytes` of free blocks (default 512 MiB, or the environment
 * variable TORCH_NODE_CPU_CACHE_MB), evicting the least recently freed.
 */
import { native } from './native.js';
import { rangeError } from './errors.js';

/** What the CPU block cache holds and how often it served a request. */
export interface CpuCacheInfo {
  /** false where libtorch's default allocator is kept (libtorch 2.x builds). */
  available: boolean;
  /** Bytes of free blocks held for reuse. */
  cachedBytes: number;
  /** Most bytes of free blocks held. */
  limitBytes: number;
  /** Smallest block that is cached. */
  minBlockBytes: number;
  /** Large requests served from the cache. */
  hits: number;
  /** Large requests that went to the system allocator. */
  misses: number;
}

/** The cache's state. */
export function cacheInfo(): CpuCacheInfo {
  return native.cpuCacheInfo();
}

/** Bytes of free blocks held by the cache (as torch.cuda.memoryReserved minus what tensors use). */
export function memoryCached(): number {
  return native.cpuCacheInfo().cachedBytes;
}

/**
 * Sets the most bytes of free blocks the cache holds, freeing the least
 * recently freed blocks beyond it; 0 turns caching off.
 * @throws RangeError unless a non-negative integer.
 */
export function setCacheLimit(bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) rangeError('a non-negative integer', 'bytes', bytes);
  native.cpuSetCacheLimit(bytes);
}

/** Frees every cached block (tensors in use are untouched). */
export function emptyCache(): void {
  native.cpuEmptyCache();
}
