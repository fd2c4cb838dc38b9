import type { ChartConfig } from '../config.js';
import type { ControlChart } from './chart.js';
import { DefectCountChart } from './c.js';
import { CusumChart } from './cusum.js';
import { EwmaChart } from './ewma.js';
import { IndividualsMovingRangeChart } from './i-mr.js';
import { NumberNonconformingChart } from './np.js';
import { FractionNonconformingChart } from './p.js';
import { DefectsPerUnitChart } from './u.js';
import { XbarRangeChart } from './xbar-r.js';
import { XbarSdChart } from './xbar-s.js';

export type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';

/** A fresh (stateful) chart for one characteristic. */
export function createChart(config: ChartConfig): ControlChart {
  switch (config.type) {
    case 'i-mr': return new IndividualsMovingRangeChart();
    case 'xbar-r': return new XbarRangeChart();
    case 'xbar-s': return new XbarSdChart();
    case 'ewma': return new EwmaChart(config.lambda, config.L);
    case 'cusum': return new CusumChart(config.k, config.h);
    case 'p': return new FractionNonconformingChart();
    case 'np': return new NumberNonconformingChart();
    case 'c': return new DefectCountChart();
    case 'u': return new DefectsPerUnitChart();
  }
}
