/**
 * Engine throughput: 10,000 I-MR characteristics with all eight Nelson rules, pre-parsed samples,
 * one core. Prints a table; goal ≥ 2× JSON.parse of the same samples.   Run: npm run bench:engine
 * The workload is bench/engine-workload.ts's.
 */
import { cpus } from 'node:os';
import { SpcEngine, type Sample } from '../src/core/index.js';
import { engineWorkload } from './engine-workload.js';

const CHARACTERISTICS = Number(process.env.SPC_BENCH_CHARACTERISTICS ?? 10_000);
const ROUNDS = 5;

// The samples as JSON text too: the engine must stay far ahead of parsing them (goal ≥ 2×).
const { characteristics, texts, samples } = engineWorkload(CHARACTERISTICS);
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
// A running line's engine: past Phase I, its histories full (lookback 500): the samples three
// times untimed, then timed twice. Each round above starts a new engine (Phase I, histories growing).
const warm = new SpcEngine({ version: 1, characteristics });
for (let pass = 0; pass < 3; pass++) for (let i = 0; i < samples.length; i++) warm.process(samples[i], () => {});
const warmRates: number[] = [];
for (let pass = 0; pass < 2; pass++) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < samples.length; i++) warm.process(samples[i], () => {});
  warmRates.push(samples.length / (Number(process.hrtime.bigint() - started) / 1e9));
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
const warmBest = Math.max(...warmRates);
console.log(`| a running line's engine (past Phase I, full histories; best of 2 passes) | ${fmt(warmBest)} samples/s = ${(warmBest / median(parseRates)).toFixed(2)} × JSON.parse |`);
