/**
 * int64 beyond 2^53, compared digit for digit with PyTorch: integer scalars
 * passed to ops keep integer tensors integer and exact; bigints in data
 * (torch.tensor, full, fullLike, scalarTensor, indexPut_) keep all 64 bits;
 * item/tolist with { bigint: true } and the printed form give them back.
 * Values cross as decimal strings (JSON numbers would round them on the way).
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { native } from '../lib/torch/native.js';
import { hasPythonTorch, PYTHON, runTorch } from './helpers/python.js';

/** A tensor or scalar as exact decimal strings. */
interface Exact {
  dtype: string;
  shape: number[];
  values: string[];
}

interface PyResult {
  out?: Exact;
  error?: string;
}

const PY = String.raw`
def exact(t):
    if isinstance(t, str):
        return {'dtype': 'str', 'shape': [], 'values': [t]}
    if isinstance(t, list):
        return {'dtype': 'list', 'shape': [], 'values': [str(v) for v in t]}
    if not isinstance(t, torch.Tensor):
        return {'dtype': type(t).__name__, 'shape': [], 'values': [str(t)]}
    flat = t.detach().reshape(-1).tolist()
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape),
            'values': [str(int(v)) if isinstance(v, (bool, int)) and not t.dtype.is_floating_point else repr(float(v)) for v in flat]}

out = []
for c in INPUT:
    try:
        env = {'torch': torch}
        if c['stmt']:
            exec(c['py'], env)
            r = env['out']
        else:
            r = eval(c['py'], env)
        out.append({'out': exact(r)})
    except Exception as e:
        out.append({'error': type(e).__name__ + ': ' + str(e).split('\n')[0]})
emit(out)
`;

/** A TS tensor (or bigint/number) as exact decimal strings (floats as Python's repr would parse). */
function exactOf(v: unknown): Exact {
  if (typeof v === 'bigint') return { dtype: 'int', shape: [], values: [String(v)] };
  if (typeof v === 'string') return { dtype: 'str', shape: [], values: [v] };
  if (Array.isArray(v)) return { dtype: 'list', shape: [], values: v.map(String) };
  const t = v as Tensor;
  const d = t.dtype;
  const flat = ([t.tolist({ bigint: true })] as unknown[]).flat(Infinity as 1) as (number | bigint | boolean)[];
  const floating = t.isFloatingPoint();
  return {
    dtype: d,
    shape: t.shape,
    values: flat.map((x) => (typeof x === 'boolean' ? String(Number(x)) : floating ? String(Number(x)) : String(x))),
  };
}

/** Floats compare as numbers (Python's repr and JS's String differ in form, not value). */
function expectExact(actual: Exact, expected: Exact, name: string): void {
  expect(actual.dtype, `${name}: dtype`).to.equal(expected.dtype);
  expect(actual.shape, `${name}: shape`).to.deep.equal(expected.shape);
  const floating = /^(b?float)/.test(expected.dtype); // tensors' float dtypes and Python's float
  const norm = (xs: string[]): (string | number)[] => (floating ? xs.map(Number) : xs);
  expect(norm(actual.values), `${name}: values`).to.deep.equal(norm(expected.values));
}

class ExactBatch {
  private cases: { py: string; stmt: boolean }[] = [];
  private results: PyResult[] = [];

  constructor() {
    before(function (this: Mocha.Context) {
      if (!hasPythonTorch()) {
        console.log(`    reference PyTorch not available at ${PYTHON}: skipping`);
        this.skip();
      }
      this.timeout(120_000);
    });
    before(() => {
      this.results = runTorch<PyResult[]>(PY, this.cases);
    });
  }

  /** A case: `fn` must give Python's exact result, or throw `errorClass` where Python raises. */
  it(name: string, py: string, fn: () => unknown, opts: { stmt?: boolean; errorClass?: new (...a: never[]) => Error; message?: string } = {}): void {
    const i = this.cases.length;
    this.cases.push({ py, stmt: opts.stmt ?? false });
    it(name, () => {
      const r = this.results[i];
      torch.tidy(() => {
        if (opts.errorClass) {
          expect(r.error, `Python did not raise for ${py}`).to.be.a('string');
          let err: Error | undefined;
          try {
            fn();
          } catch (e) {
            err = e as Error;
          }
          expect(err, `${name}: no error`).to.be.instanceOf(opts.errorClass);
          expect(err?.message).to.equal(opts.message ?? r.error?.replace(/^\w+: /, ''));
          return;
        }
        if (r.error !== undefined) throw new Error(`reference Python raised ${r.error} (for ${py})`);
        expectExact(exactOf(fn()), r.out as Exact, name);
      });
    });
  }
}

describe('10 core: int64 beyond 2^53, exact as in PyTorch', () => {
  describe('integer scalars keep integer tensors integer and exact', () => {
    const ref = new ExactBatch();
    const big = (): Tensor => torch.tensor([2n ** 53n + 1n, -(2n ** 60n) - 3n, 5n]);
    ref.it('add(2 ** 53)', 'torch.tensor([1, -2, 3]).add(2**53)', () => torch.tensor([1, -2, 3]).add(2 ** 53));
    ref.it('sub(2 ** 53 + 2)', 'torch.tensor([1, -2, 3]).sub(2**53 + 2)', () => torch.tensor([1, -2, 3]).sub(2 ** 53 + 2));
    ref.it('mul(2 ** 40)', 'torch.tensor([3, -5, 7]).mul(2**40)', () => torch.tensor([3, -5, 7]).mul(2 ** 40));
    ref.it('add(2 ** 62) to large values', 'torch.tensor([2**53 + 1, -2**60 - 3, 5]).add(2**62)', () => big().add(2 ** 62));
    ref.it('clamp(2 ** 53)', 'torch.tensor([1, -2, 3]).clamp(2**53)', () => torch.tensor([1, -2, 3]).clamp(2 ** 53));
    ref.it('clamp(null, -(2 ** 60))', 'torch.tensor([2**53 + 1, -2**60 - 3, 5]).clamp(None, -2**60)', () => big().clamp(null, -(2 ** 60)));
    ref.it('where(cond, x, 2 ** 53)', 'torch.where(torch.tensor([True, False, True]), torch.tensor([1, 2, 3]), 2**53)', () =>
      torch.where(torch.tensor([true, false, true]), torch.tensor([1, 2, 3]), 2 ** 53),
    );
    ref.it('where(cond, 2 ** 53, -(2 ** 62))', 'torch.where(torch.tensor([True, False]), 2**53, -2**62)', () =>
      torch.where(torch.tensor([true, false]), 2 ** 53, -(2 ** 62)),
    );
    ref.it('eq(2 ** 53) of 2 ** 53 + 1 is false', 'torch.tensor([2**53 + 1, 2**53]).eq(2**53)', () => torch.tensor([2n ** 53n + 1n, 2n ** 53n]).eq(2 ** 53));
    ref.it('gt(2 ** 60) compares exactly', 'torch.tensor([2**60 + 1, 2**60, 2**60 - 1]).gt(2**60)', () =>
      torch.tensor([2n ** 60n + 1n, 2n ** 60n, 2n ** 60n - 1n]).gt(2 ** 60),
    );
    ref.it('add(2 ** 63) wraps as PyTorch (a uint64 scalar)', 'torch.tensor([1, -2]).add(2**63)', () => torch.tensor([1, -2]).add(2 ** 63));
    ref.it('a float tensor with a large integer scalar stays float', 'torch.tensor([1.5, -2.5]).add(2**53 + 2)', () =>
      torch.tensor([1.5, -2.5]).add(2 ** 53 + 2),
    );
    ref.it('int32 with a large integer scalar', 'torch.tensor([1, 2], dtype=torch.int32).add(2**40)', () =>
      torch.tensor([1, 2], { dtype: 'int32' }).add(2 ** 40),
    );
    ref.it('1e20 is a float scalar (beyond 64 bits)', 'torch.tensor([1, 2]).add(1e20)', () => torch.tensor([1, 2]).add(1e20));
    ref.it('remainder(2 ** 55 + 8)', 'torch.tensor([2**62 + 12345, -7]).remainder(2**55 + 8)', () =>
      torch.tensor([2n ** 62n + 12345n, -7n]).remainder(2 ** 55 + 8),
    );
  });

  it('integers outside 64 bits are RangeErrors at the addon, not wrapped', () => {
    torch.tidy(() => {
      const x = torch.zeros([2], { dtype: 'int64' });
      const fill = native.lookupOp('aten::fill_', 'Scalar');
      const select = native.lookupOp('aten::select', 'int');
      const cases: [() => unknown, string][] = [
        [
          () => native.callOp(fill, x._h, 2n ** 70n),
          "Expected an integer that fits in int64 or uint64 for aten::fill_.Scalar argument 'value' but received 1180591620717411303424",
        ],
        [
          () => native.callOp(fill, x._h, -(2n ** 63n) - 1n),
          "Expected an integer that fits in int64 or uint64 for aten::fill_.Scalar argument 'value' but received -9223372036854775809",
        ],
        [
          () => native.callOp(select, x._h, 0, 1e20),
          "Expected an integer that fits in int64 for aten::select.int argument 'index' but received 1e+20 of type number",
        ],
        [() => native.callOp(select, x._h, 0, 2n ** 64n), "Expected an integer that fits in int64 for aten::select.int argument 'index'"],
      ];
      for (const [f, msg] of cases) {
        let err: Error | undefined;
        try {
          f();
        } catch (e) {
          err = e as Error;
        }
        expect(err, msg).to.be.instanceOf(RangeError);
        expect(err?.message).to.equal(msg);
      }
      // a uint64 Scalar fills a uint64 tensor with all its bits
      const u = torch.zeros([1], { dtype: 'uint64' });
      native.callOp(fill, u._h, 2n ** 64n - 1n);
      expect(u.tolist({ bigint: true })).to.deep.equal([2n ** 64n - 1n]);
    });
  });

  describe('bigints in data keep all 64 bits', () => {
    const ref = new ExactBatch();
    ref.it('torch.tensor of bigints', 'torch.tensor([2**53 + 1, -2**63, 2**63 - 1])', () => torch.tensor([2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n]));
    ref.it('torch.tensor of bigints and numbers', 'torch.tensor([[2**62 + 7, 3], [-5, 2**60]])', () =>
      torch.tensor([
        [2n ** 62n + 7n, 3],
        [-5, 2 ** 60],
      ]),
    );
    ref.it('torch.tensor of large numbers with int64', 'torch.tensor([2**53 + 2, -2**62], dtype=torch.int64)', () =>
      torch.tensor([2 ** 53 + 2, -(2 ** 62)], { dtype: 'int64' }),
    );
    ref.it('torch.tensor of bigints as uint64', 'torch.tensor([2**64 - 1, 2**63 + 1], dtype=torch.uint64)', () =>
      torch.tensor([2n ** 64n - 1n, 2n ** 63n + 1n], { dtype: 'uint64' }),
    );
    ref.it('full with a bigint', 'torch.full([2], 2**62 + 1)', () => torch.full([2], 2n ** 62n + 1n));
    ref.it('full with a large integral number', 'torch.full([2], 2**53 + 2)', () => torch.full([2], 2 ** 53 + 2));
    ref.it('full with a bigint as uint64', 'torch.full([1], 2**64 - 1, dtype=torch.uint64)', () => torch.full([1], 2n ** 64n - 1n, { dtype: 'uint64' }));
    ref.it('full with a bigint past int64 as int64 raises', 'torch.full([1], 2**63)', () => torch.full([1], 2n ** 63n), { errorClass: torch.TorchError });
    ref.it('fullLike with a bigint', 'torch.full_like(torch.tensor([1, 2]), -2**61 - 1)', () => torch.fullLike(torch.tensor([1, 2]), -(2n ** 61n) - 1n));
    ref.it('scalarTensor with a bigint', 'torch.scalar_tensor(2**62 + 3, dtype=torch.int64)', () => torch.scalarTensor(2n ** 62n + 3n, { dtype: 'int64' }));
    ref.it('arange past 2 ** 53', 'torch.arange(2**53, 2**53 + 8, 3)', () => torch.arange(2 ** 53, 2 ** 53 + 8, 3));
    ref.it(
      'indexPut_ of a bigint into a view',
      'x = torch.zeros(3, dtype=torch.int64)\nx[1] = 2**62 + 1\nout = x',
      () => torch.zeros([3], { dtype: 'int64' }).indexPut_([1], 2n ** 62n + 1n),
      { stmt: true },
    );
    ref.it(
      'indexPut_ of a bigint at an index tensor',
      'x = torch.zeros(3, dtype=torch.int64)\nx[torch.tensor([0, 2])] = -2**63\nout = x',
      () => torch.zeros([3], { dtype: 'int64' }).indexPut_([torch.tensor([0, 2])], -(2n ** 63n)),
      { stmt: true },
    );
    ref.it(
      'indexPut_ of a large number at a mask',
      'x = torch.zeros(3, dtype=torch.int64)\nx[torch.tensor([True, False, True])] = 2**60 + 256\nout = x',
      () => torch.zeros([3], { dtype: 'int64' }).indexPut_([torch.tensor([true, false, true])], 2 ** 60 + 256),
      { stmt: true },
    );
    ref.it('a sum past 2 ** 53', 'torch.tensor([2**62, 2**62 - 1, 2**53 + 1]).sum()', () => torch.tensor([2n ** 62n, 2n ** 62n - 1n, 2n ** 53n + 1n]).sum());
  });

  describe('item, tolist and printing give them back', () => {
    const ref = new ExactBatch();
    ref.it('item({ bigint: true }) of int64', 'torch.tensor([2**53 + 1])[0].item()', () =>
      torch
        .tensor([2n ** 53n + 1n])
        .index(0)
        .item({ bigint: true }),
    );
    ref.it('item({ bigint: true }) of uint64', 'torch.tensor([2**64 - 1], dtype=torch.uint64)[0].item()', () =>
      torch
        .tensor([2n ** 64n - 1n], { dtype: 'uint64' })
        .index(0)
        .item({ bigint: true }),
    );
    ref.it('tolist({ bigint: true })', 'torch.tensor([[2**62 + 1, -1], [0, -2**63]]).reshape(-1).tolist()', () =>
      (
        torch
          .tensor([
            [2n ** 62n + 1n, -1n],
            [0n, -(2n ** 63n)],
          ])
          .tolist({ bigint: true }) as bigint[][]
      ).flat(),
    );
    ref.it('printing int64', 'str(torch.tensor([2**53 + 1, -2**63, 7]))', () => String(torch.tensor([2n ** 53n + 1n, -(2n ** 63n), 7n])));
    ref.it('printing uint64', 'str(torch.tensor([2**64 - 1, 3], dtype=torch.uint64))', () => String(torch.tensor([2n ** 64n - 1n, 3n], { dtype: 'uint64' })));
  });
});
