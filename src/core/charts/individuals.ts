import type { ChartParameters, Observation } from './chart.js';
import { d2 } from './constants.js';

/**
 * Phase I estimate for charts of individual values (I-MR, EWMA, CUSUM):
 * μ = mean of the values, σ = MR̄/d2(2) = MR̄/1.128 (Montgomery §6.4, eq. 6.33).
 * A moving range is used only when both of its points are included, so an excluded point
 * (assignable cause) does not leak into σ through its neighbours.
 */
export function estimateIndividuals(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
  let sum = 0, count = 0, mrSum = 0, mrCount = 0;
  for (let i = 0; i < obs.length; i++) {
    if (!included[i]) continue;
    sum += obs[i].x; count++;
    if (i > 0 && included[i - 1]) { mrSum += Math.abs(obs[i].x - obs[i - 1].x); mrCount++; }
  }
  return { center: sum / count, sigma: mrSum / mrCount / d2(2) };
}

export function individualsStandard(center: number, sigma: number | undefined): ChartParameters {
  if (sigma === undefined || !(sigma > 0)) throw new RangeError('a fixed-limit variables chart needs sigma > 0');
  return { center, sigma };
}
