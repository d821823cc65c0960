/**
 * c10d key-value stores (as `torch.distributed.TCPStore`, `FileStore`,
 * `PrefixStore`): where the processes of a group find each other. They are
 * libtorch's own, so a Python process can use the same store.
 */
import { native } from '../native.js';
import { rangeError, typeError, checkOptions } from '../errors.js';

/** PyTorch's default store timeout: 300 s. */
export const DEFAULT_STORE_TIMEOUT_MS = 300_000;

/** A key-value store shared by the processes of a job. */
export class Store {
  /** @internal */
  constructor(readonly _id: number) {}

  /** Sets `key` to `value` (a string is stored as its UTF-8 bytes). */
  set(key: string, value: string | Uint8Array): void {
    checkKey(key);
    if (typeof value !== 'string' && !(value instanceof Uint8Array)) typeError('a string or Uint8Array', 'value', value);
    native.distStoreSet(this._id, key, value);
  }

  /** The value of `key`, waiting for it up to the store's timeout. @throws TorchError on timeout. */
  get(key: string): Uint8Array {
    checkKey(key);
    return native.distStoreGet(this._id, key);
  }

  /** Adds `amount` to the integer at `key` (0 when absent); returns the new value. */
  add(key: string, amount: number): number {
    checkKey(key);
    if (!Number.isInteger(amount)) typeError('an integer', 'amount', amount);
    return native.distStoreAdd(this._id, key, amount);
  }

  /** Whether every key is set (does not wait). */
  check(keys: string[]): boolean {
    checkKeys(keys);
    return native.distStoreCheck(this._id, keys);
  }

  /** Waits until every key is set. @param timeoutMs default: the store's timeout. @throws TorchError on timeout. */
  wait(keys: string[], timeoutMs?: number): void {
    checkKeys(keys);
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) rangeError('a positive integer (milliseconds)', 'timeoutMs', timeoutMs);
    native.distStoreWait(this._id, keys, timeoutMs ?? this.timeoutMs);
  }

  /** Deletes `key`; returns whether it was there. */
  deleteKey(key: string): boolean {
    checkKey(key);
    return native.distStoreDelete(this._id, key);
  }

  /** The timeout of get and wait, in milliseconds. */
  timeoutMs = DEFAULT_STORE_TIMEOUT_MS;

  /** Sets the timeout of get and wait. @throws RangeError unless a positive integer. */
  setTimeout(timeoutMs: number): void {
    if (!(Number.isInteger(timeoutMs) && timeoutMs > 0)) rangeError('a positive integer (milliseconds)', 'timeoutMs', timeoutMs);
    native.distStoreSetTimeout(this._id, timeoutMs);
    this.timeoutMs = timeoutMs;
  }
}

function checkKey(key: unknown): void {
  if (typeof key !== 'string') typeError('a string', 'key', key);
}

function checkKeys(keys: unknown): void {
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) typeError('an array of strings', 'keys', keys);
}

/** Options of {@link TCPStore.create} (Python's TCPStore arguments, camelCased). */
export interface TCPStoreOptions {
  /** Host name or address of the server. */
  hostName: string;
  /** Port of the server; 0 on the master picks a free one. */
  port: number;
  /** Number of processes using the store (the master waits for them when `waitForWorkers`). Default: unknown. */
  worldSize?: number;
  /** Whether this process runs the server. Default false. */
  isMaster?: boolean;
  /** Timeout of connecting and of get/wait, in milliseconds. Default 300000. */
  timeout?: number;
  /** Whether the master waits for `worldSize` clients before returning. Default true. */
  waitForWorkers?: boolean;
  /** Whether several stores in one process may share host:port. Default false. */
  multiTenant?: boolean;
  /** Whether the server uses libuv. Default true (as PyTorch 2.4+). */
  useLibuv?: boolean;
}

/** A TCP store: one server (the master) and a client in every process. */
export class TCPStore extends Store {
  private constructor(
    id: number,
    readonly host: string,
    readonly port: number,
  ) {
    super(id);
  }

  /**
   * Connects to (and, on the master, starts) a TCP store. Resolves once
   * connected (and, on a master with `waitForWorkers`, once every worker is).
   * @throws TypeError/RangeError for bad options; the Promise rejects with a
   *   TorchError when the server cannot be reached within the timeout.
   */
  static async create(options: TCPStoreOptions): Promise<TCPStore> {
    checkOptions(options, ['hostName', 'port', 'worldSize', 'isMaster', 'timeout', 'waitForWorkers', 'multiTenant', 'useLibuv'], 'TCPStore');
    const { hostName, port } = options;
    if (typeof hostName !== 'string' || hostName === '') typeError('a host name', 'hostName', hostName);
    if (!(Number.isInteger(port) && port >= 0 && port < 65536)) rangeError('an integer port in [0, 65535]', 'port', port);
    const worldSize = options.worldSize ?? -1;
    if (options.worldSize !== undefined && !(Number.isInteger(worldSize) && worldSize > 0)) rangeError('a positive integer', 'worldSize', worldSize);
    const timeout = options.timeout ?? DEFAULT_STORE_TIMEOUT_MS;
    if (!(Number.isInteger(timeout) && timeout > 0)) rangeError('a positive integer (milliseconds)', 'timeout', timeout);
    const r = await native.distTcpStore(
      hostName,
      port,
      options.isMaster ?? false,
      worldSize,
      timeout,
      options.multiTenant ?? false,
      options.useLibuv ?? true,
      options.waitForWorkers ?? true,
    );
    const store = new TCPStore(r.store, hostName, r.port);
    store.timeoutMs = timeout;
    return store;
  }
}

/** A store in a file that every process can open (a shared filesystem). */
export class FileStore extends Store {
  /** @throws TypeError/RangeError for a bad path or world size. */
  constructor(
    readonly path: string,
    worldSize = -1,
  ) {
    if (typeof path !== 'string' || path === '') typeError('a file path', 'path', path);
    if (!(Number.isInteger(worldSize) && (worldSize > 0 || worldSize === -1))) rangeError('a positive integer', 'worldSize', worldSize);
    super(native.distFileStore(path, worldSize));
  }
}

/** A view of another store whose keys all start with `prefix/`. */
export class PrefixStore extends Store {
  /** @throws TypeError when `store` is not a Store. */
  constructor(
    readonly prefix: string,
    readonly store: Store,
  ) {
    if (typeof prefix !== 'string') typeError('a string', 'prefix', prefix);
    if (!(store instanceof Store)) typeError('a Store', 'store', store);
    super(native.distPrefixStore(store._id, prefix));
    this.timeoutMs = store.timeoutMs;
  }
}
