import { describe, expect, it } from 'vitest';
import { SpcEngine, type CharacteristicConfig, type PointRecord } from '../../src/core/index.js';
import { ORANGE_JUICE_NONCONFORMING, PISTON_RINGS } from '../fixtures/montgomery.js';
import { parseRuleFile } from '../../src/rules-file/load.js';

// Montgomery's revision of trial limits (Introduction to SQC, Example 7.1, orange-juice cans,
// n = 50): the trial limits from the first 30 samples (p̄ = 0.2313, UCL 0.4102) have samples 15
// (p = 0.44) and 23 (0.48) above the UCL; without them the revised limits are p̄ = 0.2150,
// UCL = 0.3893, LCL = 0.0407 (printed there).
function run(limits: CharacteristicConfig['limits'], samples: number) {
  const engine = new SpcEngine({ version: 1, characteristics: [{ id: 'oj', match: { parameter: 'oj' }, chart: { type: 'p' }, limits, rules: ['we1'], actions: { hold: ['we1'] } }] });
  const points: PointRecord[] = [];
  ORANGE_JUICE_NONCONFORMING.slice(0, samples).forEach((d, i) => engine.process({ ts: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString(), line: 'L1', station: 's', parameter: 'oj', value: d, n: 50, unit: `C${i + 1}` }, (p) => points.push(p)));
  return { points, summary: engine.summaryOf('oj')!, engine };
}

describe('Montgomery\'s revision of Phase I limits (limits.revise)', () => {
  it('one round reproduces Example 7.1: samples 15 and 23 dropped, p̄ = 0.2150, UCL 0.3893, LCL 0.0407', () => {
    const { points, summary } = run({ phase1: 30, revise: 1 }, 30);
    expect(summary.center).toBeCloseTo(0.2150, 4);
    expect(points[0].ucl).toBeCloseTo(0.3893, 4);
    expect(points[0].lcl).toBeCloseTo(0.0407, 4);
    expect(summary.phase1Review).toMatchObject({ points: 30, revised: { rounds: 1, dropped: [15, 23] } });
    // The review still reports every Phase I point beyond the final limits (21 at 0.40, 15, 23).
    expect(summary.phase1Review!.flagged).toEqual([15, 21, 23]);
    expect(points.every((p) => p.actions.length === 0)).toBe(true);
  });
  it('until none is beyond: sample 21 (0.40 > 0.3893) goes in round 2, then p̄ = 281/1350', () => {
    // Round 2 by hand from Montgomery's data: 347 − 22 − 24 − 20 = 281 nonconforming in 27 × 50;
    // UCL = 0.20815 + 3√(0.20815 · 0.79185 / 50) = 0.3804, and no remaining sample exceeds it
    // (the largest left is 0.36).
    const { points, summary } = run({ phase1: 30, revise: true }, 30);
    expect(summary.phase1Review!.revised).toEqual({ rounds: 2, dropped: [15, 23, 21] });
    expect(summary.center).toBeCloseTo(281 / 1350, 10);
    expect(points[0].ucl).toBeCloseTo(0.3804, 4);
  });
  it('exclusions of the rule file are kept out before revising (the same as Example 7.1\'s "exclude: [15, 23]")', () => {
    const { summary } = run({ phase1: 30, exclude: [15, 23], revise: 1 }, 30);
    expect(summary.phase1Review!.revised).toEqual({ rounds: 1, dropped: [21] });
    expect(summary.center).toBeCloseTo(281 / 1350, 10);
  });
  it('an in-control Phase I is left as it is (Example 6.3, piston rings: nothing beyond the X̄ or R limits)', () => {
    const engine = new SpcEngine({ version: 1, characteristics: [{ id: 'ring', match: { parameter: 'd' }, chart: { type: 'xbar-r', subgroupSize: 5 }, limits: { phase1: 25, revise: true }, rules: ['we1'] }] });
    const points: PointRecord[] = [];
    let k = 0;
    for (const g of PISTON_RINGS.slice(0, 25)) for (const x of g) engine.process({ ts: new Date(Date.UTC(2026, 11, 1, 0, 0, k++)).toISOString(), line: 'L1', station: 's', parameter: 'd', value: x, unit: `R${k}` }, (p) => points.push(p));
    const s = engine.summaryOf('ring')!;
    expect(s.phase1Review!.revised).toEqual({ rounds: 0, dropped: [] });
    expect(points[0].ucl).toBeCloseTo(74.014, 3);
    expect(points[0].lcl).toBeCloseTo(73.988, 3);
  });
  it('stops rather than drop half the window, and says why', () => {
    const engine = new SpcEngine({ version: 1, characteristics: [{ id: 'x', match: { parameter: 'x' }, chart: { type: 'i-mr' }, limits: { phase1: 10, revise: true }, rules: ['we1'] }] });
    // A level shift halfway: each round drops the far end, until half would go.
    [0, 0.1, -0.1, 0.05, 0, 10, 10.1, 9.9, 10.05, 10].forEach((v, i) => engine.process({ ts: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString(), line: 'L1', station: 's', parameter: 'x', value: v, unit: `U${i}` }, () => {}));
    const r = engine.summaryOf('x')!.phase1Review!.revised!;
    expect(r.dropped.length).toBeLessThanOrEqual(5);
    expect(r.stopped ?? '').toMatch(/do not describe a stable process/);
  });
  it('survives a snapshot, and the rule file refuses revise without phase1', () => {
    const { engine } = run({ phase1: 30, revise: 1 }, 30);
    const snap = JSON.parse(JSON.stringify(engine.saveStates()));
    const copy = new SpcEngine({ version: 1, characteristics: [{ id: 'oj', match: { parameter: 'oj' }, chart: { type: 'p' }, limits: { phase1: 30, revise: 1 }, rules: ['we1'], actions: { hold: ['we1'] } }] });
    copy.restoreStates(snap);
    expect(copy.summaryOf('oj')!.phase1Review!.revised).toEqual({ rounds: 1, dropped: [15, 23] });
    const bad = parseRuleFile('version: 1\ncharacteristics:\n  - { id: a, match: { parameter: a }, chart: { type: c }, limits: { center: 4, revise: true }, rules: [we1] }\n', 'r.yaml');
    expect(bad.ok ? [] : bad.diagnostics.map((d) => d.message)).toContain('revise only applies with phase1 (it revises trial limits estimated from Phase I)');
  });
});

describe('the Phase I review leaves the worker with the lock', () => {
  it('the lock\'s limits signal and its InfluxDB line carry the review: flagged points, what the revision dropped, the exclusions', async () => {
    const { Pipeline, collectEffects } = await import('../../src/service/pipeline.js');
    const { influxLineEncoder } = await import('../../src/adapters/influx/line-protocol.js');
    const rules = { version: 1 as const, characteristics: [{ id: 'oj', match: { parameter: 'oj' }, chart: { type: 'p' as const }, limits: { phase1: 30, revise: 1 }, rules: ['we1' as const], actions: { hold: ['we1' as const] } }] };
    const p = new Pipeline({ rules, encoder: influxLineEncoder, source: 'test' });
    const e = collectEffects();
    ORANGE_JUICE_NONCONFORMING.slice(0, 30).forEach((d, i) => p.process({ data: new TextEncoder().encode(JSON.stringify({ ts: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString(), line: 'L1', station: 's', parameter: 'oj', value: d, n: 50, unit: `C${i + 1}` })), subject: 'spc.samples.L1.s.oj', seq: i + 1, storedAtMs: 0, line: 'L1', ack: () => {} }, e.sink, false));
    const limits = e.signals.filter((s) => s.type === 'limits');
    expect(limits).toEqual([expect.objectContaining({ kind: 'phase1', excluded: [15, 23], review: { points: 30, flagged: [15, 21, 23], revised: { rounds: 1, dropped: [15, 23] } } })]);
    expect(e.signals.filter((s) => s.type === 'hold')).toEqual([]); // Phase I raises nothing live
    const line = e.lines.find((l) => l.startsWith('spc_limits'))!;
    expect(line).toContain('phase1_flagged=3i');
    expect(line).toContain('phase1_flagged_points="15 21 23"');
    expect(line).toContain('phase1_dropped=2i');
  });
});

it('a Z-MR chart with estimated σ per product revises without losing its per-product estimates', () => {
  const engine = new SpcEngine({ version: 1, characteristics: [{ id: 'z', match: { parameter: 'z' }, chart: { type: 'zmr' }, limits: { phase1: 20, revise: true }, rules: ['we1'], products: { A: { spec: { target: 10 } }, B: { spec: { target: 20 } } } }] });
  const points: PointRecord[] = [];
  for (let i = 0; i < 24; i++) {
    const product = i % 2 ? 'B' : 'A';
    const value = (product === 'A' ? 10 : 20) + (i === 7 ? 9 : 0.1 * Math.sin(i * 1.7));
    engine.process({ ts: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString(), line: 'L1', station: 's', parameter: 'z', value, unit: `U${i}`, product }, (p) => points.push(p));
  }
  expect(points.length).toBeGreaterThan(20);
  expect(engine.summaryOf('z')!.phase1Review!.revised!.dropped).toContain(8);
});
