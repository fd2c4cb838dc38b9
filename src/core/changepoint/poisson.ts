import { fromProfile, type ChangePointEstimate } from './profile.js';

/**
 * Maximum-likelihood estimate of the time of a step change in a Poisson rate with known in-control
 * rate λ₀ per unit inspected (c and u charts; Samuel & Pignatiello 1998, "Identifying the time of a
 * step change in a Poisson rate parameter", Quality Engineering 10(4):673–681, there with one unit
 * per sample; here with nᵢ units, as a u chart has). With cᵢ defects on nᵢ units and
 * λ̂ = Σcᵢ / Σnᵢ over the points after t:
 *
 *   ℓ(t) = Σ_{i>t} cᵢ · ln(λ̂/λ₀) − Σ_{i>t} nᵢ · (λ̂ − λ₀),
 *
 * and τ̂ = argmax ℓ(t) over t ∈ [s−1, T−1] (ties to the earliest). With nᵢ = 1 this is the
 * paper's estimator.
 */
export function poissonChangePoint(c: ArrayLike<number>, n: ArrayLike<number>, lambda0: number, first: number): ChangePointEstimate {
  const m = c.length;
  const ll = new Float64Array(m);
  let C = 0, N = 0;
  for (let j = m - 1; j >= 0; j--) {
    C += c[j]; N += n[j];
    const lambda = C / N;
    ll[j] = (C === 0 ? 0 : C * Math.log(lambda / lambda0)) - N * (lambda - lambda0);
  }
  return fromProfile(ll, first, 'poisson-mle');
}
