import { plotAttribute } from './attribute.js';
import { includedTotals, type ChartParameters, type ControlChart, type Observation, type PlottedPoint } from './chart.js';

/**
 * Fraction nonconforming chart (Montgomery §7.2.1–7.2.2, eqs. 7.8 and 7.10):
 * p̄ = ΣDᵢ/Σnᵢ, limits p̄ ± 3√(p̄(1−p̄)/nᵢ) per point, so varying sample sizes get their own limits.
 */
export class FractionNonconformingChart implements ControlChart {
  readonly type = 'p' as const;

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    const t = includedTotals(obs, included);
    return this.fromStandard(t.x / t.n);
  }

  fromStandard(center: number): ChartParameters {
    return { center, sigma: Math.sqrt(center * (1 - center)) };
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    return plotAttribute(out, o.x / o.n, p.center, p.sigma / Math.sqrt(o.n));
  }
}
