/**
 * The GPU suite (npm run test:gpu): tensors, ops, gradients, memory, seeds and
 * autocast on CUDA, each checked against the CPU. Every test skips, saying
 * why, where CUDA is not available.
 */
import { expect } from 'chai';
import * as torch from '../../lib/torch/index.js';
import type { Tensor, DType } from '../../lib/torch/index.js';
import { errorOf, expectValuesClose } from '../helpers/python.js';

const available = torch.cuda.isAvailable();
const reason = `torch.cuda.isAvailable() is false (libtorch ${torch.version}, ${torch.cuda.deviceCount()} CUDA devices)`;

/** Skips the running test unless CUDA is available, logging why. */
function requireCuda(ctx: Mocha.Context): void {
  if (available) return;
  console.log(`      CUDA not available: ${reason}; skipping "${ctx.currentTest?.title ?? ctx.test?.title}"`);
  ctx.skip();
}

/** Asserts a CUDA tensor equals a CPU tensor (same dtype and shape, values within tolerance). */
function expectSame(gpu: Tensor, cpu: Tensor, name: string, rtol = 1e-4, atol = 1e-5): void {
  expect(gpu.isCuda, `${name}: on cuda`).to.equal(true);
  expect(gpu.dtype, `${name}: dtype`).to.equal(cpu.dtype);
  expect(gpu.shape, `${name}: shape`).to.deep.equal(cpu.shape);
  expectValuesClose(gpu.cpu().dataSync(), cpu.dataSync(), cpu.shape, { rtol, atol, name });
}

describe('gpu 10: CUDA', () => {
  beforeEach(function () {
    requireCuda(this);
  });

  describe('tensors on cuda', () => {
    it('are created on the device and report it', () => {
      torch.tidy(() => {
        const t = torch.ones([2, 3], { device: 'cuda' });
        expect(t.isCuda).to.equal(true);
        expect(String(t.device)).to.equal('cuda:0');
        expect(t.device.type).to.equal('cuda');
        expect(t.device.index).to.equal(0);
        expect(String(t)).to.equal("tensor([[1., 1., 1.],\n        [1., 1., 1.]], device='cuda:0')");
        for (const make of [
          () => torch.zeros([2], { device: 'cuda:0' }),
          () => torch.randn([2], { device: 'cuda' }),
          () => torch.tensor([1, 2], { device: 'cuda' }),
          () => torch.arange(4, { device: 'cuda' }),
          () => torch.full([2], 1.5, { device: torch.device('cuda', 0) }),
          () => torch.eye(3, { device: 'cuda' }),
        ]) {
          expect(make().isCuda).to.equal(true);
        }
        expect(torch.zerosLike(t).isCuda).to.equal(true);
        expect(torch.cuda.deviceCount()).to.be.greaterThan(0);
      });
    });

    it('round-trip cpu -> cuda -> cpu for every dtype', () => {
      torch.tidy(() => {
        const dtypes: DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
        for (const dt of dtypes) {
          const c = torch.tensor(
            [
              [0, 1, 2],
              [3, 4, 5],
            ],
            { dtype: dt },
          );
          const g = c.to('cuda');
          expect(g.isCuda, dt).to.equal(true);
          expect(g.dtype, dt).to.equal(dt);
          const back = g.cpu();
          expect(back.isCuda, dt).to.equal(false);
          expect(back.tolist(), dt).to.deep.equal(c.tolist());
          expect(g.tolist(), `${dt} read straight from cuda`).to.deep.equal(c.tolist());
        }
      });
    });

    it('to/cuda/cpu return self when nothing changes and convert dtype and device together', () => {
      torch.tidy(() => {
        const g = torch.ones(3).cuda();
        expect(g.cuda()).to.equal(g);
        expect(g.to('cuda')).to.equal(g);
        expect(g.to('cuda:0')).to.equal(g);
        const c = torch.ones(3);
        expect(c.cpu()).to.equal(c);
        const h = c.to({ device: 'cuda', dtype: 'float64' });
        expect(h.isCuda).to.equal(true);
        expect(h.dtype).to.equal('float64');
        expect(g.to(h).dtype).to.equal('float64');
        expect(c.to(g).isCuda).to.equal(true);
        const copy = g.to('cuda', { copy: true });
        expect(copy.isSame(g)).to.equal(false);
        const nb = c.to({ device: 'cuda', nonBlocking: true });
        torch.cuda.synchronize();
        expect(nb.tolist()).to.deep.equal([1, 1, 1]);
      });
    });

    it('mixing devices is a TorchError', () => {
      torch.tidy(() => {
        const g = torch.ones(2, { device: 'cuda' });
        const c = torch.ones(2);
        const e = errorOf(() => g.add(c.mul(torch.ones(2, 2))));
        expect(e).to.be.instanceOf(torch.TorchError);
        expect(e.message).to.match(/^Expected all tensors to be on the same device, but found at least two devices, (cuda:0 and cpu|cpu and cuda:0)!$/);
        expect(() => g.matmul(torch.ones(2))).to.throw(torch.TorchError, /same device/);
      });
    });

    it('scalars and indexing work on cuda tensors', () => {
      torch.tidy(() => {
        const g = torch.arange(6, { device: 'cuda' }).float().reshape(2, 3);
        expect(g.add(1).mul(2).tolist()).to.deep.equal([
          [2, 4, 6],
          [8, 10, 12],
        ]);
        expect(torch.where(g.gt(2), g, 0).tolist()).to.deep.equal([
          [0, 0, 0],
          [3, 4, 5],
        ]);
        expect(g.index(1, '::2').tolist()).to.deep.equal([3, 5]);
        expect(g.index(g.gt(3)).tolist()).to.deep.equal([4, 5]);
        expect(g.index(':', torch.tensor([2, 0], { device: 'cuda' })).tolist()).to.deep.equal([
          [2, 0],
          [5, 3],
        ]);
        g.indexPut_([0, torch.tensor([1], { device: 'cuda' })], -1);
        g.indexPut_([1], 7);
        expect(g.tolist()).to.deep.equal([
          [0, -1, 2],
          [7, 7, 7],
        ]);
        expect(g.sum().item()).to.equal(22);
      });
    });
  });

  describe('ops and gradients on cuda equal the cpu', () => {
    it('elementwise, reductions, linear algebra, indexing and sorting', () => {
      torch.tidy(() => {
        torch.manualSeed(0);
        const a = torch.randn(6, 8);
        const b = torch.randn(8, 5);
        const idx = torch.tensor([
          [0, 3],
          [7, 1],
          [2, 2],
          [5, 6],
          [4, 0],
          [1, 1],
        ]);
        const ops: [string, (x: Tensor, y: Tensor, i: Tensor) => unknown][] = [
          ['add/mul/div', (x) => x.add(1.5).mul(x).div(x.abs().add(1))],
          ['exp/log/tanh/sigmoid', (x) => x.exp().log1p().tanh().sigmoid()],
          ['pow/sqrt/clamp', (x) => x.abs().pow(1.5).sqrt().clamp(0.1, 1.2)],
          ['matmul', (x, y) => x.matmul(y)],
          ['einsum', (x, y) => torch.einsum('ij,jk->ik', [x, y])],
          ['bmm', (x) => x.view(2, 3, 8).bmm(x.view(2, 3, 8).transpose(1, 2))],
          ['sum/mean/std', (x) => torch.stack([x.sum(1), x.mean(1), x.std(1)])],
          ['max/argmax', (x) => [x.max(1).values, x.argmax(1)]],
          ['softmax/logSoftmax', (x) => [x.softmax(-1), x.logSoftmax(0)]],
          ['cumsum/logsumexp', (x) => [x.cumsum(1), x.logsumexp(1)]],
          ['gather/indexSelect', (x, _y, i) => [x.gather(1, i), x.indexSelect(1, i.index(':', 0))]],
          ['topk/sort', (x) => [x.topk(3).values, x.topk(3).indices, x.sort(1).values, x.sort(1).indices]],
          ['maskedFill/where', (x) => [x.maskedFill(x.lt(0), -1), torch.where(x.gt(0.5), x, x.neg())]],
          [
            'cat/stack/transpose',
            (x) =>
              torch
                .cat([x, x.flip(0)], 1)
                .t()
                .contiguous(),
          ],
          ['comparisons', (x, y) => [x.gt(0), x.eq(x), x.index(':', '0:5').le(y.index('0:6'))]],
          ['int64 arithmetic', (_x, _y, i) => i.mul(3).add(i).remainder(5).sum(0)],
        ];
        for (const [name, op] of ops) {
          const cpu = [op(a, b, idx)].flat() as Tensor[];
          const gpu = [op(a.cuda(), b.cuda(), idx.cuda())].flat() as Tensor[];
          cpu.forEach((c, k) => expectSame(gpu[k], c, `${name}[${k}]`));
        }
      });
    });

    it('a small MLP forward and backward gives the same loss and gradients', () => {
      torch.tidy(() => {
        torch.manualSeed(1);
        const x = torch.randn(16, 10);
        const target = torch.randint(0, 4, [16]);
        const w1 = torch.randn(10, 32).mul(0.3);
        const b1 = torch.zeros(32);
        const w2 = torch.randn(32, 4).mul(0.3);
        const run = (dev: 'cpu' | 'cuda') => {
          const ps = [w1, b1, w2].map((p) => p.to(dev).detach().requiresGrad_());
          const h = x.to(dev).matmul(ps[0]).add(ps[1]).relu();
          const logp = h.matmul(ps[2]).logSoftmax(-1);
          const loss = logp.gather(1, target.to(dev).unsqueeze(1)).mean().neg();
          loss.backward();
          return [loss, ...ps.map((p) => p.grad as Tensor)];
        };
        const cpu = run('cpu');
        const gpu = run('cuda');
        cpu.forEach((c, k) => expectSame(gpu[k], c, ['loss', 'w1.grad', 'b1.grad', 'w2.grad'][k]));
      });
    });
  });

  describe('memory, seeds and synchronization', () => {
    it('memoryAllocated grows with a tensor and returns after dispose', () => {
      torch.cuda.synchronize();
      const before = torch.cuda.memoryAllocated();
      const t = torch.empty([1024, 1024], { device: 'cuda' });
      const during = torch.cuda.memoryAllocated();
      expect(during - before).to.be.at.least(4 * 1024 * 1024);
      expect(torch.cuda.maxMemoryAllocated()).to.be.at.least(during);
      expect(torch.cuda.memoryReserved()).to.be.at.least(during);
      expect(torch.memory().bytes['cuda:0']).to.be.at.least(4 * 1024 * 1024);
      t.dispose();
      expect(torch.cuda.memoryAllocated()).to.equal(before);
      torch.cuda.emptyCache();
    });

    it('tidy frees cuda memory', () => {
      torch.cuda.synchronize();
      const before = torch.cuda.memoryAllocated();
      const kept = torch.tidy(() => {
        const a = torch.randn([512, 512], { device: 'cuda' });
        return a.matmul(a).sum();
      });
      expect(torch.cuda.memoryAllocated() - before).to.be.lessThan(64 * 1024);
      kept.dispose();
      expect(torch.cuda.memoryAllocated()).to.equal(before);
    });

    it('manualSeed makes cuda sampling reproducible', () => {
      torch.tidy(() => {
        const draw = () =>
          [
            torch.randn([1000], { device: 'cuda' }),
            torch.rand([7], { device: 'cuda' }),
            torch.randint(0, 100, [9], { device: 'cuda' }),
            torch.ones([5], { device: 'cuda' }).mul(0.5).bernoulli(),
            torch.ones([3, 6], { device: 'cuda' }).multinomial(4),
          ].map((t) => t.tolist());
        torch.manualSeed(1234);
        const first = draw();
        torch.manualSeed(1234);
        expect(draw()).to.deep.equal(first);
        torch.manualSeed(4321);
        expect(draw()[0]).to.not.deep.equal(first[0]);
        torch.cuda.manualSeedAll(1234);
        expect(draw()[0]).to.deep.equal(first[0]);
      });
    });

    it('synchronize waits for queued work', () => {
      torch.tidy(() => {
        const a = torch.randn([2048, 2048], { device: 'cuda' });
        let b = a;
        for (let i = 0; i < 5; i++) b = b.matmul(a).div(2048);
        torch.cuda.synchronize();
        torch.cuda.synchronize(0);
        expect(Number.isFinite(b.sum().item())).to.equal(true);
        expect(() => torch.cuda.synchronize(torch.cuda.deviceCount())).to.throw(RangeError);
      });
    });
  });

  describe('autocast', () => {
    it("torch.autocast('cuda', fn) runs matmul in bfloat16 and leaves other ops alone", () => {
      torch.tidy(() => {
        const a = torch.randn([8, 16], { device: 'cuda' });
        const b = torch.randn([16, 4], { device: 'cuda' });
        const [y, z, s] = torch.autocast('cuda', () => [a.matmul(b), a.add(1), a.softmax(-1)]);
        expect(y.dtype).to.equal('bfloat16');
        expect(z.dtype).to.equal('float32');
        expect(s.dtype).to.equal('float32');
        expect(a.matmul(b).dtype).to.equal('float32');
        expectValuesClose(y.float().cpu().dataSync(), a.cpu().matmul(b.cpu()).dataSync(), [8, 4], { rtol: 2e-2, atol: 5e-2, name: 'bf16 matmul' });
        const h = torch.autocast('cuda', () => a.matmul(b), { dtype: 'float16' });
        expect(h.dtype).to.equal('float16');
        expect(torch.autocast('cuda', () => a.matmul(b), { enabled: false }).dtype).to.equal('float32');
      });
    });

    it('gradients flow back through autocast to float32 parameters', () => {
      torch.tidy(() => {
        const w = torch.randn([16, 4], { device: 'cuda', requiresGrad: true });
        const x = torch.randn([8, 16], { device: 'cuda' });
        torch
          .autocast('cuda', () => x.matmul(w))
          .float()
          .pow(2)
          .mean()
          .backward();
        const g = w.grad as Tensor;
        expect(g.dtype).to.equal('float32');
        expect(g.isCuda).to.equal(true);
        const ref = x
          .cpu()
          .t()
          .matmul(
            x
              .cpu()
              .matmul(w.detach().cpu())
              .mul(2 / 32),
          );
        expectValuesClose(g.cpu().dataSync(), ref.dataSync(), [16, 4], { rtol: 5e-2, atol: 5e-2, name: 'grad under autocast' });
      });
    });
  });
});
