import type { ChartParameters, ControlChart, Observation, PlottedPoint } from '../../src/core/charts/chart.js';

export const individual = (x: number): Observation => ({ x, n: 1, range: 0, sd: 0 });
export const attribute = (x: number, n: number): Observation => ({ x, n, range: 0, sd: 0 });
export function subgroup(values: number[]): Observation {
  const n = values.length, mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { x: mean, n, range: Math.max(...values) - Math.min(...values), sd };
}

export type PointWithZone = PlottedPoint & { zoneSigma: number };

/** Plots one observation into a fresh object and keeps the returned zone σ beside the limits. */
export function plotPoint(chart: ControlChart, o: Observation, params: ChartParameters): PointWithZone {
  const out = { statistic: 0, center: 0, ucl: 0, lcl: 0 } as PointWithZone;
  out.zoneSigma = chart.plot(o, params, out);
  return out;
}

/** Phase I on the first `phase1` observations (minus `exclude`, 1-based), then plot them all. */
export function runChart(chart: ControlChart, obs: Observation[], phase1: number, exclude: number[] = []): { params: ChartParameters; points: PointWithZone[] } {
  const window = obs.slice(0, phase1);
  const params = chart.estimate(window, window.map((_, i) => !exclude.includes(i + 1)));
  return { params, points: obs.map((o) => plotPoint(chart, o, params)) };
}
