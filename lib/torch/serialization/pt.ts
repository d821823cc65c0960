/**
 * `torch.save` / `torch.load` compatible checkpoints (`.pt`), see `pt-format.md`.
 *
 *   import * as torch from './lib/torch/index.js';
 *   import { save, load } from './lib/torch/serialization/index.js';
 *   save({ model: stateDict, epoch: 3 }, 'ckpt.pt');
 *   const ck = load<{ model: Record<string, torch.Tensor>; epoch: number }>('ckpt.pt');
 *
 * Values map to Python as described in `pickle.ts` (PyFloat for integral
 * floats, PyTuple for tuples, Map for non-string keys, OrderedDict marks and
 * `_metadata` kept as a hidden property). Tensors sharing one storage are
 * written once and come back sharing it.
 */
import * as os from 'node:os';
import * as zlib from 'node:zlib';
import { type Tensor, isTensor } from '../tensor.js';
import { empty } from '../creation.js';
import { Device } from '../device.js';
import { isFloatingPoint, type DType } from '../dtype.js';
import { storageId, storageNbytes, storageBytes, storageViews, withStorageView, mapFile, storageSlice } from '../storage.js';
import { Parameter } from '../parameter.js';
import { checkOptions, typeError } from '../errors.js';
import { orderedDict, tuple, PyGlobal, PyReduce } from '../py-value.js';
import { dumps, loads, pickleBudget, PickleLimitError, STORAGE_CLASS, ITEM_SIZE, type StorageRef, type TensorRecord } from './pickle.js';
import { BufferSink, BufferSource, FdSource, ZipFormatError, ZipReader, ZipWriter, type ByteSink, type ByteSource, type ZipEntry } from './zip.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';
import { SerializationId } from './serialization-id.js';
import { CheckpointError, resolveDevice, type CheckpointValue, type MapLocation } from './checkpoint.js';
import { writeFileAtomic } from './atomic.js';

/** Options for {@link save}. */
export interface SaveOptions {
  /** `'pt'` (default): a torch.save zip checkpoint; `'safetensors'`: a flat name → tensor file. */
  format?: 'pt' | 'safetensors';
  /**
   * Record prefix inside the zip; default the file's base name without its
   * extension, as torch.save does (`model.pt` → `model/`), `archive` for buffers.
   */
  archiveName?: string;
  /** safetensors only: the `__metadata__` string map. */
  metadata?: Readonly<Record<string, string>>;
}

/** Options for {@link load}. */
export interface LoadOptions {
  /** `'pt'` (default) or `'safetensors'`; never guessed from the file name. */
  format?: 'pt' | 'safetensors';
  /**
   * Where to put tensors. Default: the device they were saved from; loading a
   * `cuda:N` checkpoint without CUDA then throws {@link CheckpointError}.
   */
  mapLocation?: MapLocation;
  /** Check every record's CRC-32 (default true; false with `mmap`, where checking reads every byte). */
  verifyCrc?: boolean;
  /**
   * Map the file into memory instead of reading it (default false), as
   * `torch.load(mmap=True)`: loading reads and copies no tensor data; CPU
   * tensors read their bytes from the file when first used, and writes to them
   * stay in this process (copy-on-write). While such tensors live the file
   * must not be changed in place: replacing it as {@link save} does is safe,
   * but truncating and rewriting it (as Python's torch.save does) makes the
   * process crash (SIGBUS) when it next touches them. Records stored
   * uncompressed at element-aligned offsets (all of a torch.save file) are
   * mapped, others read. Not on Windows.
   */
  mmap?: boolean;
}

/**
 * Storages larger than `chunkThreshold` bytes are moved between tensors and
 * the file `chunkBytes` at a time (saving copies each piece out of the tensor;
 * loading reads each piece straight into the tensor's memory), so no single JS
 * buffer has to span them (Node's typed arrays stop at 4 GiB) and peak memory
 * stays near the tensors' own size. Defaults: 1 GiB and 256 MiB. Mutable for
 * tests and tuning.
 */
export const chunking = { chunkThreshold: 1 << 30, chunkBytes: 256 << 20 };

const SAVE_OPTIONS = ['format', 'archiveName', 'metadata'];
const LOAD_OPTIONS = ['format', 'mapLocation', 'verifyCrc', 'mmap'];
const BUFFER_LOAD_OPTIONS = ['mapLocation', 'verifyCrc'];

/** Checks an options object: known keys only (one message shape, see errors.ts) and the format. */
function checkOpts(opts: object | null, allowed: readonly string[], where: string): void {
  if (opts === null) typeError('an options object', `${where} options`, opts);
  checkOptions(opts, allowed, where);
  const f = (opts as { format?: unknown }).format;
  if (f !== undefined && f !== 'pt' && f !== 'safetensors') typeError("'pt' or 'safetensors'", 'format', f);
}

// ---------------------------------------------------------------------------
// Saving

/** Stands for one storage while pickling; becomes the persistent id. */
class StorageHandle {
  constructor(
    readonly key: string,
    readonly tensor: Tensor,
    readonly dtype: DType,
    readonly location: string,
    readonly numel: number,
  ) {}
}

/** A Parameter's data, pickled as a plain tensor inside `_rebuild_parameter`. */
class ParameterData {
  constructor(readonly tensor: Tensor) {}
}

const REBUILD_V2 = new PyGlobal('torch._utils', '_rebuild_tensor_v2');
const REBUILD_V3 = new PyGlobal('torch._utils', '_rebuild_tensor_v3');
const UNTYPED_STORAGE = new PyGlobal('torch.storage', 'UntypedStorage');
const REBUILD_PARAMETER = new PyGlobal('torch._utils', '_rebuild_parameter');

function locationOf(t: Tensor): string {
  const d = t.device;
  return d.type === 'cpu' ? 'cpu' : `${d.type}:${d.index ?? 0}`;
}

interface Pickled {
  pickle: Buffer;
  storages: StorageHandle[];
}

function pickleCheckpoint(obj: unknown): Pickled {
  const byId = new Map<string, StorageHandle>();
  const storages: StorageHandle[] = [];
  const handleFor = (t: Tensor): StorageHandle => {
    const id = storageId(t);
    const prev = byId.get(id);
    if (prev) {
      if (prev.dtype !== t.dtype) {
        throw new CheckpointError(`Cannot save tensors that view the same storage as different dtypes (${prev.dtype} and ${t.dtype})`);
      }
      return prev;
    }
    const nbytes = storageNbytes(t);
    const item = ITEM_SIZE[t.dtype];
    const h = new StorageHandle(String(storages.length), t, t.dtype, locationOf(t), Math.floor(nbytes / item));
    byId.set(id, h);
    storages.push(h);
    return h;
  };
  // As torch.save: dtypes with a legacy typed storage class go through
  // _rebuild_tensor_v2, the others through _rebuild_tensor_v3 with an
  // UntypedStorage (its size counted in bytes) and the dtype as last argument.
  const rebuild = (t: Tensor, requiresGrad: boolean): PyReduce<object> => {
    const args = tuple<object>(handleFor(t), t.storageOffset(), tuple(...t.shape), tuple(...t.stride()), requiresGrad, orderedDict());
    if (STORAGE_CLASS[t.dtype] !== undefined) return new PyReduce<object>(REBUILD_V2, args);
    args.push(new PyGlobal('torch', t.dtype));
    return new PyReduce<object>(REBUILD_V3, args);
  };
  const pickle = dumps(obj, {
    persistentId: (o) => {
      if (!(o instanceof StorageHandle)) return undefined;
      const cls = STORAGE_CLASS[o.dtype];
      return cls !== undefined
        ? tuple<object>('storage', new PyGlobal('torch', cls), o.key, o.location, o.numel)
        : tuple<object>('storage', UNTYPED_STORAGE, o.key, o.location, o.numel * ITEM_SIZE[o.dtype]);
    },
    reduce: (o) => {
      if (o instanceof ParameterData) return rebuild(o.tensor, false);
      if (!isTensor(o)) return undefined;
      if (o.isDisposed) throw new CheckpointError('Cannot save a disposed tensor');
      if (o instanceof Parameter) {
        return new PyReduce<object>(REBUILD_PARAMETER, tuple<object>(new ParameterData(o), o.requiresGrad, orderedDict()));
      }
      return rebuild(o, o.requiresGrad);
    },
  });
  return { pickle, storages };
}

/**
 * Writes the archive as PyTorch 2.x's torch.save does: `data.pkl`,
 * `.format_version` (1: storages in numeric key order), `.storage_alignment`
 * (64), `byteorder`, the storages `data/0`, `data/1`, ... in key order,
 * `version` (3) and last `.data/serialization_id` (see serialization-id.ts).
 */
function writeCheckpoint(sink: ByteSink, prefix: string, p: Pickled): void {
  const id = new SerializationId();
  const zip = new ZipWriter(sink, {
    onRecord: (r) => id.record(r.name.slice(prefix.length + 1), r.nameBytes, r.head, r.size, r.crc),
  });
  zip.add(`${prefix}/data.pkl`, p.pickle);
  zip.add(`${prefix}/.format_version`, Buffer.from('1'));
  zip.add(`${prefix}/.storage_alignment`, Buffer.from('64'));
  zip.add(`${prefix}/byteorder`, Buffer.from(os.endianness() === 'LE' ? 'little' : 'big'));
  // Keys are '0', '1', ... in first-seen order, which is the order torch.save writes them in.
  for (const s of p.storages) {
    const want = s.numel * ITEM_SIZE[s.dtype];
    zip.addChunks(`${prefix}/data/${s.key}`, want, storageChunks(s, want));
  }
  zip.add(`${prefix}/version`, Buffer.from('3\n'));
  zip.add(`${prefix}/.data/serialization_id`, Buffer.from(id.value()));
  zip.finish();
}

/**
 * The bytes of a whole storage, in pieces of `chunking.chunkBytes` past
 * `chunking.chunkThreshold`: views of a CPU tensor's memory (no copy; the
 * zip writer checksums and writes each before the next), copies from other
 * devices.
 */
function* storageChunks(s: StorageHandle, want: number): Generator<Uint8Array> {
  if (s.tensor.device.type === 'cpu') {
    yield* storageViews(s.tensor, want, want <= chunking.chunkThreshold ? want : Math.max(1, chunking.chunkBytes));
    return;
  }
  if (want <= chunking.chunkThreshold) {
    const bytes = storageBytes(s.tensor);
    yield bytes.byteLength === want ? bytes : bytes.subarray(0, want);
    return;
  }
  const item = ITEM_SIZE[s.dtype];
  const per = Math.max(1, Math.floor(chunking.chunkBytes / item));
  const flat = s.tensor.detach();
  try {
    for (let start = 0; start < s.numel; start += per) {
      const n = Math.min(per, s.numel - start);
      const view = flat.asStrided([n], [1], start);
      const piece = view.clone();
      view.dispose();
      try {
        const bytes = storageBytes(piece);
        yield bytes.subarray(0, n * item);
      } finally {
        piece.dispose();
      }
    }
  } finally {
    flat.dispose();
  }
}

/** torch.save's archive name: the base name up to its last dot. */
function archiveNameFor(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  const name = dot >= 0 ? base.slice(0, dot) : base;
  return name.length > 0 ? name : 'archive';
}

function checkArchiveName(name: string): string {
  if (typeof name !== 'string' || name.length === 0 || /[/\\\0]/.test(name)) {
    typeError("a non-empty name without '/', '\\' or NUL", 'archiveName', name);
  }
  return name;
}

/**
 * Saves `obj` to `path` like `torch.save` (zip format, pickle protocol 2), or as
 * safetensors with `{format: 'safetensors'}` (then `obj` must map names to tensors).
 *
 * `obj` may hold tensors (and Parameters), `null`, booleans, numbers (safe
 * integers become Python ints, others floats; use `pyFloat(1)` for `1.0`),
 * bigints, strings, `Uint8Array` (bytes), arrays (lists), {@link PyTuple}s, plain
 * objects and Maps (dicts), OrderedDict-marked objects, {@link PyGlobal}s and
 * {@link PyReduce}s. Tensors are saved with their device as location
 * (`cpu`, `cuda:N`), storage offset and strides; each storage once.
 *
 * The write is atomic (see {@link writeFileAtomic}).
 * @throws PickleValueError for a value with no Python equivalent (naming its path);
 *   CheckpointError for tensors viewing one storage as two dtypes or a disposed tensor;
 *   TypeError for bad options; fs errors (the old file is then left intact).
 */
export function save(obj: unknown, path: string, opts: SaveOptions = {}): void {
  checkOpts(opts, SAVE_OPTIONS, 'save');
  if (typeof path !== 'string' || path.length === 0) typeError('a file path', 'path', path);
  if (opts.format === 'safetensors') {
    saveSafetensors(obj, path, { metadata: opts.metadata });
    return;
  }
  if (opts.metadata !== undefined) throw new TypeError("The metadata option is only for format 'safetensors'");
  const prefix = checkArchiveName(opts.archiveName ?? archiveNameFor(path));
  const pickled = pickleCheckpoint(obj);
  writeFileAtomic(path, (sink) => writeCheckpoint(sink, prefix, pickled));
}

/**
 * Serializes `obj` to a Buffer in torch.save's format (records under `archive/`,
 * as `torch.save(obj, io.BytesIO())`). Same values and errors as {@link save}.
 */
export function saveToBuffer(obj: unknown, opts: Pick<SaveOptions, 'archiveName'> = {}): Buffer {
  checkOpts(opts, ['archiveName'], 'saveToBuffer');
  const prefix = checkArchiveName(opts.archiveName ?? 'archive');
  const pickled = pickleCheckpoint(obj);
  const sink = new BufferSink();
  writeCheckpoint(sink, prefix, pickled);
  return sink.toBuffer();
}

// ---------------------------------------------------------------------------
// Loading

const LEGACY_MAGIC = Buffer.from('80028a0a6cfc9c46f9206aa850192e', 'hex');

/** Recognizes the kind of file from its first bytes; throws for anything but a zip. */
function checkMagic(head: Buffer, size: number, where: string): void {
  if (size === 0) throw new CheckpointError(`Not a PyTorch checkpoint: ${where} is empty`);
  if (head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return;
  if (head.subarray(0, LEGACY_MAGIC.byteLength).equals(LEGACY_MAGIC)) {
    throw new CheckpointError(`${where} uses the legacy torch.save format (PyTorch < 1.6); re-save it with a current PyTorch`);
  }
  if (head.byteLength >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') {
    throw new CheckpointError(`${where} is a tar archive (the oldest torch.save format); re-save it with a current PyTorch`);
  }
  if (head.subarray(0, 8).toString('latin1') === 'PYTORCH1') {
    throw new CheckpointError(`${where} is an old PYTORCH1 archive (TorchScript from PyTorch < 1.4); re-save it with a current PyTorch`);
  }
  if (head.byteLength >= 9 && head[8] === 0x7b) {
    const n = head.readBigUInt64LE(0);
    if (n > 0n && n <= BigInt(size - 8)) {
      throw new CheckpointError(`${where} looks like a safetensors file; load it with {format: 'safetensors'}`);
    }
  }
  if (head[0] === 0x80) {
    throw new CheckpointError(`${where} is a bare pickle stream, not a torch.save checkpoint (no zip container)`);
  }
  throw new CheckpointError(`Not a PyTorch checkpoint: ${where} does not start with a zip header (first bytes ${head.subarray(0, 8).toString('hex')})`);
}

interface LoadContext {
  reader: ZipReader;
  /** The file or buffer, for messages. */
  where: string;
  prefix: string;
  mapLocation: MapLocation | undefined;
  verifyCrc: boolean;
  /** Map the file (its descriptor is `reader.fd`) instead of reading it. */
  mmap: boolean;
}

/**
 * Compressed records (torch.save writes none; a zip tool may) may inflate to
 * at most this many times the file's size, past {@link INFLATE_FLOOR}.
 */
const MAX_INFLATE_RATIO = 100;
const INFLATE_FLOOR = 64 << 20;

function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** Refuses a decompression bomb from the sizes the zip directory declares, before inflating anything. */
function checkInflation(reader: ZipReader, where: string): void {
  let inflated = 0;
  for (const e of reader.entries) if (e.method !== 0) inflated += e.size;
  if (inflated > Math.max(INFLATE_FLOOR, MAX_INFLATE_RATIO * reader.size)) {
    throw new CheckpointError(
      `Refusing to load ${where}: its compressed records would inflate to ${formatBytes(inflated)} from a ${formatBytes(reader.size)} file ` +
        `(${Math.round(inflated / Math.max(1, reader.size))}:1); more than ${MAX_INFLATE_RATIO}:1 is refused as a decompression bomb ` +
        `(torch.save writes no compressed records: re-save it uncompressed)`,
    );
  }
}

function loadFromReader(ctx: LoadContext): CheckpointValue {
  const { reader, prefix, where } = ctx;
  checkInflation(reader, where);
  if (reader.get(`${prefix}/constants.pkl`)) {
    throw new CheckpointError('This is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; it cannot be loaded here');
  }
  const pklEntry = reader.get(`${prefix}/data.pkl`);
  if (!pklEntry) throw new CheckpointError(`Not a torch.save checkpoint: the zip has no '${prefix}/data.pkl' record`);
  const versionEntry = reader.get(`${prefix}/version`) ?? reader.get(`${prefix}/.data/version`);
  if (!versionEntry) throw new CheckpointError(`Not a torch.save checkpoint: the zip has no '${prefix}/version' record`);
  if (versionEntry.size > 32) throw new CheckpointError(`Corrupt checkpoint: the version record is ${versionEntry.size} bytes long`);
  const versionText = reader.read(versionEntry, { verifyCrc: ctx.verifyCrc }).toString('latin1').trim();
  const version = /^\d+$/.test(versionText) ? Number(versionText) : NaN;
  if (!(version >= 1 && version <= 10)) {
    throw new CheckpointError(`Unsupported checkpoint format version ${JSON.stringify(versionText)} (this reader knows versions 1 to 10)`);
  }
  const bo = reader.get(`${prefix}/byteorder`);
  if (bo) {
    const order = bo.size <= 16 ? reader.read(bo, { verifyCrc: ctx.verifyCrc }).toString('latin1') : '?';
    if (order === 'big') throw new CheckpointError('Big-endian checkpoints (byteorder big) are not supported');
    if (order !== 'little') throw new CheckpointError(`Corrupt checkpoint: byteorder record says ${JSON.stringify(order)}`);
  }
  const pickle = reader.read(pklEntry, { verifyCrc: ctx.verifyCrc });

  const created: Tensor[] = [];
  const bases = new Map<string, Tensor>();
  const targets = new Map<string, string>();
  // With mmap: one mapping of the whole file; each storage is a slice of it.
  let mapping: Tensor | null = null;
  const baseFor = (s: StorageRef, dtype: DType): Tensor => {
    const cacheKey = `${s.key}\0${dtype}`;
    const cached = bases.get(cacheKey);
    if (cached) return cached;
    const entry = reader.get(`${prefix}/data/${s.key}`);
    if (!entry) throw new CheckpointError(`Corrupt checkpoint: storage record '${prefix}/data/${s.key}' is missing`);
    const itemSize = ITEM_SIZE[dtype];
    const want = s.dtype === null ? s.numel : s.numel * itemSize;
    if (entry.size !== want) {
      throw new CheckpointError(
        `Corrupt checkpoint: storage '${s.key}' should hold ${want} bytes (${s.numel} x ${s.dtype === null ? 1 : itemSize}) but its record has ${entry.size}`,
      );
    }
    if (want % itemSize !== 0) {
      throw new CheckpointError(`Corrupt checkpoint: untyped storage '${s.key}' of ${want} bytes is not a whole number of ${dtype} elements`);
    }
    let target = targets.get(s.location);
    if (target === undefined) {
      target = resolveDevice(s.location, ctx.mapLocation);
      targets.set(s.location, target);
    }
    const fd = reader.fd;
    const mapped = ctx.mmap && fd !== undefined && want > 0 && entry.method === 0 && entry.dataOffset % itemSize === 0;
    if (mapped && mapping === null) {
      mapping = mapFile(fd);
      created.push(mapping);
    }
    const cpu = mapped ? storageSlice(mapping!, entry.dataOffset, want, dtype) : empty([want / itemSize], { dtype });
    let base = cpu;
    try {
      if (!mapped) readRecordInto(reader, entry, cpu, ctx.verifyCrc);
      else if (ctx.verifyCrc)
        reader.checkCrc(
          entry,
          withStorageView(cpu, 0, want, (b) => zlib.crc32(b)),
        );
      // As torch.load with map_location: through the CPU, one storage at a time.
      if (target !== 'cpu') base = cpu.to(target);
    } finally {
      if (base === cpu) created.push(cpu);
      else cpu.dispose();
    }
    if (base !== cpu) created.push(base);
    bases.set(cacheKey, base);
    return base;
  };
  const tensorOf = (rec: TensorRecord): Tensor => {
    if (rec.dtype === 'complex32' || rec.dtype === 'complex64' || rec.dtype === 'complex128') {
      throw new CheckpointError(`Unsupported checkpoint: ${rec.dtype} tensors are not supported by this library`);
    }
    const dtype = rec.dtype as DType;
    if (rec.requiresGrad && !isFloatingPoint(dtype)) {
      throw new CheckpointError(`Corrupt checkpoint: a ${dtype} tensor is marked requires_grad (only floating point tensors can require gradients)`);
    }
    const base = baseFor(rec.storage, dtype);
    const view = base.asStrided([...rec.size], [...rec.stride], rec.storageOffset);
    created.push(view);
    if (rec.requiresGrad) view.requiresGrad_(true);
    return view;
  };
  try {
    const value = loads<Tensor>(pickle, {
      maxBytes: pickleBudget(pklEntry.compressedSize),
      factory: {
        tensor: tensorOf,
        parameter: (t, requiresGrad) => {
          const p = new Parameter(t, requiresGrad);
          created.push(p);
          return p;
        },
      },
    });
    // Views keep their storage alive; the 1-D base tensors are no longer needed,
    // nor are tensors that only served as a Parameter's data.
    const keep = new Set<Tensor>();
    collectTensors(value, keep);
    for (const t of created) if (!keep.has(t)) t.dispose();
    return value;
  } catch (e) {
    for (const t of created) t.dispose();
    if (e instanceof PickleLimitError) {
      const size =
        pklEntry.method !== 0 ? `${formatBytes(pklEntry.compressedSize)} in the file, ${formatBytes(pklEntry.size)} inflated` : formatBytes(pklEntry.size);
      throw new CheckpointError(
        `Refusing to load ${where}: its pickle (${size}) builds more than ${formatBytes(e.limit)} of Python values` +
          (e.byHeap ? ', half the JS heap still free (node --max-old-space-size=... allows more)' : ', out of proportion to its size (a pickle bomb?)'),
        { cause: e },
      );
    }
    throw e;
  }
}

/**
 * Reads a storage record straight into the CPU tensor `base` (one piece, or
 * `chunking.chunkBytes` at a time past `chunking.chunkThreshold`). With CRCs,
 * 1 MiB at a time goes through a small reused buffer, checksummed while it is
 * in the cache and then copied in: checksumming memory the read has only just
 * filled costs several times more. Compressed records (torch.save never
 * writes them) are inflated first.
 */
function readRecordInto(reader: ZipReader, entry: ZipEntry, base: Tensor, verifyCrc: boolean): void {
  const want = entry.size;
  if (want === 0) return;
  if (entry.method !== 0) {
    const all = reader.read(entry, { verifyCrc });
    withStorageView(base, 0, want, (b) => b.set(all));
    return;
  }
  const per = want <= chunking.chunkThreshold ? want : Math.max(1, chunking.chunkBytes);
  // One buffer for every load: a fresh one would cost its page faults each time.
  const scratch = verifyCrc ? (crcScratch ??= Buffer.allocUnsafeSlow(CRC_PIECE)) : null;
  let crc = 0;
  for (let off = 0; off < want; off += per) {
    withStorageView(
      base,
      off,
      Math.min(per, want - off),
      (b) => {
        if (scratch === null) {
          reader.readPart(entry, off, b);
          return;
        }
        for (let k = 0; k < b.byteLength; k += scratch.byteLength) {
          const piece = scratch.subarray(0, Math.min(scratch.byteLength, b.byteLength - k));
          reader.readPart(entry, off + k, piece);
          crc = zlib.crc32(piece, crc);
          b.set(piece, k);
        }
      },
      { populate: true },
    );
  }
  if (verifyCrc) reader.checkCrc(entry, crc);
}
const CRC_PIECE = 1 << 20;
let crcScratch: Buffer | null = null;

/** Finds every tensor reachable from `v` (cycle-safe, iterative). */
function collectTensors(v: unknown, out: Set<Tensor>): void {
  const seen = new Set<object>();
  const todo: unknown[] = [v];
  while (todo.length > 0) {
    const x = todo.pop();
    if (typeof x !== 'object' || x === null || seen.has(x)) continue;
    seen.add(x);
    if (isTensor(x)) {
      out.add(x);
    } else if (Array.isArray(x)) {
      for (const y of x) todo.push(y);
    } else if (x instanceof Map) {
      for (const [k, y] of x) todo.push(k, y);
    } else if (x instanceof PyReduce) {
      todo.push(x.args);
    } else if (Object.getPrototypeOf(x) === Object.prototype) {
      for (const y of Object.values(x)) todo.push(y);
    }
  }
}

/** Opens the zip of a checkpoint; `source` is closed when this throws (and by the reader's close() otherwise). */
function openZip(source: ByteSource, where: string): ZipReader {
  try {
    const head = Buffer.alloc(Math.min(source.size, 512));
    source.readInto(0, head);
    checkMagic(head, source.size, where);
  } catch (e) {
    source.close();
    throw e;
  }
  try {
    return ZipReader.fromSource(source);
  } catch (e) {
    if (e instanceof ZipFormatError && e.message.startsWith('Not a zip file: end of central directory record not found')) {
      throw new CheckpointError(
        `Truncated checkpoint: ${where} starts like a zip archive but has no end of central directory record ` +
          `(the file was cut short, e.g. by an interrupted save or download)`,
      );
    }
    throw e;
  }
}

function prefixOf(reader: ZipReader): string {
  const first = reader.entries[0];
  if (!first) throw new CheckpointError('Not a torch.save checkpoint: the zip archive is empty');
  const slash = first.name.indexOf('/');
  if (slash <= 0) throw new CheckpointError(`Not a torch.save checkpoint: record '${first.name}' is not inside an archive folder`);
  return first.name.slice(0, slash);
}

function checkLoadOpts(opts: LoadOptions, allowed: readonly string[] = LOAD_OPTIONS, where = 'load'): void {
  checkOpts(opts, allowed, where);
  if (opts.mmap !== undefined && typeof opts.mmap !== 'boolean') typeError('a boolean', 'mmap', opts.mmap);
  if (opts.verifyCrc !== undefined && typeof opts.verifyCrc !== 'boolean') typeError('a boolean', 'verifyCrc', opts.verifyCrc);
  const m = opts.mapLocation;
  if (m !== undefined && typeof m !== 'string' && typeof m !== 'function' && !(m instanceof Device) && (typeof m !== 'object' || m === null)) {
    typeError('a device, a location map or a function', 'mapLocation', m);
  }
}

/**
 * Loads a checkpoint written by `torch.save` (PyTorch >= 1.6 zip format) or by
 * {@link save}; with `{format: 'safetensors'}` a safetensors file instead
 * (returning a name → tensor object).
 *
 * Only the weights-only allowlist is interpreted (tensors, containers,
 * OrderedDict, dtypes, torch.Size, torch.device); `T` is an unchecked cast of
 * the result, default {@link CheckpointValue}. Tensors of every dtype this
 * library has come back with that dtype (uint16/32/64, float8 kinds and the
 * bits types of PyTorch 2.x included). Storage bytes are read straight into
 * the tensors, or mapped with `{mmap: true}` (see {@link LoadOptions.mmap}).
 *
 * @throws CheckpointError for legacy (pre-1.6), tar, TorchScript, truncated,
 *   big-endian or non-zip files, missing or wrongly sized storage records,
 *   complex tensors, and `cuda:N` storages when CUDA (or that device) is
 *   unavailable and no `mapLocation` is given.
 * @throws PickleSecurityError for a disallowed global or opcode
 *   (`Refusing to load: global 'os.system' is not allowed (weights-only loading)`).
 * @throws PickleFormatError / ZipFormatError for corrupt data (CRC mismatch by default).
 * @throws TypeError for bad options (mmap with format 'safetensors'...); fs
 *   errors (ENOENT...) as thrown by node; TorchError when `mmap` cannot map the file.
 */
export function load<T = CheckpointValue>(path: string, opts: LoadOptions = {}): T {
  checkLoadOpts(opts);
  if (typeof path !== 'string' || path.length === 0) typeError('a file path', 'path', path);
  if (opts.format === 'safetensors') {
    if (opts.mmap !== undefined) throw new TypeError("The mmap option is only for format 'pt'");
    return loadSafetensors(path, { mapLocation: opts.mapLocation }) as T;
  }
  const reader = openZip(FdSource.open(path), `'${path}'`);
  try {
    const mmap = opts.mmap ?? false;
    return loadFromReader({
      reader,
      where: `'${path}'`,
      prefix: prefixOf(reader),
      mapLocation: opts.mapLocation,
      verifyCrc: opts.verifyCrc ?? !mmap,
      mmap,
    }) as T;
  } finally {
    reader.close();
  }
}

/**
 * Loads a torch.save checkpoint held in memory. Same results and errors as {@link load}.
 */
export function loadFromBuffer<T = CheckpointValue>(buf: Uint8Array, opts: Omit<LoadOptions, 'format' | 'mmap'> = {}): T {
  checkLoadOpts(opts, BUFFER_LOAD_OPTIONS, 'loadFromBuffer');
  const reader = openZip(new BufferSource(buf), 'the buffer');
  try {
    return loadFromReader({
      reader,
      where: 'the buffer',
      prefix: prefixOf(reader),
      mapLocation: opts.mapLocation,
      verifyCrc: opts.verifyCrc ?? true,
      mmap: false,
    }) as T;
  } finally {
    reader.close();
  }
}
