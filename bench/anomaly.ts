/**
 * Anomaly scoring in its worker thread: rows/s, latency per micro-batch, and what it costs the
 * main thread (where holds are sent), as event-loop delay with and without scoring.
 * Run: npm run build && npm run bench:anomaly
 */
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadModelFiles } from '../src/anomaly/card.js';
import { SeededRandom } from '../src/sim/random.js';

// The scoring thread is a compiled worker file, so the benchmark uses the build (npm run build).
const DIST_POOL: string = '../dist/src/anomaly/scoring-pool.js';
const { ScoringThread } = (await import(DIST_POOL)) as typeof import('../src/anomaly/scoring-pool.js');

const ROWS = Number(process.env.SPC_BENCH_ROWS ?? 200_000);
const { bytes, card } = loadModelFiles('models/smt-l1.onnx');
const p = card.features.length;
const rng = new SeededRandom(1);
const rows = Array.from({ length: 10_000 }, () => Float64Array.from({ length: p }, (_, j) => [245, 60, 120, 50, 1.2][j] + rng.normal()));
const q = (a: number[], f: number) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(f * a.length))];

/** Event-loop delay p99 (ms) while `work` runs: the delay a hold would wait before being sent. */
async function loopDelayDuring(work: () => Promise<void>): Promise<{ p50: number; p99: number; max: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await work();
  h.disable();
  return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

const thread = new ScoringThread(bytes, p);
await thread.ready;
const idle = await loopDelayDuring(() => new Promise((r) => setTimeout(r, 2000)));
let seconds = 0;
await (async () => {
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < ROWS; i++) {
    pending.push(thread.score(rows[i % rows.length]));
    if (pending.length >= 4096) { await Promise.all(pending); pending.length = 0; }
  }
  await Promise.all(pending);
  seconds = (performance.now() - started) / 1000;
})();
// Steady trickle, as on a line: one unit every 0.5 ms for 2 s.
const trickle: number[] = [];
const steady = await loopDelayDuring(async () => {
  const end = performance.now() + 2000;
  const pending: Promise<unknown>[] = [];
  while (performance.now() < end) {
    const t = performance.now();
    pending.push(thread.score(rows[pending.length % rows.length]).then(() => trickle.push(performance.now() - t)));
    await new Promise((r) => setTimeout(r, 0.5));
  }
  await Promise.all(pending);
});
await thread.close();
const lat = thread.stats.latenciesMs;
console.log(`bench/anomaly — ${card.name} (${card.kind}, ${p} features), ${ROWS.toLocaleString('en-US')} rows; ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}`);
console.log('| measure | value |');
console.log('|---|---|');
console.log(`| throughput, batches of up to 256 rows | ${Math.round(ROWS / seconds).toLocaleString('en-US')} rows/s |`);
console.log(`| micro-batch round trip (post → result) | p50 ${q(lat, 0.5).toFixed(2)} ms, p99 ${q(lat, 0.99).toFixed(2)} ms |`);
console.log(`| unit → verdict at a steady 2,000 units/s | p50 ${q(trickle, 0.5).toFixed(2)} ms, p99 ${q(trickle, 0.99).toFixed(2)} ms |`);
console.log(`| main-thread event-loop delay, idle | p50 ${idle.p50.toFixed(2)} ms, p99 ${idle.p99.toFixed(2)} ms |`);
console.log(`| main-thread event-loop delay, steady 2,000 units/s | p50 ${steady.p50.toFixed(2)} ms, p99 ${steady.p99.toFixed(2)} ms |`);
