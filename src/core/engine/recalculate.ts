import { createChart, type ChartParameters } from '../charts/index.js';
import { chartSpec } from '../charts/registry.js';
import type { CharacteristicConfig } from '../config.js';
import type { Sample } from '../sample.js';
import { singleObservation, Subgrouper, type GroupedObservation } from './subgrouper.js';

/** A recalculation's result: the new center and σ, and which of its points it used. */
export interface Recalculation extends ChartParameters {
  /** Points formed from the samples (subgroups on X̄ charts). */
  points: number;
  /** 1-based points left out (assignable causes), as the rule file's `exclude`. */
  excluded: number[];
}

/**
 * New limits for a characteristic from a window of its samples, estimated exactly as its Phase I
 * would (the same chart's `estimate`, the same subgrouping: consecutive samples, or samples sharing
 * a `subgroup` id), with the points in `exclude` (1-based) left out. Undefined when fewer than two
 * points remain. The caller gives the samples of one series (one split) in stream order.
 */
export function recalculateLimits(config: CharacteristicConfig, samples: readonly Sample[], exclude: readonly number[] = []): Recalculation | undefined {
  const spec = chartSpec(config.chart.type);
  if (!spec) return undefined;
  const chart = createChart(config.chart, config.products);
  const groups: GroupedObservation[] = [];
  if (spec.subgroups === 'subgroup') {
    const g = new Subgrouper(config.chart.subgroupSize as number);
    for (const s of samples) { const group = g.add(s); if (group) groups.push(group); }
  } else {
    for (const s of samples) {
      const group = singleObservation(s, s.n ?? 1);
      if (!chart.warmUp?.(group.obs)) groups.push(group);
    }
  }
  const included = groups.map((_, i) => !exclude.includes(i + 1));
  if (included.filter(Boolean).length < 2) return undefined;
  const p = chart.estimate(groups.map((g) => g.obs), included);
  if (!Number.isFinite(p.center) || !Number.isFinite(p.sigma)) return undefined;
  return { center: p.center, sigma: p.sigma, points: groups.length, excluded: exclude.filter((e) => e <= groups.length) };
}
