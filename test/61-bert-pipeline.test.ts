/**
 * The course pipeline end to end on a slice of the Brown corpus: checkpoints
 * from `npm run pretrain` load into the course's Python model (and back),
 * resume (at an epoch's end or in the middle of one) reproduces the
 * uninterrupted run's losses exactly, memory stays flat across epochs, and
 * predict uses the vocabulary stored in the checkpoint.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import { BERT, presetConfig } from '../lib/bert/model.js';
import { train, type TrainResult } from '../lib/bert/train.js';
import { loadPretrained, readCheckpoint, checkpointTokenizer } from '../lib/bert/checkpoint.js';
import { predictMlm, predictNsp } from '../lib/bert/predict.js';
import { BertTokenizer } from '../lib/bert/tokenizer/index.js';
import { BERTCSVDataset, type BertSample } from '../lib/bert/dataset.js';
import { loadCorpus } from '../lib/bert/corpus.js';
import { prepareData, writePreparedData } from '../lib/bert/prepare.js';
import { runPython } from './helpers/python.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const COURSE = readFileSync(new URL('./python/course_bert.py', import.meta.url), 'utf8');

function cli(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'lib/bert/cli', script), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
    timeout: 300_000,
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

  /** A slice keeps the training runs below short: 160 training pairs (10 batches of 16), 64 test pairs. */
  function data(): { train: torch.utils.data.Subset<BertSample>; test: torch.utils.data.Subset<BertSample> } {
    return {
      train: new torch.utils.data.Subset(
        new BERTCSVDataset(files.train),
        Array.from({ length: 160 }, (_, i) => i),
      ),
      test: new torch.utils.data.Subset(
        new BERTCSVDataset(files.test),
        Array.from({ length: 64 }, (_, i) => i),
      ),
    };
  }

  it('npm run pretrain writes checkpoints that the course Python model loads with no missing or unexpected keys and equal outputs', () => {
    const out = join(dir, 'run');
    const r = cli('pretrain.ts', [
      '--train-csv',
      files.train,
      '--test-csv',
      files.test,
      '--vocab',
      files.vocab,
      '--max-steps',
      '6',
      '--epochs',
      '1',
      '--batch-size',
      '16',
      '--out',
      out,
      '--seed',
      '5',
    ]);
    expect(r.status, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).to.match(/eval: loss [\d.]+ \(nsp [\d.]+, mlm [\d.]+\), nsp accuracy [\d.]+%/);
    expect(r.stdout).to.contain('Next-sentence predictions:');
    expect(r.stdout).to.contain('Masked-token predictions:');
    // --max-steps 6 ends inside epoch 1: last.pt (and best.pt, its evaluation being the first) and no epoch-1.pt.
    for (const f of ['last.pt', 'best.pt', 'metrics.jsonl', 'loss.png']) expect(existsSync(join(out, f)), f).to.equal(true);
    expect(existsSync(join(out, 'epoch-1.pt'))).to.equal(false);
    expect(r.stdout).to.contain(`wrote ${join(out, 'metrics.jsonl')}, ${join(out, 'last.pt')}, ${join(out, 'best.pt')}, ${join(out, 'loss.png')}`);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; step: number });
    expect(metrics.filter((m) => m.type === 'step').map((m) => m.step)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(metrics.filter((m) => m.type === 'eval').map((m) => m.step)).to.deep.equal([6]);

    const { model, checkpoint } = loadPretrained(join(out, 'last.pt'));
    // The vocabulary is stored in the checkpoint itself.
    const tok = checkpointTokenizer(checkpoint, join(out, 'last.pt')).tokenizer;
    expect(tok.vocab).to.deep.equal(BertTokenizer.fromVocabFile(files.vocab).vocab);
    const enc = tok.encodePlus('the jury said the election was fair .', 'it was a [MASK] day .');
    const ids = enc.inputIds.map((i) => [i]);
    const seg = enc.tokenTypeIds.map((t) => [t + 1]);
    model.eval();
    const [nsp, mlm] = torch.noGrad(() => model.forward(torch.tensor(ids), torch.tensor(seg)));
    const py = runPython<{ missing: string[]; unexpected: string[]; epoch: number; nsp: number[]; mlm: number[] }>(
      `${COURSE}
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
`,
      { path: join(out, 'last.pt'), ids, seg },
    );
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
    const py = runPython<{ mlm: number[]; nsp: number[] }>(
      `${COURSE}
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
`,
      {
        vocab: tok.vocabSize,
        path,
        mIds: mEnc.inputIds,
        mSeg: mEnc.tokenTypeIds.map((t) => t + 1),
        maskPos: mEnc.inputIds.indexOf(tok.maskTokenId),
        nIds: nEnc.inputIds,
        nSeg: nEnc.tokenTypeIds.map((t) => t + 1),
      },
    );
    const { model } = loadPretrained(path);
    const m = predictMlm(mlmSentence, model, tok, { topK: 3 });
    const order = py.mlm
      .map((p, i) => [p, i] as [number, number])
      .sort((a, b) => b[0] - a[0])
      .slice(0, 3);
    expect(m.candidates[0].tokens.map((t) => t.id)).to.deep.equal(order.map(([, i]) => i));
    m.candidates[0].tokens.forEach((t, k) => expect(t.probability).to.be.closeTo(order[k][0], 1e-5));
    const n = predictNsp('the jury met today .', 'it was late .', model, tok);
    expect(n.probability).to.be.closeTo(py.nsp[1], 1e-5);
    expect(n.isNext).to.equal(py.nsp[1] > py.nsp[0]);
  });

  /** One run of train() on the slice: the model initialized from seed 11, 160 pairs a epoch in batches of 16. */
  async function run(out: string, opts: { stopAfter?: number; resume?: string } = {}): Promise<{ r: TrainResult; counts: number[] }> {
    const tok = BertTokenizer.fromVocabFile(files.vocab);
    torch.manualSeed(11);
    const model = new BERT(presetConfig('course', tok.vocabSize));
    const counts: number[] = [];
    // A stop request as Ctrl-C makes it, after step `stopAfter`.
    const stop: { signal: 'SIGINT' | null } = { signal: null };
    const r = await train(
      model,
      data(),
      { epochs: 3, batchSize: 16, seed: 7, lr: 1e-3, warmupSteps: 4, device: 'cpu' },
      {
        outDir: out,
        vocab: tok.vocab,
        progress: false,
        stop,
        resume: opts.resume !== undefined ? { checkpoint: readCheckpoint(opts.resume), path: opts.resume } : undefined,
        events: [
          {
            epochStart: () => void counts.push(torch.memory().numTensors),
            step: (rec) => {
              if (rec.step === opts.stopAfter) stop.signal = 'SIGINT';
            },
          },
        ],
      },
    );
    return { r, counts };
  }

  it('resume from an epoch checkpoint or from the middle of an epoch reproduces the uninterrupted run exactly, with a flat live-tensor count', async () => {
    const full = await run(join(dir, 'full'));
    expect(full.r.steps.map((s) => s.step)).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(full.r.stoppedBy).to.equal(null);
    // Live tensors at the start of epochs 2 and 3 are the same: nothing accumulates across epochs.
    expect(full.counts[2]).to.equal(full.counts[1]);

    // Stopped at the end of epoch 1 (epoch-1.pt, linked as last.pt), resumed to the end.
    const stopped = await run(join(dir, 'part'), { stopAfter: 10 });
    expect(stopped.r.stoppedBy).to.equal('SIGINT');
    expect(stopped.r.written.map((f) => basename(f))).to.deep.equal(['metrics.jsonl', 'epoch-1.pt', 'last.pt', 'best.pt', 'loss.png']);
    const afterEpoch = await run(join(dir, 'part'), { resume: join(dir, 'part', 'last.pt') });
    // Stopped at step 14 (in epoch 2, 64 of its 160 pairs done), resumed to the end.
    const interrupted = await run(join(dir, 'mid'), { stopAfter: 14 });
    expect(interrupted.r.written.map((f) => basename(f))).to.include('last.pt');
    expect(readCheckpoint(join(dir, 'mid', 'last.pt')).train_state).to.deep.include({ epoch: 2, samples_in_epoch: 64, epoch_complete: false, global_step: 14 });
    const midEpoch = await run(join(dir, 'mid'), { resume: join(dir, 'mid', 'last.pt') });
    for (const [resumed, from] of [
      [afterEpoch.r, 10],
      [midEpoch.r, 14],
    ] as const) {
      const tail = full.r.steps.filter((s) => s.step > from);
      expect(resumed.steps.map((s) => [s.step, s.loss, s.lr])).to.deep.equal(tail.map((s) => [s.step, s.loss, s.lr]));
      expect(resumed.evals.map((e) => e.loss)).to.deep.equal(full.r.evals.filter((e) => e.step > from).map((e) => e.loss));
    }
    // The metrics log holds every step once, earlier epochs included, and the final weights are the same.
    const steps = (folder: string): number[] =>
      readFileSync(join(dir, folder, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; step: number })
        .filter((m) => m.type === 'step')
        .map((m) => m.step);
    expect(steps('mid')).to.deep.equal(steps('full'));
    expect(steps('part')).to.deep.equal(steps('full'));
    const a = readCheckpoint(join(dir, 'full', 'last.pt')).model;
    const b = readCheckpoint(join(dir, 'mid', 'last.pt')).model;
    for (const k of Object.keys(a)) expect(a[k].equal(b[k]), k).to.equal(true);
  });

  it('predict fills [MASK] from a checkpoint and refuses sentences without one', () => {
    const out = join(dir, 'run');
    const ok = cli('predict.ts', ['--checkpoint', join(out, 'best.pt'), 'the jury said the [MASK] was fair .']);
    expect(ok.status, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/position \d+: /);
    const nsp = cli('predict.ts', ['--checkpoint', join(out, 'best.pt'), '--nsp', 'the jury met .', 'it rained .']);
    expect(nsp.status, nsp.stderr).to.equal(0);
    expect(nsp.stdout).to.match(/Second sentence (does not follow|follows) the first \(p\(is next\) = [\d.]+\)/);
    const none = cli('predict.ts', ['--checkpoint', join(out, 'best.pt'), 'no mask here']);
    expect(none.status).to.equal(1);
    expect(none.stderr).to.contain("predict: predictMlm: the sentence has no [MASK] token: 'no mask here'");
    const missing = cli('predict.ts', ['the [MASK]']);
    expect(missing.stderr).to.contain('predict: --checkpoint PATH is required (see --help)');
  });
});
