/**
 * softmax/logSoftmax, topk, sort/argsort and sampling against PyTorch.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { Data, refBatch, spec } from './helpers/python.js';

const D = new Data(80);
const X = spec(D.uniform([3, 5], -3, 3));
const X3 = spec(D.uniform([2, 3, 4], -3, 3));
// distinct values so that sort and topk indices are unambiguous
const U = spec([
  [0.5, -1.25, 2.75, 0.125, 3.0],
  [3.5, -0.75, 1.5, -2.5, 0.0],
  [0.25, 4.5, -3.25, 1.0, 2.0],
]);
const DUP = spec([[2, 1, 2, 1, 2, 0, 1]]);
const P = spec([
  [0.1, 0.2, 0.3, 0.4],
  [0.7, 0.0, 0.2, 0.1],
  [0.25, 0.25, 0.25, 0.25],
]);

describe('10 core: softmax, sorting and sampling', () => {
  const ref = refBatch();

  describe('softmax and logSoftmax', () => {
    ref.it('softmax over the last dim', { x: X }, 'x.softmax(-1)', ({ x }) => x.softmax(-1), { grad: true });
    ref.it('softmax over dim 0', { x: X }, 'torch.softmax(x, 0)', ({ x }) => torch.softmax(x, 0), { grad: true });
    ref.it('softmax over the middle of 3-D', { x: X3 }, 'x.softmax(1)', ({ x }) => x.softmax(1), { grad: true });
    ref.it('softmax with a dtype', { x: X }, 'x.softmax(1, dtype=torch.float64)', ({ x }) => x.softmax(1, { dtype: 'float64' }), { grad: true });
    ref.it(
      'softmax of large logits is stable',
      {
        x: spec([
          [1000, 1001, 999],
          [-1000, -1000, -1000],
        ]),
      },
      'x.softmax(-1)',
      ({ x }) => x.softmax(-1),
    );
    ref.it(
      'softmax with -inf entries',
      {
        x: spec([
          [-Infinity, 0, 1],
          [2, -Infinity, -Infinity],
        ]),
      },
      'x.softmax(-1)',
      ({ x }) => x.softmax(-1),
      { grad: true },
    );
    ref.it('softmax of an int tensor is an error', { x: spec([1, 2], 'int64') }, 'torch.softmax(x, 0)', ({ x }) => x.softmax(0), { error: true });
    ref.it('softmax over a dim out of range', { x: X }, 'x.softmax(2)', ({ x }) => x.softmax(2), { error: true });
    ref.it('logSoftmax', { x: X }, 'x.log_softmax(-1)', ({ x }) => x.logSoftmax(-1), { grad: true });
    ref.it('logSoftmax over dim 0', { x: X3 }, 'torch.log_softmax(x, 0)', ({ x }) => torch.logSoftmax(x, 0), { grad: true });
    ref.it('logSoftmax of large logits is stable', { x: spec([[1000, 0, -1000]]) }, 'x.log_softmax(1)', ({ x }) => x.logSoftmax(1), { grad: true });
    ref.it('logSoftmax with a dtype', { x: X }, 'x.log_softmax(0, dtype=torch.float64)', ({ x }) => x.logSoftmax(0, { dtype: 'float64' }));
  });

  describe('topk', () => {
    ref.it('topk largest', { x: U }, 'x.topk(2)', ({ x }) => x.topk(2), { grad: true });
    ref.it('topk smallest', { x: U }, 'torch.topk(x, 3, largest=False)', ({ x }) => torch.topk(x, 3, -1, false), { grad: true });
    ref.it('topk along dim 0', { x: U }, 'x.topk(1, 0)', ({ x }) => x.topk(1, 0), { grad: true });
    ref.it('topk of everything', { x: U }, 'x.topk(5, 1)', ({ x }) => x.topk(5, 1));
    ref.it('topk of ints', { x: spec([5, 1, 9, 3], 'int64') }, 'x.topk(2)', ({ x }) => x.topk(2));
    ref.it('topk with k too large', { x: U }, 'x.topk(6)', ({ x }) => x.topk(6), { error: true });
  });

  describe('sort and argsort', () => {
    ref.it('sort ascending', { x: U }, 'x.sort()', ({ x }) => x.sort(), { grad: true });
    ref.it('sort descending along dim 0', { x: U }, 'torch.sort(x, 0, descending=True)', ({ x }) => torch.sort(x, 0, true), { grad: true });
    ref.it('stable sort keeps the order of ties', { x: DUP }, 'x.sort(stable=True)', ({ x }) => x.sort(-1, false, { stable: true }));
    ref.it('stable sort descending', { x: DUP }, 'x.sort(descending=True, stable=True)', ({ x }) => x.sort(-1, true, { stable: true }));
    ref.it(
      'sort of ints',
      {
        x: spec(
          [
            [3, -1, 2],
            [0, 0, -5],
          ],
          'int64',
        ),
      },
      'x.sort(1)',
      ({ x }) => x.sort(1),
    );
    ref.it('sort puts NaN last', { x: spec([2, NaN, -1, 0]) }, 'x.sort()', ({ x }) => x.sort());
    ref.it('argsort', { x: U }, 'x.argsort()', ({ x }) => x.argsort());
    ref.it('argsort descending along dim 0', { x: U }, 'torch.argsort(x, 0, descending=True)', ({ x }) => torch.argsort(x, 0, true));
  });

  describe('sampling with a seed', () => {
    ref.it('multinomial without replacement', { p: P }, 'torch.multinomial(p, 2)', ({ p }) => p.multinomial(2), { seed: 3 });
    ref.it('multinomial with replacement', { p: P }, 'torch.multinomial(p, 6, True)', ({ p }) => torch.multinomial(p, 6, true), { seed: 4 });
    ref.it('multinomial of unnormalized weights', { p: spec([1, 5, 0, 2]) }, 'p.multinomial(3)', ({ p }) => p.multinomial(3), { seed: 5 });
    ref.it('multinomial of a 1-D distribution', { p: spec([0.1, 0.9]) }, 'p.multinomial(10, replacement=True)', ({ p }) => p.multinomial(10, true), {
      seed: 6,
    });
    ref.it('multinomial drawing too many without replacement', { p: spec([0.5, 0.5]) }, 'p.multinomial(3)', ({ p }) => p.multinomial(3), { error: true });
    ref.it('multinomial of negative weights', { p: spec([0.5, -0.5]) }, 'p.multinomial(1)', ({ p }) => p.multinomial(1), { error: true });
    ref.it('bernoulli with p', { x: spec([0, 0, 0, 0, 0, 0, 0, 0]) }, 'torch.bernoulli(x, 0.25)', ({ x }) => x.bernoulli(0.25), { seed: 7 });

    it('a zero-probability class is never drawn', () => {
      torch.tidy(() => {
        torch.manualSeed(0);
        const p = torch.tensor([0.5, 0, 0.5]);
        const s = p.multinomial(1000, true);
        expect(s.eq(1).any().item()).to.equal(false);
        expect(s.eq(0).any().item()).to.equal(true);
        expect(s.eq(2).any().item()).to.equal(true);
      });
    });
  });
});
