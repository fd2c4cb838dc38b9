import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import { estimateIndividuals, individualsStandard } from './individuals.js';
import type { ChartSpec } from './spec.js';

/** qcc's defaults: λ = 0.2, L = 3. */
export const EWMA_DEFAULT_LAMBDA = 0.2;
export const EWMA_DEFAULT_L = 3;

/**
 * EWMA chart of individual values (Montgomery §9.2, eqs. 9.22–9.25):
 *   zᵢ = λxᵢ + (1 − λ)zᵢ₋₁, z₀ = μ,
 *   limits μ ± L·σ·√(λ/(2−λ) · (1 − (1−λ)^{2i})), the exact time-varying form,
 * with μ and σ = MR̄/1.128 from Phase I. i counts points from the first one.
 */
export class EwmaChart implements ControlChart {
  readonly type = 'ewma' as const;
  private z = NaN;
  private i = 0;

  saveState(): number[] { return [this.z, this.i]; }
  restoreState(s: readonly number[]): void { [this.z, this.i] = s; }

  constructor(readonly lambda = EWMA_DEFAULT_LAMBDA, readonly L = EWMA_DEFAULT_L) {}

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    return estimateIndividuals(obs, included);
  }

  fromStandard(center: number, sigma: number | undefined): ChartParameters {
    return individualsStandard(center, sigma);
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    const lambda = this.lambda;
    if (this.i === 0) this.z = p.center;
    this.i++;
    this.z = lambda * o.x + (1 - lambda) * this.z;
    const sigmaZ = p.sigma * Math.sqrt((lambda / (2 - lambda)) * (1 - Math.pow(1 - lambda, 2 * this.i)));
    out.statistic = this.z;
    out.center = p.center;
    out.ucl = p.center + this.L * sigmaZ;
    out.lcl = p.center - this.L * sigmaZ;
    return sigmaZ;
  }
}

/** The ewma chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'ewma',
  title: 'Exponentially weighted moving average of individual values',
  family: 'variables',
  distribution: 'normal',
  params: [
    { key: 'lambda', type: 'number', exclusiveMinimum: 0, maximum: 1, default: EWMA_DEFAULT_LAMBDA, doc: 'smoothing constant λ: the weight of the newest value' },
    { key: 'L', type: 'number', exclusiveMinimum: 0, default: EWMA_DEFAULT_L, unit: 'σ of the EWMA', doc: 'limit width' },
  ],
  runRules: false,
  subgroups: 'individual',
  needsN: false,
  create: (c) => new EwmaChart(c.lambda, c.L),
  source: 'Montgomery §9.2, eqs. 9.22–9.25 (exact time-varying limits); defaults as R qcc',
  file: import.meta.url,
} as const satisfies ChartSpec;
