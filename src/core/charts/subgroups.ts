import type { Observation } from './chart.js';

/** Grand mean x̿ = Σ nᵢx̄ᵢ / Σ nᵢ over included subgroups (equals the mean of means for equal nᵢ). */
export function grandMean(obs: readonly Observation[], included: readonly boolean[]): number {
  let weighted = 0, n = 0;
  for (let i = 0; i < obs.length; i++) {
    if (!included[i]) continue;
    weighted += obs[i].n * obs[i].x; n += obs[i].n;
  }
  return weighted / n;
}

/** Mean over included subgroups of `perSubgroup(o)`: σ = mean(Rᵢ/d2(nᵢ)) or mean(Sᵢ/c4(nᵢ)). */
export function meanOfSubgroupSigmas(obs: readonly Observation[], included: readonly boolean[], perSubgroup: (o: Observation) => number): number {
  let sum = 0, count = 0;
  for (let i = 0; i < obs.length; i++) {
    if (!included[i]) continue;
    sum += perSubgroup(obs[i]); count++;
  }
  return sum / count;
}
