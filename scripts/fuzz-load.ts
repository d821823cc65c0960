/**
 * Fuzzes `torch.load` (lib/torch/serialization) with mutated `.pt` files,
 * pickle and zip bombs included, in a child process under memory limits, and
 * reports what happened: no case may abort the process, hang, leave a file
 * descriptor open, leak a tensor or end in an error other than this library's.
 *
 *   npx tsx scripts/fuzz-load.ts [--cases 20000] [--seed 1] [--heap-mb 256] [--rss-mb 2048] [--timeout-s 60]
 *
 * The driver (this script without --child) runs the cases in a child:
 *   prlimit --as=64G node --max-old-space-size=<heap-mb> --import tsx scripts/fuzz-load.ts --child ...
 * (a process with libtorch and tsx starts at about 34 GB of address space, mostly
 * reservations; the resident-memory watch is the real limit.) It
 * kills the child when its resident memory passes --rss-mb or when no case
 * finishes for --timeout-s; an abort, a kill or a hang is recorded against
 * the case that was running and the child restarts at the next case.
 * Cases are numbered and reproducible from the seed: `--from N --to N+1`
 * reruns case N alone. Exits 1 when any case failed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { appendBomb, checkpointZip, dictBomb, repeatedPickle, zipOf } from '../test/40-serialization-bombs.js';

const HERE = fileURLToPath(import.meta.url);
const ROOT = path.join(path.dirname(HERE), '..');

interface Args {
  cases: number;
  seed: number;
  heapMb: number;
  rssMb: number;
  timeoutS: number;
  child: boolean;
  from: number;
  to: number;
  dir: string;
}

function parse(argv: string[]): Args {
  const a: Args = { cases: 20000, seed: 1, heapMb: 256, rssMb: 2048, timeoutS: 60, child: false, from: 0, to: -1, dir: '' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--cases') a.cases = Number(v());
    else if (k === '--seed') a.seed = Number(v());
    else if (k === '--heap-mb') a.heapMb = Number(v());
    else if (k === '--rss-mb') a.rssMb = Number(v());
    else if (k === '--timeout-s') a.timeoutS = Number(v());
    else if (k === '--from') a.from = Number(v());
    else if (k === '--to') a.to = Number(v());
    else if (k === '--dir') a.dir = v();
    else if (k === '--child') a.child = true;
    else throw new Error(`Unknown option ${k} (see the comment at the top of scripts/fuzz-load.ts)`);
  }
  if (a.to < 0) a.to = a.cases;
  return a;
}

// ---------------------------------------------------------------------------
// Driver

interface CaseLine {
  i: number;
  label: string;
  outcome: string;
  ms: number;
  fail?: string;
  /** For the fixed cases (bombs...): the error message. */
  message?: string;
}

interface Summary {
  cases: number;
  outcomes: Map<string, number>;
  failures: string[];
  slowest: { ms: number; label: string };
  peakRssMb: number;
  peakHeapMb: number;
  restarts: number;
  fixed: string[];
}

function rssMbOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function drive(a: Args): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-load-'));
  const s: Summary = { cases: 0, outcomes: new Map(), failures: [], slowest: { ms: 0, label: '' }, peakRssMb: 0, peakHeapMb: 0, restarts: 0, fixed: [] };
  const t0 = Date.now();
  let next = a.from;
  try {
    while (next < a.to) {
      const args = [
        `--as=${64 * 2 ** 30}`,
        process.execPath,
        `--max-old-space-size=${a.heapMb}`,
        '--expose-gc',
        '--import',
        'tsx',
        HERE,
        '--child',
        '--seed',
        String(a.seed),
        '--from',
        String(next),
        '--to',
        String(a.to),
        '--dir',
        dir,
      ];
      const child = spawn('prlimit', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let running = next;
      let lastLabel = '(starting)';
      let lastProgress = Date.now();
      let killedFor = '';
      let stderr = '';
      let buf = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-2000);
      });
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith('START ')) {
            const [, i, ...rest] = line.split(' ');
            running = Number(i);
            lastLabel = rest.join(' ');
            lastProgress = Date.now();
          } else if (line.startsWith('{')) {
            const c = JSON.parse(line) as CaseLine & { heapMb?: number };
            if (c.heapMb !== undefined) {
              s.peakHeapMb = Math.max(s.peakHeapMb, c.heapMb);
              continue;
            }
            s.cases++;
            s.outcomes.set(c.outcome, (s.outcomes.get(c.outcome) ?? 0) + 1);
            if (c.fail !== undefined) s.failures.push(`case ${c.i} (${c.label}): ${c.fail}`);
            if (c.message !== undefined) s.fixed.push(`${c.label}: ${c.outcome} in ${c.ms.toFixed(0)} ms: ${c.message}`);
            if (c.ms > s.slowest.ms) s.slowest = { ms: c.ms, label: `case ${c.i} (${c.label})` };
            next = c.i + 1;
            lastProgress = Date.now();
            if (s.cases % 2000 === 0) process.stderr.write(`fuzz-load: ${s.cases} cases, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
          }
        }
      });
      const watch = setInterval(() => {
        const rss = rssMbOf(child.pid ?? -1);
        s.peakRssMb = Math.max(s.peakRssMb, rss);
        if (rss > a.rssMb && killedFor === '') {
          killedFor = `resident memory ${rss.toFixed(0)} MB passed ${a.rssMb} MB`;
          child.kill('SIGKILL');
        } else if (Date.now() - lastProgress > a.timeoutS * 1000 && killedFor === '') {
          killedFor = `no progress for ${a.timeoutS} s (a hang)`;
          child.kill('SIGKILL');
        }
      }, 100);
      const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
      clearInterval(watch);
      if (code === 0 && next >= a.to) break;
      // The child died in the middle of case `running`.
      s.cases++;
      const why = killedFor || `the process ended (exit ${code}, signal ${signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
      s.outcomes.set('DIED', (s.outcomes.get('DIED') ?? 0) + 1);
      s.failures.push(`case ${running} (${lastLabel}): ${why}`);
      next = running + 1;
      s.restarts++;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(
    `fuzz-load: ${s.cases} cases (seed ${a.seed}) in ${secs.toFixed(0)} s under --max-old-space-size=${a.heapMb}, prlimit --as=64G, resident memory watched at ${a.rssMb} MB`,
  );
  for (const [k, n] of [...s.outcomes].sort((x, y) => y[1] - x[1])) console.log(`  ${k.padEnd(22)} ${n}`);
  console.log(`  slowest case: ${s.slowest.ms.toFixed(0)} ms, ${s.slowest.label}`);
  console.log(
    `  peak resident memory of the child: ${s.peakRssMb.toFixed(0)} MB; peak JS heap after a case: ${s.peakHeapMb.toFixed(0)} MB; child restarts: ${s.restarts}`,
  );
  console.log('  the fixed cases:');
  for (const f of s.fixed) console.log(`    ${f}`);
  console.log(`  failures (aborts, kills, hangs, fd or tensor leaks, foreign errors): ${s.failures.length}`);
  for (const f of s.failures.slice(0, 20)) console.log(`    ${f}`);
  if (s.failures.length > 0) process.exitCode = 1;
}

// ---------------------------------------------------------------------------
// Child: builds and runs the cases

/** mulberry32. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = x;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function runChild(a: Args): Promise<void> {
  const torch = await import('../lib/torch/index.js');
  const ser = await import('../lib/torch/serialization/index.js');
  const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});
  const ALLOWED = new Set(['CheckpointError', 'ZipFormatError', 'PickleFormatError', 'PickleSecurityError', 'SafetensorsError']);

  // Seeds, as in test/40-serialization-fuzz.test.ts.
  const base = torch.arange(30, { dtype: 'float32' }).reshape([5, 6]);
  const emb = torch.randn([4, 3]);
  const sd = ser.orderedDict<InstanceType<typeof torch.Tensor>>(
    [
      ['emb.weight', emb],
      ['head.weight', emb],
      ['row', base.select(0, 2)],
      ['t', base.t()],
      ['h', torch.randn([2, 3]).to('float16')],
      ['i', torch.tensor([1, -2, 3], { dtype: 'int64' })],
      ['m', torch.tensor([true, false])],
      ['e', torch.zeros([0, 2])],
    ],
    { _metadata: ser.orderedDict([['', { version: 1 }]]) },
  );
  const ck = {
    model: sd,
    optimizer: {
      state: new Map([[0, { step: torch.tensor(3, { dtype: 'float32' }), exp_avg: torch.zeros([4, 3]) }]]),
      param_groups: [{ lr: 0.001, betas: ser.tuple(0.9, 0.999), params: [0] }],
    },
    epoch: 12,
    loss: ser.pyFloat(2),
    big: 2n ** 70n,
    name: 'fuzz ✓',
  };
  const stored = [ser.saveToBuffer(sd), ser.saveToBuffer(ck as never), ser.saveToBuffer({ w: base })];
  const records = (buf: Buffer): { name: string; data: Buffer }[] => {
    const r = ser.ZipReader.fromBuffer(buf);
    return r.entries.map((e) => ({ name: e.name, data: r.read(e) }));
  };
  const deflated = stored.map((b) => zipOf(records(b).map((r) => ({ ...r, deflate: true }))));
  const seeds = [...stored, ...deflated];
  const pickleOf = (buf: Buffer): Buffer => records(buf).find((r) => r.name.endsWith('/data.pkl'))!.data;

  // The bombs and relatives: built once, run first.
  const zeros2g = await (async (): Promise<Buffer> => {
    // 2 GiB of zeros deflated without holding them: about 2 MB.
    const d = zlib.createDeflateRaw({ level: 9 });
    const out: Buffer[] = [];
    d.on('data', (c: Buffer) => out.push(c));
    const chunk = Buffer.alloc(1 << 24);
    for (let k = 0; k < 128; k++) if (!d.write(chunk)) await once(d, 'drain');
    d.end();
    await once(d, 'end');
    return Buffer.concat(out);
  })();
  const storageBomb = (): Buffer => {
    // A float32 storage of 2^29 elements (2 GiB) whose record deflates to ~2 MB.
    const pkl = ser.dumps(
      { w: { t: true } },
      {
        persistentId: (o) =>
          (o as { s?: boolean }).s ? ser.tuple<object>('storage', new ser.PyGlobal('torch', 'FloatStorage'), '0', 'cpu', 2 ** 29) : undefined,
        reduce: (o) =>
          (o as { t?: boolean }).t
            ? new ser.PyReduce<object>(
                new ser.PyGlobal('torch._utils', '_rebuild_tensor_v2'),
                ser.tuple<object>({ s: true }, 0, ser.tuple(2 ** 29), ser.tuple(1), false, ser.orderedDict()),
              )
            : undefined,
      },
    );
    // zipOf deflates itself; the record is given pre-deflated through a stored-size lie instead.
    const zip = zipOf([
      { name: 'archive/data.pkl', data: pkl },
      { name: 'archive/data/0', data: Buffer.alloc(0) },
      { name: 'archive/version', data: Buffer.from('3\n') },
    ]);
    // Swap the empty stored record for the deflated 2 GiB one: rebuild by hand.
    return replaceWithDeflated(zip, 'archive/data/0', zeros2g, 2 ** 31);
  };
  const fixed: { label: string; make: () => Buffer | string; opts?: object }[] = [
    { label: 'append bomb 150M, deflated (the issue: 292 KB)', make: () => checkpointZip(appendBomb(150_000_000), true) },
    {
      label: 'append bomb 30M, deflated, padded past the inflation check',
      make: () => checkpointZip(appendBomb(30_000_000), true, [{ name: 'archive/data/pad', data: Buffer.alloc(700_000) }]),
    },
    { label: 'dict bomb 3M, stored', make: () => checkpointZip(dictBomb(3_000_000), false) },
    {
      label: 'empty-list bomb 10M, deflated, padded',
      make: () => checkpointZip(repeatedPickle(']', ']a', 10_000_000), true, [{ name: 'archive/data/pad', data: Buffer.alloc(300_000) }]),
    },
    { label: 'memo bomb 2M puts, stored', make: () => checkpointZip(memoBomb(2_000_000), false) },
    {
      label: 'BINGET reference bomb 50M, deflated, padded',
      make: () => checkpointZip(repeatedPickle(']q\x00', 'h\x00a', 50_000_000), true, [{ name: 'archive/data/pad', data: Buffer.alloc(1_600_000) }]),
    },
    { label: 'MARK nesting bomb', make: () => checkpointZip(repeatedPickle(']', '(', 5_000_000), true) },
    { label: 'BINUNICODE8 declaring 2^62 bytes', make: () => checkpointZip(Buffer.from('\x80\x04\x8d\x00\x00\x00\x00\x00\x00\x00\x40x.', 'latin1'), false) },
    { label: 'LONG4 of 2^31 bytes', make: () => checkpointZip(Buffer.from('\x80\x02\x8b\xff\xff\xff\x7fx.', 'latin1'), false) },
    { label: 'tensor view bomb: 1M views of one storage', make: () => viewBomb(1_000_000) },
    { label: 'storage bomb: 2 GiB per 2 MB of file, deflated', make: storageBomb },
    { label: 'an empty file', make: () => Buffer.alloc(0) },
    { label: 'legacy torch.save', make: () => Buffer.concat([Buffer.from('80028a0a6cfc9c46f9206aa850192e', 'hex'), Buffer.alloc(20)]) },
    { label: 'a directory', make: () => 'DIR' },
    { label: 'a bare pickle', make: () => Buffer.from('\x80\x02}q\x00.', 'latin1') },
    { label: 'hostile os.system', make: () => checkpointZip(Buffer.from('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.', 'latin1'), false) },
  ];

  const file = path.join(a.dir, `case-${process.pid}.pt`);
  const fds = (): number => fs.readdirSync('/proc/self/fd').length;
  let baseFds = fds();
  let baseTensors = torch.memory().numWrappers;
  const heapMb = (): number => process.memoryUsage().heapUsed / 2 ** 20;

  const makeCase = (i: number): { label: string; data: Buffer | string; opts: object } => {
    if (i < fixed.length) {
      const f = fixed[i];
      return { label: f.label, data: f.make(), opts: f.opts ?? {} };
    }
    const r = rng(a.seed * 1_000_003 + i);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const s = Math.floor(r() * seeds.length);
    const seed = seeds[s];
    const kind = Math.floor(r() * 7);
    const opts = r() < 0.1 ? { mmap: true } : {};
    const name = `seed ${s}${s >= stored.length ? ' (deflated)' : ''}`;
    if (kind === 0) {
      const n = Math.floor(r() * seed.byteLength);
      return { label: `${name} truncated to ${n}`, data: seed.subarray(0, n), opts };
    }
    if (kind === 1) {
      const b = Buffer.from(seed);
      const k = 1 + Math.floor(r() * 4);
      for (let j = 0; j < k; j++) b[Math.floor(r() * b.byteLength)] ^= 1 + Math.floor(r() * 255);
      return { label: `${name} ${k} bytes flipped`, data: b, opts };
    }
    if (kind === 2 || kind === 3) {
      let p = Buffer.from(pickleOf(seed));
      const n = 1 + Math.floor(r() * 3);
      for (let k = 0; k < n; k++) {
        const at = Math.floor(r() * p.byteLength);
        const m = Math.floor(r() * 5);
        if (m === 0) p[at] ^= 1 + Math.floor(r() * 255);
        else if (m === 1) p = Buffer.concat([p.subarray(0, at), p.subarray(Math.min(p.byteLength, at + 1 + Math.floor(r() * 8)))]);
        else if (m === 2) p = Buffer.concat([p.subarray(0, at), Buffer.from([Math.floor(r() * 256)]), p.subarray(at)]);
        else if (m === 3) p = Buffer.concat([p.subarray(0, at), p.subarray(at, at + 1 + Math.floor(r() * 40)), p.subarray(at)]);
        else
          p[at] = pick([
            0x4b, 0x4d, 0x4a, 0x8a, 0x8b, 0x58, 0x8d, 0x71, 0x72, 0x68, 0x6a, 0x28, 0x74, 0x52, 0x62, 0x51, 0x73, 0x75, 0x61, 0x65, 0x2e, 0x7d, 0x5d, 0x94,
          ]);
      }
      const recs = records(seed).map((x) => ({ ...x, data: x.name.endsWith('/data.pkl') ? p : x.data, deflate: kind === 3 }));
      return { label: `${name} pickle mutated${kind === 3 ? ', deflated' : ''}`, data: zipOf(recs), opts };
    }
    if (kind === 4) {
      // Lies in the zip directory: sizes, offsets, methods.
      const b = Buffer.from(seed);
      const cd = b.readUInt32LE(b.byteLength - 6);
      const entries: number[] = [];
      for (
        let p = cd;
        p + 46 <= b.byteLength && b.readUInt32LE(p) === 0x02014b50;
        p += 46 + b.readUInt16LE(p + 28) + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32)
      )
        entries.push(p);
      if (entries.length === 0) return { label: `${name} (no directory) flipped`, data: b, opts };
      const e = pick(entries);
      const f = pick([10, 16, 20, 24, 42]);
      const v = pick([0, 1, 8, 0xff, 0xffff, 0x7fffffff, 0xfffffffe, 0xffffffff, Math.floor(r() * 2 ** 32)]);
      if (f === 10) b.writeUInt16LE(v & 0xffff, e + f);
      else b.writeUInt32LE(v >>> 0, e + f);
      return { label: `${name} directory field +${f} = ${v}`, data: b, opts };
    }
    if (kind === 5) {
      // A record of the wrong length.
      const recs = records(seed);
      const k = Math.floor(r() * recs.length);
      const delta = Math.floor(r() * 33) - 16 || 1;
      recs[k] = { ...recs[k], data: Buffer.concat([recs[k].data, Buffer.alloc(Math.max(0, delta))]).subarray(0, Math.max(0, recs[k].data.byteLength + delta)) };
      return { label: `${name} ${recs[k].name} resized by ${delta}`, data: zipOf(recs.map((x) => ({ ...x, deflate: s >= stored.length }))), opts };
    }
    const n = Math.floor(r() ** 3 * 100_000);
    const b = Buffer.alloc(n);
    for (let j = 0; j < n; j++) b[j] = Math.floor(r() * 256);
    if (n >= 4 && r() < 0.5) b.write('PK\x03\x04', 0, 'latin1');
    return { label: `${n} random bytes`, data: b, opts };
  };

  for (let i = a.from; i < a.to; i++) {
    const c = makeCase(i);
    let target = file;
    if (c.data === 'DIR') {
      target = path.join(a.dir, `dir-${process.pid}`);
      fs.mkdirSync(target, { recursive: true });
    } else {
      fs.writeFileSync(file, c.data as Buffer);
    }
    c.data = '';
    gc();
    console.log(`START ${i} ${c.label}`);
    const t0 = performance.now();
    let outcome: string;
    let fail: string | undefined;
    let message: string | undefined;
    try {
      const v = ser.load(target, c.opts);
      outcome = 'loaded';
      torch.dispose(v);
    } catch (e) {
      const err = e as Error;
      outcome = err?.name ?? typeof e;
      if (i < fixed.length) message = err?.message;
      if ((err as NodeJS.ErrnoException)?.code === 'EISDIR' || (err as NodeJS.ErrnoException)?.code === 'ENOMEM')
        outcome = `fs ${(err as NodeJS.ErrnoException).code}`;
      else if (!ALLOWED.has(outcome)) fail = `unexpected ${outcome}: ${err?.message}`;
      else if (!(err.message.length >= 10)) fail = `unclear message ${JSON.stringify(err.message)}`;
    }
    const ms = performance.now() - t0;
    const leakedFds = fds() - baseFds;
    const leakedTensors = torch.memory().numWrappers - baseTensors;
    // Counted per case: a leak is reported once, by the case that caused it.
    if (leakedFds !== 0) fail = `${fail ?? ''} ${leakedFds} file descriptors left open`.trim();
    if (leakedTensors !== 0) fail = `${fail ?? ''} ${leakedTensors} tensors leaked`.trim();
    baseFds += leakedFds;
    baseTensors += leakedTensors;
    console.log(JSON.stringify({ i, label: c.label, outcome, ms, fail, message: i < fixed.length ? (message ?? '(loaded)') : undefined }));
    if (i % 200 === 0 || i < fixed.length) console.log(JSON.stringify({ heapMb: heapMb() }));
  }
}

/** `]` then `N r<u32 k> a` for k < n: a new memo entry per element. */
function memoBomb(n: number): Buffer {
  const b = Buffer.alloc(3 + 7 * n + 1);
  b.write('\x80\x02]', 0, 'latin1');
  for (let k = 0; k < n; k++) {
    const o = 3 + 7 * k;
    b[o] = 0x4e;
    b[o + 1] = 0x72;
    b.writeUInt32LE(k, o + 2);
    b[o + 6] = 0x61;
  }
  b[b.byteLength - 1] = 0x2e;
  return b;
}

/**
 * A checkpoint whose pickle rebuilds `n` tensor views of one 4-element
 * storage (each a native tensor): the first spelled out, the others 17 bytes
 * each through memo references.
 */
function viewBomb(n: number): Buffer {
  const X = (t: string): string => `X${String.fromCharCode(t.length, 0, 0, 0)}${t}`;
  const first =
    '\x80\x02]q\x00ctorch._utils\n_rebuild_tensor_v2\nq\x01(' +
    `(${X('storage')}ctorch\nFloatStorage\n${X('0')}${X('cpu')}K\x04tQq\x02` +
    'K\x00K\x04\x85q\x03K\x01\x85q\x04\x89ccollections\nOrderedDict\nq\x05)Rq\x06tRa';
  const unit = 'h\x01(h\x02K\x00h\x03h\x04\x89h\x06tRa';
  const pkl = Buffer.concat([Buffer.from(first, 'latin1'), Buffer.from(unit.repeat(n - 1), 'latin1'), Buffer.from('.')]);
  return zipOf([
    { name: 'archive/data.pkl', data: pkl },
    { name: 'archive/data/0', data: Buffer.alloc(16) },
    { name: 'archive/version', data: Buffer.from('3\n') },
  ]);
}

/**
 * Replaces the (stored, empty) record `name` of a plain zip by `deflatedData`
 * declared as `size` bytes uncompressed (method 8). Offsets after it move.
 */
function replaceWithDeflated(zip: Buffer, name: string, deflatedData: Buffer, size: number): Buffer {
  const cdOff = zip.readUInt32LE(zip.byteLength - 6);
  const count = zip.readUInt16LE(zip.byteLength - 12);
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let p = cdOff;
  let offset = 0;
  for (let k = 0; k < count; k++) {
    const nameLen = zip.readUInt16LE(p + 28);
    const ch = Buffer.from(zip.subarray(p, p + 46 + nameLen));
    const n = ch.subarray(46).toString('utf8');
    const lhOff = ch.readUInt32LE(42);
    const lnl = zip.readUInt16LE(lhOff + 26);
    const lel = zip.readUInt16LE(lhOff + 28);
    const lh = Buffer.from(zip.subarray(lhOff, lhOff + 30 + lnl + lel));
    let data = zip.subarray(lhOff + lh.byteLength, lhOff + lh.byteLength + ch.readUInt32LE(20));
    if (n === name) {
      data = deflatedData;
      for (const h of [lh, ch]) {
        const base = h === lh ? 0 : 2;
        h.writeUInt16LE(8, 8 + base);
        h.writeUInt32LE(0, 14 + base); // CRC: the load refuses before checking it, or fails on it
        h.writeUInt32LE(deflatedData.byteLength, 18 + base);
        h.writeUInt32LE(Math.min(size, 0xfffffffe), 22 + base);
      }
    }
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, data);
    central.push(ch);
    offset += lh.byteLength + data.byteLength;
    p += 46 + nameLen + ch.readUInt16LE(30) + ch.readUInt16LE(32);
  }
  const cd = Buffer.concat(central);
  const end = Buffer.from(zip.subarray(zip.byteLength - 22));
  end.writeUInt32LE(cd.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const args = parse(process.argv.slice(2));
if (args.child) await runChild(args);
else await drive(args);
