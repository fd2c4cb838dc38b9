import { describe, expect, it } from 'vitest';
import { HoldBook, MAX_UNITS_PER_VIEW, type HoldSignal, type PointRecord } from '../../src/core/index.js';

const place = { line: 'L1', station: 'reflow' };
const point = (index: number, actions: ('hold' | 'alarm')[], violations = actions.length ? ['nelson1' as const] : []): PointRecord => ({
  type: 'point', characteristic: 'reflow.peak_temp', index, phase: 'II', ts: `2026-01-01T00:00:${String(index).padStart(2, '0')}Z`,
  statistic: 250, center: 245, ucl: 248, lcl: 242, violations, actions, units: [`SN${index}`], lots: ['LOT1'],
});

describe('HoldBook', () => {
  it('raises one hold per characteristic and grows it with later points, each revision naming only what it adds', () => {
    const book = new HoldBook();
    const [first] = book.apply(point(5, ['hold']), place);
    expect(first).toMatchObject({ type: 'hold', id: 'reflow.peak_temp#5', rev: 1, line: 'L1', station: 'reflow', units: ['SN5'], added: ['SN5'], unitCount: 1, lots: ['LOT1'], rule: 'nelson1' });
    // Every later unit of the characteristic is suspect until release, violating or not.
    const [second] = book.apply(point(6, []), place);
    expect(second).toMatchObject({ type: 'hold', id: 'reflow.peak_temp#5', rev: 2, added: ['SN6'], unitCount: 2, lots: [] });
    expect(second).not.toHaveProperty('units');
    const [grown] = book.apply(point(7, ['hold']), place);
    expect(grown).toMatchObject({ type: 'hold', id: 'reflow.peak_temp#5', rev: 3, added: ['SN7'], unitCount: 3, lastIndex: 7 });
    expect(book.activeHolds(['L1']).map((h) => [h.id, h.rev, h.unitCount, h.units])).toEqual([['reflow.peak_temp#5', 3, 3, ['SN5', 'SN6', 'SN7']]]);
    expect(book.activeHolds(['L2'])).toEqual([]);
  });

  it('names every unit exactly once with no cap, in messages whose size does not grow with the hold', () => {
    const book = new HoldBook();
    const all: string[] = [];
    let biggest = 0, first = 0;
    for (let i = 1; i <= 5000; i++) {
      // A point naming a run of three: two units seen before and one new one.
      const units = [`SN${i - 2}`, `SN${i - 1}`, `SN${i}`].filter((u) => u !== 'SN0' && u !== 'SN-1');
      for (const s of book.apply({ ...point(i, i === 1 ? ['hold'] : []), units, runUnits: undefined }, place)) {
        const h = s as HoldSignal;
        all.push(...h.added);
        const size = JSON.stringify(h).length;
        if (i === 2) first = size;
        if (i > 2) biggest = Math.max(biggest, size);
      }
    }
    expect(all).toHaveLength(5000);
    expect(new Set(all).size).toBe(5000);
    expect(biggest).toBeLessThan(first + 20); // only the counters' digits grow
    const view = book.activeHolds()[0];
    expect(view).toMatchObject({ unitCount: 5000, unitsComplete: false });
    expect(view.units).toHaveLength(MAX_UNITS_PER_VIEW);
    // Paging returns every unit in order.
    const paged: string[] = [];
    for (let after = 0; ;) {
      const page = book.unitsOf(view.id, after, 700)!;
      paged.push(...page.units);
      if (page.next === undefined) break;
      after = page.next;
    }
    expect(paged).toEqual(all);
  });

  it('answers the unit-status interlock from memory, within lines, and forgets units at release', () => {
    const book = new HoldBook();
    book.apply(point(5, ['hold']), place);
    book.apply({ ...point(5, ['hold']), characteristic: 'screw.torque', units: ['SN5', 'SN9'] }, { line: 'L1', station: 'screw' });
    expect(book.unitStatus('SN5')).toEqual({ unit: 'SN5', held: true, holds: ['reflow.peak_temp#5', 'screw.torque#5'] });
    expect(book.unitStatus('SN5', ['L2'])).toEqual({ unit: 'SN5', held: false, holds: [] });
    expect(book.unitStatus('SN7')).toEqual({ unit: 'SN7', held: false, holds: [] });
    book.release('reflow.peak_temp#5', 'qm1', 'oven recalibrated', 't');
    expect(book.unitStatus('SN5').holds).toEqual(['screw.torque#5']);
    // After a snapshot and restore (a restart or a take-over), the same answers.
    const restored = new HoldBook();
    restored.restoreState(JSON.parse(JSON.stringify(book.saveState(() => true))), () => true);
    expect(restored.unitStatus('SN9')).toEqual({ unit: 'SN9', held: true, holds: ['screw.torque#5'] });
    expect(restored.unitStatus('SN5').holds).toEqual(['screw.torque#5']);
  });

  it('names the units of the whole triggering run', () => {
    const book = new HoldBook();
    const [hold] = book.apply({ ...point(9, ['hold'], ['nelson2' as never]), runUnits: ['SN1', 'SN2', 'SN3', 'SN4', 'SN5', 'SN6', 'SN7', 'SN8', 'SN9'] }, place);
    expect(hold).toMatchObject({ units: ['SN1', 'SN2', 'SN3', 'SN4', 'SN5', 'SN6', 'SN7', 'SN8', 'SN9'], unitCount: 9, rule: 'nelson2' });
  });

  it('does not raise a hold twice for a replayed point, even after release', () => {
    const book = new HoldBook();
    book.apply(point(5, ['hold']), place);
    expect(book.apply(point(5, ['hold']), place)).toEqual([]);
    const release = book.release('reflow.peak_temp#5', 'qm1', 'oven recalibrated', '2026-01-01T01:00:00Z');
    expect(release).toMatchObject({ type: 'release', id: 'reflow.peak_temp#5', unitCount: 1, by: 'qm1', reason: 'oven recalibrated' });
    expect(book.apply(point(5, ['hold']), place)).toEqual([]);
    expect(book.release('reflow.peak_temp#5', 'qm1', 'again', 'x')).toBeUndefined();
    // A new violation after the release is a new hold.
    expect(book.apply(point(9, ['hold']), place)[0]).toMatchObject({ id: 'reflow.peak_temp#9', rev: 1 });
  });

  it('raises an alarm and clears it on the next point without an alarm action', () => {
    const book = new HoldBook();
    expect(book.apply(point(3, ['alarm']), place)[0]).toMatchObject({ type: 'alarm', id: 'reflow.peak_temp#3', rev: 1 });
    expect(book.apply(point(4, ['alarm']), place)[0]).toMatchObject({ type: 'alarm', rev: 2, added: ['SN4'], unitCount: 2 });
    expect(book.apply(point(5, []), place)).toEqual([{ type: 'alarm-clear', id: 'reflow.peak_temp#3', line: 'L1', station: 'reflow', characteristic: 'reflow.peak_temp', ts: point(5, []).ts }]);
    expect(book.activeAlarms()).toEqual([]);
  });
  it('a hold restored from a snapshot names each unit once, also units another hold names, and the interlock answers for both', () => {
    const book = new HoldBook();
    const at = (index: number, units: string[]): PointRecord => ({ ...point(index, []), units });
    book.apply(point(5, ['hold']), place); // names SN5
    const check = book.raiseExternal('check:x', { id: 'reflow.peak_temp#check-x', line: 'L1', station: 'reflow', characteristic: 'reflow.peak_temp', rule: 'overdue', rules: ['overdue'], statistic: 0, center: 0, ucl: 0, lcl: 0, firstIndex: 0, lastIndex: 0, ts: 't', updated: 't' }, 'hold', ['SN5', 'SN6', 'SN6']);
    expect(check).toMatchObject({ units: ['SN5', 'SN6'], unitCount: 2 });
    expect((book.apply(at(6, ['SN6', 'SN5']), place)[0] as HoldSignal).added).toEqual(['SN6']); // SN5 named already by this hold
    const copy = new HoldBook();
    copy.restoreState(JSON.parse(JSON.stringify(book.saveState(() => true))), () => true);
    const [next] = copy.apply(at(7, ['SN5', 'SN6', 'SN7']), place) as HoldSignal[];
    expect(next).toMatchObject({ id: 'reflow.peak_temp#5', rev: 3, added: ['SN7'], unitCount: 3 });
    expect(copy.unitStatus('SN6')).toEqual({ unit: 'SN6', held: true, holds: ['reflow.peak_temp#5', 'reflow.peak_temp#check-x'] });
    // Released, the hold's units are free again unless the other hold names them.
    copy.release('reflow.peak_temp#5', 'q', 'checked', 't');
    expect(copy.unitStatus('SN6')).toEqual({ unit: 'SN6', held: true, holds: ['reflow.peak_temp#check-x'] });
    expect(copy.unitStatus('SN7')).toEqual({ unit: 'SN7', held: false, holds: [] });
  });

  it('an overdue check\'s alarm restored from a snapshot keeps its own key: the characteristic\'s points do not clear it, the check does', () => {
    const book = new HoldBook();
    book.raiseExternal('check:y', { id: 'reflow.peak_temp#check-y', line: 'L1', station: 'reflow', characteristic: 'reflow.peak_temp', rule: 'overdue', rules: ['overdue'], statistic: 0, center: 0, ucl: 0, lcl: 0, firstIndex: 0, lastIndex: 0, ts: 't', updated: 't' }, 'alarm', []);
    const copy = new HoldBook();
    copy.restoreState(JSON.parse(JSON.stringify(book.saveState(() => true))), () => true);
    expect(copy.apply(point(8, []), place)).toEqual([]); // a quiet point of the characteristic: not this alarm's business
    expect(copy.clearExternal('check:y', 't2')).toMatchObject({ type: 'alarm-clear', id: 'reflow.peak_temp#check-y' });
  });
  it('snapshots pack a hold\'s units into one string, joining only what was added since the last; lists (earlier versions) restore the same', () => {
    const book = new HoldBook();
    const at = (index: number, units: string[]): PointRecord => ({ ...point(index, []), units });
    book.apply(point(5, ['hold']), place);
    book.apply(at(6, ['SN6']), place);
    expect(book.saveState(() => true).holds[0].units).toBe('SN5\u007fSN6');
    book.apply(at(7, ['SN7']), place);
    const snap = book.saveState(() => true);
    expect(snap.holds[0].units).toBe('SN5\u007fSN6\u007fSN7');
    const asList = { ...snap, holds: [{ ...snap.holds[0], units: ['SN5', 'SN6', 'SN7'] }] };
    for (const saved of [snap, asList]) {
      const copy = new HoldBook();
      copy.restoreState(JSON.parse(JSON.stringify(saved)), () => true);
      expect(copy.apply(at(8, ['SN7', 'SN8']), place)).toMatchObject([{ rev: 4, added: ['SN8'], unitCount: 4 }]);
      expect(copy.saveState(() => true).holds[0].units).toBe('SN5\u007fSN6\u007fSN7\u007fSN8');
      expect(copy.unitStatus('SN6').held).toBe(true);
    }
    // A unit holding the separator itself (samples refuse control characters; built in code here) is written as a list.
    book.apply(at(9, ['odd\u007fone']), place);
    expect(book.saveState(() => true).holds[0].units).toEqual(['SN5', 'SN6', 'SN7', 'odd\u007fone']);
  });
});
