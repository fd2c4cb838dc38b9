import binomialQuantile from '@stdlib/stats-base-dists-binomial-quantile';
import poissonQuantile from '@stdlib/stats-base-dists-poisson-quantile';

/**
 * Probability limits of an attribute chart: the count limits are quantiles of the count's own
 * in-control distribution, Binomial(n, p̄) for p and np charts and Poisson(c̄) or Poisson(ū·n) for
 * c and u charts, with α = 0.00135 in each tail: the tail of a normal statistic beyond 3σ,
 * Φ(−3) = 0.00135 (Montgomery, Introduction to SQC, 7th ed., §5.3.2 on probability limits, and
 * §7.2–7.3, where the 3σ limits of attribute charts are the normal approximation to these tails;
 * section numbers from the book's table of contents, no worked example of these quantiles was at
 * hand, so test/unit/probability-limits.test.ts checks them against summed pmfs).
 *
 * Quantile convention (a count is discrete, so the tails cannot be exactly α):
 *   UCL = Q(1 − α) = the smallest k with P(X ≤ k) ≥ 1 − α, and a point signals when X > UCL,
 *         so P(X > UCL) ≤ α;
 *   LCL = Q(α)     = the smallest k with P(X ≤ k) ≥ α,     and a point signals when X < LCL,
 *         so P(X < LCL) = P(X ≤ LCL − 1) < α.
 * Each tail is the largest set of extreme counts whose probability stays at or below α, so the
 * in-control ARL is at least 1/(2α) = 370.4, never below what a 3σ chart promises on normal data.
 * Points exactly on a limit do not signal, as with 3σ limits (rules/rule.ts: strictly beyond).
 * Q is @stdlib's quantile, which returns the smallest such k (binomial and Poisson alike).
 */
export const PROBABILITY_LIMIT_TAIL = 0.00135;

export interface CountLimits { lcl: number; ucl: number }

/** Count limits for D ~ Binomial(n, p) (n whole items). */
export function binomialProbabilityLimits(n: number, p: number, alpha = PROBABILITY_LIMIT_TAIL): CountLimits {
  return { lcl: binomialQuantile(alpha, n, p), ucl: binomialQuantile(1 - alpha, n, p) };
}

/** Count limits for C ~ Poisson(mean). */
export function poissonProbabilityLimits(mean: number, alpha = PROBABILITY_LIMIT_TAIL): CountLimits {
  return { lcl: poissonQuantile(alpha, mean), ucl: poissonQuantile(1 - alpha, mean) };
}

/**
 * The last limits computed, by (size, rate): a chart with a constant sample size computes its
 * quantiles once, not per point (a quantile is a search over the cdf).
 */
export class ProbabilityLimits {
  private size = NaN;
  private rate = NaN;
  private last: CountLimits = { lcl: 0, ucl: 0 };

  constructor(private readonly distribution: 'binomial' | 'poisson') {}

  /**
   * Count limits for `size` items (binomial) or a Poisson mean of `rate · size`. A binomial
   * needs whole items; a fractional n (a data error on p and np charts) is rounded.
   */
  of(size: number, rate: number): CountLimits {
    if (size !== this.size || rate !== this.rate) {
      this.size = size; this.rate = rate;
      this.last = this.distribution === 'binomial' ? binomialProbabilityLimits(Math.round(size), rate) : poissonProbabilityLimits(rate * size);
    }
    return this.last;
  }
}
