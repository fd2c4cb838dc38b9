import { BinomialChart, plotAttribute, fractionCenter } from './attribute.js';
import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import type { ChartSpec } from './spec.js';

/**
 * Number nonconforming chart (Montgomery §7.2.3, eq. 7.13): center n·p̄, limits n·p̄ ± 3√(n·p̄(1−p̄)).
 * The rule file's center for an np chart is p̄, the fraction, as for the p chart.
 */
export class NumberNonconformingChart extends BinomialChart implements ControlChart {
  readonly type = 'np' as const;

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    return plotAttribute(out, o.x, o.n * p.center, p.sigma * Math.sqrt(o.n));
  }
}

/** The np chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'np',
  title: 'Number nonconforming',
  family: 'attributes',
  distribution: 'binomial',
  params: [],
  runRules: true,
  subgroups: 'individual',
  needsN: true,
  countWithinN: true,
  checkCenter: fractionCenter,
  create: () => new NumberNonconformingChart(),
  source: 'Montgomery §7.2.3, eq. 7.13',
  file: import.meta.url,
} as const satisfies ChartSpec;
