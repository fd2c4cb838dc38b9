import type { ChartConfig, CharacteristicConfig } from '../config.js';
import type { ControlChart } from './chart.js';
import { chartSpec } from './registry.js';

export type { ChartParameters, ControlChart, Observation, PlottedPoint } from './chart.js';
export { CHART_SPECS, chartSpec } from './registry.js';
export type { ChartParamSpec, ChartSpec, ProductStandard, ProductStandards } from './spec.js';
import type { ProductStandards } from './spec.js';

/** Each product's nominal (`spec.target`, else a fixed `limits.center`) and known σ (`limits.sigma`). */
export function productStandards(products: CharacteristicConfig['products']): ProductStandards {
  const out: Record<string, { target?: number; sigma?: number }> = {};
  for (const [product, o] of Object.entries(products ?? {})) {
    const limits = o.limits && 'center' in o.limits ? o.limits : undefined;
    const target = o.spec?.target ?? limits?.center;
    out[product] = { ...(target !== undefined ? { target } : {}), ...(limits?.sigma !== undefined ? { sigma: limits.sigma } : {}) };
  }
  return out;
}

/** A fresh (stateful) chart for one characteristic, from its type's spec. */
export function createChart(config: ChartConfig, products: CharacteristicConfig['products'] = undefined): ControlChart {
  const spec = chartSpec(config.type);
  if (!spec) throw new RangeError(`unknown chart type ${String(config.type)}`);
  return spec.create(config, productStandards(products));
}
