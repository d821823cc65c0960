/**
 * The LSTM language model of examples/lstm-lm.ts against the same model in
 * Python PyTorch 2.13: the TS model's initial weights go to Python through our
 * .pt writer (Python reads them with torch.load, weights_only), both sides
 * train 20 steps (Adam, clip_grad_norm_, dropout 0) on the same batches of
 * Brown-corpus characters, and the loss trajectories must agree within 1e-5;
 * the state-dict keys must be equal, and Python's final weights (written by
 * torch.save, read by our .pt reader) must equal ours within float32
 * tolerance.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { LSTMLanguageModel, loadCharData, makeBatches, sample, train } from '../examples/lstm-lm.js';
import { expectEnc, ok, pyNN, pythonHasTorch, type Enc, type PyError } from './20-nn-helpers.js';

const PY_LM = String.raw`
class LSTMLanguageModel(nn.Module):
    def __init__(self, vocab, embed, hidden, layers, dropout):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, layers, dropout=dropout, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        h, hc = self.lstm(self.embed(x), state)
        return self.head(self.drop(h)), hc

torch.set_num_threads(1)
c = D['config']
m = LSTMLanguageModel(c['vocab'], c['embed'], c['hidden'], c['layers'], c['dropout'])
sd = torch.load(D['initial'])
m.load_state_dict(sd, strict=True)
opt = torch.optim.Adam(m.parameters(), lr=D['lr'])
losses = []
m.train()
for b in D['batches']:
    x = torch.tensor(b['x'])
    y = torch.tensor(b['y'])
    opt.zero_grad()
    logits, _ = m(x)
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(m.parameters(), D['clip'])
    opt.step()
    losses.append(loss.item())
torch.save(m.state_dict(), D['final'])
out = {'losses': losses, 'keys': list(m.state_dict().keys()), 'loadedKeys': list(sd.keys()),
       'final': {k: E(v) for k, v in m.state_dict().items()}}
`;

interface PyLM {
  losses: number[];
  keys: string[];
  loadedKeys: string[];
  final: Record<string, Enc>;
}

const CONFIG = { embed: 16, hidden: 32, layers: 2, dropout: 0 };
const STEPS = 20,
  BATCH = 4,
  BPTT = 16,
  LR = 3e-3,
  CLIP = 1.0;

describe('examples/lstm-lm.ts: LSTM language model vs PyTorch (20 steps on the same weights and batches)', function () {
  this.timeout(180_000);
  let dir: string;
  let model: LSTMLanguageModel;
  let losses: number[];
  let py: PyLM;

  before(function () {
    if (!pythonHasTorch()) this.skip();
    dir = mkdtempSync(path.join(tmpdir(), 'lstm-lm-'));
    // one intra-op thread on both sides: much faster on shared cores
    const threads = torch.getNumThreads();
    torch.setNumThreads(1);
    const data = loadCharData(2);
    const batches = makeBatches(data.ids, STEPS, BATCH, BPTT);
    torch.manualSeed(0);
    model = new LSTMLanguageModel({ vocab: data.vocab.length, ...CONFIG });
    const initial = path.join(dir, 'initial.pt');
    torch.save(model.stateDict(), initial);
    const final = path.join(dir, 'final.pt');
    // Python trains from our file first (it must not see weights we changed)
    py = ok(
      pyNN<PyLM | PyError>(
        [{ kind: 'exec', code: PY_LM, data: { config: { vocab: data.vocab.length, ...CONFIG }, initial, final, batches, lr: LR, clip: CLIP } }],
        { timeoutMs: 170_000 },
      )[0],
      'lstm lm',
    );
    try {
      losses = train(model, batches, { lr: LR, clip: CLIP });
    } finally {
      torch.setNumThreads(threads);
    }
  });

  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("has the same state-dict keys as Python's model, and Python loads our initial .pt with them", () => {
    const keys = Object.keys(model.stateDict());
    expect(keys).to.deep.equal(py.keys);
    expect(py.loadedKeys).to.deep.equal(keys);
    expect(keys).to.include.members(['embed.weight', 'lstm.weight_ih_l0', 'lstm.weight_hh_l1', 'lstm.bias_hh_l1', 'head.weight', 'head.bias']);
  });

  it('reproduces the 20-step loss trajectory within 1e-5, and the loss falls', () => {
    expect(losses.length).to.equal(STEPS);
    losses.forEach((l, i) => expect(Math.abs(l - py.losses[i]), `step ${i}: ${l} vs ${py.losses[i]}`).to.be.at.most(1e-5));
    expect(losses[STEPS - 1]).to.be.lessThan(losses[0] - 0.5);
  });

  it("ends with Python's weights (read back from Python's torch.save)", () => {
    const loaded = torch.load(path.join(dir, 'final.pt')) as unknown;
    const sd = (loaded instanceof Map ? Object.fromEntries(loaded) : loaded) as Record<string, Tensor>;
    const ours = model.stateDict();
    expect(Object.keys(sd)).to.deep.equal(Object.keys(ours));
    for (const [k, t] of Object.entries(ours)) {
      expectEnc(t, py.final[k], `final ${k} (JSON)`, { rtol: 1e-4, atol: 1e-5 });
      expect(sd[k].sub(t).abs().max().item(), `final ${k} (.pt)`).to.be.at.most(1e-4);
    }
  });

  it('samples text from the trained model', () => {
    const data = loadCharData(2);
    const s = sample(model, data, 'The ', 30);
    expect(s.startsWith('The ')).to.equal(true);
    expect([...s].length).to.equal(34);
    for (const ch of s) expect(data.vocab).to.include(ch);
  });
});

describe('examples/lstm-lm.ts from the command line', function () {
  this.timeout(120_000);
  const root = new URL('..', import.meta.url).pathname;
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'examples/lstm-lm.ts', ...args], { cwd: root, encoding: 'utf8' });

  it('trains a few steps, prints the losses and a sample', () => {
    const r = run(['--steps=3', '--documents=1', '--batch=2', '--bptt=8', '--embed=8', '--hidden=16', '--threads=1']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^\d+ characters, vocabulary \d+, \d+ parameters; uniform loss \d\.\d{3}; 1 threads$/m);
    expect(r.stdout).to.include('(lstm): LSTM(8, 16, num_layers=2, batch_first=True, dropout=0.2)');
    expect(r.stdout).to.match(/^step {4}0 {2}loss \d\.\d{4}$/m);
    expect(r.stdout).to.match(/^step {4}2 {2}loss \d\.\d{4}$/m);
    expect(r.stdout).to.match(/^sample: "The .+"$/m);
  });

  it('rejects an unknown argument with the list of keys', () => {
    const r = run(['--step=3']);
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.include(
      'Unknown argument --step=3; expected --key=value with key one of: steps, documents, batch, bptt, embed, hidden, dropout, lr, clip, seed, threads',
    );
  });
});
