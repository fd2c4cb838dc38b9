import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import { d2, d3 } from './constants.js';
import { individualsStandard } from './individuals.js';
import { grandMean, meanOfSubgroupSigmas } from './subgroups.js';
import type { ChartSpec } from './spec.js';
import { SUBGROUP_SIZE } from './subgroups.js';

/**
 * X̄ and R chart (Montgomery §6.2): σ = mean of Rᵢ/d2(nᵢ) (qcc's "UWAVE-R"; R̄/d2 for equal n),
 * X̄ limits x̿ ± 3σ/√n (= x̿ ± A2·R̄), R chart center d2σ, limits (d2 ± 3d3)σ (= D3·R̄, D4·R̄).
 */
export class XbarRangeChart implements ControlChart {
  readonly type = 'xbar-r' as const;

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    return { center: grandMean(obs, included), sigma: meanOfSubgroupSigmas(obs, included, (o) => o.range / d2(o.n)) };
  }

  fromStandard(center: number, sigma: number | undefined): ChartParameters {
    return individualsStandard(center, sigma);
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    const sigmaMean = p.sigma / Math.sqrt(o.n);
    const rCenter = d2(o.n) * p.sigma, rSpread = 3 * d3(o.n) * p.sigma;
    out.statistic = o.x;
    out.center = p.center;
    out.ucl = p.center + 3 * sigmaMean;
    out.lcl = p.center - 3 * sigmaMean;
    out.range = o.range;
    out.rangeCenter = rCenter;
    out.rangeUcl = rCenter + rSpread;
    out.rangeLcl = Math.max(0, rCenter - rSpread);
    return sigmaMean;
  }
}

/** The xbar-r chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'xbar-r',
  title: 'X̄ and R (subgroup means and ranges)',
  family: 'variables',
  distribution: 'normal',
  params: [SUBGROUP_SIZE],
  runRules: true,
  subgroups: 'subgroup',
  needsN: false,
  create: () => new XbarRangeChart(),
  source: 'Montgomery §6.2, eqs. 6.4–6.6; σ = mean of Rᵢ/d2(nᵢ) as R qcc (UWAVE-R)',
  file: import.meta.url,
} as const satisfies ChartSpec;
