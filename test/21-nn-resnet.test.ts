/**
 * The ResNet example (examples/resnet.ts) against the same model written in
 * PyTorch (test/python/resnet_ref.py): Python loads the TS model's initial
 * weights from a .pt file written by our torch.save, both sides train 20
 * steps on the same batches of the shapes task (SGD with momentum and weight
 * decay, then Adam), and the loss trajectories must agree within 1e-5; the
 * state-dict keys, the final parameters and BatchNorm running statistics, and
 * the printed model are compared too; and Python's trained state dict (saved
 * by Python's torch.save) loads here and gives Python's eval-mode logits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { ResNet, batchTensors, makeOptimizer, shapeBatches, train, accuracy, type ShapeBatch, type TrainOptions } from '../examples/resnet.js';
import { PYTHON } from './helpers/python.js';
import { pythonHasTorch } from './20-nn-helpers.js';

const SCRIPT = readFileSync(new URL('./python/resnet_ref.py', import.meta.url), 'utf8');

interface PyRun {
  losses: number[];
  stateKeys: [string, number[]][];
  final: Record<string, number[]>;
  repr: string;
  evalOut: number[] | null;
}

/** One Python process for every run (importing torch is the slow part). */
function runPython(runs: { weights: string; batches: ShapeBatch[]; optimizer: string; lr: number; saveTo?: string }[]): PyRun[] {
  const r = spawnSync(PYTHON, ['-c', SCRIPT], {
    input: JSON.stringify(runs),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 120_000,
    env: { ...process.env, PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (r.status !== 0) throw new Error(`reference python exited with ${r.status}:\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as PyRun[];
}

describe('ResNet example vs PyTorch (20 training steps on the same weights and batches)', function () {
  this.timeout(300_000);
  const runs: Required<TrainOptions>[] = [
    { optimizer: 'sgd', lr: 0.05 },
    { optimizer: 'adam', lr: 0.003 },
  ];
  const models: ResNet[] = [];
  const batches: ShapeBatch[][] = [];
  let results: PyRun[] = [];
  let dir = '';
  before(function () {
    if (!pythonHasTorch()) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'tn-resnet-'));
    const payload = runs.map((o, k) => {
      torch.manualSeed(10 + k);
      models[k] = new ResNet();
      const weights = join(dir, `init-${o.optimizer}.pt`);
      torch.save(models[k].stateDict(), weights);
      batches[k] = shapeBatches(100 + k, 20, 16);
      return { weights, batches: batches[k], optimizer: o.optimizer, lr: o.lr, saveTo: join(dir, `trained-${o.optimizer}.pt`) };
    });
    results = runPython(payload);
  });
  after(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  runs.forEach((o, k) => {
    it(`${o.optimizer}: loss trajectory within 1e-5, same state-dict keys, same final weights and running statistics`, () => {
      const model = models[k];
      const py = results[k];

      const losses = train(model, batches[k], makeOptimizer(model, o));
      expect(losses.length).to.equal(20);
      losses.forEach((l, i) => {
        expect(Math.abs(l - py.losses[i]), `step ${i}: TS ${l}, Python ${py.losses[i]}`).to.be.at.most(1e-5);
      });
      // the model really learned (so the trajectory is not flat)
      expect(losses[19], 'loss decreased').to.be.lessThan(losses[0] * 0.7);

      const sd = model.stateDict();
      expect(
        Object.entries(sd).map(([key, t]) => [key, t.shape]),
        'state dict keys and shapes',
      ).to.deep.equal(py.stateKeys);
      for (const [key, t] of Object.entries(sd)) {
        const mine = t.to('float64').dataSync();
        const theirs = py.final[key];
        mine.forEach((v, i) => {
          if (!(Math.abs(v - theirs[i]) <= 1e-4 + 1e-4 * Math.abs(theirs[i]))) expect.fail(`${key}[${i}]: TS ${v}, Python ${theirs[i]}`);
        });
      }
      expect(String(model), 'printed model').to.equal(py.repr);
      // eval mode runs on the running statistics
      const acc = accuracy(model, shapeBatches(7, 2, 32));
      expect(acc).to.be.within(0, 1);
    });
  });

  it("loads Python's trained state dict (torch.save in Python, torch.load here): same eval-mode logits", () => {
    const sd = torch.load(join(dir, 'trained-sgd.pt')) as Record<string, torch.Tensor>;
    const model = new ResNet();
    const r = model.loadStateDict(sd);
    expect(r).to.deep.equal({ missingKeys: [], unexpectedKeys: [] });
    model.eval();
    const theirs = results[0].evalOut as number[];
    const mine = torch.noGrad(() => torch.tidy(() => model.forward(batchTensors(batches[0][0])[0]).to('float64').dataSync()));
    expect(mine.length).to.equal(theirs.length);
    mine.forEach((v, i) => {
      if (!(Math.abs(v - theirs[i]) <= 1e-5 + 1e-5 * Math.abs(theirs[i]))) expect.fail(`logit ${i}: TS ${v}, Python ${theirs[i]}`);
    });
  });
});
