import { describe, expect, it } from 'vitest';
import { HoldBook, type PointRecord } from '../../src/core/index.js';

const place = { line: 'L1', station: 'reflow' };
const point = (index: number, actions: ('hold' | 'alarm')[], violations = actions.length ? ['nelson1' as const] : []): PointRecord => ({
  type: 'point', characteristic: 'reflow.peak_temp', index, phase: 'II', ts: `2026-01-01T00:00:${String(index).padStart(2, '0')}Z`,
  statistic: 250, center: 245, ucl: 248, lcl: 242, violations, actions, units: [`SN${index}`], lots: ['LOT1'],
});

describe('HoldBook', () => {
  it('raises one hold per characteristic and grows it with later violating points', () => {
    const book = new HoldBook();
    const [first] = book.apply(point(5, ['hold']), place);
    expect(first).toMatchObject({ type: 'hold', id: 'reflow.peak_temp#5', line: 'L1', station: 'reflow', units: ['SN5'], lots: ['LOT1'], rule: 'nelson1' });
    // Every later unit of the characteristic is suspect until release, violating or not.
    expect(book.apply(point(6, []), place)).toEqual([expect.objectContaining({ type: 'hold', id: 'reflow.peak_temp#5', units: ['SN5', 'SN6'], added: ['SN6'] })]);
    const [grown] = book.apply(point(7, ['hold']), place);
    expect(grown).toMatchObject({ type: 'hold', id: 'reflow.peak_temp#5', units: ['SN5', 'SN6', 'SN7'], added: ['SN7'], lastIndex: 7 });
    expect(book.activeHolds(['L1']).map((h) => h.id)).toEqual(['reflow.peak_temp#5']);
    expect(book.activeHolds(['L2'])).toEqual([]);
  });

  it('names the units of the whole triggering run', () => {
    const book = new HoldBook();
    const [hold] = book.apply({ ...point(9, ['hold'], ['nelson2' as never]), runUnits: ['SN1', 'SN2', 'SN3', 'SN4', 'SN5', 'SN6', 'SN7', 'SN8', 'SN9'] }, place);
    expect(hold).toMatchObject({ units: ['SN1', 'SN2', 'SN3', 'SN4', 'SN5', 'SN6', 'SN7', 'SN8', 'SN9'], rule: 'nelson2' });
  });

  it('does not raise a hold twice for a replayed point, even after release', () => {
    const book = new HoldBook();
    book.apply(point(5, ['hold']), place);
    expect(book.apply(point(5, ['hold']), place)).toEqual([]);
    const release = book.release('reflow.peak_temp#5', 'qm1', 'oven recalibrated', '2026-01-01T01:00:00Z');
    expect(release).toMatchObject({ type: 'release', id: 'reflow.peak_temp#5', units: ['SN5'], by: 'qm1', reason: 'oven recalibrated' });
    expect(book.apply(point(5, ['hold']), place)).toEqual([]);
    expect(book.release('reflow.peak_temp#5', 'qm1', 'again', 'x')).toBeUndefined();
    // A new violation after the release is a new hold.
    expect(book.apply(point(9, ['hold']), place)[0]).toMatchObject({ id: 'reflow.peak_temp#9' });
  });

  it('raises an alarm and clears it on the next point without an alarm action', () => {
    const book = new HoldBook();
    expect(book.apply(point(3, ['alarm']), place)[0]).toMatchObject({ type: 'alarm', id: 'reflow.peak_temp#3' });
    expect(book.apply(point(4, ['alarm']), place)[0]).toMatchObject({ type: 'alarm', units: ['SN3', 'SN4'] });
    expect(book.apply(point(5, []), place)).toEqual([{ type: 'alarm-clear', id: 'reflow.peak_temp#3', line: 'L1', station: 'reflow', characteristic: 'reflow.peak_temp', ts: point(5, []).ts }]);
    expect(book.activeAlarms()).toEqual([]);
  });
});
