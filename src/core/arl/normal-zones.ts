import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import type { PointOutcome } from './zone-markov.js';

/** The zone lines of the rules (rules/runs.ts) and the 3σ limits, in σ of the plotted statistic. */
const LINES = [-3, -2, -1, 0, 1, 2, 3];

/**
 * The in-control distribution of a Shewhart point on normal data (I, X̄, DNOM, Z, Q charts:
 * z = (statistic − center)/σ ~ N(0, 1), independent from point to point, with the limits at
 * ±3σ): the probability of each zone between consecutive lines, Φ(b) − Φ(a), with a
 * representative point inside it. A point exactly on a line has probability 0.
 */
export function normalZoneOutcomes(): PointOutcome[] {
  return shiftedZoneOutcomes(0, 1);
}

/**
 * The same zones when the plotted statistic is N(u, r²) in units of the chart's zone σ, measured
 * from its center line: a shifted process (u ≠ 0), or a chart whose Phase I estimates put the
 * center and limits off the true ones (u = (μ − ĉ)/σ̂ₛₜₐₜ, r = σₛₜₐₜ/σ̂ₛₜₐₜ). Zone j's probability is
 * Φ((b − u)/r) − Φ((a − u)/r); the chain then gives that chart's conditional ARL.
 */
export function shiftedZoneOutcomes(u: number, r: number): PointOutcome[] {
  const cuts = [-Infinity, ...LINES, Infinity];
  return cuts.slice(0, -1).map((a, i) => {
    const b = cuts[i + 1];
    const z = a === -Infinity ? b - 0.5 : b === Infinity ? a + 0.5 : (a + b) / 2;
    return { probability: normalCdf((b - u) / r, 0, 1) - normalCdf((a - u) / r, 0, 1), point: { statistic: z, z, beyond: Math.abs(z) > 3 } };
  });
}
