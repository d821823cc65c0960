/**
 * String(tensor) against Python's repr(tensor).
 */
import { expect } from 'chai';
import { inspect } from 'node:util';
import * as torch from '../lib/torch/index.js';
import { refBatch, spec } from './helpers/python.js';

describe('10 core: printing', () => {
  const ref = refBatch();
  const repr = (name: string, inputs: Parameters<typeof ref.it>[1], py: string, fn: Parameters<typeof ref.it>[3]) =>
    ref.it(name, inputs, `repr(${py})`, (x) => String(fn(x)));

  describe('String(tensor) equals repr()', () => {
    repr('int64 vector', { x: spec([1, -20, 300], 'int64') }, 'x', ({ x }) => x);
    repr(
      'int64 matrix',
      {
        x: spec(
          [
            [1, 2, 3],
            [40, 50, -60],
          ],
          'int64',
        ),
      },
      'x',
      ({ x }) => x,
    );
    repr('int64 0-dim', { x: spec(7, 'int64') }, 'x', ({ x }) => x);
    repr('int32 (dtype suffix)', { x: spec([1, 2], 'int32') }, 'x', ({ x }) => x);
    repr('uint8', { x: spec([0, 255], 'uint8') }, 'x', ({ x }) => x);
    repr('floats', { x: spec([1.5, 2.25, -3]) }, 'x', ({ x }) => x);
    repr('integral floats', { x: spec([1, 2, -3]) }, 'x', ({ x }) => x);
    repr(
      'float matrix',
      {
        x: spec([
          [1.5, -0.25],
          [3.125, 10],
        ]),
      },
      'x',
      ({ x }) => x,
    );
    repr(
      'float 3-D',
      {
        x: spec([
          [
            [1, 2],
            [3, 4],
          ],
          [
            [5, 6],
            [7, 8.5],
          ],
        ]),
      },
      'x',
      ({ x }) => x,
    );
    repr('float 0-dim', { x: spec(3.5) }, 'x', ({ x }) => x);
    repr('small values use scientific notation', { x: spec([1e-5, 1, 2.5]) }, 'x', ({ x }) => x);
    repr('large values use scientific notation', { x: spec([1e10, 1.5]) }, 'x', ({ x }) => x);
    repr('a wide range uses scientific notation', { x: spec([0.001, 12345.678]) }, 'x', ({ x }) => x);
    repr('values rounded to four decimals', { x: spec([0.123456, -9.87654]) }, 'x', ({ x }) => x);
    repr('nan and inf', { x: spec([NaN, Infinity, -Infinity, 1.5]) }, 'x', ({ x }) => x);
    repr('bool', { x: spec([true, false, true], 'bool') }, 'x', ({ x }) => x);
    repr('bool matrix', { x: spec([[true], [false]], 'bool') }, 'x', ({ x }) => x);
    repr('float64 dtype suffix', { x: spec([1.5, 2], 'float64') }, 'x', ({ x }) => x);
    repr(
      'float64 matrix',
      {
        x: spec(
          [
            [1, 2],
            [3, 4],
          ],
          'float64',
        ),
      },
      'x',
      ({ x }) => x,
    );
    repr('float16', { x: spec([0.5, 1.25]) }, 'x.half()', ({ x }) => x.half());
    repr('requires_grad', { x: spec([1, 2], 'float32', true) }, 'x', ({ x }) => x);
    repr('requires_grad float64', { x: spec([[1.5, 2]], 'float64', true) }, 'x', ({ x }) => x);
    repr('grad_fn', { x: spec([1, 2], 'float32', true), y: spec([3, 4]) }, 'x * y', ({ x, y }) => x.mul(y));
    repr('grad_fn of a sum', { x: spec([1, 2], 'float32', true) }, 'x.sum()', ({ x }) => x.sum());
    repr('empty', { x: spec([]) }, 'x', ({ x }) => x);
    repr('empty 2-D', {}, 'torch.zeros(2, 0)', () => torch.zeros(2, 0));
    repr('empty int64', {}, 'torch.zeros(0, dtype=torch.int64)', () => torch.zeros([0], { dtype: 'int64' }));
    repr('empty bool 2-D', {}, 'torch.zeros(0, 3, dtype=torch.bool)', () => torch.zeros([0, 3], { dtype: 'bool' }));
    repr('long float rows wrap at 80 columns', {}, 'torch.arange(20.) / 3', () => torch.arange(20).float().div(3));
    repr('long int rows wrap at 80 columns', {}, 'torch.arange(100, 140)', () => torch.arange(100, 140));
    repr('summarized long vector', {}, 'torch.arange(2000)', () => torch.arange(2000));
    repr('summarized float matrix', {}, 'torch.arange(1200.).reshape(40, 30) / 7', () => torch.arange(1200).float().reshape(40, 30).div(7));
    repr(
      'transposed view',
      {
        x: spec(
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          'int64',
        ),
      },
      'x.t()',
      ({ x }) => x.t(),
    );
  });

  it('util.inspect prints the same as String()', () => {
    torch.tidy(() => {
      const t = torch.tensor([
        [1, 2],
        [3, 4],
      ]);
      expect(inspect(t)).to.equal(String(t));
      expect(`${t}`).to.equal('tensor([[1, 2],\n        [3, 4]])');
    });
  });
});
