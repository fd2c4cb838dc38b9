import { plotAttribute, positiveCenter } from './attribute.js';
import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import { laneyEstimate } from './laney.js';
import type { ChartSpec } from './spec.js';

/**
 * Laney u′ chart (Laney 2002, Quality Engineering 14(4) 531–537): the u chart's ū and per-point
 * σ_ui = √(ū/nᵢ), times σz, the moving-range σ of the subgroups' z-scores (laney.ts): limits
 * ū ± 3·σ_ui·σz. Its σ is √ū·σz; a fixed standard gives center ū and sigma σz.
 */
export class LaneyUChart implements ControlChart {
  readonly type = 'laney-u' as const;

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    return laneyEstimate(obs, included, Math.sqrt);
  }

  fromStandard(center: number, sigmaZ: number | undefined): ChartParameters {
    return { center, sigma: Math.sqrt(center) * (sigmaZ ?? 1) };
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    return plotAttribute(out, o.x / o.n, p.center, p.sigma / Math.sqrt(o.n));
  }
}

/** The Laney u′ chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'laney-u',
  title: 'Laney u′ (defects per unit, large n)',
  family: 'attributes',
  distribution: 'poisson',
  params: [],
  runRules: true,
  subgroups: 'individual',
  needsN: true,
  checkCenter: positiveCenter,
  standardSigma: 'σz, the between-subgroup factor (1 = a u chart)',
  create: () => new LaneyUChart(),
  source: 'Laney, "Improved control charts for attributes", Quality Engineering 14(4), 2002, pp. 531–537',
  file: import.meta.url,
} as const satisfies ChartSpec;
