import { CHART_SPECS, chartSpec, type ChartSpec } from '../core/charts/index.js';
import { LIMIT_RULES, RULE_NAMES, type RuleName } from '../core/config.js';
import type { FileDiagnostic, LocatedYaml } from './diagnostics.js';

/** Every parameter key any chart takes (the chart specs decide which apply to which). */
const PARAM_KEYS = [...new Set(CHART_SPECS.flatMap((s) => s.params.map((p) => p.key)))];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRule = (v: unknown): v is RuleName => (RULE_NAMES as readonly unknown[]).includes(v);
const CHART_KEYS = ['type', ...PARAM_KEYS];

/** A code listed twice in one list would make a Pareto count one cause as two. */
function duplicateCodes(y: LocatedYaml, path: (string | number)[], codes: Obj, out: FileDiagnostic[]): void {
  for (const list of ['causes', 'actions']) {
    const items = Array.isArray(codes[list]) ? codes[list] : [];
    const seen = new Set<string>();
    items.forEach((item: unknown, j: number) => {
      if (!isObj(item) || typeof item.code !== 'string') return;
      if (seen.has(item.code)) out.push(y.at([...path, list, j, 'code'], `repeats code ${item.code} of this list`));
      seen.add(item.code);
    });
  }
}

/**
 * Checks the schema cannot express: cross-field rules of charts, limits, rules and actions.
 * Runs on the raw document, so it reports alongside schema errors (as a linter would): each check
 * looks only at the parts it needs and skips them when they are malformed — the schema already
 * reports those, and a check on a malformed part would only repeat it.
 */
export function semanticDiagnostics(y: LocatedYaml, raw: unknown): FileDiagnostic[] {
  const out: FileDiagnostic[] = [];
  const characteristics = isObj(raw) && Array.isArray(raw.characteristics) ? raw.characteristics : [];
  const plans = isObj(raw) && isObj(raw.plans) ? raw.plans : {};
  const fileCodes = isObj(raw) && isObj(raw.codes) ? raw.codes : {};
  if (isObj(raw)) duplicateCodes(y, ['codes'], fileCodes, out);
  if (isObj(raw) && Array.isArray(raw.checks)) {
    const seen = new Set<string>();
    raw.checks.forEach((c: unknown, i: number) => {
      if (!isObj(c)) return;
      const at = (path: (string | number)[], msg: string, key?: string) => out.push(y.at(['checks', i, ...path], msg, key));
      if (typeof c.id === 'string') { if (seen.has(c.id)) at(['id'], `repeats check ${c.id}`); seen.add(c.id); }
      const schedules = ['every', 'everyUnits', 'shiftStarts'].filter((k) => c[k] !== undefined);
      if (schedules.length !== 1) at([], `needs exactly one schedule: every (a duration), everyUnits or shiftStarts${schedules.length ? ` (has ${schedules.join(', ')})` : ''}`);
      if (c.graceUnits !== undefined && c.everyUnits === undefined) at(['graceUnits'], 'graceUnits applies to everyUnits checks');
      if (c.grace !== undefined && c.everyUnits !== undefined) at(['grace'], 'grace applies to time and shift checks; use graceUnits');
      const target = characteristics.find((x: unknown) => isObj(x) && x.id === c.characteristic) as Obj | undefined;
      if (typeof c.characteristic === 'string' && !target) at(['characteristic'], `names no characteristic of this file (${characteristics.filter(isObj).map((x) => String(x.id)).join(', ')})`);
      const m = target && isObj(target.match) ? target.match : undefined;
      if (m && (typeof m.line !== 'string' || typeof m.station !== 'string' || typeof m.parameter !== 'string')) at(['characteristic'], `characteristic ${String(c.characteristic)} must fix line, station and parameter in its match: a manual entry is published as its sample`);
      if (target && (m?.product !== undefined || m?.attributes !== undefined || target.by !== undefined)) at(['characteristic'], `characteristic ${String(c.characteristic)} matches or splits by product or attributes; a manual check's entries carry neither`);
      if (isObj(c.plausible) && isNum(c.plausible.min) && isNum(c.plausible.max) && !(c.plausible.min < c.plausible.max)) at(['plausible', 'max'], `must be greater than min (${c.plausible.min})`);
    });
  }
  const firstIndexOfId = new Map<string, number>();
  characteristics.forEach((c: unknown, i) => {
    if (!isObj(c)) return;
    const at = (path: (string | number)[], msg: string, key?: string) => out.push(y.at(['characteristics', i, ...path], msg, key));
    const spec: ChartSpec | undefined = isObj(c.chart) && typeof c.chart.type === 'string' ? chartSpec(c.chart.type) : undefined;
    const type = spec?.key;
    const isAttribute = spec?.family === 'attributes';

    if (typeof c.id === 'string') {
      const first = firstIndexOfId.get(c.id);
      if (first !== undefined) at(['id'], `duplicates the id of characteristics[${first}] ("${c.id}"); ids must be unique`);
      else firstIndexOfId.set(c.id, i);
    }

    // A chart with an unknown key (a misspelt parameter) is the schema's to report.
    if (spec && isObj(c.chart) && Object.keys(c.chart).every((k) => CHART_KEYS.includes(k))) {
      const chart = c.chart;
      const allowed = spec.params.map((p) => p.key as string);
      for (const key of PARAM_KEYS) {
        if (chart[key] !== undefined && !allowed.includes(key)) {
          at(['chart'], `"${key}" does not apply to a ${type} chart${allowed.length ? ` (it takes: ${allowed.join(', ')})` : ''}`, key);
        }
      }
      for (const p of spec.params) {
        if (p.default === undefined && !p.optional && chart[p.key] === undefined) at(['chart'], `a ${type} chart needs ${p.key}${p.minimum !== undefined && p.maximum !== undefined ? ` (${p.minimum}..${p.maximum})` : ''}`);
      }
    }

    if (spec?.selfStarting && c.limits !== undefined) at(['limits'], `a ${type} chart starts itself from each product's first pieces and plots against 0 ± 3; remove limits`);
    if (spec && !spec.selfStarting && c.limits === undefined) at([], 'needs limits: { phase1: N } (estimate from the first N points) or { center, sigma } (fixed limits)');
    if (isObj(c.limits) && !spec?.selfStarting) {
      const limits = c.limits;
      const hasPhase1 = limits.phase1 !== undefined, hasCenter = limits.center !== undefined;
      if (hasPhase1 && hasCenter) at(['limits'], 'set either phase1 (estimate, then lock) or center (fixed limits), not both', 'center');
      else if (!hasPhase1 && !hasCenter) at(['limits'], 'needs phase1: N (estimate from the first N points) or center (fixed limits)');
      if (limits.exclude !== undefined && !hasPhase1) at(['limits'], 'exclude only applies with phase1', 'exclude');
      if (limits.revise !== undefined && !hasPhase1) at(['limits'], 'revise only applies with phase1 (it revises trial limits estimated from Phase I)', 'revise');
      if (isNum(limits.phase1) && Array.isArray(limits.exclude)) {
        const n = limits.phase1;
        const exclude = limits.exclude.filter(isNum);
        limits.exclude.forEach((e, j) => { if (isNum(e) && e > n) at(['limits', 'exclude', j], `is beyond the Phase I window of ${n} points`); });
        if (n - exclude.filter((e) => e <= n).length < 2) at(['limits', 'exclude'], 'leaves fewer than 2 Phase I points to estimate from');
      }
      if (type) {
        if (hasCenter && !isAttribute && limits.sigma === undefined) at(['limits'], `fixed limits of a ${type} chart need sigma (of individual values)`);
        if (limits.sigma !== undefined && isAttribute && !spec?.standardSigma) at(['limits'], `a ${type} chart derives sigma from center; remove sigma`, 'sigma');
        const refused = isNum(limits.center) ? spec?.checkCenter?.(limits.center, type) : undefined;
        if (refused) at(['limits', 'center'], refused);
      }
    }

    if (isObj(c.spec)) {
      const { lsl, usl } = c.spec;
      if (isAttribute) at(['spec'], `spec limits apply to variables charts only, not to a ${type} chart`);
      else if (spec?.scale) at(['spec'], `a ${type} chart plots ${spec.scale} values of several products; give each product its nominal in products.<product>.spec.target`);
      if (isNum(lsl) && isNum(usl) && !(lsl < usl)) at(['spec', 'usl'], `must be greater than lsl (${lsl})`);
      if (lsl === undefined && usl === undefined && Object.keys(c.spec).length > 0) at(['spec'], 'needs lsl, usl or both');
    }

    if (isObj(c.capability)) {
      const hasLimits = isObj(c.spec) && (c.spec.lsl !== undefined || c.spec.usl !== undefined);
      if (!hasLimits) at(['capability'], 'capability needs spec limits (spec: { lsl, usl })');
      if (c.capability.lambda !== undefined && c.capability.method === 'normal') at(['capability'], 'lambda applies to the boxcox and percentile methods', 'lambda');
    }

    // Splits: per-product overrides need product among the split keys; a split key the match
    // fixes to one value would make a single split.
    const by = Array.isArray(c.by) ? c.by.filter((k): k is string => typeof k === 'string') : [];
    if (spec?.scale && by.includes('product')) at(['by'], `a ${type} chart puts every product on one chart (that is its purpose); remove product from by`);
    else if (isObj(c.products) && !by.includes('product') && !spec?.scale) at(['products'], 'per-product overrides need by: [product, …] (one chart per product), or a short-run chart (dnom, zmr) that reads each product\'s nominal');
    const match = isObj(c.match) ? c.match : {};
    for (const k of by) {
      const fixed = k === 'product' ? match.product !== undefined : isObj(match.attributes) && match.attributes[k] !== undefined;
      if (fixed) at(['by'], `"${k}" is fixed by match, so splitting by it makes one chart; remove it from by or from match`);
    }
    if (c.maxSplits !== undefined && !by.length) at(['maxSplits'], 'maxSplits applies with by (splits)');
    if (Array.isArray(c.lowCardinality)) {
      c.lowCardinality.forEach((k, j) => { if (typeof k === 'string' && !by.includes(k)) at(['lowCardinality', j], `"${k}" is not a split key (by: [${by.join(', ')}])`); });
    }
    if (isObj(c.products)) {
      for (const [product, o] of Object.entries(c.products)) {
        if (!isObj(o) || !isObj(o.limits)) continue;
        const hasPhase1 = o.limits.phase1 !== undefined, hasCenter = o.limits.center !== undefined;
        if (hasPhase1 === hasCenter) at(['products', product, 'limits'], 'needs either phase1 or center (fixed limits), not both or neither');
      }
    }

    const rules = Array.isArray(c.rules) ? c.rules : [];
    // Reaction plans: names this file defines, rules this characteristic has, codes a plan needs.
    if (isObj(c.codes)) duplicateCodes(y, ['characteristics', i, 'codes'], c.codes, out);
    const planNames = Object.keys(plans);
    const named: [string[], unknown, string | undefined][] = [[['plan'], c.plan, undefined]];
    if (isObj(c.planByRule)) for (const [rule, name] of Object.entries(c.planByRule)) named.push([['planByRule', rule], name, rule]);
    for (const [path, name, rule] of named) {
      if (typeof name !== 'string') continue;
      if (!planNames.includes(name)) at(path, `names no plan of this file (plans: ${planNames.join(', ') || 'none'})`);
      if (rule !== undefined && !rules.includes(rule)) at(path.slice(0, 1), `"${rule}" is not among this characteristic's rules (${rules.filter(isRule).join(', ')})`, rule);
      const p = plans[name];
      if (!isObj(p) || !isObj(p.release) && !isObj(p.acknowledge)) continue;
      const codes = isObj(c.codes) ? { ...fileCodes, ...c.codes } : fileCodes;
      const none = (k: string) => !Array.isArray(codes[k]) || codes[k].length === 0;
      if (isObj(p.release) && p.release.cause === true && none('causes')) at(path, `plan ${name} requires a cause code to release, but this characteristic has no codes.causes`);
      if (isObj(p.release) && p.release.action === true && none('actions')) at(path, `plan ${name} requires an action code to release, but this characteristic has no codes.actions`);
      if (isObj(p.acknowledge) && p.acknowledge.code === true && none('causes')) at(path, `plan ${name} requires a cause code to acknowledge, but this characteristic has no codes.causes`);
    }

    if (spec && !spec.runRules) {
      rules.forEach((r, j) => {
        if (isRule(r) && !LIMIT_RULES.includes(r)) at(['rules', j], `"${r}" is a run rule and does not apply to a ${type} chart, whose points are autocorrelated; use we1 or nelson1`);
      });
    }

    if (isObj(c.actions) && Array.isArray(c.rules)) {
      for (const [action, list] of Object.entries(c.actions)) {
        if (!Array.isArray(list)) continue;
        list.forEach((r, j) => {
          if (isRule(r) && !rules.includes(r)) at(['actions', action, j], `"${r}" is not among this characteristic's rules (${rules.filter(isRule).join(', ')})`);
        });
      }
    }
    if (isObj(c.priority)) {
      for (const r of Object.keys(c.priority)) {
        if (isRule(r) && !rules.includes(r)) at(['priority', r], `"${r}" is not among this characteristic's rules (${rules.filter(isRule).join(', ')})`);
      }
    }
  });
  return out;
}
