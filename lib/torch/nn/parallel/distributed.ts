/**
 * DistributedDataParallel (as `torch.nn.parallel.DistributedDataParallel`):
 * wraps a module so that every rank of a process group trains the same
 * model. At construction the parameters' shapes are checked against rank 0's
 * and parameters and buffers are broadcast from rank 0; during backward,
 * libtorch's own `c10d::Reducer` averages the gradients across ranks in
 * buckets (25 MiB by default, the first one 1 MiB) that are all-reduced as
 * soon as they fill, overlapping with the rest of backward. Every step runs
 * the collectives Python's DDP runs, in the same order, so Python and
 * TypeScript ranks can train one model together.
 *
 * Its own `stateDict()` keys carry the `module.` prefix, as PyTorch's DDP;
 * `ddp.module.stateDict()` is the plain model's.
 */
import { Module } from '../module.js';
import { Tensor } from '../../tensor.js';
import { native } from '../../native.js';
import { isGradEnabled } from '../../autograd.js';
import { checkOptions, rangeError, typeError } from '../../errors.js';
import { type ProcessGroup, resolveGroup } from '../../distributed/process-group.js';

/** c10d's `_DEFAULT_FIRST_BUCKET_BYTES`: 1 MiB. */
const DEFAULT_FIRST_BUCKET_BYTES = 1024 * 1024;
/** DDP's `broadcast_bucket_size`: 250 MiB. */
const BROADCAST_BUCKET_BYTES = 250 * 1024 * 1024;
/** Python's sys.maxsize as a bucket limit (one bucket): passed as SIZE_MAX. */
const NO_LIMIT = 2 ** 64;

/** Options of {@link DistributedDataParallel} (Python's, camelCased). */
export interface DistributedDataParallelOptions {
  /** The group. Default: the default group. */
  processGroup?: ProcessGroup;
  /**
   * For a module on one CUDA device: `[device index]` (usually `[localRank()]`).
   * Must be omitted (or null) for CPU modules. Default: omitted.
   */
  deviceIds?: number[] | null;
  /** Broadcast buffers from rank 0 before each forward. Default true. */
  broadcastBuffers?: boolean;
  /** Bucket size in MiB. Default 25. */
  bucketCapMb?: number;
  /** Find the parameters a forward did not use (so backward does not wait for them). Default false. */
  findUnusedParameters?: boolean;
  /** Gradients are views into the all-reduce buckets (saves memory). Default false. */
  gradientAsBucketView?: boolean;
  /** Check shapes and broadcast parameters and buffers at construction. Default true. */
  initSync?: boolean;
}

/** The forward of a module type. */
type ForwardOf<M> = M extends { forward(...args: infer A): infer R } ? (...args: A) => R : never;

/**
 * Data-parallel training across a process group.
 *
 * @example
 *   await dist.initProcessGroup({ backend: 'gloo' });
 *   const ddp = new nn.parallel.DistributedDataParallel(model);
 *   const loss = lossFn.call(ddp.call(x), y); // forward through the wrapper
 *   loss.backward();                          // gradients averaged over ranks
 *   opt.step();
 *   if (dist.getRank() === 0) torch.save(ddp.module.stateDict(), 'model.pt');
 */
export class DistributedDataParallel<M extends Module> extends Module {
  /** The wrapped module (its stateDict has no `module.` prefix). */
  readonly module: M;
  /** The group gradients are averaged over. */
  readonly processGroup: ProcessGroup;
  /** Whether backward all-reduces gradients (false inside {@link noSync}). */
  requireBackwardGradSync = true;
  /** Whether the next forward broadcasts buffers (as Python's require_forward_param_sync). */
  private requireForwardParamSync = true;
  private readonly broadcastBuffers: boolean;
  private readonly findUnusedParameters: boolean;
  private readonly reducer: unknown;
  private released = false;
  private step = 0;

  /**
   * @throws Error when the process group is not initialized, or when no
   *   parameter requires a gradient; TypeError/RangeError for bad options;
   *   TorchError when another rank's parameters differ in shape or dtype, or
   *   the broadcast fails.
   */
  constructor(module: M, options: DistributedDataParallelOptions = {}) {
    super();
    checkOptions(
      options,
      ['processGroup', 'deviceIds', 'broadcastBuffers', 'bucketCapMb', 'findUnusedParameters', 'gradientAsBucketView', 'initSync'],
      'DistributedDataParallel',
    );
    if (!(module instanceof Module)) typeError('a Module', 'module', module);
    // ---- defaults
    const bucketCapMb = options.bucketCapMb ?? 25;
    const initSync = options.initSync ?? true;
    const gradientAsBucketView = options.gradientAsBucketView ?? false;
    this.broadcastBuffers = options.broadcastBuffers ?? true;
    this.findUnusedParameters = options.findUnusedParameters ?? false;
    // ---- validation
    if (!(typeof bucketCapMb === 'number' && bucketCapMb > 0)) rangeError('a positive number of MiB', 'bucketCapMb', bucketCapMb);
    for (const [k, v] of Object.entries({
      initSync,
      gradientAsBucketView,
      broadcastBuffers: this.broadcastBuffers,
      findUnusedParameters: this.findUnusedParameters,
    })) {
      if (typeof v !== 'boolean') typeError('a boolean', k, v);
    }
    const named = module.namedParameters().filter(([, p]) => p.requiresGrad);
    if (named.length === 0) {
      throw new Error("DistributedDataParallel is not needed when a module doesn't have any parameter that requires a gradient.");
    }
    const onCuda = named.some(([, p]) => p.device.type === 'cuda');
    const deviceIds = options.deviceIds ?? null;
    if (deviceIds !== null) {
      if (!Array.isArray(deviceIds) || deviceIds.length !== 1 || !Number.isInteger(deviceIds[0]))
        typeError('an array of one device index', 'deviceIds', deviceIds);
      if (!onCuda) {
        throw new TypeError(
          `Expected deviceIds to be omitted for a module on the CPU but received [${deviceIds.join(', ')}] (DistributedDataParallel device_ids is for single-device CUDA modules)`,
        );
      }
    }
    this.processGroup = resolveGroup(options.processGroup);
    this.module = module;
    const params = named.map(([, p]) => p);
    const g = this.processGroup._id;
    // ---- as Python's DDP.__init__: check the parameters, sync module states, build the reducer
    if (initSync) {
      native.distVerifyParams(
        g,
        params.map((p) => p._h),
      );
      const states: Tensor[] = module.parameters().map((p) => p.detach());
      if (this.broadcastBuffers) states.push(...module.buffers().map((b) => b.detach()));
      try {
        if (states.length > 0)
          native.distBroadcastCoalesced(
            g,
            states.map((t) => t._h),
            BROADCAST_BUCKET_BYTES,
            0,
          );
      } finally {
        for (const t of states) t.dispose();
      }
    }
    const bucketBytesCap = Math.floor(bucketCapMb * 1024 * 1024);
    const firstBucketBytesCap = options.bucketCapMb === undefined ? DEFAULT_FIRST_BUCKET_BYTES : bucketBytesCap;
    // The first iteration's buckets: all parameters in one unless unused ones
    // must be found (Python's _BucketCapacityConfig); the Reducer rebuilds
    // them after it, in the order gradients became ready.
    const limits = this.findUnusedParameters ? (firstBucketBytesCap < bucketBytesCap ? [firstBucketBytesCap, bucketBytesCap] : [bucketBytesCap]) : [NO_LIMIT];
    const assignment = native.distComputeBucketAssignment(
      params.map((p) => p._h),
      limits,
      params.map(() => false),
    );
    this.reducer = native.distReducer(
      g,
      params.map((p) => p._h),
      [...assignment.buckets].reverse(),
      [...assignment.limits].reverse(),
      bucketBytesCap,
      this.findUnusedParameters,
      gradientAsBucketView,
      firstBucketBytesCap,
      named.map(([n]) => n),
    );
  }

  /**
   * Runs the wrapped module's forward (as `ddp(...)`), preparing the reducer
   * for the backward that follows.
   * @throws TorchError when a collective of the step fails (named with the ranks that did not arrive).
   */
  forward(...args: Parameters<ForwardOf<M>>): ReturnType<ForwardOf<M>> {
    if (this.released) throw new Error('This DistributedDataParallel has been released');
    const grad = isGradEnabled();
    const g = this.processGroup._id;
    // ---- _pre_forward
    if (grad && this.requireBackwardGradSync) native.distReducerPrepareForward(this.reducer);
    if (grad) native.distReducerRebuildBuckets(this.reducer);
    if (this.requireForwardParamSync && this.broadcastBuffers) {
      const bufs = this.module.buffers();
      if (bufs.length > 0)
        native.distBroadcastCoalesced(
          g,
          bufs.map((b) => b._h),
          BROADCAST_BUCKET_BYTES,
          0,
        );
    }
    const out = (this.module.forward as (...a: unknown[]) => unknown)(...(args as unknown[]));
    // ---- _post_forward
    if (grad && this.requireBackwardGradSync) {
      this.requireForwardParamSync = true;
      native.distEnter(g, `DistributedDataParallel step ${++this.step} (forward and backward)`);
      native.distReducerPrepareForBackward(this.reducer, this.findUnusedParameters ? tensorsIn(out).map((t) => t._h) : []);
    } else {
      this.requireForwardParamSync = false;
    }
    return out as ReturnType<ForwardOf<M>>;
  }

  /**
   * Runs `fn` without all-reducing gradients in its backward passes (as
   * `no_sync()`): they accumulate locally, and the first backward after it
   * averages the accumulated gradients. For gradient accumulation.
   */
  noSync<T>(fn: () => T): T {
    if (typeof fn !== 'function') typeError('a function', 'fn', fn);
    const prev = this.requireBackwardGradSync;
    this.requireBackwardGradSync = false;
    try {
      const r = fn();
      if (r instanceof Promise) throw new TypeError('noSync takes a synchronous function');
      return r;
    } finally {
      this.requireBackwardGradSync = prev;
    }
  }

  /** Removes the reducer's autograd hooks: the wrapped module then trains alone. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    native.distReducerRelease(this.reducer);
  }
}

/** Every tensor in a forward's output (tensors, arrays, plain objects, Maps). */
function tensorsIn(v: unknown, out: Tensor[] = [], seen = new Set<unknown>()): Tensor[] {
  if (v instanceof Tensor) {
    out.push(v);
  } else if (typeof v === 'object' && v !== null && !seen.has(v)) {
    seen.add(v);
    const values = v instanceof Map ? [...v.values()] : Array.isArray(v) ? v : Object.values(v);
    for (const x of values) tensorsIn(x, out, seen);
  }
  return out;
}
