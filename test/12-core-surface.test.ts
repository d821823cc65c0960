/**
 * The calls issue 13 found missing, each against Python PyTorch 2.13: the
 * generated surface (Python's overloads, keyword arguments in the options
 * object, varargs) and the hand-written Python-level functions.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { refBatch, spec, Data, runTorch, hasPythonTorch } from './helpers/python.js';

const F = torch.nn.functional;
const d = new Data(13);
const X = spec(d.uniform([3, 4]));
const Y = spec(d.uniform([3, 4]));
const V = spec(d.uniform([4]));
const W = spec(d.uniform([2, 3]));
const X3 = spec(d.uniform([2, 3, 4]));
const I = spec(d.ints([3, 4], -5, 6), 'int64');
const DUP = spec([3, 1, 2, 3, 1, 1], 'int64');
const ROWS = spec(
  [
    [1, 2],
    [3, 4],
    [1, 2],
  ],
  'int64',
);
const MASK = spec(d.bools([3, 4]), 'bool');
const IMG = spec(d.uniform([2, 3, 5, 5]));
const KER = spec(d.uniform([4, 3, 3, 3]));
const BIAS = spec(d.uniform([4]));
const BN = spec(d.uniform([4, 3]));
const RM = spec(d.uniform([3]), 'float32', false);
const RV = spec(d.uniform([3], 0.5, 2), 'float32', false);
const PROB = spec(d.uniform([3, 4], 0.05, 0.95));
const TGT = spec(d.ints([3, 4], 0, 2), 'float32');

describe('12 core: the op surface (issue 13) against Python', () => {
  const ref = refBatch();

  describe('elementwise', () => {
    ref.it('clip', { x: X }, 'x.clip(-1, 0.5)', ({ x }) => x.clip(-1, 0.5), { grad: true });
    ref.it('torch.clip with min only', { x: X }, 'torch.clip(x, min=0)', ({ x }) => torch.clip(x, { min: 0 }));
    ref.it('clip with tensor bounds', { x: X, y: Y }, 'x.clip(y, y + 1)', ({ x, y }) => x.clip(y, y.add(1)));
    ref.it('floor_divide by a number', { x: X }, 'x.floor_divide(0.3)', ({ x }) => x.floorDivide(0.3));
    ref.it('floor_divide of ints', { i: I }, 'torch.floor_divide(i, 3)', ({ i }) => torch.floorDivide(i, 3));
    ref.it('logaddexp', { x: X, y: Y }, 'torch.logaddexp(x, y)', ({ x, y }) => torch.logaddexp(x, y), { grad: true });
    ref.it('asin', { x: X }, '(x / 3).asin()', ({ x }) => x.div(3).asin(), { grad: true });
    ref.it('torch.asin', { x: X }, 'torch.asin(x / 3)', ({ x }) => torch.asin(x.div(3)));
  });

  describe('shapes', () => {
    ref.it('newZeros from a list', { x: X }, 'x.new_zeros([2, 3])', ({ x }) => x.newZeros([2, 3]));
    ref.it('newZeros from varargs', { x: X }, 'x.new_zeros(2, 3)', ({ x }) => x.newZeros(2, 3));
    ref.it('newZeros with a dtype', { x: X }, 'x.new_zeros((2,), dtype=torch.int64)', ({ x }) => x.newZeros([2], { dtype: 'int64' }));
    ref.it('tile', { x: X }, 'x.tile((2, 1))', ({ x }) => x.tile([2, 1]), { grad: true });
    ref.it('tile from varargs', { x: X }, 'x.tile(1, 2, 2)', ({ x }) => x.tile(1, 2, 2));
    ref.it('hstack', { x: X, y: Y }, 'torch.hstack([x, y])', ({ x, y }) => torch.hstack([x, y]), { grad: true });
    ref.it('diagonal', { x: X }, 'x.diagonal()', ({ x }) => x.diagonal(), { grad: true });
    ref.it('diagonal with an offset by keyword', { x: X }, 'torch.diagonal(x, offset=-1)', ({ x }) => torch.diagonal(x, { offset: -1 }));
    ref.it('diagonal of 3-D', { x: X3 }, 'x.diagonal(0, 1, 2)', ({ x }) => x.diagonal(0, 1, 2));
    ref.it('trace', { x: X }, 'x.trace()', ({ x }) => x.trace(), { grad: true });
    ref.it('viewAs', { x: X, w: spec(d.uniform([6, 2])) }, 'x.view_as(w)', ({ x, w }) => x.viewAs(w));
    ref.it('T', { x: X }, 'x.T', ({ x }) => x.T, { grad: true });
    ref.it('mT of 3-D', { x: X3 }, 'x.mT', ({ x }) => x.mT);
    ref.it('meshgrid from varargs', { a: V, b: spec([1, 2, 3]) }, "torch.meshgrid(a, b, indexing='ij')", ({ a, b }) =>
      torch.meshgrid(a, b, { indexing: 'ij' }),
    );
    ref.it('meshgrid from a list', { a: V, b: spec([1, 2, 3]) }, "torch.meshgrid([a, b], indexing='xy')", ({ a, b }) =>
      torch.meshgrid([a, b], { indexing: 'xy' }),
    );
  });

  describe('reductions and their function forms', () => {
    ref.it('torch.max of all', { x: X }, 'torch.max(x)', ({ x }) => torch.max(x));
    ref.it('torch.max along a dim', { x: X }, 'torch.max(x, 1)', ({ x }) => torch.max(x, 1), { grad: true });
    ref.it('torch.max keepdim by keyword', { x: X }, 'torch.max(x, 0, keepdim=True)', ({ x }) => torch.max(x, 0, { keepdim: true }));
    ref.it('torch.max of two tensors', { x: X, y: Y }, 'torch.max(x, y)', ({ x, y }) => torch.max(x, y));
    ref.it('torch.min along a dim', { x: X }, 'torch.min(x, -1, True)', ({ x }) => torch.min(x, -1, true));
    ref.it('torch.min of two tensors', { x: X, y: Y }, 'torch.min(x, y)', ({ x, y }) => torch.min(x, y));
    ref.it('torch.median of all', { x: X }, 'torch.median(x)', ({ x }) => torch.median(x));
    ref.it('torch.median along a dim', { x: X }, 'torch.median(x, 0)', ({ x }) => torch.median(x, 0));
    ref.it('kthvalue', { x: X }, 'x.kthvalue(2)', ({ x }) => x.kthvalue(2), { grad: true });
    ref.it('kthvalue along dim 0 keepdim', { x: X }, 'x.kthvalue(3, 0, True)', ({ x }) => x.kthvalue(3, 0, true));
    ref.it('std unbiased=False', { x: X }, 'x.std(False)', ({ x }) => x.std(false));
    ref.it('std over a dim, biased', { x: X }, 'x.std(1, False)', ({ x }) => x.std(1, false), { grad: true });
    ref.it('torch.std unbiased by keyword', { x: X }, 'torch.std(x, unbiased=False)', ({ x }) => torch.std(x, { unbiased: false }));
    ref.it('var over a dim, unbiased, keepdim', { x: X }, 'torch.var(x, 1, True, True)', ({ x }) => torch.var(x, 1, true, true));
    ref.it('var with a correction', { x: X }, 'x.var(0, correction=2)', ({ x }) => x.var(0, { correction: 2 }));
    ref.it('nonzero', { m: MASK }, 'm.nonzero()', ({ m }) => m.nonzero());
    ref.it('nonzero as a tuple', { m: MASK }, 'm.nonzero(as_tuple=True)', ({ m }) => m.nonzero({ asTuple: true }));
    ref.it('torch.nonzero as a tuple', { i: I }, 'torch.nonzero(i, as_tuple=True)', ({ i }) => torch.nonzero(i, { asTuple: true }));
    ref.it('unique', { t: DUP }, 'torch.unique(t)', ({ t }) => torch.unique(t));
    ref.it('unique with inverse and counts', { t: DUP }, 'torch.unique(t, return_inverse=True, return_counts=True)', ({ t }) =>
      torch.unique(t, { returnInverse: true, returnCounts: true }),
    );
    ref.it('unique rows', { t: ROWS }, 'torch.unique(t, dim=0)', ({ t }) => t.unique({ dim: 0 }));
    ref.it('unique with counts only', { t: DUP }, 'torch.unique(t, return_counts=True)', ({ t }) => t.unique({ returnCounts: true }));
    ref.it('unique_consecutive', { t: DUP }, 'torch.unique_consecutive(t, return_counts=True)', ({ t }) => torch.uniqueConsecutive(t, { returnCounts: true }));
  });

  describe('where and einsum', () => {
    ref.it('torch.where(cond)', { m: MASK }, 'torch.where(m)', ({ m }) => torch.where(m));
    ref.it('Tensor.where with a tensor', { x: X, y: Y, m: MASK }, 'x.where(m, y)', ({ x, y, m }) => x.where(m, y), { grad: true });
    ref.it('Tensor.where with a number', { x: X, m: MASK }, 'x.where(m, 0.5)', ({ x, m }) => x.where(m, 0.5));
    ref.it('torch.where with two numbers', { m: MASK }, 'torch.where(m, 1.5, -1.5)', ({ m }) => torch.where(m, 1.5, -1.5));
    ref.it('einsum with operands as varargs', { x: X, y: Y }, "torch.einsum('ij,kj->ik', x, y)", ({ x, y }) => torch.einsum('ij,kj->ik', x, y), { grad: true });
    ref.it('einsum with an operand list', { x: X, y: Y }, "torch.einsum('ij,ij->i', [x, y])", ({ x, y }) => torch.einsum('ij,ij->i', [x, y]));
  });

  describe('nn.functional', () => {
    ref.it('normalize', { x: X }, 'F.normalize(x)', ({ x }) => F.normalize(x), { grad: true });
    ref.it('normalize with p and dim', { x: X }, 'F.normalize(x, p=1.0, dim=0)', ({ x }) => F.normalize(x, { p: 1, dim: 0 }));
    ref.it('conv2d', { x: IMG, w: KER, b: BIAS }, 'F.conv2d(x, w, b)', ({ x, w, b }) => F.conv2d(x, w, b), { grad: true, rtol: 1e-4, atol: 1e-5 });
    ref.it('conv2d with stride and padding', { x: IMG, w: KER }, 'F.conv2d(x, w, None, 2, 1)', ({ x, w }) => F.conv2d(x, w, null, 2, 1), {
      rtol: 1e-4,
      atol: 1e-5,
    });
    ref.it("conv2d with padding='same' by keyword", { x: IMG, w: KER }, "F.conv2d(x, w, padding='same')", ({ x, w }) => F.conv2d(x, w, { padding: 'same' }), {
      rtol: 1e-4,
      atol: 1e-5,
    });
    ref.it(
      'conv2d with per-dim padding',
      { x: IMG, w: KER },
      'F.conv2d(x, w, padding=(1, 0), dilation=1)',
      ({ x, w }) => F.conv2d(x, w, { padding: [1, 0], dilation: 1 }),
      { rtol: 1e-4, atol: 1e-5 },
    );
    ref.it('batchNorm in eval mode', { x: BN, rm: RM, rv: RV }, 'F.batch_norm(x, rm, rv)', ({ x, rm, rv }) => F.batchNorm(x, rm, rv), { grad: true });
    ref.it(
      'batchNorm training with affine',
      { x: BN, rm: RM, rv: RV, w: spec(d.uniform([3])), b: spec(d.uniform([3])) },
      'F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.2)',
      ({ x, rm, rv, w, b }) => F.batchNorm(x, rm, rv, w, b, { training: true, momentum: 0.2 }),
      { grad: true },
    );
    ref.it(
      'batchNorm updates the running stats',
      { x: BN, rm: RM, rv: RV },
      'F.batch_norm(x, rm, rv, training=True); out = (rm, rv)',
      ({ x, rm, rv }) => {
        F.batchNorm(x, rm, rv, { training: true });
        return [rm, rv];
      },
      { stmt: true },
    );
    ref.it('binaryCrossEntropy', { p: PROB, t: TGT }, 'F.binary_cross_entropy(p, t)', ({ p, t }) => F.binaryCrossEntropy(p, t), { grad: true });
    ref.it(
      'binaryCrossEntropy summed with a weight',
      { p: PROB, t: TGT, w: spec(d.uniform([4], 0.1, 1), 'float32', false) },
      "F.binary_cross_entropy(p, t, weight=w, reduction='sum')",
      ({ p, t, w }) => F.binaryCrossEntropy(p, t, { weight: w, reduction: 'sum' }),
      { grad: true },
    );
    ref.it("binaryCrossEntropy reduction='none'", { p: PROB, t: TGT }, "F.binary_cross_entropy(p, t, None, reduction='none')", ({ p, t }) =>
      F.binaryCrossEntropy(p, t, null, 'none'),
    );
    ref.it('maxPool2d with indices', { x: IMG }, 'F.max_pool2d(x, 2, return_indices=True)', ({ x }) => F.maxPool2d(x, 2, { returnIndices: true }));
    ref.it(
      'interpolate bilinear',
      { x: IMG },
      "F.interpolate(x, scale_factor=2, mode='bilinear')",
      ({ x }) => F.interpolate(x, { scaleFactor: 2, mode: 'bilinear' }),
      { grad: true },
    );
    ref.it('elu in place', { x: X }, 'out = F.elu(x.clone(), 0.5, inplace=True)', ({ x }) => F.elu(x.clone(), 0.5, { inplace: true }), { stmt: true });
  });

  describe('linalg, special, fft namespaces', () => {
    ref.it('linalg.norm', { x: X }, 'torch.linalg.norm(x)', ({ x }) => torch.linalg.norm(x), { grad: true });
    ref.it('linalg.vector_norm over a dim', { x: X }, 'torch.linalg.vector_norm(x, 1, dim=1)', ({ x }) => torch.linalg.vectorNorm(x, 1, { dim: 1 }));
    ref.it(
      'linalg.eigh as a named tuple',
      {
        w: spec([
          [2, 1],
          [1, 3],
        ]),
      },
      'torch.linalg.eigh(w)',
      ({ w }) => {
        const r = torch.linalg.eigh(w);
        expect(r.eigenvalues).to.equal(r[0]);
        return r;
      },
    );
    ref.it('special.expit', { x: X }, 'torch.special.expit(x)', ({ x }) => torch.special.expit(x));
    ref.it('special.xlogy with a number', { x: X }, 'torch.special.xlogy(x, 2.5)', ({ x }) => torch.special.xlogy(x, 2.5));
    ref.it('fft.rfftfreq', {}, 'torch.fft.rfftfreq(6, 0.5)', () => torch.fft.rfftfreq(6, 0.5));
    ref.it('fft round trip (irfft of rfft)', { v: V }, 'torch.fft.irfft(torch.fft.rfft(v), 4)', ({ v }) => torch.fft.irfft(torch.fft.rfft(v), 4), {
      atol: 1e-6,
    });
  });

  describe('norm', () => {
    ref.it("norm('fro')", { x: X }, "x.norm('fro')", ({ x }) => x.norm('fro'), { grad: true });
    ref.it("torch.norm(x, 'nuc')", { x: X }, "torch.norm(x, 'nuc')", ({ x }) => torch.norm(x, 'nuc'), { rtol: 1e-5 });
    ref.it('norm p=1 over a dim keepdim', { x: X3 }, 'x.norm(1, 2, True)', ({ x }) => x.norm(1, 2, true));
    ref.it('norm over two dims', { x: X3 }, 'torch.norm(x, dim=(1, 2))', ({ x }) => torch.norm(x, { dim: [1, 2] }));
  });

  describe('cdist and tensordot', () => {
    ref.it('cdist', { x: X, y: W }, 'torch.cdist(x, torch.cat([y, y], 1)[:, :4])', ({ x, y }) => torch.cdist(x, torch.cat([y, y], 1).index(':', ':4')));
    ref.it('cdist p=1 without the mm path', { x: X, y: Y }, "torch.cdist(x, y, 1.0, 'donot_use_mm_for_euclid_dist')", ({ x, y }) =>
      torch.cdist(x, y, 1, 'donot_use_mm_for_euclid_dist'),
    );
    ref.it('tensordot with a count', { x: X3, y: spec(d.uniform([3, 4, 2])) }, 'torch.tensordot(x, y, 2)', ({ x, y }) => torch.tensordot(x, y, 2), {
      rtol: 1e-5,
    });
    ref.it('tensordot with dim lists', { x: X3, y: spec(d.uniform([4, 2])) }, 'torch.tensordot(x, y, dims=([2], [0]))', ({ x, y }) =>
      torch.tensordot(x, y, { dims: [[2], [0]] }),
    );
  });
});

describe('12 core: integers beyond 2**53 as BigInt', () => {
  before(function () {
    if (!hasPythonTorch()) this.skip();
  });

  it('BigInt scalars and sizes reach libtorch exactly', function () {
    this.timeout(60_000);
    const big = 2n ** 62n + 3n;
    const py = runTorch<string[]>(`
x = torch.tensor([1, -2, 3])
emit([str(v) for v in [
  (x + (2**53 + 1)).tolist(), (x * (2**40 + 7)).tolist(), (x - 2**62).tolist(),
  torch.zeros(3, dtype=torch.int64).fill_(2**62 + 3).tolist(), x.clamp(max=2**62).tolist(),
]])
`);
    const x = torch.tensor([1, -2, 3]);
    const asStrings = (t: torch.Tensor) => `[${Array.from(t.toTypedArray() as BigInt64Array, String).join(', ')}]`;
    const ts = [x.add(2n ** 53n + 1n), x.mul(2n ** 40n + 7n), x.sub(2n ** 62n), torch.zeros([3], { dtype: 'int64' }).fill_(big), x.clamp({ max: 2n ** 62n })];
    expect(ts.map((t) => t.dtype)).to.deep.equal(['int64', 'int64', 'int64', 'int64', 'int64']);
    expect(ts.map(asStrings)).to.deep.equal(py);
    expect(x.view(3n, 1n).shape).to.deep.equal([3, 1]);
    expect(x.sum(0n).item()).to.equal(2);
    expect(x.narrow(0, 1n, 2n).tolist()).to.deep.equal([-2, 3]);
  });
});
