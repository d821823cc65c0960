/**
 * Conversions (to, dtype shortcuts, item/tolist/typed arrays), clone and
 * detach, against PyTorch.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { DType } from '../lib/torch/index.js';
import { Data, refBatch, spec } from './helpers/python.js';

const D = new Data(90);
const X = spec([[1.7, -2.5, 0.4999], [3.25, -0.0001, 65504.5]]);
const X64 = spec([1 / 3, 1e-40, 123456789.123456789, -2.5], 'float64');
const I = spec([[300, -7, 0], [1, 2, 255]], 'int64');

describe('10 core: conversions, clone, detach', () => {
  const ref = refBatch();

  describe('dtype conversions', () => {
    const targets: DType[] = ['float64', 'float32', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'bool'];
    for (const dt of targets) {
      ref.it(`float32 to ${dt}`, { x: X }, `x.to(torch.${dt})`, ({ x }) => x.to(dt));
      ref.it(`float64 to ${dt}`, { x: X64 }, `x.to(torch.${dt})`, ({ x }) => x.to(dt));
    }
    for (const dt of ['float32', 'float64', 'int32', 'int16', 'bool'] as DType[]) {
      ref.it(`int64 to ${dt}`, { x: I }, `x.to(torch.${dt})`, ({ x }) => x.to(dt));
    }
    ref.it('bool to float32', { x: spec([true, false], 'bool') }, 'x.float()', ({ x }) => x.float());
    ref.it('float()', { x: I }, 'x.float()', ({ x }) => x.float());
    ref.it('double()', { x: X }, 'x.double()', ({ x }) => x.double());
    ref.it('half()', { x: X }, 'x.half()', ({ x }) => x.half());
    ref.it('bfloat16()', { x: X }, 'x.bfloat16()', ({ x }) => x.bfloat16());
    ref.it('long()', { x: X }, 'x.long()', ({ x }) => x.long());
    ref.it('int()', { x: X }, 'x.int()', ({ x }) => x.int());
    ref.it('bool()', { x: X }, 'x.bool()', ({ x }) => x.bool());
    ref.it('type(dtype)', { x: X }, 'x.type(torch.int16)', ({ x }) => x.type('int16'));
    ref.it('to(other tensor) takes its dtype', { x: X, y: spec([1], 'int32') }, 'x.to(y)', ({ x, y }) => x.to(y));
    ref.it('typeAs', { x: I, y: spec([1], 'float64') }, 'x.type_as(y)', ({ x, y }) => x.typeAs(y));
    ref.it('to({dtype}) of float64 keeps grads flowing', { x: spec(D.uniform([3]), 'float64') }, 'x.to(torch.float32) * 2',
      ({ x }) => x.to({ dtype: 'float32' }).mul(2), { grad: true });
    ref.it('float16 arithmetic rounds like PyTorch', { x: spec([0.1, 0.2, 1000.7]) }, 'x.half() * 3 + 1', ({ x }) => x.half().mul(3).add(1));
    ref.it('bfloat16 arithmetic rounds like PyTorch', { x: spec([0.1, 0.2, 1000.7]) }, 'x.bfloat16() * 3 + 1', ({ x }) => x.bfloat16().mul(3).add(1));
    ref.it('float16 raw bits', { x: spec([0.1, -2, 65504, 1e-7]) }, 'x.half().view(torch.int16).to(torch.int32) & 0xffff',
      ({ x }) => torch.tensor(Array.from(x.half().toTypedArray() as Uint16Array), { dtype: 'int32' }));
    ref.it('bfloat16 raw bits', { x: spec([0.1, -2, 3e38, 1e-7]) }, 'x.bfloat16().view(torch.int16).to(torch.int32) & 0xffff',
      ({ x }) => torch.tensor(Array.from(x.bfloat16().toTypedArray() as Uint16Array), { dtype: 'int32' }));

    it('to() returns self when nothing changes, a new tensor with copy', () => {
      torch.tidy(() => {
        const x = torch.tensor([1.5, 2.5]);
        expect(x.to('float32')).to.equal(x);
        expect(x.to('cpu')).to.equal(x);
        expect(x.to({ device: 'cpu', dtype: 'float32' })).to.equal(x);
        expect(x.to(torch.device('cpu'))).to.equal(x);
        const c = x.to('float32', { copy: true });
        expect(c).to.not.equal(x);
        expect(c.isSame(x)).to.equal(false);
        c.add_(1);
        expect(x.tolist()).to.deep.equal([1.5, 2.5]);
        const c2 = x.to({ copy: true });
        expect(c2.isSame(x)).to.equal(false);
        expect(c2.tolist()).to.deep.equal([1.5, 2.5]);
      });
    });

    it('to() rejects what is neither a dtype nor a device', () => {
      torch.tidy(() => {
        const x = torch.zeros(1);
        expect(() => x.to('float8')).to.throw(TypeError, "Expected a device like 'cpu', 'cuda' or 'cuda:0' for device but received 'float8' of type string");
        expect(() => x.to(3 as never)).to.throw(TypeError, 'Expected a dtype, device, tensor or options object for to but received 3 of type number');
        expect(() => x.to({ dtyp: 'float64' } as never)).to.throw(TypeError, "Unknown option 'dtyp' for to; expected one of: dtype, device, copy, nonBlocking");
        expect(() => x.to({ dtype: 'float8' as never })).to.throw(TypeError, /Expected one of .* for dtype but received 'float8' of type string/);
      });
    });
  });

  describe('data out', () => {
    ref.it('tolist of a float tensor', { x: X }, 'x', ({ x }) => torch.tensor(x.tolist() as number[][]));
    ref.it('item of float, int and bool', { x: X, i: I }, '(x[0, 1].item(), i[1, 2].item(), bool((x > 0)[0, 0].item()))',
      ({ x, i }) => [x.index(0, 1).item(), i.index(1, 2).item(), x.gt(0).index(0, 0).item()]);
    ref.it('item of a one-element 2-D tensor', { x: spec([[2.5]]) }, 'x.item()', ({ x }) => x.item());
    it('item of several elements throws libtorch\'s message', () => {
      torch.tidy(() => {
        expect(() => torch.zeros(2, 3).item()).to.throw(torch.TorchError, 'a Tensor with 6 elements cannot be converted to Scalar');
      });
    });

    it('tolist nests like Python and gives booleans for bool tensors', () => {
      torch.tidy(() => {
        expect(torch.tensor([[1, 2], [3, 4]]).tolist()).to.deep.equal([[1, 2], [3, 4]]);
        expect(torch.tensor(5).tolist()).to.equal(5);
        expect(torch.tensor([true, false]).tolist()).to.deep.equal([true, false]);
        expect(torch.tensor(true).tolist()).to.equal(true);
        expect(torch.zeros(2, 0).tolist()).to.deep.equal([[], []]);
        expect(torch.tensor([1, 2, 3]).item).to.be.a('function');
        expect(torch.tensor(true).item()).to.equal(true);
        expect(torch.tensor([0.5]).half().tolist()).to.deep.equal([0.5]);
      });
    });

    it('toTypedArray gives the matching typed array', () => {
      torch.tidy(() => {
        const cases: [DType, new (n: number) => ArrayBufferView][] = [
          ['float32', Float32Array], ['float64', Float64Array], ['int64', BigInt64Array], ['int32', Int32Array],
          ['int16', Int16Array], ['int8', Int8Array], ['uint8', Uint8Array], ['bool', Uint8Array], ['float16', Uint16Array], ['bfloat16', Uint16Array],
        ];
        for (const [dt, cls] of cases) {
          const a = torch.tensor([1, 0, 1], { dtype: dt }).toTypedArray();
          expect(a, dt).to.be.instanceOf(cls);
          expect(a.length, dt).to.equal(3);
        }
        const big = torch.tensor([2n ** 60n + 1n]).toTypedArray() as BigInt64Array;
        expect(big[0]).to.equal(2n ** 60n + 1n);
        // a non-contiguous view comes out in row-major order
        expect(Array.from(torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'int32' }).t().toTypedArray() as Int32Array)).to.deep.equal([1, 4, 2, 5, 3, 6]);
        expect(torch.tensor([[1, 2], [3, 4]]).t().dataSync()).to.deep.equal([1, 3, 2, 4]);
      });
    });
  });

  describe('clone and detach', () => {
    ref.it('clone stays in the graph', { x: spec(D.uniform([2, 3])) }, 'x.clone() * 3', ({ x }) => x.clone().mul(3), { grad: true });
    ref.it('detach cuts the graph', { x: spec(D.uniform([2, 3])) }, 'x * x.detach()', ({ x }) => x.mul(x.detach()), { grad: true });
    ref.it('torch.clone and torch.detach', { x: spec(D.uniform([3])) }, 'torch.clone(x) + torch.detach(x)', ({ x }) => torch.clone(x).add(torch.detach(x)), { grad: true });

    it('clone copies memory; detach shares it', () => {
      torch.tidy(() => {
        const x = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
        const c = x.clone();
        expect(c.requiresGrad).to.equal(true);
        expect(c.gradFn).to.equal('CloneBackward0');
        const d = x.detach();
        expect(d.requiresGrad).to.equal(false);
        expect(d.gradFn).to.equal(null);
        d.add_(10);
        expect(x.tolist()).to.deep.equal([11, 12, 13]);
        const c2 = torch.noGrad(() => x.clone());
        c2.add_(1);
        expect(x.tolist()).to.deep.equal([11, 12, 13]);
      });
    });

    it('detach_ makes a non-leaf a leaf without grad', () => {
      torch.tidy(() => {
        const x = torch.ones([2], { requiresGrad: true });
        const y = x.mul(2);
        expect(y.isLeaf).to.equal(false);
        expect(y.detach_()).to.equal(y);
        expect(y.requiresGrad).to.equal(false);
        expect(y.isLeaf).to.equal(true);
      });
    });

    it('alias, isSame and setData_', () => {
      torch.tidy(() => {
        const x = torch.tensor([1, 2]);
        const a = x.alias();
        expect(a).to.not.equal(x);
        expect(a.isSame(x)).to.equal(true);
        a.dispose();
        expect(x.tolist()).to.deep.equal([1, 2]);
        const p = torch.zeros([2], { requiresGrad: true });
        p.setData_(torch.tensor([5, 6], { dtype: 'float64' }));
        expect(p.dtype).to.equal('float64');
        expect(p.tolist()).to.deep.equal([5, 6]);
        expect(p.requiresGrad).to.equal(true);
        expect(p.isLeaf).to.equal(true);
      });
    });
  });
});
