import { describe, expect, it } from 'vitest';
import type { CharacteristicConfig } from '../../src/core/config.js';
import { estimateArl } from '../../src/quality/arl.js';

const chart = (c: Partial<CharacteristicConfig>): CharacteristicConfig => ({ id: 'c', match: { parameter: 'p' }, chart: { type: 'i-mr' }, limits: { phase1: 25 }, rules: ['we1'], ...c });
/** Within 3 standard errors of the published value, and the standard error itself under 3%. */
function near(e: { arl: number; standardError: number }, published: number) {
  expect(e.standardError / e.arl).toBeLessThan(0.03);
  expect(Math.abs(e.arl - published)).toBeLessThan(3 * e.standardError + 0.01 * published);
}

describe('ARL by Monte Carlo against published values', () => {
  it('3σ Shewhart chart: ARL₀ = 1/0.0027 = 370.4; a 1σ shift: ARL₁ = 1/[Φ(−2) + Φ(−4)] = 43.9 (Montgomery §6.2.6)', () => {
    const r = estimateArl(chart({}), { runs: 4000, seed: 1 });
    near(r.inControl, 370.4);
    near(r.shifted, 43.9);
  });
  it('Q chart: its statistics are N(0, 1) in control (Quesenberry 1991), so ARL₀ = 370.4 as for a 3σ Shewhart chart', () => {
    const r = estimateArl(chart({ chart: { type: 'q' }, limits: { center: 0, sigma: 1 } }), { runs: 4000, seed: 5 });
    near(r.inControl, 370.4);
    expect(r.note).toMatch(/self-starting/);
  });
  it('CUSUM k = 0.5, h = 5: ARL₀ ≈ 465, ARL₁ (1σ) ≈ 10.4 (Montgomery Table 9.3)', () => {
    const r = estimateArl(chart({ chart: { type: 'cusum', k: 0.5, h: 5 } }), { runs: 4000, seed: 2 });
    near(r.inControl, 465);
    near(r.shifted, 10.4);
  });
  it('EWMA λ = 0.2, L = 2.962: ARL₀ ≈ 500 with asymptotic limits; exact time-varying limits signal a little sooner', () => {
    const r = estimateArl(chart({ chart: { type: 'ewma', lambda: 0.2, L: 2.962 } }), { runs: 4000, seed: 3 });
    expect(r.inControl.arl).toBeGreaterThan(440);
    expect(r.inControl.arl).toBeLessThan(520);
    expect(r.shifted.arl).toBeLessThan(15); // Lucas & Saccucci: ARL₁(1σ) = 10.9
  });
  it('adding Western Electric rules shortens ARL₀ to about 91.75 (Champ & Woodall 1987)', () => {
    const r = estimateArl(chart({ rules: ['we1', 'we2', 'we3', 'we4'] }), { runs: 4000, seed: 4 });
    near(r.inControl, 91.75);
  });
  it('is reproducible with a seed', () => {
    expect(estimateArl(chart({}), { runs: 200, seed: 9 }).inControl.arl).toBe(estimateArl(chart({}), { runs: 200, seed: 9 }).inControl.arl);
  });
});
