import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Textbook cases with the values R qcc 3.0 computes for them (test/fixtures/reference/README.md).
// The built CLI runs each one as a user would; every point, limit, rule flag and summary value
// must match. Tolerance is relative to the case's sigma, so a slightly wrong sigma cannot hide
// behind a large center.
const CASES = 'test/fixtures/reference';
const VARIABLES = ['i-mr', 'xbar-r', 'xbar-s', 'ewma', 'cusum'];

interface Expected {
  points: number; center: number; sigma: number; h?: number; pendingSamples?: number;
  statistic?: number[]; lcl?: number[]; ucl?: number[]; cplus?: number[]; cminus?: number[];
  beyond?: number[]; violations?: Record<string, number[]>; capability?: Record<string, number>;
}
type Rec = Record<string, unknown> & { type: string; characteristic: string; index: number; violations?: string[] };

function backtest(dir: string): Rec[] {
  const r = spawnSync('node', ['dist/src/cli/main.js', 'backtest', '--rules', join(dir, 'rules.yaml'), '--input', join(dir, 'samples.ndjson')], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`spc backtest exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
}

describe('reference cases (R qcc 3.0 on textbook data)', () => {
  const cases = readdirSync(CASES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  it('are all present', () => { expect(cases).toHaveLength(6); });

  for (const name of cases) {
    it(name, () => {
      const dir = join(CASES, name);
      const exp = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
      const chart = /type:\s*([a-z-]+)/.exec(readFileSync(join(dir, 'rules.yaml'), 'utf8'))![1];
      const scale = chart === 'cusum' ? 1 : exp.sigma;
      const near = (got: unknown, want: number, s = scale) => typeof got === 'number' && Math.abs(got - want) <= Math.max(1e-9 * Math.abs(want), 1e-6 * s);
      const recs = backtest(dir);
      const points = recs.filter((r) => r.type === 'point' && r.characteristic === 'c1').sort((a, b) => a.index - b.index);
      const summary = recs.find((r) => r.type === 'summary' && r.characteristic === 'c1');

      expect(points.map((p) => p.index)).toEqual(Array.from({ length: exp.points }, (_, i) => i + 1));
      for (const field of ['statistic', 'lcl', 'ucl', 'cplus', 'cminus'] as const) {
        const want = exp[field];
        if (!want) continue;
        const bad = want.findIndex((v, i) => !near(points[i][field], v));
        expect(bad, `${field}[${bad + 1}] = ${points[bad]?.[field]}, expected ${want[bad]}`).toBe(-1);
      }
      if (chart === 'cusum') expect(points.every((p) => near(p.ucl, exp.h!, 1))).toBe(true);
      else expect(points.filter((p) => !near(p.center, exp.center)).map((p) => p.index)).toEqual([]);

      const flagged = { ...(exp.violations ?? {}), ...(exp.beyond ? { we1: exp.beyond } : {}) };
      for (const [rule, indices] of Object.entries(flagged)) {
        expect(points.filter((p) => p.violations!.includes(rule)).map((p) => p.index), rule).toEqual(indices);
      }
      const stray = points.flatMap((p) => p.violations!.filter((r) => !(r in flagged)).map((r) => `${r}@${p.index}`));
      expect(stray).toEqual([]);

      expect(summary).toBeDefined();
      expect(summary!.points).toBe(exp.points);
      if (VARIABLES.includes(chart)) {
        expect(near(summary!.center, exp.center), `center ${summary!.center} vs ${exp.center}`).toBe(true);
        expect(near(summary!.sigma, exp.sigma, exp.sigma), `sigma ${summary!.sigma} vs ${exp.sigma}`).toBe(true);
      }
      if (exp.pendingSamples !== undefined) expect(summary!.pendingSamples).toBe(exp.pendingSamples);
      const capability = (summary!.capability ?? {}) as Record<string, number>;
      for (const [k, v] of Object.entries(exp.capability ?? {})) expect(near(capability[k], v, 1), `capability.${k} = ${capability[k]}, expected ${v}`).toBe(true);
    });
  }
});
