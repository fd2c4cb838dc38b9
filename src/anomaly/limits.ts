import chisquareQuantile from '@stdlib/stats-base-dists-chisquare-quantile';
import fQuantile from '@stdlib/stats-base-dists-f-quantile';
import { probit } from 'simple-statistics';

/**
 * Phase II upper control limit of Hotelling's T² for one new observation, with mean and
 * covariance estimated from m in-control observations of p variables (Montgomery, Introduction to
 * SQC, 6th ed., eq. 11.19; Tracy, Young & Mason 1992):
 *   UCL = p(m + 1)(m − 1) / (m² − m·p) · F(1 − α; p, m − p).
 * As m grows it tends to the χ²(1 − α; p) limit of a known covariance.
 */
export function hotellingT2Limit(p: number, m: number, alpha: number): number {
  if (m <= p + 1) throw new RangeError(`Hotelling T² needs more observations than variables + 1 (m = ${m}, p = ${p})`);
  return ((p * (m + 1) * (m - 1)) / (m * m - m * p)) * fQuantile(1 - alpha, p, m - p);
}

/** χ²(1 − α; p): the T² limit when μ and Σ are known. */
export function chiSquareLimit(p: number, alpha: number): number {
  return chisquareQuantile(1 - alpha, p);
}

/**
 * Limit of the PCA residual Q (squared prediction error) by Jackson & Mudholkar (1979):
 *   Q_α = θ1 [ c_α √(2 θ2 h0²) / θ1 + 1 + θ2 h0 (h0 − 1) / θ1² ]^(1/h0),
 *   θi = Σ_{j>k} λj^i,  h0 = 1 − 2 θ1 θ3 / (3 θ2²),
 * with λj the eigenvalues of the discarded components and c_α the standard normal 1 − α quantile.
 */
export function qLimit(residualEigenvalues: readonly number[], alpha: number): number {
  const theta = (i: number) => residualEigenvalues.reduce((s, l) => s + l ** i, 0);
  const t1 = theta(1), t2 = theta(2), t3 = theta(3);
  if (!(t1 > 0)) return 0;
  const h0 = 1 - (2 * t1 * t3) / (3 * t2 * t2);
  const c = probit(1 - alpha);
  return t1 * Math.pow((c * Math.sqrt(2 * t2 * h0 * h0)) / t1 + 1 + (t2 * h0 * (h0 - 1)) / (t1 * t1), 1 / h0);
}
