import { describe, expect, it } from 'vitest';
import { HoldBook, SpcEngine, type CharacteristicConfig, type PointRecord, type Sample } from '../../src/core/index.js';
import { LOAN_COSTS, PISTON_RINGS } from '../fixtures/montgomery.js';

let seq = 0;
const sample = (value: number, extra: Partial<Sample> = {}): Sample => ({
  ts: new Date(Date.UTC(2026, 0, 1) + ++seq * 1000).toISOString(), line: 'L1', station: 'S1', parameter: 'p', value, unit: `U${seq}`, ...extra,
});

function run(c: Partial<CharacteristicConfig>, samples: Sample[]) {
  const engine = new SpcEngine({ version: 1, characteristics: [{ id: 'c1', match: { parameter: 'p' }, chart: { type: 'i-mr' }, limits: { phase1: 20 }, rules: ['we1'], ...c }] });
  const points: PointRecord[] = [];
  const outcomes = samples.map((s) => engine.process(s, (p) => points.push(p)));
  return { engine, points, outcomes, summary: engine.summaries()[0] };
}

describe('engine: Phase I then locked Phase II', () => {
  it('emits nothing until Phase I is complete, then every Phase I point in order with the locked limits', () => {
    const samples = LOAN_COSTS.map((v) => sample(v));
    const first = run({}, samples.slice(0, 19));
    expect(first.points).toHaveLength(0);
    expect(first.summary.phase1).toEqual({ needed: 20, collected: 19 });
    expect(first.summary.center).toBeNull();

    const shifted = sample(330);
    const all = run({}, [...samples, shifted, sample(300)]);
    expect(all.points.map((p) => p.index)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(all.points.slice(0, 20).every((p) => p.phase === 'I')).toBe(true);
    expect(all.points[20]).toMatchObject({ phase: 'II', statistic: 330, violations: ['we1'], units: [shifted.unit] });
    expect(all.points[0].ucl).toBeCloseTo(321.22, 2); // Montgomery Example 6.5
    expect(all.points[21].ucl).toBe(all.points[0].ucl); // locked
  });

  it('exclude leaves assignable-cause points out of the estimate but still plots them', () => {
    const samples = [...LOAN_COSTS.map((v) => sample(v)), sample(302)];
    const base = run({}, samples).summary;
    const revised = run({ limits: { phase1: 20, exclude: [15] } }, samples);
    expect(revised.points).toHaveLength(21);
    const kept = LOAN_COSTS.filter((_, i) => i !== 14);
    expect(revised.summary.center).toBeCloseTo(kept.reduce((a, b) => a + b, 0) / kept.length, 10);
    expect(revised.summary.center).not.toBeCloseTo(base.center!, 3);
  });

  it('fixed limits plot from the first sample as Phase II', () => {
    const r = run({ limits: { center: 300, sigma: 5 } }, [sample(300), sample(316)]);
    expect(r.points.map((p) => [p.phase, p.ucl, p.violations])).toEqual([['II', 315, []], ['II', 315, ['we1']]]);
  });
});

describe('engine: subgroups', () => {
  const xbar = { chart: { type: 'xbar-r' as const, subgroupSize: 5 }, limits: { phase1: 25 } };
  it('groups consecutive samples; a trailing incomplete subgroup is pending', () => {
    const samples = PISTON_RINGS.flat().map((v) => sample(v, { lot: `LOT${Math.floor(seq / 60)}` }));
    const r = run(xbar, [...samples, sample(74), sample(74.01)]);
    expect(r.points).toHaveLength(40);
    expect(r.summary.pendingSamples).toBe(2);
    expect(r.points[0].units).toEqual(samples.slice(0, 5).map((s) => s.unit));
    expect(r.points[0].lots.length).toBeGreaterThanOrEqual(1);
    expect(r.points.filter((p) => p.violations.includes('we1')).map((p) => p.index)).toEqual([37, 38, 39]);
  });
  it('groups by subgroup id; a new id closes the open subgroup early', () => {
    const fixed = { chart: { type: 'xbar-s' as const, subgroupSize: 3 }, limits: { center: 10, sigma: 1 } };
    const r = run(fixed, [
      sample(9, { subgroup: 'a' }), sample(10, { subgroup: 'a' }), sample(11, { subgroup: 'a' }),
      sample(10, { subgroup: 'b' }), sample(12, { subgroup: 'b' }), // closed early by c, n = 2
      sample(10, { subgroup: 'c' }), // closed by d with one sample: dropped
      sample(10, { subgroup: 'd' }),
    ]);
    expect(r.points.map((p) => [p.statistic, p.sd])).toEqual([[10, 1], [11, Math.SQRT2]]);
    expect(r.points[1].ucl).toBeCloseTo(10 + 3 / Math.SQRT2, 12); // own n = 2
    expect(r.summary.droppedSamples).toBe(1);
    expect(r.summary.pendingSamples).toBe(1);
  });
});

describe('engine: routing, rejections, actions', () => {
  it('routes by every given match key and counts unmatched samples', () => {
    const engine = new SpcEngine({ version: 1, characteristics: [
      { id: 'a', match: { line: 'L1', parameter: 'p' }, chart: { type: 'i-mr' }, limits: { center: 0, sigma: 1 }, rules: ['we1'] },
      { id: 'b', match: { parameter: 'p' }, chart: { type: 'ewma' }, limits: { center: 0, sigma: 1 }, rules: ['we1'] },
    ] });
    const got: string[] = [];
    engine.process(sample(1, { line: 'L1' }), (p) => got.push(p.characteristic));
    engine.process(sample(1, { line: 'L2' }), (p) => got.push(p.characteristic));
    engine.process(sample(1, { parameter: 'q' }), (p) => got.push(p.characteristic));
    expect(got).toEqual(['a', 'b', 'b']);
    expect(engine.counters).toEqual({ samples: 3, unmatched: 1, rejected: 0 });
  });
  it('rejects attribute samples without n, or with more nonconforming than inspected', () => {
    const r = run({ chart: { type: 'p' }, limits: { center: 0.1 } }, [sample(3), sample(60, { n: 50 }), sample(3, { n: 50 })]);
    expect(r.outcomes[0].rejected).toMatch(/n \(sample size > 0\) is required for a p chart/);
    expect(r.outcomes[1].rejected).toMatch(/exceeds n/);
    expect(r.outcomes[2]).toEqual({ matched: 1 });
    expect(r.engine.counters.rejected).toBe(2);
  });
  it('maps violated rules to actions and counts them', () => {
    const r = run({ limits: { center: 0, sigma: 1 }, rules: ['we1', 'we2'], actions: { hold: ['we1'], alarm: ['we2'] } }, [sample(2.5), sample(3.5), sample(0)]);
    expect(r.points.map((p) => p.actions)).toEqual([[], ['hold', 'alarm'], []]);
    expect(r.summary.actions).toEqual({ hold: 1, alarm: 1 });
    expect(r.summary.violations).toEqual({ we1: 1, we2: 1 });
  });
  it('CUSUM points carry C⁺ and C⁻ with ucl = h and center 0', () => {
    const r = run({ chart: { type: 'cusum', k: 0.5, h: 4 }, limits: { center: 10, sigma: 1 } }, [sample(12), sample(12)]);
    expect(r.points.map((p) => [p.cplus, p.cminus, p.statistic, p.center, p.ucl])).toEqual([[1.5, 0, 1.5, 0, 4], [3, 0, 3, 0, 4]]);
  });
});

describe('engine: capability from Phase I', () => {
  it('Cp/Cpk with the chart σ, Pp/Ppk with the overall sample standard deviation', () => {
    const r = run({ spec: { lsl: 270, usl: 330 } }, LOAN_COSTS.map((v) => sample(v)));
    const mean = 300.5, within = (148 / 19) / 1.128;
    const overall = Math.sqrt(LOAN_COSTS.reduce((a, v) => a + (v - mean) ** 2, 0) / 19);
    expect(r.summary.capability!.cp).toBeCloseTo(60 / (6 * within), 10);
    expect(r.summary.capability!.cpk).toBeCloseTo((330 - mean) / (3 * within), 10);
    expect(r.summary.capability!.pp).toBeCloseTo(60 / (6 * overall), 10);
    expect(r.summary.capability!.ppk).toBeCloseTo((330 - mean) / (3 * overall), 10);
  });
});

describe('engine: suspects of a run', () => {
  it('a nelson2 point spans the 9 points of its run; a we1 point only itself', () => {
    const r = run({ limits: { center: 0, sigma: 1 }, rules: ['we1', 'nelson2'], actions: { hold: ['we1', 'nelson2'] }, containment: { from: 'signal' } },
      [sample(-0.5), ...Array.from({ length: 9 }, () => sample(0.5)), sample(4)]);
    expect(r.points[9]).toMatchObject({ violations: ['nelson2'], runLength: 9 });
    expect(r.points[10]).toMatchObject({ violations: ['we1', 'nelson2'], runLength: 9 }); // the longer pattern decides
    const alone = run({ limits: { center: 0, sigma: 1 }, rules: ['we1'], actions: { hold: ['we1'] } }, [sample(0), sample(4)]);
    expect(alone.points[1].runLength).toBeUndefined();
    // With containment from the signal, the hold book names the units of those 9 points.
    const book = new HoldBook();
    const signals = r.points.slice(0, 10).flatMap((p) => book.apply(p, { line: 'L1', station: 'S1' }));
    expect(signals).toEqual([expect.objectContaining({ type: 'hold', units: r.points.slice(1, 10).map((p) => p.units[0]) })]);
  });
});

describe('engine: hot reload', () => {
  it('keeps the state of unchanged characteristics and restarts changed ones', () => {
    const config = (id: string, center: number): CharacteristicConfig => ({ id, match: { parameter: id }, chart: { type: 'i-mr' }, limits: { phase1: 5 }, rules: ['we1'], ...(center ? { spec: { usl: center } } : {}) });
    const engine = new SpcEngine({ version: 1, characteristics: [config('a', 0), config('b', 0)] });
    const feed = (parameter: string, n: number) => { for (let i = 0; i < n; i++) engine.process(sample(i % 2, { parameter }), () => {}); };
    feed('a', 3); feed('b', 3);
    const r = engine.reload({ version: 1, characteristics: [config('a', 0), config('b', 10), config('c', 0)] });
    expect(r).toEqual({ kept: ['a'], started: ['b', 'c'], removed: [] });
    feed('a', 2); feed('b', 2);
    const [a, b] = engine.summaries();
    expect(a.points).toBe(5);            // 3 + 2 samples: Phase I completed across the reload
    expect(b.phase1).toEqual({ needed: 5, collected: 2 }); // started afresh
    expect(engine.reload({ version: 1, characteristics: [config('a', 0)] }).removed).toEqual(['b', 'c']);
  });
});

describe('routing under a flood of unknown keys', () => {
  it('keeps its caches bounded and still routes known samples', async () => {
    const { MAX_UNMATCHED_ROUTES } = await import('../../src/core/engine/engine.js');
    const engine = new SpcEngine({ version: 1, characteristics: [{ id: 'a', match: { line: 'L1', station: 's', parameter: 'p' }, chart: { type: 'i-mr' }, limits: { phase1: 5 }, rules: ['nelson1'] }] });
    const known = (k: number) => ({ ts: '2026-11-25T06:00:00Z', line: 'L1', station: 's', parameter: 'p', value: k % 2, unit: `U${k}` });
    let points = 0;
    for (let k = 0; k < 100_000; k++) {
      expect(engine.process({ ...known(k), station: `x${k}` }, () => {}).matched).toBe(0);
      if (k % 1000 === 0) expect(engine.process(known(k), () => { points++; }).matched).toBe(1);
    }
    expect(points).toBe(100);
    expect(engine.cachedRoutes.unmatched).toBeLessThanOrEqual(MAX_UNMATCHED_ROUTES);
    expect(engine.cachedRoutes.matched).toBe(1);
  });
});
