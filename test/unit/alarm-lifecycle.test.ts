import { describe, expect, it } from 'vitest';
import { AlarmLifecycle, type AlarmSignal } from '../../src/core/index.js';

const alarm = (characteristic: string, line = 'L1'): AlarmSignal => ({
  type: 'alarm', id: `${characteristic}#1`, line, station: 's', characteristic, rule: 'we2', rules: ['we2'], action: 'alarm',
  statistic: 1, center: 0, ucl: 3, lcl: -3, rev: 1, unitCount: 1, units: ['U1'], added: ['U1'], lots: [], firstIndex: 1, lastIndex: 1, ts: 't', updated: 't',
});
const clear = (characteristic: string) => ({ type: 'alarm-clear' as const, id: `${characteristic}#1`, line: 'L1', station: 's', characteristic, ts: 't' });

describe('alarm lifecycle (ISA-18.2 states)', () => {
  it('active-unacknowledged → acknowledged → closed when it clears', () => {
    const l = new AlarmLifecycle();
    expect(l.onSignal(alarm('a'), 0)).toHaveLength(1);
    expect(l.get('a#1')!.state).toBe('active-unacknowledged');
    expect(l.acknowledge('a#1', 'op-17', 't')).toMatchObject({ type: 'alarm-state', state: 'active-acknowledged', by: 'op-17' });
    expect(l.onSignal(clear('a'), 1).map((s) => s.type)).toEqual(['alarm-clear', 'alarm-state']);
    expect(l.get('a#1')).toBeUndefined(); // closed
  });
  it('cleared before anyone acknowledged stays until acknowledged', () => {
    const l = new AlarmLifecycle();
    l.onSignal(alarm('a'), 0);
    l.onSignal(clear('a'), 1);
    expect(l.get('a#1')!.state).toBe('cleared-unacknowledged');
    expect(l.acknowledge('a#1', 'op-17', 't')).toMatchObject({ state: 'closed' });
    expect(l.acknowledge('a#1', 'op-17', 't')).toBe('no alarm a#1');
  });
  it('deduplicates: updates of an open alarm are not new alarms', () => {
    const l = new AlarmLifecycle({ maxAlarms: 2, windowMs: 1000 });
    for (let i = 0; i < 5; i++) expect(l.onSignal(alarm('a'), i)).toHaveLength(1);
    expect(l.open()).toHaveLength(1);
  });
  it('shelving silences an alarm until it expires', () => {
    const l = new AlarmLifecycle();
    l.onSignal(alarm('a'), 0);
    expect(l.shelve('a#1', 'qm-anna', 1000, 't')).toMatchObject({ state: 'shelved', by: 'qm-anna' });
    expect(l.onSignal(alarm('a'), 10)).toEqual([]);
    expect(l.tick(999, 't')).toEqual([]);
    expect(l.tick(1000, 't')).toEqual([expect.objectContaining({ id: 'a#1', state: 'active-unacknowledged' })]);
  });
  it('floods: the 11th new alarm in 10 minutes on a line begins a flood, announced by a flood alarm; the 11th still goes out', () => {
    const l = new AlarmLifecycle();
    for (let i = 0; i < 10; i++) expect(l.onSignal(alarm(`c${i}`), i * 1000)[0].id).toBe(`c${i}#1`);
    const out = l.onSignal(alarm('c10'), 10_000) as AlarmSignal[];
    expect(out.map((s) => s.id)).toEqual(['flood:L1#10000', 'c10#1']); // a new id per flood (it started at 10 s)
    expect(out[0]).toMatchObject({ characteristic: '*', flood: { alarms: 11, windowMs: 600_000, endBelow: 5 } });
    expect(l.onSignal(alarm('x', 'L2'), 11_000)[0].id).toBe('x#1'); // other lines are not flooded
    // Spread out, the same number of alarms is no flood.
    const later = new AlarmLifecycle();
    for (let i = 0; i < 11; i++) expect(later.onSignal(alarm(`c${i}`), i * 61_000).map((s) => s.id)).toEqual([`c${i}#1`]);
  });
  it('a flood never suppresses a characteristic\'s first alarm nor a high-priority rule\'s; it suppresses repeats, records and counts them', () => {
    const l = new AlarmLifecycle();
    l.priorityOf = (c, rule) => (c === 'c1' && rule === 'we1' ? 'high' : undefined);
    for (let i = 0; i < 11; i++) l.onSignal(alarm(`c${i}`), i * 100); // flood from the 11th
    // c0's next alarm (a new id of the same characteristic) is its first in the flood: it goes out.
    expect(l.onSignal(alarm2('c0', 5, 'we2'), 2000).map((s) => s.id)).toEqual(['c0#5']);
    // Its next one is a repeat: suppressed, recorded, counted.
    expect(l.onSignal(alarm2('c0', 9, 'we2'), 2100)).toEqual([]);
    expect(l.get('c0#9')).toMatchObject({ state: 'suppressed', active: true });
    expect(l.get('flood:L1#1000')).toMatchObject({ suppressed: 1 });
    expect(l.suppressedTotal).toBe(1);
    expect(l.open().filter((a) => a.state === 'suppressed').map((a) => a.id)).toEqual(['c0#9']);
    // A high-priority rule's alarms always go out, repeats too, marked high.
    expect(l.onSignal(alarm2('c1', 5, 'we1'), 2200)).toEqual([expect.objectContaining({ id: 'c1#5', priority: 'high' })]);
    expect(l.onSignal(alarm2('c1', 7, 'we1'), 2300)).toEqual([expect.objectContaining({ id: 'c1#7', priority: 'high' })]);
    // A characteristic never seen in the flood still gets its first alarm out.
    expect(l.onSignal(alarm('new'), 2400).map((s) => s.id)).toEqual(['new#1']);
    // A split is its own series.
    expect(l.onSignal(alarm2('c0[cavity=2]', 3, 'we2'), 2500).map((s) => s.id)).toEqual(['c0[cavity=2]#3']);
  });
  it('no alarm-clear for an alarm that was not sent; its updates stay silent too', () => {
    const l = new AlarmLifecycle();
    for (let i = 0; i < 11; i++) l.onSignal(alarm(`c${i}`), i * 100);
    l.onSignal(alarm2('c0', 5, 'we2'), 2000);
    expect(l.onSignal(alarm2('c0', 9, 'we2'), 2100)).toEqual([]);
    expect(l.onSignal({ ...alarm2('c0', 9, 'we2'), rev: 2 }, 2150)).toEqual([]);
    expect(l.onSignal({ ...clear('c0'), id: 'c0#9' }, 2200)).toEqual([]);
    expect(l.get('c0#9')).toBeUndefined();
    // A sent alarm's clear goes out as before.
    expect(l.onSignal({ ...clear('c0'), id: 'c0#5' }, 2300).map((s) => s.type)).toEqual(['alarm-clear', 'alarm-state']);
  });
  it('the flood ends on its own when fewer than 5 new alarms arrived in 10 minutes; suppressed alarms still active are announced then', () => {
    const l = new AlarmLifecycle();
    l.announce = (id) => ({ ...alarm2('c0', 9, 'we2'), id, rev: 3, units: ['U1', 'U2'], added: ['U1', 'U2'], unitCount: 2 });
    for (let i = 0; i < 11; i++) l.onSignal(alarm(`c${i}`), i * 100);
    l.onSignal(alarm2('c0', 5, 'we2'), 2000);
    l.onSignal(alarm2('c0', 9, 'we2'), 2100); // suppressed, still active
    expect(l.tick(300_000, 't')).toEqual([]); // 14 alarms in the window: still a flood
    // At 10 min after the 10th alarm (t = 900 ms) only the last 4 remain in the window.
    const end = l.tick(600_950, 'later');
    expect(end[0]).toMatchObject({ type: 'alarm-clear', id: 'flood:L1#1000', flood: { alarms: 11, suppressed: 1, ended: 'fewer than 5 new alarms in 10 min' } });
    expect(end[1]).toMatchObject({ type: 'alarm-state', id: 'flood:L1#1000', state: 'cleared-unacknowledged' });
    expect(end[2]).toMatchObject({ type: 'alarm', id: 'c0#9', units: ['U1', 'U2'], unitCount: 2 });
    expect(l.get('c0#9')!.state).toBe('active-unacknowledged');
    // After the flood, repeats go out again.
    expect(l.onSignal(alarm2('c0', 20, 'we2'), 601_000).map((s) => s.id)).toEqual(['c0#20']);
  });
  it('acknowledging the flood alarm does not end the flood; its rate does', () => {
    const l = new AlarmLifecycle();
    for (let i = 0; i < 11; i++) l.onSignal(alarm(`c${i}`), i * 100);
    expect(l.acknowledge('flood:L1#1000', 'op-17', 't')).toMatchObject({ state: 'active-acknowledged' });
    l.onSignal(alarm2('c0', 5, 'we2'), 2000);
    expect(l.onSignal(alarm2('c0', 9, 'we2'), 2100)).toEqual([]);
    expect(l.tick(700_000, 't').map((s) => s.type)).toEqual(['alarm-clear', 'alarm-state', 'alarm-state']);
    expect(l.get('flood:L1#1000')).toBeUndefined(); // acknowledged and cleared: closed
  });
  it('a snapshot keeps the flood: who already sent their first alarm, and the count', () => {
    const l = new AlarmLifecycle();
    for (let i = 0; i < 11; i++) l.onSignal(alarm(`c${i}`), i * 100);
    l.onSignal(alarm2('c0', 5, 'we2'), 2000);
    l.onSignal(alarm2('c0', 9, 'we2'), 2100);
    const copy = new AlarmLifecycle();
    copy.restoreState(JSON.parse(JSON.stringify(l.saveState(() => true))), () => true);
    expect(copy.onSignal(alarm2('c0', 12, 'we2'), 2200)).toEqual([]);
    expect(copy.get('flood:L1#1000')).toMatchObject({ suppressed: 2 });
    expect(copy.onSignal(alarm2('c10', 12, 'we2'), 2300)).toEqual([]); // c10's first in the flood (the one that began it) went out before the snapshot
    expect(copy.onSignal(alarm2('c5', 12, 'we2'), 2400).map((s) => s.id)).toEqual(['c5#12']); // c5's last alarm came before the flood
  });
});

const alarm2 = (series: string, index: number, rule: 'we1' | 'we2'): AlarmSignal => ({ ...alarm(series.replace(/\[.*$/, '')), id: `${series}#${index}`, rule, rules: [rule] });
