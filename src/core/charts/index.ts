import type { ChartConfig } from '../config.js';
import type { ControlChart } from './chart.js';
import { chartSpec } from './registry.js';

export type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
export { CHART_SPECS, chartSpec } from './registry.js';
export type { ChartParamSpec, ChartSpec } from './spec.js';

/** A fresh (stateful) chart for one characteristic, from its type's spec. */
export function createChart(config: ChartConfig): ControlChart {
  const spec = chartSpec(config.type);
  if (!spec) throw new RangeError(`unknown chart type ${String(config.type)}`);
  return spec.create(config);
}
