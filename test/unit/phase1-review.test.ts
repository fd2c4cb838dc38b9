import { expect, it } from 'vitest';
import { HoldBook, SpcEngine, type PointRecord } from '../../src/core/index.js';

it('Phase I is a review: its violations are reported and raise no hold; Phase II violations hold', () => {
  const engine = new SpcEngine({ version: 1, characteristics: [{ id: 'bore', match: { parameter: 'bore' }, chart: { type: 'i-mr' }, limits: { phase1: 20 }, rules: ['nelson1'], actions: { hold: ['nelson1'] } }] });
  const points: PointRecord[] = [];
  const values = [...Array.from({ length: 20 }, (_, i) => (i === 6 ? 30 : 10 + 0.1 * Math.sin(i * 1.3))), 10.05, 31];
  values.forEach((v, i) => engine.process({ ts: new Date(Date.UTC(2026, 10, 30, 0, 0, i)).toISOString(), line: 'L1', station: 's', parameter: 'bore', value: v, unit: `U${i + 1}` }, (p) => points.push(p)));
  const book = new HoldBook();
  const signals = points.flatMap((p) => book.apply(p, { line: 'L1', station: 's' }));
  // Point 7 (30 among values near 10) violates nelson1 in Phase I: reported, no action, no hold.
  expect(points[6]).toMatchObject({ phase: 'I', violations: ['nelson1'], actions: [] });
  expect(engine.summaryOf('bore')!.phase1Review).toEqual({ points: 20, flagged: [7] });
  // The Phase II point at 31 holds, and it is the only hold.
  expect(points[21]).toMatchObject({ phase: 'II', violations: ['nelson1'], actions: ['hold'] });
  expect(signals.filter((s) => s.type === 'hold').map((s) => (s as { id: string }).id)).toEqual(['bore#22']);
});
