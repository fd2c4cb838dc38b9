import { connect, type NatsConnection } from 'nats';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deleteStreams, ensureStreams, sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { jetStreamTransport } from '../../src/adapters/nats/jetstream-transport.js';
import { NatsMembership, NatsStateStore } from '../../src/adapters/nats/state-store.js';
import type { RuleSetConfig } from '../../src/core/index.js';
import { startService } from '../../src/cli/service.js';
import { NATS_URL, uniquePrefix, waitFor } from './servers.js';

// What a gateway is told while a worker does not (yet, or any more) own its line's partition:
// after a restart the holds come back only once the partition is restored, and after a hand-over
// they live in another worker. Until then its heartbeats say unhealthy and its unit checks answer
// held; when the partition is restored the client gets a fresh snapshot naming the restored holds.
// Found by a review: a reconnecting gateway got an empty snapshot, healthy heartbeats and "not
// held", and never heard of the restored hold's earlier units; the old owner went on answering.
let nc: NatsConnection;
const prefixes: string[] = [];
beforeAll(async () => { nc = await connect({ servers: NATS_URL }); });
afterAll(async () => { for (const p of prefixes) await deleteStreams(await nc.jetstreamManager(), streamNamesFor(p)); await nc.close(); });

const torque = (line: string) => ({ id: `torque-${line}`, match: { line, parameter: 'torque' }, chart: { type: 'i-mr' as const }, limits: { center: 1.2, sigma: 0.02 }, rules: ['we1' as const], actions: { hold: ['we1' as const] } });
async function fresh(name: string) {
  const prefix = uniquePrefix(name);
  prefixes.push(prefix);
  const streams = streamNamesFor(prefix);
  await ensureStreams(await nc.jetstreamManager(), streams);
  let n = 0;
  const publish = async (line: string, value: number) => {
    n++;
    await nc.jetstream().publish(sampleSubject(streams, line, 'screw', 'torque'), new TextEncoder().encode(JSON.stringify({ ts: `2026-11-25T03:00:${String(n).padStart(2, '0')}Z`, line, station: 'screw', parameter: 'torque', value, unit: `${line}-SN${n}` })));
    return `${line}-SN${n}`;
  };
  const start = async (worker: string, rules: RuleSetConfig, tokens: { token: string; role: 'plc'; lines?: string[] }[], partitions: number, ownershipEveryMs: number) => {
    const js = nc.jetstream();
    return startService({
      rulesPath: 'rules', rules, tokens, transport: jetStreamTransport(js, streams), anomalies: [], unknown: 'count', flood: { maxAlarms: 1000, windowMs: 1000 }, heartbeatMs: 100, host: '127.0.0.1', port: 0, log: () => {},
      partitions, state: await NatsStateStore.open(js, streams, partitions), membership: await NatsMembership.open(js, streams, partitions, worker, 4000), ownershipEveryMs, snapshotEveryMs: 60_000,
    });
  };
  return { publish, start };
}
function plc(port: number, token: string) {
  const got: any[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: `Bearer ${token}` } });
  ws.on('message', (d) => { const m = JSON.parse(d.toString()); got.push(m); if (m.type === 'hold') ws.send(JSON.stringify({ type: 'ack', id: m.id, rev: m.rev })); });
  return { ws, got, open: new Promise((r) => ws.once('open', r)) };
}

it('a gateway connecting to a restarted worker before its partition is restored: unhealthy, units answered held; then a snapshot naming the restored hold', async () => {
  const { publish, start } = await fresh('ownsig');
  const tokens = [{ token: 'plc-L1-token-0123456789', role: 'plc' as const, lines: ['L1'] }];
  const rules: RuleSetConfig = { version: 1, characteristics: [torque('L1')] };
  const a = await start('a', rules, tokens, 1, 1000);
  await waitFor('a owns its partition', () => (a.worker.ownedPartitions.length ? true : undefined), 10_000);
  const first = await publish('L1', 1.5); // hold torque-L1#1
  await waitFor('the hold', () => (a.worker.holds.activeHolds().length ? true : undefined), 10_000);
  await a.close();

  const b = await start('b', rules, tokens, 1, 1000); // takes the partition one ownership period after it starts
  const c = plc(b.port, tokens[0].token);
  await c.open;
  c.ws.send(JSON.stringify({ type: 'check', unit: first, ref: 1 }));
  const status = await waitFor('the answer', () => c.got.find((m) => m.type === 'status'));
  const snapshot = c.got.find((m) => m.type === 'snapshot');
  // The window this test is about: b takes its partition one ownership period (1 s) after it starts.
  expect(b.worker.ownedPartitions).toEqual([]);
  expect(snapshot.healthy).toBe(false);
  expect(status).toMatchObject({ unit: first, held: true });
  expect(status.unsure.join(' ')).toMatch(/does not own line\(s\) L1/);
  expect(c.got.filter((m) => m.type === 'heartbeat').every((h) => h.healthy === false)).toBe(true);
  // Restored: a new snapshot names the hold and its first unit, and the heartbeats turn healthy.
  const restored = await waitFor('a healthy snapshot with the restored hold', () => c.got.find((m) => m.type === 'snapshot' && m.healthy === true), 10_000);
  expect(restored.holds.flatMap((h: any) => h.units)).toContain(first);
  await waitFor('a healthy heartbeat', () => c.got.find((m) => m.type === 'heartbeat' && m.healthy === true), 5000);
  c.ws.send(JSON.stringify({ type: 'check', unit: first, ref: 2 }));
  expect(await waitFor('the second answer', () => c.got.find((m) => m.type === 'status' && m.ref === 2))).toEqual({ type: 'status', ref: 2, unit: first, held: true, holds: ['torque-L1#1'] });
  c.ws.close();
  await b.close();
}, 60_000);

it('after a hand-over the old owner forgets the moved lines\' holds, answers their units held (unsure) and says it no longer vouches for them', async () => {
  const { publish, start } = await fresh('ownsigho');
  const lines = ['L1', 'L2', 'L3', 'L4'];
  const tokens = [{ token: 'plc-all-token-0123456789', role: 'plc' as const }];
  const rules: RuleSetConfig = { version: 1, characteristics: lines.map(torque) };
  const a = await start('a', rules, tokens, 2, 300);
  await waitFor('a owns both partitions', () => (a.worker.ownedPartitions.length === 2 ? true : undefined), 10_000);
  for (const l of lines) await publish(l, 1.5);
  await waitFor('4 holds', () => (a.worker.holds.activeHolds().length === 4 ? true : undefined), 10_000);
  const c = plc(a.port, tokens[0].token);
  await c.open;
  const b = await start('b', rules, tokens, 2, 300);
  await waitFor('b takes one partition', () => (b.worker.ownedPartitions.length === 1 && a.worker.ownedPartitions.length === 1 ? true : undefined), 15_000);
  const moved = b.worker.holds.activeHolds().map((h) => h.line);
  expect(moved.length).toBe(2);
  expect(a.worker.holds.activeHolds().map((h) => h.line).filter((l) => moved.includes(l))).toEqual([]); // forgotten by the old owner
  const unit = await publish(moved[0], 1.21); // a suspect unit of a moved line, processed by b
  await waitFor('b names it', () => (b.worker.holds.unitStatus(unit).held ? true : undefined), 10_000);
  c.ws.send(JSON.stringify({ type: 'check', unit, ref: 1 }));
  const status = await waitFor('the old owner\'s answer', () => c.got.find((m) => m.type === 'status'));
  expect(status).toMatchObject({ unit, held: true });
  expect(status.unsure.join(' ')).toMatch(/owns 1 of 2 partition/);
  // The client was sent a fresh snapshot without the moved holds, and unhealthy heartbeats.
  const last = await waitFor('a snapshot after the hand-over', () => c.got.filter((m) => m.type === 'snapshot').at(-1)?.holds.length === 2 ? c.got.filter((m) => m.type === 'snapshot').at(-1) : undefined);
  expect(last.healthy).toBe(false);
  await waitFor('an unhealthy heartbeat', () => c.got.find((m) => m.type === 'heartbeat' && m.healthy === false && m.problems.some((p: string) => /owns 1 of 2/.test(p))), 5000);
  c.ws.close();
  await b.close(); await a.close();
}, 90_000);
