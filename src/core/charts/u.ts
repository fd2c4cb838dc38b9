import { plotAttribute, positiveCenter } from './attribute.js';
import { includedTotals, type ChartParameters, type ControlChart, type Observation, type PlottedPoint } from './chart.js';
import type { ChartSpec } from './spec.js';

/**
 * Defects per unit chart (Montgomery §7.3.1–7.3.2, eqs. 7.19 and 7.21): ū = Σcᵢ/Σnᵢ, limits
 * ū ± 3√(ū/nᵢ) per point; nᵢ counts inspection units and may be fractional.
 */
export class DefectsPerUnitChart implements ControlChart {
  readonly type = 'u' as const;

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    const t = includedTotals(obs, included);
    return this.fromStandard(t.x / t.n);
  }

  fromStandard(center: number): ChartParameters {
    return { center, sigma: Math.sqrt(center) };
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    return plotAttribute(out, o.x / o.n, p.center, p.sigma / Math.sqrt(o.n));
  }
}

/** The u chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'u',
  title: 'Defects per unit',
  family: 'attributes',
  distribution: 'poisson',
  params: [],
  runRules: true,
  subgroups: 'individual',
  needsN: true,
  checkCenter: positiveCenter,
  create: () => new DefectsPerUnitChart(),
  source: 'Montgomery §7.3.1–7.3.2, eqs. 7.19 and 7.21',
  file: import.meta.url,
} as const satisfies ChartSpec;
