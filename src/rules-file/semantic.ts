import {
  ATTRIBUTE_CHARTS, CHARTS_WITHOUT_RUN_RULES, LIMIT_RULES, type CharacteristicConfig, type RuleSetConfig,
} from '../core/config.js';
import type { FileDiagnostic, LocatedYaml } from './diagnostics.js';

const PARAMS_BY_CHART: Record<string, string[]> = {
  'xbar-r': ['subgroupSize'], 'xbar-s': ['subgroupSize'], ewma: ['lambda', 'L'], cusum: ['k', 'h'],
};

/** Checks the schema cannot express: cross-field rules of charts, limits, rules and actions. */
export function semanticDiagnostics(y: LocatedYaml, config: RuleSetConfig): FileDiagnostic[] {
  const out: FileDiagnostic[] = [];
  const firstIndexOfId = new Map<string, number>();
  config.characteristics.forEach((c: CharacteristicConfig, i) => {
    const at = (path: (string | number)[], msg: string, key?: string) => out.push(y.at(['characteristics', i, ...path], msg, key));
    const type = c.chart.type;
    const isAttribute = ATTRIBUTE_CHARTS.includes(type);

    const first = firstIndexOfId.get(c.id);
    if (first !== undefined) at(['id'], `duplicates the id of characteristics[${first}] ("${c.id}"); ids must be unique`);
    else firstIndexOfId.set(c.id, i);

    const allowedParams = PARAMS_BY_CHART[type] ?? [];
    for (const key of ['subgroupSize', 'lambda', 'L', 'k', 'h'] as const) {
      if (c.chart[key] !== undefined && !allowedParams.includes(key)) {
        at(['chart'], `"${key}" does not apply to a ${type} chart${allowedParams.length ? ` (it takes: ${allowedParams.join(', ')})` : ''}`, key);
      }
    }
    if ((type === 'xbar-r' || type === 'xbar-s') && c.chart.subgroupSize === undefined) at(['chart'], `a ${type} chart needs subgroupSize (2..25)`);

    const limits = c.limits as Record<string, unknown>;
    const hasPhase1 = limits.phase1 !== undefined, hasCenter = limits.center !== undefined;
    if (hasPhase1 && hasCenter) at(['limits'], 'set either phase1 (estimate, then lock) or center (fixed limits), not both', 'center');
    else if (!hasPhase1 && !hasCenter) at(['limits'], 'needs phase1: N (estimate from the first N points) or center (fixed limits)');
    if (limits.exclude !== undefined && !hasPhase1) at(['limits'], 'exclude only applies with phase1', 'exclude');
    if (hasPhase1 && Array.isArray(limits.exclude)) {
      const n = limits.phase1 as number;
      (limits.exclude as number[]).forEach((e, j) => { if (e > n) at(['limits', 'exclude', j], `is beyond the Phase I window of ${n} points`); });
      if (n - (limits.exclude as number[]).filter((e) => e <= n).length < 2) at(['limits', 'exclude'], 'leaves fewer than 2 Phase I points to estimate from');
    }
    if (hasCenter && !isAttribute && limits.sigma === undefined) at(['limits'], `fixed limits of a ${type} chart need sigma (of individual values)`);
    if (limits.sigma !== undefined && isAttribute) at(['limits'], `a ${type} chart derives sigma from center; remove sigma`, 'sigma');
    if (hasCenter && (type === 'p' || type === 'np') && !((limits.center as number) > 0 && (limits.center as number) < 1)) at(['limits', 'center'], `is the fraction nonconforming p̄ for a ${type} chart and must be between 0 and 1 (got ${limits.center})`);
    if (hasCenter && (type === 'c' || type === 'u') && !((limits.center as number) > 0)) at(['limits', 'center'], `must be > 0 for a ${type} chart (got ${limits.center})`);

    if (c.spec) {
      if (isAttribute) at(['spec'], `spec limits apply to variables charts only, not to a ${type} chart`);
      if (c.spec.lsl !== undefined && c.spec.usl !== undefined && !(c.spec.lsl < c.spec.usl)) at(['spec', 'usl'], `must be greater than lsl (${c.spec.lsl})`);
      if (c.spec.lsl === undefined && c.spec.usl === undefined) at(['spec'], 'needs lsl, usl or both');
    }

    if (CHARTS_WITHOUT_RUN_RULES.includes(type)) {
      c.rules.forEach((r, j) => {
        if (!LIMIT_RULES.includes(r)) at(['rules', j], `"${r}" is a run rule and does not apply to a ${type} chart, whose points are autocorrelated; use we1 or nelson1`);
      });
    }

    for (const [action, rules] of Object.entries(c.actions ?? {})) {
      (rules ?? []).forEach((r, j) => {
        if (!c.rules.includes(r)) at(['actions', action, j], `"${r}" is not among this characteristic's rules (${c.rules.join(', ')})`);
      });
    }
  });
  return out;
}
