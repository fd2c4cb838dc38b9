import { fromProfile, type ChangePointEstimate } from './profile.js';

/** x·ln(x/y) with 0·ln 0 = 0 (the limit), for the likelihoods below. */
const xlog = (x: number, ratio: number) => (x === 0 ? 0 : x * Math.log(ratio));

/**
 * Maximum-likelihood estimate of the time of a step change in a binomial proportion with known
 * in-control p₀ (p and np charts; Samuel & Pignatiello 2001, "Identifying the time of a step change
 * in the process fraction nonconforming", Quality Engineering 13(3):357–365). With Dᵢ nonconforming
 * of nᵢ, and p̂ = ΣDᵢ / Σnᵢ over the points after t, the log-likelihood ratio of "changed after t" is
 *
 *   ℓ(t) = Σ_{i>t} [ Dᵢ ln(p̂/p₀) + (nᵢ − Dᵢ) ln((1 − p̂)/(1 − p₀)) ],
 *
 * and τ̂ = argmax ℓ(t) over t ∈ [s−1, T−1] (ties to the earliest).
 */
export function binomialChangePoint(d: ArrayLike<number>, n: ArrayLike<number>, p0: number, first: number): ChangePointEstimate {
  const m = d.length;
  const ll = new Float64Array(m);
  let D = 0, N = 0;
  for (let j = m - 1; j >= 0; j--) {
    D += d[j]; N += n[j];
    const p = D / N;
    ll[j] = xlog(D, p / p0) + xlog(N - D, (1 - p) / (1 - p0));
  }
  return fromProfile(ll, first, 'binomial-mle');
}
