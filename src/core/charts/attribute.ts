import { includedTotals, type ChartParameters, type Observation, type PlottedPoint } from './chart.js';
import type { CountLimits } from './probability-limits.js';
import { LIMIT_KINDS, type ChartParamSpec } from './spec.js';

/**
 * A Shewhart attribute point: center ± 3·zoneSigma with the LCL floored at 0, because a count
 * or a fraction cannot be negative (Montgomery §7.2.1: "if LCL < 0, set LCL = 0").
 */
export function plotAttribute(out: PlottedPoint, statistic: number, center: number, zoneSigma: number): number {
  out.statistic = statistic;
  out.center = center;
  out.ucl = center + 3 * zoneSigma;
  out.lcl = Math.max(0, center - 3 * zoneSigma);
  return zoneSigma;
}

/**
 * An attribute point against probability limits (probability-limits.ts): the count limits
 * divided by `divisor` (n for p and u charts, 1 for np and c) — divided, as the statistic x/n is,
 * so a count on its limit gives exactly the limit and does not signal (7 · (1/70) is one ulp
 * below 7/70, which would make a count of 7 signal). The zones of the run rules stay at
 * center ± 1σ and 2σ of the normal approximation, the σ the 3σ chart would use: zone rules keep
 * their usual meaning, and only the limit rules (we1, nelson1) move to the exact tails.
 */
export function plotAttributeProbability(out: PlottedPoint, statistic: number, center: number, zoneSigma: number, limits: CountLimits, divisor: number): number {
  out.statistic = statistic;
  out.center = center;
  out.ucl = limits.ucl / divisor;
  out.lcl = limits.lcl / divisor;
  return zoneSigma;
}

/** `chart: { limits: probability }` on p, np, c and u charts. */
export const LIMITS_PARAM = {
  key: 'limits', type: 'enum', values: LIMIT_KINDS, default: '3sigma',
  doc: '3sigma: center ± 3σ, LCL floored at 0; probability: quantiles of the count with 0.00135 in each tail (for small np̄, c̄: see spc rules check)',
} as const satisfies ChartParamSpec;

/** `chart: { n: … }` on p, np and u charts. */
export const TYPICAL_N_PARAM = {
  key: 'n', type: 'number', exclusiveMinimum: 0, optional: true,
  doc: 'typical sample size (inspection units for u), for the exact ARL; samples still carry their own n',
} as const satisfies ChartParamSpec;

/**
 * Binomial charts (p, np) share their parameters: p̄ = ΣDᵢ/Σnᵢ over the included samples
 * (Montgomery eq. 7.8) and the per-item σ √(p̄(1−p̄)).
 */
export abstract class BinomialChart {
  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    const t = includedTotals(obs, included);
    return this.fromStandard(t.x / t.n);
  }

  fromStandard(center: number): ChartParameters {
    return { center, sigma: Math.sqrt(center * (1 - center)) };
  }
}

/** p and np charts: a fixed center is the fraction nonconforming p̄. */
export function fractionCenter(center: number, chart: string): string | undefined {
  return center > 0 && center < 1 ? undefined : `is the fraction nonconforming p̄ for a ${chart} chart and must be between 0 and 1 (got ${center})`;
}

/** c and u charts: a fixed center is a rate and must be positive. */
export function positiveCenter(center: number, chart: string): string | undefined {
  return center > 0 ? undefined : `must be > 0 for a ${chart} chart (got ${center})`;
}
