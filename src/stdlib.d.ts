// The @stdlib distribution packages ship types under docs/types; these are the signatures used.
declare module '@stdlib/stats-base-dists-f-quantile' {
  /** Quantile of the F distribution with (d1, d2) degrees of freedom. */
  export default function quantile(p: number, d1: number, d2: number): number;
}
declare module '@stdlib/stats-base-dists-chisquare-quantile' {
  /** Quantile of the χ² distribution with k degrees of freedom. */
  export default function quantile(p: number, k: number): number;
}
declare module '@stdlib/stats-base-dists-t-cdf' {
  /** Cumulative distribution function of Student's t with ν degrees of freedom. */
  export default function cdf(x: number, v: number): number;
}
declare module '@stdlib/stats-base-dists-normal-quantile' {
  /** Quantile of the normal distribution N(μ, σ²). */
  export default function quantile(p: number, mu: number, sigma: number): number;
}
declare module '@stdlib/stats-base-dists-normal-cdf' {
  /** Cumulative distribution function of the normal distribution N(μ, σ²). */
  export default function cdf(x: number, mu: number, sigma: number): number;
}
declare module '@stdlib/stats-base-dists-binomial-quantile' {
  /** Quantile of Binomial(n, p): the smallest k with P(X ≤ k) ≥ r. */
  export default function quantile(r: number, n: number, p: number): number;
}
declare module '@stdlib/stats-base-dists-binomial-pmf' {
  /** P(X = x) for X ~ Binomial(n, p). */
  export default function pmf(x: number, n: number, p: number): number;
}
declare module '@stdlib/stats-base-dists-poisson-quantile' {
  /** Quantile of Poisson(λ): the smallest k with P(X ≤ k) ≥ r. */
  export default function quantile(r: number, lambda: number): number;
}
declare module '@stdlib/stats-base-dists-poisson-pmf' {
  /** P(X = x) for X ~ Poisson(λ). */
  export default function pmf(x: number, lambda: number): number;
}
