/**
 * Memory over a long run: `spc run` (with InfluxDB when it runs) under `spc simulate` at a
 * steady rate; prints the worker's RSS and heap every 30 s and start/end.
 * Run: npm run build && scripts/influxdb.sh start && npm run bench:soak   (SPC_SOAK_MINUTES, default 10)
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const MINUTES = Number(process.env.SPC_SOAK_MINUTES ?? 10);
const RATE = Number(process.env.SPC_SOAK_RATE ?? 2000);
const INFLUX = 'http://127.0.0.1:18086';
const dir = mkdtempSync(join(tmpdir(), 'spc-soak-'));
writeFileSync(join(dir, 'tokens.yaml'), '- { token: soak-plc-token-0123456789, role: plc }\n');
const prefix = `soak${Date.now().toString(36)}`;
const port = 18900 + Math.floor(Math.random() * 90);
const influx = await fetch(`${INFLUX}/ping`).then((r) => r.status === 204, () => false);

const worker = spawn(process.execPath, ['--max-semi-space-size=64', 'dist/src/cli/main.js', 'run', '--rules', 'rules/smt-line.yaml', '--tokens', join(dir, 'tokens.yaml'), '--ws-port', String(port), '--prefix', prefix,
  ...(influx ? ['--influx-url', INFLUX, '--influx-db', `soak_${prefix}`] : ['--no-influx'])], { stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
worker.stderr!.on('data', (d) => { log += d; });
while (!log.includes('spc run: ready')) await new Promise((r) => setTimeout(r, 100));
const sim = spawn(process.execPath, ['dist/src/cli/main.js', 'simulate', '--rate', String(RATE), '--lines', '2', '--fault', 'drift', '--at', '120s', '--duration', `${MINUTES * 60}s`, '--prefix', prefix], { stdio: ['ignore', 'ignore', 'inherit'] });

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))![1]) / 1024;
const health = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as Promise<any>;
console.log(`bench/soak — ${MINUTES} min at ${RATE} msg/s, 2 lines, InfluxDB ${influx ? 'on' : 'off'}; ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}`);
console.log('| minute | worker RSS MB | heap used MB | messages acked | InfluxDB lines written |');
console.log('|---|---|---|---|---|');
const started = Date.now();
const samples: number[] = [];
const report = async () => {
  const h = await health();
  const rss = rssMb();
  samples.push(rss);
  console.log(`| ${((Date.now() - started) / 60000).toFixed(1)} | ${rss.toFixed(0)} | ${h.memory?.heapUsedMb ?? '—'} | ${h.counters.acked} | ${h.influx?.linesWritten ?? '—'} |`);
};
await report();
const timer = setInterval(() => void report(), 30_000);
await new Promise((r) => sim.once('exit', r));
await new Promise((r) => setTimeout(r, 3000));
clearInterval(timer);
await report();
const firstMinute = samples.slice(1, 3);
console.log(`RSS after warm-up ${Math.max(...firstMinute).toFixed(0)} MB, at the end ${samples[samples.length - 1].toFixed(0)} MB, max ${Math.max(...samples).toFixed(0)} MB`);
worker.kill('SIGTERM');
