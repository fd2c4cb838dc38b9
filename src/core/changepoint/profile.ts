/**
 * What every change-point estimator returns, and how a log-likelihood profile becomes an estimate
 * with a confidence set.
 *
 * Indices: the window holds the points s … T (T the signalling point). A change "after t" means
 * points t+1 … T come from the changed process; t runs over s−1 … T−1, and the first changed
 * point is t + 1. Estimates are reported as first changed points, as the points' `index`.
 */
export interface ChangePointEstimate {
  /** Index of the first point estimated to come from the changed process (τ̂ + 1). */
  index: number;
  /** Bounds of the confidence set for that index (see fromProfile). */
  lower: number;
  upper: number;
  method: ChangePointMethod;
}

export type ChangePointMethod = 'normal-mean-mle' | 'cusum-page' | 'binomial-mle' | 'poisson-mle';

/**
 * The confidence set's cut-off on the log-likelihood: every t whose log-likelihood is within c of
 * the maximum, {t : ℓ(τ̂) − ℓ(t) ≤ c} — the likelihood-based set of Pignatiello & Samuel (2001),
 * "Estimation of the change point of a normal process mean in SPC applications", JQT 33(1):82–95.
 * A change point is not a regular parameter, so χ² theory does not give c: χ²₁(0.95)/2 = 1.92
 * covered the true change in only 75–88% of simulated I-chart runs for shifts of 0.5–2σ. c = 3
 * covers it in 85–99% (I chart) and 89–99% (CUSUM) over 0.5–3σ and ≥ 93% from 1σ on, measured by
 * `npm run bench:changepoint` (table in docs/containment.md): containment from the set's lower
 * end holds a few more good units rather than miss changed ones.
 */
export const LIKELIHOOD_SET_CUTOFF = 3;

/**
 * The estimate from a profile: `ll[j]` is the log-likelihood ratio of "changed after t = first − 1 + j"
 * against "no change", j = 0 … T − first. τ̂ is the argmax (ties to the earliest t, as the issue's
 * estimators specify); the set is every t within LIKELIHOOD_SET_CUTOFF of it.
 */
export function fromProfile(ll: ArrayLike<number>, first: number, method: ChangePointMethod): ChangePointEstimate {
  let best = 0;
  for (let j = 1; j < ll.length; j++) if (ll[j] > ll[best]) best = j;
  return aroundBest(ll, ll.length, best, first, method);
}

/** The estimate when the argmax `best` of `ll[0 … m−1]` is known: the set is every j within the cut-off of it. */
export function aroundBest(ll: ArrayLike<number>, m: number, best: number, first: number, method: ChangePointMethod): ChangePointEstimate {
  const floor = ll[best] - LIKELIHOOD_SET_CUTOFF;
  // No finite maximum (an empty window, or a likelihood that is not a number): the point alone.
  if (!(m > 0) || Number.isNaN(floor)) return { index: first + best, lower: first + best, upper: first + best, method };
  // The set's ends: the first j from each side within the cut-off (j = best always is; written
  // as "not ≥" so a NaN is outside the set, as in a comparison with it).
  let lo = 0, hi = m - 1;
  while (!(ll[lo] >= floor)) lo++;
  while (!(ll[hi] >= floor)) hi--;
  // j = 0 is "changed after s − 1": the first changed point is s = first.
  return { index: first + best, lower: first + lo, upper: first + hi, method };
}
