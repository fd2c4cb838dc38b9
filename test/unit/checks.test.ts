import { describe, expect, it } from 'vitest';
import { CheckSchedule, nextShiftStart } from '../../src/core/checks/schedule.js';
import type { CheckConfig } from '../../src/core/config.js';
import { parseRuleFile } from '../../src/rules-file/load.js';

const T0 = Date.UTC(2026, 10, 30, 5, 0, 0);
const MIN = 60_000;
const base = { characteristic: 'screw.torque', line: 'L1', station: 'screw', parameter: 'torque', sampleSize: 3, instructions: 'measure three screws', overdue: 'alarm' as const, graceUnits: 0 };

describe('the manual-check schedule, on a clock of the test\'s own', () => {
  it('a time check is due after its interval, overdue after the grace, reported once, and done clears it', () => {
    const hourly: CheckConfig = { ...base, id: 'hourly', everyMs: 60 * MIN, graceMs: 6 * MIN };
    const s = new CheckSchedule([hourly], T0);
    expect(s.status(T0 + 59 * MIN)[0]).toMatchObject({ due: false, overdue: false, dueAt: T0 + 60 * MIN });
    expect(s.status(T0 + 61 * MIN)[0]).toMatchObject({ due: true, overdue: false });
    expect(s.tick(T0 + 65 * MIN)).toEqual([]);
    const [late] = s.tick(T0 + 66 * MIN);
    expect(late).toMatchObject({ type: 'overdue', check: { id: 'hourly' }, dueAt: T0 + 60 * MIN });
    expect(s.tick(T0 + 70 * MIN)).toEqual([]); // once
    expect(s.done('hourly', T0 + 71 * MIN)).toMatchObject({ type: 'done', onTime: false });
    expect(s.status(T0 + 72 * MIN)[0]).toMatchObject({ due: false, overdue: false, dueAt: T0 + 131 * MIN });
    expect(s.done('hourly', T0 + 130 * MIN)).toMatchObject({ onTime: true });
  });

  it('a unit check counts the station\'s units; when overdue it names the units made since it was due', () => {
    const every5: CheckConfig = { ...base, id: 'every5', everyUnits: 5, graceUnits: 2, graceMs: 0, overdue: 'hold' };
    const s = new CheckSchedule([every5], T0);
    const events = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7'].flatMap((u) => s.unitMade('L1', 'screw', u, T0));
    expect(events).toEqual([expect.objectContaining({ type: 'overdue', units: ['U5', 'U6', 'U7'] })]);
    expect(s.unitMade('L2', 'screw', 'X', T0)).toEqual([]); // another line's station
    expect(s.done('every5', T0)).toMatchObject({ onTime: false });
    expect(s.status(T0)[0]).toMatchObject({ unitsSince: 0, due: false });
  });

  it('shift checks are due at each shift start (UTC) after they were last done', () => {
    expect(nextShiftStart(['06:00', '14:00', '22:00'], Date.UTC(2026, 10, 30, 5, 0))).toBe(Date.UTC(2026, 10, 30, 6, 0));
    expect(nextShiftStart(['06:00', '14:00', '22:00'], Date.UTC(2026, 10, 30, 23, 0))).toBe(Date.UTC(2026, 11, 1, 6, 0));
    const shift: CheckConfig = { ...base, id: 'shift', shiftStarts: ['06:00', '14:00'], graceMs: 15 * MIN };
    const s = new CheckSchedule([shift], T0);
    expect(s.tick(Date.UTC(2026, 10, 30, 6, 14))).toEqual([]);
    expect(s.tick(Date.UTC(2026, 10, 30, 6, 15))).toHaveLength(1);
  });

  it('only the lines asked for are ticked (each worker raises its own lines\' overdue checks)', () => {
    const s = new CheckSchedule([{ ...base, id: 'a', everyMs: MIN, graceMs: 0 }], T0);
    expect(s.tick(T0 + 2 * MIN, (line) => line !== 'L1')).toEqual([]);
    expect(s.tick(T0 + 2 * MIN)).toHaveLength(1);
  });
});

describe('rule files: checks', () => {
  const FILE = `version: 1
characteristics:
  - id: screw.torque
    match: { line: L1, station: screw, parameter: torque }
    chart: { type: i-mr }
    limits: { center: 1.2, sigma: 0.02 }
    rules: [nelson1]
    actions: { hold: [nelson1] }
checks:
  - id: torque-audit
    characteristic: screw.torque
    every: 60m
    sampleSize: 3
    gauge: TW-12 torque wrench
    instructions: Measure three screws of the latest board
    plausible: { min: 0.5, max: 2 }
`;
  it('resolves the place, defaults and grace', () => {
    const r = parseRuleFile(FILE, 'x.yaml');
    expect(r.ok && r.config.checks).toEqual([{ id: 'torque-audit', characteristic: 'screw.torque', line: 'L1', station: 'screw', parameter: 'torque', everyMs: 3_600_000, sampleSize: 3, gauge: 'TW-12 torque wrench', instructions: 'Measure three screws of the latest board', plausible: { min: 0.5, max: 2 }, graceMs: 360_000, graceUnits: 0, overdue: 'alarm' }]);
  });
  it('refuses two schedules, an unknown characteristic, and one its entries cannot reach', () => {
    const errors = (yaml: string) => { const r = parseRuleFile(yaml, 'x.yaml'); return r.ok ? [] : r.diagnostics.map(String); };
    expect(errors(FILE.replace('    every: 60m\n', '    every: 60m\n    everyUnits: 100\n'))).toEqual(['x.yaml:10:5 checks[0] needs exactly one schedule: every (a duration), everyUnits or shiftStarts (has every, everyUnits)']);
    expect(errors(FILE.replace('characteristic: screw.torque', 'characteristic: screw.tork'))[0]).toMatch(/checks\[0\]\.characteristic names no characteristic of this file \(screw\.torque\)/);
    expect(errors(FILE.replace('match: { line: L1, station: screw, parameter: torque }', 'match: { station: screw, parameter: torque }'))[0]).toMatch(/must fix line, station and parameter/);
  });
});
