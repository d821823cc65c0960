/**
 * Hostile checkpoint builders shared by the serialization tests and
 * scripts/fuzz-load.ts: zip archives with deflated records (torch.save never
 * writes them, a zip tool may) and pickles that build far more than their size.
 */
import * as zlib from 'node:zlib';

/** One record of {@link zipOf}; `deflate` compresses it (method 8). */
export interface RecordSpec {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
}

/**
 * A plain zip archive (no ZIP64, no data descriptors, no alignment) of the
 * records, deflated ones at level 9. Enough for ZipReader and Python's zipfile.
 */
export function zipOf(records: RecordSpec[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const r of records) {
    const name = Buffer.from(r.name, 'utf8');
    const stored = r.deflate === true ? zlib.deflateRawSync(r.data, { level: 9 }) : Buffer.from(r.data);
    const crc = zlib.crc32(r.data) >>> 0;
    const method = r.deflate === true ? 8 : 0;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(0x0800, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(stored.byteLength, 18);
    lh.writeUInt32LE(r.data.byteLength, 22);
    lh.writeUInt16LE(name.byteLength, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x0800, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(stored.byteLength, 20);
    ch.writeUInt32LE(r.data.byteLength, 24);
    ch.writeUInt16LE(name.byteLength, 28);
    ch.writeUInt32LE(offset, 42);
    parts.push(lh, name, stored);
    central.push(ch, name);
    offset += lh.byteLength + name.byteLength + stored.byteLength;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(records.length, 8);
  end.writeUInt16LE(records.length, 10);
  end.writeUInt32LE(cd.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

/** A pickle of one list built by `count` repetitions of `unit` after `head`: `\x80\x02` head unit... `.`. */
export function repeatedPickle(head: string, unit: string, count: number): Buffer {
  const h = Buffer.from(`\x80\x02${head}`, 'latin1');
  const u = Buffer.from(unit, 'latin1');
  const out = Buffer.allocUnsafe(h.byteLength + u.byteLength * count + 1);
  h.copy(out, 0);
  out.fill(u, h.byteLength, h.byteLength + u.byteLength * count);
  out[out.byteLength - 1] = 0x2e;
  return out;
}

/** `count` list appends of None (`]` then `Na` x count): 2 bytes each, deflating about 1000:1. */
export function appendBomb(count: number): Buffer {
  return repeatedPickle(']', 'Na', count);
}

/** `count` empty dicts appended to a list (`]` then `}a` x count): the most heap per pickle byte. */
export function dictBomb(count: number): Buffer {
  return repeatedPickle(']', '}a', count);
}

/** A torch.save-shaped archive around `pickle` (deflated if asked), plus optional extra records. */
export function checkpointZip(pickle: Uint8Array, deflate: boolean, extra: RecordSpec[] = []): Buffer {
  return zipOf([{ name: 'archive/data.pkl', data: pickle, deflate }, ...extra, { name: 'archive/version', data: Buffer.from('3\n') }]);
}
