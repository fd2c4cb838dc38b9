import { chartSpec } from '../charts/registry.js';
import type { ChartType } from '../config.js';
import type { PointHistory } from '../engine/point-history.js';
import { binomialChangePoint } from './binomial.js';
import { cusumPageChangePoint, withPoint } from './cusum-page.js';
import { normalMeanChangePoint } from './normal-mean.js';
import { poissonChangePoint } from './poisson.js';
import type { ChangePointEstimate } from './profile.js';

/**
 * The change-point estimate for a signal at point `to` of a chart, over the window `from` … `to`
 * of its history, with the chart's locked center and σ of individual values:
 *  - i-mr and ewma: the normal-mean MLE on the individual values (EWMA's smoothed statistic is
 *    not what changed: the observations are);
 *  - xbar-r and xbar-s: the same on the subgroup means, σ/√n;
 *  - cusum: Page's estimator on the signalling side, with the normal-mean likelihood set;
 *  - p and np: the binomial MLE on the nonconforming counts, p₀ = p̄;
 *  - c and u: the Poisson MLE on the counts, λ₀ = c̄ per sample (c) or ū per unit (u).
 * Undefined when the in-control value leaves the likelihood undefined (p̄ = 0 or 1, c̄ = 0, σ = 0).
 */
/**
 * Windows are copied into these (a signal's estimate reads up to `lookback` points; thousands of
 * alarms a minute each allocating them was a tenth of the engine). The estimators keep nothing of
 * their input, and the core is single-threaded and synchronous: one pair serves every call.
 */
let scratchX = new Float64Array(512), scratchSide = new Float64Array(512);
function scratch(m: number): void {
  if (scratchX.length < m) { scratchX = new Float64Array(m); scratchSide = new Float64Array(m); }
}

export function estimateChangePoint(chart: ChartType, h: PointHistory, from: number, to: number, center: number, sigma: number): ChangePointEstimate | undefined {
  const spec = chartSpec(chart);
  if (!spec) return undefined;
  if (spec.distribution === 'normal') {
    if (!(sigma > 0)) return undefined;
    scratch(to - from + 1);
    const x = h.copy(from, to, 'x', scratchX);
    if (spec.key === 'cusum') {
      const upper = h.values(to, to, 'cplus')[0] >= h.values(to, to, 'cminus')[0];
      const page = cusumPageChangePoint(h.copy(from, to, upper ? 'cplus' : 'cminus', scratchSide), from);
      return withPoint(normalMeanChangePoint(x, center, sigma, from), page);
    }
    const n = spec.subgroups === 'subgroup' ? h.values(to, to, 'n')[0] : 1;
    return normalMeanChangePoint(x, center, sigma / Math.sqrt(n), from);
  }
  if (spec.distribution === 'binomial') {
    if (!(center > 0 && center < 1)) return undefined;
    return binomialChangePoint(h.values(from, to, 'x'), h.values(from, to, 'n'), center, from);
  }
  if (!(center > 0)) return undefined;
  // λ₀ is per sample on a c chart (n = 1), per inspection unit on a u chart.
  return poissonChangePoint(h.values(from, to, 'x'), spec.needsN ? h.values(from, to, 'n') : new Float64Array(to - from + 1).fill(1), center, from);
}
