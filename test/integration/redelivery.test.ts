import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deleteStreams, ensureStreams, sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { jetStreamTransport } from '../../src/adapters/nats/jetstream-transport.js';
import type { LifecycleSignal, RuleSetConfig } from '../../src/core/index.js';
import { SpcWorker } from '../../src/service/worker.js';
import { NATS_URL, uniquePrefix, waitFor } from './servers.js';

const prefix = uniquePrefix('redeliver');
const streams = streamNamesFor(prefix);
let nc: NatsConnection;

beforeAll(async () => { nc = await connect({ servers: NATS_URL }); });
afterAll(async () => { await deleteStreams(await nc.jetstreamManager(), streams); await nc.close(); });

const rules: RuleSetConfig = { version: 1, characteristics: [{
  id: 'torque', match: { parameter: 'torque' }, chart: { type: 'i-mr' }, limits: { center: 1.2, sigma: 0.02 }, rules: ['we1'], actions: { hold: ['we1'] },
}] };

it('a message redelivered by JetStream after it was processed raises no second hold', async () => {
  // Ack wait of 1 s and commits only every 4 s: JetStream redelivers the message while the worker
  // still holds it unacknowledged, which is what a slow commit or a lost ack looks like.
  await ensureStreams(await nc.jetstreamManager(), streams, { workerAckWaitMs: 1000 });
  const signals: LifecycleSignal[] = [];
  const worker = new SpcWorker({ transport: jetStreamTransport(nc.jetstream(), streams), rules, onSignal: (s) => signals.push(s), commitEvery: { messages: 1_000_000, ms: 4000 } });
  const running = worker.run();
  const sample = { ts: '2026-11-25T03:00:00Z', line: 'L1', station: 'screw', parameter: 'torque', value: 1.5, unit: 'SN42', lot: 'LOT-9' };
  await nc.jetstream().publish(sampleSubject(streams, 'L1', 'screw', 'torque'), new TextEncoder().encode(JSON.stringify(sample)));

  await waitFor('a redelivery', () => (worker.counters.redelivered > 0 ? true : undefined), 10_000);
  await waitFor('the commit', () => (worker.counters.acked >= 2 ? true : undefined), 10_000);
  await worker.stop();
  await running;

  const holds = signals.filter((s) => s.type === 'hold');
  expect(holds).toHaveLength(1);
  expect(holds[0]).toMatchObject({ id: 'torque#1', units: ['SN42'], lots: ['LOT-9'], line: 'L1', station: 'screw' });
  expect(worker.counters.samples).toBe(1);
  expect(worker.counters.points).toBe(1);
  // Nothing left unacknowledged: a new consumer position shows no pending messages.
  const info = await (await nc.jetstreamManager()).consumers.info(streams.samples, streams.workerDurable);
  expect(info.num_ack_pending).toBe(0);
  expect(info.num_pending).toBe(0);
});
