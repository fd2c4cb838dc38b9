import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import { estimateIndividuals, individualsStandard } from './individuals.js';
import type { ChartSpec } from './spec.js';

/** k = 0.5σ detects a 1σ shift fastest; h = 5σ gives ARL₀ ≈ 465 (Montgomery §9.1.3, Table 9.3). */
export const CUSUM_DEFAULT_K = 0.5;
export const CUSUM_DEFAULT_H = 5;

/**
 * Tabular CUSUM on standardized values (Montgomery §9.1.2, eqs. 9.2–9.3 with zᵢ = (xᵢ − μ)/σ):
 *   C⁺ᵢ = max(0, zᵢ − k + C⁺ᵢ₋₁),  C⁻ᵢ = max(0, −zᵢ − k + C⁻ᵢ₋₁),  C⁺₀ = C⁻₀ = 0,
 * signalling when either sum exceeds h. The plotted statistic is max(C⁺, C⁻) against [0, h].
 */
export class CusumChart implements ControlChart {
  readonly type = 'cusum' as const;
  private cplus = 0;
  private cminus = 0;

  saveState(): number[] { return [this.cplus, this.cminus]; }
  restoreState(s: readonly number[]): void { [this.cplus, this.cminus] = s; }

  constructor(readonly k = CUSUM_DEFAULT_K, readonly h = CUSUM_DEFAULT_H) {}

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    return estimateIndividuals(obs, included);
  }

  fromStandard(center: number, sigma: number | undefined): ChartParameters {
    return individualsStandard(center, sigma);
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    const z = (o.x - p.center) / p.sigma;
    this.cplus = Math.max(0, z - this.k + this.cplus);
    this.cminus = Math.max(0, -z - this.k + this.cminus);
    out.statistic = Math.max(this.cplus, this.cminus);
    out.center = 0;
    out.ucl = this.h;
    out.lcl = 0;
    out.cplus = this.cplus;
    out.cminus = this.cminus;
    return NaN; // zone rules do not apply to CUSUM
  }
}

/** The cusum chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'cusum',
  title: 'Tabular CUSUM of individual values',
  family: 'variables',
  distribution: 'normal',
  params: [
    { key: 'k', type: 'number', minimum: 0, default: CUSUM_DEFAULT_K, unit: 'σ', doc: 'reference value: half the shift to detect fastest' },
    { key: 'h', type: 'number', exclusiveMinimum: 0, default: CUSUM_DEFAULT_H, unit: 'σ', doc: 'decision interval: a sum above h signals' },
  ],
  runRules: false,
  subgroups: 'individual',
  needsN: false,
  create: (c) => new CusumChart(c.k, c.h),
  source: 'Montgomery §9.1.2, eqs. 9.2–9.3; k = 0.5, h = 5 from §9.1.3, Table 9.3',
  file: import.meta.url,
} as const satisfies ChartSpec;
