import { BinomialChart, LIMITS_PARAM, TYPICAL_N_PARAM, plotAttribute, plotAttributeProbability, fractionCenter } from './attribute.js';
import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import { ProbabilityLimits } from './probability-limits.js';
import type { ChartSpec, LimitKind } from './spec.js';

/**
 * Number nonconforming chart (Montgomery §7.2.3, eq. 7.13): center n·p̄, limits n·p̄ ± 3√(n·p̄(1−p̄)).
 * The rule file's center for an np chart is p̄, the fraction, as for the p chart.
 */
export class NumberNonconformingChart extends BinomialChart implements ControlChart {
  readonly type = 'np' as const;

  private readonly probability?: ProbabilityLimits;

  constructor(limits: LimitKind = '3sigma') {
    super();
    if (limits === 'probability') this.probability = new ProbabilityLimits('binomial');
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    if (this.probability) return plotAttributeProbability(out, o.x, o.n * p.center, p.sigma * Math.sqrt(o.n), this.probability.of(o.n, p.center), 1);
    return plotAttribute(out, o.x, o.n * p.center, p.sigma * Math.sqrt(o.n));
  }
}

/** The np chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'np',
  title: 'Number nonconforming',
  family: 'attributes',
  distribution: 'binomial',
  params: [TYPICAL_N_PARAM, LIMITS_PARAM],
  runRules: true,
  subgroups: 'individual',
  needsN: true,
  countWithinN: true,
  checkCenter: fractionCenter,
  create: (config) => new NumberNonconformingChart(config.limits),
  source: 'Montgomery §7.2.3, eq. 7.13; probability limits: binomial quantiles with 0.00135 tails (Montgomery §5.3.2)',
  file: import.meta.url,
} as const satisfies ChartSpec;
