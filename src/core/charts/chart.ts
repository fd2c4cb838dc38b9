import type { ChartType } from '../config.js';

/** The input of one plotted point, after subgrouping. */
export interface Observation {
  /** Individual value, subgroup mean, or count of nonconforming items / defects. */
  x: number;
  /** Subgroup size (X̄ charts), sample size (p, np, u), or 1. */
  n: number;
  /** Subgroup range (X̄-R); 0 otherwise. */
  range: number;
  /** Subgroup standard deviation, n − 1 denominator (X̄-S); 0 otherwise. */
  sd: number;
}

/** Locked parameters of a chart: estimated in Phase I or given as a standard. */
export interface ChartParameters {
  /** μ of individual values, or p̄ / c̄ / ū of attribute charts. */
  center: number;
  /**
   * σ of individual values for variables charts. For attribute charts the per-unit σ qcc
   * reports: √(p̄(1−p̄)) for p and np, √c̄ for c, √ū for u.
   */
  sigma: number;
}

/** Statistic and limits of one plotted point, plus chart-specific companion values. */
export interface PlottedPoint {
  statistic: number;
  center: number;
  ucl: number;
  /** Floored at 0 where the statistic cannot be negative. */
  lcl: number;
  /**
   * 1σ of the plotted statistic: a third of the distance from center to the unfloored 3σ
   * limit. Zone rules measure points in these units, so they work where limits vary per point.
   */
  zoneSigma: number;
  /** MR / R / S values of the companion chart, CUSUM's C⁺ and C⁻. */
  extras?: Record<string, number>;
}

/**
 * One chart type. An instance belongs to one characteristic and may keep state between points
 * (moving range, EWMA, CUSUM sums), so `plot` must be called once per point, in order.
 */
export interface ControlChart {
  readonly type: ChartType;
  /** Phase I: estimate center and σ from the observations whose `included` flag is set. */
  estimate(phase1: readonly Observation[], included: readonly boolean[]): ChartParameters;
  /** Parameters from a standard given in the rule file (attribute charts derive σ from center). */
  fromStandard(center: number, sigma: number | undefined): ChartParameters;
  plot(o: Observation, p: ChartParameters): PlottedPoint;
}

/** Sum of `x` and of `n` over the included observations (p̄ = Σx/Σn, ū = Σx/Σn). */
export function includedTotals(obs: readonly Observation[], included: readonly boolean[]): { x: number; n: number; count: number } {
  let x = 0, n = 0, count = 0;
  for (let i = 0; i < obs.length; i++) {
    if (!included[i]) continue;
    x += obs[i].x; n += obs[i].n; count++;
  }
  return { x, n, count };
}
