import { BinomialChart, plotAttribute, fractionCenter } from './attribute.js';
import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import type { ChartSpec } from './spec.js';

/**
 * Fraction nonconforming chart (Montgomery §7.2.1–7.2.2, eqs. 7.8 and 7.10):
 * p̄ = ΣDᵢ/Σnᵢ, limits p̄ ± 3√(p̄(1−p̄)/nᵢ) per point, so varying sample sizes get their own limits.
 */
export class FractionNonconformingChart extends BinomialChart implements ControlChart {
  readonly type = 'p' as const;

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    return plotAttribute(out, o.x / o.n, p.center, p.sigma / Math.sqrt(o.n));
  }
}

/** The p chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'p',
  title: 'Fraction nonconforming',
  family: 'attributes',
  distribution: 'binomial',
  params: [],
  runRules: true,
  subgroups: 'individual',
  needsN: true,
  countWithinN: true,
  checkCenter: fractionCenter,
  create: () => new FractionNonconformingChart(),
  source: 'Montgomery §7.2.1–7.2.2, eqs. 7.8 and 7.10',
  file: import.meta.url,
} as const satisfies ChartSpec;
