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
  it('floods: the 11th new alarm in 10 minutes on a line becomes one flood alarm; more are suppressed', () => {
    const l = new AlarmLifecycle();
    for (let i = 0; i < 10; i++) expect(l.onSignal(alarm(`c${i}`), i * 1000)[0].id).toBe(`c${i}#1`);
    const [flood] = l.onSignal(alarm('c10'), 10_000) as AlarmSignal[];
    expect(flood).toMatchObject({ id: 'flood:L1', characteristic: '*', flood: { alarms: 11, windowMs: 600_000 } });
    expect(l.onSignal(alarm('c11'), 11_000)).toEqual([]);
    expect(l.get('c11#1')!.state).toBe('suppressed');
    expect(l.onSignal(alarm('x', 'L2'), 11_000)[0].id).toBe('x#1'); // other lines are not flooded
    // Outside the window the line is quiet again.
    const later = new AlarmLifecycle();
    for (let i = 0; i < 11; i++) expect(later.onSignal(alarm(`c${i}`), i * 61_000)[0].id).toBe(`c${i}#1`);
  });
});
