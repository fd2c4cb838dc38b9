/** Seeded pseudo-random numbers, so simulations and examples are reproducible. */
export class SeededRandom {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number) { this.state = seed >>> 0; }

  /** Uniform in [0, 1): mulberry32 (Tommy Ettinger, public domain), 2³² period, passes gjrand's tests. */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal by the Marsaglia polar method. */
  normal(): number {
    if (this.spare !== undefined) { const s = this.spare; this.spare = undefined; return s; }
    let u: number, v: number, s: number;
    do { u = 2 * this.uniform() - 1; v = 2 * this.uniform() - 1; s = u * u + v * v; } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /** Poisson count by Knuth's multiplication method (fine for small means). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0, p = this.uniform();
    while (p > limit) { k++; p *= this.uniform(); }
    return k;
  }

  binomial(n: number, p: number): number {
    let k = 0;
    for (let i = 0; i < n; i++) if (this.uniform() < p) k++;
    return k;
  }
}
