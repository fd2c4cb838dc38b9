import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CHART_SPECS } from '../../src/core/charts/registry.js';
import type { ChartSpec } from '../../src/core/charts/spec.js';
import { RULE_SPECS } from '../../src/core/rules/registry.js';
import { CHART_TYPES, RULE_NAMES } from '../../src/core/config.js';
import { explain } from '../../src/cli/explain.js';

it('every chart spec builds its own chart, lives in its own file, and is listed once', () => {
  expect(new Set(CHART_TYPES).size).toBe(CHART_SPECS.length);
  for (const s of CHART_SPECS as readonly ChartSpec[]) {
    const config = Object.fromEntries(s.params.map((p) => [p.key, p.default ?? p.minimum ?? 1]));
    expect(s.create(config, {}).type).toBe(s.key);
    expect(fileURLToPath(s.file)).toMatch(new RegExp(`/charts/${s.key}\\.ts$`));
    expect(existsSync(fileURLToPath(s.file))).toBe(true);
  }
});

it("every rule spec's window is its detector's, and it lives in a file named after it", () => {
  expect(new Set(RULE_NAMES).size).toBe(RULE_SPECS.length);
  for (const r of RULE_SPECS) {
    const rule = r.create();
    expect([rule.name, rule.window]).toEqual([r.key, r.window]);
    expect(fileURLToPath(r.file)).toMatch(new RegExp(`/rules/${r.key}\\.ts$`));
  }
});

it('spc explain: a rule and a chart one hop from their key; an unknown key is an error', () => {
  const out: string[] = [];
  expect(explain('nelson4', (s) => out.push(s))).toBe(0);
  expect(out.join('\n')).toMatch(/fourteen points in a row alternating up and down[\s\S]*detector: +Alternation[\s\S]*file: +src\/core\/rules\/nelson4\.ts/);
  out.length = 0;
  expect(explain('cusum', (s) => out.push(s))).toBe(0);
  expect(out.join('\n')).toMatch(/k: reference value.*default 0\.5[\s\S]*h: decision interval.*default 5[\s\S]*Table 9\.3[\s\S]*src\/core\/charts\/cusum\.ts/);
  expect(explain('nelson9', () => {})).toBe(2);
});
