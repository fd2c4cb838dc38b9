import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHART_SPECS, chartSpec } from '../core/charts/registry.js';
import type { ChartSpec } from '../core/charts/spec.js';
import { RULE_SPECS, ruleSpec } from '../core/rules/registry.js';
import type { RuleSpec } from '../core/rules/spec.js';

/** A spec's file as a path in the source tree (a built copy under dist/ points back to src/). */
function sourceFile(url: string): string {
  const path = relative(process.cwd(), fileURLToPath(url));
  return path.replace(/^(?:.*\/)?dist\/src\//, 'src/').replace(/\.js$/, '.ts');
}

function chart(s: ChartSpec): string {
  const lines = [
    `chart ${s.key}: ${s.title}`,
    `  family:     ${s.family} (values assumed ${s.distribution})`,
    `  a point:    ${s.subgroups === 'subgroup' ? 'one per subgroup of subgroupSize samples' : 'one per sample'}${s.needsN ? '; samples must carry n' : ''}${s.countWithinN ? ' (the count may not exceed n)' : ''}`,
    `  rules:      ${s.runRules ? 'all' : 'we1 and nelson1 only (its points are autocorrelated)'}`,
    `  parameters: ${s.params.length ? '' : 'none'}`,
    ...s.params.map((p) => `    ${p.key}: ${p.doc} (${[p.values ? p.values.join(' | ') : p.type, p.minimum !== undefined ? `≥ ${p.minimum}` : '', p.exclusiveMinimum !== undefined ? `> ${p.exclusiveMinimum}` : '', p.maximum !== undefined ? `≤ ${p.maximum}` : '', p.unit ? `in ${p.unit}` : '', p.default !== undefined ? `default ${p.default}` : p.optional ? 'optional' : 'required'].filter(Boolean).join(', ')})`),
    `  source:     ${s.source}`,
    `  file:       ${sourceFile(s.file)}`,
  ];
  return lines.join('\n');
}

function rule(r: RuleSpec): string {
  return [
    `rule ${r.key} (${r.family}): fires when ${r.detects}`,
    `  points:     ${r.window}${r.window > 1 ? ' (a hold names the units of all of them)' : ''}`,
    `  detector:   ${r.create().constructor.name} (src/core/rules/runs.ts)`,
    `  ARL₀ alone: ${r.arl0 ? `${r.arl0.value} (${r.arl0.source})` : 'no published value; estimate a rule set with spc rules arl'}`,
    `  source:     ${r.source}`,
    `  file:       ${sourceFile(r.file)}`,
  ].join('\n');
}

/** `spc explain <key>`: a chart's or rule's spec, its source and the file it lives in. */
export function explain(key: string | undefined, out: (s: string) => void = (s) => process.stdout.write(s + '\n')): number {
  const c = key === undefined ? undefined : chartSpec(key);
  const r = key === undefined ? undefined : ruleSpec(key);
  if (c) { out(chart(c)); return 0; }
  if (r) { out(rule(r)); return 0; }
  const known = `charts: ${CHART_SPECS.map((s) => s.key).join(', ')}\nrules:  ${RULE_SPECS.map((s) => s.key).join(', ')}`;
  if (key === undefined) { out(known); return 0; }
  process.stderr.write(`spc explain: no chart or rule "${key}"\n${known}\n`);
  return 2;
}
