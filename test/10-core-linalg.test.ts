/**
 * Matrix products and einsum against PyTorch, forward and gradients.
 */
import * as torch from '../lib/torch/index.js';
import { Data, refBatch, spec } from './helpers/python.js';

const D = new Data(50);
const M23 = spec(D.uniform([2, 3]));
const M34 = spec(D.uniform([3, 4]));
const M24 = spec(D.uniform([2, 4]));
const V3 = spec(D.uniform([3]));
const V4 = spec(D.uniform([4]));
const B234 = spec(D.uniform([2, 3, 4]));
const B245 = spec(D.uniform([2, 4, 5]));
const B235 = spec(D.uniform([2, 3, 5]));
const B1_45 = spec(D.uniform([1, 4, 5]));
const T4 = spec(D.uniform([2, 1, 3, 4]));
const T4b = spec(D.uniform([3, 4, 2]));
const I23 = spec(D.ints([2, 3], -4, 5), 'int64');
const I34 = spec(D.ints([3, 4], -4, 5), 'int64');
const F64_23 = spec(D.uniform([2, 3]), 'float64');
const F64_34 = spec(D.uniform([3, 4]), 'float64');

describe('10 core: linear algebra and einsum', () => {
  const ref = refBatch();
  const tol = { rtol: 1e-5, atol: 1e-5 };

  describe('matmul and friends', () => {
    ref.it('matmul 2-D', { a: M23, b: M34 }, 'a @ b', ({ a, b }) => a.matmul(b), { grad: true, ...tol });
    ref.it('matmul vector-matrix', { a: V3, b: M34 }, 'torch.matmul(a, b)', ({ a, b }) => torch.matmul(a, b), { grad: true, ...tol });
    ref.it('matmul matrix-vector', { a: M34, b: V4 }, 'a @ b', ({ a, b }) => a.matmul(b), { grad: true, ...tol });
    ref.it('matmul vector-vector is a 0-dim dot', { a: V3, b: V3 }, 'a @ b', ({ a, b }) => a.matmul(b), { grad: true, ...tol });
    ref.it('matmul batched', { a: B234, b: B245 }, 'a @ b', ({ a, b }) => a.matmul(b), { grad: true, ...tol });
    ref.it('matmul broadcasts batch dims', { a: B234, b: B1_45 }, 'a @ b', ({ a, b }) => a.matmul(b), { grad: true, ...tol });
    ref.it('matmul broadcasts a matrix over a batch', { a: B234, b: spec(D.uniform([4, 2])) }, 'a @ b', ({ a, b }) => a.matmul(b), { grad: true, ...tol });
    ref.it('matmul 4-D by 3-D', { a: T4, b: T4b }, 'a @ b', ({ a, b }) => a.matmul(b), { grad: true, ...tol });
    ref.it('matmul of ints', { a: I23, b: I34 }, 'a @ b', ({ a, b }) => a.matmul(b));
    ref.it('matmul float64', { a: F64_23, b: F64_34 }, 'a @ b', ({ a, b }) => a.matmul(b), { grad: true });
    ref.it('mm', { a: M23, b: M34 }, 'torch.mm(a, b)', ({ a, b }) => torch.mm(a, b), { grad: true, ...tol });
    ref.it('mm of a transposed view', { a: M23, b: M24 }, 'a.t().mm(b)', ({ a, b }) => a.t().mm(b), { grad: true, ...tol });
    ref.it('bmm', { a: B234, b: B245 }, 'torch.bmm(a, b)', ({ a, b }) => a.bmm(b), { grad: true, ...tol });
    ref.it('addmm', { c: M24, a: M23, b: M34 }, 'torch.addmm(c, a, b)', ({ c, a, b }) => c.addmm(a, b), { grad: true, ...tol });
    ref.it(
      'addmm with beta and alpha',
      { c: V4, a: M23, b: M34 },
      'torch.addmm(c, a, b, beta=0.5, alpha=-2)',
      ({ c, a, b }) => torch.addmm(c, a, b, { beta: 0.5, alpha: -2 }),
      { grad: true, ...tol },
    );
    ref.it('addmm_', { c: M24, a: M23, b: M34 }, 'c.addmm_(a, b, alpha=3)', ({ c, a, b }) => c.addmm_(a, b, { alpha: 3 }), tol);
    ref.it(
      'baddbmm',
      { c: B235, a: B234, b: B245 },
      'torch.baddbmm(c, a, b, beta=2, alpha=0.5)',
      ({ c, a, b }) => torch.baddbmm(c, a, b, { beta: 2, alpha: 0.5 }),
      { grad: true, ...tol },
    );
    ref.it('baddbmm_', { c: B235, a: B234, b: B245 }, 'c.baddbmm_(a, b)', ({ c, a, b }) => c.baddbmm_(a, b), tol);
    ref.it('dot', { a: V3, b: V3 }, 'torch.dot(a, b)', ({ a, b }) => a.dot(b), { grad: true, ...tol });
    ref.it('outer', { a: V3, b: V4 }, 'torch.outer(a, b)', ({ a, b }) => torch.outer(a, b), { grad: true, ...tol });
  });

  describe('einsum', () => {
    ref.it("einsum 'ij,jk->ik'", { a: M23, b: M34 }, "torch.einsum('ij,jk->ik', a, b)", ({ a, b }) => torch.einsum('ij,jk->ik', [a, b]), {
      grad: true,
      ...tol,
    });
    ref.it("einsum 'bij,bjk->bik'", { a: B234, b: B245 }, "torch.einsum('bij,bjk->bik', a, b)", ({ a, b }) => torch.einsum('bij,bjk->bik', [a, b]), {
      grad: true,
      ...tol,
    });
    ref.it("einsum trace 'ii'", { a: spec(D.uniform([3, 3])) }, "torch.einsum('ii', a)", ({ a }) => torch.einsum('ii', [a]), { grad: true, ...tol });
    ref.it("einsum diagonal 'ii->i'", { a: spec(D.uniform([3, 3])) }, "torch.einsum('ii->i', a)", ({ a }) => torch.einsum('ii->i', [a]), {
      grad: true,
      ...tol,
    });
    ref.it("einsum transpose 'ij->ji'", { a: M23 }, "torch.einsum('ij->ji', a)", ({ a }) => torch.einsum('ij->ji', [a]), { grad: true });
    ref.it("einsum sum 'ijk->'", { a: B234 }, "torch.einsum('ijk->', a)", ({ a }) => torch.einsum('ijk->', [a]), { grad: true, ...tol });
    ref.it("einsum outer 'i,j->ij'", { a: V3, b: V4 }, "torch.einsum('i,j->ij', a, b)", ({ a, b }) => torch.einsum('i,j->ij', [a, b]), { grad: true, ...tol });
    ref.it("einsum implicit output 'ij,jk'", { a: M23, b: M34 }, "torch.einsum('ij,jk', a, b)", ({ a, b }) => torch.einsum('ij,jk', [a, b]), tol);
    ref.it(
      "einsum ellipsis '...ij,...jk->...ik'",
      { a: B234, b: B245 },
      "torch.einsum('...ij,...jk->...ik', a, b)",
      ({ a, b }) => torch.einsum('...ij,...jk->...ik', [a, b]),
      { grad: true, ...tol },
    );
    ref.it(
      "einsum attention 'bhqd,bhkd->bhqk'",
      { q: spec(D.uniform([1, 2, 3, 4])), k: spec(D.uniform([1, 2, 5, 4])) },
      "torch.einsum('bhqd,bhkd->bhqk', q, k)",
      ({ q, k }) => torch.einsum('bhqd,bhkd->bhqk', [q, k]),
      { grad: true, ...tol },
    );
    ref.it('einsum three operands', { a: V3, b: M34, c: V4 }, "torch.einsum('i,ij,j->', a, b, c)", ({ a, b, c }) => torch.einsum('i,ij,j->', [a, b, c]), {
      grad: true,
      ...tol,
    });
  });

  describe('errors', () => {
    ref.it('mm with mismatched inner dims', { a: M23, b: M24 }, 'torch.mm(a, b)', ({ a, b }) => a.mm(b), { error: true });
    ref.it('matmul with mismatched inner dims', { a: M23, b: M24 }, 'a @ b', ({ a, b }) => a.matmul(b), { error: true });
    ref.it('matmul of a 0-dim tensor', { a: spec(2), b: M23 }, 'torch.matmul(a, b)', ({ a, b }) => a.matmul(b), { error: true });
    ref.it('matmul of mixed dtypes', { a: M23, b: F64_34 }, 'a @ b', ({ a, b }) => a.matmul(b), { error: true });
    ref.it('mm of a vector', { a: V3, b: M34 }, 'torch.mm(a, b)', ({ a, b }) => a.mm(b), { error: true });
    ref.it('bmm of 2-D tensors', { a: M23, b: M34 }, 'torch.bmm(a, b)', ({ a, b }) => a.bmm(b), { error: true });
    ref.it('bmm with different batch sizes', { a: B234, b: B1_45 }, 'torch.bmm(a, b)', ({ a, b }) => a.bmm(b), { error: true });
    ref.it('dot of different lengths', { a: V3, b: V4 }, 'torch.dot(a, b)', ({ a, b }) => a.dot(b), { error: true });
    ref.it('einsum with too few operands', { a: M23 }, "torch.einsum('ij,jk->ik', a)", ({ a }) => torch.einsum('ij,jk->ik', [a]), { error: true });
    ref.it('einsum with a subscript size mismatch', { a: M23, b: M23 }, "torch.einsum('ij,jk->ik', a, b)", ({ a, b }) => torch.einsum('ij,jk->ik', [a, b]), {
      error: true,
    });
    ref.it('einsum with too many subscripts', { a: V3 }, "torch.einsum('ij->i', a)", ({ a }) => torch.einsum('ij->i', [a]), { error: true });
  });
});
