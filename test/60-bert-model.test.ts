/**
 * lib/bert/model.ts against the course's Python model (test/python/course_bert.py):
 * identical state dict keys and shapes, identical outputs, loss and gradients
 * for the same weights and inputs.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import * as torch from '../lib/torch/index.js';
import { BERT, PAD_IDX, presetConfig } from '../lib/bert/model.js';
import { runPython } from './helpers/python.js';

const COURSE = readFileSync(new URL('./python/course_bert.py', import.meta.url), 'utf8');

interface Exported {
  shape: number[];
  data: number[];
}
function exportState(sd: Record<string, torch.Tensor>): Record<string, Exported> {
  const out: Record<string, Exported> = {};
  for (const [k, t] of Object.entries(sd)) out[k] = { shape: t.shape, data: t.dataSync() };
  return out;
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).to.equal(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const PY_FORWARD = `${COURSE}
import sys, json
inp = json.loads(sys.stdin.read())
cfg = inp['config']
torch.manual_seed(0)
model = BERT(cfg['vocabSize'], cfg['dModel'], cfg['nLayers'], cfg['heads'], cfg['dropout'], cfg['dimFeedforward'])
py_keys = [[k, list(v.shape)] for k, v in model.state_dict().items()]
sd = {k: torch.tensor(v['data'], dtype=torch.float32).reshape(v['shape']) for k, v in inp['state'].items()}
res = model.load_state_dict(sd, strict=True)
x = torch.tensor(inp['inputs'])
seg = torch.tensor(inp['segments'])
labels = torch.tensor(inp['labels'])
is_next = torch.tensor(inp['isNext'])
model.train()
nsp, mlm = model(x, seg)
loss = torch.nn.CrossEntropyLoss()(nsp, is_next) + torch.nn.CrossEntropyLoss(ignore_index=0)(mlm.view(-1, mlm.size(-1)), labels.view(-1))
loss.backward()
grads = {k: p.grad.flatten().tolist() for k, p in model.named_parameters() if p.grad is not None}
print(json.dumps({'keys': py_keys, 'missing': res.missing_keys, 'unexpected': res.unexpected_keys,
  'nsp': nsp.flatten().tolist(), 'mlm': mlm.flatten().tolist(), 'loss': loss.item(), 'grads': grads}))
`;

describe('BERT model (course parity)', function () {
  this.timeout(120_000);

  it('has exactly the course model state dict keys and shapes, and the same outputs, loss and gradients', () => {
    torch.manualSeed(1);
    const config = { ...presetConfig('course', 40), dropout: 0 };
    const model = new BERT(config);
    // [S=7, B=3] with padding at the end of two sequences
    const inputs = [
      [2, 2, 2],
      [11, 12, 13],
      [4, 20, 21],
      [3, 3, 22],
      [30, 31, 4],
      [4, 0, 3],
      [3, 0, 0],
    ];
    const segments: number[][] = inputs.map((row) => row.map((t) => (t === PAD_IDX ? 0 : 1)));
    segments[4] = [2, 2, 1];
    segments[5] = [2, 0, 1];
    segments[6] = [2, 0, 0];
    const labels = inputs.map((row) => row.map(() => 0));
    labels[2] = [15, 0, 0];
    labels[4] = [0, 0, 16];
    labels[5] = [17, 0, 0];
    const isNext = [1, 0, 1];
    const py = runPython<{
      keys: [string, number[]][];
      missing: string[];
      unexpected: string[];
      nsp: number[];
      mlm: number[];
      loss: number;
      grads: Record<string, number[]>;
    }>(PY_FORWARD, { config, state: exportState(model.stateDict()), inputs, segments, labels, isNext });
    const ours = Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape]);
    expect(ours).to.deep.equal(py.keys);
    expect(py.missing).to.deep.equal([]);
    expect(py.unexpected).to.deep.equal([]);

    model.train();
    const x = torch.tensor(inputs);
    const [nsp, mlm] = model.forward(x, torch.tensor(segments));
    expect(nsp.shape).to.deep.equal([3, 2]);
    expect(mlm.shape).to.deep.equal([7, 3, 40]);
    expect(maxAbsDiff(nsp.dataSync(), py.nsp)).to.be.below(1e-5);
    expect(maxAbsDiff(mlm.dataSync(), py.mlm)).to.be.below(1e-4);
    const lossNsp = torch.nn.functional.crossEntropy(nsp, torch.tensor(isNext));
    const lossMlm = torch.nn.functional.crossEntropy(mlm.view(-1, 40), torch.tensor(labels).view(-1), { ignoreIndex: PAD_IDX });
    const loss = lossNsp.add(lossMlm);
    expect(loss.item()).to.be.closeTo(py.loss, 1e-5);
    loss.backward();
    for (const [k, p] of model.namedParameters()) {
      const g = p.grad;
      if (py.grads[k] === undefined) {
        expect(g, `${k} has a gradient here but not in Python`).to.equal(null);
        continue;
      }
      expect(g, `${k} has no gradient`).to.not.equal(null);
      expect(maxAbsDiff(g!.dataSync(), py.grads[k]), k).to.be.below(1e-4);
    }
  });

  it('forwardMasked gives the same MLM loss as the full projection', () => {
    torch.manualSeed(2);
    const model = new BERT({ ...presetConfig('course', 30), dropout: 0 });
    const x = torch.randint(5, 30, [9, 4]);
    const seg = torch.onesLike(x);
    const labels = torch.where(torch.rand([9, 4]).lt(0.3), x, 0);
    labels.indexPut_([0, 0], 7);
    const [, mlm] = model.forward(x, seg);
    const full = torch.nn.functional.crossEntropy(mlm.view(-1, 30), labels.view(-1), { ignoreIndex: PAD_IDX });
    const [, picked, targets] = model.forwardMasked(x, seg, labels);
    const fast = torch.nn.functional.crossEntropy(picked, targets);
    expect(fast.item()).to.be.closeTo(full.item(), 1e-6);
  });

  it('rejects a dModel not divisible by heads and unknown presets', () => {
    expect(() => new BERT(100, 10, 2, 3)).to.throw(RangeError, 'dModel (10) must be divisible by heads (3)');
    expect(() => presetConfig('huge', 100)).to.throw(TypeError, "Unknown preset 'huge'; expected one of: course, tiny, mini, small, base");
  });
});
