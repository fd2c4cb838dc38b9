import { describe, expect, it } from 'vitest';
import { RULE_NAMES, type RuleName } from '../../src/core/config.js';
import { createRule, newRuleState, ruleLayout } from '../../src/core/rules/index.js';

/** Feeds points given as z (σ from center; statistic = z, beyond = |z| > 3) and returns flagged 1-based indices. */
function flagged(rule: RuleName, zs: number[]): number[] {
  const layout = ruleLayout([rule]);
  const state = newRuleState(layout);
  const [r] = layout.rules;
  return zs.map((z, i) => (r.test({ statistic: z, z, beyond: Math.abs(z) > 3 }, state, 0) ? i + 1 : 0)).filter(Boolean);
}
const repeat = (z: number, n: number) => Array<number>(n).fill(z);

describe('beyond the limits (we1, nelson1)', () => {
  it.each(['we1', 'nelson1'] as const)('%s flags exactly the points beyond', (r) => {
    expect(flagged(r, [0, 3.01, -2.99, -3.5, 3])).toEqual([2, 4]);
  });
});

describe('2 of 3 beyond 2σ on one side (we2, nelson5)', () => {
  it.each(['we2', 'nelson5'] as const)('%s triggers on the second point beyond', (r) => {
    expect(flagged(r, [2.1, 0, 2.5])).toEqual([3]);
    expect(flagged(r, [-2.1, -2.2])).toEqual([2]);
  });
  it.each(['we2', 'nelson5'] as const)('%s just misses', (r) => {
    expect(flagged(r, [2.1, 0, 0, 2.5])).toEqual([]);     // 4 apart: only 1 of any 3
    expect(flagged(r, [2.1, -2.1, 2.0])).toEqual([]);     // opposite sides; exactly 2σ is not beyond
    expect(flagged(r, [2.1, 2.2, 1.9])).toEqual([2]);     // the last point must itself be beyond
  });
});

describe('4 of 5 beyond 1σ on one side (we3, nelson6)', () => {
  it.each(['we3', 'nelson6'] as const)('%s triggers and keeps flagging while the pattern lasts', (r) => {
    expect(flagged(r, [1.5, 1.2, 0, 1.1, 1.3])).toEqual([5]);
    expect(flagged(r, [1.5, 1.2, 1.1, 1.3, 1.4])).toEqual([4, 5]);
  });
  it.each(['we3', 'nelson6'] as const)('%s just misses', (r) => {
    expect(flagged(r, [1.5, 1.2, 0, 0, 1.1, 1.3])).toEqual([]);
    expect(flagged(r, [1.5, 1, 1, 1.1, 1.3])).toEqual([]); // exactly 1σ is not beyond
    expect(flagged(r, [-1.5, 1.2, 1.1, -1.1, -1.3])).toEqual([]); // 5 beyond, but not 4 on one side
  });
});

describe('runs on one side (we4: 8, nelson2: 9)', () => {
  it('we4 triggers at the 8th point and every further one', () => {
    expect(flagged('we4', [...repeat(0.1, 9), -0.1])).toEqual([8, 9]);
    expect(flagged('we4', repeat(-0.2, 8))).toEqual([8]);
  });
  it('we4 just misses: 7 in a row, or a point on the center line breaking the run', () => {
    expect(flagged('we4', repeat(0.1, 7))).toEqual([]);
    expect(flagged('we4', [...repeat(0.1, 4), 0, ...repeat(0.1, 4)])).toEqual([]);
  });
  it('nelson2 needs 9', () => {
    expect(flagged('nelson2', repeat(0.3, 9))).toEqual([9]);
    expect(flagged('nelson2', [...repeat(0.3, 8), -0.3, ...repeat(0.3, 8)])).toEqual([]);
  });
});

describe('nelson3: 6 points steadily increasing or decreasing', () => {
  it('triggers on the 6th point (5 differences)', () => {
    expect(flagged('nelson3', [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6])).toEqual([6, 7]);
    expect(flagged('nelson3', [2, 1, 0.5, 0, -1, -2])).toEqual([6]);
  });
  it('just misses: 5 points, or a tie in the middle', () => {
    expect(flagged('nelson3', [0, 0.1, 0.2, 0.3, 0.4])).toEqual([]);
    expect(flagged('nelson3', [0, 0.1, 0.2, 0.2, 0.3, 0.4, 0.5])).toEqual([]);
  });
});

describe('nelson4: 14 points alternating up and down', () => {
  const alternating = (n: number) => Array.from({ length: n }, (_, i): number => (i % 2 ? -0.5 : 0.5));
  it('triggers on the 14th point (13 alternating differences)', () => {
    expect(flagged('nelson4', alternating(15))).toEqual([14, 15]);
  });
  it('just misses: 13 points, or two steps in one direction', () => {
    expect(flagged('nelson4', alternating(13))).toEqual([]);
    const broken = alternating(14); broken[7] = broken[6] + 0.1; // up, up
    expect(flagged('nelson4', broken)).toEqual([]);
  });
});

describe('nelson7: 15 points within 1σ', () => {
  it('triggers on the 15th point', () => {
    expect(flagged('nelson7', [...repeat(0.5, 15), 0.9])).toEqual([15, 16]);
  });
  it('just misses: 14 points, or a point exactly at 1σ', () => {
    expect(flagged('nelson7', repeat(0.5, 14))).toEqual([]);
    expect(flagged('nelson7', [...repeat(0.5, 7), 1, ...repeat(0.5, 7)])).toEqual([]);
  });
});

describe('nelson8: 8 points beyond 1σ on both sides', () => {
  const mixed = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 ? -1.5 : 1.5));
  it('triggers on the 8th point', () => {
    expect(flagged('nelson8', mixed(9))).toEqual([8, 9]);
    expect(flagged('nelson8', [1.5, ...repeat(-1.5, 7)])).toEqual([8]);
  });
  it('just misses: 7 points, all on one side, or one inside 1σ', () => {
    expect(flagged('nelson8', mixed(7))).toEqual([]);
    expect(flagged('nelson8', repeat(1.5, 8))).toEqual([]);
    expect(flagged('nelson8', [...mixed(4), 0.5, ...mixed(4)])).toEqual([]);
  });
  it('needs both sides within the last 8 points', () => {
    expect(flagged('nelson8', [1.5, ...repeat(-1.5, 8)])).toEqual([8]);
  });
});

it('every rule name has an implementation', () => {
  for (const r of RULE_NAMES) expect(createRule(r).name).toBe(r);
});
