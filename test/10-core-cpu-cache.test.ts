/**
 * The CPU block cache: freed blocks of 1 MiB and more are reused, the cache
 * never holds more than its limit, reused blocks carry no stale values into
 * tensors that promise contents, and the limit's argument is checked.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { errorOf } from './helpers/python.js';

const MiB = 1 << 20;

describe('10 core: CPU block cache', () => {
  const info = torch.cpu.cacheInfo();
  it('is the allocator in use (also after a second copy of the addon was loaded)', () => {
    expect(torch.cpu.cacheInfo().available).to.equal(true);
    expect(info.limitBytes).to.equal(Number(process.env.TORCH_NODE_CPU_CACHE_MB ?? 512) * MiB);
  });
  afterEach(() => torch.cpu.setCacheLimit(info.limitBytes));

  it('keeps a freed large block and hands it to the next request that fits', () => {
    torch.cpu.emptyCache();
    const a = torch.full([MiB], 7.5); // 4 MiB of float32
    a.dispose();
    const held = torch.cpu.cacheInfo();
    expect(held.cachedBytes).to.equal(4 * MiB);
    const b = torch.zeros([MiB - 1000]); // a little smaller: fits the same block
    const after = torch.cpu.cacheInfo();
    expect(after.hits).to.equal(held.hits + 1);
    expect(after.cachedBytes).to.equal(0);
    expect(b.sum().item()).to.equal(0);
    const c = torch.ones([MiB]);
    expect(torch.cpu.cacheInfo().misses).to.equal(after.misses + 1);
    expect(c.sum().item()).to.equal(MiB);
    torch.dispose([b, c]);
  });

  it('does not hand out a block far larger than the request', () => {
    torch.cpu.emptyCache();
    torch.zeros([4 * MiB]).dispose(); // 16 MiB
    const before = torch.cpu.cacheInfo();
    const t = torch.zeros([MiB]); // 4 MiB: the 16 MiB block would waste 3/4
    expect(torch.cpu.cacheInfo().hits).to.equal(before.hits);
    expect(torch.cpu.cacheInfo().cachedBytes).to.equal(16 * MiB);
    t.dispose();
  });

  it('small blocks are not cached', () => {
    torch.cpu.emptyCache();
    torch.zeros([1000]).dispose();
    expect(torch.cpu.cacheInfo().cachedBytes).to.equal(0);
  });

  it('stays within its limit, evicting the least recently freed blocks', () => {
    torch.cpu.emptyCache();
    torch.cpu.setCacheLimit(20 * MiB);
    let x = 12345;
    for (let i = 0; i < 200; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const n = MiB / 4 + (x % (2 * MiB)); // 1 to 9 MiB of float32
      torch.tidy(() => {
        torch.empty([n]).fill_(1);
        torch.empty([n >> 1]).fill_(2);
      });
      expect(torch.cpu.cacheInfo().cachedBytes).to.be.at.most(20 * MiB);
    }
    expect(torch.cpu.cacheInfo().hits).to.be.above(0);
    torch.zeros([6 * MiB]).dispose(); // 24 MiB: larger than the limit, freed at once
    expect(torch.cpu.cacheInfo().cachedBytes).to.be.at.most(20 * MiB);
  });

  it('setCacheLimit(0) frees what is cached and caches nothing; emptyCache frees everything', () => {
    torch.zeros([2 * MiB]).dispose();
    expect(torch.cpu.memoryCached()).to.be.at.least(8 * MiB);
    torch.cpu.setCacheLimit(0);
    expect(torch.cpu.memoryCached()).to.equal(0);
    torch.zeros([2 * MiB]).dispose();
    expect(torch.cpu.memoryCached()).to.equal(0);
    torch.cpu.setCacheLimit(64 * MiB);
    torch.zeros([2 * MiB]).dispose();
    expect(torch.cpu.memoryCached()).to.equal(8 * MiB);
    torch.cpu.emptyCache();
    expect(torch.cpu.memoryCached()).to.equal(0);
  });

  it('training memory stays flat: a repeated large step reuses its blocks', () => {
    torch.cpu.emptyCache();
    const w = torch.randn([256, 2048]).requiresGrad_(true);
    const step = () =>
      torch.tidy(() => {
        const h = torch.randn([512, 256]).matmul(w).relu(); // 4 MiB activations
        h.sum().backward();
      });
    step();
    step(); // the first steps also allocate w.grad and its accumulation buffers
    const first = torch.cpu.cacheInfo();
    for (let i = 0; i < 20; i++) step();
    const later = torch.cpu.cacheInfo();
    expect(later.misses, 'no new system allocations after the first step').to.equal(first.misses);
    expect(later.cachedBytes).to.equal(first.cachedBytes);
    torch.dispose(w);
  });

  it('setCacheLimit rejects what is not a non-negative integer', () => {
    for (const bad of [-1, 1.5, NaN, '8' as unknown as number]) {
      const e = errorOf(() => torch.cpu.setCacheLimit(bad));
      expect(e).to.be.instanceOf(RangeError);
      expect(e.message).to.equal(
        `Expected a non-negative integer for bytes but received ${typeof bad === 'string' ? "'8' of type string" : `${bad} of type number`}`,
      );
    }
  });
});
