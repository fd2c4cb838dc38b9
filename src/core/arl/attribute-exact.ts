import binomialPmf from '@stdlib/stats-base-dists-binomial-pmf';
import binomialQuantile from '@stdlib/stats-base-dists-binomial-quantile';
import poissonPmf from '@stdlib/stats-base-dists-poisson-pmf';
import poissonQuantile from '@stdlib/stats-base-dists-poisson-quantile';
import { chartSpec, createChart, type PlottedPoint } from '../charts/index.js';
import type { ChartConfig } from '../config.js';
import type { PointOutcome } from './zone-markov.js';

/** Counts further out than this tail probability are left out of the enumeration (their mass is below float precision of the ARL). */
const NEGLIGIBLE_TAIL = 1e-15;

/** The in-control distribution of an attribute chart's points, with what the limit rule makes of it. */
export interface AttributeDistribution {
  /** Every count with its probability and the point the chart plots for it. */
  outcomes: PointOutcome[];
  /** P(a point is strictly beyond the limits): the limit rule's (we1, nelson1) false-alarm rate. */
  beyondProbability: number;
  /** The smallest count beyond the UCL, and the largest beyond the LCL (undefined: none). */
  firstCountAbove?: number;
  lastCountBelow?: number;
  /** The count's distribution: binomial (p, np) or Poisson (c, u), and its mean n·p̄, c̄ or n·ū. */
  distribution: 'binomial' | 'poisson';
  mean: number;
}

/**
 * The exact in-control distribution of a p, np, c or u chart's points at a fixed center and a
 * sample size n (items for p and np, inspection units for u; unused for c): the count D is
 * Binomial(n, p̄) (Montgomery §7.2.1) or Poisson(c̄) / Poisson(n·ū) (§7.3.1), and each count is
 * plotted by the chart's own code, so its limits (3σ with the LCL floored at 0, or probability
 * limits) and the engine's strict comparison (a point on a limit does not signal) are the ones
 * used live. Counts beyond the 1e-15 quantiles are left out.
 */
export function attributeDistribution(chart: ChartConfig, center: number, n: number): AttributeDistribution {
  const spec = chartSpec(chart.type);
  if (!spec || spec.family !== 'attributes' || spec.distribution === 'normal') throw new RangeError(`${chart.type} is not a binomial or Poisson chart`);
  const binomial = spec.distribution === 'binomial';
  const size = binomial ? Math.round(n) : spec.needsN ? n : 1;
  const mean = size * center;
  const pmf = binomial ? (x: number) => binomialPmf(x, size, center) : (x: number) => poissonPmf(x, mean);
  const quantile = binomial ? (q: number) => binomialQuantile(q, size, center) : (q: number) => poissonQuantile(q, mean);
  const plotter = createChart(chart);
  const params = plotter.fromStandard(center, undefined);
  const out: PlottedPoint = { statistic: 0, center: 0, ucl: 0, lcl: 0 };
  const outcomes: PointOutcome[] = [];
  let beyondProbability = 0, firstCountAbove: number | undefined, lastCountBelow: number | undefined;
  for (let x = quantile(NEGLIGIBLE_TAIL), last = quantile(1 - NEGLIGIBLE_TAIL); x <= last; x++) {
    const zoneSigma = plotter.plot({ x, n: size, range: 0, sd: 0 }, params, out);
    // As the engine computes them (engine/characteristic.ts).
    const beyond = out.statistic > out.ucl || out.statistic < out.lcl;
    const probability = pmf(x);
    outcomes.push({ probability, point: { statistic: out.statistic, z: (out.statistic - out.center) / zoneSigma, beyond } });
    if (!beyond) continue;
    beyondProbability += probability;
    if (out.statistic > out.ucl) firstCountAbove ??= x;
    else lastCountBelow = x;
  }
  return { outcomes, beyondProbability, distribution: binomial ? 'binomial' : 'poisson', mean, ...(firstCountAbove !== undefined ? { firstCountAbove } : {}), ...(lastCountBelow !== undefined ? { lastCountBelow } : {}) };
}

/**
 * In-control ARL of an attribute chart with the limit rule alone (we1 or nelson1): points are
 * independent, so the run length is geometric and ARL₀ = 1/P(point beyond the limits)
 * (Montgomery §5.3.3, eq. 5.2, with α the exact binomial or Poisson tail instead of 0.0027).
 */
export function attributeLimitArl(d: AttributeDistribution): number {
  return 1 / d.beyondProbability;
}
