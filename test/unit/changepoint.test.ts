import { describe, expect, it } from 'vitest';
import { binomialChangePoint } from '../../src/core/changepoint/binomial.js';
import { cusumPageChangePoint } from '../../src/core/changepoint/cusum-page.js';
import { normalMeanChangePoint } from '../../src/core/changepoint/normal-mean.js';
import { poissonChangePoint } from '../../src/core/changepoint/poisson.js';
import { HoldBook, SpcEngine, type CharacteristicConfig, type PointRecord, type Sample } from '../../src/core/index.js';

// Hand-computed profiles (the arithmetic is in the comments): ℓ(t) for every t, the argmax, and
// the set {t : ℓ(τ̂) − ℓ(t) ≤ 3}; reported as first changed points (t + 1) from index `first`.
describe('change-point estimators, hand-computed', () => {
  it('normal mean (Samuel, Pignatiello & Calvin 1998): x = 0,0,0,2,2,2, μ₀ = 0, σ = 1', () => {
    // ℓ = k·x̄²/2 over the last k points: k=1: 2, k=2: 4, k=3: 6, k=4: 4.5, k=5: 3.6, k=6: 3.
    // Within 3 of the max (6): k = 2 … 6, first changed points 1 … 5.
    expect(normalMeanChangePoint([0, 0, 0, 2, 2, 2], 0, 1, 1)).toEqual({ index: 4, lower: 1, upper: 5, method: 'normal-mean-mle' });
    // σ scales the likelihood, not the argmax: with σ = 0.5 every ℓ is ×4 (8, 16, 24, 18, 14.4, 12), so only k=3 is within 3.
    expect(normalMeanChangePoint([0, 0, 0, 2, 2, 2], 0, 0.5, 1)).toMatchObject({ index: 4, lower: 4, upper: 4 });
  });

  it('normal mean: a tie goes to the earliest t', () => {
    // x = 2,0,0,2: k=1: 2, k=2: 1, k=3: 0.667, k=4: 2 — tie between "changed from point 1" and "from point 4".
    expect(normalMeanChangePoint([2, 0, 0, 2], 0, 1, 7).index).toBe(7);
  });

  it('normal mean: a shorter window after a longer one reads nothing of the longer (the profile buffer is reused)', () => {
    // A 600-point window with a large likelihood at its end fills the buffer past 6 slots.
    normalMeanChangePoint(Array.from({ length: 600 }, (_, i) => (i < 590 ? 0 : 5)), 0, 1, 1);
    expect(normalMeanChangePoint([0, 0, 0, 2, 2, 2], 0, 1, 1)).toEqual({ index: 4, lower: 1, upper: 5, method: 'normal-mean-mle' });
  });

  it('normal mean: a likelihood that is not a number is never the maximum nor in the set; no finite one gives the first point alone', () => {
    // σ so small that 2σ² underflows to 0: ℓ = 0/0 (NaN) at k = 1, +∞ at k = 2.
    expect(normalMeanChangePoint([1, 0], 0, 1e-170, 1)).toEqual({ index: 1, lower: 1, upper: 1, method: 'normal-mean-mle' });
    expect(normalMeanChangePoint([1, 2, 3], NaN, 1, 1)).toEqual({ index: 1, lower: 1, upper: 1, method: 'normal-mean-mle' });
    expect(normalMeanChangePoint([], 0, 1, 5)).toMatchObject({ index: 5, lower: 5, upper: 5 });
  });

  it('binomial (Samuel & Pignatiello 2001): D = 0,0,3,3 of n = 10, p₀ = 0.1', () => {
    // k=1: 3 ln 3 + 7 ln(0.7/0.9) = 1.5366; k=2: 3.0733; k=3 (p̂ 0.2): 6 ln 2 + 24 ln(0.8/0.9) = 1.3321;
    // k=4 (p̂ 0.15): 6 ln 1.5 + 34 ln(0.85/0.9) = 0.4894. Max at k=2; within 3: all four.
    expect(binomialChangePoint([0, 0, 3, 3], [10, 10, 10, 10], 0.1, 1)).toEqual({ index: 3, lower: 1, upper: 4, method: 'binomial-mle' });
    // Twice the sample sizes and counts double every ℓ (3.0733, 6.1466, 2.6642, 0.9788): within 3 of the max only k = 2.
    expect(binomialChangePoint([0, 0, 6, 6], [20, 20, 20, 20], 0.1, 1)).toMatchObject({ index: 3, lower: 3, upper: 3 });
  });

  it('Poisson (Samuel & Pignatiello 1998): c = 1,1,5,5, λ₀ = 1', () => {
    // k=1: 5 ln 5 − 4 = 4.0472; k=2: 10 ln 5 − 8 = 8.0944; k=3 (λ̂ 11/3): 11 ln(11/3) − 8 = 6.2921;
    // k=4 (λ̂ 3): 12 ln 3 − 8 = 5.1833. Max at k=2; within 3: k = 2, 3, 4.
    expect(poissonChangePoint([1, 1, 5, 5], [1, 1, 1, 1], 1, 1)).toEqual({ index: 3, lower: 1, upper: 3, method: 'poisson-mle' });
    // u chart: the same counts on 2 units each against λ₀ = 0.5 per unit is the same likelihood.
    expect(poissonChangePoint([1, 1, 5, 5], [2, 2, 2, 2], 0.5, 1)).toMatchObject({ index: 3, lower: 1, upper: 3 });
  });

  it("Page's CUSUM estimator: the point after the side's last zero", () => {
    expect(cusumPageChangePoint([0, 0.5, 0, 1, 2.5, 5.5], 10)).toBe(13);
    expect(cusumPageChangePoint([0.2, 1, 3, 6], 10)).toBe(10); // never zero in the window: its first point
  });
});

let seq = 0;
const sample = (value: number): Sample => ({ ts: new Date(Date.UTC(2026, 0, 1) + ++seq * 1000).toISOString(), line: 'L1', station: 'S1', parameter: 'p', value, unit: `U${seq}` });
const config = (c: Partial<CharacteristicConfig> = {}): CharacteristicConfig => ({ id: 'c1', match: { parameter: 'p' }, chart: { type: 'i-mr' }, limits: { center: 0, sigma: 1 }, rules: ['we1'], actions: { hold: ['we1'] }, ...c });

function holdOf(c: Partial<CharacteristicConfig>, values: number[]) {
  seq = 0;
  const engine = new SpcEngine({ version: 1, characteristics: [config(c)] });
  const book = new HoldBook();
  const points: PointRecord[] = [];
  const signals = values.flatMap((v) => { const out: ReturnType<HoldBook['apply']> = []; engine.process(sample(v), (p) => { points.push(p); out.push(...book.apply(p, { line: 'L1', station: 'S1' })); }); return out; });
  return { engine, book, points, signals };
}

describe('containment: a new hold names every unit since the estimated change', () => {
  // 10 points at 0 (U1–U10), 5 at 1.5 (U11–U15), then 4 (U16, beyond 3σ). Over points 1–16,
  // ℓ by first changed point: 8: 7.35, 9: 8.27, 10: 9.45, 11: 11.02 (max), 12: 10.0, 13: 9.03,
  // 14: 8.17, 15: 7.56, 16: 8.0 — within 3 of the max: 9 … 14.
  const values = [...Array(10).fill(0), ...Array(5).fill(1.5), 4];

  it('from: lower (the default) holds from the set\'s earliest point; the point and the signal carry the estimate', () => {
    const { points, signals } = holdOf({}, values);
    expect(points[15].changePoint).toEqual({ index: 11, lower: 9, upper: 14, method: 'normal-mean-mle', unit: 'U11', ts: points[10].ts });
    expect(JSON.parse(JSON.stringify(points[15])).suspectUnits).toBeUndefined(); // not in NDJSON
    expect(signals).toEqual([expect.objectContaining({ type: 'hold', rev: 1, units: ['U9', 'U10', 'U11', 'U12', 'U13', 'U14', 'U15', 'U16'], changePoint: points[15].changePoint })]);
  });

  it('from: changepoint holds from the estimate; from: signal only the violating point', () => {
    expect(holdOf({ containment: { from: 'changepoint' } }, values).signals[0]).toMatchObject({ units: ['U11', 'U12', 'U13', 'U14', 'U15', 'U16'] });
    expect(holdOf({ containment: { from: 'signal' } }, values).signals[0]).toMatchObject({ units: ['U16'] });
  });

  it('lookback bounds the window; a release starts the next window after it', () => {
    // With lookback 3 the window is points 14–16: ℓ by first changed point 14: 8.17 (max), 15: 7.56, 16: 8; all within 3.
    expect(holdOf({ containment: { lookback: 3 } }, values).points[15].changePoint).toMatchObject({ lower: 14 });
    const { engine, book, points } = holdOf({}, values);
    const hold = book.release('c1#16', 'qm', 'fixed', 'x')!;
    engine.released(hold.characteristic);
    const later: PointRecord[] = [];
    for (const v of [0, 0, 5]) engine.process(sample(v), (p) => later.push(p));
    expect(points).toHaveLength(16);
    expect(later[2].changePoint!.lower).toBeGreaterThanOrEqual(17); // never before the release
    expect(later[2].changePoint!.index).toBe(19);
  });

  it('later points of a latched hold do not re-estimate; a snapshot keeps the window', () => {
    const { points } = holdOf({}, [...values, 5, 5]);
    expect(points[16].changePoint).toBeUndefined();
    seq = 0;
    const a = new SpcEngine({ version: 1, characteristics: [config()] });
    for (const v of values.slice(0, 12)) a.process(sample(v), () => {});
    const b = new SpcEngine({ version: 1, characteristics: [config()] });
    b.restoreStates(JSON.parse(JSON.stringify(a.saveStates())));
    const out: PointRecord[] = [];
    for (const v of values.slice(12)) b.process(sample(v), (p) => out.push(p));
    expect(out[3].changePoint).toMatchObject({ index: 11, lower: 9, upper: 14 });
  });
});
