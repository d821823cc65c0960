/**
 * Process groups (as `torch.distributed.init_process_group`, `new_group`,
 * `get_rank`, ...): libtorch's c10d ProcessGroup with a Gloo backend (NCCL
 * where the addon has it), rendezvoused through `env://` (torchrun's
 * MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE), `tcp://` or `file://` exactly
 * as Python does it: the same stores, key prefixes and handshakes, so Python
 * and TypeScript processes can be ranks of one group.
 */
import { native } from '../native.js';
import { checkOptions, rangeError, typeError, describe } from '../errors.js';
import { isAvailable as cudaIsAvailable } from '../cuda.js';
import { FileStore, PrefixStore, Store, TCPStore } from './store.js';

/** A c10d backend: Gloo (CPU tensors) or NCCL (CUDA tensors, where built). */
export type Backend = 'gloo' | 'nccl';

/** PyTorch's default collective timeouts: 30 min for Gloo, 10 min for NCCL. */
export const DEFAULT_TIMEOUT_MS: Readonly<Record<Backend, number>> = { gloo: 30 * 60_000, nccl: 10 * 60_000 };

/** A group of processes that run collectives together. */
export class ProcessGroup {
  /** @internal */
  constructor(
    /** @internal */ readonly _id: number,
    private readonly groupRank: number,
    /** The global ranks of the members, in group-rank order. */
    readonly ranks: readonly number[],
    /** The backend ('gloo' or 'nccl'). */
    readonly backend: Backend,
    /** c10d's group name ('0' for the default group, then '1', '2', ...). */
    readonly name: string,
    /** The collective timeout, in milliseconds. */
    readonly timeout: number,
  ) {}

  /** This process's rank in the group. */
  rank(): number {
    return this.groupRank;
  }

  /** Number of processes in the group. */
  size(): number {
    return this.ranks.length;
  }

  /** @internal Set once destroyed. */
  _destroyed = false;
}

interface World {
  defaultGroup: ProcessGroup;
  /** The store every group's store is made from (the default group's: `default_pg` then `0/`). */
  defaultStore: Store;
  /** The rendezvous store with the `default_pg` prefix. */
  pgStore: Store;
  rank: number;
  worldSize: number;
  groups: Set<ProcessGroup>;
  groupCount: number;
}

let world: World | undefined;

/** Options of {@link initProcessGroup} (Python's, camelCased). */
export interface InitProcessGroupOptions {
  /** 'gloo' or 'nccl'. Default: 'nccl' when CUDA is available and the addon has NCCL, else 'gloo' (as PyTorch 2.x). */
  backend?: Backend;
  /** 'env://' (the default), 'tcp://host:port' or 'file:///path'; not with `store`. */
  initMethod?: string;
  /** A store to rendezvous through instead of `initMethod` (then `rank` and `worldSize` are required). */
  store?: Store;
  /** Number of processes. Default: from the init method (WORLD_SIZE for env://). */
  worldSize?: number;
  /** This process's rank. Default: from the init method (RANK for env://). */
  rank?: number;
  /** Timeout of collectives and of the rendezvous, in milliseconds. Default 30 min (Gloo), 10 min (NCCL). */
  timeout?: number;
}

const INIT_ERROR = 'Error initializing torch.distributed using ';

/**
 * Initializes the default process group (as `init_process_group`). Every
 * process of the job calls it; it resolves once all have joined.
 *
 * @example
 *   // torchrun --nproc_per_node 2 --no_python npx tsx train.ts
 *   await dist.initProcessGroup({ backend: 'gloo' });
 *   console.log(dist.getRank(), dist.getWorldSize());
 *
 * @throws Error when already initialized, when an env:// variable is missing
 *   or an init method lacks rank/world size (Python's messages); TypeError or
 *   RangeError for bad options. The Promise rejects with a TorchError when
 *   the rendezvous fails or times out.
 */
export async function initProcessGroup(options: InitProcessGroupOptions = {}): Promise<ProcessGroup> {
  checkOptions(options, ['backend', 'initMethod', 'store', 'worldSize', 'rank', 'timeout'], 'initProcessGroup');
  if (world !== undefined) throw new Error('trying to initialize the default process group twice!');
  const backend = options.backend ?? (cudaIsAvailable() && native.distBuiltWithNccl() ? 'nccl' : 'gloo');
  checkBackend(backend);
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS[backend];
  checkTimeout(timeout);
  if (options.rank !== undefined && !(Number.isInteger(options.rank) && options.rank >= 0)) rangeError('a non-negative integer', 'rank', options.rank);
  if (options.worldSize !== undefined && !(Number.isInteger(options.worldSize) && options.worldSize > 0))
    rangeError('a positive integer', 'worldSize', options.worldSize);
  if (options.store !== undefined && options.initMethod !== undefined) throw new Error('Cannot specify both initMethod and store.');
  let store: Store;
  let rank: number;
  let worldSize: number;
  if (options.store !== undefined) {
    if (!(options.store instanceof Store)) typeError('a Store', 'store', options.store);
    if (options.worldSize === undefined) throw new Error('worldSize must be positive if using store');
    if (options.rank === undefined) throw new Error('rank must be non-negative if using store');
    ({ store, rank, worldSize } = { store: options.store, rank: options.rank, worldSize: options.worldSize });
  } else {
    ({ store, rank, worldSize } = await rendezvous(options.initMethod ?? 'env://', options.rank, options.worldSize, timeout));
  }
  if (rank >= worldSize) rangeError(`a rank in [0, ${worldSize - 1}]`, 'rank', rank);
  store.setTimeout(timeout);
  // As init_process_group: PrefixStore("default_pg", store), then the group's PrefixStore(f"{group_name}/", ...).
  const pgStore = new PrefixStore('default_pg', store);
  const groupStore = new PrefixStore('0/', pgStore);
  const id = await native.distNewGroup({ store: groupStore._id, rank, size: worldSize, backend, timeoutMs: timeout, label: 'the default group' });
  const group = new ProcessGroup(id, rank, range(worldSize), backend, '0', timeout);
  world = { defaultGroup: group, defaultStore: groupStore, pgStore, rank, worldSize, groups: new Set([group]), groupCount: 1 };
  if (process.env.TORCH_DIST_INIT_BARRIER === '1') storeBasedBarrier(pgStore, '0', worldSize, timeout, rank);
  return group;
}

/** Builds the store an init method names, as torch/distributed/rendezvous.py does. */
async function rendezvous(
  url: string,
  rankOpt: number | undefined,
  worldSizeOpt: number | undefined,
  timeout: number,
): Promise<{ store: Store; rank: number; worldSize: number }> {
  if (typeof url !== 'string') typeError('a URL string', 'initMethod', url);
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/i.exec(url);
  if (m === null) throw new Error(`No rendezvous handler for ${url}`);
  const scheme = m[1].toLowerCase();
  const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(m[2]) ?? ['', m[2], undefined];
  const hostname = (hostPort[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  const portText = hostPort[2] ?? '';
  const path = decodeURIComponent(m[3]);
  const query = new URLSearchParams(m[4] ?? '');
  const queryInt = (key: string): number | undefined => (query.has(key) ? Number.parseInt(query.get(key) as string, 10) : undefined);
  let rank = rankOpt ?? queryInt('rank');
  let worldSize = worldSizeOpt ?? queryInt('world_size');
  const useLibuv = (query.get('use_libuv') ?? process.env.USE_LIBUV ?? '1') === '1';
  // Checked before any store is made: a client waiting for a server that will never come would hang.
  const checkRank = (rk: number, ws: number): void => {
    if (!(Number.isInteger(ws) && ws > 0)) rangeError('a positive integer', 'worldSize', ws);
    if (!(Number.isInteger(rk) && rk >= 0 && rk < ws)) rangeError(`a rank in [0, ${ws - 1}]`, 'rank', rk);
  };
  if (scheme === 'env') {
    const envOf = (name: string): string => {
      const v = process.env[name];
      if (v === undefined || v === '') throw new Error(`${INIT_ERROR}env:// rendezvous: environment variable ${name} expected, but not set`);
      return v;
    };
    rank ??= envInt('RANK', envOf('RANK'));
    worldSize ??= envInt('WORLD_SIZE', envOf('WORLD_SIZE'));
    checkRank(rank, worldSize);
    const host = envOf('MASTER_ADDR');
    const port = envInt('MASTER_PORT', envOf('MASTER_PORT'));
    return { store: await createC10dStore(host, port, rank, worldSize, timeout, useLibuv), rank, worldSize };
  }
  if (scheme === 'tcp') {
    if (portText === '') throw new Error(`${INIT_ERROR}tcp:// rendezvous: port number missing`);
    if (rank === undefined) throw new Error(`${INIT_ERROR}tcp:// rendezvous: rank parameter missing`);
    if (worldSize === undefined) throw new Error(`${INIT_ERROR}tcp:// rendezvous: world size parameter missing`);
    checkRank(rank, worldSize);
    return { store: await createC10dStore(hostname, Number(portText), rank, worldSize, timeout, useLibuv), rank, worldSize };
  }
  if (scheme === 'file') {
    if (path === '') throw new Error(`${INIT_ERROR}file:// rendezvous: path missing`);
    if (rank === undefined) throw new Error(`${INIT_ERROR}file:// rendezvous: rank parameter missing`);
    if (worldSize === undefined) throw new Error(`${INIT_ERROR}file:// rendezvous: world size parameter missing`);
    checkRank(rank, worldSize);
    return { store: new FileStore(path, worldSize), rank, worldSize };
  }
  throw new Error(`No rendezvous handler for ${scheme}://`);
}

function envInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Expected a non-negative integer for environment variable ${name} but received ${describe(value)}`);
  return n;
}

/**
 * As rendezvous._create_c10d_store: under torchrun (TORCHELASTIC_USE_AGENT_STORE=True)
 * the agent hosts the store, every rank is a client and the keys are prefixed
 * with `/worker/attempt_<restart count>`; otherwise rank 0 hosts it.
 */
async function createC10dStore(host: string, port: number, rank: number, worldSize: number, timeout: number, useLibuv: boolean): Promise<Store> {
  if (!(port >= 0 && port < 65536)) throw new RangeError(`port must have value from 0 to 65535 but was ${port}.`);
  if (process.env.TORCHELASTIC_USE_AGENT_STORE === 'True') {
    // Each restart of the group gets keys of its own, as Python's: a restarted
    // group must not read the addresses the previous attempt's ranks left there.
    const attempt = process.env.TORCHELASTIC_RESTART_COUNT ?? '0';
    const agent = await TCPStore.create({ hostName: host, port, worldSize, isMaster: false, timeout });
    return new PrefixStore(`/worker/attempt_${attempt}`, agent);
  }
  return TCPStore.create({ hostName: host, port, worldSize, isMaster: rank === 0, timeout, multiTenant: true, useLibuv });
}

/** As distributed_c10d._store_based_barrier (used when TORCH_DIST_INIT_BARRIER=1). */
function storeBasedBarrier(store: Store, groupName: string, worldSize: number, timeout: number, rank: number): void {
  const key = `store_based_barrier_key:${groupName}`;
  store.add(key, 1);
  const count = store.add(key, 0);
  const last = `${key}:last_worker`;
  if (count === worldSize) store.set(last, '1');
  try {
    store.wait([last], timeout);
  } catch (e) {
    throw new Error(
      `Timed out initializing process group in store based barrier on rank ${rank}, for key: ${key} (world_size=${worldSize}, num_workers_joined=${store.add(key, 0)}, timeout=${timeout} ms error=${(e as Error).message})`,
    );
  }
}

function checkBackend(backend: unknown): asserts backend is Backend {
  if (backend !== 'gloo' && backend !== 'nccl') rangeError("'gloo' or 'nccl'", 'backend', backend);
}

function checkTimeout(timeout: unknown): void {
  if (!(typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0)) rangeError('a positive integer (milliseconds)', 'timeout', timeout);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** @internal The initialized world. @throws Error when initProcessGroup has not run. */
export function currentWorld(): World {
  if (world === undefined) throw new Error('Default process group has not been initialized, please make sure to call initProcessGroup.');
  return world;
}

/** @internal The group to use: `group` or the default one. @throws Error when not initialized or destroyed. */
export function resolveGroup(group: ProcessGroup | undefined): ProcessGroup {
  const w = currentWorld();
  if (group === undefined) return w.defaultGroup;
  if (!(group instanceof ProcessGroup)) typeError('a ProcessGroup', 'group', group);
  if (group._destroyed) throw new Error('Invalid process group specified: it has been destroyed');
  return group;
}

/** Whether the default process group is initialized. */
export function isInitialized(): boolean {
  return world !== undefined;
}

/** Whether torch.distributed is available (always, on this addon). */
export function isAvailable(): boolean {
  return true;
}

/** Whether the Gloo backend is available (always). */
export function isGlooAvailable(): boolean {
  return true;
}

/** Whether the NCCL backend was built into the addon (a CUDA libtorch with NCCL). */
export function isNcclAvailable(): boolean {
  return native.distBuiltWithNccl();
}

/**
 * This process's rank in `group` (default: the default group), or -1 when it
 * is not a member. @throws Error when not initialized.
 */
export function getRank(group?: ProcessGroup): number {
  const g = resolveGroup(group);
  if (group === undefined) return currentWorld().rank;
  return g.ranks.indexOf(currentWorld().rank);
}

/** Number of processes in `group` (default: the default group). @throws Error when not initialized. */
export function getWorldSize(group?: ProcessGroup): number {
  return resolveGroup(group).size();
}

/** The backend of `group` (default: the default group). @throws Error when not initialized. */
export function getBackend(group?: ProcessGroup): Backend {
  return resolveGroup(group).backend;
}

/** The group rank of a global rank in `group`. @throws RangeError when it is not a member. */
export function getGroupRank(group: ProcessGroup, globalRank: number): number {
  const r = resolveGroup(group).ranks.indexOf(globalRank);
  if (r < 0) rangeError(`a member of the group (global ranks ${group.ranks.join(', ')})`, 'globalRank', globalRank);
  return r;
}

/** The global rank of a group rank in `group`. @throws RangeError when out of range. */
export function getGlobalRank(group: ProcessGroup, groupRank: number): number {
  const g = resolveGroup(group);
  if (!(Number.isInteger(groupRank) && groupRank >= 0 && groupRank < g.size())) rangeError(`a group rank in [0, ${g.size() - 1}]`, 'groupRank', groupRank);
  return g.ranks[groupRank];
}

/** Options of {@link newGroup}. */
export interface NewGroupOptions {
  /** Global ranks of the members (sorted, as PyTorch). Default: every rank. */
  ranks?: number[];
  /** Collective timeout in milliseconds. Default: the backend's default. */
  timeout?: number;
  /** Backend. Default: the default group's. */
  backend?: Backend;
}

/**
 * Creates a process group of some ranks (as `new_group`). Every process of
 * the default group must call it, in the same order, members or not.
 * Resolves to the group, or to null in processes that are not members.
 *
 * @throws Error when not initialized; RangeError for ranks out of range or repeated.
 */
export async function newGroup(options: NewGroupOptions = {}): Promise<ProcessGroup | null> {
  checkOptions(options, ['ranks', 'timeout', 'backend'], 'newGroup');
  const w = currentWorld();
  const backend = options.backend ?? w.defaultGroup.backend;
  checkBackend(backend);
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS[backend];
  checkTimeout(timeout);
  let ranks: number[];
  if (options.ranks === undefined) {
    ranks = range(w.worldSize);
  } else {
    if (!Array.isArray(options.ranks) || options.ranks.some((r) => !Number.isInteger(r))) typeError('an array of integers', 'ranks', options.ranks);
    ranks = [...options.ranks].sort((a, b) => a - b);
    if (new Set(ranks).size !== ranks.length) throw new RangeError(`ranks list must not contain duplicate entries, got [${options.ranks.join(', ')}]`);
    for (const r of ranks) {
      if (r < 0 || r >= w.worldSize) throw new RangeError(`Rank ${r} is out of range. Valid ranks are 0 to ${w.worldSize - 1}`);
    }
  }
  const name = String(w.groupCount++);
  let group: ProcessGroup | null = null;
  const groupRank = ranks.indexOf(w.rank);
  if (groupRank >= 0) {
    const store = new PrefixStore(`${name}/`, w.defaultStore);
    const id = await native.distNewGroup({ store: store._id, rank: groupRank, size: ranks.length, backend, timeoutMs: timeout, label: `group ${name}` });
    group = new ProcessGroup(id, groupRank, ranks, backend, name, timeout);
    w.groups.add(group);
  }
  if (process.env.TORCH_DIST_INIT_BARRIER === '1') storeBasedBarrier(w.defaultStore, name, w.worldSize, timeout, w.rank);
  return group;
}

/**
 * Destroys `group`, or every group and the default one when `group` is
 * omitted (as `destroy_process_group`); afterwards initProcessGroup may run
 * again. Resolves once the backend has finished its queued work.
 * @throws Error when not initialized.
 */
export async function destroyProcessGroup(group?: ProcessGroup): Promise<void> {
  const w = currentWorld();
  const doomed = group === undefined || group === w.defaultGroup ? [...w.groups] : [resolveGroup(group)];
  if (group === undefined || group === w.defaultGroup) world = undefined;
  for (const g of doomed) {
    g._destroyed = true;
    w.groups.delete(g);
    await native.distDestroyGroup(g._id);
  }
}
