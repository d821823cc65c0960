/**
 * Autograd against PyTorch: backward with and without a gradient, retainGraph,
 * createGraph, accumulation, grads of composite expressions, noGrad/enableGrad,
 * requiresGrad_ rules, autocast, and the errors libtorch raises.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { Data, errorOf, refBatch, spec } from './helpers/python.js';

const D = new Data(100);
const X = spec(D.uniform([3, 4]), 'float32', true);
const W = spec(D.uniform([4, 5]), 'float32', true);
const BIAS = spec(D.uniform([5]), 'float32', true);
const V = spec(D.uniform([4]), 'float32', true);
const G = spec(D.uniform([3, 4]));
const grads = (...ts: Tensor[]) => ts.map((t) => t.grad);

describe('10 core: autograd', () => {
  const ref = refBatch();

  describe('backward', () => {
    ref.it(
      'backward of a scalar',
      { x: X },
      '(x ** 2).sum().backward()\nout = x.grad',
      ({ x }) => {
        x.pow(2).sum().backward();
        return x.grad;
      },
      { stmt: true },
    );
    ref.it(
      'backward with a gradient',
      { x: X, g: G },
      'y = x.sin() * 3\ny.backward(g)\nout = x.grad',
      ({ x, g }) => {
        x.sin().mul(3).backward(g);
        return x.grad;
      },
      { stmt: true },
    );
    ref.it('backward of a non-scalar needs a gradient', { x: X }, '(x * 2).backward()', ({ x }) => x.mul(2).backward(), { stmt: true, error: true });
    ref.it(
      'gradients accumulate over backward calls',
      { x: X },
      '(x * 2).sum().backward()\n(x * x).sum().backward()\nout = x.grad',
      ({ x }) => {
        x.mul(2).sum().backward();
        x.mul(x).sum().backward();
        return x.grad;
      },
      { stmt: true },
    );
    ref.it(
      'a second backward through a freed graph fails',
      { x: X },
      'y = x.exp().sum()\ny.backward()\ny.backward()',
      ({ x }) => {
        const y = x.exp().sum();
        y.backward();
        y.backward();
      },
      { stmt: true, error: true },
    );
    ref.it(
      'retainGraph allows a second backward',
      { x: X },
      'y = x.exp().sum()\ny.backward(retain_graph=True)\ny.backward()\nout = x.grad',
      ({ x }) => {
        const y = x.exp().sum();
        y.backward(null, { retainGraph: true });
        y.backward();
        return x.grad;
      },
      { stmt: true },
    );
    ref.it(
      'createGraph gives second derivatives',
      { x: X },
      'y = (x ** 3).sum()\ny.backward(create_graph=True)\ng = x.grad\nx.grad = None\ng.sum().backward()\nout = (g, x.grad)',
      ({ x }) => {
        x.pow(3).sum().backward(null, { createGraph: true });
        const g = x.grad as Tensor;
        expect(g.requiresGrad).to.equal(true);
        x.grad = null;
        g.sum().backward();
        return [g, x.grad];
      },
      { stmt: true },
    );
    ref.it('backward of a tensor that does not require grad', { x: spec([1, 2]) }, 'x.sum().backward()', ({ x }) => x.sum().backward(), {
      stmt: true,
      error: true,
    });
    it("a gradient of the wrong shape throws the engine's message", () => {
      torch.tidy(() => {
        const x = torch.ones([3, 4], { requiresGrad: true });
        // (Python checks this in Python first, with its own wording)
        expect(() => x.mul(2).backward(torch.ones(2))).to.throw(
          torch.TorchError,
          /^invalid gradient at index 0 - got \[2\] but expected shape compatible with \[3, 4\]$/,
        );
      });
    });
    ref.it(
      "an in-place change of a saved tensor throws libtorch's message",
      { x: X },
      'y = x.exp()\nz = y.sum() + (y * y).sum()\ny.mul_(torch.ones(4))\nz.backward()',
      ({ x }) => {
        const y = x.exp();
        const z = y.sum().add(y.mul(y).sum());
        y.mul_(torch.ones(4));
        z.backward();
      },
      { stmt: true, error: true, message: (m) => m.replace('[torch.FloatTensor ', '[CPUFloatType ') },
    );
    ref.it(
      'retainGrad keeps a non-leaf gradient',
      { x: X },
      'y = x * 2\ny.retain_grad()\n(y ** 2).sum().backward()\nout = (y.grad, x.grad)',
      ({ x }) => {
        const y = x.mul(2);
        y.retainGrad();
        y.pow(2).sum().backward();
        return [y.grad, x.grad];
      },
      { stmt: true },
    );
    ref.it(
      'grad can be set and cleared',
      { x: X },
      'x.grad = torch.ones(3, 4)\n(x * 3).sum().backward()\nout = x.grad',
      ({ x }) => {
        x.grad = torch.ones(3, 4);
        x.mul(3).sum().backward();
        return x.grad;
      },
      { stmt: true },
    );
  });

  describe('gradients of composite expressions', () => {
    ref.it(
      'a small MLP with a loss',
      { x: X, w: W, b: BIAS },
      'h = torch.tanh(x @ w + b)\np = h.log_softmax(-1)\nout = -(p[:, 0]).mean() + (h ** 2).mean()\nout.backward()\nout = (out, x.grad, w.grad, b.grad)',
      ({ x, w, b }) => {
        const h = x.matmul(w).add(b).tanh();
        const p = h.logSoftmax(-1);
        const loss = p.index(':', 0).mean().neg().add(h.pow(2).mean());
        loss.backward();
        return [loss, ...grads(x, w, b)];
      },
      { stmt: true },
    );
    ref.it(
      'attention-like scores',
      { x: X, v: V },
      's = (x * v).sum(-1, keepdim=True) / 2\na = torch.softmax(x * s, -1)\nout = (a * x).sum()\nout.backward()\nout = (out, x.grad, v.grad)',
      ({ x, v }) => {
        const s = x.mul(v).sum(-1, true).div(2);
        const a = x.mul(s).softmax(-1);
        const o = a.mul(x).sum();
        o.backward();
        return [o, ...grads(x, v)];
      },
      { stmt: true },
    );
    ref.it('shared inputs and reuse', { x: X }, 'x * x.sigmoid() + x.exp() * x.clamp(-1, 1)', ({ x }) => x.mul(x.sigmoid()).add(x.exp().mul(x.clamp(-1, 1))), {
      grad: true,
    });
    ref.it(
      'through views, cat and stack',
      { x: X },
      'torch.stack([x[0], x[1:].sum(0)]).t().reshape(-1).cumsum(0)',
      ({ x }) =>
        torch
          .stack([x.index(0), x.index('1:').sum(0)])
          .t()
          .reshape(-1)
          .cumsum(0),
      { grad: true },
    );
    ref.it(
      'float64 gradients',
      { x: spec(D.uniform([2, 3]), 'float64', true) },
      '(x.exp() / x.exp().sum(1, keepdim=True)).log()',
      ({ x }) => x.exp().div(x.exp().sum(1, true)).log(),
      { grad: true },
    );
    ref.it(
      'gradFn names',
      { x: X, w: W },
      'one = torch.ones(1)\nout = [type(t.grad_fn).__name__ for t in (x + one, x * one, x @ w, x.sum(), x[0], x.view(-1), x.t(), torch.cat([x, x]), x.softmax(0), x.exp())]',
      ({ x, w }) =>
        [x.add(torch.ones(1)), x.mul(torch.ones(1)), x.matmul(w), x.sum(), x.index(0), x.view(-1), x.t(), torch.cat([x, x]), x.softmax(0), x.exp()]
          .map((t) => ({
            toString: () => t.gradFn,
          }))
          .map(String),
      { stmt: true },
    );
  });

  describe('grad mode', () => {
    it('noGrad turns tracking off inside and restores it', () => {
      torch.tidy(() => {
        const x = torch.ones([2], { requiresGrad: true });
        expect(torch.isGradEnabled()).to.equal(true);
        const y = torch.noGrad(() => {
          expect(torch.isGradEnabled()).to.equal(false);
          return x.mul(2);
        });
        expect(y.requiresGrad).to.equal(false);
        expect(y.gradFn).to.equal(null);
        expect(torch.isGradEnabled()).to.equal(true);
        const z = torch.noGrad(() => torch.enableGrad(() => x.mul(x)));
        expect(z.requiresGrad).to.equal(true);
        expect(z.gradFn).to.equal('MulBackward0');
      });
    });

    it('noGrad restores the mode when the function throws', () => {
      expect(() =>
        torch.noGrad(() => {
          throw new Error('boom');
        }),
      ).to.throw('boom');
      expect(torch.isGradEnabled()).to.equal(true);
    });

    it('noGrad rejects async functions', () => {
      expect(() => torch.noGrad((async () => 1) as never)).to.throw(TypeError, 'noGrad/enableGrad take a synchronous function');
      expect(torch.isGradEnabled()).to.equal(true);
    });

    it('setGradEnabled switches globally', () => {
      torch.tidy(() => {
        const x = torch.ones([2], { requiresGrad: true });
        torch.setGradEnabled(false);
        try {
          expect(x.add(1).requiresGrad).to.equal(false);
        } finally {
          torch.setGradEnabled(true);
        }
        expect(x.add(1).requiresGrad).to.equal(true);
      });
    });

    it('in-place ops on leaves are allowed under noGrad (optimizer updates)', () => {
      torch.tidy(() => {
        const p = torch.ones([3], { requiresGrad: true });
        p.mul(3).sum().backward();
        torch.noGrad(() => p.sub_((p.grad as Tensor).mul(0.5)));
        expect(p.tolist()).to.deep.equal([-0.5, -0.5, -0.5]);
        expect(p.isLeaf).to.equal(true);
        expect(p.requiresGrad).to.equal(true);
      });
    });
  });

  describe('requiresGrad rules', () => {
    ref.it('requiresGrad_(false) on a non-leaf', { x: X }, '(x * 2).requires_grad_(False)', ({ x }) => x.mul(2).requiresGrad_(false), { error: true });
    ref.it(
      'results require grad when any input does',
      { x: X, y: spec(D.uniform([3, 4])) },
      'out = [t.requires_grad for t in (x + y, y * 2, y.detach() + x, x.detach(), (x > 0).float())]',
      ({ x, y }) => [x.add(y), y.mul(2), y.detach().add(x), x.detach(), x.gt(0).float()].map((t) => t.requiresGrad),
      { stmt: true },
    );
    ref.it(
      'isLeaf',
      { x: X },
      'out = [t.is_leaf for t in (x, x * 2, x.detach(), torch.zeros(2))]',
      ({ x }) => [x, x.mul(2), x.detach(), torch.zeros(2)].map((t) => t.isLeaf),
      { stmt: true },
    );

    it('requiresGrad_ sets and clears the flag on leaves; the setter works too', () => {
      torch.tidy(() => {
        const x = torch.zeros(2);
        expect(x.requiresGrad_()).to.equal(x);
        expect(x.requiresGrad).to.equal(true);
        x.requiresGrad_(false);
        expect(x.requiresGrad).to.equal(false);
        x.requiresGrad = true;
        expect(x.requiresGrad).to.equal(true);
        expect(x.grad).to.equal(null);
        // (Python's own check words it 'only Tensors of floating point dtype ...')
        expect(() => torch.tensor([1, 2]).requiresGrad_()).to.throw(
          torch.TorchError,
          /^Only Tensors of floating point and complex dtype can require gradients$/,
        );
        expect(() => x.requiresGrad_('yes' as never)).to.throw(TypeError, "Expected a boolean for requiresGrad but received 'yes' of type string");
      });
    });

    it('a non-leaf has no grad unless retained', () => {
      torch.tidy(() => {
        const x = torch.ones([2], { requiresGrad: true });
        const y = x.mul(2);
        y.sum().backward();
        expect(y.grad).to.equal(null);
        expect(x.grad).to.not.equal(null);
      });
    });

    it('grad reads share the gradient storage', () => {
      torch.tidy(() => {
        const x = torch.ones([2], { requiresGrad: true });
        x.mul(2).sum().backward();
        const g1 = x.grad as Tensor;
        const g2 = x.grad as Tensor;
        expect(g1).to.not.equal(g2);
        expect(g1.isSame(g2)).to.equal(true);
        g1.zero_();
        expect((x.grad as Tensor).tolist()).to.deep.equal([0, 0]);
      });
    });

    it('backward rejects unknown options and non-tensor gradients', () => {
      torch.tidy(() => {
        const x = torch.ones([2], { requiresGrad: true });
        expect(() => x.sum().backward(null, { retain: true } as never)).to.throw(
          TypeError,
          "Unknown option 'retain' for backward; expected one of: retainGraph, createGraph",
        );
        expect(() => x.mul(2).backward([1, 1] as never)).to.throw(TypeError, 'Expected Tensor for gradient but received an array of length 2');
        const e = errorOf(() => x.mul(2).backward());
        expect(e).to.be.instanceOf(torch.TorchError);
      });
    });
  });

  describe('autocast', () => {
    ref.it(
      'cpu autocast runs matmul in bfloat16',
      { a: spec(D.uniform([2, 3])), b: spec(D.uniform([3, 2])) },
      "with torch.autocast('cpu'):\n    y = a @ b\n    z = a + 1\nout = (y, z)",
      ({ a, b }) => torch.autocast('cpu', () => [a.matmul(b), a.add(1)]),
      { stmt: true },
    );
    ref.it(
      'cpu autocast with float64 inputs stays float64',
      { a: spec(D.uniform([2, 3]), 'float64'), b: spec(D.uniform([3, 2]), 'float64') },
      "with torch.autocast('cpu'):\n    out = a @ b",
      ({ a, b }) => torch.autocast('cpu', () => a.matmul(b)),
      { stmt: true },
    );
    ref.it(
      'disabled autocast changes nothing',
      { a: spec(D.uniform([2, 3])), b: spec(D.uniform([3, 2])) },
      "with torch.autocast('cpu', enabled=False):\n    out = a @ b",
      ({ a, b }) => torch.autocast('cpu', () => a.matmul(b), { enabled: false }),
      { stmt: true },
    );
    ref.it(
      'gradients flow back to float32 leaves',
      { a: spec(D.uniform([2, 3]), 'float32', true), b: spec(D.uniform([3, 2]), 'float32', true) },
      "with torch.autocast('cpu'):\n    y = a @ b\ny.float().sum().backward()\nout = (a.grad, b.grad)",
      ({ a, b }) => {
        torch
          .autocast('cpu', () => a.matmul(b))
          .float()
          .sum()
          .backward();
        return [a.grad, b.grad];
      },
      { stmt: true },
    );

    it('autocast ends with its function, also on a throw', () => {
      torch.tidy(() => {
        const a = torch.ones(2, 2);
        expect(() =>
          torch.autocast('cpu', () => {
            throw new Error('inside');
          }),
        ).to.throw('inside');
        expect(a.matmul(a).dtype).to.equal('float32');
      });
    });
  });
});
