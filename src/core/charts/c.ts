import { LIMITS_PARAM, plotAttribute, plotAttributeProbability, positiveCenter } from './attribute.js';
import { includedTotals, type ChartParameters, type ControlChart, type Observation, type PlottedPoint } from './chart.js';
import { ProbabilityLimits } from './probability-limits.js';
import type { ChartSpec, LimitKind } from './spec.js';

/** Count of defects chart (Montgomery §7.3.1, eq. 7.17): c̄ = mean count, limits c̄ ± 3√c̄. */
export class DefectCountChart implements ControlChart {
  readonly type = 'c' as const;

  private readonly probability?: ProbabilityLimits;

  constructor(limits: LimitKind = '3sigma') {
    if (limits === 'probability') this.probability = new ProbabilityLimits('poisson');
  }

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    const t = includedTotals(obs, included);
    return this.fromStandard(t.x / t.count);
  }

  fromStandard(center: number): ChartParameters {
    return { center, sigma: Math.sqrt(center) };
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    if (this.probability) return plotAttributeProbability(out, o.x, p.center, p.sigma, this.probability.of(1, p.center), 1);
    return plotAttribute(out, o.x, p.center, p.sigma);
  }
}

/** The c chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'c',
  title: 'Count of defects',
  family: 'attributes',
  distribution: 'poisson',
  params: [LIMITS_PARAM],
  runRules: true,
  subgroups: 'individual',
  needsN: false,
  checkCenter: positiveCenter,
  create: (config) => new DefectCountChart(config.limits),
  source: 'Montgomery §7.3.1, eq. 7.17; probability limits: Poisson quantiles with 0.00135 tails (Montgomery §5.3.2)',
  file: import.meta.url,
} as const satisfies ChartSpec;
