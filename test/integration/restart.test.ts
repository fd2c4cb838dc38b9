import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deleteStreams, ensureStreams, sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { jetStreamTransport } from '../../src/adapters/nats/jetstream-transport.js';
import { NatsMembership, NatsStateStore } from '../../src/adapters/nats/state-store.js';
import type { HoldSignal, LifecycleSignal, RuleSetConfig } from '../../src/core/index.js';
import { SpcWorker } from '../../src/service/worker.js';
import { influxLineEncoder } from '../../src/adapters/influx/line-protocol.js';
import { NATS_URL, uniquePrefix, waitFor } from './servers.js';

const prefix = uniquePrefix('restart');
const streams = streamNamesFor(prefix);
let nc: NatsConnection;

beforeAll(async () => { nc = await connect({ servers: NATS_URL }); await ensureStreams(await nc.jetstreamManager(), streams); });
afterAll(async () => { await deleteStreams(await nc.jetstreamManager(), streams); await nc.close(); });

const rules: RuleSetConfig = { version: 1, characteristics: [{
  id: 'torque', match: { line: 'L1', parameter: 'torque' }, chart: { type: 'i-mr' }, limits: { center: 1.2, sigma: 0.02 }, rules: ['we1'], actions: { hold: ['we1'] },
}] };

async function startWorker(name: string) {
  const js = nc.jetstream();
  const signals: LifecycleSignal[] = [];
  const worker = new SpcWorker({
    transport: jetStreamTransport(js, streams), rules, encoder: influxLineEncoder, onSignal: (s) => signals.push(s),
    state: await NatsStateStore.open(js, streams, 1), membership: await NatsMembership.open(js, streams, 1, name, 2000),
    ownershipEveryMs: 200, snapshotEveryMs: 60_000,
  });
  const running = worker.run();
  await waitFor(`${name} owns the partition`, () => (worker.ownedPartitions.length ? true : undefined), 10_000);
  return { worker, signals, running };
}

let n = 0;
async function publish(value: number) {
  n++;
  const sample = { ts: `2026-11-25T03:00:${String(n).padStart(2, '0')}Z`, line: 'L1', station: 'screw', parameter: 'torque', value, unit: `SN${n}`, lot: 'LOT-9' };
  await nc.jetstream().publish(sampleSubject(streams, 'L1', 'screw', 'torque'), new TextEncoder().encode(JSON.stringify(sample)));
}

it('an active hold survives a restart, grows instead of doubling, and a release survives the next one', async () => {
  const a = await startWorker('a');
  await publish(1.5); // beyond 3σ: hold torque#1
  await waitFor('the hold', () => a.signals.find((s) => s.type === 'hold'), 10_000);
  await a.worker.stop(); await a.running;

  const b = await startWorker('b');
  expect(b.worker.holds.activeHolds().map((h) => h.id)).toEqual(['torque#1']);
  // The unit-status interlock is correct at once after the restart (restored with the snapshot).
  expect(b.worker.holds.unitStatus('SN1')).toEqual({ unit: 'SN1', held: true, holds: ['torque#1'] });
  await publish(1.21); // in control, but the hold is latched: SN2 joins it as a suspect
  await waitFor('the suspect', () => b.signals.find((s) => s.type === 'hold' && s.added.includes('SN2') && s.rev === 2 && s.unitCount === 2), 10_000);
  expect(b.signals.filter((s) => s.type === 'hold').map((s) => (s as HoldSignal).id)).toEqual(['torque#1']);
  expect(b.worker.counters).toMatchObject({ messages: 1, replayed: 0, redelivered: 0 });
  expect(b.worker.actions.release('torque#1', { name: 'qa', role: 'quality' }, { reason: 'reflow profile corrected' })).toMatchObject({ type: 'release' });
  await b.worker.stop(); await b.running;

  const c = await startWorker('c');
  expect(c.worker.holds.activeHolds()).toEqual([]);
  await publish(1.5); // a new violation after the release: a new hold, numbered by the point
  await waitFor('the new hold', () => c.signals.find((s) => s.type === 'hold'), 10_000);
  expect(c.signals.filter((s) => s.type === 'hold').map((s) => (s as HoldSignal).id)).toEqual(['torque#3']);
  await c.worker.stop(); await c.running;
});
