import { describe, expect, it } from 'vitest';
import { exactInControlArl } from '../../src/core/arl/exact-arl.js';
import { createChart } from '../../src/core/charts/index.js';
import { binomialProbabilityLimits, poissonProbabilityLimits, PROBABILITY_LIMIT_TAIL } from '../../src/core/charts/probability-limits.js';
import type { CharacteristicConfig } from '../../src/core/config.js';
import { parseRuleFile } from '../../src/rules-file/load.js';
import { binomialPmf, poissonPmf } from '../fixtures/independent.js';

// Independent pmfs (textbook formulas, not @stdlib) come from test/fixtures/independent.ts.
/** The smallest k with F(k) ≥ q, by summing the pmf: the quantile convention the limits use. */
function quantileBySum(q: number, pmf: (k: number) => number): number {
  let k = 0, F = pmf(0);
  while (F < q) F += pmf(++k);
  return k;
}
const cdf = (x: number, pmf: (k: number) => number) => { let s = 0; for (let k = 0; k <= x; k++) s += pmf(k); return s; };
const alpha = PROBABILITY_LIMIT_TAIL;

describe('probability limits: quantiles of the count with 0.00135 in each tail', () => {
  it('α = Φ(−3) = 0.00135, the one-sided tail of a 3σ normal chart (Montgomery §5.3.2)', () => {
    expect(alpha).toBe(0.00135);
  });

  it('Binomial(50, 0.02) (np̄ = 1): UCL 5, LCL 0; P(D > 5) = 0.00048 ≤ α while P(D > 4) = 0.0032 > α', () => {
    const pmf = (k: number) => binomialPmf(k, 50, 0.02);
    const l = binomialProbabilityLimits(50, 0.02);
    expect(l).toEqual({ lcl: quantileBySum(alpha, pmf), ucl: quantileBySum(1 - alpha, pmf) });
    expect(l).toEqual({ lcl: 0, ucl: 5 });
    expect(1 - cdf(5, pmf)).toBeCloseTo(0.000478, 6);
    expect(1 - cdf(4, pmf)).toBeCloseTo(0.003210, 6);
  });

  it('Poisson, Montgomery Example 7.3 (c̄ = 19.85; 3σ limits 6.48 and 33.22): probability limits 8 and 34', () => {
    const pmf = (k: number) => poissonPmf(k, 19.85);
    const l = poissonProbabilityLimits(19.85);
    expect(l).toEqual({ lcl: quantileBySum(alpha, pmf), ucl: quantileBySum(1 - alpha, pmf) });
    expect(l).toEqual({ lcl: 8, ucl: 34 });
    // Each tail is at most α, and one count further in would exceed it.
    expect(cdf(l.lcl - 1, pmf)).toBeLessThanOrEqual(alpha);
    expect(cdf(l.lcl, pmf)).toBeGreaterThan(alpha);
    expect(1 - cdf(l.ucl, pmf)).toBeLessThanOrEqual(alpha);
    expect(1 - cdf(l.ucl - 1, pmf)).toBeGreaterThan(alpha);
  });

  it('the tails hold across centers and sizes, so ARL₀ ≥ 1/(2α) = 370.4 with the limit rule', () => {
    for (const [n, p] of [[20, 0.01], [50, 0.02], [50, 0.2313], [200, 0.05], [1000, 0.003]]) {
      const pmf = (k: number) => binomialPmf(k, n, p);
      const l = binomialProbabilityLimits(n, p);
      expect(l.lcl === 0 ? 0 : cdf(l.lcl - 1, pmf)).toBeLessThanOrEqual(alpha);
      expect(1 - cdf(l.ucl, pmf)).toBeLessThanOrEqual(alpha + 1e-12);
      const r = exactInControlArl({ id: 'x', match: { parameter: 'x' }, chart: { type: 'np', n, limits: 'probability' }, limits: { center: p }, rules: ['we1'] });
      expect(r.exact && r.arl).toBeGreaterThanOrEqual(1 / (2 * alpha));
    }
  });
});

describe('charts with limits: probability', () => {
  const params = (type: 'p' | 'np' | 'c' | 'u', center: number) => createChart({ type, limits: 'probability' }).fromStandard(center, undefined);
  const plot = (type: 'p' | 'np' | 'c' | 'u', center: number, x: number, n: number) => {
    const chart = createChart({ type, limits: 'probability' });
    const out = { statistic: 0, center: 0, ucl: 0, lcl: 0 };
    const zoneSigma = chart.plot({ x, n, range: 0, sd: 0 }, params(type, center), out);
    return { ...out, zoneSigma, beyond: out.statistic > out.ucl || out.statistic < out.lcl };
  };

  it('p chart, n = 50, p̄ = 0.02: UCL 5/50 = 0.1; 5 bad boards do not signal, 6 do; zones stay at the 3σ chart\'s σ', () => {
    expect(plot('p', 0.02, 5, 50)).toMatchObject({ ucl: 0.1, lcl: 0, beyond: false });
    expect(plot('p', 0.02, 6, 50).beyond).toBe(true);
    expect(plot('p', 0.02, 5, 50).zoneSigma).toBeCloseTo(Math.sqrt(0.02 * 0.98 / 50), 15);
    const r = exactInControlArl({ id: 'x', match: { parameter: 'x' }, chart: { type: 'p', n: 50, limits: 'probability' }, limits: { center: 0.02 }, rules: ['we1'] });
    expect(r.exact && r.arl).toBeCloseTo(1 / (1 - cdf(5, (k) => binomialPmf(k, 50, 0.02))), 6); // 2091
  });

  it('np, c and u charts plot counts (np, c) or counts per unit (u) against the quantiles', () => {
    expect(plot('np', 0.02, 6, 50)).toMatchObject({ center: 1, ucl: 5, lcl: 0, beyond: true });
    expect(plot('c', 19.85, 7, 1)).toMatchObject({ ucl: 34, lcl: 8, beyond: true });
    expect(plot('c', 19.85, 8, 1).beyond).toBe(false);
    const u = plot('u', 0.4, 4, 2.5); // Poisson(1): UCL = Q(0.99865) = 5 defects = 2 per unit
    expect(u.ucl).toBeCloseTo(quantileBySum(1 - alpha, (k) => poissonPmf(k, 1)) / 2.5, 15);
    expect(u.beyond).toBe(false);
  });
});

describe('rule file: chart n and limits', () => {
  const file = (chart: string) => `version: 1\ncharacteristics:\n  - id: a\n    match: { parameter: x }\n    chart: ${chart}\n    limits: { center: 0.02 }\n    rules: [we1]\n`;
  it('p, np, u take n and limits; c takes limits', () => {
    const r = parseRuleFile(file('{ type: p, n: 50, limits: probability }'), 'r.yaml');
    expect(r.ok && r.config.characteristics[0].chart).toEqual({ type: 'p', n: 50, limits: 'probability' });
    expect(parseRuleFile(file('{ type: c, limits: probability }'), 'r.yaml').ok).toBe(true);
  });
  it('refuses them where they do not apply, and an unknown kind of limits', () => {
    const errors = (chart: string) => { const r = parseRuleFile(file(chart), 'r.yaml'); return r.ok ? [] : r.diagnostics.map(String); };
    expect(errors('{ type: c, n: 5 }').join('\n')).toMatch(/"n" does not apply to a c chart \(it takes: limits\)/);
    expect(errors('{ type: i-mr, limits: probability }').join('\n')).toMatch(/"limits" does not apply to a i-mr chart/);
    expect(errors('{ type: p, limits: exact }').join('\n')).toContain('r.yaml:5:31 characteristics[0].chart.limits must be one of 3sigma, probability (got "exact")');
  });
});

it('a count exactly on a p chart\'s probability limit does not signal, whatever n (the limit is divided as the statistic is)', async () => {
  const { spec } = await import('../../src/core/charts/p.js');
  const chart = spec.create({ limits: 'probability' }) as import('../../src/core/charts/chart.js').ControlChart;
  // p̄ = 0.03, n = 70: the UCL count is 7; 7 · (1/70) = 0.09999999999999999 < 7/70 = 0.1.
  const out = { statistic: 0, center: 0, ucl: 0, lcl: 0 };
  chart.plot({ x: 7, n: 70, range: 0, sd: 0 }, chart.fromStandard(0.03, undefined), out);
  expect(out.ucl * 70).toBeCloseTo(7, 9);
  expect(out.statistic > out.ucl).toBe(false);
});
