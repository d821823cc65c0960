/**
 * Arithmetic and elementwise math against PyTorch: forward values, dtypes and
 * gradients, in-place forms, and libtorch's errors.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { Data, refBatch, spec } from './helpers/python.js';

const D = new Data(20);
const A = spec(D.uniform([3, 4]));
const B = spec(D.uniform([3, 4]));
const ROW = spec(D.uniform([4]));
const POS = spec(D.uniform([3, 4], 0.1, 3));
const UNIT = spec(D.uniform([3, 4], -0.9, 0.9));
const I = spec(D.ints([3, 4], -9, 10), 'int64');
const J = spec(D.ints([3, 4], 1, 5), 'int64');
const A64 = spec(D.uniform([2, 3]), 'float64');

describe('10 core: arithmetic and math', () => {
  const ref = refBatch();

  describe('binary ops with broadcasting and gradients', () => {
    ref.it('add', { a: A, b: B }, 'a + b', ({ a, b }) => a.add(b), { grad: true });
    ref.it('add broadcasts a row', { a: A, b: ROW }, 'a + b', ({ a, b }) => a.add(b), { grad: true });
    ref.it('add with alpha', { a: A, b: ROW }, 'torch.add(a, b, alpha=-2.5)', ({ a, b }) => torch.add(a, b, { alpha: -2.5 }), { grad: true });
    ref.it('add a scalar', { a: A }, 'a + 1.5', ({ a }) => a.add(1.5), { grad: true });
    ref.it('add int tensors', { a: I, b: J }, 'a + b', ({ a, b }) => a.add(b));
    ref.it('add int tensor and float scalar', { a: I }, 'a + 0.5', ({ a }) => a.add(0.5));
    ref.it('sub', { a: A, b: B }, 'a - b', ({ a, b }) => a.sub(b), { grad: true });
    ref.it('sub with alpha', { a: A, b: B }, 'torch.sub(a, b, alpha=3)', ({ a, b }) => torch.sub(a, b, { alpha: 3 }), { grad: true });
    ref.it('sub a scalar', { a: A }, 'a - 2', ({ a }) => a.sub(2), { grad: true });
    ref.it('mul', { a: A, b: B }, 'a * b', ({ a, b }) => a.mul(b), { grad: true });
    ref.it('mul broadcasts [3,1]*[4]', { a: spec(D.uniform([3, 1])), b: ROW }, 'a * b', ({ a, b }) => a.mul(b), { grad: true });
    ref.it('mul a scalar', { a: A }, 'a * -3', ({ a }) => a.mul(-3), { grad: true });
    ref.it('div', { a: A, b: POS }, 'a / b', ({ a, b }) => a.div(b), { grad: true });
    ref.it('div a scalar', { a: A }, 'a / 4', ({ a }) => a.div(4), { grad: true });
    ref.it('div ints is true division', { a: I, b: J }, 'a / b', ({ a, b }) => a.div(b));
    ref.it("div roundingMode 'floor'", { a: I, b: J }, "torch.div(a, b, rounding_mode='floor')", ({ a, b }) => a.div(b, { roundingMode: 'floor' }));
    ref.it("div roundingMode 'trunc'", { a: I, b: J }, "torch.div(a, b, rounding_mode='trunc')", ({ a, b }) => a.div(b, { roundingMode: 'trunc' }));
    ref.it("div a scalar, roundingMode 'floor'", { a: A }, "torch.div(a, 0.7, rounding_mode='floor')", ({ a }) => a.div(0.7, { roundingMode: 'floor' }));
    ref.it('div by zero gives inf and nan', { a: spec([1, -1, 0]), b: spec([0, 0, 0]) }, 'a / b', ({ a, b }) => a.div(b));
    ref.it('pow a scalar exponent', { a: A }, 'a ** 3', ({ a }) => a.pow(3), { grad: true });
    ref.it('pow a fractional exponent', { a: POS }, 'a ** 0.5', ({ a }) => a.pow(0.5), { grad: true });
    ref.it('pow a tensor exponent', { a: POS, b: B }, 'a ** b', ({ a, b }) => a.pow(b), { grad: true });
    ref.it('pow ints', { a: I }, 'a ** 2', ({ a }) => a.pow(2));
    ref.it('remainder (sign of divisor)', { a: A, b: spec(D.uniform([4], 0.5, 1.5)) }, 'torch.remainder(a, -b)', ({ a, b }) => a.remainder(b.neg()), {
      grad: true,
    });
    ref.it('remainder ints', { a: I }, 'torch.remainder(a, 4)', ({ a }) => a.remainder(4));
    ref.it('fmod (sign of dividend)', { a: A }, 'torch.fmod(a, -0.75)', ({ a }) => a.fmod(-0.75), { grad: true });
    ref.it('fmod ints', { a: I, b: J }, 'torch.fmod(a, b)', ({ a, b }) => a.fmod(b));
    ref.it('atan2', { a: A, b: B }, 'torch.atan2(a, b)', ({ a, b }) => torch.atan2(a, b), { grad: true });
    ref.it('maximum', { a: A, b: B }, 'torch.maximum(a, b)', ({ a, b }) => torch.maximum(a, b), { grad: true });
    ref.it('minimum', { a: A, b: B }, 'torch.minimum(a, b)', ({ a, b }) => a.minimum(b), { grad: true });
    ref.it('max(other) is maximum', { a: A, b: B }, 'torch.max(a, b)', ({ a, b }) => a.max(b), { grad: true });
    ref.it('min(other) is minimum', { a: A, b: B }, 'torch.min(a, b)', ({ a, b }) => a.min(b), { grad: true });
    ref.it('lerp with a scalar weight', { a: A, b: B }, 'torch.lerp(a, b, 0.3)', ({ a, b }) => a.lerp(b, 0.3), { grad: true });
    ref.it('lerp with a tensor weight', { a: A, b: B, w: spec(D.uniform([4], 0, 1)) }, 'torch.lerp(a, b, w)', ({ a, b, w }) => torch.lerp(a, b, w), {
      grad: true,
    });
    ref.it('addcmul', { a: A, b: B, c: ROW }, 'torch.addcmul(a, b, c, value=0.5)', ({ a, b, c }) => a.addcmul(b, c, { value: 0.5 }), { grad: true });
    ref.it('addcdiv', { a: A, b: B, c: POS }, 'torch.addcdiv(a, b, c, value=-2)', ({ a, b, c }) => torch.addcdiv(a, b, c, { value: -2 }), { grad: true });
    ref.it('float64 stays float64', { a: A64, b: A64 }, 'a * b + a', ({ a, b }) => a.mul(b).add(a), { grad: true });
  });

  describe('unary math with gradients', () => {
    const un: [string, string, typeof A][] = [
      ['neg', 'torch.neg(x)', A],
      ['abs', 'torch.abs(x)', A],
      ['sqrt', 'torch.sqrt(x)', POS],
      ['rsqrt', 'torch.rsqrt(x)', POS],
      ['square', 'torch.square(x)', A],
      ['exp', 'torch.exp(x)', A],
      ['expm1', 'torch.expm1(x)', A],
      ['log', 'torch.log(x)', POS],
      ['log2', 'torch.log2(x)', POS],
      ['log10', 'torch.log10(x)', POS],
      ['log1p', 'torch.log1p(x)', POS],
      ['sin', 'torch.sin(x)', A],
      ['cos', 'torch.cos(x)', A],
      ['tan', 'torch.tan(x)', UNIT],
      ['tanh', 'torch.tanh(x)', A],
      ['sigmoid', 'torch.sigmoid(x)', A],
      ['relu', 'torch.relu(x)', A],
      ['erf', 'torch.erf(x)', A],
      ['floor', 'torch.floor(x)', A],
      ['ceil', 'torch.ceil(x)', A],
      ['trunc', 'torch.trunc(x)', A],
      ['sign', 'torch.sign(x)', A],
      ['reciprocal', 'torch.reciprocal(x)', POS],
    ];
    for (const [name, py, input] of un) {
      ref.it(name, { x: input }, py, ({ x }) => (x as unknown as Record<string, () => torch.Tensor>)[name](), { grad: true });
      ref.it(`torch.${name} on float64`, { x: { ...input, dtype: 'float64' } }, py, ({ x }) =>
        (torch as unknown as Record<string, (t: torch.Tensor) => torch.Tensor>)[name](x),
      );
    }
    ref.it('sqrt of negatives is NaN', { x: spec([-1, 4, 0]) }, 'torch.sqrt(x)', ({ x }) => x.sqrt());
    ref.it('log of zero is -inf', { x: spec([0, 1]) }, 'torch.log(x)', ({ x }) => x.log());
    ref.it('abs of ints', { x: I }, 'torch.abs(x)', ({ x }) => x.abs());
    ref.it('neg of ints', { x: I }, '-x', ({ x }) => x.neg());
    ref.it('sqrt of ints promotes to float32', { x: J }, 'torch.sqrt(x)', ({ x }) => x.sqrt());
    ref.it('exp of bool promotes to float32', { x: spec([true, false], 'bool') }, 'torch.exp(x)', ({ x }) => x.exp());
    ref.it('round is half to even', { x: spec([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999]) }, 'torch.round(x)', ({ x }) => x.round());
    ref.it('round with decimals', { x: spec([1.2345, -2.5551, 0.0049]) }, 'torch.round(x, decimals=2)', ({ x }) => torch.round(x, { decimals: 2 }));
    ref.it('round grad is zero', { x: A }, 'torch.round(x)', ({ x }) => x.round(), { grad: true });
    ref.it('clamp both bounds', { x: A }, 'torch.clamp(x, -0.5, 0.7)', ({ x }) => x.clamp(-0.5, 0.7), { grad: true });
    ref.it('clamp min only', { x: A }, 'torch.clamp(x, min=0)', ({ x }) => x.clamp(0), { grad: true });
    ref.it('clamp max only', { x: A }, 'torch.clamp(x, max=0.25)', ({ x }) => x.clamp(null, 0.25), { grad: true });
    ref.it(
      'clamp with tensor bounds',
      { x: A, lo: spec(D.uniform([4], -1, 0)), hi: spec(D.uniform([4], 0, 1)) },
      'torch.clamp(x, lo, hi)',
      ({ x, lo, hi }) => x.clamp(lo, hi),
      { grad: true },
    );
    ref.it('clamp ints', { x: I }, 'torch.clamp(x, -3, 3)', ({ x }) => x.clamp(-3, 3));
    ref.it('clamp with neither bound', { x: A }, 'torch.clamp(x)', ({ x }) => x.clamp(), { error: true });
    ref.it('clampMin', { x: A }, 'torch.clamp_min(x, 0.1)', ({ x }) => x.clampMin(0.1), { grad: true });
    ref.it('clampMax', { x: A }, 'torch.clamp_max(x, 0.1)', ({ x }) => torch.clampMax(x, 0.1), { grad: true });
    ref.it('nanToNum defaults', { x: spec([NaN, Infinity, -Infinity, 1.5]) }, 'torch.nan_to_num(x)', ({ x }) => x.nanToNum());
    ref.it('nanToNum with values', { x: spec([NaN, Infinity, -Infinity, 1.5]) }, 'torch.nan_to_num(x, 0.5, 100.0, -100.0)', ({ x }) =>
      x.nanToNum(0.5, 100, -100),
    );
  });

  describe('in-place forms', () => {
    ref.it('add_ with alpha', { x: A, y: B }, 'x.add_(y, alpha=2)', ({ x, y }) => x.add_(y, { alpha: 2 }));
    ref.it('sub_ a scalar', { x: A }, 'x.sub_(1)', ({ x }) => x.sub_(1));
    ref.it('mul_ broadcasting', { x: A, y: ROW }, 'x.mul_(y)', ({ x, y }) => x.mul_(y));
    ref.it('div_', { x: A, y: POS }, 'x.div_(y)', ({ x, y }) => x.div_(y));
    ref.it('div_ with roundingMode', { x: A }, "x.div_(0.3, rounding_mode='trunc')", ({ x }) => x.div_(0.3, { roundingMode: 'trunc' }));
    ref.it('pow_', { x: POS }, 'x.pow_(1.5)', ({ x }) => x.pow_(1.5));
    ref.it('pow_ a tensor exponent', { x: POS, y: B }, 'x.pow_(y)', ({ x, y }) => x.pow_(y));
    ref.it('remainder_ and fmod_', { x: A }, 'x.remainder_(0.7).fmod_(0.3)', ({ x }) => x.remainder_(0.7).fmod_(0.3));
    ref.it('neg_ abs_ sqrt_', { x: A }, 'x.neg_().abs_().sqrt_()', ({ x }) => x.neg_().abs_().sqrt_());
    ref.it('exp_ log_', { x: A }, 'x.exp_().log_()', ({ x }) => x.exp_().log_());
    ref.it('sigmoid_ tanh_ relu_', { x: A }, 'x.sigmoid_().tanh_().relu_()', ({ x }) => x.sigmoid_().tanh_().relu_());
    ref.it('clamp_', { x: A }, 'x.clamp_(-1, 1)', ({ x }) => x.clamp_(-1, 1));
    ref.it('clampMin_ clampMax_', { x: A }, 'x.clamp_min_(-1).clamp_max_(1)', ({ x }) => x.clampMin_(-1).clampMax_(1));
    ref.it('round_ with decimals', { x: A }, 'x.round_(decimals=1)', ({ x }) => x.round_({ decimals: 1 }));
    ref.it('lerp_', { x: A, y: B }, 'x.lerp_(y, 0.25)', ({ x, y }) => x.lerp_(y, 0.25));
    ref.it('addcmul_ and addcdiv_', { x: A, y: B, z: POS }, 'x.addcmul_(y, z, value=2).addcdiv_(y, z)', ({ x, y, z }) =>
      x.addcmul_(y, z, { value: 2 }).addcdiv_(y, z),
    );
    ref.it('nanToNum_', { x: spec([NaN, 1, Infinity]) }, 'x.nan_to_num_(0.0, 9.0)', ({ x }) => x.nanToNum_(0, 9));
    ref.it('fill_ and zero_', { x: A }, 'x.fill_(3)', ({ x }) => x.zero_().fill_(3));
    ref.it('copy_ broadcasts', { x: A, y: ROW }, 'x.copy_(y)', ({ x, y }) => x.copy_(y));
    ref.it('add_ of float into int cannot cast', { x: I }, 'x.add_(1.5)', ({ x }) => x.add_(1.5), { error: true });
    ref.it('mul_ cannot broadcast self', { x: ROW, y: A }, 'x.mul_(y)', ({ x, y }) => x.mul_(y), { error: true });
    ref.it('in-place on a leaf requiring grad', { x: spec([1, 2], 'float32', true) }, 'x.add_(1)', ({ x }) => x.add_(1), { error: true });

    it('in-place methods return the same Tensor object', () => {
      torch.tidy(() => {
        const x = torch.ones(3);
        expect(x.add_(1)).to.equal(x);
        expect(x.mul_(2).sub_(1)).to.equal(x);
        expect(x.tolist()).to.deep.equal([3, 3, 3]);
      });
    });
  });

  describe('errors from libtorch', () => {
    ref.it('shapes that do not broadcast', { a: A, b: spec([1, 2, 3]) }, 'a + b', ({ a, b }) => a.add(b), { error: true });
    ref.it('mul of shapes that do not broadcast', { a: spec(D.uniform([2, 3])), b: spec(D.uniform([3, 2])) }, 'a * b', ({ a, b }) => a.mul(b), { error: true });
    ref.it(
      'integer division by zero',
      {
        a: I,
        b: spec(
          [
            [0, 1, 1, 1],
            [1, 1, 1, 1],
            [1, 1, 1, 1],
          ],
          'int64',
        ),
      },
      "torch.div(a, b, rounding_mode='floor')",
      ({ a, b }) => a.div(b, { roundingMode: 'floor' }),
      { error: true },
    );
    ref.it('an unknown roundingMode', { a: A }, "torch.div(a, 2, rounding_mode='up')", ({ a }) => a.div(2, { roundingMode: 'up' }), { error: true });
    ref.it('sub of bools', { a: spec([true], 'bool'), b: spec([false], 'bool') }, 'a - b', ({ a, b }) => a.sub(b), { error: true });
    ref.it('integer to a negative power', { a: I }, 'a ** -1', ({ a }) => a.pow(-1), { error: true });
  });
});
