import { describe, expect, it } from 'vitest';
import { OpcUaUnitAssembler } from '../../src/core/opcua/unit-assembler.js';

const station = { line: 'L1', station: 'screw', unit: 'Serial', lot: 'Lot', parameters: { Torque: 'torque', Angle: 'angle' } };

describe('OPC UA values to a unit\'s samples', () => {
  it('a part-done bit\'s rising edge closes the unit named now, with the values that changed since the last one', () => {
    const a = new OpcUaUnitAssembler({ ...station, trigger: 'Done' });
    a.change('Done', false, 0);
    a.change('Serial', 'SN-1', 1); a.change('Lot', 'LOT-7', 1); a.change('Torque', 1.21, 2); a.change('Angle', 30, 2);
    expect(a.change('Done', true, 3)).toEqual({ samples: [
      { ts: new Date(3).toISOString(), line: 'L1', station: 'screw', parameter: 'torque', value: 1.21, unit: 'SN-1', lot: 'LOT-7' },
      { ts: new Date(3).toISOString(), line: 'L1', station: 'screw', parameter: 'angle', value: 30, unit: 'SN-1', lot: 'LOT-7' },
    ] });
    expect(a.change('Done', true, 4)).toBeUndefined(); // still high: no edge
    a.change('Done', false, 5); a.change('Serial', 'SN-2', 6); a.change('Torque', 1.19, 7);
    expect(a.change('Done', true, 8)!.samples.map((s) => [s.unit, s.parameter, s.value])).toEqual([['SN-2', 'torque', 1.19]]); // angle not renewed: not charted twice
  });
  it('a serial-number trigger closes the unit it named before the change', () => {
    const a = new OpcUaUnitAssembler({ ...station, trigger: 'Serial' });
    a.change('Serial', 'SN-1', 0); a.change('Torque', 1.2, 1);
    expect(a.change('Serial', 'SN-2', 2)!.samples.map((s) => [s.unit, s.value])).toEqual([['SN-1', 1.2]]);
  });
  it('values closed without a unit ID are counted, never given a guessed unit', () => {
    const a = new OpcUaUnitAssembler({ ...station, trigger: 'Done' });
    a.change('Torque', 1.2, 1); a.change('Angle', 31, 1);
    expect(a.change('Done', true, 2)).toEqual({ samples: [], noUnit: 2 });
    expect(a.nodes()).toEqual(['Done', 'Serial', 'Lot', 'Torque', 'Angle']);
  });
});
