/**
 * The course pipeline end to end on a slice of the Brown corpus: checkpoints
 * from `npm run pretrain` load into the course's Python model (and back),
 * resume reproduces an uninterrupted run, memory stays flat across epochs,
 * and the command line rejects what it does not know.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import { BERT, presetConfig } from '../lib/bert/model.js';
import { train } from '../lib/bert/train.js';
import { loadPretrained } from '../lib/bert/checkpoint.js';
import { predictMlm, predictNsp } from '../lib/bert/predict.js';
import { BertTokenizer } from '../lib/bert/tokenizer.js';
import { BERTCSVDataset, type BertSample } from '../lib/bert/dataset.js';
import { collateBatch } from '../lib/bert/collate.js';
import type { BertBatch } from '../lib/bert/batch.js';
import { loadCorpus } from '../lib/bert/corpus.js';
import { prepareData, writePreparedData } from '../lib/bert/prepare.js';
import { runPython } from './helpers/python.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const COURSE = readFileSync(new URL('./python/course_bert.py', import.meta.url), 'utf8');

function cli(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'lib/bert/cli', script), ...args], {
    cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('61 BERT pipeline', function () {
  this.timeout(300_000);
  let dir: string;
  let files: { train: string; test: string; vocab: string };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bert-pipeline-'));
    const data = prepareData(loadCorpus('brown').slice(0, 12), { maxLen: 32, vocabSize: 1500, seed: 3, testFraction: 0.25 });
    const w = writePreparedData(dir, data);
    files = { train: w.train, test: w.test, vocab: w.vocab };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function loaders(seed: number): { train: torch.utils.data.DataLoader<BertSample, BertBatch>; test: torch.utils.data.DataLoader<BertSample, BertBatch>; gen: torch.Generator } {
    const gen = new torch.Generator(seed);
    return {
      gen,
      // A slice keeps the five training runs below short.
      train: new torch.utils.data.DataLoader<BertSample, BertBatch>(new torch.utils.data.Subset(new BERTCSVDataset(files.train), Array.from({ length: 160 }, (_, i) => i)), { batchSize: 16, shuffle: true, generator: gen, collateFn: collateBatch }),
      test: new torch.utils.data.DataLoader<BertSample, BertBatch>(new torch.utils.data.Subset(new BERTCSVDataset(files.test), Array.from({ length: 64 }, (_, i) => i)), { batchSize: 32, collateFn: collateBatch }),
    };
  }

  it('npm run pretrain writes checkpoints that the course Python model loads with no missing or unexpected keys and equal outputs', () => {
    const out = join(dir, 'run');
    const r = cli('pretrain.ts', ['--train-csv', files.train, '--test-csv', files.test, '--vocab', files.vocab, '--max-steps', '6', '--epochs', '1', '--batch-size', '16', '--out', out, '--seed', '5']);
    expect(r.status, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).to.match(/eval: loss [\d.]+ \(nsp [\d.]+, mlm [\d.]+\), nsp accuracy [\d.]+%/);
    expect(r.stdout).to.contain('Next-sentence predictions:');
    expect(r.stdout).to.contain('Masked-token predictions:');
    for (const f of ['epoch-1.pt', 'best.pt', 'metrics.jsonl', 'loss.png']) expect(existsSync(join(out, f)), f).to.equal(true);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(metrics.some((m) => m.type === 'eval')).to.equal(true);

    const { model, vocab } = loadPretrained(join(out, 'epoch-1.pt'));
    expect(vocab).to.be.a('string');
    const tok = BertTokenizer.fromVocabFile(vocab!);
    const enc = tok.encodePlus('the jury said the election was fair .', 'it was a [MASK] day .');
    const ids = enc.inputIds.map((i) => [i]);
    const seg = enc.tokenTypeIds.map((t) => [t + 1]);
    model.eval();
    const [nsp, mlm] = torch.noGrad(() => model.forward(torch.tensor(ids), torch.tensor(seg)));
    const py = runPython<{ missing: string[]; unexpected: string[]; epoch: number; nsp: number[]; mlm: number[] }>(`${COURSE}
import sys, json
inp = json.loads(sys.stdin.read())
ck = torch.load(inp['path'])
c = ck['config']
model = BERT(c['vocab_size'], c['d_model'], c['n_layers'], c['heads'], c['dropout'], c['dim_feedforward'])
res = model.load_state_dict(ck['model'], strict=False)
opt = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=0.01)
opt.load_state_dict(ck['optimizer'])
model.eval()
nsp, mlm = model(torch.tensor(inp['ids']), torch.tensor(inp['seg']))
print(json.dumps({'missing': res.missing_keys, 'unexpected': res.unexpected_keys, 'epoch': ck['epoch'],
  'nsp': nsp.flatten().tolist(), 'mlm': mlm.flatten().tolist()}))
`, { path: join(out, 'epoch-1.pt'), ids, seg });
    expect(py.missing).to.deep.equal([]);
    expect(py.unexpected).to.deep.equal([]);
    expect(py.epoch).to.equal(1);
    const a = nsp.dataSync();
    a.forEach((x, i) => expect(x).to.be.closeTo(py.nsp[i], 1e-4));
    const b = mlm.dataSync();
    expect(b.length).to.equal(py.mlm.length);
    let maxDiff = 0;
    b.forEach((x, i) => (maxDiff = Math.max(maxDiff, Math.abs(x - py.mlm[i]))));
    expect(maxDiff).to.be.below(1e-3);
  });

  it('a checkpoint trained in Python loads here and gives the same predictions', () => {
    const tok = BertTokenizer.fromVocabFile(files.vocab);
    const mlmSentence = 'the [MASK] said the election was fair .';
    const mEnc = tok.encodePlus(mlmSentence);
    const nEnc = tok.encodePlus('the jury met today .', 'it was late .');
    const path = join(dir, 'python.pt');
    const py = runPython<{ mlm: number[]; nsp: number[] }>(`${COURSE}
import sys, json
inp = json.loads(sys.stdin.read())
torch.manual_seed(0)
V = inp['vocab']
model = BERT(V, 10, 2, 2, 0.1)
opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)
x = torch.randint(5, V, (16, 8)); seg = torch.ones_like(x); labels = torch.where(torch.rand(16, 8) < 0.2, x, torch.zeros_like(x))
for _ in range(5):
    opt.zero_grad()
    nsp, mlm = model(x, seg)
    loss = torch.nn.CrossEntropyLoss()(nsp, torch.ones(8, dtype=torch.long)) + torch.nn.CrossEntropyLoss(ignore_index=0)(mlm.view(-1, V), labels.view(-1))
    loss.backward(); opt.step()
torch.save(model.state_dict(), inp['path'])
model.eval()
with torch.enable_grad():
    _, mlm = model(torch.tensor(inp['mIds']).view(-1, 1), torch.tensor(inp['mSeg']).view(-1, 1))
    nsp, _ = model(torch.tensor(inp['nIds']).view(-1, 1), torch.tensor(inp['nSeg']).view(-1, 1))
pos = inp['maskPos']
print(json.dumps({'mlm': torch.softmax(mlm[pos, 0], -1).tolist(), 'nsp': torch.softmax(nsp[0], -1).tolist()}))
`, {
      vocab: tok.vocabSize, path,
      mIds: mEnc.inputIds, mSeg: mEnc.tokenTypeIds.map((t) => t + 1), maskPos: mEnc.inputIds.indexOf(tok.maskTokenId),
      nIds: nEnc.inputIds, nSeg: nEnc.tokenTypeIds.map((t) => t + 1),
    });
    const { model } = loadPretrained(path);
    const m = predictMlm(mlmSentence, model, tok, { topK: 3 });
    const order = py.mlm.map((p, i) => [p, i] as [number, number]).sort((a, b) => b[0] - a[0]).slice(0, 3);
    expect(m.candidates[0].tokens.map((t) => t.id)).to.deep.equal(order.map(([, i]) => i));
    m.candidates[0].tokens.forEach((t, k) => expect(t.probability).to.be.closeTo(order[k][0], 1e-5));
    const n = predictNsp('the jury met today .', 'it was late .', model, tok);
    expect(n.probability).to.be.closeTo(py.nsp[1], 1e-5);
    expect(n.isNext).to.equal(py.nsp[1] > py.nsp[0]);
  });

  it('resume from an epoch checkpoint reproduces the uninterrupted run, with a flat live-tensor count', async () => {
    const cfg = { ...presetConfig('course', BertTokenizer.fromVocabFile(files.vocab).vocabSize) };
    const run = async (out: string, epochs: number, resume?: string) => {
      torch.manualSeed(11);
      const model = new BERT(cfg);
      const l = loaders(0);
      const counts: number[] = [];
      const r = await train(model, l.train, l.test, {
        epochs, outDir: out, seed: 7, resume, progress: false, lr: 1e-3,
        onEpochStart: (e) => {
          l.gen.manualSeed(7 + e);
          counts.push(torch.memory().numTensors);
        },
      });
      return { r, counts };
    };
    const full = await run(join(dir, 'full'), 3);
    await run(join(dir, 'part'), 1);
    const resumed = await run(join(dir, 'part'), 3, join(dir, 'part', 'epoch-1.pt'));
    const tail = full.r.steps.filter((s) => s.epoch > 1);
    expect(resumed.r.steps.length).to.equal(tail.length);
    resumed.r.steps.forEach((s, i) => {
      expect(s.step).to.equal(tail[i].step);
      expect(s.loss).to.equal(tail[i].loss);
    });
    expect(resumed.r.evals.map((e) => e.loss)).to.deep.equal(full.r.evals.slice(1).map((e) => e.loss));
    // Live tensors at the start of epochs 2 and 3 are the same: nothing accumulates across epochs.
    expect(full.counts[2]).to.equal(full.counts[1]);
  });

  it('pretrain --help documents the options; unknown options and bad values are rejected', () => {
    const help = cli('pretrain.ts', ['--help']);
    expect(help.status).to.equal(0);
    for (const opt of ['--preset', '--epochs', '--batch-size', '--lr', '--max-len', '--train-csv', '--test-csv', '--vocab', '--out', '--resume', '--seed', '--device', '--max-steps', '--exact-course']) {
      expect(help.stdout).to.contain(opt);
    }
    const bad = cli('pretrain.ts', ['--epochz', '3']);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.contain('pretrain: Unknown option --epochz (see --help)');
    const preset = cli('pretrain.ts', ['--preset', 'huge']);
    expect(preset.status).to.equal(2);
    expect(preset.stderr).to.contain('pretrain: Option --preset must be one of course, tiny, mini, small, base; received \'huge\'');
    const num = cli('pretrain.ts', ['--epochs', 'two']);
    expect(num.stderr).to.contain("pretrain: Option --epochs expects an integer but received 'two'");
    const dev = cli('pretrain.ts', ['--device', 'cuda', '--train-csv', files.train, '--test-csv', files.test, '--vocab', files.vocab]);
    expect(dev.status).to.equal(2);
    expect(dev.stderr).to.contain('pretrain: --device cuda asked for, but CUDA is not available here');
    const csv = cli('pretrain.ts', ['--train-csv', files.train]);
    expect(csv.stderr).to.contain('pretrain: --train-csv needs --test-csv and --vocab too');
  });

  it('predict fills [MASK] from a checkpoint and refuses sentences without one', () => {
    const out = join(dir, 'run');
    const ok = cli('predict.ts', ['--checkpoint', join(out, 'best.pt'), 'the jury said the [MASK] was fair .']);
    expect(ok.status, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/position \d+: /);
    const nsp = cli('predict.ts', ['--checkpoint', join(out, 'best.pt'), '--nsp', 'the jury met .', 'it rained .']);
    expect(nsp.stdout).to.match(/Second sentence (does not follow|follows) the first \(p\(is next\) = [\d.]+\)/);
    const none = cli('predict.ts', ['--checkpoint', join(out, 'best.pt'), 'no mask here']);
    expect(none.status).to.equal(1);
    expect(none.stderr).to.contain("predict: predictMlm: the sentence has no [MASK] token: 'no mask here'");
    const missing = cli('predict.ts', ['the [MASK]']);
    expect(missing.stderr).to.contain('predict: --checkpoint PATH is required (see --help)');
  });
});
