import { includedTotals, type ChartParameters, type Observation, type PlottedPoint } from './chart.js';

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
