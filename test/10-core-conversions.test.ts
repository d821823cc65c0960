/**
 * Conversions (to, dtype shortcuts, item/tolist/typed arrays), clone and
 * detach, against PyTorch.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { DType } from '../lib/torch/index.js';
import { Data, errorOf, refBatch, spec } from './helpers/python.js';

const D = new Data(90);
const X = spec([
  [1.7, -2.5, 0.4999],
  [3.25, -0.0001, 65504.5],
]);
const X64 = spec([1 / 3, 1e-40, 123456789.12345679, -2.5], 'float64');
const I = spec(
  [
    [300, -7, 0],
    [1, 2, 255],
  ],
  'int64',
);

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
    ref.it(
      'to({dtype}) of float64 keeps grads flowing',
      { x: spec(D.uniform([3]), 'float64') },
      'x.to(torch.float32) * 2',
      ({ x }) => x.to({ dtype: 'float32' }).mul(2),
      { grad: true },
    );
    ref.it('float16 arithmetic rounds like PyTorch', { x: spec([0.1, 0.2, 1000.7]) }, 'x.half() * 3 + 1', ({ x }) => x.half().mul(3).add(1));
    ref.it('bfloat16 arithmetic rounds like PyTorch', { x: spec([0.1, 0.2, 1000.7]) }, 'x.bfloat16() * 3 + 1', ({ x }) => x.bfloat16().mul(3).add(1));
    // the dtypes of PyTorch 2.x: unsigned integers and 8-bit floats
    const P = spec([
      [1.7, 2.5, 0.4999],
      [3.25, 0.0001, 65504.5],
    ]);
    for (const dt of ['uint16', 'uint32', 'uint64'] as DType[]) {
      ref.it(`float32 to ${dt}`, { x: P }, `x.to(torch.${dt})`, ({ x }) => x.to(dt));
      ref.it(`${dt} to float64 and int64`, { x: P }, `(x.to(torch.${dt}).double(), x.to(torch.${dt}).long())`, ({ x }) => [x.to(dt).double(), x.to(dt).long()]);
    }
    const F8 = spec([
      [0.1, -2.5, 1000, 1e-3],
      [448, -0.0001, 3.75, 57344],
    ]);
    for (const dt of ['float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'float8_e8m0fnu'] as DType[]) {
      ref.it(`float32 to ${dt} rounds like PyTorch`, { x: F8 }, `x.to(torch.${dt})`, ({ x }) => x.to(dt));
      ref.it(`${dt} to float64`, { x: F8 }, `x.to(torch.${dt}).double()`, ({ x }) => x.to(dt).double());
    }
    ref.it('uint64 item past 2^63 that a number holds exactly', {}, 'torch.tensor([2**63], dtype=torch.uint64)[0].item()', () =>
      torch
        .tensor([2n ** 63n], { dtype: 'uint64' })
        .select(0, 0)
        .item(),
    );
    ref.it('float8 item', {}, 'torch.tensor([2.3], dtype=torch.float8_e4m3fn)[0].item()', () =>
      torch.tensor([2.3], { dtype: 'float8_e4m3fn' }).select(0, 0).item(),
    );
    ref.it('float16 raw bits', { x: spec([0.1, -2, 65504, 1e-7]) }, 'x.half().view(torch.int16).to(torch.int32) & 0xffff', ({ x }) =>
      torch.tensor(Array.from(x.half().toTypedArray() as Uint16Array), { dtype: 'int32' }),
    );
    ref.it('bfloat16 raw bits', { x: spec([0.1, -2, 3e38, 1e-7]) }, 'x.bfloat16().view(torch.int16).to(torch.int32) & 0xffff', ({ x }) =>
      torch.tensor(Array.from(x.bfloat16().toTypedArray() as Uint16Array), { dtype: 'int32' }),
    );

    ref.it("to('cpu', 'float64') takes the dtype after the device", { x: I }, "x.to('cpu', torch.float64)", ({ x }) => x.to('cpu', 'float64'));
    ref.it('to(device, dtype) with a Device', { x: X }, "x.to(torch.device('cpu'), torch.int32)", ({ x }) => x.to(torch.device('cpu'), 'int32'));
    ref.it('to(device, dtype, {copy})', { x: X }, "x.to('cpu', torch.float32, copy=True) * 2", ({ x }) => x.to('cpu', 'float32', { copy: true }).mul(2));

    it('to(device, dtype) returns self when nothing changes, and rejects a dtype after anything but a device', () => {
      torch.tidy(() => {
        const x = torch.tensor([1.5, 2.5]);
        expect(x.to('cpu', 'float32')).to.equal(x);
        const c = x.to('cpu', 'float32', { copy: true });
        expect(c.isSame(x)).to.equal(false);
        expect(() => x.to('float32', 'float64')).to.throw(TypeError, "Expected a device before the dtype for to but received 'float32' of type string");
        expect(() => x.to(x, 'float64' as never)).to.throw(TypeError, 'Expected a device before the dtype for to but received an object of type Tensor');
        expect(() => x.to({ device: 'cpu' }, 'float64' as never)).to.throw(
          TypeError,
          'Expected a device before the dtype for to but received an object of type Object',
        );
        expect(() => x.to('cpu', 'float8' as never)).to.throw(TypeError, /Expected one of .* for dtype but received 'float8' of type string/);
        expect(() => x.to('cpu', 'float64', { copi: true } as never)).to.throw(TypeError, "Unknown option 'copi' for to; expected one of: copy, nonBlocking");
        expect(() => x.to('float64', { copi: true } as never)).to.throw(TypeError, "Unknown option 'copi' for to; expected one of: copy, nonBlocking");
      });
    });

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
    ref.it('item of float, int and bool', { x: X, i: I }, '(x[0, 1].item(), i[1, 2].item(), bool((x > 0)[0, 0].item()))', ({ x, i }) => [
      x.index(0, 1).item(),
      i.index(1, 2).item(),
      x.gt(0).index(0, 0).item(),
    ]);
    ref.it('item of a one-element 2-D tensor', { x: spec([[2.5]]) }, 'x.item()', ({ x }) => x.item());
    it("item of several elements throws libtorch's message", () => {
      torch.tidy(() => {
        expect(() => torch.zeros(2, 3).item()).to.throw(torch.TorchError, 'a Tensor with 6 elements cannot be converted to Scalar');
      });
    });

    it('int64 and uint64 values a number cannot hold exactly throw instead of rounding; { bigint: true } gives all 64 bits', () => {
      torch.tidy(() => {
        const big = torch.tensor([2n ** 53n + 1n, -3n, 2n ** 60n]);
        for (const [what, f] of [
          ['item', () => big.index(0).item()],
          ['tolist', () => big.tolist()],
        ] as const) {
          const e = errorOf(f);
          expect(e, what).to.be.instanceOf(RangeError);
          expect(e.message).to.equal(`${what}: the int64 value 9007199254740993 has no exact number form; ${what}({ bigint: true }) gives bigints`);
        }
        expect(big.tolist({ bigint: true })).to.deep.equal([2n ** 53n + 1n, -3n, 2n ** 60n]);
        expect(big.index(2).item()).to.equal(2 ** 60); // exact as a number: no error
        expect(big.index(0).item({ bigint: true })).to.equal(2n ** 53n + 1n);
        expect(torch.tensor(2n ** 53n).item()).to.equal(2 ** 53);
        expect(torch.tensor(-(2n ** 63n)).item({ bigint: true })).to.equal(-(2n ** 63n));
        const u = torch.tensor([2n ** 64n - 1n], { dtype: 'uint64' });
        expect(errorOf(() => u.index(0).item()).message).to.equal(
          'item: the uint64 value 18446744073709551615 has no exact number form; item({ bigint: true }) gives bigints',
        );
        expect(u.index(0).item({ bigint: true })).to.equal(2n ** 64n - 1n);
        expect(u.tolist({ bigint: true })).to.deep.equal([2n ** 64n - 1n]);
        // small values: bigints on request, numbers otherwise; other dtypes are unaffected
        expect(
          torch
            .tensor([
              [1, 2],
              [3, 4],
            ])
            .tolist({ bigint: true }),
        ).to.deep.equal([
          [1n, 2n],
          [3n, 4n],
        ]);
        expect(torch.tensor(7).item({ bigint: true })).to.equal(7n);
        expect(torch.tensor([1.5, 2]).tolist({ bigint: true })).to.deep.equal([1.5, 2]);
        expect(torch.tensor([true]).tolist({ bigint: true })).to.deep.equal([true]);
        expect(torch.tensor([2.5]).item({ bigint: true })).to.equal(2.5);
        expect(torch.tensor([3], { dtype: 'int32' }).item({ bigint: true })).to.equal(3);
        expect(() => big.tolist({ bigInt: true } as never)).to.throw(TypeError, "Unknown option 'bigInt' for tolist; expected one of: bigint");
        expect(() => big.index(0).item({ bigInt: true } as never)).to.throw(TypeError, "Unknown option 'bigInt' for item; expected one of: bigint");
      });
    });

    it('tolist nests like Python and gives booleans for bool tensors', () => {
      torch.tidy(() => {
        expect(
          torch
            .tensor([
              [1, 2],
              [3, 4],
            ])
            .tolist(),
        ).to.deep.equal([
          [1, 2],
          [3, 4],
        ]);
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
          ['float32', Float32Array],
          ['float64', Float64Array],
          ['int64', BigInt64Array],
          ['int32', Int32Array],
          ['int16', Int16Array],
          ['int8', Int8Array],
          ['uint8', Uint8Array],
          ['bool', Uint8Array],
          ['float16', Uint16Array],
          ['bfloat16', Uint16Array],
          ['uint16', Uint16Array],
          ['uint32', Uint32Array],
          ['uint64', BigUint64Array],
          ['float8_e4m3fn', Uint8Array],
          ['float8_e5m2', Uint8Array],
          ['float8_e4m3fnuz', Uint8Array],
          ['float8_e5m2fnuz', Uint8Array],
          ['float8_e8m0fnu', Uint8Array],
        ];
        for (const [dt, cls] of cases) {
          const a = torch.tensor([1, 0, 1], { dtype: dt }).toTypedArray();
          expect(a, dt).to.be.instanceOf(cls);
          expect(a.length, dt).to.equal(3);
        }
        const big = torch.tensor([2n ** 60n + 1n]).toTypedArray() as BigInt64Array;
        expect(big[0]).to.equal(2n ** 60n + 1n);
        const ubig = torch.tensor([2n ** 64n - 1n], { dtype: 'uint64' }).toTypedArray() as BigUint64Array;
        expect(ubig[0]).to.equal(2n ** 64n - 1n);
        // types without a number form give their raw bytes (bits16: 16-bit words)
        const opaque: [DType, ArrayBufferView][] = [
          ['bits8', new Uint8Array([0, 129, 16])],
          ['bits16', new Uint16Array([0x4238, 0xff7e])],
          ['bits1x8', new Uint8Array([1, 2])],
          ['bits2x4', new Uint8Array([3])],
          ['bits4x2', new Uint8Array([255])],
          ['float4_e2m1fn_x2', new Uint8Array([0x38, 0x42])],
        ];
        for (const [dt, raw] of opaque) {
          const t = torch.tensor(raw as never, { dtype: dt });
          expect(t.dtype).to.equal(dt);
          expect(t.toTypedArray(), dt).to.deep.equal(raw);
        }
        // a non-contiguous view comes out in row-major order
        expect(
          Array.from(
            torch
              .tensor(
                [
                  [1, 2, 3],
                  [4, 5, 6],
                ],
                { dtype: 'int32' },
              )
              .t()
              .toTypedArray() as Int32Array,
          ),
        ).to.deep.equal([1, 4, 2, 5, 3, 6]);
        expect(
          torch
            .tensor([
              [1, 2],
              [3, 4],
            ])
            .t()
            .dataSync(),
        ).to.deep.equal([1, 3, 2, 4]);
      });
    });
  });

  describe('dtypes without a number form (bits*, float4_e2m1fn_x2)', () => {
    it('refuse item, tolist and dataSync with one message, and print their raw bytes', () => {
      torch.tidy(() => {
        const t = torch.tensor(new Uint8Array([0, 129, 16]), { dtype: 'bits8' });
        for (const [what, f] of [
          ['item', () => t.select(0, 0).item()],
          ['tolist', () => t.tolist()],
          ['dataSync', () => t.dataSync()],
        ] as const) {
          const e = errorOf(f);
          expect(e).to.be.instanceOf(TypeError);
          expect(e.message).to.equal(`${what}() is not available for bits8 tensors: their elements have no number form (toTypedArray() gives the raw bytes)`);
        }
        expect(String(t)).to.equal('tensor([  0, 129,  16], dtype=torch.bits8)');
        expect(torch.hasNumberForm('bits8')).to.equal(false);
        expect(torch.hasNumberForm('float8_e4m3fn')).to.equal(true);
      });
    });
  });

  describe('clone and detach', () => {
    ref.it('clone stays in the graph', { x: spec(D.uniform([2, 3])) }, 'x.clone() * 3', ({ x }) => x.clone().mul(3), { grad: true });
    ref.it('detach cuts the graph', { x: spec(D.uniform([2, 3])) }, 'x * x.detach()', ({ x }) => x.mul(x.detach()), { grad: true });
    ref.it('torch.clone and torch.detach', { x: spec(D.uniform([3])) }, 'torch.clone(x) + torch.detach(x)', ({ x }) => torch.clone(x).add(torch.detach(x)), {
      grad: true,
    });

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
