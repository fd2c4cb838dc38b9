import { describe, expect, it } from 'vitest';
import { LaneyPChart } from '../../src/core/charts/laney-p.js';
import { LaneyUChart } from '../../src/core/charts/laney-u.js';
import { laneySigmaZ } from '../../src/core/charts/laney.js';
import { SeededRandom } from '../../src/sim/random.js';
import { attribute, plotPoint, runChart } from './run-chart.js';
import { NHS_ACCIDENTS, NHS_LANEY } from '../fixtures/independent.js';
import { FractionNonconformingChart } from '../../src/core/charts/p.js';

describe('Laney p′ chart (Laney 2002)', () => {
  it('a worked example: p̄, the z-scores, σz = MR̄(z)/1.128 and limits p̄ ± 3σ_pi·σz', () => {
    // Four subgroups of n = 100 with 10, 20, 15 and 5 nonconforming:
    //   p̄ = 50/400 = 0.125, σ_pi = √(0.125·0.875/100) = 0.0330719
    //   z = −0.755929, 2.267787, 0.755929, −2.267787; MR = 3.023716, 1.511858, 3.023716
    //   MR̄ = 2.519763, σz = 2.519763/1.128 = 2.233833
    //   UCL = 0.125 + 3·0.0330719·2.233833 = 0.346632, LCL = 0.125 − 0.221632 < 0 → 0
    const { params, points } = runChart(new LaneyPChart(), [10, 20, 15, 5].map((x) => attribute(x, 100)), 4);
    expect(params.center).toBe(0.125);
    expect(params.sigma / Math.sqrt(0.125 * 0.875)).toBeCloseTo(2.233833, 5);
    expect(points[0].ucl).toBeCloseTo(0.346632, 5);
    expect(points[0].lcl).toBe(0);
  });

  it('NHS emergency attendances (Mohammed et al. 2013): p̄, σz and limits as NumPy computes them; the p chart flags 16 of 20 weeks, p′ none', () => {
    const obs = NHS_ACCIDENTS.map(([r, n]) => attribute(r, n));
    const { params, points } = runChart(new LaneyPChart(), obs, 20);
    expect(params.center).toBeCloseTo(NHS_LANEY.pBar, 12);
    expect(params.sigma / Math.sqrt(NHS_LANEY.pBar * (1 - NHS_LANEY.pBar))).toBeCloseTo(NHS_LANEY.sigmaZ, 9);
    expect(points[0].ucl).toBeCloseTo(NHS_LANEY.ucl1, 12);
    expect(points[0].lcl).toBeCloseTo(NHS_LANEY.lcl1, 12);
    const beyond = (ps: { statistic: number; ucl: number; lcl: number }[]) => ps.filter((p) => p.statistic > p.ucl || p.statistic < p.lcl).length;
    expect(beyond(runChart(new FractionNonconformingChart(), obs, 20).points)).toBe(16);
    expect(beyond(points)).toBe(0);
  });

  it('with σz = 1 it is the p chart: Montgomery Example 7.1 limits 0.4102 / 0.0524 at p̄ = 0.2313, n = 50', () => {
    const chart = new LaneyPChart();
    const p = plotPoint(chart, attribute(12, 50), chart.fromStandard(0.2313, 1));
    expect(p.ucl).toBeCloseTo(0.4102, 4);
    expect(p.lcl).toBeCloseTo(0.0524, 4);
  });

  it('limits vary with each subgroup\'s n as σ_pi = √(p̄(1−p̄)/nᵢ) does', () => {
    const chart = new LaneyPChart();
    const params = chart.fromStandard(0.1, 2);
    const small = plotPoint(chart, attribute(10, 100), params), large = plotPoint(chart, attribute(400, 4000), params);
    expect((small.ucl - 0.1) / (large.ucl - 0.1)).toBeCloseTo(Math.sqrt(4000 / 100), 10);
  });

  // Overdispersion as Laney describes it: the rate itself wanders between subgroups. With the
  // rate pᵢ = p + N(0, τ²) and xᵢ ~ Bin(n, pᵢ), Var(xᵢ/n) = (p(1−p) − τ²)/n + τ², so the z-scores'
  // variance is 1 + (n − 1)τ²/(p(1−p)) (the law of total variance): σz estimates its root.
  it('σz estimates √(1 + (n−1)τ²/(p(1−p))) under a wandering rate, and ≈ 1 for a binomial', () => {
    const rng = new SeededRandom(5);
    const n = 1000, p = 0.1, tau = 0.01, k = 4000;
    const wandering = Array.from({ length: k }, () => attribute(rng.binomial(n, p + tau * rng.normal()), n));
    const binomial = Array.from({ length: k }, () => attribute(rng.binomial(n, p), n));
    const all = Array(k).fill(true);
    const center = (obs: typeof wandering) => obs.reduce((a, o) => a + o.x, 0) / (n * k);
    const sz = (obs: typeof wandering) => laneySigmaZ(obs, all, center(obs), Math.sqrt(center(obs) * (1 - center(obs))));
    const expected = Math.sqrt(1 + (n - 1) * tau ** 2 / (p * (1 - p)));
    expect(expected).toBeCloseTo(1.45258, 5);
    expect(sz(wandering)).toBeGreaterThan(expected * 0.96);
    expect(sz(wandering)).toBeLessThan(expected * 1.04);
    expect(Math.abs(sz(binomial) - 1)).toBeLessThan(0.04);
  });

  it('excluded Phase I subgroups leave both p̄ and the moving ranges', () => {
    const obs = [10, 20, 15, 90, 5].map((x) => attribute(x, 100));
    const { params } = runChart(new LaneyPChart(), obs, 5, [4]);
    const { params: without } = runChart(new LaneyPChart(), [10, 20, 15, 5].map((x) => attribute(x, 100)), 4);
    expect(params.center).toBe(0.125);
    // 15 → 5 is not a moving range when 90 between them is excluded: MR̄ = (3.023716 + 1.511858)/2.
    expect(params.sigma / Math.sqrt(0.125 * 0.875)).toBeCloseTo((3.023716 + 1.511858) / 2 / 1.128, 5);
    expect(params.sigma).not.toBeCloseTo(without.sigma, 3);
  });
});

describe('Laney u′ chart (Laney 2002)', () => {
  it('a worked example: ū, z-scores on √(ū/nᵢ), σz and limits ū ± 3σ_ui·σz', () => {
    // Defects 30, 60, 45 in 10, 20, 10 units: ū = 135/40 = 3.375.
    //   σ_ui = √(3.375/10) = 0.580948, √(3.375/20) = 0.410792, 0.580948
    //   z = (3 − 3.375)/0.580948 = −0.645497, (3 − 3.375)/0.410792 = −0.912871, (4.5 − 3.375)/0.580948 = 1.936492
    //   MR = 0.267374, 2.849363; MR̄ = 1.558369; σz = 1.381533
    //   UCL at n = 10: 3.375 + 3·0.580948·1.381533 = 5.782797
    const { params, points } = runChart(new LaneyUChart(), [attribute(30, 10), attribute(60, 20), attribute(45, 10)], 3);
    expect(params.center).toBe(3.375);
    expect(params.sigma / Math.sqrt(3.375)).toBeCloseTo(1.381533, 5);
    expect(points[0].ucl).toBeCloseTo(5.782797, 5);
    expect(points[1].ucl).toBeCloseTo(3.375 + 3 * 0.410792 * 1.381533, 5);
  });
});
