/**
 * DistributedSampler: the index partition equals Python's
 * torch.utils.data.distributed.DistributedSampler for the same dataset size,
 * replicas, rank, shuffle, seed, dropLast and epoch.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { hasPythonTorch, runPython } from './helpers/python.js';

const { DistributedSampler } = torch.utils.data;

interface Case {
  n: number;
  numReplicas: number;
  shuffle: boolean;
  seed: number;
  dropLast: boolean;
  epoch: number;
}

const cases: Case[] = [];
for (const n of [10, 11, 97, 1000]) {
  for (const numReplicas of [2, 3]) {
    for (const [shuffle, seed, dropLast, epoch] of [
      [true, 0, false, 0],
      [true, 42, false, 3],
      [true, 7, true, 1],
      [false, 0, false, 0],
      [false, 0, true, 0],
    ] as const) {
      cases.push({ n, numReplicas, shuffle, seed, dropLast, epoch });
    }
  }
}
cases.push({ n: 2, numReplicas: 3, shuffle: true, seed: 5, dropLast: false, epoch: 0 }); // fewer items than ranks: repeats
cases.push({ n: 2, numReplicas: 3, shuffle: true, seed: 5, dropLast: true, epoch: 0 }); // ... or nothing

const SCRIPT = String.raw`
import json, sys
from torch.utils.data.distributed import DistributedSampler
out = []
for c in json.load(sys.stdin):
    per_rank = []
    for rank in range(c['numReplicas']):
        s = DistributedSampler(range(c['n']), num_replicas=c['numReplicas'], rank=rank, shuffle=c['shuffle'], seed=c['seed'], drop_last=c['dropLast'])
        s.set_epoch(c['epoch'])
        per_rank.append(list(s))
    out.append(per_rank)
print(json.dumps(out))
`;

function partition(c: Case): number[][] {
  return Array.from({ length: c.numReplicas }, (_, rank) => {
    const s = new DistributedSampler({ length: c.n }, { numReplicas: c.numReplicas, rank, shuffle: c.shuffle, seed: c.seed, dropLast: c.dropLast });
    s.setEpoch(c.epoch);
    expect(s.length).to.equal([...s].length);
    return [...s];
  });
}

describe('DistributedSampler', () => {
  let python: number[][][];
  before(function () {
    if (!hasPythonTorch()) this.skip();
    python = runPython<number[][][]>(SCRIPT, cases);
  });

  it(`partitions as Python's DistributedSampler (${cases.length} cases: sizes, replicas, shuffle, seed, dropLast, epoch)`, () => {
    cases.forEach((c, i) => expect(partition(c), JSON.stringify(c)).to.deep.equal(python[i]));
    // The cases really shuffle, and a new epoch shuffles differently.
    expect(python[5][0]).to.not.deep.equal(python[8][0]);
  });

  it('takes numReplicas and rank from the default group when omitted', () => {
    expect(() => new DistributedSampler({ length: 4 })).to.throw(
      Error,
      'Default process group has not been initialized, please make sure to call initProcessGroup.',
    );
  });

  it("rejects a rank outside [0, numReplicas - 1] with Python's message", () => {
    expect(() => new DistributedSampler({ length: 4 }, { numReplicas: 2, rank: 2 })).to.throw(
      RangeError,
      'Invalid rank 2, rank should be in the interval [0, 1]',
    );
    expect(() => new DistributedSampler({ length: 4 }, { numReplicas: 2, rank: -1 })).to.throw(
      RangeError,
      'Invalid rank -1, rank should be in the interval [0, 1]',
    );
  });

  it('rejects bad options', () => {
    expect(() => new DistributedSampler({ length: 4 }, { numReplicas: 0, rank: 0 })).to.throw(
      RangeError,
      'Expected a positive integer for numReplicas but received 0 of type number',
    );
    expect(() => new DistributedSampler({ length: 4 }, { numReplicas: 2, rank: 0, shuffle: 'yes' as unknown as boolean })).to.throw(
      TypeError,
      "Expected a boolean for shuffle but received 'yes' of type string",
    );
    expect(() => new DistributedSampler({ length: 4 }, { numReplicas: 2, rank: 0, drop_last: true } as never)).to.throw(
      TypeError,
      "Unknown option 'drop_last' for DistributedSampler",
    );
    const s = new DistributedSampler({ length: 4 }, { numReplicas: 2, rank: 0 });
    expect(() => s.setEpoch(1.5)).to.throw(RangeError, 'Expected an integer for epoch but received 1.5 of type number');
  });

  it('feeds a DataLoader: each rank reads its share of the batches', () => {
    const ds = new torch.utils.data.TensorDataset(torch.arange(10));
    const seen = [0, 1].map((rank) => {
      const sampler = new DistributedSampler(ds, { numReplicas: 2, rank, shuffle: false });
      const loader = new torch.utils.data.DataLoader(ds, { batchSize: 2, sampler });
      return [...loader].flatMap((b) => (b as unknown as torch.Tensor[])[0].tolist() as number[]);
    });
    expect(seen).to.deep.equal([
      [0, 2, 4, 6, 8],
      [1, 3, 5, 7, 9],
    ]);
  });
});
