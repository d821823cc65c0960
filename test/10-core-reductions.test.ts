/**
 * Reductions against PyTorch: all-element and per-dim forms, keepdim,
 * dtypes, the (values, indices) pairs, and gradients.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { Data, refBatch, spec } from './helpers/python.js';

const D = new Data(40);
const X = spec(D.uniform([3, 4]));
const X3 = spec(D.uniform([2, 3, 4]));
const X64 = spec(D.uniform([3, 5]), 'float64');
const I = spec(D.ints([3, 4], -5, 6), 'int64');
const B = spec(D.bools([3, 4]), 'bool');
// distinct values so that max/min/median/argmax indices are unambiguous
const U = spec([
  [0.5, -1.25, 2.75, 0.125],
  [3.5, -0.75, 1.5, -2.5],
  [0.25, 4.5, -3.25, 1.0],
]);
const ZEROS = spec([
  [0, 1, 0],
  [2, 0, 0],
]);

describe('10 core: reductions', () => {
  const ref = refBatch();

  describe('sum, mean, prod', () => {
    ref.it('sum of all', { x: X }, 'x.sum()', ({ x }) => x.sum(), { grad: true });
    ref.it('sum over dim 1', { x: X }, 'x.sum(1)', ({ x }) => x.sum(1), { grad: true });
    ref.it('sum over a negative dim with keepdim', { x: X3 }, 'x.sum(-2, keepdim=True)', ({ x }) => x.sum(-2, true), { grad: true });
    ref.it('sum over several dims', { x: X3 }, 'x.sum((0, 2))', ({ x }) => x.sum([0, 2]), { grad: true });
    ref.it('sum of ints is int64', { x: I }, 'x.sum()', ({ x }) => x.sum());
    ref.it('sum of bools counts', { x: B }, 'x.sum(0)', ({ x }) => x.sum(0));
    ref.it('sum with a dtype', { x: I }, 'x.sum(dtype=torch.float64)', ({ x }) => x.sum(null, false, { dtype: 'float64' }));
    ref.it('torch.sum over dim with a dtype', { x: X }, 'torch.sum(x, 0, dtype=torch.float64)', ({ x }) => torch.sum(x, 0, false, { dtype: 'float64' }));
    ref.it('mean of all', { x: X }, 'x.mean()', ({ x }) => x.mean(), { grad: true });
    ref.it('mean over dims with keepdim', { x: X3 }, 'x.mean((1, 2), keepdim=True)', ({ x }) => x.mean([1, 2], true), { grad: true });
    ref.it('mean of float64', { x: X64 }, 'x.mean(0)', ({ x }) => torch.mean(x, 0), { grad: true });
    ref.it('mean of ints is an error', { x: I }, 'x.mean()', ({ x }) => x.mean(), { error: true });
    ref.it('mean of ints with a dtype', { x: I }, 'x.mean(dtype=torch.float32)', ({ x }) => x.mean(null, false, { dtype: 'float32' }));
    ref.it('prod of all', { x: X }, 'x.prod()', ({ x }) => x.prod(), { grad: true });
    ref.it('prod over a dim', { x: X }, 'x.prod(1)', ({ x }) => x.prod(1), { grad: true });
    ref.it(
      'prod with a zero (grad)',
      {
        x: spec([
          [1.5, 0, 2],
          [0, 0, 3],
        ]),
      },
      'x.prod(1)',
      ({ x }) => x.prod(1),
      { grad: true },
    );
    ref.it('prod of ints', { x: I }, 'x.prod(0, keepdim=True)', ({ x }) => x.prod(0, true));
    ref.it('sum over an empty dim is zero', { x: spec([[], []]) }, 'x.sum(1)', ({ x }) => x.sum(1));
    ref.it('mean of an empty tensor is NaN', { x: spec([]) }, 'x.mean()', ({ x }) => x.mean());
    ref.it('sum over a dim out of range', { x: X }, 'x.sum(2)', ({ x }) => x.sum(2), { error: true });
  });

  describe('std, var, norm, logsumexp', () => {
    ref.it('std of all (unbiased)', { x: X }, 'x.std()', ({ x }) => x.std(), { grad: true });
    ref.it('std over dim, correction 0', { x: X }, 'torch.std(x, 1, correction=0)', ({ x }) => x.std(1, { correction: 0 }), { grad: true });
    ref.it('var of all', { x: X }, 'x.var()', ({ x }) => x.var(), { grad: true });
    ref.it('var over dims with keepdim', { x: X3 }, 'torch.var(x, (0, 1), keepdim=True)', ({ x }) => torch.var(x, [0, 1], { keepdim: true }), { grad: true });
    ref.it('var of one element is NaN', { x: spec([2.5]) }, 'x.var()', ({ x }) => x.var());
    ref.it('norm (2) of all', { x: X }, 'x.norm()', ({ x }) => x.norm(), { grad: true });
    ref.it('norm p=1 over dim', { x: X }, 'x.norm(1, 1)', ({ x }) => x.norm(1, 1), { grad: true });
    ref.it('norm p=3 over dim with keepdim', { x: X3 }, 'x.norm(3, -1, keepdim=True)', ({ x }) => torch.norm(x, 3, -1, true), { grad: true });
    ref.it('norm p=inf', { x: X }, "x.norm(float('inf'))", ({ x }) => x.norm(Infinity));
    ref.it('logsumexp over dim', { x: X }, 'torch.logsumexp(x, 1)', ({ x }) => x.logsumexp(1), { grad: true });
    ref.it(
      'logsumexp of large values is stable',
      {
        x: spec([
          [1000, 1000.5],
          [-1000, -999],
        ]),
      },
      'torch.logsumexp(x, -1, keepdim=True)',
      ({ x }) => torch.logsumexp(x, -1, true),
    );
    ref.it('logsumexp over several dims', { x: X3 }, 'torch.logsumexp(x, (0, 2))', ({ x }) => x.logsumexp([0, 2]), { grad: true });
  });

  describe('max, min, median and arg forms', () => {
    ref.it('max of all', { x: U }, 'x.max()', ({ x }) => x.max(), { grad: true });
    ref.it('max over dim gives values and indices', { x: U }, 'x.max(1)', ({ x }) => x.max(1), { grad: true });
    ref.it('max over dim 0 with keepdim', { x: U }, 'x.max(0, keepdim=True)', ({ x }) => x.max(0, true), { grad: true });
    ref.it('min of all', { x: U }, 'x.min()', ({ x }) => x.min(), { grad: true });
    ref.it('min over dim', { x: U }, 'x.min(-1)', ({ x }) => x.min(-1), { grad: true });
    ref.it('max of ints', { x: I }, 'x.max()', ({ x }) => x.max());
    ref.it('median of all (lower of the middle two)', { x: U }, 'x.median()', ({ x }) => x.median(), { grad: true });
    ref.it('median over dim', { x: U }, 'x.median(1)', ({ x }) => x.median(1), { grad: true });
    ref.it('median over dim 0 with keepdim', { x: U }, 'x.median(0, keepdim=True)', ({ x }) => x.median(0, true));
    ref.it('max of an empty tensor is an error', { x: spec([]) }, 'x.max()', ({ x }) => x.max(), { error: true });
    ref.it('argmax flattened', { x: U }, 'x.argmax()', ({ x }) => x.argmax());
    ref.it('argmax over dim', { x: U }, 'x.argmax(1)', ({ x }) => torch.argmax(x, 1));
    ref.it('argmax keepdim', { x: U }, 'x.argmax(0, keepdim=True)', ({ x }) => x.argmax(0, true));
    ref.it('argmin flattened', { x: U }, 'x.argmin()', ({ x }) => x.argmin());
    ref.it('argmin over dim', { x: U }, 'torch.argmin(x, -1)', ({ x }) => torch.argmin(x, -1));
    ref.it('amax over all', { x: U }, 'torch.amax(x)', ({ x }) => x.amax(), { grad: true });
    ref.it('amax over dims', { x: X3 }, 'torch.amax(x, (0, 2))', ({ x }) => x.amax([0, 2]), { grad: true });
    ref.it('amin over dim with keepdim', { x: U }, 'torch.amin(x, 1, keepdim=True)', ({ x }) => torch.amin(x, 1, true), { grad: true });

    it('ValuesIndices destructures like the named tuple', () => {
      torch.tidy(() => {
        const x = torch.tensor([
          [1, 5, 3],
          [7, 2, 9],
        ]);
        const r = x.max(1);
        const [v, i] = r;
        expect(v.tolist()).to.deep.equal([5, 9]);
        expect(i.tolist()).to.deep.equal([1, 2]);
        expect(r.values.tolist()).to.deep.equal([5, 9]);
        expect(r.indices.tolist()).to.deep.equal([1, 2]);
        expect(r[0]).to.equal(r.values);
        expect(r[1]).to.equal(r.indices);
        expect(r.length).to.equal(2);
      });
    });
  });

  describe('any, all, countNonzero, cumulative', () => {
    ref.it('any of all', { x: B }, 'x.any()', ({ x }) => x.any());
    ref.it('any over dim', { x: B }, 'x.any(1)', ({ x }) => x.any(1));
    ref.it('all of all', { x: B }, 'x.all()', ({ x }) => x.all());
    ref.it('all over dim with keepdim', { x: B }, 'x.all(0, keepdim=True)', ({ x }) => torch.all(x, 0, true));
    ref.it('any of floats', { x: ZEROS }, 'x.any(0)', ({ x }) => x.any(0));
    ref.it('all of ints', { x: I }, 'x.all()', ({ x }) => x.all());
    ref.it('countNonzero', { x: ZEROS }, 'torch.count_nonzero(x)', ({ x }) => x.countNonzero());
    ref.it('countNonzero over dim', { x: ZEROS }, 'torch.count_nonzero(x, 1)', ({ x }) => torch.countNonzero(x, 1));
    ref.it('cumsum', { x: X }, 'x.cumsum(1)', ({ x }) => x.cumsum(1), { grad: true });
    ref.it('cumsum over a negative dim', { x: X3 }, 'x.cumsum(-3)', ({ x }) => torch.cumsum(x, -3), { grad: true });
    ref.it('cumsum of ints', { x: I }, 'x.cumsum(0)', ({ x }) => x.cumsum(0));
    ref.it('cumsum with a dtype', { x: I }, 'x.cumsum(0, dtype=torch.float64)', ({ x }) => x.cumsum(0, { dtype: 'float64' }));
    ref.it('cumsum of bools is int64', { x: B }, 'x.cumsum(1)', ({ x }) => x.cumsum(1));
    ref.it('cumprod', { x: X }, 'x.cumprod(1)', ({ x }) => x.cumprod(1), { grad: true });
    ref.it('cumprod of ints', { x: I }, 'torch.cumprod(x, 1)', ({ x }) => torch.cumprod(x, 1));
  });
});
