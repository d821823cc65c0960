/**
 * Zip container for `.pt` checkpoints (see `pt-format.md` section 2).
 *
 * The reader parses the central directory (ZIP64 aware; 8-byte fields are read
 * as BigInt and range-checked before use) and reads one record at a time from a
 * file descriptor or a Buffer, so a multi-gigabyte checkpoint is never held in
 * memory as a whole.
 *
 * The writer streams to a {@link ByteSink}: stored (uncompressed) records with
 * flags `0x0808`, CRC and sizes in a data descriptor, an `FB` padding extra field
 * so that each record's data starts at a multiple of 64, and always a ZIP64 end
 * of central directory record, its locator and the classic end record — the
 * same layout PyTorch's `torch.save` produces.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { rangeError } from '../errors.js';

/** Error for a malformed, truncated or unsupported zip container. */
export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_DESCRIPTOR = 0x08074b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;

const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIZE = 46;
const EOCD_SIZE = 22;
const ZIP64_EOCD_SIZE = 56;
const ZIP64_LOCATOR_SIZE = 20;
const MAX_COMMENT = 0xffff;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;
const FOUR_GIB = 2 ** 32;
/** fs.readSync / writeSync move at most ~2 GiB per call; stay well below. */
const IO_CHUNK = 1 << 30;

/** One record of a zip archive, as described by the central directory. */
export interface ZipEntry {
  /** Full record name, e.g. `archive/data.pkl`. */
  readonly name: string;
  /** Compression method: 0 (stored) or 8 (deflate). */
  readonly method: number;
  /** General purpose bit flags. */
  readonly flags: number;
  /** CRC-32 of the uncompressed data. */
  readonly crc32: number;
  /** Bytes stored in the archive. */
  readonly compressedSize: number;
  /** Bytes after decompression. */
  readonly size: number;
  /** Offset of the local file header. */
  readonly localHeaderOffset: number;
  /** Offset of the first data byte (after the local header, name and extra). */
  readonly dataOffset: number;
}

/** Random-access byte source the reader works on. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Fills `target` with the bytes at `position`; throws if fewer are available. */
  readInto(position: number, target: Uint8Array): void;
  /** Releases the source (closes an owned file descriptor). */
  close(): void;
}

/** A {@link ByteSource} over an in-memory buffer. */
export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(private readonly buf: Uint8Array) {
    this.size = buf.byteLength;
  }
  readInto(position: number, target: Uint8Array): void {
    if (position < 0 || position + target.byteLength > this.size) {
      throw new ZipFormatError(`Truncated zip: need bytes ${position}..${position + target.byteLength} but the data is ${this.size} bytes long`);
    }
    target.set(this.buf.subarray(position, position + target.byteLength));
  }
  close(): void {}
}

/** A {@link ByteSource} over a file descriptor, read with positioned reads. */
export class FdSource implements ByteSource {
  readonly size: number;
  private closed = false;
  /**
   * @param fd an open file descriptor.
   * @param ownsFd close `fd` in {@link close} (default true).
   */
  constructor(
    readonly fd: number,
    private readonly ownsFd = true,
  ) {
    this.size = fs.fstatSync(fd).size;
  }
  /** Opens `path` read-only. Throws the usual `ENOENT`/`EACCES` errors, and `EISDIR` for a directory. */
  static open(path: string): FdSource {
    const fd = fs.openSync(path, 'r');
    try {
      if (fs.fstatSync(fd).isDirectory()) {
        const e = new Error(`EISDIR: illegal operation on a directory, open '${path}'`) as NodeJS.ErrnoException;
        Object.assign(e, { code: 'EISDIR', syscall: 'open', path });
        throw e;
      }
      return new FdSource(fd, true);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }
  readInto(position: number, target: Uint8Array): void {
    if (this.closed) throw new Error('Zip reader is closed');
    if (position < 0 || position + target.byteLength > this.size) {
      throw new ZipFormatError(`Truncated zip: need bytes ${position}..${position + target.byteLength} but the file is ${this.size} bytes long`);
    }
    let done = 0;
    while (done < target.byteLength) {
      const want = Math.min(IO_CHUNK, target.byteLength - done);
      const n = fs.readSync(this.fd, target, done, want, position + done);
      if (n <= 0) {
        throw new ZipFormatError(`Truncated zip: unexpected end of file at offset ${position + done}`);
      }
      done += n;
    }
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsFd) fs.closeSync(this.fd);
  }
}

function toSafeNumber(v: bigint, what: string, limit: number): number {
  if (v > BigInt(limit)) {
    throw new ZipFormatError(`Corrupt zip: ${what} ${v} exceeds the file size ${limit}`);
  }
  return Number(v);
}

/** Options for {@link ZipReader.read}. */
export interface ZipReadOptions {
  /** Check the record's CRC-32 (default true). */
  verifyCrc?: boolean;
}

/**
 * Reads a zip archive's directory and individual records.
 *
 * Validation is strict: every offset and size is checked against the file
 * size, records may not overlap, names must be unique, encrypted records and
 * compression methods other than stored/deflate are refused. All such problems
 * throw {@link ZipFormatError} with a message naming the problem.
 */
export class ZipReader {
  /** Entries in central-directory order. */
  readonly entries: readonly ZipEntry[];
  private readonly byName: Map<string, ZipEntry>;

  private constructor(private readonly source: ByteSource) {
    try {
      this.entries = readDirectory(source);
    } catch (e) {
      source.close();
      throw e;
    }
    this.byName = new Map(this.entries.map((e) => [e.name, e]));
  }

  /** Opens the zip file at `path`. Throws {@link ZipFormatError} or an fs error. */
  static open(path: string): ZipReader {
    return new ZipReader(FdSource.open(path));
  }
  /** Reads a zip held in memory. Throws {@link ZipFormatError}. */
  static fromBuffer(buf: Uint8Array): ZipReader {
    return new ZipReader(new BufferSource(buf));
  }
  /** Reads from any {@link ByteSource}; the reader closes it in {@link close}. */
  static fromSource(source: ByteSource): ZipReader {
    return new ZipReader(source);
  }

  /** The entry called `name`, or undefined. */
  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /**
   * Returns the uncompressed bytes of a record.
   * @throws ZipFormatError on a CRC mismatch (when `verifyCrc`, default true),
   *   a bad deflate stream or an I/O shortfall; Error if `name` is absent.
   */
  read(entryOrName: ZipEntry | string, opts: ZipReadOptions = {}): Buffer {
    const entry = this.resolve(entryOrName);
    const raw = Buffer.allocUnsafe(entry.compressedSize);
    this.source.readInto(entry.dataOffset, raw);
    let data: Buffer;
    if (entry.method === 0) {
      data = raw;
    } else {
      try {
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
      } catch (e) {
        throw new ZipFormatError(`Corrupt zip: record '${entry.name}' does not inflate (${(e as Error).message})`);
      }
      if (data.byteLength !== entry.size) {
        throw new ZipFormatError(`Corrupt zip: record '${entry.name}' inflates to ${data.byteLength} bytes, the directory says ${entry.size}`);
      }
    }
    if (opts.verifyCrc ?? true) checkCrc(entry, data);
    return data;
  }

  /**
   * Reads a stored record straight into `target` (which must be exactly
   * `entry.size` bytes), avoiding an intermediate copy.
   * @throws ZipFormatError as {@link read}; RangeError if `target` has the wrong size.
   */
  readInto(entryOrName: ZipEntry | string, target: Uint8Array, opts: ZipReadOptions = {}): void {
    const entry = this.resolve(entryOrName);
    if (target.byteLength !== entry.size) {
      throw new RangeError(`Expected a ${entry.size}-byte target for '${entry.name}' but received ${target.byteLength} bytes`);
    }
    if (entry.method !== 0) {
      target.set(this.read(entry, opts));
      return;
    }
    this.source.readInto(entry.dataOffset, target);
    if (opts.verifyCrc ?? true) checkCrc(entry, target);
  }

  /**
   * Reads a record piece by piece into `scratch` (reused for every piece) and
   * calls `onChunk` with each filled part, `chunkBytes` at a time (the last may
   * be shorter); the CRC is checked after the last piece. Deflated records are
   * inflated whole first. Lets a record larger than any one Buffer be consumed.
   * @throws ZipFormatError as {@link read}; RangeError if `chunkBytes` is not positive.
   */
  readChunks(entryOrName: ZipEntry | string, chunkBytes: number, onChunk: (chunk: Uint8Array, offset: number) => void, opts: ZipReadOptions = {}): void {
    const entry = this.resolve(entryOrName);
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0) {
      rangeError('a positive integer', 'chunkBytes', chunkBytes);
    }
    if (entry.method !== 0) {
      const all = this.read(entry, opts);
      for (let off = 0; off < all.byteLength; off += chunkBytes) onChunk(all.subarray(off, off + chunkBytes), off);
      return;
    }
    const scratch = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(1, entry.size)));
    let crc = 0;
    for (let off = 0; off < entry.size; off += chunkBytes) {
      const part = scratch.subarray(0, Math.min(chunkBytes, entry.size - off));
      this.source.readInto(entry.dataOffset + off, part);
      crc = zlib.crc32(part, crc);
      onChunk(part, off);
    }
    if ((opts.verifyCrc ?? true) && crc >>> 0 !== entry.crc32) {
      throw new ZipFormatError(`Corrupt zip: CRC-32 mismatch in record '${entry.name}' (stored ${hex32(entry.crc32)}, computed ${hex32(crc)})`);
    }
  }

  /**
   * Reads bytes [offset, offset + target.byteLength) of a stored record into
   * `target` without checking the CRC (see {@link checkCrc}).
   * @throws RangeError outside the record; Error for a compressed record;
   *   ZipFormatError on an I/O shortfall.
   */
  readPart(entryOrName: ZipEntry | string, offset: number, target: Uint8Array): void {
    const entry = this.resolve(entryOrName);
    if (entry.method !== 0) throw new Error(`Zip record '${entry.name}' is compressed; read it whole`);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + target.byteLength > entry.size) {
      throw new RangeError(`Expected a range inside the ${entry.size}-byte record '${entry.name}' but received ${offset}..${offset + target.byteLength}`);
    }
    this.source.readInto(entry.dataOffset + offset, target);
  }

  /** Throws {@link ZipFormatError} unless `crc` is the record's stored CRC-32. */
  checkCrc(entryOrName: ZipEntry | string, crc: number): void {
    const entry = this.resolve(entryOrName);
    if (crc >>> 0 !== entry.crc32) {
      throw new ZipFormatError(`Corrupt zip: CRC-32 mismatch in record '${entry.name}' (stored ${hex32(entry.crc32)}, computed ${hex32(crc)})`);
    }
  }

  /** Size of the archive in bytes. */
  get size(): number {
    return this.source.size;
  }

  /** The file descriptor being read, or undefined when the archive is not read from a file. */
  get fd(): number | undefined {
    return this.source instanceof FdSource ? this.source.fd : undefined;
  }

  /** Closes the underlying source. Safe to call twice. */
  close(): void {
    this.source.close();
  }

  private resolve(entryOrName: ZipEntry | string): ZipEntry {
    if (typeof entryOrName !== 'string') return entryOrName;
    const e = this.byName.get(entryOrName);
    if (!e) throw new Error(`Zip record '${entryOrName}' not found`);
    return e;
  }
}

function checkCrc(entry: ZipEntry, data: Uint8Array): void {
  const crc = zlib.crc32(data) >>> 0;
  if (crc !== entry.crc32) {
    throw new ZipFormatError(`Corrupt zip: CRC-32 mismatch in record '${entry.name}' (stored ${hex32(entry.crc32)}, computed ${hex32(crc)})`);
  }
}

function hex32(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

function readAt(source: ByteSource, position: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  source.readInto(position, b);
  return b;
}

interface DirectoryLocation {
  count: number;
  cdOffset: number;
  cdSize: number;
  /** Offset where the central directory must end (ZIP64 EOCD or EOCD). */
  cdLimit: number;
}

function findDirectory(source: ByteSource): DirectoryLocation {
  const size = source.size;
  if (size < EOCD_SIZE) {
    throw new ZipFormatError(`Not a zip file: ${size} bytes is too short to hold an end of central directory record`);
  }
  const tailLen = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = size - tailLen;
  const tail = readAt(source, tailStart, tailLen);
  let eocd = -1;
  for (let i = tailLen - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD) {
      const commentLen = tail.readUInt16LE(i + 20);
      if (i + EOCD_SIZE + commentLen <= tailLen) {
        eocd = i;
        break;
      }
    }
  }
  if (eocd < 0) {
    throw new ZipFormatError('Not a zip file: end of central directory record not found (truncated or not a zip archive)');
  }
  const eocdPos = tailStart + eocd;
  const disk = tail.readUInt16LE(eocd + 4);
  const cdDisk = tail.readUInt16LE(eocd + 6);
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  let cdLimit = eocdPos;

  let zip64 = false;
  if (eocdPos >= ZIP64_LOCATOR_SIZE) {
    const loc = readAt(source, eocdPos - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE);
    if (loc.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
      zip64 = true;
      const z64Pos = toSafeNumber(loc.readBigUInt64LE(8), 'ZIP64 end record offset', size);
      if (z64Pos + ZIP64_EOCD_SIZE > eocdPos - ZIP64_LOCATOR_SIZE) {
        throw new ZipFormatError(`Corrupt zip: ZIP64 end of central directory offset ${z64Pos} is out of range`);
      }
      const z = readAt(source, z64Pos, ZIP64_EOCD_SIZE);
      if (z.readUInt32LE(0) !== SIG_ZIP64_EOCD) {
        throw new ZipFormatError(`Corrupt zip: no ZIP64 end of central directory record at offset ${z64Pos}`);
      }
      if (z.readUInt32LE(16) !== 0 || z.readUInt32LE(20) !== 0 || loc.readUInt32LE(16) > 1) {
        throw new ZipFormatError('Unsupported zip: multi-disk archives are not supported');
      }
      count = toSafeNumber(z.readBigUInt64LE(32), 'ZIP64 entry count', size);
      cdSize = toSafeNumber(z.readBigUInt64LE(40), 'ZIP64 central directory size', size);
      cdOffset = toSafeNumber(z.readBigUInt64LE(48), 'ZIP64 central directory offset', size);
      cdLimit = z64Pos;
    }
  }
  if (!zip64) {
    if (disk !== 0 || cdDisk !== 0) throw new ZipFormatError('Unsupported zip: multi-disk archives are not supported');
    if (count === U16_MAX || cdSize === U32_MAX || cdOffset === U32_MAX) {
      throw new ZipFormatError('Corrupt zip: ZIP64 values are needed but the ZIP64 end of central directory locator is missing');
    }
  }
  if (cdOffset + cdSize > cdLimit) {
    throw new ZipFormatError(`Truncated or corrupt zip: central directory (offset ${cdOffset}, ${cdSize} bytes) runs past its end record at ${cdLimit}`);
  }
  if (count * CENTRAL_HEADER_SIZE > cdSize) {
    throw new ZipFormatError(`Corrupt zip: ${count} entries cannot fit in a ${cdSize}-byte central directory`);
  }
  return { count, cdOffset, cdSize, cdLimit };
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const latin1 = new TextDecoder('latin1');

function readDirectory(source: ByteSource): ZipEntry[] {
  const { count, cdOffset, cdSize } = findDirectory(source);
  const cd = readAt(source, cdOffset, cdSize);
  const out: ZipEntry[] = [];
  const seen = new Set<string>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_HEADER_SIZE > cdSize || cd.readUInt32LE(p) !== SIG_CENTRAL) {
      throw new ZipFormatError(`Corrupt zip: central directory entry ${i} at offset ${cdOffset + p} is malformed`);
    }
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const crc32 = cd.readUInt32LE(p + 16);
    let csize = cd.readUInt32LE(p + 20);
    let usize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localOffset = cd.readUInt32LE(p + 42);
    const end = p + CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
    if (end > cdSize) throw new ZipFormatError(`Corrupt zip: central directory entry ${i} runs past the directory`);
    const nameBytes = cd.subarray(p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLen);
    const name = (flags & 0x800 ? utf8 : latin1).decode(nameBytes);
    // ZIP64 extended information: 8-byte values for the fields set to 0xFFFFFFFF.
    let q = p + CENTRAL_HEADER_SIZE + nameLen;
    const extraEnd = q + extraLen;
    while (q + 4 <= extraEnd) {
      const id = cd.readUInt16LE(q);
      const len = cd.readUInt16LE(q + 2);
      if (q + 4 + len > extraEnd) throw new ZipFormatError(`Corrupt zip: extra field of '${name}' runs past its end`);
      if (id === 0x0001) {
        let r = q + 4;
        const take = (what: string): number => {
          if (r + 8 > q + 4 + len) throw new ZipFormatError(`Corrupt zip: ZIP64 extra field of '${name}' is too short`);
          const v = toSafeNumber(cd.readBigUInt64LE(r), `${what} of '${name}'`, source.size);
          r += 8;
          return v;
        };
        if (usize === U32_MAX) usize = take('size');
        if (csize === U32_MAX) csize = take('compressed size');
        if (localOffset === U32_MAX) localOffset = take('offset');
      }
      q += 4 + len;
    }
    if (flags & 0x1) throw new ZipFormatError(`Unsupported zip: record '${name}' is encrypted`);
    if (method !== 0 && method !== 8) {
      throw new ZipFormatError(`Unsupported zip: record '${name}' uses compression method ${method} (only stored and deflate are supported)`);
    }
    if (method === 0 && csize !== usize) {
      throw new ZipFormatError(`Corrupt zip: stored record '${name}' has size ${usize} but compressed size ${csize}`);
    }
    if (seen.has(name)) throw new ZipFormatError(`Corrupt zip: duplicate record name '${name}'`);
    seen.add(name);
    out.push({ name, method, flags, crc32, compressedSize: csize, size: usize, localHeaderOffset: localOffset, dataOffset: -1 });
    p = end;
  }
  // Locate every record's data and check that records neither overlap nor run
  // into the central directory: the sum of all record sizes is then bounded by
  // the file size.
  const byOffset = [...out].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  let prevEnd = 0;
  let prevName = '';
  const withData = new Map<ZipEntry, number>();
  for (const e of byOffset) {
    if (e.localHeaderOffset < prevEnd) {
      throw new ZipFormatError(`Corrupt zip: record '${e.name}' overlaps record '${prevName}'`);
    }
    if (e.localHeaderOffset + LOCAL_HEADER_SIZE > cdOffset) {
      throw new ZipFormatError(`Corrupt zip: local header of '${e.name}' at ${e.localHeaderOffset} is past the central directory`);
    }
    const lh = readAt(source, e.localHeaderOffset, LOCAL_HEADER_SIZE);
    if (lh.readUInt32LE(0) !== SIG_LOCAL) {
      throw new ZipFormatError(`Corrupt zip: no local file header for '${e.name}' at offset ${e.localHeaderOffset}`);
    }
    const dataOffset = e.localHeaderOffset + LOCAL_HEADER_SIZE + lh.readUInt16LE(26) + lh.readUInt16LE(28);
    if (dataOffset + e.compressedSize > cdOffset) {
      throw new ZipFormatError(
        `Truncated or corrupt zip: record '${e.name}' (${e.compressedSize} bytes at offset ${dataOffset}) runs past the central directory at ${cdOffset}`,
      );
    }
    withData.set(e, dataOffset);
    prevEnd = dataOffset + e.compressedSize;
    prevName = e.name;
  }
  return out.map((e) => ({ ...e, dataOffset: withData.get(e)! }));
}

// ---------------------------------------------------------------------------
// Writing

/** Destination of a {@link ZipWriter}. */
export interface ByteSink {
  /** Bytes written so far. */
  readonly position: number;
  /** Appends `data`; may keep a reference only until the call returns. */
  write(data: Uint8Array): void;
  /** Pushes buffered bytes out. */
  flush(): void;
}

/** Collects written bytes in memory; {@link toBuffer} concatenates them. */
export class BufferSink implements ByteSink {
  private chunks: Buffer[] = [];
  position = 0;
  write(data: Uint8Array): void {
    this.chunks.push(Buffer.from(data));
    this.position += data.byteLength;
  }
  flush(): void {}
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.position);
  }
}

/**
 * Writes to a file descriptor through a 1 MiB buffer; large writes go straight
 * to the descriptor in chunks below the 2 GiB per-call limit.
 */
export class FdSink implements ByteSink {
  position = 0;
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  constructor(private readonly fd: number) {}
  write(data: Uint8Array): void {
    if (data.byteLength <= this.buf.byteLength - this.used) {
      this.buf.set(data, this.used);
      this.used += data.byteLength;
    } else {
      this.flush();
      if (data.byteLength < this.buf.byteLength) {
        this.buf.set(data, 0);
        this.used = data.byteLength;
      } else {
        writeFully(this.fd, data);
      }
    }
    this.position += data.byteLength;
  }
  flush(): void {
    if (this.used > 0) {
      writeFully(this.fd, this.buf.subarray(0, this.used));
      this.used = 0;
    }
  }
}

function writeFully(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.byteLength) {
    done += fs.writeSync(fd, data, done, Math.min(IO_CHUNK, data.byteLength - done));
  }
}

/** What {@link ZipWriter} reports about each record it has written. */
export interface WrittenRecord {
  /** The full record name. */
  readonly name: string;
  /** The name as written (UTF-8). */
  readonly nameBytes: Uint8Array;
  /** The first bytes of the data (8, or all of it when shorter). */
  readonly head: Uint8Array;
  /** Data bytes. */
  readonly size: number;
  /** CRC-32 of the data. */
  readonly crc: number;
}

/** Options for {@link ZipWriter}. */
export interface ZipWriterOptions {
  /** Each record's data starts at a multiple of this many bytes (default 64, as PyTorch). */
  alignment?: number;
  /** Called after each record is written (default none). */
  onRecord?: (record: WrittenRecord) => void;
}

interface CentralRecord {
  name: Buffer;
  flags: number;
  crc: number;
  size: number;
  offset: number;
}

/**
 * Streams a zip archive of stored records in PyTorch's layout.
 *
 * Call {@link add} (or {@link addChunks}) per record, then {@link finish}.
 * Only the central directory (a few dozen bytes per record) is kept in memory.
 */
export class ZipWriter {
  private readonly records: CentralRecord[] = [];
  private readonly names = new Set<string>();
  private readonly alignment: number;
  private readonly onRecord: ((record: WrittenRecord) => void) | undefined;
  private finished = false;

  constructor(
    private readonly sink: ByteSink,
    opts: ZipWriterOptions = {},
  ) {
    this.alignment = opts.alignment ?? 64;
    this.onRecord = opts.onRecord;
    if (!Number.isInteger(this.alignment) || this.alignment < 1 || this.alignment > 4096) {
      rangeError('an integer in [1, 4096]', 'alignment', this.alignment);
    }
  }

  /** Adds one record holding `data`. Throws on a duplicate name or after finish. */
  add(name: string, data: Uint8Array): void {
    this.addChunks(name, data.byteLength, [data]);
  }

  /**
   * Adds one record of exactly `size` bytes given as a sequence of chunks, so
   * that a large record never needs to be one buffer.
   * @throws Error if the chunks do not add up to `size`, on a duplicate name,
   *   an empty name or after {@link finish}.
   */
  addChunks(name: string, size: number, chunks: Iterable<Uint8Array>): void {
    if (this.finished) throw new Error('ZipWriter: add() after finish()');
    if (name.length === 0) throw new Error('ZipWriter: empty record name');
    if (this.names.has(name)) throw new Error(`ZipWriter: duplicate record name '${name}'`);
    if (!Number.isSafeInteger(size) || size < 0) rangeError('a non-negative integer', 'size', size);
    this.names.add(name);
    const nameBuf = Buffer.from(name, 'utf8');
    if (nameBuf.byteLength > U16_MAX) throw new Error('ZipWriter: record name too long');
    const offset = this.sink.position;
    const bigSize = size >= U32_MAX;
    const bigOffset = offset >= U32_MAX;
    // ZIP64 extra in the local header, as miniz writes it: only the fields that overflow.
    let z64: Buffer | null = null;
    if (bigSize || bigOffset) {
      z64 = Buffer.alloc(4 + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0));
      z64.writeUInt16LE(0x0001, 0);
      z64.writeUInt16LE(z64.byteLength - 4, 2);
      let o = 4;
      if (bigSize) {
        z64.writeBigUInt64LE(BigInt(size), o);
        z64.writeBigUInt64LE(BigInt(size), o + 8);
        o += 16;
      }
      if (bigOffset) z64.writeBigUInt64LE(BigInt(offset), o);
    }
    const start = offset + LOCAL_HEADER_SIZE + nameBuf.byteLength + (z64 ? z64.byteLength : 0) + 4;
    const pad = (this.alignment - (start % this.alignment)) % this.alignment;
    const extraLen = (z64 ? z64.byteLength : 0) + 4 + pad;
    const flags = size === 0 ? 0x0800 : 0x0808;

    const lh = Buffer.alloc(LOCAL_HEADER_SIZE);
    lh.writeUInt32LE(SIG_LOCAL, 0);
    lh.writeUInt16LE(z64 ? 45 : 0, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt16LE(nameBuf.byteLength, 26);
    lh.writeUInt16LE(extraLen, 28);
    this.sink.write(lh);
    this.sink.write(nameBuf);
    if (z64) this.sink.write(z64);
    const fb = Buffer.alloc(4 + pad, 0x5a);
    fb.write('FB', 0, 'latin1');
    fb.writeUInt16LE(pad, 2);
    this.sink.write(fb);

    let crc = 0;
    let written = 0;
    const head = Buffer.alloc(Math.min(8, size));
    for (const chunk of chunks) {
      if (chunk.byteLength === 0) continue;
      if (written < head.byteLength) head.set(chunk.subarray(0, head.byteLength - written), written);
      written += chunk.byteLength;
      if (written > size) throw new Error(`ZipWriter: record '${name}' got more than the declared ${size} bytes`);
      crc = zlib.crc32(chunk, crc);
      this.sink.write(chunk);
    }
    if (written !== size) throw new Error(`ZipWriter: record '${name}' got ${written} bytes but ${size} were declared`);
    crc >>>= 0;
    if (size > 0) {
      const dd = Buffer.alloc(z64 ? 24 : 16);
      dd.writeUInt32LE(SIG_DESCRIPTOR, 0);
      dd.writeUInt32LE(crc, 4);
      if (z64) {
        dd.writeBigUInt64LE(BigInt(size), 8);
        dd.writeBigUInt64LE(BigInt(size), 16);
      } else {
        dd.writeUInt32LE(size, 8);
        dd.writeUInt32LE(size, 12);
      }
      this.sink.write(dd);
    }
    this.records.push({ name: nameBuf, flags, crc, size, offset });
    this.onRecord?.({ name, nameBytes: nameBuf, head, size, crc });
  }

  /** Writes the central directory and end records and flushes the sink. */
  finish(): void {
    if (this.finished) throw new Error('ZipWriter: finish() called twice');
    this.finished = true;
    const cdOffset = this.sink.position;
    for (const r of this.records) {
      const bigSize = r.size >= U32_MAX;
      const bigOffset = r.offset >= U32_MAX;
      const z64Len = bigSize || bigOffset ? 4 + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0) : 0;
      const h = Buffer.alloc(CENTRAL_HEADER_SIZE + z64Len);
      h.writeUInt32LE(SIG_CENTRAL, 0);
      h.writeUInt16LE(z64Len ? 45 : 0, 6);
      h.writeUInt16LE(r.flags, 8);
      h.writeUInt32LE(r.crc, 16);
      h.writeUInt32LE(Math.min(r.size, U32_MAX), 20);
      h.writeUInt32LE(Math.min(r.size, U32_MAX), 24);
      h.writeUInt16LE(r.name.byteLength, 28);
      h.writeUInt16LE(z64Len, 30);
      h.writeUInt32LE(Math.min(r.offset, U32_MAX), 42);
      if (z64Len) {
        let o = CENTRAL_HEADER_SIZE;
        h.writeUInt16LE(0x0001, o);
        h.writeUInt16LE(z64Len - 4, o + 2);
        o += 4;
        if (bigSize) {
          h.writeBigUInt64LE(BigInt(r.size), o);
          h.writeBigUInt64LE(BigInt(r.size), o + 8);
          o += 16;
        }
        if (bigOffset) h.writeBigUInt64LE(BigInt(r.offset), o);
      }
      this.sink.write(h.subarray(0, CENTRAL_HEADER_SIZE));
      this.sink.write(r.name);
      if (z64Len) this.sink.write(h.subarray(CENTRAL_HEADER_SIZE));
    }
    const cdSize = this.sink.position - cdOffset;
    const z64Pos = this.sink.position;
    const n = this.records.length;
    const z = Buffer.alloc(ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE + EOCD_SIZE);
    z.writeUInt32LE(SIG_ZIP64_EOCD, 0);
    z.writeBigUInt64LE(BigInt(ZIP64_EOCD_SIZE - 12), 4);
    z.writeUInt16LE(0x031e, 12);
    z.writeUInt16LE(45, 14);
    z.writeBigUInt64LE(BigInt(n), 24);
    z.writeBigUInt64LE(BigInt(n), 32);
    z.writeBigUInt64LE(BigInt(cdSize), 40);
    z.writeBigUInt64LE(BigInt(cdOffset), 48);
    let o = ZIP64_EOCD_SIZE;
    z.writeUInt32LE(SIG_ZIP64_LOCATOR, o);
    z.writeBigUInt64LE(BigInt(z64Pos), o + 8);
    z.writeUInt32LE(1, o + 16);
    o += ZIP64_LOCATOR_SIZE;
    z.writeUInt32LE(SIG_EOCD, o);
    z.writeUInt16LE(Math.min(n, U16_MAX), o + 8);
    z.writeUInt16LE(Math.min(n, U16_MAX), o + 10);
    z.writeUInt32LE(Math.min(cdSize, U32_MAX), o + 12);
    z.writeUInt32LE(Math.min(cdOffset, U32_MAX), o + 16);
    this.sink.write(z);
    this.sink.flush();
  }
}

/** Exposed for tests: the size at which ZIP64 fields kick in. */
export const ZIP64_THRESHOLD = FOUR_GIB - 1;
