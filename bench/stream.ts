/**
 * Streaming throughput and hold latency against the real NATS server (and InfluxDB when it runs):
 *  (a) bare JetStream consume + JSON.parse + ack of the messages,
 *  (b) `spc run` end to end on the same messages (1 and 8 samples per message), ratio b/a,
 *  (c) publish → hold on a WebSocket client at a steady 25% of (a), after 5 s of warm-up at that
 *      rate: p50 / p99 / p99.9, with one hold latched and growing on every point, and with 20
 *      characteristics holding at once,
 *  (d) WebSocket bytes per hold update at 100 and at 50,000 units in the hold,
 *  (e) the unit-status check's round trip over the WebSocket with 1,000,000 held units.
 * Beside each rate: CPU µs per message of the consumer (the worker), NATS server and InfluxDB, from
 * /proc — steadier than rates on a machine shared with other work.
 * Run: npm run build && scripts/influxdb.sh start && npm run bench:stream
 *  (c) is printed beside its floor at the same rate: publish → a bare consumer that echoes each unit
 *      on a WebSocket (bench/bare-echo.ts; no SPC), what the machine costs any consumer.
 * Knobs: SPC_BENCH_MESSAGES, SPC_BENCH_ONLY=one|eight|latency|floor (with SPC_BENCH_RATE, SPC_BENCH_HOLDS),
 * SPC_BENCH_STATUS_UNITS (units in the hold for (e)), SPC_BENCH_WORKER_LOG=1 (the worker's log),
 * SPC_BENCH_NODE_ARGS (e.g. --cpu-prof), SPC_BENCH_TIMELINE=1.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AckPolicy, connect, type JetStreamClient, type NatsConnection } from 'nats';
import WebSocket from 'ws';
import { deleteStreams, ensureStreams, sampleSubject, sampleSubjects, streamNamesFor, type StreamNames } from '../src/adapters/nats/jetstream.js';
import { SeededRandom } from '../src/sim/random.js';
import { freePort } from '../test/integration/servers.js';
import { describeParseRate, jsonParseRate } from './machine.js';

const NATS = process.env.SPC_TEST_NATS ?? 'nats://127.0.0.1:4222';
const INFLUX = process.env.SPC_BENCH_INFLUX ?? 'http://127.0.0.1:18086';
const MESSAGES = Number(process.env.SPC_BENCH_MESSAGES ?? 100_000);
const LATENCY_SECONDS = Number(process.env.SPC_BENCH_LATENCY_S ?? 30);
const WARMUP_SECONDS = Number(process.env.SPC_BENCH_WARMUP_S ?? 5);
const enc = new TextEncoder();
const dir = mkdtempSync(join(tmpdir(), 'spc-bench-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const RULES = `version: 1
characteristics:
${Array.from({ length: 50 }, (_, i) => `  - { id: c${i}, match: { parameter: p${i} }, chart: { type: i-mr }, limits: { phase1: 25 }, rules: [nelson1, nelson2, nelson3, nelson5, nelson6], actions: { hold: [nelson1], alarm: [nelson2, nelson3, nelson5, nelson6] } }`).join('\n')}
${Array.from({ length: 20 }, (_, k) => `  - { id: lat${k}, match: { parameter: lat${k} }, chart: { type: i-mr }, limits: { center: 0, sigma: 1 }, rules: [we1], actions: { hold: [we1] } }`).join('\n')}
`;
writeFileSync(join(dir, 'rules.yaml'), RULES);
writeFileSync(join(dir, 'tokens.yaml'), '- { token: bench-plc-token-0123456789, role: plc }\n');

/**
 * CPU seconds a process has used so far (user + system, from /proc; undefined elsewhere). On a
 * machine shared with other work, throughput swings 2× between runs; CPU per message is steadier
 * and says which process pays for it (the worker, NATS server, InfluxDB).
 */
const CLOCK_TICKS = (() => { try { return Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100; } catch { return 100; } })();
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime: fields 14 and 15 of proc(5)
  } catch { return undefined; }
}
/** The pid of a server process by its executable's name (NATS server, InfluxDB), if it runs here. */
function pidOf(name: string): number | undefined {
  try { return Number(execFileSync('pgrep', ['-o', '-x', name]).toString().trim()) || undefined; } catch { return undefined; }
}
/** CPU of the worker and the servers from now: the function returned gives µs per item for each since. */
function cpuMeter(workerPid: number | undefined) {
  const pids = { worker: workerPid, nats: pidOf('nats-server'), influx: pidOf('influxd') };
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  return (items: number) => Object.fromEntries(Object.entries(pids).map(([k, pid]) => {
    const a = start[k], b = cpuSeconds(pid);
    return [k, a === undefined || b === undefined ? undefined : ((b - a) * 1e6) / items];
  })) as Record<'worker' | 'nats' | 'influx', number | undefined>;
}
/** One number per process that has one, e.g. "worker 62, nats 21 µs CPU per message". */
const perProcess = (c: Record<string, number | undefined>, show: (v: number) => string, unit: string) => Object.entries(c).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${show(v!)}`).join(', ') + unit;
const cpuText = (c: Record<string, number | undefined>, per: string) => perProcess(c, fmt, ` µs CPU per ${per}`);
const coresText = (c: Record<string, number | undefined>) => perProcess(c, (v) => v.toFixed(2), ' cores');

async function influxUp(): Promise<boolean> { try { return (await fetch(`${INFLUX}/ping`)).status === 204; } catch { return false; } }
/** Each run writes its own database: dropped after the run, so InfluxDB does not compact old runs during the next. */
async function dropInflux(prefix: string): Promise<void> { await fetch(`${INFLUX}/query?q=${encodeURIComponent(`DROP DATABASE "bench_${prefix}"`)}`, { method: 'POST' }).catch(() => undefined); }

/** Publishes `count` messages of `perMessage` samples each, acknowledged, with a window of 1,000. */
async function publishAll(js: JetStreamClient, s: StreamNames, count: number, perMessage: number): Promise<number> {
  const rng = new SeededRandom(3);
  const pending = new Set<Promise<unknown>>();
  let samples = 0;
  for (let i = 0; i < count; i++) {
    const batch = Array.from({ length: perMessage }, (_, k) => ({ ts: new Date(Date.UTC(2026, 10, 25) + i * 10 + k).toISOString(), line: 'L1', station: 'S1', parameter: `p${(i * perMessage + k) % 50}`, value: 50 + rng.normal(), unit: `SN${i}-${k}`, lot: `LOT${Math.floor(i / 1000)}` }));
    samples += perMessage;
    const p = js.publish(sampleSubject(s, 'L1', 'S1', perMessage === 1 ? batch[0].parameter : 'batch'), enc.encode(JSON.stringify(perMessage === 1 ? batch[0] : batch)));
    pending.add(p); void p.finally(() => pending.delete(p));
    if (pending.size >= 1000) await Promise.race(pending);
  }
  await Promise.all(pending);
  return samples;
}

async function bareConsume(nc: NatsConnection, s: StreamNames, count: number): Promise<{ rate: number; cpu: Record<string, number | undefined> }> {
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(s.samples, { durable_name: 'bare', ack_policy: AckPolicy.Explicit, max_ack_pending: 50_000 });
  const c = await nc.jetstream().consumers.get(s.samples, 'bare');
  const started = performance.now();
  const meter = cpuMeter(process.pid); // this process is the consumer here
  let n = 0;
  const msgs = await c.consume({ max_messages: 2000 });
  for await (const m of msgs) { JSON.parse(new TextDecoder().decode(m.data)); m.ack(); if (++n === count) break; }
  return { rate: count / ((performance.now() - started) / 1000), cpu: meter(count) };
}

function startWorker(prefix: string, port: number, influx: boolean): Promise<{ pid: number | undefined; stop: () => Promise<void>; health: () => Promise<any> }> {
  const args = ['dist/src/cli/main.js', 'run', '--rules', join(dir, 'rules.yaml'), '--tokens', join(dir, 'tokens.yaml'), '--ws-port', String(port), '--nats', NATS, '--prefix', prefix];
  if (influx) args.push('--influx-url', INFLUX, '--influx-db', `bench_${prefix}`); else args.push('--no-influx');
  // SPC_BENCH_NODE_ARGS: e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the worker.
  const child = spawn(process.execPath, ['--max-semi-space-size=64', ...(process.env.SPC_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...args], { stdio: ['ignore', process.env.SPC_BENCH_WORKER_STDOUT ? 'inherit' : 'ignore', 'pipe'] });
  // A run that fails must not leave its worker consuming CPU under the next benchmarks.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  let log = '';
  child.stderr!.on('data', (d) => { log += d; if (process.env.SPC_BENCH_WORKER_LOG) process.stderr.write(d); });
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (log.includes('spc run: ready')) {
        clearInterval(t);
        resolve({
          pid: child.pid,
          health: async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).json(),
          stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }),
        });
      }
      if (child.exitCode !== null) { clearInterval(t); reject(new Error(log)); }
    }, 50);
  });
}

async function endToEnd(nc: NatsConnection, perMessage: number, influx: boolean, count: number, port: number): Promise<{ msgs: number; samples: number; cpu: Record<string, number | undefined> }> {
  const prefix = `bench${perMessage}x${Date.now().toString(36)}`;
  const s = streamNamesFor(prefix);
  await ensureStreams(await nc.jetstreamManager(), s);
  const samples = await publishAll(nc.jetstream(), s, count, perMessage);
  const w = await startWorker(prefix, port, influx);
  // Throughput in the steady state: from when the worker owns its partition (after the lease round).
  while (!(await w.health()).partitions?.length) await sleep(50);
  const started = performance.now();
  const meter = cpuMeter(w.pid);
  let h: any;
  // /healthz allows 30 requests/s per address: poll at 20/s.
  for (;;) { h = await w.health(); if (h.counters?.acked >= count) break; await sleep(50); }
  const seconds = (performance.now() - started) / 1000;
  const cpu = meter(count); // per message
  await w.stop();
  await deleteStreams(await nc.jetstreamManager(), s);
  if (influx) await dropInflux(prefix);
  return { msgs: count / seconds, samples: samples / seconds, cpu };
}

/**
 * Publishes message i (core NATS: the stream stores it) when it is due at `rate` from `begun`, then
 * yields 1 ms: this process also reads the WebSocket, and a publisher that never yields would delay
 * the reading and inflate the latencies it measures. Units after the first `warm` are timed in `sentAt`.
 * Returns the cores each process used meanwhile (`consumer`'s, NATS's, InfluxDB's and this
 * benchmark's own publisher and reader): how much of the machine's two is left.
 */
async function publishAtRate(nc: NatsConnection, consumer: number | undefined, begun: number, rate: number, total: number, warm: number, sentAt: Map<string, number>, publish: (i: number, unit: string) => void) {
  const meter = cpuMeter(consumer), benchCpu = process.cpuUsage();
  for (let i = 0; i < total;) {
    const now = performance.now();
    for (; i < total && begun + (i * 1000) / rate <= now; i++) {
      const unit = i < warm ? `WARM${i}` : `LAT${i}`;
      if (i >= warm) sentAt.set(unit, performance.now());
      publish(i, unit);
    }
    await sleep(1);
  }
  await nc.flush();
  const publishedUs = (performance.now() - begun) * 1000;
  const own = process.cpuUsage(benchCpu);
  return { ...meter(publishedUs), benchmark: (own.user + own.system) / publishedUs };
}

/** Waits while units are still coming back (a consumer that fell behind drains its backlog), at most 120 s. */
async function awaitNamed(sentAt: Map<string, number>): Promise<void> {
  for (let quiet = 0, last = -1, waited = 0; sentAt.size > 0 && quiet < 4 && waited < 120_000; waited += 500) {
    await sleep(500);
    if (sentAt.size === last) quiet++; else { quiet = 0; last = sentAt.size; }
  }
}

/**
 * (c)'s floor, the same run and rate: publish → a bare consumer (bench/bare-echo.ts: ordered
 * consumer, JSON.parse, the unit echoed on a WebSocket; no SPC) → this process. What (c) measures
 * beyond it is the worker's own.
 */
async function bareLatency(nc: NatsConnection, rate: number): Promise<{ lat: number[]; cores: Record<string, number | undefined> }> {
  const s = streamNamesFor(`benchecho${Date.now().toString(36)}`);
  await ensureStreams(await nc.jetstreamManager(), s);
  const port = await freePort();
  const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', fileURLToPath(new URL('./bare-echo.ts', import.meta.url)), NATS, s.samples, sampleSubjects(s), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => { if (String(d).includes('ready')) resolve(); });
    child.once('exit', (code) => reject(new Error(`bench/bare-echo.ts exited (${code})`)));
  });
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  ws.on('message', (d) => {
    const now = performance.now();
    const { unit } = JSON.parse(d.toString()) as { unit: string };
    const t = sentAt.get(unit);
    if (t !== undefined) { lat.push(now - t); sentAt.delete(unit); }
  });
  await new Promise((r) => ws.once('open', r));
  const rng = new SeededRandom(5);
  const warm = Math.round(rate * WARMUP_SECONDS);
  const total = warm + Math.round(rate * LATENCY_SECONDS);
  const subject = sampleSubject(s, 'L1', 'S1', 'lat0');
  const begun = performance.now();
  const { worker, nats, benchmark } = await publishAtRate(nc, child.pid, begun, rate, total, warm, sentAt, (_, unit) => nc.publish(subject, enc.encode(JSON.stringify({ ts: new Date().toISOString(), line: 'L1', station: 'S1', parameter: 'lat0', value: rng.normal(), unit }))));
  await awaitNamed(sentAt);
  ws.close();
  child.kill('SIGTERM');
  process.off('exit', kill);
  await deleteStreams(await nc.jetstreamManager(), s);
  if (sentAt.size) throw new Error(`bare echo: ${sentAt.size} units never came back`);
  return { lat: lat.sort((a, b) => a - b), cores: { consumer: worker, nats, benchmark } };
}

/**
 * (c) publish → hold: at a steady `rate`, every unit published on a held characteristic must come
 * back named in a hold revision; latency per unit. `holds` characteristics are held from their
 * first sample (one hold latched and growing on every point, or 20 at once). With one hold it
 * also measures (d) the bytes of a revision at 100 and at 50,000 units, and (e) the unit-status
 * check's round trip once the hold names `statusUnits` units.
 */
async function latency(nc: NatsConnection, port: number, influx: boolean, rate: number, holds: number, statusUnits = 0) {
  const prefix = `benchlat${holds}x${Date.now().toString(36)}`;
  const s = streamNamesFor(prefix);
  await ensureStreams(await nc.jetstreamManager(), s);
  const w = await startWorker(prefix, port, influx);
  // Measure the steady state: from when the worker owns its partition (after the lease round).
  while (!(await w.health()).partitions?.length) await sleep(50);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const bytesAt = new Map<number, number>();
  const latestRev = new Map<string, number>();
  // SPC_BENCH_TIMELINE=1: the worst latency of each second's units (is it a start-up burst, or periodic?).
  const timeline: number[] | undefined = process.env.SPC_BENCH_TIMELINE ? [] : undefined;
  let started = performance.now();
  let unitCount = 0;
  const status: ((m: any) => void)[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: 'Bearer bench-plc-token-0123456789' } });
  ws.on('message', (d) => {
    const text = d.toString();
    const m = JSON.parse(text);
    if (m.type === 'status') { status.shift()?.(m); return; }
    if (m.type !== 'hold' || m.resent) return;
    const now = performance.now();
    for (const u of m.added) { const t = sentAt.get(u); if (t !== undefined) { latencies.push(now - t); sentAt.delete(u); if (timeline) { const sec = Math.floor((t - started) / 1000); timeline[sec] = Math.max(timeline[sec] ?? 0, now - t); } } }
    latestRev.set(m.id, m.rev);
    unitCount = Math.max(unitCount, m.unitCount);
    for (const at of [100, 50_000]) if (m.unitCount >= at && !bytesAt.has(at) && m.added.length === 1) bytesAt.set(at, Buffer.byteLength(text));
  });
  await new Promise((r) => ws.once('open', r));
  // A PLC acknowledges by rev: every 100 ms the latest revision of each hold.
  const acker = setInterval(() => { for (const [id, rev] of latestRev) ws.send(JSON.stringify({ type: 'ack', id, rev })); latestRev.clear(); }, 100);
  const rng = new SeededRandom(5);
  // The first WARMUP_SECONDS at the same rate are not measured: the steady state is (JIT, pools).
  const warm = Math.round(rate * WARMUP_SECONDS);
  const total = warm + Math.round(rate * LATENCY_SECONDS);
  const subject = (k: number) => sampleSubject(s, 'L1', 'S1', `lat${k}`);
  const body = (k: number, value: number, unit: string) => enc.encode(JSON.stringify({ ts: new Date().toISOString(), line: 'L1', station: 'S1', parameter: `lat${k}`, value, unit }));
  for (let k = 0; k < holds; k++) nc.publish(subject(k), body(k, 10, `FIRST${k}`)); // beyond the limits: each characteristic held from here on
  await sleep(200);
  const begun = performance.now();
  started = begun + WARMUP_SECONDS * 1000;
  const cores = await publishAtRate(nc, w.pid, begun, rate, total, warm, sentAt, (i, unit) => nc.publish(subject(i % holds), body(i % holds, Math.max(-2.5, Math.min(2.5, rng.normal())), unit)));
  // Every unit is named once the worker has caught up (its latencies say by how much it fell
  // behind). A unit still missing then was processed and never named.
  await awaitNamed(sentAt);
  await sleep(500);
  // The worker's own view: time from storage in JetStream to processing (its /metrics histogram).
  const buckets = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n').filter((l) => l.startsWith('spc_message_latency_seconds_bucket')).map((l) => [Number(/le="([^"]+)"/.exec(l)![1]), Number(l.split(' ').pop())] as [number, number]);
  const all = buckets.at(-1)?.[1] ?? 0;
  if (process.env.SPC_BENCH_BUCKETS) console.log(buckets.map(([le, n]) => `${le}:${(n / all).toFixed(4)}`).join(" "));
  // "+Inf" is the bucket past the largest finite bound: say so rather than print NaN.
  const p99Bucket = buckets.find(([, n]) => n >= 0.99 * all);
  const workerP99 = p99Bucket && (Number.isFinite(p99Bucket[0]) ? p99Bucket[0] : `> ${buckets.filter(([le]) => Number.isFinite(le)).at(-1)?.[0]}`);
  const missing = sentAt.size;
  let check: number[] = [];
  clearInterval(acker);
  ws.close(); // the bulk below is too fast for this client to read: it would be disconnected as a slow reader
  const bulkFrom = unitCount;
  // (e) needs held units to check beyond those (c) named: at least 10,000 more.
  if (statusUnits) statusUnits = Math.max(statusUnits, unitCount + 10_000);
  if (statusUnits > unitCount) {
    // Grow the hold to `statusUnits` units with batch messages, then time the interlock.
    const before = (await w.health()).counters.samples;
    for (let i = unitCount; i < statusUnits; i += 8) {
      const batch = Array.from({ length: 8 }, (_, k) => ({ ts: new Date().toISOString(), line: 'L1', station: 'S1', parameter: 'lat0', value: 0, unit: `BULK${i + k}` }));
      nc.publish(sampleSubject(s, 'L1', 'S1', 'lat0'), enc.encode(JSON.stringify(batch)));
      if (i % 8000 === 0) await nc.flush();
    }
    await nc.flush();
    const want = before + Math.ceil((statusUnits - unitCount) / 8) * 8;
    while ((await w.health()).counters?.samples < want) await sleep(500);
    // And until the last bulk unit is held: a worker that lost its lease under load replays from
    // its snapshot, and its counter may pass `want` before the replay reaches the end.
    const last = `BULK${unitCount + 8 * Math.floor((statusUnits - unitCount - 1) / 8) + 7}`;
    const auth = { headers: { Authorization: 'Bearer bench-plc-token-0123456789' } };
    for (let tries = 0; !((await (await fetch(`http://127.0.0.1:${port}/api/units/${last}/status`, auth)).json()) as { held?: boolean }).held; tries++) {
      if (tries > 120) throw new Error(`${last} was never held`);
      await sleep(500);
    }
    unitCount = statusUnits;
  }
  if (statusUnits) {
    const checker = new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: 'Bearer bench-plc-token-0123456789' } });
    checker.on('message', (d) => { const m = JSON.parse(d.toString()); if (m.type === 'status') status.shift()?.(m); });
    await new Promise((r) => checker.once('open', r));
    let held = 0;
    for (let i = 0; i < 10_000; i++) {
      const unit = i % 2 ? `BULK${bulkFrom + ((i * 7919) % (statusUnits - bulkFrom - 8))}` : `NEVER${i}`; // half held, half never seen
      const t = performance.now();
      const answer = await new Promise<any>((resolve) => { status.push(resolve); checker.send(JSON.stringify({ type: 'check', unit, ref: i })); });
      check.push(performance.now() - t);
      if (answer.held !== (i % 2 === 1)) throw new Error(`status of ${unit} is wrong: ${JSON.stringify(answer)}`);
      held += answer.held ? 1 : 0;
    }
    if (held !== 5000) throw new Error(`${held} of 5,000 held units answered as held`);
    check = check.sort((a, b) => a - b);
    checker.close();
  }
  if (timeline) console.log(`worst latency per second, ms: ${timeline.map((t) => Math.round(t)).join(' ')}`);
  await w.stop();
  await deleteStreams(await nc.jetstreamManager(), s);
  if (influx) await dropInflux(prefix);
  return { lat: latencies.sort((a, b) => a - b), missing, bytesAt, unitCount, check, workerP99, cores };
}

const nc = await connect({ servers: NATS });
const influx = process.env.SPC_BENCH_INFLUX !== 'off' && await influxUp();
const port = await freePort();
console.log(`bench/stream — ${fmt(MESSAGES)} messages per run; InfluxDB ${influx ? `on (${INFLUX})` : 'off (not running)'}`);
console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}; NATS at ${NATS}`);

const q = (l: number[], p: number) => l[Math.min(l.length - 1, Math.floor(p * l.length))].toFixed(2);
const pct = (l: number[]) => `p50 ${q(l, 0.5)} ms, p99 ${q(l, 0.99)} ms, p99.9 ${q(l, 0.999)} ms`;
if (process.env.SPC_BENCH_ONLY === 'latency' || process.env.SPC_BENCH_ONLY === 'floor') {
  const at = Number(process.env.SPC_BENCH_RATE ?? 13000);
  const floor = await bareLatency(nc, at);
  console.log(`floor (bare consume + parse + WebSocket echo) at ${fmt(at)} msg/s: ${floor.lat.length} units, ${pct(floor.lat)}; while publishing: ${coresText(floor.cores)}`);
  if (process.env.SPC_BENCH_ONLY === 'latency') {
    // SPC_BENCH_HOLDS: characteristics held at once (1: one latched hold growing on every point).
    const r = await latency(nc, await freePort(), influx, at, Number(process.env.SPC_BENCH_HOLDS ?? 1));
    const l = r.lat;
    console.log(`latency: ${l.length} units, p50 ${l[l.length >> 1].toFixed(2)} p90 ${l[Math.floor(l.length * 0.9)].toFixed(2)} p99 ${l[Math.floor(l.length * 0.99)].toFixed(2)} max ${l[l.length - 1].toFixed(1)} ms; worker: stored → processed p99 ≤ ${r.workerP99} s; while publishing: ${coresText(r.cores)}`);
  }
  await nc.close();
  process.exit(0);
}
if (process.env.SPC_BENCH_ONLY === 'one' || process.env.SPC_BENCH_ONLY === 'eight') {
  const per = process.env.SPC_BENCH_ONLY === 'one' ? 1 : 8;
  const r = await endToEnd(nc, per, influx, per === 1 ? MESSAGES : Math.round(MESSAGES / 4), port);
  console.log(`${per} per message: ${fmt(r.msgs)} msg/s = ${fmt(r.samples)} samples/s; ${cpuText(r.cpu, 'message')}`);
  await nc.close();
  process.exit(0);
}
// (a) three times, the median: one 2-second measurement swings 2–4× with what else the machine does.
const bareRuns: Awaited<ReturnType<typeof bareConsume>>[] = [];
for (let k = 0; k < 3; k++) {
  const bareStreams = streamNamesFor(`benchbare${k}${Date.now().toString(36)}`);
  await ensureStreams(await nc.jetstreamManager(), bareStreams);
  await publishAll(nc.jetstream(), bareStreams, MESSAGES, 1);
  bareRuns.push(await bareConsume(nc, bareStreams, MESSAGES));
  await deleteStreams(await nc.jetstreamManager(), bareStreams);
}
const bares = bareRuns.map((r) => r.rate).sort((x, y) => x - y);
const bare = bares[1];
const bareCpu = bareRuns.find((r) => r.rate === bare)!.cpu;
const one = await endToEnd(nc, 1, influx, MESSAGES, await freePort());
const eight = await endToEnd(nc, 8, influx, Math.round(MESSAGES / 4), await freePort());
const rate = Math.round(bare / 4);
// SPC_BENCH_STATUS_UNITS: units the hold grows to before (e) (default 1,000,000; fewer for a quick look).
const floor = await bareLatency(nc, rate);
const latched = await latency(nc, await freePort(), influx, rate, 1, Number(process.env.SPC_BENCH_STATUS_UNITS ?? 1_000_000));
const twenty = await latency(nc, await freePort(), influx, rate, 20);
console.log(describeParseRate(jsonParseRate()));
console.log('| measure | value |');
console.log('|---|---|');
console.log(`| (a) bare JetStream consume + parse + ack (median of ${bares.map(fmt).join(', ')}) | ${fmt(bare)} msg/s; ${cpuText({ consumer: bareCpu.worker, nats: bareCpu.nats }, 'message')} |`);
console.log(`| (b) spc run, 1 sample/message | ${fmt(one.msgs)} msg/s = ${(one.msgs / bare).toFixed(2)} × a (goal ≥ 0.8); ${cpuText(one.cpu, 'message')} |`);
console.log(`| (b) spc run, 8 samples/message | ${fmt(eight.samples)} samples/s = ${(eight.samples / bare).toFixed(2)} × a's msg/s (goal ≥ 5); ${cpuText(eight.cpu, 'message')} |`);
console.log(`| (c) floor: publish → a bare consumer (ordered consumer, JSON.parse, the unit echoed on a WebSocket; no SPC) at ${fmt(rate)} msg/s for ${LATENCY_SECONDS} s | ${pct(floor.lat)}; ${coresText(floor.cores)} |`);
console.log(`| (c) publish → hold at ${fmt(rate)} msg/s (25% of a) for ${LATENCY_SECONDS} s, one hold latched and growing on every point (${fmt(latched.lat.length)} units, ${latched.missing} never named) | ${pct(latched.lat)}; worker stored → processed p99 ≤ ${latched.workerP99} s; ${coresText(latched.cores)} (goal p99 < 20 ms) |`);
console.log(`| (c) the same with 20 characteristics holding at once (${fmt(twenty.lat.length)} units, ${twenty.missing} never named) | ${pct(twenty.lat)}; worker stored → processed p99 ≤ ${twenty.workerP99} s; ${coresText(twenty.cores)} |`);
console.log(`| (d) WebSocket bytes per hold update at 100 / 50,000 units in the hold | ${latched.bytesAt.get(100)} / ${latched.bytesAt.get(50_000)} bytes |`);
console.log(`| (e) unit-status check over the WebSocket, hold of ${fmt(latched.unitCount)} units, 10,000 checks | ${pct(latched.check)} |`);
await nc.close();
