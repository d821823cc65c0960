/**
 * DistributedDataParallel on libtorch's c10d::Reducer: 2 ranks x batch 16
 * train the same weights as 1 process x batch 32 (20 SGD steps, within
 * 1e-5), with noSync gradient accumulation and with findUnusedParameters;
 * a Python rank running Python's DDP and a TypeScript rank running ours
 * train one model together, equal to Python's single-process run.
 */
import { expect } from 'chai';
import { expectAllOk, killAll, launch, type Lang } from './80-distributed-helpers.js';
import { hasPythonTorch } from './helpers/python.js';

interface TrainResult {
  initial: Record<string, number[] | number[][]>;
  final: Record<string, number[] | number[][]>;
  ddpKeys: string[];
  moduleIsNet: boolean;
}

async function train(langs: Lang[], scenario = 'train', env: NodeJS.ProcessEnv = {}): Promise<TrainResult[]> {
  const runs = await launch(langs, [scenario], { env });
  expectAllOk(runs);
  return runs.map((r) => r.result as TrainResult);
}

/** Largest absolute difference over the parameters of `ref`. */
function maxDiff(a: TrainResult['final'], ref: TrainResult['final']): number {
  let d = 0;
  for (const k of Object.keys(ref)) {
    const x = [a[k]].flat(2) as number[];
    const y = [ref[k]].flat(2) as number[];
    expect(x.length, k).to.equal(y.length);
    x.forEach((v, i) => (d = Math.max(d, Math.abs(v - y[i]))));
  }
  return d;
}

describe('DistributedDataParallel (Gloo, loopback)', function () {
  this.timeout(120_000);
  after(killAll);
  let single: TrainResult;

  before(async () => {
    [single] = await train(['ts']);
  });

  it('2 ranks x batch 16 end with the weights of 1 process x batch 32 (20 steps, within 1e-5)', async () => {
    const ranks = await train(['ts', 'ts']);
    // Each rank was seeded differently: the construction broadcast rank 0's weights.
    expect(ranks[1].initial).to.deep.equal(ranks[0].initial);
    expect(ranks[0].initial).to.deep.equal(single.initial);
    expect(maxDiff(ranks[0].final, single.final)).to.be.below(1e-5);
    expect(ranks[1].final).to.deep.equal(ranks[0].final);
    expect(maxDiff(ranks[0].final, single.initial)).to.be.above(1e-2); // it did train
    // The wrapper's state dict carries the module. prefix; .module is the model itself.
    expect(ranks[0].ddpKeys).to.deep.equal(['module.fc1.weight', 'module.fc1.bias', 'module.fc2.weight', 'module.fc2.bias']);
    expect(ranks[0].moduleIsNet).to.equal(true);
  });

  it('3 ranks x batch 16 equal 1 process x batch 48', async () => {
    const env = { TN_TOTAL_BATCH: '48' };
    const [[ref], ranks] = await Promise.all([train(['ts'], 'train', env), train(['ts', 'ts', 'ts'], 'train', env)]);
    expect(maxDiff(ranks[2].final, ref.final)).to.be.below(1e-5);
  });

  it('noSync accumulates the first micro-batch locally; the next backward averages both', async () => {
    const ranks = await train(['ts', 'ts'], 'nosync');
    expect(maxDiff(ranks[0].final, single.final)).to.be.below(1e-5);
    expect(ranks[1].final).to.deep.equal(ranks[0].final);
  });

  it('findUnusedParameters: a parameter no forward uses does not hold backward up', async () => {
    const ranks = await train(['ts', 'ts'], 'unused');
    expect(maxDiff(ranks[0].final, single.final)).to.be.below(1e-5);
    expect(ranks[0].final['unused.weight']).to.deep.equal(ranks[0].initial['unused.weight']);
  });

  it('a Python rank (Python DDP) and a TypeScript rank (this DDP) train one model: equal to Python in one process', async function () {
    if (!hasPythonTorch()) this.skip();
    const [[pyRef], mixed] = await Promise.all([train(['py']), train(['py', 'ts'])]);
    expect(mixed[1].initial).to.deep.equal(pyRef.initial); // the TS rank took the Python rank's weights
    expect(maxDiff(mixed[1].final, pyRef.final)).to.be.below(1e-5);
    expect(mixed[1].final).to.deep.equal(mixed[0].final);
  });
});
