import { describe, expect, it } from 'vitest';
import { capabilityIndices } from '../../src/core/capability.js';

describe('capability indices', () => {
  it('Montgomery §8.3.3 (Fig. 8.8): USL 62, LSL 38, μ = 53, σ = 2 → Cp 2.0, Cpu 1.5, Cpl 2.5, Cpk 1.5', () => {
    const c = capabilityIndices({ lsl: 38, usl: 62 }, 53, 2, 2);
    expect(c.cp).toBeCloseTo(2, 12);
    expect(c.cpu).toBeCloseTo(1.5, 12);
    expect(c.cpl).toBeCloseTo(2.5, 12);
    expect(c.cpk).toBeCloseTo(1.5, 12);
    expect(c.ppk).toBeCloseTo(1.5, 12);
  });
  it('Montgomery §6.2 hard-bake process flow width: LSL 1.00, USL 2.00, σ = 0.1398 → Cp = 1.192', () => {
    expect(capabilityIndices({ lsl: 1, usl: 2 }, 1.5056, 0.1398, 0.15).cp).toBeCloseTo(1.192, 3);
  });
  it('a one-sided spec gives only the indices that exist', () => {
    const upper = capabilityIndices({ usl: 62 }, 53, 2, 3);
    expect(upper).toEqual({ cpu: 1.5, cpk: 1.5, ppu: 1, ppk: 1 });
    const lower = capabilityIndices({ lsl: 38 }, 53, 2, 3);
    expect(Object.keys(lower).sort()).toEqual(['cpk', 'cpl', 'ppk', 'ppl']);
  });
  it('no overall σ (a single Phase I value) means no Pp', () => {
    expect(capabilityIndices({ lsl: 38, usl: 62 }, 53, 2, NaN)).toEqual({ cp: 2, cpu: 1.5, cpl: 2.5, cpk: 1.5 });
  });
});
