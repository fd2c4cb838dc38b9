import { describe, expect, it } from 'vitest';
import { andersonDarling, andersonDarlingPValue } from '../../src/core/normality.js';
import { SeededRandom } from '../../src/sim/random.js';
import { CONOVER_A2, CONOVER_TELEPHONE } from '../fixtures/independent.js';

describe('Anderson–Darling normality test, μ and σ estimated (D\'Agostino & Stephens 1986)', () => {
  const rng = new SeededRandom(9);
  const draws = (k: number, n: number, draw: () => number) => Array.from({ length: k }, () => andersonDarling(Array.from({ length: n }, draw))!);

  it('A² of Conover\'s telephone numbers (IMSL\'s example data) equals SciPy\'s, and normality is not rejected at 5 % as IMSL reports', () => {
    const t = andersonDarling(CONOVER_TELEPHONE)!;
    expect(t.a2).toBeCloseTo(CONOVER_A2, 10);
    expect(t.a2Adjusted).toBeCloseTo(CONOVER_A2 * (1 + 0.75 / 50 + 2.25 / 2500), 10);
    expect(t.pValue).toBeGreaterThan(0.05);
  });

  it('on normal data A*² exceeds the published 5% point 0.752 (Table 4.7) in 5% of samples, and p < 0.05 as often', () => {
    const tests = draws(4000, 30, () => 10 + 2 * rng.normal());
    const beyond = tests.filter((t) => t.a2Adjusted > 0.752).length / tests.length;
    const rejected = tests.filter((t) => t.pValue < 0.05).length / tests.length;
    // 4000 samples: the standard error of a 5% rate is 0.0034.
    expect(beyond).toBeGreaterThan(0.04);
    expect(beyond).toBeLessThan(0.06);
    expect(Math.abs(rejected - beyond)).toBeLessThan(0.005); // p = 0.05 where A*² = 0.752
  });

  it('the p-value is continuous across Table 4.9\'s pieces and 0.05 at the 5% point', () => {
    const p = andersonDarlingPValue;
    expect(p(0.752)).toBeCloseTo(0.05, 2);
    expect(p(1.035)).toBeCloseTo(0.01, 2); // 1% point, Table 4.7
    for (const edge of [0.2, 0.34, 0.6]) expect(Math.abs(p(edge - 1e-9) - p(edge + 1e-9))).toBeLessThan(0.01);
  });

  it('exponential data of 50 are rejected nearly always; fewer than 8 values give no test', () => {
    const tests = draws(500, 50, () => -Math.log(1 - rng.uniform()));
    expect(tests.filter((t) => t.pValue < 0.05).length / tests.length).toBeGreaterThan(0.95);
    expect(andersonDarling([1, 2, 3, 4, 5, 6, 7])).toBeUndefined();
    expect(andersonDarling([5, 5, 5, 5, 5, 5, 5, 5])).toBeUndefined(); // σ = 0
  });
});

