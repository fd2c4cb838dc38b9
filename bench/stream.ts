/**
 * Streaming throughput and hold latency against the real NATS server (and InfluxDB when it runs):
 *  (a) bare JetStream consume + JSON.parse + ack of the messages,
 *  (b) `spc run` end to end on the same messages (1 and 8 samples per message), ratio b/a,
 *  (c) publish → hold on a WebSocket client at a steady 2,000 msg/s: p50 / p99 / p99.9.
 * Run: npm run build && scripts/influxdb.sh start && npm run bench:stream
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, connect, type JetStreamClient, type NatsConnection } from 'nats';
import WebSocket from 'ws';
import { deleteStreams, ensureStreams, sampleSubject, streamNamesFor, type StreamNames } from '../src/adapters/nats/jetstream.js';
import { SeededRandom } from '../src/sim/random.js';
import { freePort } from '../test/integration/servers.js';

const NATS = process.env.SPC_TEST_NATS ?? 'nats://127.0.0.1:4222';
const INFLUX = process.env.SPC_BENCH_INFLUX ?? 'http://127.0.0.1:18086';
const MESSAGES = Number(process.env.SPC_BENCH_MESSAGES ?? 100_000);
const LATENCY_SECONDS = Number(process.env.SPC_BENCH_LATENCY_S ?? 30);
const LATENCY_RATE = 2000;
const enc = new TextEncoder();
const dir = mkdtempSync(join(tmpdir(), 'spc-bench-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const RULES = `version: 1
characteristics:
${Array.from({ length: 50 }, (_, i) => `  - { id: c${i}, match: { parameter: p${i} }, chart: { type: i-mr }, limits: { phase1: 25 }, rules: [nelson1, nelson2, nelson3, nelson5, nelson6], actions: { hold: [nelson1], alarm: [nelson2, nelson3, nelson5, nelson6] } }`).join('\n')}
  - { id: lat, match: { parameter: lat }, chart: { type: i-mr }, limits: { center: 0, sigma: 1 }, rules: [we1], actions: { hold: [we1] } }
`;
writeFileSync(join(dir, 'rules.yaml'), RULES);
writeFileSync(join(dir, 'tokens.yaml'), '- { token: bench-plc-token-0123456789, role: plc }\n');

async function influxUp(): Promise<boolean> { try { return (await fetch(`${INFLUX}/ping`)).status === 204; } catch { return false; } }

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

async function bareConsume(nc: NatsConnection, s: StreamNames, count: number): Promise<number> {
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(s.samples, { durable_name: 'bare', ack_policy: AckPolicy.Explicit, max_ack_pending: 50_000 });
  const c = await nc.jetstream().consumers.get(s.samples, 'bare');
  const started = performance.now();
  let n = 0;
  const msgs = await c.consume({ max_messages: 2000 });
  for await (const m of msgs) { JSON.parse(new TextDecoder().decode(m.data)); m.ack(); if (++n === count) break; }
  return count / ((performance.now() - started) / 1000);
}

function startWorker(prefix: string, port: number, influx: boolean): Promise<{ stop: () => Promise<void>; health: () => Promise<any> }> {
  const args = ['dist/src/cli/main.js', 'run', '--rules', join(dir, 'rules.yaml'), '--tokens', join(dir, 'tokens.yaml'), '--ws-port', String(port), '--nats', NATS, '--prefix', prefix];
  if (influx) args.push('--influx-url', INFLUX, '--influx-db', `bench_${prefix}`); else args.push('--no-influx');
  // SPC_BENCH_NODE_ARGS: e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the worker.
  const child = spawn(process.execPath, ['--max-semi-space-size=64', ...(process.env.SPC_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => { log += d; });
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (log.includes('spc run: ready')) {
        clearInterval(t);
        resolve({
          health: async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).json(),
          stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }),
        });
      }
      if (child.exitCode !== null) { clearInterval(t); reject(new Error(log)); }
    }, 50);
  });
}

async function endToEnd(nc: NatsConnection, perMessage: number, influx: boolean, count: number, port: number): Promise<{ msgs: number; samples: number; rss: number }> {
  const prefix = `bench${perMessage}x${Date.now().toString(36)}`;
  const s = streamNamesFor(prefix);
  await ensureStreams(await nc.jetstreamManager(), s);
  const samples = await publishAll(nc.jetstream(), s, count, perMessage);
  const w = await startWorker(prefix, port, influx);
  // Throughput in the steady state: from when the worker owns its partition (after the lease round).
  while (!(await w.health()).partitions?.length) await sleep(50);
  const started = performance.now();
  let h: any;
  // /healthz allows 30 requests/s per address: poll at 20/s.
  for (;;) { h = await w.health(); if (h.counters?.acked >= count) break; await sleep(50); }
  const seconds = (performance.now() - started) / 1000;
  await w.stop();
  await deleteStreams(await nc.jetstreamManager(), s);
  return { msgs: count / seconds, samples: samples / seconds, rss: 0 };
}

async function latency(nc: NatsConnection, port: number, influx: boolean): Promise<number[]> {
  const prefix = `benchlat${Date.now().toString(36)}`;
  const s = streamNamesFor(prefix);
  await ensureStreams(await nc.jetstreamManager(), s);
  const w = await startWorker(prefix, port, influx);
  // Measure the steady state: from when the worker owns its partition (after the lease round).
  while (!(await w.health()).partitions?.length) await sleep(50);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: 'Bearer bench-plc-token-0123456789' } });
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    if (m.type !== 'hold') return;
    const now = performance.now();
    for (const u of m.added ?? []) { const t = sentAt.get(u); if (t !== undefined) { latencies.push(now - t); sentAt.delete(u); } }
    ws.send(JSON.stringify({ type: 'ack', id: m.id, rev: m.rev }));
  });
  await new Promise((r) => ws.once('open', r));
  const js = nc.jetstream();
  const rng = new SeededRandom(5);
  const total = LATENCY_RATE * LATENCY_SECONDS;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / LATENCY_RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const violating = i % 20 === 0; // 100 holds/s
    const unit = `LAT${i}`;
    const value = violating ? 10 : Math.max(-2.5, Math.min(2.5, rng.normal()));
    if (violating) sentAt.set(unit, performance.now());
    void js.publish(sampleSubject(s, 'L1', 'S1', 'lat'), enc.encode(JSON.stringify({ ts: new Date().toISOString(), line: 'L1', station: 'S1', parameter: 'lat', value, unit })));
  }
  await sleep(1000);
  ws.close();
  await w.stop();
  await deleteStreams(await nc.jetstreamManager(), s);
  return latencies.sort((a, b) => a - b);
}

const nc = await connect({ servers: NATS });
const influx = process.env.SPC_BENCH_INFLUX !== 'off' && await influxUp();
const port = await freePort();
console.log(`bench/stream — ${fmt(MESSAGES)} messages per run; InfluxDB ${influx ? `on (${INFLUX})` : 'off (not running)'}`);
console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}; NATS at ${NATS}`);

if (process.env.SPC_BENCH_ONLY === 'one') {
  const r = await endToEnd(nc, 1, influx, MESSAGES, port);
  console.log(`one: ${fmt(r.msgs)} msg/s`);
  await nc.close();
  process.exit(0);
}
if (process.env.SPC_BENCH_ONLY === 'latency') {
  const l = await latency(nc, port + 2, influx);
  const qq = (p: number) => l[Math.min(l.length - 1, Math.floor(p * l.length))];
  console.log(`latency only: ${l.length} holds, p50 ${qq(0.5).toFixed(2)} ms, p99 ${qq(0.99).toFixed(2)} ms, max ${l[l.length - 1].toFixed(1)} ms`);
  await nc.close();
  process.exit(0);
}
const bareStreams = streamNamesFor(`benchbare${Date.now().toString(36)}`);
await ensureStreams(await nc.jetstreamManager(), bareStreams);
await publishAll(nc.jetstream(), bareStreams, MESSAGES, 1);
const bare = await bareConsume(nc, bareStreams, MESSAGES);
await deleteStreams(await nc.jetstreamManager(), bareStreams);
const one = await endToEnd(nc, 1, influx, MESSAGES, await freePort());
const eight = await endToEnd(nc, 8, influx, Math.round(MESSAGES / 4), await freePort());
const lat = await latency(nc, await freePort(), influx);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
console.log('| measure | value |');
console.log('|---|---|');
console.log(`| (a) bare JetStream consume + parse + ack | ${fmt(bare)} msg/s |`);
console.log(`| (b) spc run, 1 sample/message | ${fmt(one.msgs)} msg/s = ${fmt(one.samples)} samples/s |`);
console.log(`| (b) spc run, 8 samples/message | ${fmt(eight.msgs)} msg/s = ${fmt(eight.samples)} samples/s |`);
console.log(`| ratio b/a (1 sample/message) | ${(one.msgs / bare).toFixed(2)} (goal ≥ 0.8) |`);
console.log(`| (c) publish → hold at ${LATENCY_RATE} msg/s, ${lat.length} holds | p50 ${q(0.5).toFixed(2)} ms, p99 ${q(0.99).toFixed(2)} ms, p99.9 ${q(0.999).toFixed(2)} ms (goal p99 < 20 ms) |`);
await nc.close();
