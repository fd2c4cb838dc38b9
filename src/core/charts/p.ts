import { BinomialChart, LIMITS_PARAM, TYPICAL_N_PARAM, plotAttribute, plotAttributeProbability, fractionCenter } from './attribute.js';
import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import { ProbabilityLimits } from './probability-limits.js';
import type { ChartSpec, LimitKind } from './spec.js';

/**
 * Fraction nonconforming chart (Montgomery §7.2.1–7.2.2, eqs. 7.8 and 7.10):
 * p̄ = ΣDᵢ/Σnᵢ, limits p̄ ± 3√(p̄(1−p̄)/nᵢ) per point, so varying sample sizes get their own limits.
 */
export class FractionNonconformingChart extends BinomialChart implements ControlChart {
  readonly type = 'p' as const;

  private readonly probability?: ProbabilityLimits;

  constructor(limits: LimitKind = '3sigma') {
    super();
    if (limits === 'probability') this.probability = new ProbabilityLimits('binomial');
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    if (this.probability) return plotAttributeProbability(out, o.x / o.n, p.center, p.sigma / Math.sqrt(o.n), this.probability.of(o.n, p.center), o.n);
    return plotAttribute(out, o.x / o.n, p.center, p.sigma / Math.sqrt(o.n));
  }
}

/** The p chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'p',
  title: 'Fraction nonconforming',
  family: 'attributes',
  distribution: 'binomial',
  params: [TYPICAL_N_PARAM, LIMITS_PARAM],
  runRules: true,
  subgroups: 'individual',
  needsN: true,
  countWithinN: true,
  checkCenter: fractionCenter,
  create: (config) => new FractionNonconformingChart(config.limits),
  source: 'Montgomery §7.2.1–7.2.2, eqs. 7.8 and 7.10; probability limits: binomial quantiles with 0.00135 tails (Montgomery §5.3.2)',
  file: import.meta.url,
} as const satisfies ChartSpec;
