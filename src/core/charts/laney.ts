import { includedTotals, type ChartParameters, type Observation } from './chart.js';
import { d2 } from './constants.js';

/** d2 for moving ranges of two: Laney's σz = MR̄/1.128. */
const MR_D2 = d2(2);

/**
 * Laney's between-subgroup factor (D. B. Laney, "Improved control charts for attributes",
 * Quality Engineering 14(4), 2002, pp. 531–537): each subgroup's z-score
 * zᵢ = (xᵢ/nᵢ − center)/(σ/√nᵢ), where σ is the per-item σ of the binomial (√(p̄(1−p̄))) or the
 * Poisson (√ū) chart, and σz = MR̄(z)/1.128. As for the I-MR chart (individuals.ts), a moving
 * range is used only when both of its subgroups are included, so an excluded subgroup does not
 * leak into σz through its neighbours. σz = 1 when the counts vary as the binomial or Poisson model
 * says; > 1 under overdispersion (large n with a rate that wanders between subgroups), < 1 under
 * underdispersion.
 */
export function laneySigmaZ(obs: readonly Observation[], included: readonly boolean[], center: number, perItemSigma: number): number {
  let previous = NaN, sum = 0, count = 0;
  for (let i = 0; i < obs.length; i++) {
    if (!included[i]) { previous = NaN; continue; }
    const z = (obs[i].x / obs[i].n - center) / (perItemSigma / Math.sqrt(obs[i].n));
    if (!Number.isNaN(previous)) { sum += Math.abs(z - previous); count++; }
    previous = z;
  }
  return count ? sum / count / MR_D2 : NaN;
}

/**
 * Center and σ of a Laney chart from its Phase I: center = Σx/Σn (as the p or u chart), σ the
 * per-item σ of that chart times σz, so limits are center ± 3·σ/√nᵢ = center ± 3·σᵢ·σz (Laney 2002:
 * UCL/LCL = p̄ ± 3σ_pi·σz).
 */
export function laneyEstimate(obs: readonly Observation[], included: readonly boolean[], perItemSigmaOf: (center: number) => number): ChartParameters {
  const t = includedTotals(obs, included);
  const center = t.x / t.n;
  const sigma = perItemSigmaOf(center);
  return { center, sigma: sigma * laneySigmaZ(obs, included, center, sigma) };
}
