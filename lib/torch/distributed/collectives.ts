/**
 * Collectives (as `torch.distributed.all_reduce`, `broadcast`, ...), run by
 * libtorch's c10d on a {@link ProcessGroup}. Each blocks until done (as in
 * Python) unless called with `{ asyncOp: true }`, which returns a
 * {@link Work} whose `wait()` resolves a Promise from a worker thread, so the
 * event loop keeps running. Every collective is bounded by its group's
 * timeout; a failure names the collective, this rank, the ranks that did not
 * arrive and those that stopped responding.
 *
 * Ranks given as `src`/`dst` are global ranks, as in PyTorch.
 */
import { native, type Handle } from '../native.js';
import { Tensor } from '../tensor.js';
import { checkOptions, rangeError, typeError, describe } from '../errors.js';
import { type ProcessGroup, resolveGroup, currentWorld } from './process-group.js';

/** A reduction (PyTorch's ReduceOp, lower-cased). Gloo has no 'avg': it sums, then divides. */
export type ReduceOp = 'sum' | 'avg' | 'product' | 'min' | 'max';

/** The reduce ops by PyTorch's names: `ReduceOp.SUM` is 'sum'. */
export const ReduceOp = { SUM: 'sum', AVG: 'avg', PRODUCT: 'product', MIN: 'min', MAX: 'max' } as const;

const OPS: readonly string[] = ['sum', 'avg', 'product', 'min', 'max'];

/** The handle of an asynchronous collective (as c10d's Work). */
export class Work {
  /** @internal */
  constructor(
    private readonly handle: unknown,
    /** The tensors the collective reads or writes (kept alive until it is done). */
    readonly tensors: readonly Tensor[],
  ) {}

  /**
   * Resolves when the collective has finished (its results are in place);
   * waits on a worker thread. Rejects with a TorchError naming the collective
   * and the ranks that did not arrive when it fails or times out.
   */
  wait(): Promise<void> {
    return native.distWorkWaitAsync(this.handle);
  }

  /** Blocks until the collective has finished. @throws TorchError as {@link wait} rejects. */
  waitSync(): void {
    native.distWorkWait(this.handle);
  }

  /** Whether the collective has finished (successfully or not). */
  isCompleted(): boolean {
    return native.distWorkIsCompleted(this.handle);
  }
}

/** Options every collective takes. */
export interface CollectiveOptions {
  /** The group. Default: the default group. */
  group?: ProcessGroup;
  /** Return a {@link Work} instead of blocking. Default false. */
  asyncOp?: boolean;
}

type Sync = CollectiveOptions & { asyncOp?: false };
type Async = CollectiveOptions & { asyncOp: true };

function finish(handle: unknown, tensors: Tensor[], asyncOp: boolean | undefined): Work | undefined {
  if (asyncOp === true) return new Work(handle, tensors);
  native.distWorkWait(handle);
  return undefined;
}

function prepare(opts: object | undefined, extra: string[], where: string): ProcessGroup {
  checkOptions(opts, ['group', 'asyncOp', ...extra], where);
  const o = (opts ?? {}) as CollectiveOptions;
  if (o.asyncOp !== undefined && typeof o.asyncOp !== 'boolean') typeError('a boolean', 'asyncOp', o.asyncOp);
  const g = resolveGroup(o.group);
  if (o.group !== undefined && !o.group.ranks.includes(currentWorld().rank)) throw new Error(`${where}: this rank is not a member of the group`);
  return g;
}

function tensorArg(v: unknown, name: string): Tensor {
  if (!(v instanceof Tensor)) typeError('a Tensor', name, v);
  return v;
}

function tensorListArg(v: unknown, n: number, name: string): Tensor[] {
  if (!Array.isArray(v) || v.length !== n) typeError(`an array of ${n} Tensors (one per rank of the group)`, name, v);
  v.forEach((t, i) => tensorArg(t, `${name}[${i}]`));
  return v as Tensor[];
}

/** Every tensor of `list` shaped and typed like `like` (c10d would fail a CHECK instead). */
function sameShapes(list: Tensor[], like: Tensor, name: string): void {
  const want = like.shape;
  list.forEach((t, i) => {
    const got = t.shape;
    if (got.length !== want.length || got.some((d, j) => d !== want[j])) {
      throw new TypeError(`Expected a tensor shaped [${want.join(', ')}] for ${name}[${i}] but received a tensor shaped [${got.join(', ')}]`);
    }
    if (t.dtype !== like.dtype) throw new TypeError(`Expected a ${like.dtype} tensor for ${name}[${i}] but received a ${t.dtype} tensor`);
  });
}

function handles(ts: Tensor[]): Handle[] {
  return ts.map((t) => t._h);
}

function reduceOp(op: unknown, g: ProcessGroup, tensors: Tensor[]): ReduceOp {
  if (typeof op !== 'string' || !OPS.includes(op)) rangeError(`one of ${OPS.map((o) => `'${o}'`).join(', ')}`, 'op', op);
  if (op === 'avg' && g.backend === 'gloo') {
    for (const t of tensors) {
      if (!t.isFloatingPoint()) {
        throw new TypeError(`Expected a floating-point tensor for tensor with op 'avg' (Gloo sums, then divides) but received a ${t.dtype} tensor`);
      }
    }
  }
  return op as ReduceOp;
}

/** The group rank of global rank `r`, checked. */
function groupRankOf(g: ProcessGroup, r: unknown, name: string): number {
  if (!(typeof r === 'number' && Number.isInteger(r))) typeError('an integer rank', name, r);
  const i = g.ranks.indexOf(r);
  if (i < 0) rangeError(`a global rank in the group (${g.ranks.join(', ')})`, name, r);
  return i;
}

/**
 * Reduces `tensor` across the group in place, on every rank (as `all_reduce`).
 * @param opts.op 'sum' (default), 'avg', 'product', 'min' or 'max'.
 * @throws TypeError/RangeError for bad arguments; TorchError when the collective fails or times out.
 */
export function allReduce(tensor: Tensor, opts: Async & { op?: ReduceOp }): Work;
export function allReduce(tensor: Tensor, opts?: Sync & { op?: ReduceOp }): void;
export function allReduce(tensor: Tensor, opts?: CollectiveOptions & { op?: ReduceOp }): Work | void {
  const g = prepare(opts, ['op'], 'allReduce');
  const t = tensorArg(tensor, 'tensor');
  const op = reduceOp(opts?.op ?? 'sum', g, [t]);
  return finish(native.distAllReduce(g._id, [t._h], op), [t], opts?.asyncOp);
}

/**
 * Copies `tensor` from rank `src` to every rank of the group (as `broadcast`).
 * @throws TypeError/RangeError for bad arguments; TorchError when the collective fails or times out.
 */
export function broadcast(tensor: Tensor, src: number, opts: Async): Work;
export function broadcast(tensor: Tensor, src: number, opts?: Sync): void;
export function broadcast(tensor: Tensor, src: number, opts?: CollectiveOptions): Work | void {
  const g = prepare(opts, [], 'broadcast');
  const t = tensorArg(tensor, 'tensor');
  return finish(native.distBroadcast(g._id, [t._h], groupRankOf(g, src, 'src')), [t], opts?.asyncOp);
}

/**
 * Reduces `tensor` onto rank `dst` (as `reduce`); other ranks' tensors are left unspecified.
 * @throws TypeError/RangeError for bad arguments; TorchError when the collective fails or times out.
 */
export function reduce(tensor: Tensor, dst: number, opts: Async & { op?: ReduceOp }): Work;
export function reduce(tensor: Tensor, dst: number, opts?: Sync & { op?: ReduceOp }): void;
export function reduce(tensor: Tensor, dst: number, opts?: CollectiveOptions & { op?: ReduceOp }): Work | void {
  const g = prepare(opts, ['op'], 'reduce');
  const t = tensorArg(tensor, 'tensor');
  const op = reduceOp(opts?.op ?? 'sum', g, [t]);
  if (op === 'avg') rangeError("one of 'sum', 'product', 'min', 'max' (reduce has no 'avg')", 'op', op);
  return finish(native.distReduce(g._id, t._h, groupRankOf(g, dst, 'dst'), op), [t], opts?.asyncOp);
}

/**
 * Gathers every rank's `tensor` into `tensorList` on every rank (as `all_gather`).
 * @param tensorList one tensor per rank of the group, shaped like `tensor`.
 * @throws TypeError/RangeError for bad arguments; TorchError when the collective fails or times out.
 */
export function allGather(tensorList: Tensor[], tensor: Tensor, opts: Async): Work;
export function allGather(tensorList: Tensor[], tensor: Tensor, opts?: Sync): void;
export function allGather(tensorList: Tensor[], tensor: Tensor, opts?: CollectiveOptions): Work | void {
  const g = prepare(opts, [], 'allGather');
  const outs = tensorListArg(tensorList, g.size(), 'tensorList');
  const t = tensorArg(tensor, 'tensor');
  sameShapes(outs, t, 'tensorList');
  return finish(native.distAllGather(g._id, handles(outs), t._h), [...outs, t], opts?.asyncOp);
}

/**
 * Reduces `inputList[i]` across ranks into `output` on rank i (as `reduce_scatter`).
 * @param inputList one tensor per rank of the group, shaped like `output`.
 * @throws TypeError/RangeError for bad arguments; TorchError when the collective fails or times out.
 */
export function reduceScatter(output: Tensor, inputList: Tensor[], opts: Async & { op?: ReduceOp }): Work;
export function reduceScatter(output: Tensor, inputList: Tensor[], opts?: Sync & { op?: ReduceOp }): void;
export function reduceScatter(output: Tensor, inputList: Tensor[], opts?: CollectiveOptions & { op?: ReduceOp }): Work | void {
  const g = prepare(opts, ['op'], 'reduceScatter');
  const out = tensorArg(output, 'output');
  const ins = tensorListArg(inputList, g.size(), 'inputList');
  sameShapes(ins, out, 'inputList');
  const op = reduceOp(opts?.op ?? 'sum', g, [out]);
  return finish(native.distReduceScatter(g._id, out._h, handles(ins), op), [out, ...ins], opts?.asyncOp);
}

/**
 * Gathers every rank's `tensor` into `gatherList` on rank `dst` (as `gather`).
 * @param opts.gatherList on `dst`: one tensor per rank of the group; elsewhere omitted.
 * @param opts.dst the receiving global rank. Default 0.
 * @throws TypeError/RangeError for bad arguments; TorchError when the collective fails or times out.
 */
export function gather(tensor: Tensor, opts: Async & { gatherList?: Tensor[]; dst?: number }): Work;
export function gather(tensor: Tensor, opts?: Sync & { gatherList?: Tensor[]; dst?: number }): void;
export function gather(tensor: Tensor, opts?: CollectiveOptions & { gatherList?: Tensor[]; dst?: number }): Work | void {
  const g = prepare(opts, ['gatherList', 'dst'], 'gather');
  const t = tensorArg(tensor, 'tensor');
  const dst = groupRankOf(g, opts?.dst ?? 0, 'dst');
  let outs: Tensor[] | null = null;
  if (g.rank() === dst) sameShapes((outs = tensorListArg(opts?.gatherList, g.size(), 'gatherList')), t, 'gatherList');
  else if (opts?.gatherList !== undefined)
    throw new TypeError(`Expected no gatherList on a rank other than dst (${g.ranks[dst]}) but received ${describe(opts.gatherList)}`);
  return finish(native.distGather(g._id, t._h, outs === null ? null : handles(outs), dst), [t, ...(outs ?? [])], opts?.asyncOp);
}

/**
 * Sends `scatterList[i]` from rank `src` into `tensor` on rank i (as `scatter`).
 * @param opts.scatterList on `src`: one tensor per rank of the group; elsewhere omitted.
 * @param opts.src the sending global rank. Default 0.
 * @throws TypeError/RangeError for bad arguments; TorchError when the collective fails or times out.
 */
export function scatter(tensor: Tensor, opts: Async & { scatterList?: Tensor[]; src?: number }): Work;
export function scatter(tensor: Tensor, opts?: Sync & { scatterList?: Tensor[]; src?: number }): void;
export function scatter(tensor: Tensor, opts?: CollectiveOptions & { scatterList?: Tensor[]; src?: number }): Work | void {
  const g = prepare(opts, ['scatterList', 'src'], 'scatter');
  const t = tensorArg(tensor, 'tensor');
  const src = groupRankOf(g, opts?.src ?? 0, 'src');
  let ins: Tensor[] | null = null;
  if (g.rank() === src) sameShapes((ins = tensorListArg(opts?.scatterList, g.size(), 'scatterList')), t, 'scatterList');
  else if (opts?.scatterList !== undefined)
    throw new TypeError(`Expected no scatterList on a rank other than src (${g.ranks[src]}) but received ${describe(opts.scatterList)}`);
  return finish(native.distScatter(g._id, t._h, ins === null ? null : handles(ins), src), [t, ...(ins ?? [])], opts?.asyncOp);
}

/**
 * Waits until every rank of the group has reached it (as `barrier`).
 * @throws TorchError when a rank does not arrive within the timeout.
 */
export function barrier(opts: Async): Work;
export function barrier(opts?: Sync): void;
export function barrier(opts?: CollectiveOptions): Work | void {
  const g = prepare(opts, [], 'barrier');
  return finish(native.distBarrier(g._id), [], opts?.asyncOp);
}

/** Options of {@link send} and {@link recv}. */
export interface P2POptions extends CollectiveOptions {
  /** Matches a send with a recv. Default 0. */
  tag?: number;
}

function tagOf(tag: unknown): number {
  if (!(typeof tag === 'number' && Number.isInteger(tag) && tag >= 0)) rangeError('a non-negative integer', 'tag', tag);
  return tag;
}

/**
 * Sends `tensor` to global rank `dst` (as `send`; with asyncOp, as `isend`).
 * @throws TypeError/RangeError for bad arguments or dst = this rank; TorchError when it fails or times out.
 */
export function send(tensor: Tensor, dst: number, opts: P2POptions & { asyncOp: true }): Work;
export function send(tensor: Tensor, dst: number, opts?: P2POptions & { asyncOp?: false }): void;
export function send(tensor: Tensor, dst: number, opts?: P2POptions): Work | void {
  const g = prepare(opts, ['tag'], 'send');
  const t = tensorArg(tensor, 'tensor');
  const tag = tagOf(opts?.tag ?? 0);
  const d = groupRankOf(g, dst, 'dst');
  if (d === g.rank()) rangeError('a rank other than this one', 'dst', dst);
  return finish(native.distSend(g._id, t._h, d, tag), [t], opts?.asyncOp);
}

/**
 * Receives into `tensor` from global rank `src` (as `recv`; with asyncOp, as `irecv`).
 * @throws TypeError/RangeError for bad arguments or src = this rank; TorchError when it fails or times out.
 */
export function recv(tensor: Tensor, src: number, opts: P2POptions & { asyncOp: true }): Work;
export function recv(tensor: Tensor, src: number, opts?: P2POptions & { asyncOp?: false }): void;
export function recv(tensor: Tensor, src: number, opts?: P2POptions): Work | void {
  const g = prepare(opts, ['tag'], 'recv');
  const t = tensorArg(tensor, 'tensor');
  const tag = tagOf(opts?.tag ?? 0);
  const s = groupRankOf(g, src, 'src');
  if (s === g.rank()) rangeError('a rank other than this one', 'src', src);
  return finish(native.distRecv(g._id, t._h, s, tag), [t], opts?.asyncOp);
}
