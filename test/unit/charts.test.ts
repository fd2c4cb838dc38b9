import { describe, expect, it } from 'vitest';
import { DefectCountChart } from '../../src/core/charts/c.js';
import { CusumChart } from '../../src/core/charts/cusum.js';
import { EwmaChart } from '../../src/core/charts/ewma.js';
import { IndividualsMovingRangeChart } from '../../src/core/charts/i-mr.js';
import { NumberNonconformingChart } from '../../src/core/charts/np.js';
import { FractionNonconformingChart } from '../../src/core/charts/p.js';
import { DefectsPerUnitChart } from '../../src/core/charts/u.js';
import { XbarRangeChart } from '../../src/core/charts/xbar-r.js';
import { XbarSdChart } from '../../src/core/charts/xbar-s.js';
import { CIRCUIT_BOARD_DEFECTS, CUSUM_EXAMPLE, LOAN_COSTS, ORANGE_JUICE_NONCONFORMING, PC_DEFECTS, PISTON_RINGS } from '../fixtures/montgomery.js';
import { attribute, individual, plotPoint, runChart, subgroup } from './run-chart.js';

// Every expected number below is printed in Montgomery, Introduction to SQC, 6th ed.; the digits
// asserted are the digits printed there.
describe('X̄-R chart (Montgomery Example 6.3, piston rings)', () => {
  const { params, points } = runChart(new XbarRangeChart(), PISTON_RINGS.map(subgroup), 25);
  it('x̿ = 74.001, R̄ = 0.023, limits 73.988 / 74.014', () => {
    expect(params.center).toBeCloseTo(74.001, 3);
    expect(params.sigma * 2.326).toBeCloseTo(0.023, 3);
    expect(points[0].ucl).toBeCloseTo(74.014, 3);
    expect(points[0].lcl).toBeCloseTo(73.988, 3);
  });
  // Montgomery prints UCL = D4·R̄ = 2.114 × 0.023 = 0.049 with R̄ rounded; unrounded R̄ = 0.02276.
  it('R chart: UCL = D4·R̄ = 2.114 × 0.02276, LCL = 0', () => {
    expect(params.sigma * 2.326).toBeCloseTo(0.02276, 5);
    expect(points[0].rangeUcl).toBeCloseTo(2.114 * 0.02276, 4);
    expect(points[0].rangeLcl).toBe(0);
  });
  it('Phase II subgroups 37–39 plot above the UCL (Figure 6.5)', () => {
    const above = points.map((p, i) => (p.statistic > p.ucl ? i + 1 : 0)).filter(Boolean);
    expect(above).toEqual([37, 38, 39]);
  });
});

describe('X̄-S chart (Montgomery Example 6.4, piston rings)', () => {
  const { params, points } = runChart(new XbarSdChart(), PISTON_RINGS.map(subgroup), 25);
  it('σ = S̄/c4 as R qcc 3.0 computes it; limits 73.988 / 74.014 as printed; S chart UCL = B4·S̄', () => {
    expect(params.sigma).toBeCloseTo(0.00982997672828933, 12); // qcc(pistonrings[1:25], "xbar", std.dev = "UWAVE-SD")
    const sBar = params.sigma * 0.94;
    expect(points[0].ucl).toBeCloseTo(74.014, 3);
    expect(points[0].lcl).toBeCloseTo(73.988, 3);
    expect(points[0].sdUcl).toBeCloseTo(2.089 * sBar, 4);
    expect(points[0].sdLcl).toBe(0);
  });
});

describe('I-MR chart (Montgomery Example 6.5, mortgage loan costs)', () => {
  const { params, points } = runChart(new IndividualsMovingRangeChart(), LOAN_COSTS.map(individual), 20);
  it('x̄ = 300.5, MR̄ = 7.79, limits 321.22 / 279.78, MR UCL 25.45', () => {
    expect(params.center).toBeCloseTo(300.5, 2);
    expect(params.sigma * 1.128).toBeCloseTo(7.79, 2);
    expect(points[0].ucl).toBeCloseTo(321.22, 2);
    expect(points[0].lcl).toBeCloseTo(279.78, 2);
    expect(points[1].mrUcl).toBeCloseTo(25.45, 1);
    expect(points[0].mr).toBeUndefined(); // no moving range for the first point
    expect(points[1].mr).toBe(22);
  });
});

describe('p chart (Montgomery Example 7.1, orange-juice cans, n = 50)', () => {
  const obs = ORANGE_JUICE_NONCONFORMING.map((d) => attribute(d, 50));
  it('trial limits: p̄ = 0.2313, UCL 0.4102, LCL 0.0524', () => {
    const { params, points } = runChart(new FractionNonconformingChart(), obs, 30);
    expect(params.center).toBeCloseTo(0.2313, 4);
    expect(points[0].ucl).toBeCloseTo(0.4102, 4);
    expect(points[0].lcl).toBeCloseTo(0.0524, 4);
  });
  it('revised limits without samples 15 and 23: p̄ = 0.2150, UCL 0.3893, LCL 0.0407', () => {
    const { params, points } = runChart(new FractionNonconformingChart(), obs, 30, [15, 23]);
    expect(params.center).toBeCloseTo(0.215, 4);
    expect(points[0].ucl).toBeCloseTo(0.3893, 4);
    expect(points[0].lcl).toBeCloseTo(0.0407, 4);
  });
  it('varying n gets per-point limits (eq. 7.10)', () => {
    const chart = new FractionNonconformingChart();
    const p = plotPoint(chart, attribute(10, 100), { center: 0.1, sigma: 0.3 });
    expect(p.ucl).toBeCloseTo(0.1 + 3 * Math.sqrt(0.09 / 100), 12);
    expect(p.statistic).toBe(0.1);
  });
});

describe('np chart (Montgomery §7.2.3 on the orange-juice data)', () => {
  it('center n·p̄ = 11.57, UCL 20.51, LCL 2.62', () => {
    const { points } = runChart(new NumberNonconformingChart(), ORANGE_JUICE_NONCONFORMING.map((d) => attribute(d, 50)), 30);
    expect(points[0].center).toBeCloseTo(11.57, 2);
    expect(points[0].ucl).toBeCloseTo(20.51, 2);
    expect(points[0].lcl).toBeCloseTo(2.62, 2);
  });
});

describe('c chart (Montgomery Example 7.3, circuit boards)', () => {
  it('c̄ = 19.85, UCL 33.22, LCL 6.48; samples 6 and 20 out of control', () => {
    const { params, points } = runChart(new DefectCountChart(), CIRCUIT_BOARD_DEFECTS.map((c) => attribute(c, 1)), 26);
    expect(params.center).toBeCloseTo(19.85, 2);
    expect(points[0].ucl).toBeCloseTo(33.22, 1);
    expect(points[0].lcl).toBeCloseTo(6.48, 2);
    expect(points.slice(0, 26).map((p, i) => (p.statistic > p.ucl || p.statistic < p.lcl ? i + 1 : 0)).filter(Boolean)).toEqual([6, 20]);
  });
  it('floors a negative LCL at 0', () => {
    const p = plotPoint(new DefectCountChart(), attribute(1, 1), { center: 4, sigma: 2 });
    expect(p.lcl).toBe(0);
    expect(p.zoneSigma).toBe(2); // zones use the unfloored distance
  });
});

describe('u chart (Montgomery Example 7.4, personal computers, n = 5)', () => {
  it('ū = 1.93, UCL 3.79, LCL 0.07', () => {
    const { params, points } = runChart(new DefectsPerUnitChart(), PC_DEFECTS.map((c) => attribute(c, 5)), 20);
    expect(params.center).toBeCloseTo(1.93, 2);
    expect(points[0].ucl).toBeCloseTo(3.79, 2);
    expect(points[0].lcl).toBeCloseTo(0.07, 2);
    expect(points[0].statistic).toBe(2);
  });
});

describe('tabular CUSUM (Montgomery Example 9.1, Table 9.2: μ0 = 10, σ = 1, k = 0.5, h = 5)', () => {
  const chart = new CusumChart(0.5, 5);
  const params = chart.fromStandard(10, 1);
  const points = CUSUM_EXAMPLE.map((x) => plotPoint(chart, individual(x), params));
  it('C⁺ reaches 5.28 at period 29 and 5.30 at 30; it first exceeds h at 29', () => {
    expect(points[28].cplus).toBeCloseTo(5.28, 2);
    expect(points[29].cplus).toBeCloseTo(5.30, 2);
    expect(points[3].cplus).toBeCloseTo(1.16, 2);
    expect(points.findIndex((p) => p.statistic > p.ucl) + 1).toBe(29);
    expect(points.every((p) => p.cminus! >= 0 && p.lcl === 0 && p.ucl === 5)).toBe(true);
  });
});

describe('EWMA (Montgomery Example 9.2: λ = 0.1, L = 2.7 on Table 9.1)', () => {
  const chart = new EwmaChart(0.1, 2.7);
  const params = chart.fromStandard(10, 1);
  const points = CUSUM_EXAMPLE.map((x) => plotPoint(chart, individual(x), params));
  it('z1 = 9.945, z2 = 9.7495; limits 9.73/10.27 at i = 1 and 9.64/10.36 at i = 2', () => {
    expect(points[0].statistic).toBeCloseTo(9.945, 4);
    expect(points[1].statistic).toBeCloseTo(9.7495, 4);
    expect(points[0].ucl).toBeCloseTo(10.27, 2);
    expect(points[0].lcl).toBeCloseTo(9.73, 2);
    expect(points[1].ucl).toBeCloseTo(10.36, 2);
    expect(points[1].lcl).toBeCloseTo(9.64, 2);
  });
  it('limits widen towards μ0 ± Lσ√(λ/(2−λ)) = 10 ± 0.62', () => {
    expect(points[29].ucl).toBeCloseTo(10 + 2.7 * Math.sqrt(0.1 / 1.9), 2);
    expect(points[29].ucl).toBeCloseTo(10.62, 2);
  });
});
