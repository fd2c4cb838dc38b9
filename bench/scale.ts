/**
 * Scale-out: throughput of 1, 2 and 3 `spc run` workers sharing one stream by partition (line).
 * 8 lines' worth of recorded samples is in the stream first; the workers are started together
 * and the clock runs from their start (process start and the partition sharing included) until
 * every message is processed and committed. InfluxDB off (its lines stay in the outbox), no genealogy store.
 * Needs NATS with JetStream on 127.0.0.1:4222 and a build.   Run: npm run bench:scale
 */
import { cpus } from 'node:os';
import { connect } from 'nats';
import { deleteStreams, ensureStreams, streamNamesFor } from '../src/adapters/nats/jetstream.js';
import { readSamples, republish, simulate, startWorker, stopWorker, workspace, type Worker } from '../test/faults/harness.js';

const NATS = process.env.SPC_NATS_URL ?? 'nats://127.0.0.1:4222';
const LINES = 8, UNITS = 2500, PARTITIONS = 12;
const nc = await connect({ servers: NATS });
const ws = workspace(LINES);
const source = `benchscalesrc${Date.now().toString(36)}`;
const messages = simulate(NATS, source, LINES, UNITS);
const input = await readSamples(nc, source);
await deleteStreams(await nc.jetstreamManager(), streamNamesFor(source));

console.log(`bench/scale — ${messages.toLocaleString('en-US')} messages (1 sample each) on ${LINES} lines, ${PARTITIONS} partitions, rules: 7 charts × ${LINES} lines`);
console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}; NATS ${nc.info?.version} on the same machine`);
console.log('| workers | messages/s (all workers, from process start) | time | partitions per worker at the end |');
console.log('|---|---|---|---|');
for (const count of [1, 2, 3]) {
  const prefix = `benchscale${count}${Date.now().toString(36)}`;
  await ensureStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
  // The backlog is in the stream first, so the publisher (on the same 2 cores) does not set the pace.
  await republish(nc, prefix, input, 1e9);
  const started = Date.now();
  const workers: Worker[] = await Promise.all(Array.from({ length: count }, (_, i) => startWorker(ws, { nats: NATS, prefix, partitions: PARTITIONS, id: `bench-w${i}`, snapshotEvery: '30s' })));
  let owned: number[][] = [];
  for (;;) {
    const h = await Promise.all(workers.map((w) => w.health()));
    owned = h.map((x) => x.partitions as number[]);
    if (h.reduce((a, x) => a + (x.counters.acked as number), 0) >= messages) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`| ${count} | ${Math.round(messages / seconds).toLocaleString('en-US')} | ${seconds.toFixed(1)} s | ${owned.map((p) => p.length).join(' / ')} |`);
  for (const w of workers) await stopWorker(w);
  await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
}
await nc.close();
