/**
 * torch.distributed collectives over Gloo on loopback, 2 and 3 processes:
 * every collective's results equal those of the same collectives run by
 * Python processes (test/python/distributed_ref.py), and a group mixing
 * Python and TypeScript ranks gets the same results again.
 */
import { expect } from 'chai';
import { expectAllOk, killAll, launch, type Lang } from './80-distributed-helpers.js';
import { hasPythonTorch } from './helpers/python.js';

type Results = Record<string, unknown>[];

async function run(langs: Lang[]): Promise<Results> {
  const runs = await launch(langs, ['collectives']);
  expectAllOk(runs);
  return runs.map((r) => r.result as Record<string, unknown>);
}

describe('distributed collectives (Gloo, loopback)', function () {
  this.timeout(120_000);
  after(killAll);
  const python: Record<number, Results> = {};

  before(async function () {
    if (!hasPythonTorch()) this.skip();
    [python[2], python[3]] = await Promise.all([run(['py', 'py']), run(['py', 'py', 'py'])]);
  });

  for (const n of [2, 3]) {
    it(`${n} TypeScript ranks: every collective equals Python's`, async () => {
      const ts = await run(Array.from({ length: n }, () => 'ts' as const));
      expect(ts).to.deep.equal(python[n]);
      // The reference really exercised each collective on each rank.
      expect(Object.keys(python[n][n - 1])).to.include.members(['allReduce_avg', 'reduceScatter', 'gather', 'scatter', 'ring', 'subgroup']);
      expect(python[n][0].allReduce_sum).to.deep.equal(n === 2 ? [2, 5, 8, 11] : [4.5, 10.5, 16.5, 22.5]);
    });
  }

  it('an asynchronous all-reduce lets the event loop run while it is waited on', async () => {
    const ts = await run(['ts', 'ts']);
    for (const r of ts) {
      expect(r.ticksWhileWaiting).to.equal(true);
      expect(r.asyncCompleted).to.equal(true);
      expect(r.asyncSum).to.equal(3 * (1 << 20));
    }
  });

  it('Python and TypeScript ranks share one group (2 ranks: Python rank 0)', async () => {
    expect(await run(['py', 'ts'])).to.deep.equal(python[2]);
  });

  it('Python and TypeScript ranks share one group (3 ranks: TypeScript rank 0)', async () => {
    expect(await run(['ts', 'py', 'ts'])).to.deep.equal(python[3]);
  });
});
