import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import { productKey } from './short-run.js';
import type { ChartSpec } from './spec.js';

/** Q statistics are N(0, 1) in control: the chart's own, fixed parameters. */
const STANDARD: ChartParameters = Object.freeze({ center: 0, sigma: 1 });
/**
 * A piece that departs from earlier pieces of exactly equal value has t = ±∞ and Q = ±∞: kept at
 * ±10 (a tail probability near 1e-23), beyond any limit and still a number in JSON and InfluxDB.
 */
const Q_BOUND = 10;

/**
 * Quesenberry's self-starting Q chart for individual values with mean and σ unknown (C. P.
 * Quesenberry, "SPC Q charts for start-up processes and short or long runs", Journal of Quality
 * Technology 23(3), 1991, pp. 213–224): for the r-th piece of a product, r ≥ 3,
 *   Q_r = Φ⁻¹( G_{r−2}( √((r−1)/r) · (x_r − x̄_{r−1}) / s_{r−1} ) ),
 * x̄_{r−1} and s_{r−1} the mean and standard deviation (n − 1) of the product's earlier pieces and
 * G_ν Student's t distribution function. In control the Q_r are independent N(0, 1) (his Theorem),
 * so one chart with limits 0 ± 3 and the zone and run rules serves every product from its third
 * piece on: no Phase I, no nominal. The first two pieces of a product plot nothing.
 * Each product keeps its count, mean and sum of squares (Welford's update).
 */
export class QChart implements ControlChart {
  readonly type = 'q' as const;
  /** product → [r, mean, Σ(x − mean)²] of its pieces so far. */
  private products = new Map<string, [number, number, number]>();

  private stateOf(o: Observation): [number, number, number] {
    const key = productKey(o.product);
    let s = this.products.get(key);
    if (!s) this.products.set(key, (s = [0, 0, 0]));
    return s;
  }

  /** Welford's one-pass update of count, mean and sum of squared deviations. */
  private static add(s: [number, number, number], x: number): void {
    s[0]++;
    const d = x - s[1];
    s[1] += d / s[0];
    s[2] += d * (x - s[1]);
  }

  warmUp(o: Observation): boolean {
    const s = this.stateOf(o);
    if (s[0] >= 2) return false;
    QChart.add(s, o.x);
    return true;
  }

  estimate(): ChartParameters { return STANDARD; }
  fromStandard(): ChartParameters { return STANDARD; }

  plot(o: Observation, _p: ChartParameters, out: PlottedPoint): number {
    const s = this.stateOf(o);
    const r = s[0] + 1;
    const sd = Math.sqrt(s[2] / (s[0] - 1));
    const t = Math.sqrt((r - 1) / r) * (o.x - s[1]) / sd;
    QChart.add(s, o.x);
    // Φ⁻¹(G(t)) = −Φ⁻¹(G(−t)): take the smaller tail, where the probability keeps its digits.
    let q = t > 0 ? -normalQuantile(tCdf(-t, r - 2), 0, 1) : normalQuantile(tCdf(t, r - 2), 0, 1);
    if (Number.isNaN(q)) q = 0; // 0/0: the piece equals every earlier one
    out.statistic = Math.max(-Q_BOUND, Math.min(Q_BOUND, q));
    out.center = 0;
    out.ucl = 3;
    out.lcl = -3;
    return 1;
  }

  saveProducts(): Record<string, number[]> { return Object.fromEntries([...this.products].map(([k, v]) => [k, [...v]])); }
  restoreProducts(s: Readonly<Record<string, readonly number[]>>): void {
    this.products = new Map(Object.entries(s).map(([k, v]) => [k, [v[0], v[1], v[2]]]));
  }
}

/** The Q chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'q',
  title: 'Quesenberry Q (self-starting, short runs)',
  family: 'variables',
  distribution: 'normal',
  params: [],
  runRules: true,
  subgroups: 'individual',
  needsN: false,
  scale: 'standardized',
  selfStarting: true,
  create: () => new QChart(),
  source: 'Quesenberry, "SPC Q charts for start-up processes and short or long runs", J. Quality Technology 23(3), 1991, pp. 213–224',
  file: import.meta.url,
} as const satisfies ChartSpec;
