import { aroundBest, fromProfile, type ChangePointEstimate } from './profile.js';

/**
 * Maximum-likelihood estimate of the time of a step change in a normal mean with known in-control
 * mean μ₀ and standard deviation σ of the plotted statistic (Samuel, Pignatiello & Calvin 1998,
 * "Identifying the time of a step change with X̄ control charts", Quality Engineering 10(3):521–527):
 *
 *   τ̂ = argmax over t ∈ [s−1, T−1] of (T − t)·(x̄(t+1..T) − μ₀)²,
 *
 * x̄(t+1..T) the mean of the plotted individuals or subgroup means after t. The log-likelihood
 * ratio of "changed after t" is ℓ(t) = (T − t)(x̄ − μ₀)² / (2σ²), which the confidence set needs
 * (σ of a subgroup mean is σ/√n). `x` holds the points s … T in order; the first is index `first`.
 */
/** The profile's buffer, reused: fromProfile reads it and keeps nothing (one estimate per new signal, on the hot path). */
let profile = new Float64Array(512);

export function normalMeanChangePoint(x: ArrayLike<number>, mu0: number, sigma: number, first: number): ChangePointEstimate {
  const m = x.length;
  if (profile.length < m) profile = new Float64Array(Math.max(m, 2 * profile.length));
  if (m === 0) return aroundBest(profile, 0, 0, first, 'normal-mean-mle');
  const ll = profile;
  let sum = 0;
  let best = m - 1;
  // Suffix sums from the signalling point back: j = t − (s − 1), points j … m−1 are after t. The
  // argmax is kept on the way (≥: ties go to the earliest t, as fromProfile's).
  for (let j = m - 1; j >= 0; j--) {
    sum += x[j] - mu0;
    const k = m - j;
    ll[j] = (sum * sum) / k / (2 * sigma * sigma); // k·(mean − μ₀)² / 2σ², mean − μ₀ = sum/k
    if (ll[j] >= ll[best]) best = j;
  }
  // A NaN never wins a comparison, so it can only be the maximum by starting as one (the last
  // point's): then the general argmax decides (σ so small that 2σ² underflows, or μ₀ not a number).
  if (Number.isNaN(ll[best])) return fromProfile(ll.subarray(0, m), first, 'normal-mean-mle');
  return aroundBest(ll, m, best, first, 'normal-mean-mle');
}
