import { describe, expect, it } from 'vitest';
import { FAIL_SAFE_REASON, PlcOutputs } from '../../src/core/signals/plc-outputs.js';

describe('PLC outputs from the signals', () => {
  const map = [{ line: 'L1', station: 'reflow', hold: 'ns=1;s=Reflow.Hold', reason: 'ns=1;s=Reflow.Reason', units: 'ns=1;s=Reflow.Units' }, { line: 'L1', hold: 'ns=1;s=L1.Hold' }];
  const hold = (id: string, station: string, unitCount: number, rule = 'nelson1') => ({ id, line: 'L1', station, rule, unitCount });

  it('a hold sets its station\'s bit, reason and unit count, and the line\'s bit; only changes are written', () => {
    const plc = new PlcOutputs(map);
    expect(plc.snapshot([])).toEqual([
      { target: 'ns=1;s=Reflow.Hold', value: false }, { target: 'ns=1;s=Reflow.Reason', value: '' }, { target: 'ns=1;s=Reflow.Units', value: 0 }, { target: 'ns=1;s=L1.Hold', value: false },
    ]);
    expect(plc.hold(hold('r#1', 'reflow', 3))).toEqual([
      { target: 'ns=1;s=Reflow.Hold', value: true }, { target: 'ns=1;s=Reflow.Reason', value: 'nelson1' }, { target: 'ns=1;s=Reflow.Units', value: 3 }, { target: 'ns=1;s=L1.Hold', value: true },
    ]);
    expect(plc.hold(hold('r#1', 'reflow', 5))).toEqual([{ target: 'ns=1;s=Reflow.Units', value: 5 }]);
    // Another station's hold drives the line's bit only (already set): nothing to write.
    expect(plc.hold(hold('s#4', 'screw', 1, 'we1'))).toEqual([]);
    expect(plc.release('r#1')).toEqual([{ target: 'ns=1;s=Reflow.Hold', value: false }, { target: 'ns=1;s=Reflow.Reason', value: '' }, { target: 'ns=1;s=Reflow.Units', value: 0 }]);
    expect(plc.release('s#4')).toEqual([{ target: 'ns=1;s=L1.Hold', value: false }]);
  });

  it('silence or an unhealthy worker: every bit to its fail-safe value until the worker is healthy again; a snapshot alone does not lift it', () => {
    const plc = new PlcOutputs(map);
    plc.snapshot([]);
    expect(plc.enterFailSafe()).toEqual([{ target: 'ns=1;s=Reflow.Hold', value: true }, { target: 'ns=1;s=Reflow.Reason', value: FAIL_SAFE_REASON }, { target: 'ns=1;s=L1.Hold', value: true }]);
    expect(plc.inFailSafe).toBe(true);
    expect(plc.snapshot([])).toEqual([]); // a reconnect's snapshot, from a worker that may still be restoring the line
    expect(plc.inFailSafe).toBe(true);
    expect(plc.resume()).toEqual([{ target: 'ns=1;s=Reflow.Hold', value: false }, { target: 'ns=1;s=Reflow.Reason', value: '' }, { target: 'ns=1;s=L1.Hold', value: false }]);
    expect(plc.all()).toHaveLength(4); // after the PLC reconnects: everything again
  });
});
