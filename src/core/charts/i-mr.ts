import type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
import { d2, d3 } from './constants.js';
import { estimateIndividuals, individualsStandard } from './individuals.js';
import type { ChartSpec } from './spec.js';

/**
 * Individuals and moving-range chart (Montgomery §6.4): limits μ ± 3σ with σ = MR̄/1.128.
 * The companion MR chart has center d2·σ and UCL (d2 + 3d3)·σ = D4·MR̄ = 3.267·MR̄, LCL 0.
 */
const MR_D2 = d2(2), MR_D3 = d3(2);

export class IndividualsMovingRangeChart implements ControlChart {
  readonly type = 'i-mr' as const;
  private previous = NaN;

  saveState(): number[] { return [this.previous]; }
  restoreState(s: readonly number[]): void { this.previous = s[0]; }

  estimate(obs: readonly Observation[], included: readonly boolean[]): ChartParameters {
    return estimateIndividuals(obs, included);
  }

  fromStandard(center: number, sigma: number | undefined): ChartParameters {
    return individualsStandard(center, sigma);
  }

  plot(o: Observation, p: ChartParameters, out: PlottedPoint): number {
    const mr = Math.abs(o.x - this.previous);
    this.previous = o.x;
    out.statistic = o.x;
    out.center = p.center;
    out.ucl = p.center + 3 * p.sigma;
    out.lcl = p.center - 3 * p.sigma;
    if (!Number.isNaN(mr)) { // no moving range for the first point
      out.mr = mr;
      out.mrCenter = MR_D2 * p.sigma;
      out.mrUcl = (MR_D2 + 3 * MR_D3) * p.sigma;
    }
    return p.sigma;
  }
}

/** The i-mr chart's spec (see spec.ts): the rule file, checks, docs and tools read it from here. */
export const spec = {
  key: 'i-mr',
  title: 'Individuals and moving range',
  family: 'variables',
  distribution: 'normal',
  params: [],
  runRules: true,
  subgroups: 'individual',
  needsN: false,
  create: () => new IndividualsMovingRangeChart(),
  source: 'Montgomery, Introduction to Statistical Quality Control, 7th ed., §6.4, eq. 6.33',
  file: import.meta.url,
} as const satisfies ChartSpec;
