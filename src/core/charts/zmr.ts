import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import { d2 } from './constants.js';
import { IndividualsMovingRangeChart } from './i-mr.js';
import { needsProduct } from './short-run.js';
import type { ChartSpec, ProductStandards } from './spec.js';

const MR_D2 = d2(2);
/** The Z chart's own parameters: standardized values are N(0, 1) in control. */
const STANDARD: ChartParameters = Object.freeze({ center: 0, sigma: 1 });

/**
 * Standardized individuals and moving-range chart (Z-MR) for short runs with part numbers of
 * different σ (Montgomery, Introduction to Statistical Quality Control, 7th ed., §10.1.1;
 * Wheeler, Short Run SPC, 1991): each piece plots zᵢ = (xᵢ − T_p)/σ_p with its product's nominal
 * and σ, against limits 0 ± 3, and the moving range of z against 1.128 and 3.267 (D4·d2).
 * T_p and σ_p are known (`products.<P>.spec.target`, `limits: { center, sigma }`) or estimated in
 * Phase I from the product's own pieces: T_p their mean (unless given), σ_p = MR̄_p/1.128 of the
 * moving ranges between consecutive pieces of that product (Montgomery's per-part R̄).
 * A product with neither a known σ nor two Phase I pieces is refused after Phase I.
 */
export class StandardizedChart implements ControlChart {
  readonly type = 'zmr' as const;
  private readonly inner = new IndividualsMovingRangeChart();
  private readonly scratch: Observation = { x: 0, n: 1, range: 0, sd: 0 };
  /** Estimated in Phase I: product → [T, σ]. */
  private estimated = new Map<string, [number, number]>();

  constructor(private readonly products: ProductStandards) {}

  private standardOf(product: string | undefined): [number, number] | undefined {
    if (product === undefined) return undefined;
    const known = this.products[product];
    if (known?.target !== undefined && known.sigma !== undefined) return [known.target, known.sigma];
    return this.estimated.get(product);
  }

  refuse(product: string | undefined, locked: boolean): string | undefined {
    if (product === undefined) return needsProduct('zmr');
    if (!locked || this.standardOf(product)) return undefined;
    return `product ${product} has no σ: it had fewer than 2 pieces in Phase I; set products.${product}.limits: { center, sigma } for a zmr chart`;
  }

  /** No point for a Phase I piece of a product whose σ could not be estimated. */
  warmUp(o: Observation): boolean { return this.standardOf(o.product) === undefined; }

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    const byProduct = new Map<string, { sum: number; count: number; mrSum: number; mrCount: number; last: number }>();
    for (let i = 0; i < obs.length; i++) {
      const product = obs[i].product;
      if (!included[i] || product === undefined) continue;
      let s = byProduct.get(product);
      if (!s) byProduct.set(product, (s = { sum: 0, count: 0, mrSum: 0, mrCount: 0, last: NaN }));
      if (s.count) { s.mrSum += Math.abs(obs[i].x - s.last); s.mrCount++; }
      s.sum += obs[i].x; s.count++; s.last = obs[i].x;
    }
    this.estimated = new Map();
    for (const [product, s] of byProduct) {
      const known = this.products[product];
      const sigma = known?.sigma ?? s.mrSum / s.mrCount / MR_D2;
      if (sigma > 0) this.estimated.set(product, [known?.target ?? s.sum / s.count, sigma]);
    }
    return STANDARD;
  }

  fromStandard(): ChartParameters { return STANDARD; }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    const [target, sigma] = this.standardOf(o.product) as [number, number];
    this.scratch.x = (o.x - target) / sigma;
    return this.inner.plot(this.scratch, p, out);
  }

  saveState(): number[] { return this.inner.saveState(); }
  restoreState(s: readonly number[]): void { this.inner.restoreState(s); }
  saveProducts(): Record<string, number[]> { return Object.fromEntries([...this.estimated].map(([k, v]) => [k, [...v]])); }
  restoreProducts(s: Readonly<Record<string, readonly number[]>>): void {
    this.estimated = new Map(Object.entries(s).map(([k, v]) => [k, [v[0], v[1]]]));
  }
}

/** The Z-MR chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'zmr',
  title: 'Standardized individuals and moving range (short runs)',
  family: 'variables',
  distribution: 'normal',
  params: [],
  runRules: true,
  subgroups: 'individual',
  needsN: false,
  scale: 'standardized',
  create: (_config, products) => new StandardizedChart(products),
  source: 'Montgomery, Introduction to Statistical Quality Control, 7th ed., §10.1.1; Wheeler, Short Run SPC (1991)',
  file: import.meta.url,
} as const satisfies ChartSpec;
