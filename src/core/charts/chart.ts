
/** The input of one plotted point, after subgrouping. */
export interface Observation {
  /** Individual value, subgroup mean, or count of nonconforming items / defects. */
  x: number;
  /** Subgroup size (X̄ charts), sample size (p, np, u), or 1. */
  n: number;
  /** Subgroup range (X̄-R); 0 otherwise. */
  range: number;
  /** Subgroup standard deviation, n − 1 denominator (X̄-S); 0 otherwise. */
  sd: number;
  /** The sample's product (part number): short-run charts keep a nominal and state per product. */
  product?: string;
}

/** Locked parameters of a chart: estimated in Phase I or given as a standard. */
export interface ChartParameters {
  /** μ of individual values, or p̄ / c̄ / ū of attribute charts. */
  center: number;
  /**
   * σ of individual values for variables charts. For attribute charts the per-unit σ qcc
   * reports: √(p̄(1−p̄)) for p and np, √c̄ for c, √ū for u.
   */
  sigma: number;
}

/**
 * Statistic and limits of one plotted point, plus the companion chart's values by chart type.
 * Charts write these fields straight into the output record, so a point costs one object.
 */
export interface PlottedPoint {
  statistic: number;
  center: number;
  ucl: number;
  /** Floored at 0 where the statistic cannot be negative. */
  lcl: number;
  /** I-MR: moving range and its chart (LCL 0). */
  mr?: number; mrCenter?: number; mrUcl?: number;
  /** X̄-R: subgroup range and its chart. */
  range?: number; rangeCenter?: number; rangeUcl?: number; rangeLcl?: number;
  /** X̄-S: subgroup standard deviation and its chart. */
  sd?: number; sdCenter?: number; sdUcl?: number; sdLcl?: number;
  /** CUSUM: upper and lower sums, in σ units. */
  cplus?: number; cminus?: number;
}

/**
 * One chart type. An instance belongs to one characteristic and may keep state between points
 * (moving range, EWMA, CUSUM sums), so `plot` must be called once per point, in order.
 */
export interface ControlChart {
  /** The rule-file key (its spec's `key`). */
  readonly type: string;
  /** Phase I: estimate center and σ from the observations whose `included` flag is set. */
  estimate(phase1: readonly Observation[], included: readonly boolean[]): ChartParameters;
  /** Parameters from a standard given in the rule file (attribute charts derive σ from center). */
  fromStandard(center: number, sigma: number | undefined): ChartParameters;
  /**
   * Writes the point's statistic, limits and companion values into `out` and returns the 1σ of
   * the plotted statistic: a third of the distance from center to the unfloored 3σ limit. Zone
   * rules measure points in these units, so they work where limits vary per point.
   */
  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number;
  /** Charts that carry state between points (MR, EWMA, CUSUM) give it as numbers for a snapshot. */
  saveState?(): number[];
  /** Puts back what `saveState` gave, so the next point plots as if nothing had stopped. */
  restoreState?(state: readonly number[]): void;
  /**
   * Short-run charts: why a sample of this product cannot be plotted (no nominal, no σ), or
   * undefined when it can. Checked before the sample is accepted, so it is dead-lettered, not lost.
   */
  refuse?(product: string | undefined, locked: boolean): string | undefined;
  /**
   * Self-starting charts: consumes an observation that gives no point yet (a product's first
   * pieces) and returns true; the runner then plots nothing for it.
   */
  warmUp?(o: Observation): boolean;
  /** Per-product state (running means, estimated σ) for a snapshot, keyed by product. */
  saveProducts?(): Record<string, number[]>;
  restoreProducts?(state: Readonly<Record<string, readonly number[]>>): void;
}

/** Sum of `x` and of `n` over the included observations (p̄ = Σx/Σn, ū = Σx/Σn). */
export function includedTotals(obs: readonly Observation[], included: readonly boolean[]): { x: number; n: number; count: number } {
  let x = 0, n = 0, count = 0;
  for (let i = 0; i < obs.length; i++) {
    if (!included[i]) continue;
    x += obs[i].x; n += obs[i].n; count++;
  }
  return { x, n, count };
}
