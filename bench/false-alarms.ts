/**
 * Honest false-alarm rates (issue 18): a fault-free `spc simulate` through `spc run` with
 * rules/smt-line.yaml on the real NATS and InfluxDB, with `spc gateway --line L1` watching, then
 * the same with a shift fault. Per characteristic it prints the Phase II points, the in-control
 * ARL, the alarms and holds that ARL predicts (points / ARL), and what happened: alarms raised
 * (spc_alarms_raised_total, suppressed ones included), alarms the gateway received, holds.
 *
 * The ARL is conditional on the limits the run actually locked (Phase I estimates): the simulator's
 * true mean and σ are known, so a Shewhart chart's zones are placed where the locked limits put
 * them and the Champ & Woodall chain (src/core/arl/zone-markov.ts) is solved for that chart
 * (as Jensen et al. 2006, J. Quality Technology 38(4), study estimated-parameter charts). Fixed
 * limits (the CUSUMs, the c and p charts) equal the simulator's parameters, so their exact ARL
 * applies. EWMA: Monte Carlo at nominal limits (its Phase I estimate is not conditioned on).
 *
 * Run: npm run build && bash scripts/influxdb.sh start && npm run bench:false-alarms
 *   SPC_BENCH_MINUTES (fault-free, default 10), SPC_BENCH_RATE (msg/s, default 100),
 *   SPC_BENCH_FAULT_MINUTES (the shift run, default 2; 0 skips it), SPC_BENCH_SEED (default 1)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactInControlArl } from '../src/core/arl/exact-arl.js';
import { shiftedZoneOutcomes } from '../src/core/arl/normal-zones.js';
import { zoneMarkovArl } from '../src/core/arl/zone-markov.js';
import type { CharacteristicConfig } from '../src/core/config.js';
import { estimateArl } from '../src/quality/arl.js';
import { createChart } from '../src/core/charts/index.js';
import type { PlottedPoint } from '../src/core/charts/chart.js';
import { SeededRandom } from '../src/sim/random.js';
import { loadRules } from '../src/rules-file/load.js';
import { SMT_PARAMETERS } from '../src/sim/smt-line.js';
import { jsonParseRate } from './machine.js';

const MINUTES = Number(process.env.SPC_BENCH_MINUTES ?? 10);
const RATE = Number(process.env.SPC_BENCH_RATE ?? 100);
const FAULT_MINUTES = Number(process.env.SPC_BENCH_FAULT_MINUTES ?? 2);
const SEED = process.env.SPC_BENCH_SEED ?? '1';
const INFLUX = 'http://127.0.0.1:18086';
const MESSAGES_PER_UNIT = 6; // as spc simulate paces it: five parameters and the AOI count per board
const RULES = 'rules/smt-line.yaml';
const TOKEN = 'false-alarm-bench-plc-0123456789';
const CLI = 'dist/src/cli/main.js';

if (!(await fetch(`${INFLUX}/ping`).then((r) => r.status === 204, () => false))) {
  console.error(`InfluxDB does not answer on ${INFLUX}: run bash scripts/influxdb.sh start`);
  process.exit(2);
}
const rules = loadRules(RULES);
const dir = mkdtempSync(join(tmpdir(), 'spc-false-alarms-'));
writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${TOKEN}, role: plc, name: gw-L1, lines: [L1] }\n`);
const prefix = `fa${Date.now().toString(36)}`;
const database = `spc_${prefix}`;
const port = 19100 + Math.floor(Math.random() * 800);
const children: ChildProcess[] = [];
process.on('exit', () => { for (const c of children) c.kill('SIGTERM'); });

const worker = spawn(process.execPath, ['--max-semi-space-size=64', CLI, 'run', '--rules', RULES, '--tokens', join(dir, 'tokens.yaml'), '--ws-port', String(port), '--prefix', prefix,
  '--influx-url', INFLUX, '--influx-db', database], { stdio: ['ignore', 'ignore', 'pipe'] });
children.push(worker);
let workerLog = '';
worker.stderr!.on('data', (d) => { workerLog += d; });
while (!workerLog.includes('spc run: ready')) await new Promise((r) => setTimeout(r, 100));

// The reference gateway, as a PLC integrator runs it: what it prints is what reached the line.
const gateway = spawn(process.execPath, [CLI, 'gateway', '--line', 'L1', '--token', TOKEN, '--url', `ws://127.0.0.1:${port}/signals`, '--silence-ms', '5000'], { stdio: ['ignore', 'pipe', 'pipe'] });
children.push(gateway);
let gatewayOut = '';
gateway.stdout!.on('data', (d) => { gatewayOut += d; });
await new Promise((r) => setTimeout(r, 1500));

const health = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as Promise<{ counters: { acked: number } }>;
let publishedTotal = 0;
async function simulate(minutes: number, fault?: string): Promise<{ units: number; faultUnit?: number }> {
  const units = Math.round((minutes * 60 * RATE) / MESSAGES_PER_UNIT);
  const args = [CLI, 'simulate', '--rate', String(RATE), '--units', String(units), '--prefix', prefix, '--seed', SEED, ...(fault ? ['--fault', fault, '--at', `${Math.round((minutes * 60) / 2)}s`] : [])];
  const sim = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(sim);
  let err = '';
  sim.stderr!.on('data', (d) => { err += d; });
  const started = Date.now();
  const ticker = setInterval(() => process.stderr.write(`\r  ${fault ? 'shift run' : 'fault-free run'}: ${((Date.now() - started) / 60_000).toFixed(1)} of ${minutes} min`), 5000);
  const code = await new Promise<number>((r) => sim.once('exit', (c) => r(c ?? 1)));
  clearInterval(ticker);
  process.stderr.write('\n');
  if (code !== 0) throw new Error(`spc simulate failed: ${err}`);
  publishedTotal += Number(/published (\d+)/.exec(err)![1]);
  while ((await health()).counters.acked < publishedTotal) await new Promise((r) => setTimeout(r, 200));
  const faultUnit = /from unit (\d+)/.exec(err)?.[1];
  return { units, ...(faultUnit ? { faultUnit: Number(faultUnit) } : {}) };
}

/** Per-characteristic counters of /metrics: `name{characteristic="x"} n`. */
async function metricByCharacteristic(name: string): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${name}\\{characteristic="([^"]+)"\\} (\\d+)$`, 'gm'))) out.set(m[1], Number(m[2]));
  return out;
}

/** Center and σ each Phase I lock set (InfluxDB spc_limits, version 1). */
async function lockedLimits(): Promise<Map<string, { center: number; sigma: number }>> {
  const q = new URL(`${INFLUX}/query`);
  q.searchParams.set('db', database);
  q.searchParams.set('q', 'SELECT center, sigma, characteristic FROM spc_limits WHERE version = 1');
  const body = await (await fetch(q)).json() as { results: { series?: { values: [string, number, number, string][] }[] }[] };
  const out = new Map<string, { center: number; sigma: number }>();
  for (const [, center, sigma, characteristic] of body.results[0].series?.[0]?.values ?? []) out.set(characteristic, { center, sigma });
  return out;
}

/** Gateway lines `alarm <characteristic> …` of first revisions, per characteristic. */
function gatewayAlarms(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /\balarm (\S+) \S+(?: \(high priority\))? units .*\[[^\]]+\]$/.exec(line);
    if (m && !/ rev \d+\]$/.test(line)) out.set(m[1], (out.get(m[1]) ?? 0) + 1);
  }
  return out;
}

/** Samples per board of each parameter, and the size of the chart's points in samples. */
function phase2Points(c: CharacteristicConfig, units: number): number {
  const samples = c.match.parameter === 'nonconforming' ? Math.floor(units / 50) : units;
  const points = Math.floor(samples / (c.chart.subgroupSize ?? 1));
  return Math.max(0, points - ('phase1' in c.limits ? c.limits.phase1 : 0));
}

interface Prediction { arl: number; how: string }
function inControlArl(c: CharacteristicConfig, locked: { center: number; sigma: number } | undefined): Prediction {
  const truth = SMT_PARAMETERS.find((p) => p.station === c.match.station && p.parameter === c.match.parameter);
  const type = c.chart.type;
  if (locked && truth && (type === 'i-mr' || type === 'xbar-r' || type === 'xbar-s')) {
    // Zones in σ of the plotted statistic as locked (σ̂/√n), the statistic's true mean and σ/√n in those units.
    const root = Math.sqrt(c.chart.subgroupSize ?? 1);
    const zoneSigma = locked.sigma / root;
    const m = zoneMarkovArl(c.rules, shiftedZoneOutcomes((truth.mean - locked.center) / zoneSigma, truth.sigma / root / zoneSigma));
    if (m) return { arl: m.arl, how: `exact for the locked limits (center ${locked.center.toFixed(3)}, σ̂ ${locked.sigma.toFixed(3)} vs true ${truth.mean}, ${truth.sigma})` };
  }
  const exact = exactInControlArl(c);
  // The bundled CUSUMs have fixed limits equal to the simulator's parameters: their exact ARL is the run's.
  if (exact.exact) return { arl: exact.arl, how: type === 'cusum' ? 'exact (Brook–Evans), fixed limits = the simulator\'s' : `exact (${exact.method})` };
  if (locked && truth && type === 'ewma') return conditionalMonteCarlo(c, locked, truth);
  const mc = estimateArl(c, { runs: 4000, seed: 7, shift: 1 });
  return { arl: mc.inControl.arl, how: `Monte Carlo ± ${mc.inControl.standardError.toFixed(0)}, nominal limits` };
}

/**
 * Monte Carlo of a chart with state (EWMA) at the locked limits on the simulator's true
 * distribution: fresh charts, points until the first beyond the limits, 2,000 runs (cut at 200,000).
 */
function conditionalMonteCarlo(c: CharacteristicConfig, locked: { center: number; sigma: number }, truth: { mean: number; sigma: number }): Prediction {
  const rng = new SeededRandom(11);
  const runs = 2000, cut = 200_000;
  const lengths: number[] = [];
  const out: PlottedPoint = { statistic: 0, center: 0, ucl: 0, lcl: 0 };
  for (let r = 0; r < runs; r++) {
    const chart = createChart(c.chart, undefined);
    let t = 0;
    do { t++; chart.plot({ x: truth.mean + truth.sigma * rng.normal(), n: 1, range: 0, sd: 0 }, locked, out); } while (out.statistic <= out.ucl && out.statistic >= out.lcl && t < cut);
    lengths.push(t);
  }
  const mean = lengths.reduce((a, b) => a + b, 0) / runs;
  const se = Math.sqrt(lengths.reduce((a, b) => a + (b - mean) ** 2, 0) / (runs - 1) / runs);
  return { arl: mean, how: `Monte Carlo ± ${se.toFixed(0)} at the locked limits (center ${locked.center.toFixed(3)}, σ̂ ${locked.sigma.toFixed(3)} vs true ${truth.mean}, ${truth.sigma})` };
}

const parseRate = jsonParseRate();
console.log(`bench/false-alarms — ${RULES}, ${RATE} msg/s (≈ ${(RATE / MESSAGES_PER_UNIT).toFixed(0)} boards/s), seed ${SEED}, InfluxDB on; ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}; JSON.parse ${(parseRate / 1e6).toFixed(2)} M/s`);
const free = await simulate(MINUTES);
const locked = await lockedLimits();
const raised = await metricByCharacteristic('spc_alarms_raised_total');
const holds = await metricByCharacteristic('spc_holds_raised_total');
const sent = gatewayAlarms(gatewayOut);
const suppressed = Number(/^spc_alarms_suppressed_total (\d+)$/m.exec(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())?.[1] ?? 0);

console.log(`\nFault-free: ${free.units} boards in ${MINUTES} min.\n`);
console.log('| characteristic | chart, rules (action) | Phase II points | in-control ARL | predicted alarms / holds | raised | at the gateway | holds |');
console.log('|---|---|---|---|---|---|---|---|');
let predictedAll = 0, raisedAll = 0;
for (const c of rules.characteristics) {
  const points = phase2Points(c, free.units);
  const p = inControlArl(c, locked.get(c.id));
  const expected = points / p.arl;
  const holdRules = c.actions?.hold ?? [];
  const isHold = holdRules.length > 0;
  predictedAll += isHold ? 0 : expected;
  raisedAll += raised.get(c.id) ?? 0;
  // A Poisson count's 95% range, so a reader can tell chance from a miscalibrated chart.
  const lo = Math.max(0, expected - 1.96 * Math.sqrt(expected)), hi = expected + 1.96 * Math.sqrt(expected);
  console.log(`| ${c.id} | ${c.chart.type}, ${c.rules.join(' ')} (${isHold ? 'hold' : 'alarm'}) | ${points} | ${p.arl.toFixed(p.arl > 1000 ? 0 : 1)} — ${p.how} | ${expected.toFixed(expected < 1 ? 2 : 1)} ${isHold ? 'holds' : 'alarms'} (95%: ${lo.toFixed(0)}–${hi.toFixed(0)}) | ${raised.get(c.id) ?? 0} | ${sent.get(c.id) ?? 0} | ${holds.get(c.id) ?? 0} |`);
}
for (const a of rules.anomaly ?? []) {
  // The model card's calibration: α = 1/370 per board (its hold-out rate is printed beside it).
  const expected = free.units / 370;
  console.log(`| ${a.id} | Hotelling T² model (${a.action}) | ${free.units} boards | 370 — the model card's calibration | ${expected.toFixed(1)} alarms | ${raised.get(a.id) ?? 0} | ${sent.get(a.id) ?? 0} | ${holds.get(a.id) ?? 0} |`);
}
const floods = (gatewayOut.match(/ALARM FLOOD on/g) ?? []).length;
console.log(`\nAlarms raised ${raisedAll} (charts; predicted ${predictedAll.toFixed(0)}); suppressed by flood control ${suppressed}; floods announced ${floods}; holds ${[...holds.values()].reduce((a, b) => a + b, 0)}.`);

if (FAULT_MINUTES > 0) {
  const before = gatewayOut.length;
  const shift = await simulate(FAULT_MINUTES, 'shift');
  const after = gatewayOut.slice(before);
  const holdLines = after.split('\n').filter((l) => /^.*HOLD .*reflow\.peak_temp/.test(l) && !/HOLD \+/.test(l));
  const peakAlarms = after.split('\n').filter((l) => /\balarm reflow\.peak_temp\.individuals /.test(l));
  console.log(`\nShift run: +1.5σ on reflow.peak_temp from board ${shift.faultUnit} of ${shift.units} (${FAULT_MINUTES} min). At the gateway: ${holdLines.length} new peak-temperature hold(s)${holdLines[0] ? ` — ${holdLines[0].replace(/^.*?HOLD /, 'HOLD ').slice(0, 160)}` : ''}; ${peakAlarms.length} individuals-chart alarm message(s).`);
}
worker.kill('SIGTERM');
gateway.kill('SIGTERM');
process.exit(0);
