/**
 * Monte Carlo accuracy of the change-point estimate (docs/containment.md regenerates from this):
 * an in-control normal process (μ₀ = 0, σ = 1, known) for points 1 … τ, shifted by δσ from
 * point τ + 1 on, through the real engine and hold book until a new hold is raised; runs that
 * signal before the change are discarded and repeated (the estimators are defined for signals
 * after a change, Samuel, Pignatiello & Calvin 1998). Per shift and chart it prints the mean
 * signal point, the mean estimate of the first changed point, the share of estimates within ±1
 * and ±3 points of it, the share of likelihood sets covering it, the sets' mean width, and the
 * units the hold misses (made on the changed process before the window starts) with containment
 * from the set's lower end, from the estimate, and from the signal alone.
 * Run: npm run bench:changepoint  (SPC_CP_RUNS=2000 runs per row by default; τ = 100)
 */
import { HoldBook, SpcEngine, type CharacteristicConfig, type ChartConfig, type PointRecord } from '../src/core/index.js';
import { SeededRandom } from '../src/sim/random.js';

const RUNS = Number(process.env.SPC_CP_RUNS ?? 2000);
const TAU = 100;
const SHIFTS = [0.5, 1, 1.5, 2, 3];
const CHARTS: { name: string; chart: ChartConfig; rules: CharacteristicConfig['rules'] }[] = [
  { name: 'I-MR, we1 (Shewhart 3σ)', chart: { type: 'i-mr' }, rules: ['we1'] },
  { name: 'CUSUM k = 0.5, h = 5', chart: { type: 'cusum' }, rules: ['we1'] },
];

interface Row { signal: number; estimate: number; within1: number; within3: number; covered: number; width: number; missed: Record<'lower' | 'changepoint' | 'signal', number> }

/** One run: the first hold's signal point, its estimate, and the first unit each containment names. */
function once(rng: SeededRandom, chart: ChartConfig, rules: CharacteristicConfig['rules'], shift: number) {
  for (;;) {
    const engine = new SpcEngine({ version: 1, characteristics: [{ id: 'c', match: { parameter: 'x' }, chart, limits: { center: 0, sigma: 1 }, rules, actions: { hold: rules } }] });
    const book = new HoldBook();
    let hold: PointRecord | undefined;
    let first: string[] | undefined;
    for (let i = 1; !hold && i < 100_000; i++) {
      const value = rng.normal() + (i > TAU ? shift : 0);
      engine.process({ ts: '2026-01-01T00:00:00Z', line: 'L', station: 'S', parameter: 'x', value, unit: String(i) }, (p) => {
        const s = book.apply(p, { line: 'L', station: 'S' }).find((x) => x.type === 'hold');
        if (s && s.type === 'hold') { hold = p; first = s.added; }
      });
    }
    if (!hold || hold.index <= TAU || !hold.changePoint) continue; // a false alarm before the change: not this table's case
    return { signal: hold.index, cp: hold.changePoint, firstNamed: Math.min(...first!.map(Number)) };
  }
}

function row(chart: ChartConfig, rules: CharacteristicConfig['rules'], shift: number, seed: number): Row {
  const rng = new SeededRandom(seed);
  const r: Row = { signal: 0, estimate: 0, within1: 0, within3: 0, covered: 0, width: 0, missed: { lower: 0, changepoint: 0, signal: 0 } };
  const truth = TAU + 1;
  for (let k = 0; k < RUNS; k++) {
    const o = once(rng, chart, rules, shift);
    r.signal += o.signal; r.estimate += o.cp.index;
    if (Math.abs(o.cp.index - truth) <= 1) r.within1++;
    if (Math.abs(o.cp.index - truth) <= 3) r.within3++;
    if (o.cp.lower <= truth && truth <= o.cp.upper) r.covered++;
    r.width += o.cp.upper - o.cp.lower + 1;
    // Units made on the changed process (points τ+1 …) that a hold starting at `from` does not name.
    r.missed.lower += Math.max(0, Math.min(o.cp.lower, o.signal + 1) - truth);
    r.missed.changepoint += Math.max(0, Math.min(o.cp.index, o.signal + 1) - truth);
    r.missed.signal += Math.max(0, o.signal - truth);
    if (o.firstNamed !== Math.min(o.cp.lower, o.signal)) throw new Error(`the hold's first unit ${o.firstNamed} is not the set's lower end ${o.cp.lower}`);
  }
  const m = (x: number) => x / RUNS;
  return { signal: m(r.signal), estimate: m(r.estimate), within1: m(r.within1), within3: m(r.within3), covered: m(r.covered), width: m(r.width), missed: { lower: m(r.missed.lower), changepoint: m(r.missed.changepoint), signal: m(r.missed.signal) } };
}

const started = performance.now();
console.log(`bench/changepoint — ${RUNS} runs per row; change after point τ = ${TAU} (first changed point ${TAU + 1}); μ₀ = 0, σ = 1 known\n`);
for (const c of CHARTS) {
  console.log(`### ${c.name}\n`);
  console.log('| shift δ (σ) | mean signal point | mean estimate | within ±1 | within ±3 | set covers τ+1 | mean set width | units missed: from lower / changepoint / signal |');
  console.log('|---|---|---|---|---|---|---|---|');
  SHIFTS.forEach((shift, i) => {
    const r = row(c.chart, c.rules, shift, 1000 + i);
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    console.log(`| ${shift} | ${r.signal.toFixed(1)} | ${r.estimate.toFixed(2)} | ${pct(r.within1)} | ${pct(r.within3)} | ${pct(r.covered)} | ${r.width.toFixed(1)} | ${r.missed.lower.toFixed(2)} / ${r.missed.changepoint.toFixed(2)} / ${r.missed.signal.toFixed(2)} |`);
  });
  console.log('');
}
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
