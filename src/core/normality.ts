import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

/** The Anderson–Darling test of normality with mean and σ estimated from the data. */
export interface NormalityTest {
  n: number;
  /** A², the statistic. */
  a2: number;
  /** A*² = A²(1 + 0.75/n + 2.25/n²), the statistic adjusted for estimated parameters. */
  a2Adjusted: number;
  /** P-value of normality: small (< 0.05) means capability indices built on σ mislead. */
  pValue: number;
}

/** Fewer values than this and the p-value approximation does not hold (nortest's ad.test needs n > 7). */
export const MIN_NORMALITY_N = 8;

/**
 * Anderson–Darling normality test, case 3 (μ and σ estimated): D'Agostino & Stephens (eds.),
 * Goodness-of-Fit Techniques, 1986, §4.8 and Table 4.9. With zᵢ = (x₍ᵢ₎ − x̄)/s in ascending order,
 *   A² = −n − (1/n) Σ (2i − 1)[ln Φ(zᵢ) + ln(1 − Φ(z₍ₙ₊₁₋ᵢ₎))],
 * A*² = A²(1 + 0.75/n + 2.25/n²), and the p-value from Table 4.9's four exponential pieces.
 * 1 − Φ(z) is taken as Φ(−z), which keeps its digits in the upper tail.
 */
export function andersonDarling(values: readonly number[]): NormalityTest | undefined {
  const n = values.length;
  if (n < MIN_NORMALITY_N) return undefined;
  const x = [...values].sort((a, b) => a - b);
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  const s = Math.sqrt(ss / (n - 1));
  if (!(s > 0)) return undefined;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const lower = normalCdf((x[i] - mean) / s, 0, 1);
    const upper = normalCdf(-(x[n - 1 - i] - mean) / s, 0, 1);
    sum += (2 * i + 1) * (Math.log(lower) + Math.log(upper));
  }
  const a2 = -n - sum / n;
  const a = a2 * (1 + 0.75 / n + 2.25 / (n * n));
  return { n, a2, a2Adjusted: a, pValue: andersonDarlingPValue(a) };
}

/** P-value of an adjusted statistic A*² (D'Agostino & Stephens 1986, Table 4.9, case 3). */
export function andersonDarlingPValue(a: number): number {
  let p: number;
  if (a >= 0.6) p = Math.exp(1.2937 - 5.709 * a + 0.0186 * a * a);
  else if (a >= 0.34) p = Math.exp(0.9177 - 4.279 * a - 1.38 * a * a);
  else if (a >= 0.2) p = 1 - Math.exp(-8.318 + 42.796 * a - 59.938 * a * a);
  else p = 1 - Math.exp(-13.436 + 101.14 * a - 223.73 * a * a);
  return Math.min(1, Math.max(0, p));
}
