/**
 * Checkpoint speed: save + load a ~100 MB state dict with this library and
 * with the reference Python's torch.save / torch.load (the torch the addon
 * links, see scripts/reference-python.ts) in the same run, and print the
 * times and their ratios.
 *
 *   npx tsx bench/serialization.ts [--mb 100] [--runs 3]
 *
 * Our save includes the atomic-write fsync + rename; Python's torch.save does
 * not fsync, so the Python save is also timed followed by an fsync. Loads
 * are compared mode for mode: our `load` (reads into the tensors, checks
 * CRCs) with Python's plain `torch.load`, and our `load(path, {mmap: true})`
 * with `torch.load(path, mmap=True)`; each load is followed by disposing
 * what it made (for Python: dropping the dict).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../lib/torch/index.js';
import { load, save } from '../lib/torch/serialization/index.js';
import { referencePython } from '../scripts/reference-python.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const MB = opt('mb', 100);
const RUNS = opt('runs', 3);
const PER_TENSOR = 1 << 20; // float32 elements (4 MiB)
const COUNT = Math.max(1, Math.round((MB * 1e6) / (PER_TENSOR * 4)));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ser-'));
try {
  const sd: Record<string, torch.Tensor> = {};
  for (let i = 0; i < COUNT; i++) sd[`layers.${i}.weight`] = torch.randn([1024, PER_TENSOR / 1024]);
  const bytes = COUNT * PER_TENSOR * 4;
  const ours = path.join(dir, 'ours.pt');

  const saveMs: number[] = [];
  const loadMs: number[] = [];
  const mmapMs: number[] = [];
  const loadOurs = (file: string, mmap: boolean): void => {
    const v = load<Record<string, torch.Tensor>>(file, { mmap });
    for (const t of Object.values(v)) t.dispose();
  };
  for (let r = 0; r < RUNS; r++) {
    saveMs.push(time(() => save(sd, ours)));
    loadMs.push(time(() => loadOurs(ours, false)));
    mmapMs.push(time(() => loadOurs(ours, true)));
  }

  const pyFile = path.join(dir, 'py.pt');
  const script = `
import json, os, time, torch
sd = {'layers.%d.weight' % i: torch.randn(1024, ${PER_TENSOR / 1024}) for i in range(${COUNT})}
save, save_fsync, load, load_mmap, load_ours = [], [], [], [], []
def timed(f):
    t = time.perf_counter(); v = f(); d = time.perf_counter() - t
    del v
    return d
for _ in range(${RUNS}):
    t = time.perf_counter(); torch.save(sd, ${JSON.stringify(pyFile)}); save.append(time.perf_counter() - t)
    t = time.perf_counter(); torch.save(sd, ${JSON.stringify(pyFile)})
    fd = os.open(${JSON.stringify(pyFile)}, os.O_RDONLY); os.fsync(fd); os.close(fd); save_fsync.append(time.perf_counter() - t)
    load.append(timed(lambda: torch.load(${JSON.stringify(pyFile)})))
    load_mmap.append(timed(lambda: torch.load(${JSON.stringify(pyFile)}, mmap=True)))
    load_ours.append(timed(lambda: torch.load(${JSON.stringify(ours)}, weights_only=True)))
print(json.dumps({'save': save, 'save_fsync': save_fsync, 'load': load, 'load_mmap': load_mmap, 'load_ours': load_ours, 'threads': torch.get_num_threads()}))
`;
  const p = spawnSync(referencePython(), ['-c', script], { encoding: 'utf8' });
  let py: { save: number[]; save_fsync: number[]; load: number[]; load_mmap: number[]; load_ours: number[] } | null = null;
  if (p.status === 0) py = JSON.parse(p.stdout.trim().split('\n').pop()!);
  else console.error(`(Python reference unavailable: ${p.stderr.trim().split('\n').pop()})`);

  const crossMs: number[] = [];
  const crossMmapMs: number[] = [];
  if (py) {
    for (let r = 0; r < RUNS; r++) {
      crossMs.push(time(() => loadOurs(pyFile, false)));
      crossMmapMs.push(time(() => loadOurs(pyFile, true)));
    }
  }
  for (const t of Object.values(sd)) t.dispose();

  const mb = bytes / 1e6;
  const row = (name: string, ms: number, ref?: number): string =>
    `${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${(mb / (ms / 1000)).toFixed(0).padStart(6)} MB/s` +
    (ref !== undefined ? `   ratio ours/python ${(ms / ref).toFixed(2)}` : '');
  console.log(`state dict: ${COUNT} float32 tensors, ${mb.toFixed(1)} MB; median of ${RUNS} runs; ${os.cpus().length} CPUs`);
  const pySave = py ? median(py.save) * 1000 : undefined;
  const pySaveSync = py ? median(py.save_fsync) * 1000 : undefined;
  const pyLoad = py ? median(py.load) * 1000 : undefined;
  const pyMmap = py ? median(py.load_mmap) * 1000 : undefined;
  console.log(row('ours   save (atomic: tmp + fsync + rename)', median(saveMs), pySaveSync));
  console.log(row('ours   load', median(loadMs), pyLoad));
  console.log(row('ours   load {mmap: true}', median(mmapMs), pyMmap));
  if (py) {
    console.log(row('python torch.save', pySave!));
    console.log(row('python torch.save + fsync', pySaveSync!));
    console.log(row('python torch.load', pyLoad!));
    console.log(row('python torch.load(mmap=True)', pyMmap!));
    console.log(row('ours   load of the Python file', median(crossMs), pyLoad));
    console.log(row('ours   load {mmap: true} of the Python file', median(crossMmapMs), pyMmap));
    console.log(row('python torch.load(weights_only) of our file', median(py.load_ours) * 1000, pyLoad));
    console.log(`(ratios: ours/python for the same mode; mmap loads read no data until tensors are used)`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
