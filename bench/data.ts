/**
 * Data pipeline speed: load the pretraining CSV and collate one epoch of
 * batches, with this library (BERTCSVDataset + DataLoader + collateBatch) and
 * with the course's Python pipeline (pandas read_csv, json.loads per cell in
 * __getitem__, torch pad_sequence in collate_batch; the Python whose torch the
 * addon links) on the same file in the same run. Prints both
 * times and the ratio.
 *
 *   npx tsx bench/data.ts [--csv train.csv] [--batch-size 32] [--runs 3] [--workers 0]
 *
 * Without --csv, the Brown corpus is prepared first (prepare-data defaults,
 * seed 1) into a temporary folder.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { referencePython } from '../scripts/reference-python.js';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../lib/torch/index.js';
import { DataLoader } from '../lib/torch/utils/data/index.js';
import { BERTCSVDataset } from '../lib/bert/dataset.js';
import { collateBatch } from '../lib/bert/collate.js';
import { loadBrownCorpus } from '../lib/bert/corpus.js';
import { prepareData, writePreparedData } from '../lib/bert/prepare.js';

const args = process.argv.slice(2);
const KNOWN = ['--csv', '--batch-size', '--runs', '--workers'];
for (let i = 0; i < args.length; i += 2) {
  if (!KNOWN.includes(args[i])) {
    console.error(`bench/data: unknown option ${args[i]} (known: ${KNOWN.join(', ')})`);
    process.exit(2);
  }
}
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const BATCH = Number(opt('batch-size') ?? 32);
const RUNS = Number(opt('runs') ?? 3);
const WORKERS = Number(opt('workers') ?? 0);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const PYTHON = `
import json, sys, time
import pandas as pd
import torch
from torch.utils.data import Dataset, DataLoader
from torch.nn.utils.rnn import pad_sequence

PAD_IDX = 0

class BERTCSVDataset(Dataset):
    def __init__(self, filename):
        self.data = pd.read_csv(filename)

    def __len__(self):
        return len(self.data)

    def __getitem__(self, idx):
        row = self.data.iloc[idx]
        bert_input = torch.tensor(json.loads(row['BERT Input']), dtype=torch.long)
        bert_label = torch.tensor(json.loads(row['BERT Label']), dtype=torch.long)
        segment_label = torch.tensor(json.loads(row['Segment Label']), dtype=torch.long)
        is_next = torch.tensor(row['Is Next'], dtype=torch.long)
        return bert_input, bert_label, segment_label, is_next

def collate_batch(batch):
    bert_inputs, bert_labels, segment_labels, is_nexts = [], [], [], []
    for bert_input, bert_label, segment_label, is_next in batch:
        bert_inputs.append(bert_input)
        bert_labels.append(bert_label)
        segment_labels.append(segment_label)
        is_nexts.append(is_next)
    bert_inputs = pad_sequence(bert_inputs, padding_value=PAD_IDX, batch_first=False)
    bert_labels = pad_sequence(bert_labels, padding_value=PAD_IDX, batch_first=False)
    segment_labels = pad_sequence(segment_labels, padding_value=PAD_IDX, batch_first=False)
    is_nexts = torch.stack(is_nexts)
    return bert_inputs, bert_labels, segment_labels, is_nexts

path, batch_size, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
load_s, epoch_s = [], []
for _ in range(runs):
    t0 = time.perf_counter()
    ds = BERTCSVDataset(path)
    t1 = time.perf_counter()
    g = torch.Generator().manual_seed(0)
    n = 0
    for bert_inputs, bert_labels, segment_labels, is_nexts in DataLoader(ds, batch_size=batch_size, shuffle=True, collate_fn=collate_batch, generator=g):
        n += 1
    t2 = time.perf_counter()
    load_s.append(t1 - t0)
    epoch_s.append(t2 - t1)
print(json.dumps({'load': load_s, 'epoch': epoch_s, 'rows': len(ds), 'batches': n, 'threads': torch.get_num_threads()}))
`;

async function main(): Promise<void> {
  let dir: string | null = null;
  let csv = opt('csv');
  if (csv === undefined) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-data-'));
    const t0 = performance.now();
    writePreparedData(dir, prepareData(loadBrownCorpus(), { seed: 1 }));
    csv = path.join(dir, 'train.csv');
    console.log(`prepared Brown train.csv (${(fs.statSync(csv).size / 1e6).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  try {
    const loadMs: number[] = [];
    const epochMs: number[] = [];
    let rows = 0;
    let batches = 0;
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const ds = new BERTCSVDataset(csv, { onWarning: null });
      const t1 = performance.now();
      const loader = new DataLoader(ds, {
        batchSize: BATCH,
        shuffle: true,
        generator: new torch.Generator(0),
        collateFn: collateBatch,
        numWorkers: WORKERS,
      });
      batches = 0;
      for await (const batch of loader) {
        for (const t of batch) t.dispose();
        batches++;
      }
      const t2 = performance.now();
      rows = ds.length;
      loadMs.push(t1 - t0);
      epochMs.push(t2 - t1);
    }

    const py = spawnSync(referencePython(), ['-c', PYTHON, csv, String(BATCH), String(RUNS)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (py.status !== 0) {
      console.error(`python pipeline failed (does the reference Python have pandas?):\n${py.stderr}`);
      process.exitCode = 1;
      return;
    }
    const p = JSON.parse(py.stdout.trim().split('\n').pop() as string) as {
      load: number[];
      epoch: number[];
      rows: number;
      batches: number;
      threads: number;
    };
    const ours = median(loadMs) + median(epochMs);
    const theirs = (median(p.load) + median(p.epoch)) * 1000;
    const f = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
    console.log(`file: ${csv} (${rows} rows, batch size ${BATCH}, ${batches} batches, median of ${RUNS} runs)`);
    console.log(
      `torch-ts  load ${f(median(loadMs))}  epoch ${f(median(epochMs))}  total ${f(ours)}  (numWorkers ${WORKERS}, libtorch threads ${torch.getNumThreads()})`,
    );
    console.log(
      `python    load ${f(median(p.load) * 1000)}  epoch ${f(median(p.epoch) * 1000)}  total ${f(theirs)}  (pandas + json.loads + pad_sequence, torch threads ${p.threads})`,
    );
    console.log(
      `ratio     ${(theirs / ours).toFixed(1)}x faster (load ${((median(p.load) * 1000) / median(loadMs)).toFixed(1)}x, epoch ${((median(p.epoch) * 1000) / median(epochMs)).toFixed(1)}x)`,
    );
    if (p.rows !== rows || p.batches !== batches) {
      console.error(`mismatch: python read ${p.rows} rows in ${p.batches} batches`);
      process.exitCode = 1;
    }
  } finally {
    if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
