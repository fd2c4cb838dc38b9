import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import { c4 } from './constants.js';
import { individualsStandard } from './individuals.js';
import { grandMean, meanOfSubgroupSigmas } from './subgroups.js';
import type { ChartSpec } from './spec.js';
import { SUBGROUP_SIZE } from './subgroups.js';

/**
 * X̄ and S chart (Montgomery §6.3): σ = mean of Sᵢ/c4(nᵢ) (S̄/c4 for equal n),
 * X̄ limits x̿ ± 3σ/√n (= x̿ ± A3·S̄), S chart center c4σ, limits c4σ ± 3σ√(1 − c4²)
 * (= B3·S̄, B4·S̄; Montgomery eq. 6.27–6.28).
 */
export class XbarSdChart implements ControlChart {
  readonly type = 'xbar-s' as const;

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    return { center: grandMean(obs, included), sigma: meanOfSubgroupSigmas(obs, included, (o) => o.sd / c4(o.n)) };
  }

  fromStandard(center: number, sigma: number | undefined): ChartParameters {
    return individualsStandard(center, sigma);
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    const sigmaMean = p.sigma / Math.sqrt(o.n);
    const c = c4(o.n);
    const sCenter = c * p.sigma, sSpread = 3 * p.sigma * Math.sqrt(1 - c * c);
    out.statistic = o.x;
    out.center = p.center;
    out.ucl = p.center + 3 * sigmaMean;
    out.lcl = p.center - 3 * sigmaMean;
    out.sd = o.sd;
    out.sdCenter = sCenter;
    out.sdUcl = sCenter + sSpread;
    out.sdLcl = Math.max(0, sCenter - sSpread);
    return sigmaMean;
  }
}

/** The xbar-s chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'xbar-s',
  title: 'X̄ and S (subgroup means and standard deviations)',
  family: 'variables',
  distribution: 'normal',
  params: [SUBGROUP_SIZE],
  runRules: true,
  subgroups: 'subgroup',
  needsN: false,
  create: () => new XbarSdChart(),
  source: 'Montgomery §6.3, eqs. 6.27–6.28; σ = mean of Sᵢ/c4(nᵢ)',
  file: import.meta.url,
} as const satisfies ChartSpec;
