/**
 * Control chart constants for subgroup sizes n = 2..25.
 *
 * d2 and d3 are the published 3-decimal values of ASTM MNL7 (Manual on Presentation of Data and
 * Control Chart Analysis, Table 49) and Montgomery, Introduction to Statistical Quality Control,
 * Appendix VI: d2 = E(R/σ), d3 = sd(R/σ) for normal samples. R qcc 3.0 uses the same 3-decimal
 * d2, so σ = R̄/d2 agrees with it to every digit.
 *
 * The other constants follow from d2, d3 and c4 by their textbook definitions (Montgomery §6.2,
 * §6.3, Appendix VI), so the tables cannot disagree with each other:
 *   A2 = 3/(d2√n), D3 = max(0, 1 − 3d3/d2), D4 = 1 + 3d3/d2,
 *   A3 = 3/(c4√n), B3 = max(0, 1 − 3√(1−c4²)/c4), B4 = 1 + 3√(1−c4²)/c4.
 */
import { gammaln } from 'simple-statistics';

export const MIN_SUBGROUP = 2;
export const MAX_SUBGROUP = 25;

// Index = n. ASTM MNL7 Table 49 / Montgomery Appendix VI.
const D2: readonly number[] = [NaN, NaN,
  1.128, 1.693, 2.059, 2.326, 2.534, 2.704, 2.847, 2.970, 3.078, 3.173, 3.258,
  3.336, 3.407, 3.472, 3.532, 3.588, 3.640, 3.689, 3.735, 3.778, 3.819, 3.858, 3.895, 3.931];
const D3_TABLE: readonly number[] = [NaN, NaN,
  0.853, 0.888, 0.880, 0.864, 0.848, 0.833, 0.820, 0.808, 0.797, 0.787, 0.778,
  0.770, 0.763, 0.756, 0.750, 0.744, 0.739, 0.734, 0.729, 0.724, 0.720, 0.716, 0.712, 0.708];

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < MIN_SUBGROUP || n > MAX_SUBGROUP) {
    throw new RangeError(`subgroup size must be an integer ${MIN_SUBGROUP}..${MAX_SUBGROUP} (got ${n})`);
  }
}

/** d2(n): mean of the relative range R/σ. d2(2) = 1.128 (MR of individuals), d2(5) = 2.326. */
export function d2(n: number): number { checkN(n); return D2[n]; }

/** d3(n): standard deviation of the relative range R/σ. d3(5) = 0.864. */
export function d3(n: number): number { checkN(n); return D3_TABLE[n]; }

/**
 * c4(n) = √(2/(n−1)) · Γ(n/2) / Γ((n−1)/2), the bias of the sample standard deviation:
 * E(S) = c4·σ for normal samples (Montgomery Appendix VI). c4(5) = 0.9400, c4(25) = 0.9896.
 */
export function c4(n: number): number {
  checkN(n);
  return Math.sqrt(2 / (n - 1)) * Math.exp(gammaln(n / 2) - gammaln((n - 1) / 2));
}

/** A2 = 3/(d2√n): X̄ limits are x̿ ± A2·R̄. A2(5) = 0.577. */
export function a2(n: number): number { return 3 / (d2(n) * Math.sqrt(n)); }

/** A3 = 3/(c4√n): X̄ limits are x̿ ± A3·S̄. A3(5) = 1.427. */
export function a3(n: number): number { return 3 / (c4(n) * Math.sqrt(n)); }

/** D3 = max(0, 1 − 3d3/d2): R chart LCL = D3·R̄. D3(7) = 0.076. */
export function d3Lower(n: number): number { return Math.max(0, 1 - (3 * d3(n)) / d2(n)); }

/** D4 = 1 + 3d3/d2: R chart UCL = D4·R̄. D4(5) = 2.114. */
export function d4Upper(n: number): number { return 1 + (3 * d3(n)) / d2(n); }

/** B3 = max(0, 1 − 3√(1−c4²)/c4): S chart LCL = B3·S̄. B3(6) = 0.030. */
export function b3(n: number): number { const c = c4(n); return Math.max(0, 1 - (3 * Math.sqrt(1 - c * c)) / c); }

/** B4 = 1 + 3√(1−c4²)/c4: S chart UCL = B4·S̄. B4(5) = 2.089. */
export function b4(n: number): number { const c = c4(n); return 1 + (3 * Math.sqrt(1 - c * c)) / c; }
