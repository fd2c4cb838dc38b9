/**
 * Engine throughput: 10,000 I-MR characteristics with all eight Nelson rules, pre-parsed samples,
 * one core. Prints a table; goal ≥ 2× JSON.parse of the same samples.   Run: npm run bench:engine
 * The samples are parsed from their JSON text, as the worker's are: JSON.parse interns short
 * strings (stations, lines, parameters), which routing compares.
 */
import { cpus } from 'node:os';
import { SpcEngine, type CharacteristicConfig, type Sample } from '../src/core/index.js';
import { SeededRandom } from '../src/sim/random.js';

const CHARACTERISTICS = Number(process.env.SPC_BENCH_CHARACTERISTICS ?? 10_000);
const SAMPLES_PER_CHARACTERISTIC = Math.round(2_000_000 / CHARACTERISTICS);
const ROUNDS = 5;

const characteristics: CharacteristicConfig[] = Array.from({ length: CHARACTERISTICS }, (_, i) => ({
  id: `c${i}`,
  match: { line: 'L1', station: `S${i % 100}`, parameter: `p${i}` },
  chart: { type: 'i-mr' },
  limits: { phase1: 25 },
  rules: ['nelson1', 'nelson2', 'nelson3', 'nelson4', 'nelson5', 'nelson6', 'nelson7', 'nelson8'],
  actions: { hold: ['nelson1'], alarm: ['nelson2', 'nelson3', 'nelson4', 'nelson5', 'nelson6', 'nelson7', 'nelson8'] },
}));

const rng = new SeededRandom(42);
// The samples as JSON text: the engine must stay far ahead of parsing them (goal ≥ 2×).
const texts: string[] = [];
for (let k = 0; k < SAMPLES_PER_CHARACTERISTIC; k++) {
  for (let i = 0; i < CHARACTERISTICS; i++) {
    texts.push(JSON.stringify({ ts: '2026-11-25T06:00:00.000Z', line: 'L1', station: `S${i % 100}`, parameter: `p${i}`, value: 50 + rng.normal(), unit: `SN${k}` } satisfies Sample));
  }
}
const samples = texts.map((t) => JSON.parse(t) as Sample);
const parseRates: number[] = [];
const rates: number[] = [];
let points = 0, violations = 0;
for (let round = 0; round < ROUNDS; round++) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < texts.length; i++) sink += (JSON.parse(texts[i]) as Sample).value;
  parseRates.push(texts.length / (Number(process.hrtime.bigint() - t0) / 1e9));
  if (sink === -1) console.log(sink);
  const engine = new SpcEngine({ version: 1, characteristics });
  points = 0; violations = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < samples.length; i++) engine.process(samples[i], (p) => { points++; violations += p.violations.length; });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rates.push(samples.length / seconds);
}
rates.sort((a, b) => a - b);
parseRates.sort((a, b) => a - b);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`bench/engine — ${CHARACTERISTICS.toLocaleString('en-US')} characteristics (I-MR, nelson1..8), ${samples.length.toLocaleString('en-US')} samples/round, ${ROUNDS} rounds`);
console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}`);
console.log('| metric | value |');
console.log('|---|---|');
console.log(`| samples/s (median) | ${fmt(rates[Math.floor(ROUNDS / 2)])} |`);
console.log(`| samples/s (best) | ${fmt(rates[ROUNDS - 1])} |`);
console.log(`| points per round | ${fmt(points)} |`);
console.log(`| rule hits per round | ${fmt(violations)} |`);
const median = (l: number[]) => l[Math.floor(ROUNDS / 2)];
console.log(`| JSON.parse of the same samples (median) | ${fmt(median(parseRates))} samples/s |`);
console.log(`| engine / JSON.parse | ${(median(rates) / median(parseRates)).toFixed(2)} (goal ≥ 2) |`);
