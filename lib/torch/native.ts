/**
 * The native addon's interface, and the addon itself (loaded once, on first
 * import, by loader.ts).
 */
import { TorchError } from './errors.js';
import { loadAddon } from './loader.js';

/** Opaque native tensor handle. */
export type Handle = { readonly __handle: unique symbol };

/** The functions the addon exports (see native/*.cc). */
export interface NativeAddon {
  init(errorClass: new (message: string) => Error): void;
  torchVersion: string;
  dispose(h: Handle): boolean;
  isDisposed(h: Handle): boolean;
  fromBytes(data: ArrayBufferView, dtype: number, shape: number[]): Handle;
  toBytes(h: Handle): ArrayBuffer;
  shape(h: Handle): number[];
  stride(h: Handle): number[];
  dim(h: Handle): number;
  numel(h: Handle): number;
  dtype(h: Handle): number;
  device(h: Handle): string;
  storageOffset(h: Handle): number;
  isContiguous(h: Handle): boolean;
  item(h: Handle): number | boolean;
  storageId(h: Handle): string;
  storageNbytes(h: Handle): number;
  storageBytes(h: Handle): ArrayBuffer;
  /** An ArrayBuffer over storage bytes [byteOffset, byteOffset + byteLength) of a CPU tensor, no copy, not owning them: detach it before the tensor goes. */
  storageView(h: Handle, byteOffset: number, byteLength: number, populate?: boolean): ArrayBuffer;
  /** Detaches a storageView so that it releases the storage now. */
  detachView(view: ArrayBuffer): void;
  /** A uint8 tensor over an open file mapped copy-on-write. */
  mapFile(fd: number): Handle;
  /** A 1-D tensor of `dtype` over bytes of a CPU storage, on a storage of its own that shares them. */
  storageSlice(h: Handle, byteOffset: number, byteLength: number, dtype: number): Handle;
  setData(h: Handle, src: Handle): void;
  alias(h: Handle): Handle;
  sameTensor(a: Handle, b: Handle): boolean;
  repr(h: Handle): string;
  lookupOp(name: string, overload: string): number;
  callOp(id: number, ...args: unknown[]): unknown;
  /** Diagnostics of a looked-up operator: its schema and whether calls take the unboxed fast path. */
  opInfo(id: number): { name: string; schema: string; call: string };
  backward(h: Handle, grad: Handle | null, retainGraph?: boolean, createGraph?: boolean): void;
  grad(h: Handle): Handle | null;
  setGrad(h: Handle, g: Handle | null): void;
  requiresGrad(h: Handle): boolean;
  setRequiresGrad(h: Handle, v: boolean): void;
  isLeaf(h: Handle): boolean;
  retainGrad(h: Handle): void;
  gradFnName(h: Handle): string | null;
  isGradEnabled(): boolean;
  setGradEnabled(v: boolean): boolean;
  setAutocast(device: string, enabled: boolean, dtype: number): boolean;
  manualSeed(seed: number): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  cudaSynchronize(device?: number): void;
  cudaMemory(device: number): { allocated: number; reserved: number; peakAllocated: number };
  cudaEmptyCache(): void;
  cpuCacheInfo(): { available: boolean; cachedBytes: number; limitBytes: number; minBlockBytes: number; hits: number; misses: number };
  cpuSetCacheLimit(bytes: number): void;
  cpuEmptyCache(): void;
  reportExternal(handles: Float64Array, count: number): void;
  builtWithCuda(): boolean;
  memory(): { numTensors: number; bytes: Record<string, number> };
  liveTensors(): number;
  parallelInfo(): string;
  adamStep(params: Handle[], expAvgs: Handle[], expAvgSqs: Handle[], maxExpAvgSqs: Handle[], steps: Handle[], opts: object): void;
  sgdStep(params: Handle[], bufs: (Handle | null)[], opts: object): (Handle | null)[];
  clipGradNorm(params: Handle[], maxNorm: number, normType: number, errorIfNonfinite: boolean): Handle;
  /** A CPU dropout mask shaped like h (0 or 1/(1-p)); with relu, also 0 where h <= 0. */
  dropoutMask(h: Handle, p: number, relu?: boolean): Handle;
  /**
   * The view part of indexing in one call: `spec` holds `count` quadruples [kind, a, b, c]:
   * 0 integer a; 1 slice a:b:c (NaN for an absent bound); 2 None; 3 '...';
   * 4 skip a dims (addressed by an index tensor). `specified` is the number
   * of dims the items address (PyTorch's count_specified_dimensions).
   */
  indexBasic(h: Handle, spec: Float64Array, count: number, specified: number): Handle;
  /** randperm(n) drawn from a fresh CPU generator seeded with `seed` (as torch.Generator().manual_seed(seed)). */
  randpermSeeded(n: number, seed: number): Handle;

  // native/distributed.cc: stores and groups are numbers, works and reducers externals.
  distTcpStore(
    host: string,
    port: number,
    isServer: boolean,
    worldSize: number,
    timeoutMs: number,
    multiTenant: boolean,
    useLibuv: boolean,
    waitWorkers: boolean,
  ): Promise<{ store: number; port: number }>;
  distFileStore(path: string, worldSize: number): number;
  distPrefixStore(store: number, prefix: string): number;
  distStoreRelease(store: number): void;
  distStoreSet(store: number, key: string, value: string | Uint8Array): void;
  distStoreGet(store: number, key: string): Uint8Array;
  distStoreAdd(store: number, key: string, amount: number): number;
  distStoreCheck(store: number, keys: string[]): boolean;
  distStoreWait(store: number, keys: string[], timeoutMs: number): void;
  distStoreDelete(store: number, key: string): boolean;
  distStoreSetTimeout(store: number, timeoutMs: number): void;
  distNewGroup(opts: { store: number; rank: number; size: number; backend: string; timeoutMs: number; label: string }): Promise<number>;
  distDestroyGroup(group: number): Promise<void>;
  distWorkWait(work: unknown): void;
  distWorkWaitAsync(work: unknown): Promise<void>;
  distWorkIsCompleted(work: unknown): boolean;
  distAllReduce(group: number, tensors: Handle[], op: string): unknown;
  distBroadcast(group: number, tensors: Handle[], src: number): unknown;
  distReduce(group: number, tensor: Handle, dst: number, op: string): unknown;
  distAllGather(group: number, outputs: Handle[], input: Handle): unknown;
  distReduceScatter(group: number, output: Handle, inputs: Handle[], op: string): unknown;
  distGather(group: number, input: Handle, outputs: Handle[] | null, dst: number): unknown;
  distScatter(group: number, output: Handle, inputs: Handle[] | null, src: number): unknown;
  distBarrier(group: number): unknown;
  distSend(group: number, tensor: Handle, dst: number, tag: number): unknown;
  distRecv(group: number, tensor: Handle, src: number, tag: number): unknown;
  /** Records an arrival at a point all ranks pass; returns its sequence number. */
  distEnter(group: number, name: string): number;
  /** The explained error of a failure at sequence number `seq` (reads the arrival records; takes ~1.2 s). */
  distExplain(group: number, name: string, seq: number, cause: string): string;
  distComputeBucketAssignment(tensors: Handle[], limits: number[], expectSparse: boolean[]): { buckets: number[][]; limits: number[] };
  distVerifyParams(group: number, params: Handle[]): void;
  distBroadcastCoalesced(group: number, tensors: Handle[], bufferSize: number, src: number): void;
  distReducer(
    group: number,
    params: Handle[],
    buckets: number[][],
    perBucketLimits: number[],
    bucketBytesCap: number,
    findUnused: boolean,
    gradAsBucketView: boolean,
    firstBucketBytesCap: number,
    names: string[],
  ): unknown;
  distReducerPrepareForward(reducer: unknown): void;
  distReducerPrepareForBackward(reducer: unknown, outputs: Handle[]): void;
  distReducerRebuildBuckets(reducer: unknown): boolean;
  distReducerRelease(reducer: unknown): void;
  distBuiltWithNccl(): boolean;
}

/** The loaded addon (loaded once, on first import). */
export const native: NativeAddon = loadAddon<NativeAddon>(TorchError);
