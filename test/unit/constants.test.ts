import { describe, expect, it } from 'vitest';
import { a2, a3, b3, b4, c4, d2, d3, d3Lower, d4Upper } from '../../src/core/charts/constants.js';

// Expected values: Montgomery, Introduction to SQC 6th ed., Appendix VI (factors for control charts),
// which agrees with ASTM MNL7 Table 49.
describe('control chart constants', () => {
  it('d2 and d3 are the published 3-decimal table', () => {
    expect(d2(2)).toBe(1.128);
    expect(d2(5)).toBe(2.326);
    expect(d2(10)).toBe(3.078);
    expect(d2(25)).toBe(3.931);
    expect(d3(2)).toBe(0.853);
    expect(d3(5)).toBe(0.864);
    expect(d3(25)).toBe(0.708);
  });

  it('c4 from its closed form matches the published 4-decimal table', () => {
    const published: Record<number, number> = { 2: 0.7979, 3: 0.8862, 4: 0.9213, 5: 0.94, 6: 0.9515, 7: 0.9594, 8: 0.965, 9: 0.9693, 10: 0.9727, 15: 0.9823, 20: 0.9869, 25: 0.9896 };
    for (const [n, v] of Object.entries(published)) expect(c4(Number(n))).toBeCloseTo(v, 4);
    // Exact value for n = 2: √(2/π).
    expect(c4(2)).toBeCloseTo(Math.sqrt(2 / Math.PI), 14);
  });

  // The factors are derived from the 3-decimal d2 and d3, so they can differ from the printed ones
  // (computed from unrounded d2, d3) in the third decimal: D4(2) = 3.2686 here, 3.267 printed.
  it('derived factors match the published tables within 0.002', () => {
    const cases: [string, (n: number) => number, Record<number, number>][] = [
      ['A2', a2, { 2: 1.880, 3: 1.023, 4: 0.729, 5: 0.577, 6: 0.483, 10: 0.308, 25: 0.153 }],
      ['A3', a3, { 2: 2.659, 3: 1.954, 4: 1.628, 5: 1.427, 10: 0.975, 25: 0.606 }],
      ['D3', d3Lower, { 2: 0, 6: 0, 7: 0.076, 8: 0.136, 10: 0.223, 25: 0.459 }],
      ['D4', d4Upper, { 2: 3.267, 5: 2.114, 7: 1.924, 10: 1.777, 25: 1.541 }],
      ['B3', b3, { 2: 0, 5: 0, 6: 0.030, 10: 0.284, 25: 0.565 }],
      ['B4', b4, { 2: 3.267, 5: 2.089, 10: 1.716, 25: 1.435 }],
    ];
    for (const [name, f, table] of cases) {
      for (const [n, v] of Object.entries(table)) {
        expect(Math.abs(f(Number(n)) - v), `${name}(${n}) = ${f(Number(n))}, published ${v}`).toBeLessThanOrEqual(0.002);
      }
    }
  });

  it('refuses subgroup sizes outside 2..25', () => {
    expect(() => d2(1)).toThrow(/2\.\.25/);
    expect(() => c4(26)).toThrow(RangeError);
    expect(() => d3(2.5)).toThrow(RangeError);
  });
});
