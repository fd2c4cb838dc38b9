import { describe, expect, it } from 'vitest';
import { HoldBook, SpcEngine, type CharacteristicConfig, type PointRecord, type Sample } from '../../src/core/index.js';
import { SeededRandom } from '../../src/sim/random.js';

const base: CharacteristicConfig = { id: 'bore', match: { parameter: 'bore' }, chart: { type: 'i-mr' }, limits: { phase1: 20 }, rules: ['nelson1', 'nelson2'], actions: { hold: ['nelson1'], alarm: ['nelson2'] } };
let seq = 0;
const sample = (value: number, extra: Partial<Sample>): Sample => ({ ts: new Date(Date.UTC(2026, 10, 30) + ++seq * 1000).toISOString(), line: 'L1', station: 'S1', parameter: 'bore', value, unit: `U${seq}`, ...extra });
function run(c: CharacteristicConfig, samples: Sample[]) {
  const engine = new SpcEngine({ version: 1, characteristics: [c] });
  const points: PointRecord[] = [];
  const outcomes = samples.map((s) => engine.process(s, (p) => points.push(p)));
  return { engine, points, outcomes };
}
/** A point without the fields that name where it came from (its split, and the seq numbering points across splits): what the chart itself computed. */
const chartOf = (p: PointRecord) => { const { split: _s, seq: _q, ...rest } = p; return JSON.parse(JSON.stringify(rest)); };

describe('by: [product] — one chart per product', () => {
  // Two products with different nominals (10 and 25) interleaved in batches of 7, as a changeover line runs them.
  const rng = new SeededRandom(3);
  const samples: Sample[] = [];
  for (let i = 0; i < 140; i++) { const product = Math.floor(i / 7) % 2 ? 'P-200' : 'P-100'; samples.push(sample((product === 'P-100' ? 10 : 25) + 0.1 * rng.normal(), { product })); }

  it('each product reproduces exactly the points and limits of its samples run alone', () => {
    const split = run({ ...base, by: ['product'] }, samples);
    for (const product of ['P-100', 'P-200']) {
      const alone = run(base, samples.filter((s) => s.product === product));
      const mine = split.points.filter((p) => p.split?.product === product);
      expect(mine.length).toBe(70);
      expect(mine.map(chartOf)).toEqual(alone.points.map(chartOf));
      expect(mine.every((p) => p.characteristic === 'bore' && JSON.stringify(p.split) === JSON.stringify({ product }))).toBe(true);
    }
    // One summary per split, with its own center.
    expect(split.engine.summaries().map((s) => [s.split, Math.round(s.center!)])).toEqual([[{ product: 'P-100' }, 10], [{ product: 'P-200' }, 25]]);
    expect(Math.round(split.engine.summaryOf('bore', { product: 'P-200' })!.center!)).toBe(25); // the split's own (capability at its lock)
    // Without the split, the changeover floods the chart: the same samples on one chart violate at once.
    expect(run(base, samples).points.filter((p) => p.violations.length).length).toBeGreaterThan(20);
  });

  it('a snapshot keeps every split; a sample without the split key, or past maxSplits, is refused with its reason', () => {
    const a = run({ ...base, by: ['product'] }, samples.slice(0, 100));
    const b = new SpcEngine({ version: 1, characteristics: [{ ...base, by: ['product'] }] });
    b.restoreStates(JSON.parse(JSON.stringify(a.engine.saveStates())));
    const rest: PointRecord[] = [], restAlone: PointRecord[] = [];
    for (const s of samples.slice(100)) { b.process(s, (p) => rest.push(p)); a.engine.process(s, (p) => restAlone.push(p)); }
    expect(rest.map(chartOf)).toEqual(restAlone.map(chartOf));

    expect(run({ ...base, by: ['product'] }, [sample(1, {})]).outcomes[0]).toEqual({ matched: 0, rejected: 'product is required by characteristic bore (by: [product])' });
    const capped = run({ ...base, by: ['product'], maxSplits: 2 }, [sample(1, { product: 'A' }), sample(1, { product: 'B' }), sample(1, { product: 'C' }), sample(1, { product: 'A' })]);
    expect(capped.outcomes.map((o) => o.rejected === undefined ? 'ok' : o.reason)).toEqual(['ok', 'ok', 'too-many-splits', 'ok']);
  });

  it('products: a product\'s own limits', () => {
    const r = run({ ...base, by: ['product'], limits: { center: 10, sigma: 0.1 }, products: { 'P-200': { limits: { center: 25, sigma: 0.1 } } } }, samples.slice(0, 14));
    expect(r.points.find((p) => p.split?.product === 'P-200')).toMatchObject({ center: 25, violations: [] });
    expect(r.points.find((p) => p.split?.product === 'P-100')).toMatchObject({ center: 10 });
  });
});

describe('by: [cavity] — a drifting cavity is held with its split named, the other never', () => {
  it('holds cavity 2 only; the hold id names the split; a release of it leaves cavity 1 alone', () => {
    const book = new HoldBook();
    const engine = new SpcEngine({ version: 1, characteristics: [{ ...base, by: ['cavity'], limits: { center: 10, sigma: 0.1 } }] });
    const signals: ReturnType<HoldBook['apply']> = [];
    for (let i = 0; i < 200; i++) {
      for (const cavity of ['1', '2']) {
        // Noise within ±1σ (no false alarm by construction); cavity 2 wears from shot 100: +0.4σ per 10 shots.
        const drift = cavity === '2' && i >= 100 ? 0.004 * (i - 100) : 0;
        engine.process(sample(10 + drift + 0.1 * Math.sin(i * 2.1), { attributes: { cavity } }), (p) => signals.push(...book.apply(p, { line: 'L1', station: 'S1' })));
      }
    }
    const holds = signals.filter((s) => s.type === 'hold' && s.rev === 1);
    expect(holds.length).toBe(1);
    expect(holds[0]).toMatchObject({ characteristic: 'bore', split: { cavity: '2' } });
    expect(holds[0].id).toMatch(/^bore\[cavity=2\]#\d+$/);
    expect(book.activeHolds().map((h) => h.id)).toEqual([holds[0].id]);
    const release = book.release(holds[0].id, 'qm', 'insert replaced', 'x')!;
    expect(release).toMatchObject({ characteristic: 'bore', split: { cavity: '2' } });
    engine.released(release.characteristic, release.split);
    expect(book.activeHolds()).toEqual([]);
  });
});

it('match: product and attributes select samples', () => {
  const r = run({ ...base, match: { parameter: 'bore', product: 'P-100', attributes: { cavity: '1' } }, limits: { center: 10, sigma: 1 } },
    [sample(10, { product: 'P-100', attributes: { cavity: '1' } }), sample(10, { product: 'P-100', attributes: { cavity: '2' } }), sample(10, { product: 'P-200', attributes: { cavity: '1' } }), sample(10, {})]);
  expect(r.outcomes.map((o) => o.matched)).toEqual([1, 0, 0, 0]);
});
