/**
 * Recurrent-layer speed against Python PyTorch, same machine, same threads,
 * same shapes, in the same run: a training step of the LSTM language model of
 * examples/lstm-lm.ts (Embedding -> 2-layer LSTM -> Linear, cross-entropy,
 * Adam, clipping), and forward + backward of a bidirectional GRU on a packed
 * batch. Prints both times per step and the ratio (TS / Python).
 *
 *   npx tsx bench/rnn.ts [--steps N] [--threads N]
 */
import { spawnSync } from 'node:child_process';
import { referencePython } from '../scripts/reference-python.js';
import * as torch from '../lib/torch/index.js';
import { LSTMLanguageModel } from '../examples/lstm-lm.js';

function argNum(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const STEPS = argNum('steps', 10);
const THREADS = argNum('threads', 1);
const WARMUP = 2;
const V = 73,
  EMB = 32,
  HID = 64,
  B = 8,
  T = 32;
const LENS = [32, 30, 27, 25, 20, 16, 9, 3];

function timeIt(step: () => void): number {
  for (let i = 0; i < WARMUP; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) step();
  return (performance.now() - t0) / 1000 / STEPS;
}

function tsTimes(): { lm: number; gru: number } {
  torch.setNumThreads(THREADS);
  torch.manualSeed(0);
  const model = new LSTMLanguageModel({ vocab: V, embed: EMB, hidden: HID, layers: 2, dropout: 0.2 });
  const opt = new torch.optim.Adam(model.parameters(), { lr: 3e-3 });
  const x = torch.randint(0, V, [B, T]);
  const y = torch.randint(0, V, [B, T]);
  model.train();
  const lm = timeIt(() =>
    torch.tidy(() => {
      opt.zeroGrad();
      const [logits] = model.forward(x);
      const loss = torch.nn.functional.crossEntropy(logits.reshape(-1, V), y.reshape(-1));
      loss.backward();
      torch.nn.utils.clipGradNorm_(model.parameters(), 1.0);
      opt.step();
      return loss.item();
    }),
  );
  const gru = new torch.nn.GRU(EMB, HID, { numLayers: 2, bidirectional: true });
  const xs = torch.randn([T, B, EMB]);
  const g = timeIt(() =>
    torch.tidy(() => {
      gru.zeroGrad();
      const p = torch.nn.utils.rnn.packPaddedSequence(xs, LENS);
      const [o, h] = gru.forward(p);
      o.data.sum().add(h.sum()).backward();
    }),
  );
  return { lm, gru: g };
}

const PY = String.raw`
import sys, time, json, torch, torch.nn as nn, torch.nn.functional as F
steps, threads, warmup, V, EMB, HID, B, T = [int(a) for a in sys.argv[1:9]]
lens = json.loads(sys.argv[9])
torch.set_num_threads(threads)
torch.manual_seed(0)
def time_it(step):
    for _ in range(warmup): step()
    t0 = time.perf_counter()
    for _ in range(steps): step()
    return (time.perf_counter() - t0) / steps
class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(V, EMB)
        self.lstm = nn.LSTM(EMB, HID, 2, dropout=0.2, batch_first=True)
        self.drop = nn.Dropout(0.2)
        self.head = nn.Linear(HID, V)
    def forward(self, x):
        h, _ = self.lstm(self.embed(x))
        return self.head(self.drop(h))
m = LM(); m.train()
opt = torch.optim.Adam(m.parameters(), lr=3e-3)
x = torch.randint(0, V, (B, T)); y = torch.randint(0, V, (B, T))
def lm_step():
    opt.zero_grad()
    loss = F.cross_entropy(m(x).reshape(-1, V), y.reshape(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    opt.step()
    return loss.item()
gru = nn.GRU(EMB, HID, 2, bidirectional=True)
xs = torch.randn(T, B, EMB)
def gru_step():
    gru.zero_grad()
    o, h = gru(nn.utils.rnn.pack_padded_sequence(xs, lens))
    (o.data.sum() + h.sum()).backward()
print(json.dumps({'lm': time_it(lm_step), 'gru': time_it(gru_step)}))
`;

function pyTimes(): { lm: number; gru: number } {
  const r = spawnSync(referencePython(), ['-c', PY, ...[STEPS, THREADS, WARMUP, V, EMB, HID, B, T].map(String), JSON.stringify(LENS)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as { lm: number; gru: number };
}

const ts = tsTimes();
const py = pyTimes();
const row = (name: string, a: number, b: number) =>
  console.log(`${name.padEnd(52)} ts ${(a * 1000).toFixed(1).padStart(8)} ms  python ${(b * 1000).toFixed(1).padStart(8)} ms  ratio ${(a / b).toFixed(2)}`);
console.log(`threads ${THREADS}, ${STEPS} steps after ${WARMUP} warmup`);
row(`LSTM LM train step (B ${B}, T ${T}, hidden ${HID}, 2 layers)`, ts.lm, py.lm);
row(`GRU 2-layer bidirectional, packed, fwd+bwd`, ts.gru, py.gru);
