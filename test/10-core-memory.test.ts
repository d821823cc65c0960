/**
 * Deterministic memory: dispose, `using`, tidy scopes, keep, torch.dispose and
 * torch.memory(); a long loop of small ops keeps the live count constant and
 * the process size bounded.
 */
import { expect } from 'chai';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { inspect } from 'node:util';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { errorOf } from './helpers/python.js';

const live = () => torch.memory().numTensors;
const wrappers = () => torch.memory().numWrappers;

describe('10 core: memory', () => {
  describe('dispose and using', () => {
    it('dispose frees the handle once; later use throws a TorchError', () => {
      const before = live();
      const t = torch.zeros(3);
      expect(live()).to.equal(before + 1);
      expect(t.isDisposed).to.equal(false);
      t.dispose();
      expect(t.isDisposed).to.equal(true);
      expect(live()).to.equal(before);
      t.dispose();
      expect(live()).to.equal(before);
      const other = torch.ones(3);
      for (const use of [() => t.add(1), () => t.shape, () => t.tolist(), () => t.item(), () => other.add(t), () => t.backward()]) {
        const e = errorOf(use);
        expect(e).to.be.instanceOf(torch.TorchError);
        expect(e.message).to.equal('Tensor has been disposed');
      }
      expect(inspect(t)).to.equal('tensor(<disposed>)');
      other.dispose();
      expect(live()).to.equal(before);
    });

    it('disposing a view leaves its base intact', () => {
      torch.tidy(() => {
        const base = torch.arange(6);
        const v = base.view(2, 3);
        v.dispose();
        expect(base.tolist()).to.deep.equal([0, 1, 2, 3, 4, 5]);
        const a = base.alias();
        a.dispose();
        expect(base.sum().item()).to.equal(15);
      });
    });

    it('`using` disposes at the end of the block', () => {
      const before = live();
      let kept: Tensor;
      {
        using t = torch.ones(4);
        using u = t.mul(2);
        kept = u;
        expect(live()).to.equal(before + 2);
        expect(u.sum().item()).to.equal(8);
      }
      expect(kept.isDisposed).to.equal(true);
      expect(live()).to.equal(before + 1); // the sum() result is not scoped
    });
  });

  describe('tidy', () => {
    it('frees everything made inside except the returned tensor', () => {
      const before = live();
      const beforeW = wrappers();
      const inner: Tensor[] = [];
      const out = torch.tidy(() => {
        const a = torch.ones(2, 2);
        const b = a.add(1);
        const c = b.matmul(b);
        inner.push(a, b);
        return c.relu();
      });
      expect(live()).to.equal(before + 1);
      expect(wrappers()).to.equal(beforeW + 1);
      expect(inner.every((t) => t.isDisposed)).to.equal(true);
      expect(out.isDisposed).to.equal(false);
      expect(out.tolist()).to.deep.equal([
        [8, 8],
        [8, 8],
      ]);
      out.dispose();
      expect(live()).to.equal(before);
    });

    it('keeps tensors reachable from returned arrays, objects and Maps', () => {
      const before = live();
      const r = torch.tidy(() => {
        const a = torch.zeros(1);
        const b = torch.ones(1);
        const c = torch.full([1], 2);
        torch.ones(5); // dropped
        return { list: [a, { deep: b }], map: new Map([['c', c]]), n: 3 };
      });
      expect(live()).to.equal(before + 3);
      expect(r.n).to.equal(3);
      torch.dispose(r);
      expect(live()).to.equal(before);
      expect((r.list[0] as Tensor).isDisposed).to.equal(true);
    });

    it('keeps ValuesIndices pairs returned from a scope', () => {
      const before = live();
      const r = torch.tidy(() => torch.tensor([[3, 1, 2]]).max(1));
      expect(live()).to.equal(before + 2);
      expect(r.values.tolist()).to.deep.equal([3]);
      torch.dispose([r.values, r.indices]);
      expect(live()).to.equal(before);
    });

    it('nested scopes hand results to the enclosing scope', () => {
      const before = live();
      let innerResult: Tensor | undefined;
      const out = torch.tidy(() => {
        innerResult = torch.tidy(() => torch.ones(2).mul(3));
        expect(innerResult.isDisposed).to.equal(false);
        return innerResult.sum();
      });
      expect(innerResult?.isDisposed).to.equal(true);
      expect(out.item()).to.equal(6);
      out.dispose();
      expect(live()).to.equal(before);
    });

    it('keep() lets a tensor outlive every scope', () => {
      const before = live();
      let kept: Tensor | undefined;
      torch.tidy(() => {
        torch.tidy(() => {
          kept = torch.keep(torch.ones(3));
          torch.zeros(3);
        });
      });
      expect(kept?.isDisposed).to.equal(false);
      expect(live()).to.equal(before + 1);
      kept?.dispose();
    });

    it('frees everything when the function throws', () => {
      const before = live();
      const made: Tensor[] = [];
      expect(() =>
        torch.tidy(() => {
          made.push(torch.ones(2), torch.zeros(2));
          throw new Error('inside tidy');
        }),
      ).to.throw('inside tidy');
      expect(made.every((t) => t.isDisposed)).to.equal(true);
      expect(live()).to.equal(before);
    });

    it('frees what a failing op left behind', () => {
      const before = live();
      expect(() => torch.tidy(() => torch.ones(2, 3).matmul(torch.ones(2, 3)))).to.throw(torch.TorchError);
      expect(live()).to.equal(before);
    });

    it('rejects async functions and frees their tensors', () => {
      const before = live();
      expect(() => torch.tidy((async () => torch.ones(1)) as never)).to.throw(
        TypeError,
        'torch.tidy() takes a synchronous function; await inside an async function and call tidy per step',
      );
      expect(live()).to.equal(before);
    });

    it('grads and autograd graphs are freed with their tensors', () => {
      const before = live();
      const w = torch.randn([4, 4], { requiresGrad: true });
      for (let i = 0; i < 20; i++) {
        torch.tidy(() => {
          w.matmul(w).tanh().sum().backward();
          torch.noGrad(() => w.sub_((w.grad as Tensor).mul(0.01)));
          (w.grad as Tensor).zero_();
        });
      }
      expect(live()).to.equal(before + 1);
      w.grad = null;
      w.dispose();
      expect(live()).to.equal(before);
    });
  });

  describe('torch.memory()', () => {
    it('counts bytes per device, each storage once', () => {
      torch.tidy(() => {
        const b0 = torch.memory().bytes.cpu ?? 0;
        const t = torch.zeros([1000], { dtype: 'float64' });
        expect((torch.memory().bytes.cpu ?? 0) - b0).to.equal(8000);
        const views = [t.view(10, 100), t.narrow(0, 0, 10), t.alias()];
        expect((torch.memory().bytes.cpu ?? 0) - b0).to.equal(8000);
        const c = t.clone();
        expect((torch.memory().bytes.cpu ?? 0) - b0).to.equal(16000);
        torch.dispose([t, ...views, c]);
        expect(torch.memory().bytes.cpu ?? 0).to.equal(b0);
      });
    });

    it('numTensors counts native handles and numWrappers Tensor objects', () => {
      const m0 = torch.memory();
      const t = torch.ones(2);
      const a = t.alias();
      const m1 = torch.memory();
      expect(m1.numTensors - m0.numTensors).to.equal(2);
      expect(m1.numWrappers - m0.numWrappers).to.equal(2);
      torch.dispose([t, a]);
      expect(torch.memory().numTensors).to.equal(m0.numTensors);
      expect(torch.memory().numWrappers).to.equal(m0.numWrappers);
    });
  });

  describe('a long loop of small ops', () => {
    const a = torch.keep(torch.randn(8, 8));
    const b = torch.keep(torch.randn(8, 8));
    after(() => torch.dispose([a, b]));
    // 100 small ops per scope; the step function of a training loop
    const step = () =>
      torch.tidy(() => {
        let x = a;
        for (let i = 0; i < 100; i++)
          x = i % 4 === 0 ? x.add(b) : i % 4 === 1 ? x.mul(0.5) : i % 4 === 2 ? x.matmul(b) : x.index('1:').sum(0, true).expand(8, 8).tanh();
        return x.sum().item();
      });

    it('keeps the live count constant and the process size bounded over 100k ops', async function () {
      this.timeout(60_000);
      // warm up the allocator, the JIT and V8's heap sizing over 150k ops, then measure 100k more
      for (let i = 0; i < 1500; i++) {
        step();
        if (i % 100 === 99) await nextTurn();
      }
      await nextTurn();
      const liveBefore = live();
      const rss0 = process.memoryUsage().rss;
      for (let s = 0; s < 1000; s++) {
        step();
        expect(live()).to.equal(liveBefore);
        // a training loop yields to the event loop between steps (data loading, logging)
        if (s % 100 === 99) await nextTurn();
      }
      await nextTurn();
      const grown = (process.memoryUsage().rss - rss0) / 2 ** 20;
      expect(live()).to.equal(liveBefore);
      expect(grown, `RSS grew by ${grown.toFixed(1)} MiB over 100k ops`).to.be.lessThan(16);
    });

    it('stays flat in a synchronous loop that never yields (handles need no GC finalizers)', () => {
      for (let i = 0; i < 1000; i++) step();
      const liveBefore = live();
      const rss0 = process.memoryUsage().rss;
      for (let s = 0; s < 1000; s++) step();
      const grown = (process.memoryUsage().rss - rss0) / 2 ** 20;
      expect(live()).to.equal(liveBefore);
      expect(grown, `RSS grew by ${grown.toFixed(1)} MiB over 100k ops without yielding`).to.be.lessThan(8);
    });
  });

  describe('native memory reported to V8', () => {
    // Major GCs seen while fn runs (V8 reports each to a PerformanceObserver).
    async function majorGcs(fn: () => Promise<void>): Promise<number> {
      let n = 0;
      const obs = new PerformanceObserver((list) => {
        for (const e of list.getEntries())
          if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) n++;
      });
      obs.observe({ entryTypes: ['gc'] });
      await fn();
      await nextTurn();
      obs.disconnect();
      return n;
    }

    it('tensors freed by scopes put no pressure on the GC (no full collections from training steps)', async () => {
      const n = await majorGcs(async () => {
        for (let step = 0; step < 30; step++) {
          torch.tidy(() => {
            for (let i = 0; i < 10; i++) torch.ones([1 << 20]).mul(2); // 80 MiB per step
          });
          await nextTurn();
        }
      });
      expect(n, 'major GCs over 30 steps of 80 MiB in scopes').to.be.lessThan(3);
    });

    it('dropped tensors outside scopes are reported, so the GC collects them without being asked', async () => {
      const baseline = live();
      await majorGcs(async () => {
        for (let i = 0; i < 60; i++) {
          torch.ones([10 << 20]); // 40 MiB, dropped at once: 2.4 GB in all
          await nextTurn();
        }
      });
      for (let i = 0; i < 5 && live() > baseline + 20; i++) await nextTurn();
      expect(live() - baseline, 'tensors still alive of 60 dropped').to.be.lessThan(30);
    });
  });
});
