import { plotAttribute } from './attribute.js';
import { includedTotals, type ChartParameters, type ControlChart, type Observation, type PlottedPoint } from './chart.js';

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
