import { CHART_SPECS } from '../core/charts/registry.js';
import type { ChartParamSpec, ChartSpec } from '../core/charts/spec.js';
import { RULE_SPECS } from '../core/rules/registry.js';
import type { RuleSpec } from '../core/rules/spec.js';

/**
 * README's chart and rule tables, generated from the specs (npm run schema writes them between
 * the `<!-- generated: … -->` markers; a test fails when README's copy is stale).
 */
const range = (p: ChartParamSpec) => (p.minimum !== undefined && p.maximum !== undefined ? `${p.minimum}–${p.maximum}` : p.exclusiveMinimum !== undefined ? `> ${p.exclusiveMinimum}${p.maximum !== undefined ? `, ≤ ${p.maximum}` : ''}` : p.minimum !== undefined ? `≥ ${p.minimum}` : '');
const param = (p: ChartParamSpec) => `\`${p.key}\` (${[p.values?.join(' \\| '), range(p), p.unit, p.default !== undefined ? `default ${p.default}` : p.optional ? 'optional' : 'required'].filter(Boolean).join(', ')}): ${p.doc}`;

export function chartTable(): string {
  const rows = (CHART_SPECS as readonly ChartSpec[]).map((s) => `| \`${s.key}\` | ${s.title} | ${s.params.map(param).join('; ') || '—'} | ${s.subgroups === 'subgroup' ? 'per subgroup' : 'per sample'}${s.needsN ? ', samples carry `n`' : ''} | ${s.runRules ? 'all' : 'we1, nelson1 only'} | ${s.source} |`);
  return ['| chart | plots | parameters | a point | rules | source |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

export function ruleTable(): string {
  const rows = (RULE_SPECS as readonly RuleSpec[]).map((r) => `| \`${r.key}\` | ${r.detects} | ${r.window} | ${r.arl0 ? `${r.arl0.value} (${r.arl0.source})` : '—'} | ${r.family} |`);
  return ['| rule | fires when | points | in-control ARL alone | family |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The generated section `name` of a markdown text, between its markers. */
export const GENERATED = (name: string) => ({ begin: `<!-- generated: ${name} (npm run schema) -->`, end: `<!-- end generated: ${name} -->` });

/** `text` with section `name` replaced by `body` (the markers must be there). */
export function withGenerated(text: string, name: string, body: string): string {
  const { begin, end } = GENERATED(name);
  const a = text.indexOf(begin), b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`markers of the generated section "${name}" not found`);
  return text.slice(0, a + begin.length) + '\n' + body + '\n' + text.slice(b);
}
