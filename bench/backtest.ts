/**
 * `spc backtest` against the bare cost of reading the same file: a 300,000-sample NDJSON file
 * with four characteristics (I-MR with nelson1–8, X̄-R n = 5 with we1–we4, EWMA, CUSUM). Both are
 * whole processes timed the same way: (bare) read, split into lines, JSON.parse each; (backtest)
 * `spc backtest --out FILE`. Goal: backtest ≥ 0.25 × bare (bare time / backtest time), three runs.
 *   Run: npm run build && npm run bench:backtest
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { SeededRandom } from '../src/sim/random.js';
import { describeParseRate, jsonParseRate } from './machine.js';

const SAMPLES = 300_000;
const ROUNDS = 3;
const dir = 'bench/data';
const input = `${dir}/backtest-300k-4.ndjson`;
const rules = `${dir}/backtest-4.yaml`;

mkdirSync(dir, { recursive: true });
writeFileSync(rules, `version: 1
characteristics:
  - { id: imr, match: { parameter: a }, chart: { type: i-mr }, limits: { phase1: 25 }, rules: [nelson1, nelson2, nelson3, nelson4, nelson5, nelson6, nelson7, nelson8], actions: { hold: [nelson1], alarm: [nelson2, nelson5] } }
  - { id: xbar, match: { parameter: b }, chart: { type: xbar-r, subgroupSize: 5 }, limits: { phase1: 25 }, rules: [we1, we2, we3, we4], actions: { hold: [we1] } }
  - { id: ewma, match: { parameter: c }, chart: { type: ewma, lambda: 0.2, L: 3 }, limits: { phase1: 25 }, rules: [we1], actions: { alarm: [we1] } }
  - { id: cusum, match: { parameter: d }, chart: { type: cusum, k: 0.5, h: 5 }, limits: { phase1: 25 }, rules: [we1], actions: { hold: [we1] } }
`);
if (!existsSync(input)) {
  const rng = new SeededRandom(11);
  const lines: string[] = [];
  const start = Date.UTC(2026, 10, 1);
  for (let i = 0; i < SAMPLES; i++) {
    const parameter = 'abcd'[i % 4];
    const shift = i > SAMPLES / 2 ? 0.5 : 0; // a half-sigma shift half-way: holds and alarms to write
    lines.push(JSON.stringify({ ts: new Date(start + i * 1000).toISOString(), line: 'L1', station: 'S1', parameter, value: Number((10 + shift + rng.normal()).toFixed(4)), unit: `SN${String(Math.floor(i / 4)).padStart(7, '0')}`, lot: `LOT-${Math.floor(i / 4000)}`, operator: 'op17' }));
  }
  writeFileSync(input, lines.join('\n') + '\n');
}
const mb = statSync(input).size / 1e6;

const BARE = `const t = require('fs').readFileSync(${JSON.stringify(input)}, 'utf8'); let n = 0; for (const l of t.split('\\n')) if (l) { JSON.parse(l); n++; } if (n !== ${SAMPLES}) process.exit(1);`;
const time = (cmd: string, args: string[]) => {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
};
const rows: { bare: number; backtest: number }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  rows.push({ bare: time(process.execPath, ['-e', BARE]), backtest: time('dist/src/cli/main.js', ['backtest', '--rules', rules, '--input', input, '--out', `${dir}/backtest-out.ndjson`]) });
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratios = rows.map((r) => r.bare / r.backtest).sort((a, b) => a - b);
console.log(`bench/backtest — ${fmt(SAMPLES)} samples (${mb.toFixed(0)} MB NDJSON), 4 characteristics (I-MR nelson1–8, X̄-R n=5 we1–we4, EWMA, CUSUM), whole processes, ${ROUNDS} rounds`);
console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}; ${describeParseRate(jsonParseRate())}`);
console.log('| round | bare read + split + JSON.parse | spc backtest | samples/s | ratio bare/backtest |');
console.log('|---|---|---|---|---|');
rows.forEach((r, i) => console.log(`| ${i + 1} | ${r.bare.toFixed(2)} s | ${r.backtest.toFixed(2)} s | ${fmt(SAMPLES / r.backtest)} | ${(r.bare / r.backtest).toFixed(3)} |`));
console.log(`| goal | | | | ≥ 0.25 → ${ratios[0] >= 0.25 ? 'met in every round' : ratios[ROUNDS - 1] >= 0.25 ? 'met in some rounds' : 'NOT met'} |`);
