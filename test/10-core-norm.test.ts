/**
 * Tensor.norm with PyTorch 2.x's orders ('fro' by default, 'nuc', numbers)
 * and options, against Python's torch.norm.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { Data, refBatch, spec } from './helpers/python.js';

const D = new Data(33);
const X = spec(D.uniform([3, 4]));
const X3 = spec(D.uniform([2, 3, 4]));

describe('10 core: norm', () => {
  const ref = refBatch();

  ref.it("norm('fro')", { x: X }, "x.norm('fro')", ({ x }) => x.norm('fro'), { grad: true });
  ref.it("norm() is 'fro'", { x: X3 }, 'x.norm()', ({ x }) => x.norm(), { grad: true });
  ref.it("norm('fro') over one dim", { x: X3 }, "x.norm('fro', 1)", ({ x }) => x.norm('fro', 1), { grad: true });
  ref.it("norm('fro') over two dims with keepdim", { x: X3 }, "x.norm('fro', [0, 2], True)", ({ x }) => x.norm('fro', [0, 2], true), { grad: true });
  ref.it("norm('fro') over three dims", { x: X3 }, "x.norm('fro', [0, 1, 2])", ({ x }) => x.norm('fro', [0, 1, 2]), { error: true });
  ref.it("norm('nuc')", { x: X }, "x.norm('nuc')", ({ x }) => x.norm('nuc'), { grad: true, rtol: 1e-4 });
  ref.it("norm('nuc') over dims", { x: X3 }, "x.norm('nuc', [1, 2], True)", ({ x }) => x.norm('nuc', [1, 2], true), { rtol: 1e-4 });
  ref.it("norm('nuc') of a 3-D tensor without dims", { x: X3 }, "x.norm('nuc')", ({ x }) => x.norm('nuc'), { error: true });
  ref.it("norm('nuc') of a 1-D tensor", { x: spec([1, 2, 3]) }, "x.norm('nuc')", ({ x }) => x.norm('nuc'), { error: true });
  ref.it('norm(1, 1)', { x: X }, 'x.norm(1, 1)', ({ x }) => x.norm(1, 1), { grad: true });
  ref.it('norm(inf)', { x: X }, "x.norm(float('inf'))", ({ x }) => x.norm(Infinity));
  ref.it('norm(-inf, 0)', { x: X }, "x.norm(float('-inf'), 0)", ({ x }) => x.norm(-Infinity, 0));
  ref.it(
    'norm(0) counts nonzeros',
    {
      x: spec([
        [0, 1.5],
        [0, -2],
      ]),
    },
    'x.norm(0)',
    ({ x }) => x.norm(0),
  );
  ref.it('norm(null) is the 2-norm', { x: X }, 'x.norm(None)', ({ x }) => x.norm(null));
  ref.it('norm with a dtype', { x: X }, 'x.norm(2, dtype=torch.float64)', ({ x }) => x.norm(2, null, false, { dtype: 'float64' }));
  ref.it('norm of an int tensor', { x: spec([1, 2], 'int64') }, "x.norm('fro')", ({ x }) => x.norm('fro'), { error: true });
  ref.it("torch.norm(x, 'fro')", { x: X }, "torch.norm(x, 'fro', 0)", ({ x }) => torch.norm(x, 'fro' as never, 0), { grad: true });
  ref.it('torch.norm(x) of an empty tensor', { x: spec([[], []]) }, 'torch.norm(x)', ({ x }) => torch.norm(x));

  it('rejects arguments of the wrong kind', () => {
    torch.tidy(() => {
      const x = torch.ones(2, 2);
      expect(() => x.norm('abc' as never)).to.throw(TypeError, "norm: Expected a number, 'fro' or 'nuc' for p but received 'abc' of type string");
      expect(() => x.norm(2, 'a' as never)).to.throw(TypeError, "norm: Expected an integer or an array of integers for dim but received 'a' of type string");
      expect(() => x.norm(2, 0, 1 as never)).to.throw(TypeError, 'norm: Expected a boolean for keepdim but received 1 of type number');
      expect(() => x.norm(2, 0, false, { dtyp: 'float64' } as never)).to.throw(
        TypeError,
        "Unknown option 'dtyp' for norm; expected one of: input, p, dim, keepdim, dtype",
      );
    });
  });
});
