/**
 * Python pickle, the subset `torch.save` uses (see `pt-format.md` sections 3-6).
 *
 * {@link loads} is a *safe* unpickler: it interprets only the opcodes a
 * checkpoint needs and resolves only the allowlisted globals (the same set as
 * `torch.load(weights_only=True)`); anything else throws
 * {@link PickleSecurityError} naming the opcode or the global. Memo size,
 * nesting depth and every length are bounded, so hostile input ends in an
 * Error, never a crash, a hang or an unbounded allocation.
 *
 * {@link dumps} writes protocol 2 with Python's own encodings (BININT1/2/J,
 * LONG1, BINFLOAT, BINUNICODE, TUPLE1-3, batched APPENDS/SETITEMS, memo).
 *
 * Python values map to JavaScript as described in `../py-value.ts`; tensors
 * are whatever the {@link TensorFactory} returns.
 */
import { getHeapStatistics } from 'node:v8';
import { ITEM_SIZE as DTYPE_ITEM_SIZE, type DType } from '../dtype.js';
import {
  PyFloat,
  PyTuple,
  PyGlobal,
  PyReduce,
  PY_INFO,
  defineKey,
  markOrderedDict,
  markPyFloats,
  isPyFloatSlot,
  type PyDict,
  type PyInfo,
  type PyValue,
} from '../py-value.js';

// The value types used to live here; kept importable from this module.
export {
  PyFloat,
  pyFloat,
  PyTuple,
  tuple,
  PyGlobal,
  PyReduce,
  PY_INFO,
  markOrderedDict,
  orderedDict,
  isOrderedDict,
  pyState,
  stateDictMetadata,
  markPyFloats,
  pyFloatKeys,
  type PyDict,
  type PyInfo,
  type PyValue,
} from '../py-value.js';

// ---------------------------------------------------------------------------
// Tensors as the pickle layer sees them

/**
 * Element types a checkpoint tensor can have: this library's dtypes and the
 * complex ones, which are recognized so that they can be refused by name.
 */
export type StorageDType = DType | 'complex32' | 'complex64' | 'complex128';

/** `torch.<X>Storage` class name → dtype (the legacy typed storages of `_rebuild_tensor_v2`). */
export const STORAGE_TYPES: Readonly<Record<string, StorageDType>> = {
  DoubleStorage: 'float64',
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  ComplexFloatStorage: 'complex64',
  ComplexDoubleStorage: 'complex128',
};

/**
 * dtype → `torch.<X>Storage` class name, for the dtypes that have one;
 * torch.save writes the others (uint16/32/64, 8- and 4-bit floats, bits
 * types) as `_rebuild_tensor_v3` over a `torch.storage.UntypedStorage`.
 */
export const STORAGE_CLASS: Readonly<Partial<Record<StorageDType, string>>> = Object.fromEntries(Object.entries(STORAGE_TYPES).map(([k, v]) => [v, k]));

/** Bytes per element. */
export const ITEM_SIZE: Readonly<Record<StorageDType, number>> = {
  ...DTYPE_ITEM_SIZE,
  complex32: 4,
  complex64: 8,
  complex128: 16,
};

/** `torch.<name>` dtype globals → dtype. */
export const DTYPE_GLOBALS: Readonly<Record<string, StorageDType>> = {
  float64: 'float64',
  double: 'float64',
  float32: 'float32',
  float: 'float32',
  float16: 'float16',
  half: 'float16',
  bfloat16: 'bfloat16',
  int64: 'int64',
  long: 'int64',
  int32: 'int32',
  int: 'int32',
  int16: 'int16',
  short: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'uint64',
  float8_e4m3fn: 'float8_e4m3fn',
  float8_e5m2: 'float8_e5m2',
  float8_e4m3fnuz: 'float8_e4m3fnuz',
  float8_e5m2fnuz: 'float8_e5m2fnuz',
  float8_e8m0fnu: 'float8_e8m0fnu',
  float4_e2m1fn_x2: 'float4_e2m1fn_x2',
  bits8: 'bits8',
  bits16: 'bits16',
  bits1x8: 'bits1x8',
  bits2x4: 'bits2x4',
  bits4x2: 'bits4x2',
  complex32: 'complex32',
  chalf: 'complex32',
  complex64: 'complex64',
  cfloat: 'complex64',
  complex128: 'complex128',
  cdouble: 'complex128',
};
/** dtypes PyTorch has that this library cannot hold; named in errors. */
const UNSUPPORTED_DTYPES = new Set(['qint8', 'quint8', 'qint32', 'quint4x2', 'quint2x4', ...[1, 2, 3, 4, 5, 6, 7].flatMap((n) => [`int${n}`, `uint${n}`])]);

/** A persistent storage reference `('storage', torch.<X>Storage, key, location, numel)`. */
export interface StorageRef {
  /** The record name under `data/`. */
  readonly key: string;
  /** Element type; null for `torch.storage.UntypedStorage` (numel then counts bytes). */
  readonly dtype: StorageDType | null;
  /** Device location as saved, e.g. `cpu` or `cuda:0`. */
  readonly location: string;
  /** Number of elements (bytes when untyped). */
  readonly numel: number;
}

/** Everything needed to rebuild one tensor. */
export interface TensorRecord {
  readonly storage: StorageRef;
  readonly dtype: StorageDType;
  /** In elements of `dtype`. */
  readonly storageOffset: number;
  readonly size: readonly number[];
  /** In elements of `dtype`. */
  readonly stride: readonly number[];
  readonly requiresGrad: boolean;
  /** Came through `_rebuild_parameter*`. */
  readonly isParameter: boolean;
}

/** Turns validated tensor records into the caller's tensor objects while unpickling. */
export interface TensorFactory<T extends object> {
  /** Called once per `_rebuild_tensor_*` call. */
  tensor(rec: TensorRecord): T;
  /** Called for `_rebuild_parameter*`; default returns the tensor unchanged. */
  parameter?(tensor: T, requiresGrad: boolean): T;
}

// ---------------------------------------------------------------------------
// Errors

/** A pickle that is malformed, truncated, or exceeds a bound. */
export class PickleFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleFormatError';
  }
}

/** A pickle that asks for an opcode or global outside the allowlist. */
export class PickleSecurityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleSecurityError';
  }
}

const OPCODE_NAMES: Record<number, string> = {
  40: 'MARK',
  46: 'STOP',
  48: 'POP',
  49: 'POP_MARK',
  50: 'DUP',
  70: 'FLOAT',
  73: 'INT',
  74: 'BININT',
  75: 'BININT1',
  76: 'LONG',
  77: 'BININT2',
  78: 'NONE',
  80: 'PERSID',
  81: 'BINPERSID',
  82: 'REDUCE',
  83: 'STRING',
  84: 'BINSTRING',
  85: 'SHORT_BINSTRING',
  86: 'UNICODE',
  88: 'BINUNICODE',
  97: 'APPEND',
  98: 'BUILD',
  99: 'GLOBAL',
  100: 'DICT',
  125: 'EMPTY_DICT',
  101: 'APPENDS',
  103: 'GET',
  104: 'BINGET',
  105: 'INST',
  106: 'LONG_BINGET',
  108: 'LIST',
  93: 'EMPTY_LIST',
  111: 'OBJ',
  112: 'PUT',
  113: 'BINPUT',
  114: 'LONG_BINPUT',
  115: 'SETITEM',
  116: 'TUPLE',
  41: 'EMPTY_TUPLE',
  117: 'SETITEMS',
  71: 'BINFLOAT',
  128: 'PROTO',
  129: 'NEWOBJ',
  130: 'EXT1',
  131: 'EXT2',
  132: 'EXT4',
  133: 'TUPLE1',
  134: 'TUPLE2',
  135: 'TUPLE3',
  136: 'NEWTRUE',
  137: 'NEWFALSE',
  138: 'LONG1',
  139: 'LONG4',
  66: 'BINBYTES',
  67: 'SHORT_BINBYTES',
  140: 'SHORT_BINUNICODE',
  141: 'BINUNICODE8',
  142: 'BINBYTES8',
  143: 'EMPTY_SET',
  144: 'ADDITEMS',
  145: 'FROZENSET',
  146: 'NEWOBJ_EX',
  147: 'STACK_GLOBAL',
  148: 'MEMOIZE',
  149: 'FRAME',
  150: 'BYTEARRAY8',
  151: 'NEXT_BUFFER',
  152: 'READONLY_BUFFER',
};

function opName(op: number): string {
  const n = OPCODE_NAMES[op];
  return n ? `'${n}' (0x${op.toString(16).padStart(2, '0')})` : `0x${op.toString(16).padStart(2, '0')} (not a pickle opcode)`;
}

// ---------------------------------------------------------------------------
// Unpickling

/** Options for {@link loads}. */
export interface UnpickleOptions<T extends object> {
  /** Builds tensors; default returns the {@link TensorRecord} itself. */
  factory?: TensorFactory<T>;
  /** Maximum container nesting (MARK depth and object depth); default 1000. */
  maxDepth?: number;
  /** Maximum number of memo entries; default 1,000,000. */
  maxMemo?: number;
  /**
   * Maximum memory, in bytes (an estimate of the JS heap the values and the
   * unpickler's own tables take), that the pickle may build; default
   * {@link pickleBudget} of the data's length. Never more than half of the
   * JS heap still free when loading starts, so that a pickle bomb ends in
   * {@link PickleLimitError}, not in the process aborting out of memory.
   */
  maxBytes?: number;
}

/** Floor of {@link pickleBudget}: what any pickle may build, however small. */
export const PICKLE_BUDGET_FLOOR = 64 << 20;
/** Bytes of values a pickle may build per byte it takes in the file (above the floor). */
export const PICKLE_BUDGET_RATIO = 256;

/**
 * The default bound on what a pickle of `storedBytes` bytes (as stored in the
 * file: compressed size for a deflated record) may build: 256 bytes per
 * byte, at least 64 MiB. An opcode takes at least one byte and an opcode
 * with its operands builds at most about 200 bytes per byte, so a stored
 * pickle never reaches it; a compressed one (300 million opcodes deflated
 * into 300 KB) does.
 */
export function pickleBudget(storedBytes: number): number {
  return Math.max(PICKLE_BUDGET_FLOOR, PICKLE_BUDGET_RATIO * storedBytes);
}

/** A pickle that would build more than its budget (see {@link UnpickleOptions.maxBytes}). */
export class PickleLimitError extends Error {
  constructor(
    message: string,
    /** The budget in bytes. */
    readonly limit: number,
    /** Whether the free JS heap set the limit (rather than the data's size or `maxBytes`). */
    readonly byHeap: boolean,
  ) {
    super(message);
    this.name = 'PickleLimitError';
  }
}

/**
 * Estimated JS heap bytes each opcode builds, including the copy that
 * `finalize` makes of each container and its bookkeeping; per-item and
 * per-byte parts are added where the opcode's length is known. Measured
 * (Node 20, V8 heap after gc, the internal values at STOP plus the finalized
 * copy): the estimate is 1.05 to 1.45 times the peak for lists, tuples, dicts,
 * strings, floats, ints, bytes and memo entries of 200,000 elements each,
 * and at most 200 bytes per pickle byte (a list of empty dicts).
 */
const OP_COST = new Int32Array(256).fill(8);
for (const [ops, cost] of [
  [[0x80, 0x95, 0x2e], 1], // PROTO, FRAME, STOP
  [[0x4a], 16], // BININT: may need a heap number
  [[0x28], 32], // MARK: a new stack
  [[0x29, 0x5d, 0x85, 0x86, 0x87, 0x74], 96], // tuples and lists (+ items)
  [[0x61], 16], // APPEND
  [[0x65, 0x75], 8], // APPENDS, SETITEMS (+ items)
  [[0x7d], 384], // EMPTY_DICT
  [[0x73], 80], // SETITEM
  [[0x71, 0x72, 0x94], 48], // memo entries
  [[0x47], 48], // BINFLOAT
  [[0x8a, 0x8b], 72], // LONG1, LONG4 (+ bytes)
  [[0x58, 0x8c, 0x8d], 48], // strings (+ 2 per byte)
  [[0x42, 0x43], 512], // bytes (+ 1 per byte)
  [[0x63, 0x93], 256], // globals (+ 2 per byte of their names)
  [[0x52], 640], // REDUCE: a tensor, an OrderedDict...
  [[0x51], 160], // BINPERSID
] as [number[], number][]) {
  for (const op of ops) OP_COST[op] = cost;
}
const ITEM_COST = 16;
const ENTRY_COST = 40;

function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}

const MAX_LONG_BYTES = 1 << 16;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const MAX_GLOBAL_LINE = 1024;

/** Internal dict while unpickling: keys may be anything, the JS shape is chosen at the end. */
class IDict {
  readonly map = new Map<unknown, unknown>();
  state: IDict | null = null;
  constructor(readonly ordered: boolean) {}
}

type GlobalKind =
  | 'OrderedDict'
  | 'rebuild_v2'
  | 'rebuild_v3'
  | 'rebuild_parameter'
  | 'rebuild_parameter_with_state'
  | 'storage'
  | 'untyped_storage'
  | 'dtype'
  | 'Size'
  | 'device';

class IGlobal {
  constructor(
    readonly g: PyGlobal,
    readonly kind: GlobalKind,
  ) {}
}

class IStorage {
  constructor(readonly ref: StorageRef) {}
}

function classifyGlobal(module: string, name: string): GlobalKind | null {
  if (module === 'collections' && name === 'OrderedDict') return 'OrderedDict';
  if (module === 'torch._utils') {
    if (name === '_rebuild_tensor_v2') return 'rebuild_v2';
    if (name === '_rebuild_tensor_v3') return 'rebuild_v3';
    if (name === '_rebuild_parameter') return 'rebuild_parameter';
    if (name === '_rebuild_parameter_with_state') return 'rebuild_parameter_with_state';
    return null;
  }
  if (module === 'torch') {
    if (Object.hasOwn(STORAGE_TYPES, name)) return 'storage';
    if (name === 'UntypedStorage') return 'untyped_storage';
    if (Object.hasOwn(DTYPE_GLOBALS, name) || UNSUPPORTED_DTYPES.has(name)) return 'dtype';
    if (name === 'Size') return 'Size';
    if (name === 'device') return 'device';
    return null;
  }
  if (module === 'torch.storage' && name === 'UntypedStorage') return 'untyped_storage';
  return null;
}

const textDecoder = new TextDecoder('utf-8');

/**
 * Unpickles `data`, allowing only checkpoint opcodes and globals.
 *
 * @throws PickleSecurityError for a disallowed opcode or global
 *   (e.g. `Refusing to load: global 'os.system' is not allowed (weights-only loading)`).
 * @throws PickleFormatError for malformed or truncated data, a bad tensor
 *   description, or a bound exceeded (depth default 1000, memo default 1,000,000).
 */
export function loads<T extends object = TensorRecord>(data: Uint8Array, opts: UnpickleOptions<T> = {}): PyValue<T> {
  const maxDepth = opts.maxDepth ?? 1000;
  const maxMemo = opts.maxMemo ?? 1_000_000;
  const asked = opts.maxBytes ?? pickleBudget(data.byteLength);
  const heapRoom = Math.floor(getHeapStatistics().total_available_size / 2);
  const budget = Math.min(asked, heapRoom);
  let spent = 0;
  const overBudget = (): never => {
    const why =
      budget === asked
        ? opts.maxBytes !== undefined
          ? 'maxBytes'
          : `${PICKLE_BUDGET_RATIO} bytes per byte of its ${formatBytes(data.byteLength)}, at least ${formatBytes(PICKLE_BUDGET_FLOOR)}`
        : 'half the JS heap still free; a larger heap (node --max-old-space-size=...) allows more';
    throw new PickleLimitError(
      `Refusing to unpickle: by offset ${opPos} of ${len} the pickle has built about ${formatBytes(spent)} of values, ` +
        `more than its limit of ${formatBytes(budget)} (${why})`,
      budget,
      budget !== asked,
    );
  };
  const factory = opts.factory;
  const tensors = new WeakSet<object>();
  const storages = new Map<string, StorageRef>();
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const len = buf.byteLength;
  let pos = 0;
  let opPos = 0;
  let op = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail = (msg: string): never => {
    throw new PickleFormatError(`Malformed pickle: ${msg} (opcode ${opName(op)} at offset ${opPos})`);
  };
  const need = (n: number): void => {
    if (pos + n > len) {
      throw new PickleFormatError(`Truncated pickle: opcode ${opName(op)} at offset ${opPos} needs ${n} more bytes but only ${len - pos} remain`);
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) fail('no MARK on the stack');
    stack = prev!;
    return items;
  };
  const put = (idx: number): void => {
    if (!memo.has(idx) && memo.size >= maxMemo) {
      throw new PickleFormatError(`Pickle memo exceeds the limit of ${maxMemo} entries`);
    }
    memo.set(idx, top());
  };
  const get = (idx: number): void => {
    if (!memo.has(idx)) fail(`memo key ${idx} is not defined`);
    stack.push(memo.get(idx));
  };
  const refuse = (what: string): never => {
    throw new PickleSecurityError(`Refusing to load: ${what} is not allowed (weights-only loading)`);
  };
  const readString = (n: number): string => {
    need(n);
    if ((spent += 2 * n) > budget) overBudget();
    const s = textDecoder.decode(buf.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const readLine = (): string => {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0 || end - pos > MAX_GLOBAL_LINE) {
      if (end < 0) throw new PickleFormatError(`Truncated pickle: GLOBAL at offset ${opPos} has no terminating newline`);
      fail(`GLOBAL name longer than ${MAX_GLOBAL_LINE} bytes`);
    }
    if ((spent += 2 * (end - pos)) > budget) overBudget();
    const s = buf.toString('utf8', pos, end);
    pos = end + 1;
    return s;
  };
  const readU64 = (): number => {
    need(8);
    const v = buf.readBigUInt64LE(pos);
    pos += 8;
    if (v > BigInt(len)) {
      throw new PickleFormatError(`Truncated pickle: opcode ${opName(op)} at offset ${opPos} declares ${v} bytes but only ${len - pos} remain`);
    }
    return Number(v);
  };
  const resolveGlobal = (module: string, name: string): IGlobal => {
    const kind = classifyGlobal(module, name);
    if (kind === null) refuse(`global '${module}.${name}'`);
    return new IGlobal(new PyGlobal(module, name), kind!);
  };
  const pushBytes = (n: number): void => {
    need(n);
    if ((spent += n) > budget) overBudget();
    stack.push(new Uint8Array(buf.subarray(pos, pos + n)));
    pos += n;
  };
  const readLong = (n: number): number | bigint => {
    need(n);
    if ((spent += n) > budget) overBudget();
    if (n === 0) return 0;
    // Little-endian two's complement: reverse into a hex string, then sign-correct.
    let hex = '';
    for (let i = n - 1; i >= 0; i--) hex += HEX[buf[pos + i]];
    let v = BigInt(`0x${hex}`);
    if (buf[pos + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    pos += n;
    return v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v;
  };

  // --- REDUCE targets -----------------------------------------------------
  const asInt = (v: unknown, what: string, min = 0): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      fail(`${what} must be an integer >= ${min}, got ${describe(v)}`);
    }
    return v as number;
  };
  const intTuple = (v: unknown, what: string, min = 0): number[] => {
    if (!(v instanceof PyTuple)) fail(`${what} must be a tuple, got ${describe(v)}`);
    return Array.from(v as PyTuple<unknown>, (x, i) => asInt(x, `${what}[${i}]`, min));
  };
  const isTensor = (v: unknown): v is T => typeof v === 'object' && v !== null && tensors.has(v);
  const isEmptyState = (v: unknown): boolean => v === null || (v instanceof IDict && v.map.size === 0);

  const rebuildTensor = (args: unknown[], v3: boolean): unknown => {
    const minArgs = v3 ? 7 : 6;
    if (args.length < minArgs || args.length > minArgs + 1) {
      fail(`_rebuild_tensor_${v3 ? 'v3' : 'v2'} expects ${minArgs} or ${minArgs + 1} arguments, got ${args.length}`);
    }
    const [st, off, sz, sd, rg, hooks] = args;
    if (!(st instanceof IStorage)) fail(`tensor storage must be a persistent storage reference, got ${describe(st)}`);
    const storage = (st as IStorage).ref;
    let dtype: StorageDType;
    if (v3) {
      const dt = args[6];
      if (!(dt instanceof IGlobal) || dt.kind !== 'dtype') fail(`_rebuild_tensor_v3 dtype must be a torch dtype, got ${describe(dt)}`);
      const name = (dt as IGlobal).g.name;
      if (!Object.hasOwn(DTYPE_GLOBALS, name)) {
        throw new PickleFormatError(`Unsupported tensor dtype torch.${name} in the checkpoint`);
      }
      dtype = DTYPE_GLOBALS[name];
    } else {
      if (storage.dtype === null) fail('_rebuild_tensor_v2 needs a typed storage, got torch.storage.UntypedStorage');
      dtype = storage.dtype!;
    }
    if (storage.dtype !== null && storage.dtype !== dtype) {
      fail(`tensor dtype ${dtype} does not match its ${STORAGE_CLASS[storage.dtype]} storage`);
    }
    const storageOffset = asInt(off, 'storage offset');
    const size = intTuple(sz, 'size');
    const stride = intTuple(sd, 'stride');
    if (size.length !== stride.length) fail(`size has ${size.length} dimensions but stride has ${stride.length}`);
    if (size.length > 64) fail(`a tensor with ${size.length} dimensions is not supported (at most 64)`);
    if (typeof rg !== 'boolean') fail(`requires_grad must be a bool, got ${describe(rg)}`);
    if (!(hooks instanceof IDict) && hooks !== null) fail(`backward hooks must be an OrderedDict, got ${describe(hooks)}`);
    // The storage holds numel elements (bytes when untyped).
    const storageElems = storage.dtype === null ? Math.floor(storage.numel / ITEM_SIZE[dtype]) : storage.numel;
    let last = BigInt(storageOffset);
    let empty = false;
    let numel = 1n;
    for (let i = 0; i < size.length; i++) {
      numel *= BigInt(size[i]);
      if (size[i] === 0) empty = true;
      else last += BigInt(size[i] - 1) * BigInt(stride[i]);
    }
    if (numel > BigInt(Number.MAX_SAFE_INTEGER)) fail(`tensor of size [${size}] has more than 2^53 elements`);
    if (empty ? storageOffset > storageElems : last >= BigInt(storageElems)) {
      fail(
        `tensor (offset ${storageOffset}, size [${size}], stride [${stride}]) reaches element ${last} ` +
          `but storage '${storage.key}' holds ${storageElems} elements`,
      );
    }
    const rec: TensorRecord = { storage, dtype, storageOffset, size, stride, requiresGrad: rg as boolean, isParameter: false };
    const t = factory ? factory.tensor(rec) : (rec as unknown as T);
    if (typeof t !== 'object' || t === null) throw new TypeError('TensorFactory.tensor must return an object');
    tensors.add(t);
    return t;
  };

  const reduce = (callable: unknown, argsV: unknown): unknown => {
    if (!(callable instanceof IGlobal)) {
      return refuse(`REDUCE on ${describe(callable)} (only allowlisted globals may be called)`);
    }
    if (!(argsV instanceof PyTuple)) fail(`REDUCE arguments must be a tuple, got ${describe(argsV)}`);
    const args = argsV as PyTuple<unknown>;
    const g = callable as IGlobal;
    switch (g.kind) {
      case 'OrderedDict': {
        const d = new IDict(true);
        if (args.length === 1 && Array.isArray(args[0])) {
          for (const pair of args[0] as unknown[]) {
            if (!Array.isArray(pair) || pair.length !== 2) fail('OrderedDict() items must be (key, value) pairs');
            const p = pair as unknown[];
            d.map.set(checkKey(p[0]), p[1]);
          }
        } else if (args.length !== 0) {
          fail(`OrderedDict() takes no arguments or a list of pairs, got ${args.length} arguments`);
        }
        return d;
      }
      case 'rebuild_v2':
        return rebuildTensor(args, false);
      case 'rebuild_v3':
        return rebuildTensor(args, true);
      case 'rebuild_parameter':
      case 'rebuild_parameter_with_state': {
        const n = g.kind === 'rebuild_parameter' ? 3 : 4;
        if (args.length !== n) fail(`${g.g.name} expects ${n} arguments, got ${args.length}`);
        const [t, rg, hooks] = args;
        if (!isTensor(t)) fail(`${g.g.name} needs a tensor, got ${describe(t)}`);
        if (typeof rg !== 'boolean') fail(`requires_grad must be a bool, got ${describe(rg)}`);
        if (!(hooks instanceof IDict) && hooks !== null) fail(`backward hooks must be an OrderedDict, got ${describe(hooks)}`);
        if (n === 4 && !isEmptyState(args[3])) {
          throw new PickleFormatError('Unsupported checkpoint: a Parameter with Python attribute state');
        }
        let p = t as T;
        if (factory?.parameter) p = factory.parameter(p, rg as boolean);
        else if (!factory) {
          p = { ...(t as unknown as TensorRecord), requiresGrad: rg as boolean, isParameter: true } as unknown as T;
        }
        tensors.add(p);
        return p;
      }
      case 'Size': {
        if (args.length !== 1 || !Array.isArray(args[0])) fail('torch.Size expects one tuple of ints');
        return PyTuple.from(intTuple(PyTuple.from(args[0] as unknown[]), 'torch.Size'));
      }
      case 'device': {
        const ok =
          (args.length === 1 && typeof args[0] === 'string') ||
          (args.length === 2 && typeof args[0] === 'string' && (args[1] === null || (typeof args[1] === 'number' && Number.isSafeInteger(args[1]))));
        if (!ok) fail('torch.device expects (type) or (type, index)');
        return new PyReduce(g.g, args as PyTuple<never>);
      }
      default:
        return refuse(`calling global '${g.g.module}.${g.g.name}'`);
    }
  };

  const checkKey = (k: unknown): unknown => {
    if (k instanceof IDict || (Array.isArray(k) && !(k instanceof PyTuple)) || k instanceof IStorage) {
      fail(`unhashable dict key ${describe(k)}`);
    }
    return k;
  };

  const persistentLoad = (pid: unknown): IStorage => {
    if (!(pid instanceof PyTuple) || pid.length !== 5 || pid[0] !== 'storage') {
      return refuse(`persistent id ${describe(pid)} (only ('storage', type, key, location, numel) tuples are)`);
    }
    const [, type, key, location, numel] = pid as PyTuple<unknown>;
    if (!(type instanceof IGlobal) || (type.kind !== 'storage' && type.kind !== 'untyped_storage')) {
      fail(`storage type must be a torch storage class, got ${describe(type)}`);
    }
    if (typeof key !== 'string' || key.length === 0 || key.length > 256 || /[/\\\0]/.test(key) || key === '.' || key === '..') {
      fail(`invalid storage key ${describe(key)}`);
    }
    if (typeof location !== 'string' || location.length > 64) fail(`invalid storage location ${describe(location)}`);
    const n = asInt(numel, 'storage size');
    const t = type as IGlobal;
    const dtype = t.kind === 'storage' ? STORAGE_TYPES[t.g.name] : null;
    const prev = storages.get(key as string);
    if (prev) {
      if (prev.dtype !== dtype || prev.numel !== n || prev.location !== location) {
        fail(`storage '${key}' is declared twice with different type, size or location`);
      }
      return new IStorage(prev);
    }
    const ref: StorageRef = { key: key as string, dtype, location: location as string, numel: n };
    storages.set(ref.key, ref);
    return new IStorage(ref);
  };

  // --- main loop ----------------------------------------------------------
  for (;;) {
    if (pos >= len) {
      throw new PickleFormatError(`Truncated pickle: no STOP opcode before the end of the data (${len} bytes)`);
    }
    opPos = pos;
    op = buf[pos++];
    if ((spent += OP_COST[op]) > budget) overBudget();
    switch (op) {
      case 0x80: // PROTO
        need(1);
        if (buf[pos] > 5) fail(`unsupported pickle protocol ${buf[pos]}`);
        pos += 1;
        break;
      case 0x95: // FRAME (protocol 4): framing is advisory
        readU64();
        break;
      case 0x2e: {
        // STOP
        const v = pop();
        if (stack.length !== 0 || metastack.length !== 0) fail('values left on the stack at STOP');
        if (pos !== len) fail(`${len - pos} trailing bytes after STOP`);
        return finalize<T>(v, tensors, maxDepth);
      }
      case 0x28: // MARK
        if (metastack.length >= maxDepth) {
          throw new PickleFormatError(`Pickle nesting exceeds the limit of ${maxDepth} levels`);
        }
        metastack.push(stack);
        stack = [];
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4b: // BININT1
        need(1);
        stack.push(buf[pos]);
        pos += 1;
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(buf.readUInt16LE(pos));
        pos += 2;
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(buf.readInt32LE(pos));
        pos += 4;
        break;
      case 0x8a: {
        // LONG1
        need(1);
        const n = buf[pos++];
        stack.push(readLong(n));
        break;
      }
      case 0x8b: {
        // LONG4
        need(4);
        const n = buf.readInt32LE(pos);
        pos += 4;
        if (n < 0 || n > MAX_LONG_BYTES) fail(`LONG4 length ${n} is out of range (limit ${MAX_LONG_BYTES})`);
        stack.push(readLong(n));
        break;
      }
      case 0x47: {
        // BINFLOAT: big-endian double
        need(8);
        const v = buf.readDoubleBE(pos);
        pos += 8;
        stack.push(Number.isInteger(v) ? new PyFloat(v) : v);
        break;
      }
      case 0x58: {
        // BINUNICODE
        need(4);
        const n = buf.readUInt32LE(pos);
        pos += 4;
        stack.push(readString(n));
        break;
      }
      case 0x8c: // SHORT_BINUNICODE
        need(1);
        stack.push(readString(buf[pos++]));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(readString(readU64()));
        break;
      case 0x43: // SHORT_BINBYTES
        need(1);
        pushBytes(buf[pos++]);
        break;
      case 0x42: {
        // BINBYTES
        need(4);
        const n = buf.readUInt32LE(pos);
        pos += 4;
        pushBytes(n);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple<unknown>());
        break;
      case 0x85:
      case 0x86:
      case 0x87: {
        const n = op - 0x84;
        if (stack.length < n) fail('stack underflow');
        spent += ITEM_COST * n;
        stack.push(PyTuple.from(stack.splice(stack.length - n, n)));
        break;
      }
      case 0x74: {
        // TUPLE (popMark replaces `stack`, so take the items first)
        const items = popMark();
        if ((spent += ITEM_COST * items.length) > budget) overBudget();
        stack.push(PyTuple.from(items));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        const l = top();
        if (!Array.isArray(l) || l instanceof PyTuple) return refuse(`APPEND on ${describe(l)} (only on lists)`);
        (l as unknown[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const l = top();
        if (!Array.isArray(l) || l instanceof PyTuple) return refuse(`APPENDS on ${describe(l)} (only on lists)`);
        if ((spent += ITEM_COST * items.length) > budget) overBudget();
        for (const x of items) (l as unknown[]).push(x);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new IDict(false));
        break;
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        const d = top();
        if (!(d instanceof IDict)) return refuse(`SETITEM on ${describe(d)} (only on dicts)`);
        (d as IDict).map.set(checkKey(k), v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = top();
        if (!(d instanceof IDict)) return refuse(`SETITEMS on ${describe(d)} (only on dicts)`);
        if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
        if ((spent += ENTRY_COST * items.length) > budget) overBudget();
        for (let i = 0; i < items.length; i += 2) (d as IDict).map.set(checkKey(items[i]), items[i + 1]);
        break;
      }
      case 0x71: // BINPUT
        need(1);
        put(buf[pos++]);
        break;
      case 0x72: // LONG_BINPUT
        need(4);
        put(buf.readUInt32LE(pos));
        pos += 4;
        break;
      case 0x94: // MEMOIZE
        put(memo.size);
        break;
      case 0x68: // BINGET
        need(1);
        get(buf[pos++]);
        break;
      case 0x6a: // LONG_BINGET
        need(4);
        get(buf.readUInt32LE(pos));
        pos += 4;
        break;
      case 0x63: {
        // GLOBAL
        const module = readLine();
        const name = readLine();
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof name !== 'string' || typeof module !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        stack.push(reduce(callable, args));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistentLoad(pop()));
        break;
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof IDict && obj.ordered) {
          if (state === null) break;
          if (!(state instanceof IDict)) fail(`OrderedDict state must be a dict, got ${describe(state)}`);
          for (const k of (state as IDict).map.keys()) {
            if (typeof k !== 'string') fail('OrderedDict attribute names must be strings');
          }
          if (obj.state === null) obj.state = new IDict(false);
          for (const [k, v] of (state as IDict).map) obj.state.map.set(k, v);
        } else if (isTensor(obj)) {
          if (!isEmptyState(state) && !(state instanceof PyTuple && state.every((s) => isEmptyState(s)))) {
            throw new PickleFormatError('Unsupported checkpoint: a tensor with Python attribute state');
          }
        } else {
          return refuse(`BUILD on ${describe(obj)} (only on OrderedDict and tensors)`);
        }
        break;
      }
      default:
        return refuse(`opcode ${opName(op)} at offset ${opPos}`);
    }
    if (stack.length > len) fail('stack overflow');
  }
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `str ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `int ${v}`;
  if (typeof v === 'boolean') return `bool ${v ? 'True' : 'False'}`;
  if (v instanceof PyFloat) return `float ${v.value}`;
  if (v instanceof PyTuple) return `a tuple of ${v.length}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof IDict) return v.ordered ? 'an OrderedDict' : 'a dict';
  if (v instanceof IGlobal) return `global '${v.g.module}.${v.g.name}'`;
  if (v instanceof IStorage) return `storage '${v.ref.key}'`;
  if (v instanceof Uint8Array) return `bytes of length ${v.byteLength}`;
  if (v instanceof PyReduce) return `${v.func}(...)`;
  return 'a tensor';
}

/** Turns the internal representation into the public one, keeping sharing and cycles. */
function finalize<T>(root: unknown, tensors: WeakSet<object>, maxDepth: number): PyValue<T> {
  const done = new Map<object, unknown>();
  const conv = (v: unknown, depth: number): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (v instanceof PyFloat || v instanceof Uint8Array || tensors.has(v)) return v;
    const seen = done.get(v);
    if (seen !== undefined) return seen;
    if (depth > maxDepth) throw new PickleFormatError(`Pickle nesting exceeds the limit of ${maxDepth} levels`);
    if (v instanceof IGlobal) {
      if (v.kind !== 'dtype' && v.kind !== 'storage' && v.kind !== 'untyped_storage' && v.kind !== 'OrderedDict' && v.kind !== 'device' && v.kind !== 'Size') {
        throw new PickleFormatError(`Unsupported checkpoint: a bare reference to ${v.g} outside a call`);
      }
      done.set(v, v.g);
      return v.g;
    }
    if (v instanceof IStorage) {
      throw new PickleFormatError(`Unsupported checkpoint: storage '${v.ref.key}' appears outside a tensor (bare storages are not supported)`);
    }
    if (v instanceof PyReduce) {
      const out = new PyReduce(v.func, new PyTuple());
      done.set(v, out);
      fill(out.args as unknown[], v.args as PyTuple<unknown>, depth);
      return out;
    }
    if (v instanceof PyTuple) {
      const out = new PyTuple<unknown>();
      done.set(v, out);
      fill(out, v, depth);
      return out;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      done.set(v, out);
      fill(out, v, depth);
      return out;
    }
    if (v instanceof IDict) {
      let plain = true;
      for (const k of v.map.keys()) {
        if (typeof k !== 'string') {
          plain = false;
          break;
        }
      }
      if (plain && !jsKeepsOrder(v.map.keys() as Iterable<string>)) plain = false;
      let out: object;
      if (plain) {
        const o: Record<string, unknown> = {};
        out = o;
        done.set(v, o);
        const floats: string[] = [];
        for (const [k, x] of v.map) defineKey(o, k as string, num(conv(x, depth + 1), k, floats));
        if (floats.length > 0) markPyFloats(o, floats);
      } else {
        const m = new Map<unknown, unknown>();
        out = m;
        done.set(v, m);
        const floats: unknown[] = [];
        for (const [k, x] of v.map) {
          const key = conv(k, depth + 1);
          m.set(key, num(conv(x, depth + 1), key, floats));
        }
        if (floats.length > 0) markPyFloats(m, floats);
      }
      if (v.ordered) {
        const state = v.state ? (conv(v.state, depth + 1) as PyDict<unknown>) : null;
        markOrderedDict(out, state instanceof Map ? (Object.fromEntries(state) as PyDict<unknown>) : state);
      }
      return out;
    }
    return v;
  };
  /** A whole-valued float becomes a plain number; its key goes to `floats`. */
  const num = <K>(x: unknown, key: K, floats: K[]): unknown => {
    if (!(x instanceof PyFloat)) return x;
    floats.push(key);
    return x.value;
  };
  const fill = (out: unknown[], items: readonly unknown[], depth: number): void => {
    const floats: number[] = [];
    for (let i = 0; i < items.length; i++) out.push(num(conv(items[i], depth + 1), i, floats));
    if (floats.length > 0) markPyFloats(out, floats);
  };
  const top = conv(root, 0);
  return (top instanceof PyFloat ? top.value : top) as PyValue<T>;
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/** Whether a plain object with these keys (in this insertion order) enumerates them in the same order. */
function jsKeepsOrder(keys: Iterable<string>): boolean {
  let sawNonIndex = false;
  let lastIndex = -1;
  for (const k of keys) {
    const isIndex = ARRAY_INDEX.test(k) && k.length <= 10 && Number(k) < 2 ** 32 - 1;
    if (isIndex) {
      if (sawNonIndex) return false;
      const n = Number(k);
      if (n < lastIndex) return false;
      lastIndex = n;
    } else {
      sawNonIndex = true;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// Pickling

/** Hooks that let {@link dumps} write objects it does not know (tensors, storages). */
export interface PicklerHooks {
  /**
   * Called for every object before anything else; a non-undefined result is
   * written as a persistent id (BINPERSID) instead of the object.
   */
  persistentId?(obj: object): PyValue<object> | undefined;
  /** Describes a custom object (a tensor) as a call `func(*args)`; memoized per object. */
  reduce?(obj: object): PyReduce<object> | undefined;
}

/** Options for {@link dumps}. */
export interface PickleOptions {
  /** Maximum nesting depth; default 1000 (guards against cycles through tuples). */
  maxDepth?: number;
}

/** Error for a value that cannot be pickled; the message names the path. */
export class PickleValueError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'PickleValueError';
  }
}

class ByteWriter {
  private buf = Buffer.allocUnsafe(4096);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.byteLength) return;
    let cap = this.buf.byteLength * 2;
    while (cap < this.length + n) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, 0, this.length);
    this.buf = nb;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.length);
    this.length += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.length);
    this.length += 4;
  }
  i32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32LE(v, this.length);
    this.length += 4;
  }
  f64be(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.length);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.byteLength);
    this.buf.set(b, this.length);
    this.length += b.byteLength;
  }
  ascii(s: string): void {
    this.bytes(Buffer.from(s, 'utf8'));
  }
  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

const BATCH = 1000;

/** Python's `encode_long`: minimal little-endian two's complement. */
function encodeLong(x: bigint): Buffer {
  if (x === 0n) return Buffer.alloc(0);
  const bits = (x < 0n ? -x : x).toString(2).length;
  let nbytes = (bits >> 3) + 1;
  const out = Buffer.alloc(nbytes);
  let v = x < 0n ? (1n << BigInt(8 * nbytes)) + x : x;
  for (let i = 0; i < nbytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (x < 0n && nbytes > 1 && out[nbytes - 1] === 0xff && (out[nbytes - 2] & 0x80) !== 0) nbytes -= 1;
  return out.subarray(0, nbytes);
}

function isPlainObject(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/**
 * Pickles `value` with protocol 2, as Python's pickler would.
 *
 * @throws PickleValueError for a value with no Python equivalent (undefined,
 *   functions, symbols, class instances other than the types above, Sets), naming
 *   its path, e.g. `Cannot pickle undefined at root.model.x`; also when nesting
 *   exceeds `maxDepth` (default 1000).
 */
export function dumps(value: unknown, hooks: PicklerHooks = {}, opts: PickleOptions = {}): Buffer {
  const maxDepth = opts.maxDepth ?? 1000;
  const w = new ByteWriter();
  const memo = new Map<object, number>();
  const strMemo = new Map<string, number>();
  const globalMemo = new Map<string, number>();
  const path: (string | number)[] = [];
  let depth = 0;

  const where = (): string =>
    `root${path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('')}`;
  const bad = (what: string): never => {
    throw new PickleValueError(`Cannot pickle ${what} at ${where()}`);
  };
  const nextMemo = (): number => memo.size + strMemo.size + globalMemo.size;
  const writePut = (idx: number): void => {
    if (idx < 256) {
      w.byte(0x71);
      w.byte(idx);
    } else {
      w.byte(0x72);
      w.u32(idx);
    }
  };
  const writeGet = (idx: number): void => {
    if (idx < 256) {
      w.byte(0x68);
      w.byte(idx);
    } else {
      w.byte(0x6a);
      w.u32(idx);
    }
  };
  const memoize = (obj: object): void => {
    const idx = nextMemo();
    memo.set(obj, idx);
    writePut(idx);
  };

  const saveInt = (v: number | bigint): void => {
    if (typeof v === 'number') {
      if (v >= 0 && v <= 0xff) {
        w.byte(0x4b);
        w.byte(v);
        return;
      }
      if (v >= 0 && v <= 0xffff) {
        w.byte(0x4d);
        w.u16(v);
        return;
      }
      if (v >= -0x80000000 && v <= 0x7fffffff) {
        w.byte(0x4a);
        w.i32(v);
        return;
      }
      v = BigInt(v);
    } else if (v >= -0x80000000n && v <= 0x7fffffffn) {
      saveInt(Number(v));
      return;
    }
    const enc = encodeLong(v);
    if (enc.byteLength < 256) {
      w.byte(0x8a);
      w.byte(enc.byteLength);
    } else {
      w.byte(0x8b);
      w.i32(enc.byteLength);
    }
    w.bytes(enc);
  };
  const saveStr = (s: string): void => {
    const idx = strMemo.get(s);
    if (idx !== undefined) {
      writeGet(idx);
      return;
    }
    const enc = Buffer.from(s, 'utf8');
    w.byte(0x58);
    w.u32(enc.byteLength);
    w.bytes(enc);
    const n = nextMemo();
    strMemo.set(s, n);
    writePut(n);
  };
  const saveGlobal = (g: PyGlobal): void => {
    const key = `${g.module}\n${g.name}`;
    const idx = globalMemo.get(key);
    if (idx !== undefined) {
      writeGet(idx);
      return;
    }
    if (/[\n]/.test(g.module) || /[\n]/.test(g.name)) bad(`global ${JSON.stringify(g.toString())}`);
    w.byte(0x63);
    w.ascii(`${key}\n`);
    const n = nextMemo();
    globalMemo.set(key, n);
    writePut(n);
  };
  // Batching follows CPython's C pickler (what torch.save uses): an exact list
  // or dict of one item gets APPEND/SETITEM, otherwise MARK ... APPENDS/SETITEMS
  // per 1000 items (an exact dict of a multiple of 1000 items ends with an empty
  // batch); an OrderedDict's items go through the generic iterator path, where a
  // trailing batch of one item gets SETITEM.
  /** Saves `v`, the entry `key` of `container`: a number there that was loaded as a Python float is written as one. */
  const saveIn = (container: object, key: unknown, v: unknown): void => {
    if (typeof v === 'number' && isPyFloatSlot(container, key)) {
      w.byte(0x47);
      w.f64be(v);
    } else save(v);
  };
  const saveItems = (items: readonly unknown[]): void => {
    if (items.length === 1) {
      path.push(0);
      saveIn(items, 0, items[0]);
      path.pop();
      w.byte(0x61);
      return;
    }
    for (let start = 0; start < items.length; start += BATCH) {
      const end = Math.min(items.length, start + BATCH);
      w.byte(0x28);
      for (let i = start; i < end; i++) {
        path.push(i);
        saveIn(items, i, items[i]);
        path.pop();
      }
      w.byte(0x65);
    }
  };
  const saveEntry = (obj: object, k: unknown, v: unknown): void => {
    path.push(typeof k === 'string' || typeof k === 'number' ? k : String(k));
    save(k);
    saveIn(obj, k, v);
    path.pop();
  };
  const saveEntries = (obj: object, entries: readonly (readonly [unknown, unknown])[], exactDict: boolean): void => {
    const n = entries.length;
    if (n === 0) return;
    if (exactDict) {
      if (n === 1) {
        saveEntry(obj, entries[0][0], entries[0][1]);
        w.byte(0x73);
        return;
      }
      let start = 0;
      let batch: number;
      do {
        const end = Math.min(n, start + BATCH);
        batch = end - start;
        w.byte(0x28);
        for (let i = start; i < end; i++) saveEntry(obj, entries[i][0], entries[i][1]);
        w.byte(0x75);
        start = end;
      } while (batch === BATCH);
      return;
    }
    for (let start = 0; start < n; start += BATCH) {
      const end = Math.min(n, start + BATCH);
      if (end - start === 1) {
        saveEntry(obj, entries[start][0], entries[start][1]);
        w.byte(0x73);
      } else {
        w.byte(0x28);
        for (let i = start; i < end; i++) saveEntry(obj, entries[i][0], entries[i][1]);
        w.byte(0x75);
      }
    }
  };
  const saveTuple = (t: readonly unknown[]): void => {
    if (t.length === 0) {
      w.byte(0x29);
      return;
    }
    if (t.length > 3) w.byte(0x28);
    for (let i = 0; i < t.length; i++) {
      path.push(i);
      saveIn(t, i, t[i]);
      path.pop();
    }
    w.byte(t.length > 3 ? 0x74 : 0x84 + t.length);
  };
  const saveReduce = (obj: object, r: PyReduce<object>): void => {
    if (!(r instanceof PyReduce)) bad('an object whose reduce hook did not return a PyReduce');
    saveGlobal(r.func);
    path.push('<args>');
    save(r.args);
    path.pop();
    w.byte(0x52);
    memoize(obj);
  };

  function save(v: unknown): void {
    switch (typeof v) {
      case 'boolean':
        w.byte(v ? 0x88 : 0x89);
        return;
      case 'number':
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) saveInt(v);
        else {
          w.byte(0x47);
          w.f64be(v);
        }
        return;
      case 'bigint':
        saveInt(v);
        return;
      case 'string':
        saveStr(v);
        return;
      case 'undefined':
        return bad('undefined');
      case 'object':
        break;
      default:
        return bad(`a ${typeof v}`);
    }
    if (v === null) {
      w.byte(0x4e);
      return;
    }
    const obj = v as object;
    const m = memo.get(obj);
    if (m !== undefined) {
      writeGet(m);
      return;
    }
    if (++depth > maxDepth) bad(`a value nested deeper than ${maxDepth} levels (is there a cycle through a tuple?)`);
    try {
      const pid = hooks.persistentId?.(obj);
      if (pid !== undefined) {
        save(pid);
        w.byte(0x51);
        return;
      }
      const r = hooks.reduce?.(obj);
      if (r !== undefined) {
        saveReduce(obj, r);
        return;
      }
      if (obj instanceof PyFloat) {
        w.byte(0x47);
        w.f64be(obj.value);
      } else if (obj instanceof PyTuple) {
        saveTuple(obj);
        if (obj.length > 0) {
          // A tuple saved while saving its own elements would be recursive; Python pops and gets.
          if (memo.has(obj)) bad('a tuple that contains itself');
          memoize(obj);
        }
      } else if (obj instanceof PyGlobal) {
        saveGlobal(obj);
      } else if (obj instanceof PyReduce) {
        saveReduce(obj, obj as PyReduce<object>);
      } else if (obj instanceof Uint8Array) {
        if (obj.byteLength < 256) {
          w.byte(0x43);
          w.byte(obj.byteLength);
        } else {
          w.byte(0x42);
          w.u32(obj.byteLength);
        }
        w.bytes(obj);
        memoize(obj);
      } else if (Array.isArray(obj)) {
        w.byte(0x5d);
        memoize(obj);
        saveItems(obj);
      } else if (obj instanceof Map) {
        saveDict(obj, [...obj.entries()]);
      } else if (isPlainObject(obj)) {
        saveDict(obj, Object.entries(obj));
      } else {
        const name = (obj.constructor as { name?: string } | undefined)?.name ?? 'object';
        bad(`an instance of ${name}`);
      }
    } finally {
      depth--;
    }
  }
  const saveDict = (obj: object, entries: (readonly [unknown, unknown])[]): void => {
    const info = (obj as { [PY_INFO]?: PyInfo })[PY_INFO];
    if (info?.ordered) {
      saveGlobal(new PyGlobal('collections', 'OrderedDict'));
      w.byte(0x29);
      w.byte(0x52);
      memoize(obj);
      saveEntries(obj, entries, false);
      if (info.state && Object.keys(info.state).length > 0) {
        path.push('<state>');
        save(info.state);
        path.pop();
        w.byte(0x62);
      }
    } else {
      w.byte(0x7d);
      memoize(obj);
      saveEntries(obj, entries, true);
    }
  };

  w.byte(0x80);
  w.byte(2);
  save(value);
  w.byte(0x2e);
  return Buffer.from(w.result());
}
