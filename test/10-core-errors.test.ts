/**
 * Errors: libtorch failures surface as TorchError with libtorch's first
 * message line (compared with Python's) and a stack that starts at the caller;
 * argument mistakes are TypeError/RangeError; disposed tensors are reported;
 * nothing takes the process down.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../lib/torch/index.js';
import { native } from '../lib/torch/native.js';
import { Data, errorOf, refBatch, spec } from './helpers/python.js';

const HERE = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(HERE), '..');
const D = new Data(110);
const M = spec(D.uniform([3, 4]));
const I = spec(D.ints([3, 4], 0, 3), 'int64');

describe('10 core: errors', () => {
  const ref = refBatch();

  describe("TorchError carries libtorch's first line, as Python shows it", () => {
    // shape mismatches
    ref.it('add of shapes that do not broadcast', { a: M, b: spec([1, 2]) }, 'a + b', ({ a, b }) => a.add(b), { error: true });
    ref.it('matmul of mismatched shapes', { a: M, b: M }, 'a @ b', ({ a, b }) => a.matmul(b), { error: true });
    ref.it('cat of mismatched shapes', { a: M, b: spec([1, 2]) }, 'torch.cat([a, b])', ({ a, b }) => torch.cat([a, b]), { error: true });
    ref.it('view to a wrong size', { a: M }, 'a.view(5)', ({ a }) => a.view(5), { error: true });
    ref.it('expand to an incompatible size', { a: M }, 'a.expand(2, 3)', ({ a }) => a.expand(2, 3), { error: true });
    ref.it(
      'index_put with values of the wrong shape',
      { a: M, i: spec([0, 1], 'int64'), v: spec([1, 2, 3]) },
      'a.index_put_((i,), v)',
      ({ a, i, v }) => a.indexPut_([i], v),
      { error: true },
    );
    // wrong dtypes
    ref.it('gather with a float index', { a: M }, 'a.gather(1, torch.zeros(3, 4))', ({ a }) => a.gather(1, torch.zeros(3, 4)), { error: true });
    ref.it('indexSelect with a float index', { a: M }, 'a.index_select(0, torch.zeros(1))', ({ a }) => a.indexSelect(0, torch.zeros(1)), { error: true });
    ref.it('mean of an int tensor', { a: I }, 'a.mean()', ({ a }) => a.mean(), { error: true });
    ref.it('matmul of float32 and float64', { a: M }, 'a @ a.double().t()', ({ a }) => a.matmul(a.double().t()), { error: true });
    ref.it('float result into an int tensor', { a: I }, 'a.mul_(0.5)', ({ a }) => a.mul_(0.5), { error: true });
    ref.it('negation of a bool tensor', { a: spec([true], 'bool') }, '-a', ({ a }) => a.neg(), { error: true });
    ref.it('a float result written into a bool tensor', { a: M }, 'a.bool().sqrt_()', ({ a }) => a.bool().sqrt_(), { error: true });
    ref.it('randn with an int dtype (via normal_)', { a: I }, 'a.normal_()', ({ a }) => a.normal_(), { error: true });
    // out of range
    ref.it('a dim out of range', { a: M }, 'a.sum(2)', ({ a }) => a.sum(2), { error: true });
    ref.it('a negative dim out of range', { a: M }, 'a.softmax(-3)', ({ a }) => a.softmax(-3), { error: true });
    ref.it('transpose with a dim out of range', { a: M }, 'a.transpose(0, 5)', ({ a }) => a.transpose(0, 5), { error: true });
    ref.it('select out of range', { a: M }, 'a.select(0, 3)', ({ a }) => a.select(0, 3), { error: true });
    ref.it('index tensor out of range', { a: M }, 'a[torch.tensor([3])]', ({ a }) => a.index(torch.tensor([3])), { error: true });
    ref.it('indexSelect out of range', { a: M }, 'a.index_select(1, torch.tensor([4]))', ({ a }) => a.indexSelect(1, torch.tensor([4])), { error: true });
    ref.it('take out of range', { a: M }, 'a.take(torch.tensor([12]))', ({ a }) => a.take(torch.tensor([12])), { error: true });
    ref.it('narrow past the end', { a: M }, 'a.narrow(1, 2, 3)', ({ a }) => a.narrow(1, 2, 3), { error: true });
    ref.it('topk with k too large', { a: M }, 'a.topk(5)', ({ a }) => a.topk(5), { error: true });
    ref.it('randint with high <= low', {}, 'torch.randint(3, 1, (2,))', () => torch.randint(3, 1, [2]), { error: true });
    ref.it('multinomial of all-zero weights', {}, 'torch.zeros(3).multinomial(1)', () => torch.zeros(3).multinomial(1), { error: true });
    // autograd
    ref.it('backward of a tensor without grad', { a: M }, 'a.sum().backward()', ({ a }) => a.sum().backward(), { error: true });

    it('is an Error named TorchError whose message is one line', () => {
      torch.tidy(() => {
        const e = errorOf(() => torch.ones(2, 3).matmul(torch.ones(2, 3)));
        expect(e).to.be.instanceOf(Error);
        expect(e).to.be.instanceOf(torch.TorchError);
        expect(e.name).to.equal('TorchError');
        expect(e.message).to.equal('mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)');
        expect(String(e)).to.equal('TorchError: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)');
      });
    });

    it('cuts a multi-line libtorch message to its first line', () => {
      // the dispatcher's "Could not run" error lists every registered kernel on further lines
      // (the XLA backend has none in any libtorch build)
      const e = errorOf(() => native.callOp(native.lookupOp('aten::empty', 'memory_format'), [2], 6, undefined, 'xla:0'));
      expect(e).to.be.instanceOf(torch.TorchError);
      expect(e.message).to.match(/^Could not run 'aten::empty\.memory_format' with arguments from the 'XLA' backend\. .*PythonDispatcher\]\.$/);
      expect(e.message).to.not.contain('\n');
    });
  });

  describe('the stack starts at the caller', () => {
    const firstFrame = (e: Error) => (e.stack ?? '').split('\n')[1] ?? '';
    const cases: [string, () => unknown][] = [
      ['a generated method', () => torch.ones(2).matmul(torch.ones(3))],
      ['a generated function', () => torch.cat([torch.ones(2), torch.ones(2, 2)])],
      ['a Tensor method', () => torch.ones(3).item()],
      ['backward', () => torch.ones(2).sum().backward()],
      ['a factory', () => torch.fromTypedArray(new Float32Array(3), [2])],
      ['indexing', () => torch.ones(2).index(torch.tensor([5]))],
      [
        'a disposed tensor',
        () => {
          const t = torch.ones(1);
          t.dispose();
          return t.add(1);
        },
      ],
    ];
    for (const [name, f] of cases) {
      it(`for ${name}`, () => {
        torch.tidy(() => {
          const e = errorOf(f);
          expect(e).to.be.instanceOf(torch.TorchError);
          expect(firstFrame(e), e.stack).to.contain(path.basename(HERE));
          expect(e.stack, 'no frames from lib/torch').to.not.match(/[\\/]lib[\\/]torch[\\/]/);
        });
      });
    }
  });

  describe('disposed tensors', () => {
    it('are reported wherever they are used', () => {
      torch.tidy(() => {
        const d = torch.ones(2);
        d.dispose();
        const ok = torch.ones(2);
        const uses: [string, () => unknown][] = [
          ['method', () => d.mul(2)],
          ['as an argument', () => ok.add(d)],
          ['in a list', () => torch.cat([ok, d])],
          ['as an index', () => ok.index(d)],
          ['as a gradient', () => ok.mul(2).backward(d)],
          ['metadata', () => d.dtype],
          ['data', () => d.dataSync()],
          ['autograd', () => d.requiresGrad_()],
          ['printing', () => String(d)],
          ['to', () => d.to('float64')],
        ];
        for (const [name, use] of uses) {
          const e = errorOf(use);
          expect(e, name).to.be.instanceOf(torch.TorchError);
          expect(e.message, name).to.equal('Tensor has been disposed');
        }
      });
    });
  });

  describe('argument mistakes are TypeErrors and RangeErrors', () => {
    it('non-tensors where tensors are expected', () => {
      torch.tidy(() => {
        const x = torch.ones(2, 3);
        expect(() => x.matmul(3 as never)).to.throw(TypeError, 'matmul: Expected Tensor for other but received 3 of type number');
        expect(() => torch.cat([x, 1 as never])).to.throw(TypeError, 'cat: Expected Tensor for tensors[1] but received 1 of type number');
        expect(() => torch.cat(x as never)).to.throw(TypeError, 'cat: Expected an array of Tensors for tensors but received an object of type Tensor');
        expect(() => torch.where(1 as never, x, x)).to.throw(TypeError, 'where: Expected Tensor for condition but received 1 of type number');
        expect(() => torch.einsum('ij', 3 as never)).to.throw(TypeError, 'einsum: Expected Tensor for tensors[0] but received 3 of type number');
        expect(() => x.setData_(3 as never)).to.throw(TypeError, 'Expected Tensor for src but received 3 of type number');
        expect(() => x.isSame(null as never)).to.throw(TypeError, 'Expected Tensor for other but received null');
      });
    });

    it('values that are neither tensors nor scalars', () => {
      torch.tidy(() => {
        const x = torch.ones(2, 3);
        expect(() => x.add('a' as never)).to.throw(TypeError, "add: Expected Tensor or number for other but received 'a' of type string");
        expect(() => x.mul(new Map() as never)).to.throw(TypeError, 'mul: Expected Tensor or number for other but received an object of type Map');
        expect(() => x.sub(2n ** 64n)).to.throw(RangeError, 'sub: Expected a 64-bit integer for other but received 18446744073709551616 of type bigint');
        expect(() => x.clamp('a' as never)).to.throw(
          TypeError,
          "clamp: Expected Tensor or a number, boolean or BigInt, or null for min but received 'a' of type string",
        );
        expect(() => x.maskedFill(x.gt(0), [1] as never)).to.throw(
          TypeError,
          'maskedFill: Expected Tensor or a number, boolean or BigInt for value but received an array of length 1',
        );
      });
    });

    it('bad shapes, dtypes, devices and options', () => {
      torch.tidy(() => {
        const x = torch.ones(2, 3);
        expect(() => x.view([2, 'a'] as never)).to.throw(TypeError, "view: Expected an integer for size[1] but received 'a' of type string");
        expect(() => x.reshape(1.5, 4)).to.throw(TypeError, 'reshape: Expected an integer for shape[0] but received 1.5 of type number');
        expect(() => x.permute([0, 'a'] as never)).to.throw(TypeError, "permute: Expected an integer for dims[1] but received 'a' of type string");
        expect(() => x.to('float' as never)).to.throw(
          TypeError,
          "Expected a device like 'cpu', 'cuda' or 'cuda:0' for device but received 'float' of type string",
        );
        expect(() => x.sum(0, false, { dtype: 'int' as never })).to.throw(
          TypeError,
          /^sum: Expected one of float32, .* for dtype but received 'int' of type string$/,
        );
        expect(() => x.add(1, { alhpa: 2 } as never)).to.throw(TypeError, "Unknown option 'alhpa' for add; expected one of: alpha");
        expect(() => x.index(2.5)).to.throw(TypeError, 'Expected an integer index for index but received 2.5 of type number');
        expect(() => torch.tensor({} as never)).to.throw(TypeError, 'Expected numbers or booleans in tensor data but received an object of type Object');
        expect(() => torch.randint(1.5, [2])).to.throw(TypeError, 'Expected integer bounds for randint but received an array of length 2');
        expect(() => torch.manualSeed(1.5)).to.throw(RangeError, 'Expected a non-negative integer for seed but received 1.5 of type number');
        expect(() => torch.setNumThreads(0)).to.throw(RangeError, 'Expected a positive integer for numThreads but received 0 of type number');
        expect(() => x.size(5)).to.throw(RangeError, 'Dimension out of range (expected to be in range of [-2, 1], but got 5)');
      });
    });

    // The dispatcher checks each argument against the operator's schema; a
    // value of the wrong kind is a TypeError (as Python raises), not a TorchError.
    it('values of the wrong kind for an operator argument are TypeErrors', () => {
      torch.tidy(() => {
        const x = torch.ones(2, 3);
        const cases: [() => unknown, string][] = [
          [() => x.transpose('a' as never, 1), "transpose: Expected an integer for dim0 but received 'a' of type string"],
          [() => x.topk('2' as never), "topk: Expected an integer for k but received '2' of type string"],
          [() => x.div(2, { roundingMode: 3 as never }), 'div: Expected a string for roundingMode but received 3 of type number'],
          [() => torch.einsum(3 as never, [x]), 'einsum: Expected a string for equation but received 3 of type number'],
          [() => x.sum('a' as never), "sum: Expected an integer or an array of integers for dim but received 'a' of type string"],
          [() => x.sum(1.5), 'sum: Expected an integer for dim but received 1.5 of type number'],
          [() => torch.full([2], 'a' as never), "Expected a number, boolean or bigint for fillValue but received 'a' of type string"],
          [
            () => native.callOp(native.lookupOp('aten::fill_', 'Scalar'), x._h, 'a'),
            "Expected a number, boolean or bigint for aten::fill_.Scalar argument 'value' but received 'a' of type string",
          ],
          [() => (x as unknown as { softmax(): unknown }).softmax(), 'softmax: Expected an integer for dim but received undefined'],
          [() => x.add(undefined as never), 'add: Expected Tensor or number for other but received undefined'],
          [() => (x.add as (...a: unknown[]) => unknown)(1, 2, 3), 'add: Expected at most 1 positional arguments but received 3'],
          [
            () => torch.fromTypedArray([1, 2] as never, [2]),
            'Expected a Float32Array, Float64Array, BigInt64Array, BigUint64Array, Int32Array, Int16Array, Int8Array, Uint8Array, Uint16Array or Uint32Array for data but received an array of length 2',
          ],
        ];
        for (const [f, msg] of cases) {
          const e = errorOf(f);
          expect(e.message).to.equal(msg);
          expect(e, msg).to.be.instanceOf(TypeError);
        }
      });
    });

    it('non-integral numbers for integer arguments are rejected, not truncated', () => {
      torch.tidy(() => {
        const x = torch.tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        for (const [name, f] of [
          ['sum(0.5)', () => x.sum(0.5)],
          ['softmax(1.5)', () => x.float().softmax(1.5)],
          ['select(0, NaN)', () => x.select(0, NaN)],
          ['narrow(1, 0.7, 1)', () => x.narrow(1, 0.7, 1)],
          ['topk(1.5)', () => x.topk(1.5)],
        ] as [string, () => unknown][]) {
          expect(f, name).to.throw(TypeError);
        }
      });
    });

    it('int64 data beyond 64 bits is rejected, not wrapped', () => {
      expect(() => torch.tensor([2n ** 70n])).to.throw(RangeError);
      expect(() => torch.tensor([-(2n ** 63n) - 1n])).to.throw(RangeError);
    });
  });

  describe('nothing takes the process down', () => {
    it('a barrage of bad calls, at the API and at the addon, leaves the process alive', function () {
      this.timeout(60_000);
      const script = `
import * as torch from ${JSON.stringify(path.join(ROOT, 'lib/torch/index.ts'))};
import { native } from ${JSON.stringify(path.join(ROOT, 'lib/torch/native.ts'))};
const x = torch.ones(2, 3);
const d = torch.ones(2); d.dispose();
const calls = [
  () => x.matmul(x), () => x.view(7), () => x.index(9), () => x.add(d), () => d.dispose(), () => x.sum(99),
  () => torch.empty([1e6, 1e6, 1e6]), () => torch.zeros([2], { device: 'cuda' }), () => x.to('cuda:3'),
  () => native.shape(3), () => native.callOp(999999), () => native.callOp(-1), () => native.fromBytes('x', 6, [1]),
  () => native.fromBytes(new Float32Array(1), 99, [1]), () => native.lookupOp('aten::nope', ''), () => native.backward(x._h, 3),
  () => native.setRequiresGrad(x._h, 'a'), () => native.cudaSynchronize(0), () => native.item(torch.zeros(0)._h),
  () => native.callOp(native.lookupOp('aten::to', 'device'), x._h, 'nodevice', 6, false, false),
  () => native.callOp(native.lookupOp('aten::add', 'Tensor'), x._h, {}, 1), () => native.callOp(native.lookupOp('aten::cat', ''), [x._h, 5], 0),
  () => native.clipGradNorm([x._h], 'a', 2, false), () => native.adamStep([x._h], [], [], [], [], {}),
  () => native.opInfo(-5), () => native.indexBasic(x._h, [1] as never, 1, 0), () => native.indexBasic(x._h, new Float64Array(4), 9, 0),
  () => torch.ones(2).sum().backward(), () => { const y = x.mul(1); y.backward(torch.ones(2, 3), { retainGraph: 'x' }); },
];
let thrown = 0;
for (let r = 0; r < 20; r++) for (const c of calls) { try { c(); } catch { thrown++; } }
console.log('alive ' + thrown);
`;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-errors-'));
      try {
        const file = path.join(dir, 'barrage.ts');
        fs.writeFileSync(file, script);
        const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
        expect(r.signal, r.stderr).to.equal(null);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout.trim()).to.match(/^alive \d+$/);
        expect(Number(r.stdout.trim().split(' ')[1])).to.be.greaterThan(400);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
