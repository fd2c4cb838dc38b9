import { plotAttribute } from './attribute.js';
import { includedTotals, type ChartParameters, type ControlChart, type Observation, type PlottedPoint } from './chart.js';

/**
 * Number nonconforming chart (Montgomery §7.2.3, eq. 7.13): center n·p̄, limits n·p̄ ± 3√(n·p̄(1−p̄)).
 * The rule file's center for an np chart is p̄, the fraction, as for the p chart.
 */
export class NumberNonconformingChart implements ControlChart {
  readonly type = 'np' as const;

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    const t = includedTotals(obs, included);
    return this.fromStandard(t.x / t.n);
  }

  fromStandard(center: number): ChartParameters {
    return { center, sigma: Math.sqrt(center * (1 - center)) };
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    return plotAttribute(out, o.x, o.n * p.center, p.sigma * Math.sqrt(o.n));
  }
}
