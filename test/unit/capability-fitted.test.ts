import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { describe, expect, it } from 'vitest';
import { boxCox, boxCoxLambda, boxCoxLogLikelihood, inverseBoxCox } from '../../src/core/box-cox.js';
import { fittedCapability } from '../../src/core/capability-fitted.js';
import { capabilityIndices } from '../../src/core/capability.js';
import { CONOVER_BOXCOX_LAMBDA, CONOVER_BOXCOX_LLF_AT_1, CONOVER_TELEPHONE } from '../fixtures/independent.js';

/** n normal scores Φ⁻¹((i − ½)/n): a sample as normal as n points can be, symmetric about 0. */
const scores = (n: number) => Array.from({ length: n }, (_, i) => normalQuantile((i + 0.5) / n, 0, 1));
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const sd = (a: number[]) => { const m = mean(a); return Math.sqrt(a.reduce((x, v) => x + (v - m) ** 2, 0) / (a.length - 1)); };

describe('Box-Cox transformation (Box & Cox 1964)', () => {
  it('y(λ) = (y^λ − 1)/λ, ln y at 0, continuous in λ, and inverted exactly', () => {
    expect(boxCox(4, 0.5)).toBe(2); // (√4 − 1)/0.5
    expect(boxCox(Math.E, 0)).toBe(1);
    expect(boxCox(3, 1e-9)).toBeCloseTo(Math.log(3), 6);
    for (const lambda of [-2, -0.5, 0, 0.5, 2]) expect(inverseBoxCox(boxCox(7.3, lambda), lambda)).toBeCloseTo(7.3, 10);
  });

  it('the profile log-likelihood and λ̂ of Conover\'s telephone numbers equal SciPy\'s (boxcox_llf, boxcox_normmax mle)', () => {
    expect(boxCoxLogLikelihood(CONOVER_TELEPHONE, 1)).toBeCloseTo(CONOVER_BOXCOX_LLF_AT_1, 9);
    expect(boxCoxLambda(CONOVER_TELEPHONE)).toBeCloseTo(CONOVER_BOXCOX_LAMBDA, 5);
  });

  it('the maximum-likelihood λ recovers the power that makes the data normal', () => {
    // Data that are exactly normal scores after a known transformation: λ̂ must land on it.
    for (const [lambda, base] of [[0, 0], [0.5, 20], [-1, 0.5], [2, 30]] as const) {
      const y = scores(200).map((z) => inverseBoxCox(base + 0.1 * z, lambda));
      expect(boxCoxLambda(y)).toBeCloseTo(lambda, 1);
    }
  });

  it('λ̂ is where the profile likelihood is highest (its neighbours are lower)', () => {
    const y = scores(100).map((z) => Math.exp(1 + 0.4 * z) + 0.3);
    const best = boxCoxLambda(y)!;
    expect(boxCoxLogLikelihood(y, best)).toBeGreaterThan(boxCoxLogLikelihood(y, best - 0.01));
    expect(boxCoxLogLikelihood(y, best)).toBeGreaterThan(boxCoxLogLikelihood(y, best + 0.01));
    expect(boxCoxLambda([1, 2, -3])).toBeUndefined(); // a value ≤ 0: no transformation
  });
});

describe('capability of non-normal data', () => {
  // Log-normal values: ln y = 1 + 0.25·z, with normal scores z (mean 0).
  const z = scores(100);
  const y = z.map((v) => Math.exp(1 + 0.25 * v));
  const spec = { lsl: 1.2, usl: 8 };
  const s = 0.25 * sd(z); // σ of ln y

  it('boxcox with λ = 0: the normal performance indices of ln y against ln LSL and ln USL', () => {
    const c = fittedCapability(spec, y, { method: 'boxcox', lambda: 0 })!;
    expect(c.ppu).toBeCloseTo((Math.log(8) - 1) / (3 * s), 10);
    expect(c.ppl).toBeCloseTo((1 - Math.log(1.2)) / (3 * s), 10);
    expect(c.pp).toBeCloseTo((Math.log(8) - Math.log(1.2)) / (6 * s), 10);
    expect(c.ppk).toBe(Math.min(c.ppu!, c.ppl!));
    expect([c.method, c.lambda]).toEqual(['boxcox', 0]);
  });

  it('percentile with λ = 0: Clements\' ratios with the log-normal quantiles e^(1 ± 3s) and median e¹', () => {
    const c = fittedCapability(spec, y, { method: 'percentile', lambda: 0 })!;
    const zTail = -normalQuantile(0.00135, 0, 1); // 3.0 to four digits
    const median = Math.E, upper = Math.exp(1 + zTail * s), lower = Math.exp(1 - zTail * s);
    expect(c.ppu).toBeCloseTo((8 - median) / (upper - median), 10);
    expect(c.ppl).toBeCloseTo((median - 1.2) / (median - lower), 10);
    expect(c.pp).toBeCloseTo((8 - 1.2) / (upper - lower), 10);
  });

  it('on normal data with λ = 1 both methods give the normal Pp and Ppk (AIAG), z₀.₉₉₈₆₅ = 2.99997 being 3 to four digits', () => {
    const x = scores(50).map((v) => 100 + 2 * v);
    const normal = capabilityIndices({ lsl: 94, usl: 107 }, mean(x), NaN, sd(x));
    for (const method of ['boxcox', 'percentile'] as const) {
      const c = fittedCapability({ lsl: 94, usl: 107 }, x, { method, lambda: 1 })!;
      expect(c.pp).toBeCloseTo(normal.pp!, 3);
      expect(c.ppk).toBeCloseTo(normal.ppk!, 3);
    }
  });

  it('the estimated λ of log-normal data is near 0, and a limit ≤ 0 gives no index on its side', () => {
    const c = fittedCapability({ lsl: 0, usl: 8 }, y, { method: 'boxcox' })!;
    expect(c.lambda).toBeCloseTo(0, 1);
    expect(c.ppl).toBeUndefined();
    expect(c.ppk).toBe(c.ppu);
    expect(fittedCapability(spec, [1, 2, -1, 3], { method: 'boxcox' })).toBeUndefined();
  });
});

describe('capability method in the engine', () => {
  it('the summary carries the fitted indices from Phase I lock on, across a snapshot; normal stays the default', async () => {
    const { SpcEngine } = await import('../../src/core/index.js');
    const values = scores(30).map((v) => Math.exp(1 + 0.25 * v));
    const config = (method?: 'boxcox') => ({ version: 1 as const, characteristics: [{ id: 'w', match: { parameter: 'w' }, chart: { type: 'i-mr' as const }, limits: { phase1: 30 }, spec: { lsl: 1.2, usl: 8 }, rules: ['nelson1' as const], ...(method ? { capability: { method } } : {}) }] });
    const feed = (e: InstanceType<typeof SpcEngine>) => values.forEach((v, i) => e.process({ ts: new Date(Date.UTC(2026, 10, 30, 0, 0, i)).toISOString(), line: 'L', station: 'S', parameter: 'w', value: v, unit: `U${i}` }, () => {}));
    const fitted = new SpcEngine(config('boxcox'));
    feed(fitted);
    const c = fitted.summaryOf('w')!.capability!;
    expect(c).toMatchObject({ method: 'boxcox', ppk: fittedCapability({ lsl: 1.2, usl: 8 }, values, { method: 'boxcox' })!.ppk });
    expect(c.cpk).toBeUndefined(); // within-subgroup indices belong to the untransformed scale
    const restored = new SpcEngine(config('boxcox'));
    restored.restoreStates(JSON.parse(JSON.stringify(fitted.saveStates())));
    expect(restored.summaryOf('w')!.capability).toEqual(c);
    const normal = new SpcEngine(config());
    feed(normal);
    expect(normal.summaryOf('w')!.capability!.method).toBeUndefined();
    expect(normal.summaryOf('w')!.capability!.cpk).toBeGreaterThan(0);
    expect(normal.summaryOf('w')!.normality!.n).toBe(30);
  });
});
