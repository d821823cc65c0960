/**
 * Comparisons and logic against PyTorch.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { Data, refBatch, spec } from './helpers/python.js';

const D = new Data(30);
const A = spec(D.ints([3, 4], -3, 4), 'float32');
const B = spec(D.ints([3, 4], -3, 4), 'float32');
const ROW = spec(D.ints([4], -3, 4), 'float32');
const I = spec(D.ints([3, 4], -3, 4), 'int64');
const P = spec(D.bools([3, 4]), 'bool');
const Q = spec(D.bools([3, 4]), 'bool');
const SPECIAL = spec([NaN, Infinity, -Infinity, 0, -1.5, NaN]);

describe('10 core: comparison and logic', () => {
  const ref = refBatch();

  for (const [op, sym] of [
    ['eq', '=='],
    ['ne', '!='],
    ['lt', '<'],
    ['le', '<='],
    ['gt', '>'],
    ['ge', '>='],
  ] as const) {
    ref.it(`${op} tensor`, { a: A, b: B }, `a ${sym} b`, ({ a, b }) => a[op](b));
    // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the function form of each comparison, looked up by name
    ref.it(`${op} broadcast row`, { a: A, b: ROW }, `a ${sym} b`, ({ a, b }) => torch[op](a, b));
    ref.it(`${op} scalar`, { a: A }, `a ${sym} 1`, ({ a }) => a[op](1));
    ref.it(`${op} float scalar on ints`, { a: I }, `a ${sym} 0.5`, ({ a }) => a[op](0.5));
    ref.it(`${op} int vs float tensors`, { a: I, b: B }, `a ${sym} b`, ({ a, b }) => a[op](b));
    ref.it(`${op} with NaN`, { a: SPECIAL }, `a ${sym} float('nan')`, ({ a }) => a[op](NaN));
    ref.it(`${op}_ in place keeps the dtype`, { a: A, b: B }, `a.${op}_(b)`, ({ a, b }) => a[`${op}_`](b));
  }
  ref.it('eq shapes that do not broadcast', { a: A, b: spec([1, 2]) }, 'a == b', ({ a, b }) => a.eq(b), { error: true });

  ref.it('logicalAnd', { p: P, q: Q }, 'torch.logical_and(p, q)', ({ p, q }) => p.logicalAnd(q));
  ref.it('logicalOr', { p: P, q: Q }, 'torch.logical_or(p, q)', ({ p, q }) => torch.logicalOr(p, q));
  ref.it('logicalXor', { p: P, q: Q }, 'torch.logical_xor(p, q)', ({ p, q }) => p.logicalXor(q));
  ref.it('logicalNot', { p: P }, 'torch.logical_not(p)', ({ p }) => p.logicalNot());
  ref.it('logicalAnd of floats (nonzero is true)', { a: A, b: B }, 'torch.logical_and(a, b)', ({ a, b }) => a.logicalAnd(b));
  ref.it('logicalNot of ints', { a: I }, 'torch.logical_not(a)', ({ a }) => a.logicalNot());
  ref.it('logicalAnd_ keeps the float dtype', { a: A, b: B }, 'a.logical_and_(b)', ({ a, b }) => a.logicalAnd_(b));
  ref.it('logicalOr_ and logicalXor_ on bools', { p: P, q: Q }, 'p.logical_or_(q).logical_xor_(q)', ({ p, q }) => p.logicalOr_(q).logicalXor_(q));
  ref.it('logicalNot_', { p: P }, 'p.logical_not_()', ({ p }) => p.logicalNot_());
  ref.it('bitwiseNot of bools', { p: P }, 'torch.bitwise_not(p)', ({ p }) => p.bitwiseNot());
  ref.it('bitwiseNot of ints', { a: I }, 'torch.bitwise_not(a)', ({ a }) => torch.bitwiseNot(a));
  ref.it('bitwiseNot_', { a: I }, 'a.bitwise_not_()', ({ a }) => a.bitwiseNot_());
  ref.it('bitwiseNot of floats is an error', { a: A }, 'torch.bitwise_not(a)', ({ a }) => a.bitwiseNot(), { error: true });

  ref.it('isnan', { a: SPECIAL }, 'torch.isnan(a)', ({ a }) => a.isnan());
  ref.it('isinf', { a: SPECIAL }, 'torch.isinf(a)', ({ a }) => torch.isinf(a));
  ref.it('isfinite', { a: SPECIAL }, 'torch.isfinite(a)', ({ a }) => a.isfinite());
  ref.it('isfinite of ints', { a: I }, 'torch.isfinite(a)', ({ a }) => a.isfinite());

  const X = spec([1, 2, 3, NaN, 1e-9]);
  const Y = spec([1.000001, 2.1, 3, NaN, 0]);
  ref.it('isclose defaults', { x: X, y: Y }, 'torch.isclose(x, y)', ({ x, y }) => x.isclose(y));
  ref.it('isclose with tolerances and equalNan', { x: X, y: Y }, 'torch.isclose(x, y, rtol=0.1, atol=0, equal_nan=True)', ({ x, y }) =>
    torch.isclose(x, y, { rtol: 0.1, atol: 0, equalNan: true }),
  );
  ref.it('allclose false', { x: X, y: Y }, 'torch.allclose(x, y)', ({ x, y }) => x.allclose(y));
  ref.it('allclose true with tolerances', { x: spec([1, 2]), y: spec([1.01, 2.02]) }, 'torch.allclose(x, y, rtol=0.02)', ({ x, y }) =>
    torch.allclose(x, y, { rtol: 0.02 }),
  );
  ref.it(
    'allclose broadcasts',
    {
      x: spec([
        [1, 2],
        [1, 2],
      ]),
      y: spec([1, 2]),
    },
    'torch.allclose(x, y)',
    ({ x, y }) => x.allclose(y),
  );
  ref.it('equal same', { x: A }, 'torch.equal(x, x.clone())', ({ x }) => x.equal(x.clone()));
  ref.it('equal different values', { x: A, y: B }, 'torch.equal(x, y)', ({ x, y }) => torch.equal(x, y));
  ref.it('equal different shapes', { x: A, y: ROW }, 'torch.equal(x, y)', ({ x, y }) => x.equal(y));

  it('allclose and equal return plain booleans', () => {
    torch.tidy(() => {
      const a = torch.tensor([1, 2]);
      expect(a.equal(a)).to.be.a('boolean');
      expect(a.float().allclose(a.float())).to.equal(true);
    });
  });

  ref.it('where with tensors', { c: P, a: A, b: B }, 'torch.where(c, a, b)', ({ c, a, b }) => torch.where(c, a, b), { grad: true });
  ref.it(
    'where broadcasts',
    { c: spec([true, false, true, false], 'bool'), a: A, b: spec(0.5) },
    'torch.where(c, a, b)',
    ({ c, a, b }) => torch.where(c, a, b),
    { grad: true },
  );
  ref.it('where with a scalar other', { c: P, a: A }, 'torch.where(c, a, 0.0)', ({ c, a }) => torch.where(c, a, 0), { dtype: true });
  ref.it('where with a scalar input', { c: P, b: B }, 'torch.where(c, -1.0, b)', ({ c, b }) => torch.where(c, -1, b));
  ref.it('where with two scalars', { c: P }, 'torch.where(c, 1.5, -1.5)', ({ c }) => torch.where(c, 1.5, -1.5));
  ref.it('where needs a bool condition', { c: A, a: A, b: B }, 'torch.where(c, a, b)', ({ c, a, b }) => torch.where(c, a, b), { error: true });
});
