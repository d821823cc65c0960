/**
 * Shared helpers for the serialization tests: talking to the reference Python
 * (the Python whose torch the addon links) and describing values in the same
 * structural form as test/python/serialization_ref.py does.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PyFloat, PyGlobal, PyReduce, PyTuple, isOrderedDict, pyState, pyFloatKeys } from '../lib/torch/serialization/pickle.js';
import { referencePython } from '../scripts/reference-python.js';
import { BufferSink, ZipFormatError, type ByteSink, type ByteSource } from '../lib/torch/serialization/index.js';

/** A sink whose positions start at `base` (to test offsets past 4 GiB without writing them). */
export class OffsetSink implements ByteSink {
  readonly inner = new BufferSink();
  constructor(readonly base: number) {}
  get position(): number {
    return this.base + this.inner.position;
  }
  write(d: Uint8Array): void {
    this.inner.write(d);
  }
  flush(): void {}
}
/** A source holding `buf` at `base`, zeros before it, like a sparse file. */
export class OffsetSource implements ByteSource {
  readonly size: number;
  constructor(
    private readonly buf: Buffer,
    private readonly base: number,
  ) {
    this.size = base + buf.byteLength;
  }
  readInto(pos: number, target: Uint8Array): void {
    if (pos + target.byteLength > this.size) throw new ZipFormatError(`read outside data at ${pos}`);
    target.fill(0);
    const from = Math.max(pos, this.base);
    target.set(this.buf.subarray(from - this.base, pos + target.byteLength - this.base), from - pos);
  }
  close(): void {}
}

export const PYTHON = referencePython();
export const REF_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python', 'serialization_ref.py');

let pythonAvailable: boolean | undefined;

/** True if the reference Python exists (plain pickle checks need nothing else). */
export function hasPython(): boolean {
  pythonAvailable ??= spawnSync(PYTHON, ['-c', 'import pickle'], { stdio: 'ignore' }).status === 0;
  return pythonAvailable;
}

export { hasPythonTorch } from './helpers/python.js';

/** Runs one command of the reference script with JSON in and out. */
export function py<R>(cmd: string, input: unknown): R {
  const r = spawnSync(PYTHON, [REF_SCRIPT, cmd], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`reference python '${cmd}' failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as R;
}

/** A fresh temporary directory removed by the returned cleanup. */
export function tmpDir(prefix = 'ser-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export type Desc =
  | null
  | { bool: boolean }
  | { int: string }
  | { float: string }
  | { str: string }
  | { bytes: string }
  | { tuple: Desc[] }
  | { list: Desc[] }
  | { dict: [Desc, Desc][]; ordered?: true; metadata?: Desc }
  | { global: string }
  | { device: string }
  | { tensor: TensorDesc };

export interface TensorDesc {
  dtype: string;
  shape: number[];
  stride: number[];
  offset: number;
  storage: number;
  storage_numel: number;
  requires_grad: boolean;
  parameter: boolean;
  device: string;
  bytes: string;
}

/** How a test describes its tensor objects; `storageKey` identifies shared storage. */
export interface TensorDescriber {
  isTensor(v: unknown): boolean;
  describe(v: unknown): Omit<TensorDesc, 'storage'> & { storageKey: string };
}

function floatHex(v: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return b.toString('hex');
}

/** The TS mirror of the Python `describe`. */
export function describe(v: unknown, tensors?: TensorDescriber, storages = new Map<string, number>()): Desc {
  const d = (x: unknown): Desc => describe(x, tensors, storages);
  if (v === null) return null;
  if (typeof v === 'boolean') return { bool: v };
  if (typeof v === 'bigint') return { int: v.toString() };
  if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0) ? { int: String(v) } : { float: floatHex(v) };
  if (v instanceof PyFloat) return { float: floatHex(v.value) };
  if (typeof v === 'string') return { str: v };
  if (tensors?.isTensor(v)) {
    const { storageKey, ...rest } = tensors.describe(v);
    let sid = storages.get(storageKey);
    if (sid === undefined) {
      sid = storages.size;
      storages.set(storageKey, sid);
    }
    return { tensor: { ...rest, storage: sid } };
  }
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') };
  // a number in a slot torch.load marked as a Python float is a float
  const slot = (c: object, k: unknown, x: unknown): Desc => (typeof x === 'number' && pyFloatKeys(c).has(k) ? { float: floatHex(x) } : d(x));
  if (v instanceof PyTuple) return { tuple: [...v].map((x, i) => slot(v, i, x)) };
  if (Array.isArray(v)) return { list: v.map((x, i) => slot(v, i, x)) };
  if (v instanceof PyGlobal) return { global: `${v.module}.${v.name}` };
  if (v instanceof PyReduce) {
    const [type, index] = v.args as unknown as [string, number | null | undefined];
    return { device: index === undefined || index === null ? type : `${type}:${index}` };
  }
  if (typeof v === 'object') {
    const entries: [unknown, unknown][] = v instanceof Map ? [...v.entries()] : Object.entries(v);
    const out: { dict: [Desc, Desc][]; ordered?: true; metadata?: Desc } = { dict: entries.map(([k, x]) => [d(k), slot(v, k, x)]) };
    if (isOrderedDict(v)) {
      out.ordered = true;
      const md = pyState(v)?._metadata;
      if (md !== undefined) out.metadata = d(md);
    }
    return out;
  }
  throw new Error(`cannot describe ${typeof v}`);
}
