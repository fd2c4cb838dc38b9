import { expect, it } from 'vitest';
import { HoldBook, type PointRecord } from '../../src/core/index.js';

const point = (index: number, alarm: boolean): PointRecord => ({
  type: 'point', characteristic: 'tal', index, phase: 'II', ts: `t${index}`, statistic: alarm ? 4 : 0, center: 0, ucl: 3, lcl: -3,
  violations: alarm ? ['we1'] : [], actions: alarm ? ['alarm'] : [], units: [`U${index}`], lots: [],
});

it('clearAfter: an alarm hovering at its limit stays one alarm until N quiet points in a row clear it (off-delay, ISA-18.2)', () => {
  const run = (clearAfter: number | undefined) => {
    const book = new HoldBook();
    book.clearAfterOf = () => clearAfter;
    const pattern = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0]; // chattering, then quiet
    return pattern.flatMap((a, i) => book.apply(point(i + 1, a === 1), { line: 'L1', station: 'reflow' }));
  };
  // Default (1): every quiet point clears, every violation after it is a new alarm.
  const plain = run(undefined);
  expect(plain.filter((s) => s.type === 'alarm' && s.rev === 1).map((s) => (s as { id: string }).id)).toEqual(['tal#1', 'tal#4', 'tal#7']);
  expect(plain.filter((s) => s.type === 'alarm-clear')).toHaveLength(3);
  // clearAfter 3: one alarm, extended at points 4 and 7, cleared by the third quiet point after 7 (point 10).
  const delayed = run(3);
  expect(delayed.filter((s) => s.type === 'alarm' && s.rev === 1).map((s) => (s as { id: string }).id)).toEqual(['tal#1']);
  expect(delayed.filter((s) => s.type === 'alarm').map((s) => (s as { rev: number }).rev)).toEqual([1, 2, 3, 4]);
  expect(delayed.filter((s) => s.type === 'alarm-clear').map((s) => s.ts)).toEqual(['t10']);
});

it('clearAfter: a snapshot keeps the quiet points counted, so a restored alarm clears when the original would have', () => {
  const book = new HoldBook();
  book.clearAfterOf = () => 3;
  const place = { line: 'L1', station: 'reflow' };
  book.apply(point(1, true), place);
  book.apply(point(2, false), place);
  book.apply(point(3, false), place);
  const copy = new HoldBook();
  copy.clearAfterOf = () => 3;
  copy.restoreState(JSON.parse(JSON.stringify(book.saveState(() => true))), () => true);
  expect(copy.apply(point(4, false), place).map((s) => s.type)).toEqual(['alarm-clear']);
});

it('editing clearAfter or priority on a hot reload keeps the chart (its Phase I and rule runs)', async () => {
  const { SpcEngine } = await import('../../src/core/index.js');
  const c = { id: 'x', match: { parameter: 'x' }, chart: { type: 'i-mr' as const }, limits: { phase1: 5 }, rules: ['we1' as const], actions: { alarm: ['we1' as const] } };
  const engine = new SpcEngine({ version: 1, characteristics: [c] });
  for (let i = 0; i < 3; i++) engine.process({ ts: `2026-12-01T00:00:0${i}Z`, line: 'L1', station: 's', parameter: 'x', value: i, unit: `U${i}` }, () => {});
  expect(engine.reload({ version: 1, characteristics: [{ ...c, clearAfter: 10, priority: { we1: 'high' } }] })).toEqual({ kept: ['x'], started: [], removed: [] });
  expect(engine.summaryOf('x')!.phase1).toMatchObject({ collected: 3 });
  expect(engine.reload({ version: 1, characteristics: [{ ...c, rules: ['we1', 'we2'] }] }).started).toEqual(['x']); // a rule change does restart it
});
