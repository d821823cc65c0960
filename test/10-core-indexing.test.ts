/**
 * Indexing against PyTorch: Python's t[...] through Tensor.index(), t[...] = v
 * through indexPut_(), and the index ops (indexSelect, gather, scatter,
 * maskedFill, where, nonzero...), with gradients and errors. Random index
 * expressions are compared in 10-core-indexing-fuzz.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { Data, errorOf, refBatch, spec } from './helpers/python.js';

const D = new Data(70);
const X = spec(D.uniform([3, 4, 5]));
const M = spec(D.uniform([4, 5]));
const V = spec(D.uniform([6]));
const IDX = spec([2, 0, 2], 'int64');
const IDX2 = spec(
  [
    [1, 3],
    [0, 0],
  ],
  'int64',
);
const NEG = spec([-1, 1], 'int64');
const MASK_M = spec(D.bools([4, 5]), 'bool');
const MASK_ROWS = spec([true, false, true, true], 'bool');
const MASK_5 = spec([false, true, true, false, true], 'bool');
const MASK_23 = spec(
  [
    [true, false, true],
    [false, true, true],
  ],
  'bool',
);
const A24 = spec(D.ints([2, 3, 4], -50, 50), 'int64');

describe('10 core: indexing', () => {
  const ref = refBatch();

  describe('basic indexing (views)', () => {
    ref.it('an integer selects', { x: X }, 'x[1]', ({ x }) => x.index(1), { grad: true });
    ref.it('a negative integer', { x: X }, 'x[-1]', ({ x }) => x.index(-1), { grad: true });
    ref.it('several integers', { x: X }, 'x[1, 2, 3]', ({ x }) => x.index(1, 2, 3), { grad: true });
    ref.it('an array of items', { x: X }, 'x[1, 2]', ({ x }) => x.index([1, 2]));
    ref.it("a slice '1:3'", { x: X }, 'x[1:3]', ({ x }) => x.index('1:3'), { grad: true });
    ref.it("':' then a slice", { x: X }, 'x[:, 1:3]', ({ x }) => x.index(':', '1:3'), { grad: true });
    ref.it("a slice with a step '::2'", { x: X }, 'x[::2, :, 1::2]', ({ x }) => x.index('::2', ':', '1::2'), { grad: true });
    ref.it("a slice with negative bounds '-3:-1'", { x: M }, 'x[-3:-1, :-2]', ({ x }) => x.index('-3:-1', ':-2'), { grad: true });
    ref.it('a slice past the end clamps', { x: M }, 'x[2:100, 4:]', ({ x }) => x.index('2:100', '4:'));
    ref.it('an empty slice', { x: M }, 'x[3:1]', ({ x }) => x.index('3:1'));
    ref.it('torch.slice objects', { x: X }, 'x[0:2, ::3, 1:4:2]', ({ x }) => x.index(torch.slice(0, 2), torch.slice(null, null, 3), torch.slice(1, 4, 2)), {
      grad: true,
    });
    ref.it('null adds an axis', { x: M }, 'x[None]', ({ x }) => x.index(null));
    ref.it('null between items', { x: M }, 'x[:, None, 1]', ({ x }) => x.index(':', null, 1), { grad: true });
    ref.it("'...' skips dims", { x: X }, 'x[..., 2]', ({ x }) => x.index('...', 2), { grad: true });
    ref.it("'...' in the middle", { x: X }, 'x[1, ..., 1:3]', ({ x }) => x.index(1, '...', '1:3'));
    ref.it("'...' with null", { x: X }, 'x[None, ..., None, 0]', ({ x }) => x.index(null, '...', null, 0));
    ref.it("'...' alone is the whole tensor", { x: M }, 'x[...]', ({ x }) => x.index('...'));
    ref.it('index of a 0-dim result', { x: V }, 'x[3]', ({ x }) => x.index(3), { grad: true });
    ref.it('slice layout (a view)', { x: X }, '(lambda t: (list(t.stride()), t.storage_offset(), list(t.shape)))(x[1:, ::2, 3])', ({ x }) => {
      const t = x.index('1:', '::2', 3);
      return [t.stride(), t.storageOffset(), t.shape];
    });

    it('basic indexing returns views that write through', () => {
      torch.tidy(() => {
        const x = torch.zeros(3, 4);
        x.index(1).fill_(1);
        x.index(':', '::3').add_(2);
        x.index('...', -2).sub_(5);
        expect(x.tolist()).to.deep.equal([
          [2, 0, -5, 2],
          [3, 1, -4, 3],
          [2, 0, -5, 2],
        ]);
        const same = x.index(':');
        expect(same.isSame(x)).to.equal(true);
        expect(same).to.not.equal(x);
      });
    });
  });

  describe('advanced indexing (copies)', () => {
    ref.it('an index tensor', { x: X, i: IDX }, 'x[i]', ({ x, i }) => x.index(i), { grad: true });
    ref.it('a 2-D index tensor', { x: M, i: IDX2 }, 'x[i]', ({ x, i }) => x.index(i), { grad: true });
    ref.it('negative indices in a tensor', { x: M, i: NEG }, 'x[i]', ({ x, i }) => x.index(i));
    ref.it('an index tensor after a slice', { x: X, i: IDX }, 'x[:, i]', ({ x, i }) => x.index(':', i), { grad: true });
    ref.it('an index tensor after an integer', { x: X, i: IDX }, 'x[1, i]', ({ x, i }) => x.index(1, i), { grad: true });
    ref.it('two index tensors broadcast', { x: X, i: IDX, j: spec([3], 'int64') }, 'x[i, j]', ({ x, i, j }) => x.index(i, j), { grad: true });
    ref.it(
      'separated index tensors move to the front',
      { x: X, i: spec([0, 2], 'int64'), j: spec([4, 1], 'int64') },
      'x[i, :, j]',
      ({ x, i, j }) => x.index(i, ':', j),
      { grad: true },
    );
    ref.it('an index tensor after ...', { x: X, i: IDX }, 'x[..., i]', ({ x, i }) => x.index('...', i), { grad: true });
    ref.it('an index tensor with a stepped slice', { x: X, i: IDX }, 'x[::2, i, 1:]', ({ x, i }) => x.index('::2', i, '1:'), { grad: true });
    ref.it('an index tensor with null', { x: M, i: IDX }, 'x[None, i]', ({ x, i }) => x.index(null, i));
    ref.it('a full boolean mask', { x: M, m: MASK_M }, 'x[m]', ({ x, m }) => x.index(m), { grad: true });
    ref.it('a boolean mask over rows', { x: M, m: MASK_ROWS }, 'x[m]', ({ x, m }) => x.index(m), { grad: true });
    ref.it('a boolean mask after a slice', { x: M, m: MASK_5 }, 'x[:, m]', ({ x, m }) => x.index(':', m), { grad: true });
    ref.it('a boolean mask from a comparison', { x: M }, 'x[x > 0]', ({ x }) => x.index(x.gt(0)), { grad: true });
    ref.it('a boolean mask over the first two dims of 3-D', { x: X, m: spec(D.bools([3, 4]), 'bool') }, 'x[m]', ({ x, m }) => x.index(m), { grad: true });
    ref.it('an index tensor out of range', { x: M, i: spec([0, 4], 'int64') }, 'x[i]', ({ x, i }) => x.index(i), { error: true });
    ref.it('a float index tensor', { x: M, i: spec([0, 1]) }, 'x[i]', ({ x, i }) => x.index(i), { error: true });
    ref.it('a mask of the wrong shape', { x: M, m: spec([true, false], 'bool') }, 'x[m]', ({ x, m }) => x.index(m), { error: true });
  });

  describe('items PyTorch accepts beyond tensors and slices', () => {
    ref.it('a 0-dim bool tensor true adds an axis', { x: M, m: spec(true, 'bool') }, 'x[m]', ({ x, m }) => x.index(m), { grad: true });
    ref.it('a 0-dim bool tensor false gives an empty axis', { x: M, m: spec(false, 'bool') }, 'x[m]', ({ x, m }) => x.index(m));
    ref.it('a 0-dim bool tensor after a slice', { x: M, m: spec(true, 'bool') }, 'x[1:, m, ::2]', ({ x, m }) => x.index('1:', m, '::2'), { grad: true });
    ref.it('true adds an axis', { x: M }, 'x[True]', ({ x }) => x.index(true), { grad: true });
    ref.it('false gives an empty axis', { x: M }, 'x[False]', ({ x }) => x.index(false));
    ref.it('true between items', { x: X }, 'x[1, True, ::2]', ({ x }) => x.index(1, true, '::2'), { grad: true });
    ref.it('true with an index tensor', { x: M, i: IDX }, 'x[True, i]', ({ x, i }) => x.index(true, i));
    ref.it('a 0-dim bool of a 0-dim tensor', { x: spec(2.5), m: spec(true, 'bool') }, 'x[m]', ({ x, m }) => x.index(m));
    ref.it("two '...' each skip the free dims", { x: M }, 'x[..., ...]', ({ x }) => x.index('...', '...'));
    ref.it("'...' on both sides of an integer", { x: M }, 'x[..., 0, ...]', ({ x }) => x.index('...', 0, '...'), { grad: true });
    ref.it('a list of indices after a slice', { x: M }, 'x[:, [0, 2]]', ({ x }) => x.index(':', [0, 2]), { grad: true });
    ref.it('a list of indices with an integer', { x: M }, 'x[[0, 2], 1]', ({ x }) => x.index([[0, 2], 1]));
    ref.it('a list alone (one array argument is the item list)', { x: M }, 'x[[3, 0, 3]]', ({ x }) => x.index([[3, 0, 3]]));
    ref.it(
      'a nested list of indices',
      { x: M },
      'x[:, [[0, 1], [4, 4]]]',
      ({ x }) =>
        x.index(':', [
          [0, 1],
          [4, 4],
        ]),
      { grad: true },
    );
    ref.it('a list of booleans is a mask', { x: M }, 'x[:, [True, False, True, False, True]]', ({ x }) => x.index(':', [true, false, true, false, true]));
    ref.it('a list mixing integers and booleans holds integers', { x: M }, 'x[:, [0, True, 4]]', ({ x }) => x.index(':', [0, true, 4]));
    ref.it('an empty list', { x: M }, 'x[:, []]', ({ x }) => x.index(':', []));
    ref.it('a list with negative indices', { x: V }, 'x[[-1, -6]]', ({ x }) => x.index([[-1, -6]]));
    ref.it('a list index out of range', { x: V }, 'x[[0, 6]]', ({ x }) => x.index([[0, 6]]), { error: true });
    ref.it('a 0-dim int64 tensor selects (not an index array)', { x: A24, i: spec(1, 'int64'), j: spec([0, 2], 'int64') }, 'x[i, :, j]', ({ x, i, j }) =>
      x.index(i, ':', j),
    );
    ref.it('a 0-dim int64 tensor alone', { x: M, i: spec(-1, 'int64') }, 'x[i]', ({ x, i }) => x.index(i), { grad: true });
    // PyTorch selects with integers before indexing; NumPy broadcasts them with the index arrays,
    // which moves the indexed dims to the front when a slice separates them. These follow PyTorch.
    ref.it('a 2-D mask then an integer', { x: A24, m: MASK_23 }, 'x[m, 0]', ({ x, m }) => x.index(m, 0));
    ref.it('an integer, a slice and an index tensor (PyTorch order, not NumPy)', { x: A24, j: spec([3, 1, 0], 'int64') }, 'x[0, :, j]', ({ x, j }) =>
      x.index(0, ':', j),
    );
    ref.it('an index tensor, a slice and an integer', { x: A24, i: spec([1, 0, 1], 'int64') }, 'x[i, :, 2]', ({ x, i }) => x.index(i, ':', 2));
    ref.it('a mask, a slice and an integer', { x: A24, m: spec([true, false], 'bool') }, 'x[m, :, -1]', ({ x, m }) => x.index(m, ':', -1));
    ref.it('index tensors separated by an integer', { x: A24, i: spec([1, 0], 'int64'), j: spec([3, 2], 'int64') }, 'x[i, 1, j]', ({ x, i, j }) =>
      x.index(i, 1, j),
    );
  });

  describe('index errors', () => {
    ref.it('an integer out of range', { x: M }, 'x[4]', ({ x }) => x.index(4), { errorClass: RangeError });
    ref.it('a negative integer out of range', { x: M }, 'x[:, -6]', ({ x }) => x.index(':', -6), { errorClass: RangeError });
    ref.it('too many indices', { x: M }, 'x[0, 0, 0]', ({ x }) => x.index(0, 0, 0), { errorClass: RangeError });
    ref.it('a zero step', { x: V }, 'x[::0]', ({ x }) => x.index('::0'), { errorClass: RangeError });
    ref.it('a negative step', { x: V }, 'x[::-1]', ({ x }) => x.index('::-1'), { errorClass: RangeError });
    ref.it('an integer out of range names its position', { x: M }, 'x[0, 9]', ({ x }) => x.index(0, 9), { errorClass: RangeError });
    ref.it('an integer out of range after null', { x: M }, 'x[None, 9]', ({ x }) => x.index(null, 9), { errorClass: RangeError });
    ref.it('an integer out of range after ...', { x: X }, 'x[..., 0, 9]', ({ x }) => x.index('...', 0, 9), { errorClass: RangeError });
    ref.it('an integer out of range with an index tensor', { x: M, i: IDX }, 'x[i, 7]', ({ x, i }) => x.index(i, 7), { errorClass: RangeError });
    ref.it('an integer index of a 0-dim tensor', { x: spec(1.5) }, 'x[0]', ({ x }) => x.index(0), { errorClass: RangeError });
    ref.it('too many indices with a mask', { x: M, m: MASK_M }, 'x[m, 0]', ({ x, m }) => x.index(m, 0), { errorClass: RangeError });
    ref.it('too many indices with a list', { x: V }, 'x[0, [0]]', ({ x }) => x.index(0, [0]), { errorClass: RangeError });
    ref.it('a float 0-dim tensor', { x: M, i: spec(1.0) }, 'x[i]', ({ x, i }) => x.index(i), { error: true });
    it('rejects malformed items with TypeErrors', () => {
      torch.tidy(() => {
        const x = torch.zeros(3, 4);
        expect(() => x.index('1-2')).to.throw(TypeError, "Expected a slice like '1:5' or '::2' but received '1-2'");
        expect(() => x.index('a:b')).to.throw(TypeError, "Expected integers in slice but received 'a:b'");
        expect(() => x.index(1.5)).to.throw(TypeError, 'Expected an integer index for index but received 1.5 of type number');
        expect(() => x.index({} as never)).to.throw(
          TypeError,
          'Expected a number, boolean, slice string, torch.slice(), null, Tensor or list of indices for index item but received an object of type Object',
        );
        expect(() => x.index(':', 2n as never)).to.throw(
          TypeError,
          'Expected a number, boolean, slice string, torch.slice(), null, Tensor or list of indices for index item but received 2 of type bigint',
        );
        expect(() => torch.slice(0, 4, 0)).to.throw(RangeError, 'slice step cannot be zero');
        expect(() => x.index(':', [0, 1.5])).to.throw(TypeError, 'Expected integers or booleans in an index list for index but received 1.5 of type number');
        expect(() => x.index(':', [[0, 1], [2]])).to.throw(
          TypeError,
          'Expected a list of length 2 at dim 1 of an index list for index but received an array of length 1',
        );
        expect(() => x.index(':', [[0], 1] as never)).to.throw(
          TypeError,
          'Expected a list of length 1 at dim 1 of an index list for index but received 1 of type number',
        );
        expect(() => x.index(':', ['a'] as never)).to.throw(
          TypeError,
          "Expected integers or booleans in an index list for index but received 'a' of type string",
        );
      });
    });

    it("a select of a dim that earlier '...' items used up fails in libtorch", () => {
      torch.tidy(() => {
        // PyTorch reads past the sizes here and reports a garbage size; libtorch's select names the dims
        const e = errorOf(() => torch.zeros(2, 3, 4).index('...', 0, '...', 1));
        expect(e).to.be.instanceOf(torch.TorchError);
        expect(e.message).to.equal('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
      });
    });
  });

  describe('assignment with indexPut_', () => {
    ref.it('a scalar into a row', { x: M }, 'x[1] = 5.0\nout = x', ({ x }) => x.indexPut_([1], 5), { stmt: true });
    ref.it('a scalar into a stepped slice', { x: M }, 'x[:, ::2] = -1.0\nout = x', ({ x }) => x.indexPut_([':', '::2'], -1), { stmt: true });
    ref.it('a tensor into a slice (broadcast)', { x: M, v: spec([1, 2, 3, 4, 5]) }, 'x[1:3] = v\nout = x', ({ x, v }) => x.indexPut_(['1:3'], v), {
      stmt: true,
    });
    ref.it("a scalar after '...'", { x: X }, 'x[..., 0] = 7.0\nout = x', ({ x }) => x.indexPut_(['...', 0], 7), { stmt: true });
    ref.it('a scalar at a boolean mask', { x: M }, 'x[x < 0] = 0.0\nout = x', ({ x }) => x.indexPut_([x.lt(0)], 0), { stmt: true });
    ref.it('a tensor at a boolean mask', { x: M, m: MASK_ROWS, v: spec([9, 8, 7, 6, 5]) }, 'x[m] = v\nout = x', ({ x, m, v }) => x.indexPut_([m], v), {
      stmt: true,
    });
    ref.it(
      'values at an index tensor',
      { x: M, i: spec([0, 3], 'int64'), v: spec(D.uniform([2, 5])) },
      'x[i] = v\nout = x',
      ({ x, i, v }) => x.indexPut_([i], v),
      { stmt: true },
    );
    ref.it('values at a slice and an index tensor', { x: M, i: spec([4, 0], 'int64') }, 'x[1:, i] = 3.5\nout = x', ({ x, i }) => x.indexPut_(['1:', i], 3.5), {
      stmt: true,
    });
    ref.it('values at an integer and an index tensor', { x: X, i: IDX }, 'x[2, i] = -2.0\nout = x', ({ x, i }) => x.indexPut_([2, i], -2), { stmt: true });
    ref.it(
      'accumulate adds repeated indices',
      { x: V, i: spec([0, 2, 0, 5, 0], 'int64'), v: spec([1, 2, 3, 4, 5]) },
      'x.index_put_((i,), v, accumulate=True)',
      ({ x, i, v }) => x.indexPut_([i], v, { accumulate: true }),
    );
    ref.it(
      'into an int tensor',
      {
        x: spec(
          [
            [1, 2],
            [3, 4],
          ],
          'int64',
        ),
      },
      'x[:, 1] = 9\nout = x',
      ({ x }) => x.indexPut_([':', 1], 9),
      { stmt: true },
    );
    ref.it(
      'into a bool tensor',
      { x: spec([true, false, true], 'bool'), i: spec([1], 'int64') },
      'x[i] = True\nout = x',
      ({ x, i }) => x.indexPut_([i], true),
      { stmt: true },
    );
    ref.it('values of the wrong shape', { x: M, i: spec([0, 3], 'int64'), v: spec([1, 2, 3]) }, 'x[i] = v', ({ x, i, v }) => x.indexPut_([i], v), {
      stmt: true,
      error: true,
    });
    ref.it(
      'gradient flows through an index_put',
      { x: M, v: spec([1, 2, 3, 4, 5]) },
      'y = x * 1\ny[2] = v * 2\nout = y',
      ({ x, v }) => x.mul(1).indexPut_([2], v.mul(2)),
      { stmt: true, grad: true },
    );
    // The assignments issue 13 found writing the wrong elements.
    ref.it(
      "an index tensor after '...'",
      {
        x: spec([
          [0, 0, 0],
          [0, 0, 0],
        ]),
        i: spec([1], 'int64'),
      },
      'x[..., i] = 5.0\nout = x',
      ({ x, i }) => x.indexPut_(['...', i], 5),
      { stmt: true },
    );
    ref.it(
      'an index tensor after null',
      {
        x: spec([
          [0, 0],
          [0, 0],
          [0, 0],
        ]),
        i: spec([0], 'int64'),
      },
      'x[None, i] = 1.0\nout = x',
      ({ x, i }) => x.indexPut_([null, i], 1),
      { stmt: true },
    );
    ref.it(
      'a mask then a stepped slice',
      {
        x: spec([
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ]),
        m: spec([true, false], 'bool'),
      },
      'x[m, ::2] = 1.0\nout = x',
      ({ x, m }) => x.indexPut_([m, '::2'], 1),
      { stmt: true },
    );
    ref.it(
      'x[mask, :] = v',
      {
        x: spec([
          [0, 0, 0, 0],
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ]),
        m: spec([true, false, true], 'bool'),
      },
      'x[m, :] = 1.0\nout = x',
      ({ x, m }) => x.indexPut_([m, ':'], 1),
      { stmt: true },
    );
    ref.it('x[mask, :] = rows', { x: M, m: MASK_ROWS, v: spec(D.uniform([3, 5])) }, 'x[m, :] = v\nout = x', ({ x, m, v }) => x.indexPut_([m, ':'], v), {
      stmt: true,
    });
    ref.it(
      'an index tensor between slices',
      { x: X, i: spec([3, 0], 'int64') },
      'x[:, i, 1:3] = -4.0\nout = x',
      ({ x, i }) => x.indexPut_([':', i, '1:3'], -4),
      { stmt: true },
    );
    ref.it('two ellipses', { x: M }, 'x[..., ...] = 2.0\nout = x', ({ x }) => x.indexPut_(['...', '...'], 2), { stmt: true });
    ref.it('true adds an axis', { x: M, v: spec([1, 2, 3, 4, 5]) }, 'x[True] = v\nout = x', ({ x, v }) => x.indexPut_([true], v), { stmt: true });
    ref.it('false writes nothing', { x: M }, 'x[False] = 1.0\nout = x', ({ x }) => x.indexPut_([false], 1), { stmt: true });
    ref.it('a 0-dim bool mask', { x: M, m: spec(true, 'bool') }, 'x[m] = 3.0\nout = x', ({ x, m }) => x.indexPut_([m], 3), { stmt: true });
    ref.it('a 0-dim bool mask after a slice', { x: M, m: spec(true, 'bool') }, 'x[::2, m, 1] = 3.0\nout = x', ({ x, m }) => x.indexPut_(['::2', m, 1], 3), {
      stmt: true,
    });
    ref.it('a list of indices', { x: M }, 'x[:, [0, 4]] = 7.0\nout = x', ({ x }) => x.indexPut_([':', [0, 4]], 7), { stmt: true });
    ref.it(
      'a 0-dim int64 tensor selects',
      { x: A24, i: spec(1, 'int64'), j: spec([0, 2], 'int64') },
      'x[i, :, j] = 99\nout = x',
      ({ x, i, j }) => x.indexPut_([i, ':', j], 99),
      { stmt: true },
    );
    ref.it(
      'values with leading ones are stripped',
      { x: M, i: spec([0, 3], 'int64'), v: spec(D.uniform([1, 1, 2, 5])) },
      'x[i] = v\nout = x',
      ({ x, i, v }) => x.indexPut_([i], v),
      { stmt: true },
    );
    ref.it('a basic view takes a broadcast value', { x: M, v: spec([[1, 2, 3, 4, 5]]) }, 'x[1:3] = v\nout = x', ({ x, v }) => x.indexPut_(['1:3'], v), {
      stmt: true,
    });
    ref.it('a basic view takes a value with leading ones', { x: M, v: spec([[[1, 2, 3, 4, 5]]]) }, 'x[1] = v\nout = x', ({ x, v }) => x.indexPut_([1], v), {
      stmt: true,
    });
    ref.it('a value that does not broadcast', { x: M, v: spec([1, 2]) }, 'x[1:3] = v', ({ x, v }) => x.indexPut_(['1:3'], v), { stmt: true, error: true });
    ref.it('a fraction into an int tensor truncates', { x: spec([1, 2, 3], 'int64') }, 'x[0] = 2.7\nout = x', ({ x }) => x.indexPut_([0], 2.7), { stmt: true });
    ref.it(
      'a fraction into an int tensor at an index',
      { x: spec([1, 2, 3], 'int32'), i: spec([2], 'int64') },
      'x[i] = -2.7\nout = x',
      ({ x, i }) => x.indexPut_([i], -2.7),
      { stmt: true },
    );
    ref.it('-1 into uint8 wraps as in PyTorch', { x: spec([1, 2, 3], 'uint8') }, 'x[1] = -1\nout = x', ({ x }) => x.indexPut_([1], -1), { stmt: true });
    ref.it('256 into uint8 overflows', { x: spec([1, 2, 3], 'uint8') }, 'x[1] = 256', ({ x }) => x.indexPut_([1], 256), { stmt: true, error: true });
    ref.it('256 into uint8 at an index overflows', { x: spec([1, 2, 3], 'uint8'), i: spec([0], 'int64') }, 'x[i] = 256', ({ x, i }) => x.indexPut_([i], 256), {
      stmt: true,
      error: true,
    });
    ref.it('NaN into int32 overflows', { x: spec([1, 2, 3], 'int32') }, "x[0] = float('nan')", ({ x }) => x.indexPut_([0], NaN), { stmt: true, error: true });
    ref.it(
      'a value tensor of another dtype at an index',
      { x: M, i: spec([0], 'int64'), v: spec([1, 2, 3, 4, 5], 'float64') },
      'x[i] = v',
      ({ x, i, v }) => x.indexPut_([i], v),
      { stmt: true, error: true },
    );
    ref.it(
      'a value tensor of another dtype into a view',
      { x: M, v: spec([1, 2, 3, 4, 5], 'float64') },
      'x[0] = v\nout = x',
      ({ x, v }) => x.indexPut_([0], v),
      { stmt: true },
    );
    ref.it(
      'accumulate with basic items adds',
      { x: M, v: spec([1, 2, 3, 4, 5]) },
      'x[1] += v\nout = x',
      ({ x, v }) => x.indexPut_([1], v, { accumulate: true }),
      { stmt: true },
    );
    ref.it(
      'accumulate with a slice and an index tensor',
      { x: M, i: spec([1, 1, 4], 'int64'), v: spec([1, 2, 3]) },
      'torch.ops.aten.index_put_(x[2:], [None, i], v, True)\nout = x',
      ({ x, i, v }) => x.indexPut_(['2:', i], v, { accumulate: true }),
      { stmt: true },
    );
    ref.it(
      'gradient flows through assignment at a mask and a slice',
      { x: M, m: MASK_ROWS, v: spec(D.uniform([3, 2])) },
      'y = x * 1\ny[m, 1:3] = v * 2\nout = y',
      ({ x, m, v }) => x.mul(1).indexPut_([m, '1:3'], v.mul(2)),
      { stmt: true, grad: true },
    );

    it('rejects unknown options and values of other kinds', () => {
      torch.tidy(() => {
        expect(() => torch.zeros(2).indexPut_([0], 1, { acumulate: true } as never)).to.throw(
          TypeError,
          "Unknown option 'acumulate' for indexPut_; expected one of: accumulate",
        );
        expect(() => torch.zeros(2).indexPut_([0], 'a' as never)).to.throw(
          TypeError,
          "Expected a Tensor, number, boolean or bigint for value but received 'a' of type string",
        );
        expect(() => torch.zeros(2).indexPut_([0], 2n ** 64n)).to.throw(
          RangeError,
          'Expected a bigint that fits in int64 or uint64 for value but received 18446744073709551616',
        );
      });
    });
  });

  describe('index ops', () => {
    ref.it('indexSelect', { x: M, i: IDX }, 'torch.index_select(x, 0, i)', ({ x, i }) => x.indexSelect(0, i), { grad: true });
    ref.it('indexSelect along dim 1', { x: M, i: spec([4, 4, 1], 'int64') }, 'x.index_select(1, i)', ({ x, i }) => torch.indexSelect(x, 1, i), { grad: true });
    ref.it('indexSelect out of range', { x: M, i: spec([7], 'int64') }, 'x.index_select(0, i)', ({ x, i }) => x.indexSelect(0, i), { error: true });
    ref.it('indexSelect with a 2-D index', { x: M, i: IDX2 }, 'x.index_select(0, i)', ({ x, i }) => x.indexSelect(0, i), { error: true });
    ref.it(
      'gather',
      {
        x: M,
        i: spec(
          [
            [0, 1],
            [4, 4],
            [2, 0],
            [1, 3],
          ],
          'int64',
        ),
      },
      'torch.gather(x, 1, i)',
      ({ x, i }) => x.gather(1, i),
      { grad: true },
    );
    ref.it('gather along dim 0', { x: M, i: spec([[3, 2, 1, 0, 0]], 'int64') }, 'x.gather(0, i)', ({ x, i }) => torch.gather(x, 0, i), { grad: true });
    ref.it('gather out of range', { x: M, i: spec([[5]], 'int64') }, 'x.gather(1, i)', ({ x, i }) => x.gather(1, i), { error: true });
    ref.it(
      'scatter a tensor',
      {
        x: M,
        i: spec(
          [
            [0, 1],
            [4, 3],
          ],
          'int64',
        ),
        s: spec([
          [10, 20],
          [30, 40],
        ]),
      },
      'x.scatter(1, i, s)',
      ({ x, i, s }) => x.scatter(1, i, s),
      { grad: true },
    );
    ref.it(
      'scatter a value',
      {
        x: M,
        i: spec(
          [
            [0, 1],
            [4, 3],
          ],
          'int64',
        ),
      },
      'torch.scatter(x, 1, i, -1.0)',
      ({ x, i }) => torch.scatter(x, 1, i, -1),
    );
    ref.it('scatter_', { x: M, i: spec([[3, 2, 1, 0, 0]], 'int64'), s: spec(D.uniform([1, 5])) }, 'x.scatter_(0, i, s)', ({ x, i, s }) => x.scatter_(0, i, s));
    ref.it(
      'scatterAdd',
      {
        x: M,
        i: spec(
          [
            [0, 0, 1],
            [2, 2, 2],
          ],
          'int64',
        ),
        s: spec(D.uniform([2, 3])),
      },
      'x.scatter_add(1, i, s)',
      ({ x, i, s }) => x.scatterAdd(1, i, s),
      { grad: true },
    );
    ref.it('scatterAdd_', { x: spec([0, 0, 0, 0]), i: spec([1, 1, 3], 'int64'), s: spec([1, 2, 3]) }, 'x.scatter_add_(0, i, s)', ({ x, i, s }) =>
      x.scatterAdd_(0, i, s),
    );
    ref.it(
      'indexAdd',
      { x: M, i: spec([1, 1, 3], 'int64'), s: spec(D.uniform([3, 5])) },
      'x.index_add(0, i, s, alpha=2)',
      ({ x, i, s }) => x.indexAdd(0, i, s, { alpha: 2 }),
      { grad: true },
    );
    ref.it('indexAdd_', { x: M, i: spec([0, 4], 'int64'), s: spec(D.uniform([4, 2])) }, 'x.index_add_(1, i, s)', ({ x, i, s }) => x.indexAdd_(1, i, s));
    ref.it('maskedFill a scalar', { x: M, m: MASK_M }, 'x.masked_fill(m, -9.0)', ({ x, m }) => x.maskedFill(m, -9), { grad: true });
    ref.it('maskedFill broadcasts the mask', { x: M, m: MASK_5 }, 'torch.masked_fill(x, m, 0.5)', ({ x, m }) => torch.maskedFill(x, m, 0.5), { grad: true });
    ref.it('maskedFill a 0-dim tensor', { x: M, m: MASK_M, v: spec(3.25) }, 'x.masked_fill(m, v)', ({ x, m, v }) => x.maskedFill(m, v));
    ref.it(
      'maskedFill -inf (attention masks)',
      { x: M, m: MASK_5 },
      "x.masked_fill(m, float('-inf')).softmax(-1)",
      ({ x, m }) => x.maskedFill(m, -Infinity).softmax(-1),
      { grad: true },
    );
    ref.it('maskedFill_', { x: M, m: MASK_M }, 'x.masked_fill_(m, 1.0)', ({ x, m }) => x.maskedFill_(m, 1));
    ref.it('maskedFill with a float mask', { x: M }, 'x.masked_fill(x, 1.0)', ({ x }) => x.maskedFill(x, 1), { error: true });
    ref.it('maskedSelect', { x: M, m: MASK_M }, 'torch.masked_select(x, m)', ({ x, m }) => x.maskedSelect(m), { grad: true });
    ref.it(
      'take',
      {
        x: M,
        i: spec(
          [
            [0, 19],
            [7, -1],
          ],
          'int64',
        ),
      },
      'torch.take(x, i)',
      ({ x, i }) => x.take(i),
      { grad: true },
    );
    ref.it(
      'nonzero',
      {
        x: spec([
          [0, 1.5, 0],
          [2, 0, -1],
        ]),
      },
      'torch.nonzero(x)',
      ({ x }) => x.nonzero(),
    );
    ref.it('nonzero of bools', { m: MASK_M }, 'm.nonzero()', ({ m }) => torch.nonzero(m));
    ref.it('nonzero of all zeros', { x: spec([0, 0, 0]) }, 'x.nonzero()', ({ x }) => x.nonzero());
    ref.it('where of a mask', { m: MASK_M, a: M }, 'torch.where(m, a, -a)', ({ m, a }) => torch.where(m, a, a.neg()), { grad: true });
  });
});
