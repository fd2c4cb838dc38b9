import { describe, expect, it } from 'vitest';
import { attributeDistribution } from '../../src/core/arl/attribute-exact.js';
import { exactInControlArl } from '../../src/core/arl/exact-arl.js';
import type { CharacteristicConfig } from '../../src/core/config.js';
import { estimateArl } from '../../src/quality/arl.js';
import { binomialPmf, poissonPmf } from '../fixtures/independent.js';

/**
 * Independent distributions for the expected values: binomial and Poisson terms by their
 * textbook formulas (C(n, k)·pᵏ·(1−p)ⁿ⁻ᵏ and e^−λ·λᵏ/k!), not @stdlib as the code uses.
 */
const sum = (from: number, to: number, f: (k: number) => number) => { let s = 0; for (let k = from; k <= to; k++) s += f(k); return s; };

const attr = (chart: CharacteristicConfig['chart'], center: number, rules: CharacteristicConfig['rules'] = ['we1']): CharacteristicConfig =>
  ({ id: 'a', match: { parameter: 'x' }, chart, limits: { center }, rules });

describe('exact in-control ARL of attribute charts with the limit rule', () => {
  it('p chart, n = 50, p̄ = 0.02 (np̄ = 1): UCL = 0.02 + 3√(0.02·0.98/50) = 0.0794 (3.97 of 50), so D ≥ 4 signals; ARL₀ = 1/P(D ≥ 4) = 56.3, not 370', () => {
    // P(D ≤ 3) = 0.98⁵⁰ + 50·0.02·0.98⁴⁹ + 1225·0.02²·0.98⁴⁸ + 19600·0.02³·0.98⁴⁷
    //          = 0.36417 + 0.37160 + 0.18580 + 0.06067 = 0.98224; the LCL is floored at 0 (Montgomery §7.2.1).
    const tail = 1 - sum(0, 3, (k) => binomialPmf(k, 50, 0.02));
    expect(tail).toBeCloseTo(0.017758, 6);
    const r = exactInControlArl(attr({ type: 'p', n: 50 }, 0.02));
    expect(r).toMatchObject({ exact: true, method: 'binomial tail' });
    if (!r.exact) return;
    expect(r.arl).toBeCloseTo(1 / tail, 8);
    expect(r.arl).toBeCloseTo(56.31, 2);
    expect(r.attribute).toMatchObject({ firstCountAbove: 4, mean: 1 });
    expect(r.attribute?.lastCountBelow).toBeUndefined();
  });

  it('np chart on the same process gives the same ARL (same limits in counts)', () => {
    const p = exactInControlArl(attr({ type: 'p', n: 50 }, 0.02)), np = exactInControlArl(attr({ type: 'np', n: 50 }, 0.02));
    expect(p.exact && np.exact && np.arl).toBeCloseTo(p.exact ? p.arl : NaN, 9);
  });

  it('a point exactly on the UCL does not signal: c̄ = 4 gives UCL = 4 + 3·2 = 10, so ARL₀ = 1/P(C ≥ 11) = 352.1', () => {
    const tail = 1 - sum(0, 10, (k) => poissonPmf(k, 4));
    const r = exactInControlArl(attr({ type: 'c' }, 4));
    expect(r.exact && r.arl).toBeCloseTo(1 / tail, 6);
    expect(r.exact && r.attribute?.firstCountAbove).toBe(11);
  });

  it('Montgomery Example 7.3 (circuit boards, c̄ = 19.85, UCL 33.22, LCL 6.48): ARL₀ = 1/[P(C ≥ 34) + P(C ≤ 6)]', () => {
    const alpha = 1 - sum(7, 33, (k) => poissonPmf(k, 19.85));
    const r = exactInControlArl(attr({ type: 'c' }, 19.85));
    expect(r.exact && r.arl).toBeCloseTo(1 / alpha, 6);
    expect(r.exact && r.attribute).toMatchObject({ firstCountAbove: 34, lastCountBelow: 6 });
  });

  it('Montgomery Example 7.1 (orange-juice cans, n = 50, p̄ = 0.2313, UCL 0.4102, LCL 0.0524): D ≥ 21 or D ≤ 2 signal', () => {
    const alpha = 1 - sum(3, 20, (k) => binomialPmf(k, 50, 0.2313));
    const r = exactInControlArl(attr({ type: 'p', n: 50 }, 0.2313));
    expect(r.exact && r.arl).toBeCloseTo(1 / alpha, 6);
    expect(r.exact && r.attribute).toMatchObject({ firstCountAbove: 21, lastCountBelow: 2 });
  });

  it('u chart: the count of n inspection units is Poisson(n·ū); n may be fractional', () => {
    // ū = 0.4, n = 2.5: mean 1, UCL = 0.4 + 3√(0.4/2.5) = 1.6 per unit = 4 defects, which does not signal.
    const tail = 1 - sum(0, 4, (k) => poissonPmf(k, 1));
    const r = exactInControlArl(attr({ type: 'u', n: 2.5 }, 0.4));
    expect(r.exact && r.arl).toBeCloseTo(1 / tail, 6);
  });

  it('agrees with a seeded Monte Carlo of the engine\'s chart code', () => {
    const c = attr({ type: 'p', n: 50 }, 0.02);
    const mc = estimateArl(c, { runs: 20_000, seed: 7, exact: false }).inControl;
    const r = exactInControlArl(c);
    expect(Math.abs(mc.arl - (r.exact ? r.arl : NaN))).toBeLessThan(3 * mc.standardError);
  });

  it('with run rules, the Markov chain runs over the counts\' zones (and agrees with Monte Carlo)', () => {
    const c = attr({ type: 'c' }, 4, ['we1', 'we2', 'we4']);
    const r = exactInControlArl(c);
    expect(r).toMatchObject({ exact: true });
    expect(r.exact && r.method).toMatch(/^Markov chain on poisson counts/);
    const mc = estimateArl(c, { runs: 20_000, seed: 8, exact: false }).inControl;
    expect(Math.abs(mc.arl - (r.exact ? r.arl : NaN))).toBeLessThan(3 * mc.standardError);
  });

  it('says why there is no exact value: Phase I limits, no typical n, Laney charts', () => {
    expect(exactInControlArl({ ...attr({ type: 'p' }, 0.02), limits: { phase1: 25 } })).toMatchObject({ exact: false, reason: expect.stringMatching(/Phase I limits/) });
    expect(exactInControlArl(attr({ type: 'p' }, 0.02))).toMatchObject({ exact: false, reason: expect.stringMatching(/n: …/) });
    expect(exactInControlArl({ ...attr({ type: 'laney-p' }, 0.02), limits: { center: 0.02, sigma: 1.5 } })).toMatchObject({ exact: false });
  });

  it('enumerates every count with non-negligible probability (the probabilities sum to 1)', () => {
    const d = attributeDistribution({ type: 'c' }, 250, 1);
    expect(sum(0, d.outcomes.length - 1, (i) => d.outcomes[i].probability)).toBeCloseTo(1, 12);
  });
});
