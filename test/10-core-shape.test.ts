/**
 * Shape ops against PyTorch: values, strides and views, gradients, errors.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { Data, refBatch, spec } from './helpers/python.js';

const D = new Data(60);
const X = spec(D.uniform([2, 3, 4]));
const M = spec(D.uniform([3, 4]));
const V = spec(D.uniform([6]));
const S = spec(D.uniform([3, 3]));
const ONE = spec(D.uniform([2, 1, 3, 1]));

/** Python and TS describing layout the same way: [stride, storage offset, is_contiguous]. */
const LAYOUT = (e: string) => `(lambda t: (list(t.stride()), t.storage_offset(), t.is_contiguous(), list(t.shape)))(${e})`;
const layout = (t: torch.Tensor) => [t.stride(), t.storageOffset(), t.isContiguous(), t.shape];

describe('10 core: shape ops', () => {
  const ref = refBatch();

  describe('views and reshapes', () => {
    ref.it('view with -1', { x: X }, 'x.view(4, -1)', ({ x }) => x.view(4, -1), { grad: true });
    ref.it('view from an array', { x: X }, 'x.view([6, 4])', ({ x }) => x.view([6, 4]), { grad: true });
    ref.it('torch.view', { x: X }, 'x.view(24)', ({ x }) => torch.view(x, 24));
    ref.it('view of a non-contiguous tensor fails', { x: X }, 'x.transpose(0, 2).view(24)', ({ x }) => x.transpose(0, 2).view(24), { error: true });
    ref.it('view to a wrong size fails', { x: X }, 'x.view(5, 5)', ({ x }) => x.view(5, 5), { error: true });
    ref.it('view with two -1 fails', { x: X }, 'x.view(-1, -1)', ({ x }) => x.view(-1, -1), { error: true });
    ref.it('reshape a non-contiguous tensor copies', { x: X }, 'x.transpose(0, 2).reshape(-1)', ({ x }) => x.transpose(0, 2).reshape(-1), { grad: true });
    ref.it('reshape to 0-dim', { x: spec([3.5]) }, 'x.reshape([])', ({ x }) => x.reshape([]));
    ref.it('torch.reshape', { x: X }, 'torch.reshape(x, (3, 8))', ({ x }) => torch.reshape(x, [3, 8]), { grad: true });
    ref.it('flatten', { x: X }, 'x.flatten()', ({ x }) => x.flatten(), { grad: true });
    ref.it('flatten a dim range', { x: X }, 'x.flatten(1)', ({ x }) => x.flatten(1));
    ref.it('flatten with negative dims', { x: spec(D.uniform([2, 2, 2, 2])) }, 'torch.flatten(x, -3, -2)', ({ x }) => torch.flatten(x, -3, -2));
    ref.it('unflatten', { x: M }, 'x.unflatten(1, (2, 2))', ({ x }) => x.unflatten(1, [2, 2]), { grad: true });
    ref.it('unflatten with -1', { x: V }, 'x.unflatten(0, (-1, 3))', ({ x }) => torch.unflatten(x, 0, [-1, 3]));
    ref.it('view layout', { x: X }, LAYOUT('x.view(4, 6)'), ({ x }) => layout(x.view(4, 6)));
  });

  describe('transposes and permutations', () => {
    ref.it('permute', { x: X }, 'x.permute(2, 0, 1)', ({ x }) => x.permute(2, 0, 1), { grad: true });
    ref.it('permute with an array and negative dims', { x: X }, 'x.permute([-1, -3, -2])', ({ x }) => x.permute([-1, -3, -2]));
    ref.it('permute layout', { x: X }, LAYOUT('x.permute(2, 0, 1)'), ({ x }) => layout(x.permute(2, 0, 1)));
    ref.it('permute with a repeated dim fails', { x: X }, 'x.permute(0, 0, 1)', ({ x }) => x.permute(0, 0, 1), { error: true });
    ref.it('transpose', { x: X }, 'x.transpose(0, 2)', ({ x }) => x.transpose(0, 2), { grad: true });
    ref.it('transpose layout', { x: X }, LAYOUT('x.transpose(1, 2)'), ({ x }) => layout(torch.transpose(x, 1, 2)));
    ref.it('transpose_ in place', { x: X }, LAYOUT('x.transpose_(0, 1)'), ({ x }) => layout(x.transpose_(0, 1)));
    ref.it('swapaxes', { x: X }, 'torch.swapaxes(x, 0, -1)', ({ x }) => torch.swapaxes(x, 0, -1));
    ref.it('t', { x: M }, 'x.t()', ({ x }) => x.t(), { grad: true });
    ref.it('t of a vector', { x: V }, 'x.t()', ({ x }) => torch.t(x));
    ref.it('t of 3-D fails', { x: X }, 'x.t()', ({ x }) => x.t(), { error: true });
    ref.it('t_ in place', { x: M }, LAYOUT('x.t_()'), ({ x }) => layout(x.t_()));
    ref.it('movedim', { x: X }, 'torch.movedim(x, 0, -1)', ({ x }) => x.movedim(0, -1), { grad: true });
    ref.it('movedim of several dims', { x: X }, 'torch.movedim(x, (0, 1), (2, 0))', ({ x }) => torch.movedim(x, [0, 1], [2, 0]));
    ref.it('contiguous of a transposed view', { x: X }, LAYOUT('x.transpose(0, 2).contiguous()'), ({ x }) => layout(x.transpose(0, 2).contiguous()));
  });

  describe('adding and removing dims, broadcasting', () => {
    ref.it('unsqueeze', { x: M }, 'x.unsqueeze(1)', ({ x }) => x.unsqueeze(1), { grad: true });
    ref.it('unsqueeze at -1', { x: M }, 'torch.unsqueeze(x, -1)', ({ x }) => torch.unsqueeze(x, -1));
    ref.it('unsqueeze_', { x: M }, 'x.unsqueeze_(0)', ({ x }) => x.unsqueeze_(0));
    ref.it('unsqueeze out of range', { x: M }, 'x.unsqueeze(3)', ({ x }) => x.unsqueeze(3), { error: true });
    ref.it('squeeze all', { x: ONE }, 'x.squeeze()', ({ x }) => x.squeeze(), { grad: true });
    ref.it('squeeze one dim', { x: ONE }, 'x.squeeze(1)', ({ x }) => x.squeeze(1), { grad: true });
    ref.it('squeeze a dim that is not 1 keeps it', { x: ONE }, 'torch.squeeze(x, 0)', ({ x }) => torch.squeeze(x, 0));
    ref.it('squeeze_', { x: ONE }, 'x.squeeze_(-1)', ({ x }) => x.squeeze_(-1));
    ref.it('expand', { x: spec(D.uniform([3, 1])) }, 'x.expand(2, 3, 4)', ({ x }) => x.expand(2, 3, 4), { grad: true });
    ref.it('expand with -1', { x: spec(D.uniform([3, 1])) }, 'x.expand(-1, 5)', ({ x }) => x.expand([-1, 5]), { grad: true });
    ref.it('expand layout has zero strides', { x: spec(D.uniform([3, 1])) }, LAYOUT('x.expand(2, 3, 4)'), ({ x }) => layout(x.expand(2, 3, 4)));
    ref.it('expand of a non-singleton dim fails', { x: M }, 'x.expand(3, 5)', ({ x }) => x.expand(3, 5), { error: true });
    ref.it('expandAs', { x: spec(D.uniform([4])), y: M }, 'x.expand_as(y)', ({ x, y }) => x.expandAs(y), { grad: true });
    ref.it('broadcastTo', { x: spec(D.uniform([1, 4])) }, 'torch.broadcast_to(x, (2, 3, 4))', ({ x }) => torch.broadcastTo(x, [2, 3, 4]), { grad: true });
    ref.it('repeat', { x: M }, 'x.repeat(2, 1, 3)', ({ x }) => x.repeat(2, 1, 3), { grad: true });
    ref.it('repeat with fewer dims than self fails', { x: X }, 'x.repeat(2, 2)', ({ x }) => x.repeat(2, 2), { error: true });
  });

  describe('slicing into views', () => {
    ref.it('narrow', { x: M }, 'x.narrow(1, 1, 2)', ({ x }) => x.narrow(1, 1, 2), { grad: true });
    ref.it('narrow layout', { x: M }, LAYOUT('x.narrow(1, 1, 2)'), ({ x }) => layout(torch.narrow(x, 1, 1, 2)));
    ref.it('narrow past the end fails', { x: M }, 'x.narrow(1, 3, 2)', ({ x }) => x.narrow(1, 3, 2), { error: true });
    ref.it('select', { x: X }, 'x.select(1, -1)', ({ x }) => x.select(1, -1), { grad: true });
    ref.it('select out of range', { x: X }, 'x.select(1, 3)', ({ x }) => torch.select(x, 1, 3), { error: true });
    ref.it('slice with a step', { x: M }, 'x[:, 0:4:2]', ({ x }) => x.slice(1, 0, 4, 2), { grad: true });
    ref.it('slice layout', { x: M }, LAYOUT('x[1:, 1::2]'), ({ x }) => layout(x.slice(0, 1).slice(1, 1, null, 2)));
    ref.it('asStrided', { x: V }, 'torch.as_strided(x, (2, 2), (1, 2), 1)', ({ x }) => x.asStrided([2, 2], [1, 2], 1), { grad: true });
    ref.it('diag of a matrix', { x: S }, 'torch.diag(x)', ({ x }) => x.diag(), { grad: true });
    ref.it('diag above the main diagonal', { x: S }, 'torch.diag(x, 1)', ({ x }) => torch.diag(x, 1), { grad: true });
    ref.it('diag of a vector', { x: spec(D.uniform([3])) }, 'torch.diag(x, -1)', ({ x }) => x.diag(-1), { grad: true });
    ref.it('tril', { x: S }, 'torch.tril(x)', ({ x }) => x.tril(), { grad: true });
    ref.it('triu with an offset', { x: M }, 'torch.triu(x, 1)', ({ x }) => torch.triu(x, 1), { grad: true });
    ref.it('tril_ and triu_', { x: M }, 'x.tril_(1).triu_(-1)', ({ x }) => x.tril_(1).triu_(-1));

    it('views share storage with their base', () => {
      torch.tidy(() => {
        const base = torch.zeros(3, 4);
        const row = base.select(0, 1);
        row.fill_(5);
        const col = base.narrow(1, 2, 1);
        col.add_(1);
        base.t().select(0, 0).fill_(-1);
        expect(base.tolist()).to.deep.equal([
          [-1, 0, 1, 0],
          [-1, 5, 6, 5],
          [-1, 0, 1, 0],
        ]);
        expect(base.view(12).isContiguous()).to.equal(true);
        expect(base.t().isContiguous()).to.equal(false);
      });
    });
  });

  describe('splitting, joining, flipping', () => {
    ref.it('unbind', { x: M }, 'x.unbind(1)', ({ x }) => x.unbind(1));
    ref.it('unbind default dim', { x: M }, 'torch.unbind(x)', ({ x }) => torch.unbind(x));
    ref.it('split by size', { x: spec(D.uniform([5, 2])) }, 'x.split(2)', ({ x }) => x.split(2));
    ref.it('split by sizes along dim 1', { x: spec(D.uniform([2, 5])) }, 'x.split([1, 4], 1)', ({ x }) => x.split([1, 4], 1));
    ref.it('split sizes that do not add up fail', { x: spec(D.uniform([2, 5])) }, 'x.split([1, 3], 1)', ({ x }) => x.split([1, 3], 1), { error: true });
    ref.it('chunk', { x: spec(D.uniform([7])) }, 'x.chunk(3)', ({ x }) => x.chunk(3));
    ref.it('chunk along dim 1', { x: M }, 'torch.chunk(x, 2, 1)', ({ x }) => torch.chunk(x, 2, 1));
    ref.it(
      'split pieces carry gradients',
      { x: spec(D.uniform([4, 2])) },
      'torch.cat([p * (i + 1) for i, p in enumerate(x.split(1))])',
      ({ x }) => torch.cat(x.split(1).map((p, i) => p.mul(i + 1))),
      { grad: true },
    );
    ref.it('cat', { a: M, b: spec(D.uniform([2, 4])) }, 'torch.cat([a, b])', ({ a, b }) => torch.cat([a, b]), { grad: true });
    ref.it('cat along dim 1', { a: M, b: spec(D.uniform([3, 1])) }, 'torch.cat([a, b], 1)', ({ a, b }) => torch.cat([a, b], 1), { grad: true });
    ref.it('cat promotes dtypes', { a: spec([1, 2], 'int64'), b: spec([0.5]) }, 'torch.cat([a, b])', ({ a, b }) => torch.cat([a, b]));
    ref.it('concat', { a: M, b: M }, 'torch.concat([a, b], -1)', ({ a, b }) => torch.concat([a, b], -1));
    ref.it('cat of mismatched shapes fails', { a: M, b: spec(D.uniform([2, 3])) }, 'torch.cat([a, b])', ({ a, b }) => torch.cat([a, b]), { error: true });
    ref.it('cat of nothing fails', {}, 'torch.cat([])', () => torch.cat([]), { error: true });
    ref.it('stack', { a: M, b: M }, 'torch.stack([a, b])', ({ a, b }) => torch.stack([a, b]), { grad: true });
    ref.it('stack along the last dim', { a: M, b: M }, 'torch.stack([a, b], -1)', ({ a, b }) => torch.stack([a, b], -1), { grad: true });
    ref.it('stack of mismatched shapes fails', { a: M, b: spec(D.uniform([4, 3])) }, 'torch.stack([a, b])', ({ a, b }) => torch.stack([a, b]), { error: true });
    ref.it('flip', { x: X }, 'x.flip(0, 2)', ({ x }) => x.flip(0, 2), { grad: true });
    ref.it('flip from an array', { x: M }, 'torch.flip(x, [-1])', ({ x }) => torch.flip(x, [-1]));
    ref.it('roll', { x: M }, 'x.roll(1, 1)', ({ x }) => x.roll(1, 1), { grad: true });
    ref.it('roll flattened', { x: M }, 'torch.roll(x, -3)', ({ x }) => torch.roll(x, -3));
    ref.it('roll several dims', { x: M }, 'x.roll((1, -1), (0, 1))', ({ x }) => x.roll([1, -1], [0, 1]));
  });
});
