import { expect, it } from 'vitest';
import { UnitAssembler } from '../../src/anomaly/unit-assembler.js';

const sample = (unit: string, parameter: string, value = 1) => ({ ts: '2026-11-25T06:00:00.000Z', line: 'L1', station: 'st', parameter, value, unit, lot: `LOT-${unit}` });

it('gives up units past their wait, oldest first, naming the features each lacked', () => {
  const a = new UnitAssembler(['st.a', 'st.b', 'st.c'], 1000);
  a.add(sample('U1', 'a'), 0);
  a.add(sample('U2', 'b'), 500);
  a.add(sample('U2', 'c'), 600);
  expect(a.add(sample('U3', 'a'), 700)).toBeUndefined();
  expect(a.expire(999)).toEqual([]);
  expect(a.expire(1500)).toEqual([
    { unit: 'U1', lots: ['LOT-U1'], line: 'L1', station: 'st', missing: ['st.b', 'st.c'], deadline: 1000 },
    { unit: 'U2', lots: ['LOT-U2'], line: 'L1', station: 'st', missing: ['st.a'], deadline: 1500 },
  ]);
  expect(a.expire(1600)).toEqual([]); // each unit is given up once
  expect(a.waiting).toBe(1);
  expect(a.incomplete).toBe(2);
});

it('a unit pushed out by the bound on open units is given up too, at the next expire (it was only counted)', () => {
  const a = new UnitAssembler(['st.a', 'st.b'], 60_000);
  for (let i = 0; i <= 100_000; i++) a.add(sample(`U${i}`, 'a'), 0);
  expect(a.waiting).toBe(100_000);
  expect(a.expire(0)).toEqual([{ unit: 'U0', lots: ['LOT-U0'], line: 'L1', station: 'st', missing: ['st.b'], deadline: 60_000 }]);
  expect(a.expire(0)).toEqual([]);
});
