import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import { IndividualsMovingRangeChart } from './i-mr.js';
import { estimateIndividuals, individualsStandard } from './individuals.js';
import { needsProduct, targetOf } from './short-run.js';
import type { ChartSpec, ProductStandards } from './spec.js';

/**
 * Deviation-from-nominal (DNOM) individuals and moving-range chart for short runs (Montgomery,
 * Introduction to Statistical Quality Control, 7th ed., §10.1.1; Wheeler, Short Run SPC, 1991):
 * every piece plots xᵢ − T_p, its product's nominal, so several part numbers share one chart and
 * one σ. Phase I estimates the deviations' mean and σ = MR̄/1.128, the moving ranges running across
 * changeovers, as for an I-MR chart (i-mr.ts). Assumes the parts share σ; use zmr when they do not.
 */
export class DeviationFromNominalChart implements ControlChart {
  readonly type = 'dnom' as const;
  private readonly inner = new IndividualsMovingRangeChart();
  private readonly scratch: Observation = { x: 0, n: 1, range: 0, sd: 0 };

  constructor(private readonly products: ProductStandards) {}

  refuse(product: string | undefined): string | undefined {
    if (product === undefined) return needsProduct('dnom');
    return targetOf(this.products, product) === undefined ? `product ${product} has no nominal: set products.${product}.spec.target for a dnom chart` : undefined;
  }

  private deviation(o: Observation): Observation {
    this.scratch.x = o.x - (targetOf(this.products, o.product) as number);
    return this.scratch;
  }

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    return estimateIndividuals(obs.map((o) => ({ ...this.deviation(o) })), included);
  }

  fromStandard(center: number, sigma: number | undefined): ChartParameters {
    return individualsStandard(center, sigma);
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    return this.inner.plot(this.deviation(o), p, out);
  }

  saveState(): number[] { return this.inner.saveState(); }
  restoreState(s: readonly number[]): void { this.inner.restoreState(s); }
}

/** The DNOM chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'dnom',
  title: 'Deviation from nominal (short runs)',
  family: 'variables',
  distribution: 'normal',
  params: [],
  runRules: true,
  subgroups: 'individual',
  needsN: false,
  scale: 'deviation',
  create: (_config, products) => new DeviationFromNominalChart(products),
  source: 'Montgomery, Introduction to Statistical Quality Control, 7th ed., §10.1.1; Wheeler, Short Run SPC (1991)',
  file: import.meta.url,
} as const satisfies ChartSpec;
