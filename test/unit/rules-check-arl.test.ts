import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { rulesCheck } from '../../src/cli/rules-check.js';
import { checkArl } from '../../src/quality/arl-check.js';

const dir = mkdtempSync(join(tmpdir(), 'spc-arl-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `spc rules check` on files in-process, capturing what it writes. */
function check(...files: [name: string, text: string][]): { code: number; stdout: string; stderr: string } {
  let stdout = '', stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { stdout += String(s); return true; });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { stderr += String(s); return true; });
  try {
    const code = rulesCheck(files.map(([name, text]) => { const p = join(dir, name); writeFileSync(p, text); return p; }));
    return { code, stdout, stderr };
  } finally { out.mockRestore(); err.mockRestore(); }
}

const characteristic = (id: string, chart: string, limits: string, rules: string) =>
  `  - id: ${id}\n    match: { parameter: ${id} }\n    chart: ${chart}\n    limits: ${limits}\n    rules: ${rules}\n`;
const file = (...cs: string[]) => `version: 1\ncharacteristics:\n${cs.join('')}`;

describe('spc rules check: in-control ARL per characteristic', () => {
  it('the smt-line case: a 3σ p chart at np̄ = 1 is flagged with cause and fix, and the exit code stays 0', () => {
    const r = check(['final.yaml', file(characteristic('final_test.nonconforming', '{ type: p, n: 50 }', '{ center: 0.02 }', '[we1]'))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/final_test\.nonconforming\s+p\s+we1\s+56\.3 \(exact: binomial tail\)/);
    expect(r.stderr).toBe(`${join(dir, 'final.yaml')}:5:12 warning: final_test.nonconforming: np̄ = 1.00 (n = 50, p̄ = 0.02): a 3σ p chart with we1 false-alarms every 56.3 samples instead of 370 (4 or more nonconforming in 50 plot beyond the UCL; P = 0.0178 per sample beyond the limits); use chart: { limits: probability } (ARL₀ 2091 here), or larger samples\n`);
  });

  it('with probability limits the same chart is not flagged', () => {
    const r = check(['prob.yaml', file(characteristic('final', '{ type: p, n: 50, limits: probability }', '{ center: 0.02 }', '[we1]'))]);
    expect(r.stdout).toMatch(/final\s+p\s+we1\s+2091 \(exact: binomial tail\)/);
    expect(r.stderr).toBe('');
  });

  it('labels exact and Monte Carlo values, and says why a value is missing', () => {
    const r = check(['mixed.yaml', file(
      characteristic('xbar', '{ type: xbar-r, subgroupSize: 5 }', '{ phase1: 100 }', '[we1, we2, we3, we4]'),
      characteristic('trend', '{ type: i-mr }', '{ phase1: 25 }', '[nelson1, nelson3]'),
      characteristic('aoi', '{ type: c }', '{ phase1: 100 }', '[we1]'),
      characteristic('final', '{ type: p }', '{ center: 0.02 }', '[we1]'),
    )]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/xbar .* 91\.8 \(exact: Markov chain, 555 states\)/);
    expect(r.stdout).toMatch(/trend .* ≈ \d+(\.\d)? ± [\d.]+ \(Monte Carlo, 400 runs: nelson3 compares points with each other, not with zones\)/);
    expect(r.stdout).toMatch(/aoi .* — \(Phase I limits: the ARL depends on the c̄ they lock at; give limits: \{ center \} to compute it\)/);
    expect(r.stdout).toMatch(/final .* — \(declare the typical sample size, chart: \{ type: p, n: … \}, to compute it\)/);
    // 100 subgroups of 5 meet Quesenberry's 400/(n − 1); 25 individual points do not (he asks for 300).
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^.*mixed\.yaml:\d+:\d+ warning: trend: phase1 estimates the limits from 25 points; below 300 \(Quesenberry 1993: 300 individual points\).*use phase1: 300, fixed limits from a capability study, or a self-starting q chart for short runs$/)]);
  });

  it('problems still fail the check (and print no ARL for the broken file)', () => {
    const r = check(['bad.yaml', file(characteristic('x', '{ type: p, n: 0 }', '{ center: 0.02 }', '[we1]'))]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/ARL/);
    expect(r.stderr).toMatch(/bad\.yaml:5:\d+ characteristics\[0\]\.chart\.n must be > 0/);
  });
});

describe('checkArl: the warning threshold and its causes', () => {
  const c = (chart: object, center: number, rules: string[]) => ({ id: 'x', match: { parameter: 'x' }, chart, limits: { center }, rules }) as Parameters<typeof checkArl>[0];
  it('small departures from the nominal ARL are the discreteness of counts, not flagged (c̄ = 4: 352 instead of 370)', () => {
    const a = checkArl(c({ type: 'c' }, 4, ['we1']));
    expect(a.estimate?.arl).toBeCloseTo(352.1, 1);
    expect(a.warning).toBeUndefined();
  });
  it('zone rules on a skewed count name the zone rules as the cause', () => {
    const a = checkArl(c({ type: 'c' }, 0.5, ['we1', 'we2', 'we3', 'we4']));
    expect(a.nominal).toBeCloseTo(91.75, 1);
    expect(a.warning).toBe('c̄ = 0.500: a 3σ c chart with we1, we2, we3, we4 false-alarms every 31.8 samples instead of 91.8 (the zone rules judge a skewed count by normal zones); use chart: { limits: probability } (ARL₀ 47.8 here), or the limit rule alone (we1), or a larger inspection unit');
  });
});

describe('phase1Advice (Quesenberry 1993: 400/(n − 1) subgroups, 300 individual points)', () => {
  it('asks X̄ charts for 400/(n − 1) subgroups after exclusions, individuals for 300, and leaves attribute and fixed-limit charts alone', async () => {
    const { phase1Advice } = await import('../../src/quality/arl-check.js');
    const base = { id: 'x', match: {}, rules: ['we1' as const] };
    expect(phase1Advice({ ...base, chart: { type: 'xbar-s', subgroupSize: 4 }, limits: { phase1: 134 } })).toBeUndefined();
    expect(phase1Advice({ ...base, chart: { type: 'xbar-s', subgroupSize: 4 }, limits: { phase1: 134, exclude: [3] } })).toMatch(/from 133 subgroups of 4; below 134 .* use phase1: 135 or fixed limits/);
    expect(phase1Advice({ ...base, chart: { type: 'ewma' }, limits: { phase1: 299 } })).toMatch(/from 299 points; below 300/);
    expect(phase1Advice({ ...base, chart: { type: 'i-mr' }, limits: { center: 0, sigma: 1 } })).toBeUndefined();
    expect(phase1Advice({ ...base, chart: { type: 'c' }, limits: { phase1: 20 } })).toBeUndefined();
  });
});
