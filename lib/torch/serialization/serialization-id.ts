/**
 * The `.data/serialization_id` record that PyTorch (>= 2.2) writes last into
 * every `torch.save` archive, computed here exactly as PyTorch's C++ writer
 * (`caffe2::serialize::PyTorchStreamWriter::writeSerializationId`) computes it
 * on Linux:
 *
 * - 20 digits: `c10::hash_combine` folded over `std::hash<std::string>` of every
 *   record name written so far (without the archive folder), visited in the
 *   iteration order of the `std::unordered_set<std::string>` that holds them;
 * - 20 digits: `c10::hash_combine` folded over the CRC-32 of every write that
 *   starts with a data-descriptor signature (`PK\x07\x08`), in write order:
 *   each non-empty record's descriptor (and, as in PyTorch, a record name or
 *   record data that happens to start with those bytes).
 *
 * `std::hash` and the set's order are those of libstdc++ (GCC), which builds
 * PyTorch's Linux wheels; the id is only a label (`torch.load` never checks
 * it), so a file written here is valid whatever its value, and on Linux it is
 * byte-identical to Python's.
 */

const MASK64 = (1n << 64n) - 1n;
const MUL = 0xc6a4a7935bd1e995n;
/** libstdc++'s seed for `std::hash<std::string>`. */
const STRING_SEED = 0xc70f6907n;
/** `MZ_ZIP_DATA_DESCRIPTOR_ID`, little-endian. */
const DESCRIPTOR_SIG = 0x08074b50;

const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);

/** libstdc++'s `std::_Hash_bytes` for a 64-bit `size_t` (what `std::hash<std::string>` returns). */
export function hashBytes(bytes: Uint8Array, seed: bigint = STRING_SEED): bigint {
  const len = bytes.byteLength;
  const view = new DataView(bytes.buffer, bytes.byteOffset, len);
  const aligned = len & ~7;
  let hash = (seed ^ (BigInt(len) * MUL)) & MASK64;
  for (let p = 0; p < aligned; p += 8) {
    const data = (shiftMix((view.getBigUint64(p, true) * MUL) & MASK64) * MUL) & MASK64;
    hash = ((hash ^ data) * MUL) & MASK64;
  }
  if (len & 7) {
    let data = 0n;
    for (let i = len - 1; i >= aligned; i--) data = (data << 8n) | BigInt(bytes[i]);
    hash = ((hash ^ data) * MUL) & MASK64;
  }
  hash = (shiftMix(hash) * MUL) & MASK64;
  return shiftMix(hash);
}

/** `c10::hash_combine(seed, value)` on 64-bit `size_t`. */
export function hashCombine(seed: bigint, value: bigint): bigint {
  return (seed ^ ((value + 0x9e3779b9n + ((seed << 6n) & MASK64) + (seed >> 2n)) & MASK64)) & MASK64;
}

// libstdc++'s _Prime_rehash_policy (max load factor 1, growth factor 2): the
// bucket counts an unordered_set passes through as it grows one insert at a
// time: 13 on the first insert (a small fixed table below 14), then the
// smallest entry of libstdc++'s `__prime_list` at least twice the old count.
// PRIME_STEPS are those entries; past the last one (about 2.9 million
// records) the next prime stands in, which libstdc++ may not pick.
const PRIME_STEPS = [13, 29, 59, 127, 257, 541, 1109, 2357, 5087, 10273, 20753, 42043, 85229, 172933, 351061, 712697, 1447153, 2938679];

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

function nextBucketCount(n: number): number {
  const known = PRIME_STEPS.find((p) => p >= n);
  if (known !== undefined) return known;
  let p = n;
  while (!isPrime(p)) p++;
  return p;
}

/** Iteration order of a libstdc++ `std::unordered_set` after inserting distinct keys with these hashes in order. */
export function unorderedSetOrder(hashes: readonly bigint[]): number[] {
  // The singly linked list of nodes (indices into `hashes`), head first, and
  // for each bucket the node *before* its first node (-1 = before-begin).
  let next: number[] = [];
  let head = -1;
  let bucketCount = 1;
  let buckets = new Map<number, number>();
  let nextResize = 0;
  const bucketOf = (i: number, n: number): number => Number(hashes[i] % BigInt(n));
  const rehash = (n: number): void => {
    const order: number[] = [];
    for (let p = head; p !== -1; p = next[p]) order.push(p);
    const nb = new Map<number, number>();
    head = -1;
    let beginBucket = 0;
    for (const p of order) {
      const b = bucketOf(p, n);
      const before = nb.get(b);
      if (before === undefined) {
        next[p] = head;
        head = p;
        nb.set(b, -1);
        if (next[p] !== -1) nb.set(beginBucket, p);
        beginBucket = b;
      } else if (before === -1) {
        next[p] = head;
        head = p;
      } else {
        next[p] = next[before];
        next[before] = p;
      }
    }
    buckets = nb;
    bucketCount = n;
  };
  next = new Array<number>(hashes.length).fill(-1);
  for (let i = 0; i < hashes.length; i++) {
    // _M_need_rehash(bucketCount, i, 1)
    if (i + 1 > nextResize) {
      const minBuckets = Math.max(i + 1, nextResize === 0 ? 11 : 0);
      if (minBuckets >= bucketCount) {
        const n = nextBucketCount(Math.max(minBuckets + 1, bucketCount * 2));
        nextResize = n;
        rehash(n);
      } else {
        nextResize = bucketCount;
      }
    }
    // _M_insert_bucket_begin
    const b = bucketOf(i, bucketCount);
    const before = buckets.get(b);
    if (before !== undefined) {
      const after = before === -1 ? head : next[before];
      next[i] = after;
      if (before === -1) head = i;
      else next[before] = i;
    } else {
      next[i] = head;
      head = i;
      if (next[i] !== -1) buckets.set(bucketOf(next[i], bucketCount), i);
      buckets.set(b, -1);
    }
  }
  const out: number[] = [];
  for (let p = head; p !== -1; p = next[p]) out.push(p);
  return out;
}

/** Computes the serialization id while an archive is written. */
export class SerializationId {
  private readonly names: string[] = [];
  private crcs = 0n;

  /**
   * Notes one record: its name without the archive folder, the full name as
   * written in the zip, its first bytes (at least 8 when it is that long) and
   * its CRC-32 (used when the record is not empty).
   */
  record(name: string, fullName: Uint8Array, head: Uint8Array, size: number, crc: number): void {
    this.names.push(name);
    this.observe(fullName);
    if (size > 0) this.observe(head);
    if (size > 0) this.crcs = hashCombine(this.crcs, BigInt(crc >>> 0));
  }

  /** The 40-digit id for the records noted so far. */
  value(): string {
    const hashes = this.names.map((n) => hashBytes(Buffer.from(n, 'utf8')));
    let combined = 0n;
    for (const i of unorderedSetOrder(hashes)) combined = hashCombine(combined, hashes[i]);
    return combined.toString().padStart(20, '0') + this.crcs.toString().padStart(20, '0');
  }

  // PyTorch's write callback folds in the CRC field of any write of 8 or more
  // bytes that starts with the descriptor signature.
  private observe(bytes: Uint8Array): void {
    if (bytes.byteLength < 8) return;
    const v = new DataView(bytes.buffer, bytes.byteOffset, 8);
    if (v.getUint32(0, true) === DESCRIPTOR_SIG) this.crcs = hashCombine(this.crcs, BigInt(v.getUint32(4, true)));
  }
}
