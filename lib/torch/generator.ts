/**
 * A seeded pseudo-random generator for data ordering (DataLoader shuffling,
 * random splits): xoshiro128** seeded through splitmix32, so runs repeat
 * exactly for a seed. Tensor sampling uses libtorch's own generator, seeded by
 * torch.manualSeed.
 */
export class Generator {
  private s = new Uint32Array(4);
  private seed = 0;

  /** @param seed initial seed (default 0). */
  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Reseeds; returns this. @throws RangeError for a non-integer seed. */
  manualSeed(seed: number | bigint): this {
    const n = typeof seed === 'bigint' ? Number(seed & 0xffffffffn) : seed;
    if (!Number.isInteger(n)) throw new RangeError(`Expected an integer for seed but received ${String(seed)}`);
    this.seed = n;
    let x = n >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
    return this;
  }

  initialSeed(): number {
    return this.seed;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  random(): number {
    return (this.nextUint32() * 2 ** 21 + (this.nextUint32() >>> 11)) / 2 ** 53;
  }

  /** Uniform integer in [0, n). */
  randint(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.randint(i + 1);
      const tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }

  /** Captures the state (for checkpoints). */
  getState(): number[] {
    return [this.seed, ...this.s];
  }

  /** Restores a state from getState(). */
  setState(state: number[]): this {
    this.seed = state[0];
    this.s.set(state.slice(1, 5));
    return this;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
