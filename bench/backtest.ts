/**
 * `spc backtest` throughput on a 1-million-sample NDJSON file, parsing and validation included,
 * points written to a file. Goal ≥ 300,000 samples/s.   Run: npm run build && npm run bench:backtest
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { SmtLineSimulator } from '../src/sim/smt-line.js';

const SAMPLES = 1_000_000;
const ROUNDS = 3;
const dir = 'bench/data';
const input = `${dir}/backtest-1m.ndjson`;

if (!existsSync(input)) {
  mkdirSync(dir, { recursive: true });
  const sim = new SmtLineSimulator({ seed: 11, lines: ['L1'], fault: { kind: 'drift', atUnit: 50_000 } });
  const lines: string[] = [];
  while (lines.length < SAMPLES) for (const s of sim.nextUnit()) if (lines.length < SAMPLES) lines.push(JSON.stringify(s));
  writeFileSync(input, lines.join('\n') + '\n');
}
const mb = statSync(input).size / 1e6;

const times: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const started = process.hrtime.bigint();
  const r = spawnSync('dist/src/cli/main.js', ['backtest', '--rules', 'rules/smt-line.yaml', '--input', input, '--out', `${dir}/backtest-out.ndjson`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`backtest failed: ${r.stderr}`);
  times.push(Number(process.hrtime.bigint() - started) / 1e9);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(ROUNDS / 2)];
const outMb = statSync(`${dir}/backtest-out.ndjson`).size / 1e6;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`bench/backtest — ${fmt(SAMPLES)} samples (${mb.toFixed(0)} MB NDJSON, 7 characteristics of rules/smt-line.yaml), ${ROUNDS} runs, whole spc process timed as a user runs it`);
console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}`);
console.log('| metric | value |');
console.log('|---|---|');
console.log(`| wall time (median) | ${median.toFixed(2)} s |`);
console.log(`| samples/s (median) | ${fmt(SAMPLES / median)} |`);
console.log(`| input MB/s | ${(mb / median).toFixed(0)} |`);
console.log(`| output written | ${outMb.toFixed(0)} MB NDJSON |`);
console.log(`| goal | ≥ 300,000 samples/s → ${SAMPLES / median >= 3e5 ? 'met' : 'NOT met'} |`);
