import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { solveAugmented } from './linear-solve.js';

/** States of the discretized sum; ARLs of k = 0.5, h = 4…12 agree to 4 significant digits from here on. */
const DEFAULT_STATES = 300;

/**
 * Average run length of a one-sided tabular CUSUM S⁺ᵢ = max(0, S⁺ᵢ₋₁ + zᵢ − k), signalling when
 * S⁺ > h, for zᵢ ~ N(δ, 1), by the Markov chain of Brook & Evans (1972, Biometrika 59(3):539–549):
 * [0, h] is cut into m cells of width w = 2h/(2m − 1) (the first, [0, w/2), holds the sum at 0;
 * cell j ≥ 1 is [(j − ½)w, (j + ½)w)), the sum moves between cell centres with the normal
 * probabilities, and the ARL from a zero start is the first element of (I − Q)⁻¹·1.
 */
export function cusumOneSidedArl(k: number, h: number, delta: number, m = DEFAULT_STATES): number {
  const w = (2 * h) / (2 * m - 1);
  const a: Float64Array[] = [];
  for (let i = 0; i < m; i++) {
    const row = new Float64Array(m + 1);
    const from = i * w;
    let below = 0;
    for (let j = 0; j < m; j++) {
      const upTo = normalCdf((j + 0.5) * w - from + k - delta, 0, 1); // P(next sum < upper edge of cell j)
      row[j] = (i === j ? 1 : 0) - (upTo - below);
      below = upTo;
    }
    row[m] = 1;
    a.push(row);
  }
  return solveAugmented(a)[0];
}

/**
 * Two-sided CUSUM (upper and lower sums, each with k and h): 1/ARL = 1/ARL⁺ + 1/ARL⁻ (Montgomery,
 * Introduction to SQC, §9.1.3, after Van Dobben de Bruyn), with ARL⁻(δ) = ARL⁺(−δ). In control
 * (δ = 0) with k = 0.5 this gives Montgomery's Table 9.3: ARL₀ = 168 at h = 4 and 465 at h = 5.
 */
export function cusumTwoSidedArl(k: number, h: number, delta = 0, m = DEFAULT_STATES): number {
  const up = cusumOneSidedArl(k, h, delta, m);
  const down = delta === 0 ? up : cusumOneSidedArl(k, h, -delta, m);
  return 1 / (1 / up + 1 / down);
}
