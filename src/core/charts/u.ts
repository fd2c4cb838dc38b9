import { LIMITS_PARAM, TYPICAL_N_PARAM, plotAttribute, plotAttributeProbability, positiveCenter } from './attribute.js';
import { includedTotals, type ChartParameters, type ControlChart, type Observation, type PlottedPoint } from './chart.js';
import { ProbabilityLimits } from './probability-limits.js';
import type { ChartSpec, LimitKind } from './spec.js';

/**
 * Defects per unit chart (Montgomery §7.3.1–7.3.2, eqs. 7.19 and 7.21): ū = Σcᵢ/Σnᵢ, limits
 * ū ± 3√(ū/nᵢ) per point; nᵢ counts inspection units and may be fractional.
 */
export class DefectsPerUnitChart implements ControlChart {
  readonly type = 'u' as const;

  private readonly probability?: ProbabilityLimits;

  constructor(limits: LimitKind = '3sigma') {
    if (limits === 'probability') this.probability = new ProbabilityLimits('poisson');
  }

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    const t = includedTotals(obs, included);
    return this.fromStandard(t.x / t.n);
  }

  fromStandard(center: number): ChartParameters {
    return { center, sigma: Math.sqrt(center) };
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    if (this.probability) return plotAttributeProbability(out, o.x / o.n, p.center, p.sigma / Math.sqrt(o.n), this.probability.of(o.n, p.center), o.n);
    return plotAttribute(out, o.x / o.n, p.center, p.sigma / Math.sqrt(o.n));
  }
}

/** The u chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'u',
  title: 'Defects per unit',
  family: 'attributes',
  distribution: 'poisson',
  params: [TYPICAL_N_PARAM, LIMITS_PARAM],
  runRules: true,
  subgroups: 'individual',
  needsN: true,
  checkCenter: positiveCenter,
  create: (config) => new DefectsPerUnitChart(config.limits),
  source: 'Montgomery §7.3.1–7.3.2, eqs. 7.19 and 7.21; probability limits: Poisson quantiles with 0.00135 tails (Montgomery §5.3.2)',
  file: import.meta.url,
} as const satisfies ChartSpec;
