/**
 * Recovery time for 100,000 characteristics: how long a worker that takes over (after a crash or
 * from a dead peer) needs before it processes again — build the engine from the rules, fetch the
 * partition snapshots from NATS (object store), restore every characteristic. Goal < 5 s.
 * Needs NATS with JetStream on 127.0.0.1:4222.   Run: npm run bench:recovery
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { connect } from 'nats';
import { deleteStreams, ensureStreams, stateBuckets, streamNamesFor } from '../src/adapters/nats/jetstream.js';
import { NatsStateStore } from '../src/adapters/nats/state-store.js';
import { AlarmLifecycle, HoldBook, partitionOf, SpcEngine, subjectToken, type CharacteristicConfig, type RuleSetConfig } from '../src/core/index.js';
import { InProcessTransport } from '../src/service/in-process-transport.js';
import { capturePartition } from '../src/service/ownership.js';
import { SpcWorker } from '../src/service/worker.js';
import { influxLineEncoder } from '../src/adapters/influx/line-protocol.js';
import { SeededRandom } from '../src/sim/random.js';

const CHARACTERISTICS = 100_000;
const child = process.argv[2] === '--recover';
const LINES = 100;
const NATS = process.env.SPC_NATS_URL ?? 'nats://127.0.0.1:4222';
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const characteristics: CharacteristicConfig[] = Array.from({ length: CHARACTERISTICS }, (_, i) => ({
  id: `c${i}`, match: { line: `L${i % LINES}`, station: `S${i % 50}`, parameter: `p${i}` },
  chart: { type: 'i-mr' }, limits: { phase1: 25 },
  rules: ['nelson1', 'nelson2', 'nelson3', 'nelson4', 'nelson5', 'nelson6', 'nelson7', 'nelson8'],
  actions: { hold: ['nelson1'], alarm: ['nelson2', 'nelson3', 'nelson4', 'nelson5', 'nelson6', 'nelson7', 'nelson8'] },
}));
const rules: RuleSetConfig = { version: 1, characteristics };

if (child) {
  // A fresh process, as after a crash: from its start (Node included) until it owns every partition.
  const [prefix, partitions] = [process.argv[3], Number(process.argv[4])];
  const nc = await connect({ servers: NATS });
  const streams = streamNamesFor(prefix);
  const ready = performance.now();
  const store = await NatsStateStore.open(nc.jetstream(), streams, partitions);
  let fetchMs = 0;
  const timedStore = Object.assign(Object.create(store) as NatsStateStore, {
    loadSnapshot: async (p: number) => { const t1 = performance.now(); const s = await store.loadSnapshot(p); fetchMs += performance.now() - t1; return s; },
  });
  const worker = new SpcWorker({ transport: new InProcessTransport(), rules, encoder: influxLineEncoder, partitions, state: timedStore, onSignal: () => {}, snapshotEveryMs: 3_600_000 });
  const built = performance.now();
  const running = worker.run();
  while (worker.ownedPartitions.length < partitions) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.timeOrigin + performance.now() - Number(process.env.SPC_BENCH_T0)) / 1000;
  const inProcess = (performance.now() - ready) / 1000;
  process.stdout.write(JSON.stringify({ seconds, inProcess, engine: (built - ready) / 1000, fetch: fetchMs / 1000, startup: (performance.timeOrigin + ready - Number(process.env.SPC_BENCH_T0)) / 1000, summary: worker.engine.summaryOf('c12345'), holds: worker.holds.activeHolds().length }) + '\n');
  await worker.stop(); await running; await nc.close();
  process.exit(0);
}

// Every characteristic past Phase I (limits locked) with live rule runs: 30 points each.
const engine = new SpcEngine(rules);
const holds = new HoldBook();
const alarms = new AlarmLifecycle({ maxAlarms: Number.MAX_SAFE_INTEGER, windowMs: 1 });
const rng = new SeededRandom(7);
let t = process.hrtime.bigint();
for (let k = 0; k < 30; k++) {
  for (let i = 0; i < CHARACTERISTICS; i++) {
    const line = `L${i % LINES}`, station = `S${i % 50}`;
    engine.process({ ts: '2026-11-25T06:00:00Z', line, station, parameter: `p${i}`, value: 50 + rng.normal(), unit: `SN${k}-${i}`, lot: 'LOT1' }, (p) => {
      for (const s of holds.apply(p, { line, station })) alarms.onSignal(s, 0);
    });
  }
}
const warmSeconds = Number(process.hrtime.bigint() - t) / 1e9;

const nc = await connect({ servers: NATS });
console.log(`bench/recovery — ${fmt(CHARACTERISTICS)} I-MR characteristics (nelson1..8) on ${LINES} lines, each past Phase I (${warmSeconds.toFixed(1)} s to build)`);
console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}; NATS ${nc.info?.version} on ${NATS}`);
console.log('| partitions | snapshots | capture + save | recovery in a new process: rules → engine → snapshots → restored | process start (npx tsx, before it) | goal < 5 s |');
console.log('|---|---|---|---|---|---|');

for (const partitions of (process.env.SPC_BENCH_PARTITIONS ?? '1,8').split(',').map(Number)) {
  const prefix = `benchrec${partitions}${Date.now().toString(36)}`;
  const streams = streamNamesFor(prefix);
  await ensureStreams(await nc.jetstreamManager(), streams);
  const js = nc.jetstream();
  const store = await NatsStateStore.open(js, streams, partitions);
  const partOf = (line: string) => partitionOf(subjectToken(line), partitions);
  const lineOfId = new Map(characteristics.map((c) => [c.id, c.match.line!]));
  let bytes = 0;
  await new Promise((r) => setTimeout(r, 100));
  t = process.hrtime.bigint();
  for (let p = 0; p < partitions; p++) {
    const snap = capturePartition({ engine, holds, alarms }, { partition: p, partitions, seq: 1 }, (id) => partOf(lineOfId.get(id)!) === p, (line) => partOf(line) === p);
    await store.saveSnapshot(snap);
  }
  const saveSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  bytes = (await (await nc.jetstreamManager()).streams.info(stateBuckets(streams).snapshots)).state.bytes;

  // Recovery, as `spc run` does it on start, in a new process: rules → engine → snapshots fetched → restored.
  const t0 = Date.now();
  const out = execFileSync('npx', ['tsx', '--max-old-space-size=8192', '--max-semi-space-size=64', 'bench/recovery.ts', '--recover', prefix, String(partitions)], { encoding: 'utf8', env: { ...process.env, SPC_BENCH_T0: String(t0) } });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { seconds: number; inProcess: number; engine: number; fetch: number; startup: number; summary: unknown; holds: number };
  // Check: the restored state is the one saved.
  if (JSON.stringify(r.summary) !== JSON.stringify(engine.summaryOf('c12345'))) throw new Error('restored state differs from the saved state');
  if (r.holds !== holds.activeHolds().length) throw new Error('restored holds differ');
  console.log(`| ${partitions} | ${(bytes / 1e6).toFixed(1)} MB | ${saveSeconds.toFixed(2)} s | ${r.inProcess.toFixed(2)} s (engine ${r.engine.toFixed(2)} s, fetch + parse ${r.fetch.toFixed(2)} s, restore ${(r.inProcess - r.engine - r.fetch).toFixed(2)} s) | ${r.startup.toFixed(2)} s | ${r.inProcess < 5 ? 'met' : 'NOT met'} |`);
  if (!process.env.SPC_BENCH_KEEP) await deleteStreams(await nc.jetstreamManager(), streams);
  else console.log('kept', prefix);
}
await nc.close();
