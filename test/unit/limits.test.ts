import { describe, expect, it } from 'vitest';
import { recalculateLimits, SpcEngine, type CharacteristicConfig, type PointRecord, type Sample } from '../../src/core/index.js';
import { PISTON_RINGS } from '../fixtures/montgomery.js';

let seq = 0;
const sample = (value: number, extra: Partial<Sample> = {}): Sample => ({ ts: new Date(Date.UTC(2026, 10, 30) + ++seq * 1000).toISOString(), line: 'L1', station: 's', parameter: 'ring', value, unit: `U${seq}`, ...extra });

describe('recalculating limits from stored samples', () => {
  const xbar: CharacteristicConfig = { id: 'ring', match: { parameter: 'ring' }, chart: { type: 'xbar-r', subgroupSize: 5 }, limits: { phase1: 25 }, rules: ['we1'] };
  it('the piston rings\' first 25 subgroups give Montgomery\'s Example 6.3 limits (x̿ = 74.001, R̄ = 0.023)', () => {
    const samples = PISTON_RINGS.slice(0, 25).flat().map((v) => sample(v));
    const r = recalculateLimits(xbar, samples)!;
    expect(r.points).toBe(25);
    expect(r.center).toBeCloseTo(74.001, 3);
    expect(r.sigma * 2.326).toBeCloseTo(0.023, 3);
  });
  it('exclusions leave points out as the rule file\'s exclude does, and equal a Phase I run with it', () => {
    const samples = PISTON_RINGS.slice(0, 25).flat().map((v) => sample(v));
    const r = recalculateLimits(xbar, samples, [3, 7])!;
    const engine = new SpcEngine({ version: 1, characteristics: [{ ...xbar, limits: { phase1: 25, exclude: [3, 7] } }] });
    samples.forEach((s) => engine.process(s, () => {}));
    expect([r.center, r.sigma]).toEqual([engine.summaryOf('ring')!.center, engine.summaryOf('ring')!.sigma]);
    expect(r.excluded).toEqual([3, 7]);
    expect(recalculateLimits(xbar, samples.slice(0, 5))).toBeUndefined(); // one subgroup: too few
  });
});

describe('approved limits in the engine', () => {
  const imr: CharacteristicConfig = { id: 'bore', match: { parameter: 'bore' }, chart: { type: 'i-mr' }, limits: { phase1: 5 }, rules: ['nelson1'] };
  it('take effect from the next point, end a Phase I still collecting, and survive a snapshot', () => {
    const engine = new SpcEngine({ version: 1, characteristics: [imr] });
    const points: PointRecord[] = [];
    const feed = (e: SpcEngine, v: number) => e.process(sample(v, { parameter: 'bore' }), (p) => points.push(p));
    for (const v of [10, 10.1, 9.9]) feed(engine, v); // Phase I: 3 of 5
    expect(engine.applyLimits('bore', undefined, { center: 20, sigma: 0.5 }, 2)).toBe(true);
    feed(engine, 20.2);
    expect(points.at(-1)).toMatchObject({ phase: 'II', center: 20, ucl: 21.5 });
    expect(engine.summaryOf('bore')).toMatchObject({ center: 20, sigma: 0.5, limitsVersion: 2 });
    const restored = new SpcEngine({ version: 1, characteristics: [imr] });
    restored.restoreStates(JSON.parse(JSON.stringify(engine.saveStates())));
    feed(restored, 19.9);
    expect(points.at(-1)).toMatchObject({ center: 20, ucl: 21.5 });
    expect(restored.summaryOf('bore')!.limitsVersion).toBe(2);
    expect(engine.applyLimits('nope', undefined, { center: 1, sigma: 1 }, 2)).toBe(false);
  });
});
