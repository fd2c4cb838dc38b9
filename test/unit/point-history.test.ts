import { expect, it } from 'vitest';
import { packTimes, PointHistory, unpackTimes } from '../../src/core/engine/point-history.js';

it('a history keeps the latest `capacity` points and survives a snapshot (n, CUSUM sums and times included)', () => {
  const h = new PointHistory(5);
  const ts = ['2026-11-30T08:00:01.000Z', '2026-11-30T08:00:02.500Z', '2026-11-30T08:01:00.000Z', '2026-12-01T00:00:00Z', 'x', '2026-12-01T00:00:00.001Z', '2026-12-01T00:00:00.001Z'];
  for (let i = 1; i <= 7; i++) h.add(i, i / 3, i % 2 ? 1 : 5, i === 4 ? 1.5 : 0, i === 6 ? 2.25 : 0, i === 5 ? [] : [`U${i}`, `V${i}`], ts[i - 1]);
  expect([h.first, h.last, h.size]).toEqual([3, 7, 5]);
  const copy = new PointHistory(5);
  copy.restoreState(JSON.parse(JSON.stringify(h.saveState())));
  for (const what of ['x', 'n', 'cplus', 'cminus'] as const) expect(Array.from(copy.values(3, 7, what))).toEqual(Array.from(h.values(3, 7, what)));
  expect(copy.unitsBetween(3, 7)).toEqual(['U3', 'V3', 'U4', 'V4', 'U6', 'V6', 'U7', 'V7']);
  expect([3, 4, 5, 6, 7].map((i) => copy.tsOf(i))).toEqual(ts.slice(2));
  // A chart with n = 1 and no sums leaves them out of the snapshot.
  const plain = new PointHistory(3);
  plain.add(1, 2, 1, 0, 0, ['A'], 't1');
  expect(plain.saveState()).toEqual({ first: 1, x: [2], units: 'A', ts: '0t1' });
});

it('times are packed as the characters that differ from the one before', () => {
  const ts = ['2026-11-30T08:00:01.000Z', '2026-11-30T08:00:02.000Z', '2026-11-30T08:00:02.000Z', ''];
  expect(unpackTimes(packTimes(ts))).toEqual(ts);
  expect(packTimes(ts.slice(0, 2)).length).toBe(1 + 24 + 1 + 1 + 6); // the second: shares 18 characters, keeps "2.000Z"
});

it('a window that wraps the ring reads back in point order, copied into a reused buffer as into a new one', () => {
  // Starts at index 7 (as after a restore) and wraps a 40-slot ring twice while its arrays grow.
  const h = new PointHistory(40);
  for (let i = 7; i <= 100; i++) h.add(i, i * 1.5, i % 4, i, -i, [`U${i}`], `t${i}`);
  expect([h.first, h.last, h.size]).toEqual([61, 100, 40]);
  const expected = (f: (i: number) => number) => Array.from({ length: 40 }, (_, k) => f(61 + k));
  expect(Array.from(h.values(61, 100, 'x'))).toEqual(expected((i) => i * 1.5));
  expect(Array.from(h.values(61, 100, 'n'))).toEqual(expected((i) => i % 4));
  expect(Array.from(h.values(61, 100, 'cminus'))).toEqual(expected((i) => -i));
  const buffer = new Float64Array(64).fill(-1);
  const part = h.copy(75, 90, 'x', buffer);
  expect(Array.from(part)).toEqual(Array.from({ length: 16 }, (_, k) => (75 + k) * 1.5));
  expect(buffer[16]).toBe(-1); // nothing written past the window
  expect(Array.from(h.copy(75, 90, 'cplus', buffer))).toEqual(Array.from({ length: 16 }, (_, k) => 75 + k));
  expect([h.unitsOf(80), h.tsOf(80), h.unitsBetween(98, 100)]).toEqual([['U80'], 't80', ['U98', 'U99', 'U100']]);
});

it('a capacity that is not a whole number ≥ 1 is refused (the write cursor wraps at it exactly)', () => {
  expect(() => new PointHistory(2.5)).toThrow(RangeError);
  expect(() => new PointHistory(0)).toThrow(RangeError);
  const one = new PointHistory(1);
  for (let i = 1; i <= 3; i++) one.add(i, i, 1, 0, 0, [`U${i}`], `t${i}`);
  expect([one.first, one.last, Array.from(one.values(3, 3, 'x')), one.unitsOf(3), one.tsOf(3)]).toEqual([3, 3, [3], ['U3'], 't3']);
});
