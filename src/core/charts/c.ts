import { plotAttribute, positiveCenter } from './attribute.js';
import { includedTotals, type ChartParameters, type ControlChart, type Observation, type PlottedPoint } from './chart.js';
import type { ChartSpec } from './spec.js';

/** Count of defects chart (Montgomery §7.3.1, eq. 7.17): c̄ = mean count, limits c̄ ± 3√c̄. */
export class DefectCountChart implements ControlChart {
  readonly type = 'c' as const;

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    const t = includedTotals(obs, included);
    return this.fromStandard(t.x / t.count);
  }

  fromStandard(center: number): ChartParameters {
    return { center, sigma: Math.sqrt(center) };
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    return plotAttribute(out, o.x, p.center, p.sigma);
  }
}

/** The c chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'c',
  title: 'Count of defects',
  family: 'attributes',
  distribution: 'poisson',
  params: [],
  runRules: true,
  subgroups: 'individual',
  needsN: false,
  checkCenter: positiveCenter,
  create: () => new DefectCountChart(),
  source: 'Montgomery §7.3.1, eq. 7.17',
  file: import.meta.url,
} as const satisfies ChartSpec;
