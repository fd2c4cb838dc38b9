import { fractionCenter, plotAttribute } from './attribute.js';
import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import { laneyEstimate } from './laney.js';
import type { ChartSpec } from './spec.js';

const binomialSigma = (p: number) => Math.sqrt(p * (1 - p));

/**
 * Laney p′ chart (Laney 2002, Quality Engineering 14(4) 531–537): the p chart's p̄ and per-point
 * σ_pi = √(p̄(1−p̄)/nᵢ), widened (or narrowed) by σz, the moving-range σ of the subgroups'
 * z-scores (laney.ts): limits p̄ ± 3·σ_pi·σz. For large subgroups whose rate wanders from one
 * subgroup to the next (overdispersion), where a p chart flags nearly every point.
 * Its σ is √(p̄(1−p̄))·σz; a fixed standard gives center p̄ and sigma σz.
 */
export class LaneyPChart implements ControlChart {
  readonly type = 'laney-p' as const;

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    return laneyEstimate(obs, included, binomialSigma);
  }

  fromStandard(center: number, sigmaZ: number | undefined): ChartParameters {
    return { center, sigma: binomialSigma(center) * (sigmaZ ?? 1) };
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    return plotAttribute(out, o.x / o.n, p.center, p.sigma / Math.sqrt(o.n));
  }
}

/** The Laney p′ chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'laney-p',
  title: 'Laney p′ (fraction nonconforming, large n)',
  family: 'attributes',
  distribution: 'binomial',
  params: [],
  runRules: true,
  subgroups: 'individual',
  needsN: true,
  countWithinN: true,
  checkCenter: fractionCenter,
  standardSigma: 'σz, the between-subgroup factor (1 = a p chart)',
  create: () => new LaneyPChart(),
  source: 'Laney, "Improved control charts for attributes", Quality Engineering 14(4), 2002, pp. 531–537',
  file: import.meta.url,
} as const satisfies ChartSpec;
