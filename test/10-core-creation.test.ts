/**
 * Tensor creation, dtypes and type promotion against PyTorch.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { DType } from '../lib/torch/index.js';
import { Data, errorOf, expectTensor, refBatch, spec } from './helpers/python.js';

const D = new Data(10);

describe('10 core: creation', () => {
  const ref = refBatch();

  describe('from data, inferring dtypes as PyTorch does', () => {
    ref.it('integers give int64', {}, 'torch.tensor([[1, 2, 3], [4, 5, 6]])', () =>
      torch.tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    );
    ref.it('any fraction gives float32', {}, 'torch.tensor([1, 2.5, -3])', () => torch.tensor([1, 2.5, -3]));
    ref.it('booleans give bool', {}, 'torch.tensor([[True, False], [False, True]])', () =>
      torch.tensor([
        [true, false],
        [false, true],
      ]),
    );
    ref.it('booleans mixed with ints give int64', {}, 'torch.tensor([True, 2])', () => torch.tensor([true, 2]));
    ref.it('a number gives a 0-dim tensor', {}, 'torch.tensor(3.25)', () => torch.tensor(3.25));
    ref.it('an integer gives a 0-dim int64', {}, 'torch.tensor(-7)', () => torch.tensor(-7));
    ref.it('an empty list gives float32 [0]', {}, 'torch.tensor([])', () => torch.tensor([]));
    ref.it('nested empty lists keep their shape', {}, 'torch.tensor([[], []])', () => torch.tensor([[], []]));
    ref.it('explicit dtype float64', {}, 'torch.tensor([1, 2], dtype=torch.float64)', () => torch.tensor([1, 2], { dtype: 'float64' }));
    ref.it('explicit dtype int32 truncates floats', {}, 'torch.tensor([1.7, -2.7], dtype=torch.int32)', () => torch.tensor([1.7, -2.7], { dtype: 'int32' }));
    ref.it('explicit dtype uint8', {}, 'torch.tensor([0, 255, 7], dtype=torch.uint8)', () => torch.tensor([0, 255, 7], { dtype: 'uint8' }));
    ref.it('explicit dtype bool from numbers', {}, 'torch.tensor([0, 2, -1], dtype=torch.bool)', () => torch.tensor([0, 2, -1], { dtype: 'bool' }));
    ref.it('explicit dtype float16', {}, 'torch.tensor([0.1, 1000.5], dtype=torch.float16)', () => torch.tensor([0.1, 1000.5], { dtype: 'float16' }));
    ref.it('explicit dtype bfloat16', {}, 'torch.tensor([0.1, 1000.5], dtype=torch.bfloat16)', () => torch.tensor([0.1, 1000.5], { dtype: 'bfloat16' }));
    ref.it('NaN and infinities', {}, "torch.tensor([float('nan'), float('inf'), -float('inf'), 1.5])", () => torch.tensor([NaN, Infinity, -Infinity, 1.5]));
    ref.it('large int64 values from bigints', {}, 'torch.tensor([2**53 + 1, -2**62])', () => torch.tensor([2n ** 53n + 1n, -(2n ** 62n)]));
    ref.it('numbers mixed with bigints', {}, 'torch.tensor([[1, 2**62 + 1], [-3, 4]])', () =>
      torch.tensor([
        [1, 2n ** 62n + 1n],
        [-3, 4n],
      ]),
    );
    ref.it('Uint16Array gives uint16 with its values', {}, 'torch.tensor([0, 1, 64, 1000, 65535], dtype=torch.uint16)', () =>
      torch.tensor(new Uint16Array([0, 1, 64, 1000, 65535])),
    );
    ref.it('Uint32Array gives uint32', {}, 'torch.tensor([0, 7, 4294967295], dtype=torch.uint32)', () => torch.tensor(new Uint32Array([0, 7, 4294967295])));
    ref.it('BigUint64Array gives uint64', {}, 'torch.tensor([0, 2**63, 2**64 - 1], dtype=torch.uint64)', () =>
      torch.tensor(new BigUint64Array([0n, 2n ** 63n, 2n ** 64n - 1n])),
    );
    ref.it('explicit dtype uint64 from bigints', {}, 'torch.tensor([2**64 - 1, 5], dtype=torch.uint64)', () =>
      torch.tensor([2n ** 64n - 1n, 5], { dtype: 'uint64' }),
    );
    ref.it('explicit dtype uint16 from numbers', {}, 'torch.tensor([3, 60000], dtype=torch.uint16)', () => torch.tensor([3, 60000], { dtype: 'uint16' }));
    ref.it('explicit dtype float8_e4m3fn', {}, 'torch.tensor([0.1, 1.7, -300, 1000], dtype=torch.float8_e4m3fn)', () =>
      torch.tensor([0.1, 1.7, -300, 1000], { dtype: 'float8_e4m3fn' }),
    );
    ref.it('explicit dtype float8_e5m2', {}, 'torch.tensor([0.1, 1.7, -300, 1000], dtype=torch.float8_e5m2)', () =>
      torch.tensor([0.1, 1.7, -300, 1000], { dtype: 'float8_e5m2' }),
    );
    ref.it('a Uint16Array converted to int64 keeps its values', {}, 'torch.tensor([0, 1, 64, 1000], dtype=torch.uint16).long()', () =>
      torch.tensor(new Uint16Array([0, 1, 64, 1000]), { dtype: 'int64' }),
    );
    ref.it('a Uint16Array converted to float32', {}, 'torch.tensor([1, 64, 65535], dtype=torch.uint16).float()', () =>
      torch.tensor(new Uint16Array([1, 64, 65535]), { dtype: 'float32' }),
    );

    // Values that do not fit an integer dtype raise as in PyTorch (c10::checked_convert's rules)
    ref.it('uint8 from [-1, 256] raises for 256', {}, 'torch.tensor([-1, 256], dtype=torch.uint8)', () => torch.tensor([-1, 256], { dtype: 'uint8' }), {
      errorClass: RangeError,
    });
    ref.it('negative integers wrap into uint8 when their magnitude fits', {}, 'torch.tensor([-1, -129, -255], dtype=torch.uint8)', () =>
      torch.tensor([-1, -129, -255], { dtype: 'uint8' }),
    );
    ref.it('uint8 from -256 raises', {}, 'torch.tensor([-256], dtype=torch.uint8)', () => torch.tensor([-256], { dtype: 'uint8' }), { errorClass: RangeError });
    ref.it('uint8 from -0.5 raises (a fraction below 0)', {}, 'torch.tensor([-0.5], dtype=torch.uint8)', () => torch.tensor([-0.5], { dtype: 'uint8' }), {
      errorClass: RangeError,
    });
    // A fraction just above the max: raises up to PyTorch 2.13, truncates to the max from 2.14 (as the linked libtorch does).
    const [major, minor] = torch.version.split('.').map(Number);
    const aboveMax = (major ?? 0) > 2 || ((major ?? 0) === 2 && (minor ?? 0) >= 14) ? {} : { errorClass: RangeError };
    ref.it(
      'uint8 from 255.5 (raises before 2.14, 255 from 2.14)',
      {},
      'torch.tensor([255.5], dtype=torch.uint8)',
      () => torch.tensor([255.5], { dtype: 'uint8' }),
      aboveMax,
    );
    ref.it('int8 from 128 raises', {}, 'torch.tensor([127, 128], dtype=torch.int8)', () => torch.tensor([127, 128], { dtype: 'int8' }), {
      errorClass: RangeError,
    });
    ref.it('int8 from -128.5 raises', {}, 'torch.tensor([-128.5], dtype=torch.int8)', () => torch.tensor([-128.5], { dtype: 'int8' }), {
      errorClass: RangeError,
    });
    ref.it('int16 bounds', {}, 'torch.tensor([-32768, 32767, -1.9], dtype=torch.int16)', () => torch.tensor([-32768, 32767, -1.9], { dtype: 'int16' }));
    ref.it('int16 from 32768 raises', {}, 'torch.tensor([32768], dtype=torch.int16)', () => torch.tensor([32768], { dtype: 'int16' }), {
      errorClass: RangeError,
    });
    ref.it('int32 from 1e20 raises', {}, 'torch.tensor([1e20], dtype=torch.int32)', () => torch.tensor([1e20], { dtype: 'int32' }), { errorClass: RangeError });
    ref.it(
      'int32 from 2147483647.5 (raises before 2.14, 2147483647 from 2.14)',
      {},
      'torch.tensor([2147483647.5], dtype=torch.int32)',
      () => torch.tensor([2147483647.5], { dtype: 'int32' }),
      aboveMax,
    );
    ref.it('int32 from -2147483648.9 raises', {}, 'torch.tensor([-2147483648.9], dtype=torch.int32)', () => torch.tensor([-2147483648.9], { dtype: 'int32' }), {
      errorClass: RangeError,
    });
    ref.it('int32 from infinity raises', {}, "torch.tensor([float('inf')], dtype=torch.int32)", () => torch.tensor([Infinity], { dtype: 'int32' }), {
      errorClass: RangeError,
    });
    ref.it('int32 from a bigint past 32 bits raises', {}, 'torch.tensor([2**40], dtype=torch.int32)', () => torch.tensor([2n ** 40n], { dtype: 'int32' }), {
      errorClass: RangeError,
    });
    ref.it('int64 from NaN raises', {}, "torch.tensor(float('nan'), dtype=torch.int64)", () => torch.tensor(NaN, { dtype: 'int64' }), {
      errorClass: RangeError,
    });
    ref.it('int64 from 1e20 raises', {}, 'torch.tensor([1e20], dtype=torch.int64)', () => torch.tensor([1e20], { dtype: 'int64' }), { errorClass: RangeError });
    // Python's int 2**63 fails earlier ("Overflow when unpacking long long"); a JS number
    // cannot tell 2 ** 63 from 2.0 ** 63 (which Python wraps silently), so it raises as 2.0 ** 64 does.
    ref.it('int64 from 2 ** 63 raises', {}, 'torch.tensor([2**63], dtype=torch.int64)', () => torch.tensor([2 ** 63], { dtype: 'int64' }), {
      errorClass: RangeError,
      message: () => 'value cannot be converted to type int64 without overflow',
    });
    ref.it('int64 from -(2 ** 63) fits', {}, 'torch.tensor([-2**63], dtype=torch.int64)', () => torch.tensor([-(2 ** 63)], { dtype: 'int64' }));
    ref.it('uint16 wraps negative integers and raises past 65535', {}, 'torch.tensor([-1, -32768, 65535], dtype=torch.uint16)', () =>
      torch.tensor([-1, -32768, 65535], { dtype: 'uint16' }),
    );
    ref.it('uint16 from 65536 raises', {}, 'torch.tensor([65536], dtype=torch.uint16)', () => torch.tensor([65536], { dtype: 'uint16' }), {
      errorClass: RangeError,
    });
    ref.it('uint32 wraps -2 ** 31', {}, 'torch.tensor([-2**31, 2**32 - 1], dtype=torch.uint32)', () =>
      torch.tensor([-(2 ** 31), 2 ** 32 - 1], { dtype: 'uint32' }),
    );
    ref.it('uint32 from 2 ** 32 raises', {}, 'torch.tensor([2**32], dtype=torch.uint32)', () => torch.tensor([2 ** 32], { dtype: 'uint32' }), {
      errorClass: RangeError,
    });
    ref.it('bool takes any nonzero as true, NaN included', {}, "torch.tensor([0, 1e20, float('nan'), -0.0], dtype=torch.bool)", () =>
      torch.tensor([0, 1e20, NaN, -0], { dtype: 'bool' }),
    );
    ref.it('bool from bigints', {}, 'torch.tensor([0, 2**62], dtype=torch.bool)', () => torch.tensor([0n, 2n ** 62n], { dtype: 'bool' }));
    ref.it('uint8 from booleans and 300 raises', {}, 'torch.tensor([True, 300], dtype=torch.uint8)', () => torch.tensor([true, 300], { dtype: 'uint8' }), {
      errorClass: RangeError,
    });
    ref.it('float16 from 2 ** 40 is inf (no check for floats)', {}, 'torch.tensor([2**40], dtype=torch.float16)', () =>
      torch.tensor([2 ** 40], { dtype: 'float16' }),
    );
    ref.it('integral numbers beyond int64 read as floats', {}, 'torch.tensor([1e20, 1])', () => torch.tensor([1e20, 1]));

    it('refuses what has no tensor form, naming it', () => {
      const cases: [() => unknown, string, ErrorConstructor][] = [
        [
          () => torch.tensor(new DataView(new ArrayBuffer(4)) as never),
          'Expected a Float32Array, Float64Array, BigInt64Array, BigUint64Array, Int32Array, Int16Array, Int8Array, Uint8Array, Uint16Array or Uint32Array for data but received an object of type DataView',
          TypeError,
        ],
        [
          () => torch.tensor(new Uint8ClampedArray(2) as never),
          'Expected a Float32Array, Float64Array, BigInt64Array, BigUint64Array, Int32Array, Int16Array, Int8Array, Uint8Array, Uint16Array or Uint32Array for data but received an object of type Uint8ClampedArray',
          TypeError,
        ],
        [() => torch.tensor([1, -2n], { dtype: 'uint64' }), 'Expected a value that fits in uint64 but received -2', RangeError],
        [() => torch.tensor([-1], { dtype: 'uint64' }), 'Expected a value that fits in uint64 but received -1', RangeError],
        [() => torch.tensor([2n ** 64n], { dtype: 'uint64' }), 'Expected a value that fits in uint64 but received 18446744073709551616', RangeError],
        [() => torch.tensor([2n ** 63n]), 'Expected a value that fits in int64 but received 9223372036854775808', RangeError],
        [
          () => torch.tensor([1, 2], { dtype: 'bits8' }),
          'Expected a typed array of 1-byte elements (raw bits) for a bits8 tensor for data but received an array of length 2',
          TypeError,
        ],
        [
          () => torch.tensor(new Uint8Array(2), { dtype: 'bits16' }),
          'Expected a typed array of 2-byte elements (raw bits) for a bits16 tensor for data but received an object of type Uint8Array',
          TypeError,
        ],
      ];
      for (const [f, msg, cls] of cases) {
        const e = errorOf(f);
        expect(e, msg).to.be.instanceOf(cls);
        expect(e.message).to.equal(msg);
      }
    });

    it('typed arrays keep their element type', () => {
      torch.tidy(() => {
        const cases: [ArrayBufferView, DType][] = [
          [new Float32Array([1, 2]), 'float32'],
          [new Float64Array([1, 2]), 'float64'],
          [new Int32Array([1, 2]), 'int32'],
          [new Int16Array([1, 2]), 'int16'],
          [new Int8Array([1, 2]), 'int8'],
          [new Uint8Array([1, 2]), 'uint8'],
          [new BigInt64Array([1n, 2n]), 'int64'],
          [new Uint16Array([1, 2]), 'uint16'],
          [new Uint32Array([1, 2]), 'uint32'],
          [new BigUint64Array([1n, 2n]), 'uint64'],
        ];
        for (const [ta, dt] of cases) {
          const t = torch.tensor(ta as never);
          expect(t.dtype, ta.constructor.name).to.equal(dt);
          expect(t.tolist()).to.deep.equal([1, 2]);
        }
      });
    });

    it('fromTypedArray reshapes and checks the size', () => {
      torch.tidy(() => {
        const t = torch.fromTypedArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
        expectTensor(
          t,
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          { dtypeIs: 'float32' },
        );
        const e = errorOf(() => torch.fromTypedArray(new Float32Array([1, 2, 3]), [2, 2]));
        expect(e).to.be.instanceOf(torch.TorchError);
        expect(e.message).to.equal('fromBytes: expected 16 bytes but received 12');
      });
    });

    it('torch.tensor(t) copies: the copy is detached and independent', () => {
      torch.tidy(() => {
        const a = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
        const b = torch.tensor(a);
        expect(b.requiresGrad).to.equal(false);
        b.add_(1);
        expect(a.tolist()).to.deep.equal([1, 2, 3]);
        expect(b.tolist()).to.deep.equal([2, 3, 4]);
      });
    });

    it('rejects ragged and non-numeric data with TypeErrors', () => {
      expect(() => torch.tensor([[1, 2], [3]])).to.throw(TypeError, 'expected sequence of length 2 at dim 1 (got 1)');
      expect(() => torch.tensor(['a' as never])).to.throw(TypeError, "Expected numbers or booleans in tensor data but received 'a' of type string");
      expect(() => torch.tensor([[1], 2] as never)).to.throw(TypeError, 'Expected a sequence at dim 1 but received 2 of type number');
      expect(() => torch.tensor([1, [2]] as never)).to.throw(TypeError, 'expected a number at dim 1 but received a sequence');
    });
  });

  describe('factories', () => {
    ref.it('zeros(2, 3)', {}, 'torch.zeros(2, 3)', () => torch.zeros(2, 3));
    ref.it('zeros([2, 3], int32)', {}, 'torch.zeros([2, 3], dtype=torch.int32)', () => torch.zeros([2, 3], { dtype: 'int32' }));
    ref.it('ones([4], float64)', {}, 'torch.ones([4], dtype=torch.float64)', () => torch.ones([4], { dtype: 'float64' }));
    ref.it('ones of a 0-dim size', {}, 'torch.ones([])', () => torch.ones([]));
    ref.it('zeros with a zero dim', {}, 'torch.zeros(3, 0)', () => torch.zeros(3, 0));
    ref.it('full with an int infers int64', {}, 'torch.full([2, 2], 7)', () => torch.full([2, 2], 7));
    ref.it('full with a float infers float32', {}, 'torch.full([3], 0.5)', () => torch.full([3], 0.5));
    ref.it('full with a bool infers bool', {}, 'torch.full([2], True)', () => torch.full([2], true));
    ref.it('full with a dtype', {}, 'torch.full([2], 3, dtype=torch.float64)', () => torch.full([2], 3, { dtype: 'float64' }));
    ref.it('arange(5)', {}, 'torch.arange(5)', () => torch.arange(5));
    ref.it('arange(2, 9, 3)', {}, 'torch.arange(2, 9, 3)', () => torch.arange(2, 9, 3));
    ref.it('arange with a negative step', {}, 'torch.arange(5, -5, -2)', () => torch.arange(5, -5, -2));
    ref.it('arange with a float step', {}, 'torch.arange(0, 1, 0.1)', () => torch.arange(0, 1, 0.1));
    ref.it('arange with a dtype', {}, 'torch.arange(4, dtype=torch.float64)', () => torch.arange(4, { dtype: 'float64' }));
    ref.it('linspace', {}, 'torch.linspace(-1, 1, 7)', () => torch.linspace(-1, 1, 7));
    ref.it('linspace float64', {}, 'torch.linspace(0, 10, 4, dtype=torch.float64)', () => torch.linspace(0, 10, 4, { dtype: 'float64' }));
    ref.it('eye(3)', {}, 'torch.eye(3)', () => torch.eye(3));
    ref.it('eye(2, 4)', {}, 'torch.eye(2, 4)', () => torch.eye(2, 4));
    ref.it('eye(2, int64)', {}, 'torch.eye(2, dtype=torch.int64)', () => torch.eye(2, { dtype: 'int64' }));
    ref.it('zerosLike keeps dtype', { x: spec([[1, 2]], 'int32') }, 'torch.zeros_like(x)', ({ x }) => torch.zerosLike(x));
    ref.it('onesLike with a dtype', { x: spec([[1, 2]], 'int32') }, 'torch.ones_like(x, dtype=torch.float64)', ({ x }) =>
      torch.onesLike(x, { dtype: 'float64' }),
    );
    ref.it('fullLike', { x: spec([1, 2, 3]) }, 'torch.full_like(x, 2.5)', ({ x }) => torch.fullLike(x, 2.5));
    ref.it('fullLike of an int tensor truncates', { x: spec([1, 2, 3], 'int32') }, 'torch.full_like(x, -2.5)', ({ x }) => torch.fullLike(x, -2.5));
    ref.it('fullLike overflowing the dtype', { x: spec([1, 2], 'uint8') }, 'torch.full_like(x, 256)', ({ x }) => torch.fullLike(x, 256), { error: true });
    ref.it('full of 2 ** 63 as int64 raises', {}, 'torch.full([2], 2**63, dtype=torch.int64)', () => torch.full([2], 2 ** 63, { dtype: 'int64' }), {
      error: true,
    });
    ref.it('full of NaN as int64 raises', {}, "torch.full([2], float('nan'), dtype=torch.int64)", () => torch.full([2], NaN, { dtype: 'int64' }), {
      error: true,
    });
    ref.it('full of 1e20 as int32 raises', {}, 'torch.full([2], 1e20, dtype=torch.int32)', () => torch.full([2], 1e20, { dtype: 'int32' }), { error: true });
    ref.it('full of 256 as uint8 raises', {}, 'torch.full([2], 256, dtype=torch.uint8)', () => torch.full([2], 256, { dtype: 'uint8' }), { error: true });
    ref.it('full of -1 as uint8 wraps', {}, 'torch.full([2], -1, dtype=torch.uint8)', () => torch.full([2], -1, { dtype: 'uint8' }));
    ref.it('full of 1e20 infers float32', {}, 'torch.full([2], 1e20)', () => torch.full([2], 1e20));
    ref.it('full of 2 ** 62 + 1 as uint64', {}, 'torch.full([1], 2**63 + 5, dtype=torch.uint64).to(torch.float64)', () =>
      torch.full([1], 2n ** 63n + 5n, { dtype: 'uint64' }).to('float64'),
    );
    ref.it('scalarTensor(3) is float32', {}, 'torch.scalar_tensor(3)', () => torch.scalarTensor(3));
    ref.it('scalarTensor(true) is float32', {}, 'torch.scalar_tensor(True)', () => torch.scalarTensor(true));
    ref.it('scalarTensor with a dtype', {}, 'torch.scalar_tensor(-3, dtype=torch.int64)', () => torch.scalarTensor(-3, { dtype: 'int64' }));
    ref.it('scalarTensor overflowing the dtype', {}, 'torch.scalar_tensor(300, dtype=torch.uint8)', () => torch.scalarTensor(300, { dtype: 'uint8' }), {
      error: true,
    });
    ref.it(
      '*Like keep the strides of a transposed input',
      {
        x: spec([
          [0, 0],
          [0, 0],
          [0, 0],
        ]),
      },
      '[list(f(x.t()).stride()) for f in (torch.zeros_like, torch.ones_like, torch.empty_like, torch.rand_like, torch.randn_like)]',
      ({ x }) => [torch.zerosLike, torch.onesLike, torch.emptyLike, torch.randLike, torch.randnLike].map((f) => f(x.t()).stride()),
    );
    ref.it(
      'fullLike and randintLike keep the strides too',
      {
        x: spec([
          [0, 0],
          [0, 0],
          [0, 0],
        ]),
      },
      '[list(torch.full_like(x.t(), 2).stride()), list(torch.randint_like(x.t(), 5).stride())]',
      ({ x }) => [torch.fullLike(x.t(), 2).stride(), torch.randintLike(x.t(), 5).stride()],
    );
    ref.it(
      "memoryFormat 'contiguousFormat'",
      {
        x: spec([
          [0, 0],
          [0, 0],
          [0, 0],
        ]),
      },
      'list(torch.zeros_like(x.t(), memory_format=torch.contiguous_format).stride())',
      ({ x }) => torch.zerosLike(x.t(), { memoryFormat: 'contiguousFormat' }).stride(),
    );
    ref.it(
      "memoryFormat 'channelsLast'",
      { x: spec(D.uniform([2, 3, 2, 2])) },
      'list(torch.empty_like(x, memory_format=torch.channels_last).stride())',
      ({ x }) => torch.emptyLike(x, { memoryFormat: 'channelsLast' }).stride(),
    );
    ref.it(
      "memoryFormat 'channelsLast3d'",
      { x: spec(D.uniform([2, 1, 2, 2, 2])) },
      'list(torch.empty_like(x, memory_format=torch.channels_last_3d).stride())',
      ({ x }) => torch.emptyLike(x, { memoryFormat: 'channelsLast3d' }).stride(),
    );
    ref.it('onesLike with a dtype and device', { x: spec([1, 2]) }, "torch.ones_like(x, dtype=torch.int16, device='cpu')", ({ x }) =>
      torch.onesLike(x, { dtype: 'int16', device: 'cpu' }),
    );

    it('*Like, full and scalarTensor reject bad arguments', () => {
      torch.tidy(() => {
        const x = torch.zeros(2);
        expect(() => torch.zerosLike(x, { memoryFormat: 'channels_last' as never })).to.throw(
          TypeError,
          "Expected one of contiguousFormat, preserveFormat, channelsLast, channelsLast3d for memoryFormat but received 'channels_last' of type string",
        );
        expect(() => torch.onesLike(x, { memoryformat: 'x' } as never)).to.throw(
          TypeError,
          "Unknown option 'memoryformat' for onesLike; expected one of: dtype, device, requiresGrad, memoryFormat",
        );
        expect(() => torch.zerosLike([1, 2] as never)).to.throw(TypeError, 'Expected a Tensor for input but received an array of length 2');
        expect(() => torch.randintLike(x, 1.5)).to.throw(TypeError, 'Expected an integer for high but received 1.5 of type number');
        expect(() => torch.randintLike(x, 0.5, 3)).to.throw(TypeError, 'Expected an integer for low but received 0.5 of type number');
        expect(() => torch.full([2], 'a' as never)).to.throw(TypeError, "Expected a number, boolean or bigint for fillValue but received 'a' of type string");
        expect(() => torch.full([2], 2n ** 64n)).to.throw(
          RangeError,
          'Expected a bigint that fits in int64 or uint64 for fillValue but received 18446744073709551616',
        );
        expect(() => torch.fullLike(x, -(2n ** 63n) - 1n)).to.throw(
          RangeError,
          'Expected a bigint that fits in int64 or uint64 for fillValue but received -9223372036854775809',
        );
        expect(() => torch.scalarTensor(null as never)).to.throw(TypeError, 'Expected a number, boolean or bigint for s but received null');
        expect(() => torch.scalarTensor(1, { dtyp: 'int64' } as never)).to.throw(
          TypeError,
          "Unknown option 'dtyp' for scalarTensor; expected one of: dtype, device, requiresGrad",
        );
        const g = torch.zerosLike(x, { requiresGrad: true });
        expect(g.requiresGrad && g.isLeaf).to.equal(true);
      });
    });

    it('empty and emptyLike have the right shape and dtype', () => {
      torch.tidy(() => {
        const e = torch.empty([2, 5], { dtype: 'int16' });
        expect(e.shape).to.deep.equal([2, 5]);
        expect(e.dtype).to.equal('int16');
        const l = torch.emptyLike(e);
        expect(l.shape).to.deep.equal([2, 5]);
        expect(l.dtype).to.equal('int16');
      });
    });

    it('requiresGrad option marks a leaf', () => {
      torch.tidy(() => {
        for (const t of [
          torch.zeros([2], { requiresGrad: true }),
          torch.ones(2, { requiresGrad: true }),
          torch.tensor([1.5], { requiresGrad: true }),
          torch.full([1], 2.5, { requiresGrad: true }),
          torch.randn([2], { requiresGrad: true }),
          torch.linspace(0, 1, 3, { requiresGrad: true }),
        ]) {
          expect(t.requiresGrad).to.equal(true);
          expect(t.isLeaf).to.equal(true);
        }
      });
    });

    it('rejects bad sizes, dtypes and options', () => {
      expect(() => torch.zeros([-1])).to.throw(RangeError, 'Expected non-negative dimensions for zeros size but received an array of length 1');
      expect(() => torch.zeros([1.5])).to.throw(TypeError, 'Expected an array of integers for size but received an array of length 1');
      expect(() => torch.zeros([1], { dtype: 'float8' as never })).to.throw(
        TypeError,
        'Expected one of float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool, uint16, uint32, uint64, ' +
          'float8_e4m3fn, float8_e5m2, float8_e4m3fnuz, float8_e5m2fnuz, float8_e8m0fnu, float4_e2m1fn_x2, bits8, bits16, bits1x8, ' +
          "bits2x4, bits4x2 for dtype but received 'float8' of type string",
      );
      expect(() => torch.zeros([1], { dtyp: 'float32' } as never)).to.throw(
        TypeError,
        "Unknown option 'dtyp' for zeros; expected one of: dtype, device, requiresGrad",
      );
      expect(() => torch.rand([2], { dtype: 'int64' })).to.throw(TypeError, "rand() expects a floating point dtype but received 'int64'");
      expect(() => torch.arange(0, 5, 0)).to.throw(RangeError, 'arange: step must be nonzero');
      expect(() => torch.linspace(0, 1, -2)).to.throw(RangeError, 'Expected a non-negative integer for steps but received -2 of type number');
      expect(() => torch.randperm(2.5)).to.throw(RangeError, 'Expected a non-negative integer for n but received 2.5 of type number');
      expect(() => torch.arange(NaN)).to.throw(TypeError, 'Expected finite numbers for arange but received NaN of type number');
    });

    ref.it(
      'requiresGrad on an integer tensor is rejected by libtorch',
      {},
      'torch.zeros(2, dtype=torch.int64, requires_grad=True)',
      () => torch.zeros([2], { dtype: 'int64', requiresGrad: true }),
      { error: true },
    );
  });

  describe('random sampling matches PyTorch for the same seed', () => {
    ref.it('randn', {}, 'torch.randn(3, 4)', () => torch.randn(3, 4), { seed: 0 });
    ref.it('randn of 40 (vectorized path)', {}, 'torch.randn(40)', () => torch.randn(40), { seed: 123 });
    ref.it('randn float64', {}, 'torch.randn(5, dtype=torch.float64)', () => torch.randn([5], { dtype: 'float64' }), { seed: 7 });
    ref.it('rand', {}, 'torch.rand(2, 5)', () => torch.rand(2, 5), { seed: 1 });
    ref.it('randint(high, size)', {}, 'torch.randint(10, (8,))', () => torch.randint(10, [8]), { seed: 2 });
    ref.it('randint(low, high, size)', {}, 'torch.randint(-5, 5, (2, 3))', () => torch.randint(-5, 5, [2, 3]), { seed: 3 });
    ref.it('randperm', {}, 'torch.randperm(10)', () => torch.randperm(10), { seed: 4 });
    ref.it('randnLike', { x: spec([[0, 0, 0]], 'float64') }, 'torch.randn_like(x)', ({ x }) => torch.randnLike(x), { seed: 5 });
    ref.it(
      'randnLike of a transposed tensor draws in its memory order',
      {
        x: spec([
          [0, 0],
          [0, 0],
          [0, 0],
        ]),
      },
      'torch.randn_like(x.t())',
      ({ x }) => torch.randnLike(x.t()),
      { seed: 0 },
    );
    ref.it(
      'randLike of a transposed tensor draws in its memory order',
      {
        x: spec([
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ]),
      },
      'torch.rand_like(x.t())',
      ({ x }) => torch.randLike(x.t()),
      { seed: 12 },
    );
    ref.it(
      'randnLike of a stepped slice (not dense: contiguous draws)',
      { x: spec(D.uniform([4, 6])) },
      'torch.randn_like(x[:, ::2])',
      ({ x }) => torch.randnLike(x.index(':', '::2')),
      { seed: 13 },
    );
    ref.it("randintLike(t, high) keeps t's dtype", { x: spec([0, 0, 0, 0, 0]) }, 'torch.randint_like(x, 10)', ({ x }) => torch.randintLike(x, 10), {
      seed: 14,
    });
    ref.it(
      'randintLike(t, low, high)',
      {
        x: spec(
          [
            [0, 0, 0],
            [0, 0, 0],
          ],
          'int32',
        ),
      },
      'torch.randint_like(x, -5, 5)',
      ({ x }) => torch.randintLike(x, -5, 5),
      { seed: 15 },
    );
    ref.it(
      'randintLike with a dtype',
      { x: spec([0, 0, 0, 0]) },
      'torch.randint_like(x, 3, 9, dtype=torch.int64)',
      ({ x }) => torch.randintLike(x, 3, 9, { dtype: 'int64' }),
      { seed: 16 },
    );
    ref.it(
      'randintLike of a transposed tensor',
      {
        x: spec([
          [0, 0],
          [0, 0],
          [0, 0],
        ]),
      },
      'torch.randint_like(x.t(), 100)',
      ({ x }) => torch.randintLike(x.t(), 100),
      { seed: 17 },
    );
    ref.it('randintLike with low >= high', { x: spec([0, 0]) }, 'torch.randint_like(x, 5, 2)', ({ x }) => torch.randintLike(x, 5, 2), { error: true });
    ref.it('randLike', { x: spec([0, 0, 0, 0]) }, 'torch.rand_like(x)', ({ x }) => torch.randLike(x), { seed: 6 });
    ref.it('normal_', { x: spec([0, 0, 0, 0, 0]) }, 'x.normal_(2.0, 0.5)', ({ x }) => x.normal_(2, 0.5), { seed: 8 });
    ref.it('uniform_', { x: spec([0, 0, 0, 0, 0]) }, 'x.uniform_(-3, 3)', ({ x }) => x.uniform_(-3, 3), { seed: 9 });
    ref.it('bernoulli_', { x: spec([0, 0, 0, 0, 0, 0, 0, 0]) }, 'x.bernoulli_(0.3)', ({ x }) => x.bernoulli_(0.3), { seed: 10 });
    ref.it('bernoulli of probabilities', { p: spec([0.1, 0.9, 0.5, 0.5, 0.2, 0.8]) }, 'torch.bernoulli(p)', ({ p }) => torch.bernoulli(p), { seed: 11 });

    it('manualSeed repeats sequences; randperm with a JS Generator is seeded', () => {
      torch.tidy(() => {
        torch.manualSeed(42);
        const a = torch.randn(10).tolist();
        torch.manualSeed(42);
        const b = torch.randn(10).tolist();
        expect(a).to.deep.equal(b);
        const c = torch.randn(10).tolist();
        expect(c).to.not.deep.equal(a);
        const p1 = torch.randperm(20, { generator: new torch.Generator(5) }).tolist() as number[];
        const p2 = torch.randperm(20, { generator: new torch.Generator(5) }).tolist() as number[];
        expect(p1).to.deep.equal(p2);
        expect([...p1].sort((x, y) => x - y)).to.deep.equal([...Array(20).keys()]);
      });
      expect(() => torch.manualSeed(-1)).to.throw(RangeError, 'Expected a non-negative integer for seed but received -1 of type number');
    });
  });

  describe('type promotion', () => {
    const dtypes: DType[] = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64'];
    const val = (dt: DType): number[] | boolean[] => (dt === 'bool' ? [true, false] : [1, 2]);
    // every pair, both as dimensioned tensors
    for (const a of dtypes) {
      for (const b of dtypes) {
        ref.it(`${a} + ${b}`, { x: spec(val(a), a), y: spec(val(b), b) }, 'x + y', ({ x, y }) => x.add(y));
      }
    }
    // dimensioned tensor with 0-dim tensors and scalars
    for (const a of ['bool', 'uint8', 'int32', 'int64', 'float16', 'float32'] as DType[]) {
      ref.it(`${a} * 0-dim float64`, { x: spec(val(a), a), y: spec(2.5, 'float64') }, 'x * y', ({ x, y }) => x.mul(y));
      ref.it(`${a} * 0-dim int64`, { x: spec(val(a), a), y: spec(3, 'int64') }, 'x * y', ({ x, y }) => x.mul(y));
      ref.it(`${a} * python float`, { x: spec(val(a), a) }, 'x * 2.5', ({ x }) => x.mul(2.5));
      ref.it(`${a} * python int`, { x: spec(val(a), a) }, 'x * 3', ({ x }) => x.mul(3));
      ref.it(`${a} * python bool`, { x: spec(val(a), a) }, 'x * True', ({ x }) => x.mul(true));
    }
    ref.it('int / int is true division in float32', { x: spec([1, 7, -7]), y: spec([2, 2, 2], 'int64') }, 'x.long() / y', ({ x, y }) => x.long().div(y));
    ref.it('int64 + 0-dim float64 gives the default float', { x: spec([1, 2], 'int64'), y: spec(1.5, 'float64') }, 'x + y', ({ x, y }) => x.add(y));
    ref.it('0-dim + 0-dim promotes fully', { x: spec(1, 'float32'), y: spec(1.5, 'float64') }, 'x + y', ({ x, y }) => x.add(y));

    it('setDefaultDtype changes inferred float dtypes', () => {
      torch.tidy(() => {
        torch.setDefaultDtype('float64');
        try {
          expect(torch.tensor([1.5]).dtype).to.equal('float64');
          expect(torch.zeros(2).dtype).to.equal('float64');
          expect(torch.arange(0, 1, 0.5).dtype).to.equal('float64');
          expect(torch.tensor([1]).dtype).to.equal('int64');
        } finally {
          torch.setDefaultDtype('float32');
        }
        expect(torch.getDefaultDtype()).to.equal('float32');
        expect(() => torch.setDefaultDtype('int64' as never)).to.throw(
          TypeError,
          "Expected 'float32' or 'float64' for dtype but received 'int64' of type string",
        );
      });
    });
  });

  describe('metadata', () => {
    it('shape, size, ndim, numel, stride, elementSize, isFloatingPoint', () => {
      torch.tidy(() => {
        const t = torch.zeros([2, 3, 4], { dtype: 'float64' });
        expect(t.shape).to.deep.equal([2, 3, 4]);
        expect(t.size()).to.deep.equal([2, 3, 4]);
        expect(t.size(-1)).to.equal(4);
        expect(t.size(1)).to.equal(3);
        expect(t.ndim).to.equal(3);
        expect(t.dim()).to.equal(3);
        expect(t.numel()).to.equal(24);
        expect(t.stride()).to.deep.equal([12, 4, 1]);
        expect(t.stride(0)).to.equal(12);
        expect(t.elementSize()).to.equal(8);
        expect(t.isFloatingPoint()).to.equal(true);
        expect(torch.zeros([1], { dtype: 'int8' }).isFloatingPoint()).to.equal(false);
        expect(t.isContiguous()).to.equal(true);
        expect(t.storageOffset()).to.equal(0);
        expect(t.type()).to.equal('float64');
        expect(() => t.size(3)).to.throw(RangeError, 'Dimension out of range (expected to be in range of [-3, 2], but got 3)');
      });
    });
  });
});
