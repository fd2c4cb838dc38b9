import { afterEach, expect, it } from 'vitest';
import { partitionOf, type RuleSetConfig } from '../../src/core/index.js';
import type { Membership } from '../../src/ports/state.js';
import { InProcessTransport } from '../../src/service/in-process-transport.js';
import { SpcWorker } from '../../src/service/worker.js';
import { influxLineEncoder } from '../../src/adapters/influx/line-protocol.js';

// A lease round that runs late (a busy event loop, a slow NATS) must not let the worker go on
// processing a partition whose lease may have lapsed: another worker may own it by now.

const rules: RuleSetConfig = { version: 1, characteristics: [{ id: 'torque-L1', match: { line: 'L1', parameter: 'torque' }, chart: { type: 'i-mr' }, limits: { center: 1.2, sigma: 0.02 }, rules: ['we1'] }] };
const TTL_MS = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Leases that are always granted, until `hang()`: renewals then wait for `answer(ok)`. */
class LateMembership implements Membership {
  readonly workerId = 'w1';
  readonly ttlMs = TTL_MS;
  private gate: Promise<boolean> | undefined;
  private open: ((ok: boolean) => void) | undefined;
  private lost = false;
  async heartbeat() { return ['w1']; }
  async tryAcquire() { return !this.lost; }
  async renew() { return this.gate ?? true; }
  async release() {}
  async leave() {}
  hang() { this.gate = new Promise((r) => { this.open = r; }); }
  /** The late renewal answers: kept, or another worker holds the lease now. */
  answer(ok: boolean) { this.lost = !ok; this.open!(ok); this.gate = undefined; }
}

let stop: (() => Promise<unknown>) | undefined;
afterEach(async () => { await stop?.(); stop = undefined; });

async function start() {
  const transport = new InProcessTransport();
  const membership = new LateMembership();
  const worker = new SpcWorker({ transport, rules, encoder: influxLineEncoder, onSignal: () => {}, membership, ownershipEveryMs: 50 });
  void worker.run();
  stop = () => worker.stop(1000);
  for (let i = 0; i < 100 && !worker.ownedPartitions.length; i++) await sleep(20);
  expect(worker.ownedPartitions).toEqual([0]);
  let n = 0;
  const publish = () => transport.publish('spc.samples.L1.S1.torque', { ts: new Date().toISOString(), line: 'L1', station: 'S1', parameter: 'torque', value: 1.2, unit: `SN${++n}` });
  publish();
  for (let i = 0; i < 50 && worker.counters.samples < 1; i++) await sleep(10);
  expect(worker.counters.samples).toBe(1);
  // From here renewals hang; past 3/4 of the lease's life a new message arrives.
  membership.hang();
  await sleep(TTL_MS);
  publish();
  await sleep(150);
  return { worker, membership };
}

it('a message arriving after its lease went unrenewed for 3/4 of its life waits for the renewal, and is skipped when another worker holds the lease now', async () => {
  const { worker, membership } = await start();
  expect(worker.counters.samples).toBe(1); // not processed while the renewal is unanswered
  membership.answer(false);
  await sleep(150);
  expect(worker.ownedPartitions).toEqual([]);
  expect(worker.counters.samples).toBe(1);
  expect(worker.counters.skipped).toBe(1);
});

it('a late renewal that keeps the lease lets the waiting message through, processed once', async () => {
  const { worker, membership } = await start();
  expect(worker.counters.samples).toBe(1);
  membership.answer(true);
  for (let i = 0; i < 50 && worker.counters.samples < 2; i++) await sleep(10);
  expect(worker.counters.samples).toBe(2);
  expect(worker.ownedPartitions).toEqual([0]);
  expect(worker.counters.skipped).toBe(0);
});

/** Every renewal of a round answers after `delayMs` (NATS a few ms away, many partitions). */
class SlowMembership implements Membership {
  readonly workerId = 'w1';
  readonly ttlMs = TTL_MS;
  constructor(private readonly delayMs: number) {}
  async heartbeat() { return ['w1']; }
  async tryAcquire() { return true; }
  async renew() { await sleep(this.delayMs); return true; }
  async release() {}
  async leave() {}
}

it('a round renewing many partitions keeps them all when each renewal is slow (renewals go out together)', async () => {
  const transport = new InProcessTransport();
  const logged: string[] = [];
  // 8 partitions × 60 ms one after another would outlast 3/4 of a 400 ms lease.
  const worker = new SpcWorker({ transport, rules, encoder: influxLineEncoder, onSignal: () => {}, membership: new SlowMembership(60), partitions: 8, ownershipEveryMs: 100, log: (_level, msg) => logged.push(msg) });
  void worker.run();
  stop = () => worker.stop(1000);
  for (let i = 0; i < 100 && worker.ownedPartitions.length < 8; i++) await sleep(20);
  expect(worker.ownedPartitions).toHaveLength(8);
  for (let i = 0; i < 60; i++) {
    transport.publish('spc.samples.L1.S1.torque', { ts: new Date().toISOString(), line: 'L1', station: 'S1', parameter: 'torque', value: 1.2, unit: `SN${i}` });
    await sleep(20);
  }
  for (let i = 0; i < 50 && worker.counters.samples < 60; i++) await sleep(10);
  expect(logged.filter((m) => m.includes('dropped') || m.includes('lost the lease'))).toEqual([]);
  expect(worker.counters.acquired).toBe(8); // never dropped and taken again
  expect(worker.counters.samples).toBe(60);
});

it('a release on a worker whose partition moved away is refused (it would be recorded at no position the new owner replays)', async () => {
  const transport = new InProcessTransport();
  const lost = new Set<number>();
  const membership: Membership = {
    workerId: 'w1', ttlMs: TTL_MS, heartbeat: async () => ['w1'], release: async () => {}, leave: async () => {},
    tryAcquire: async (p) => !lost.has(p), renew: async (p) => !lost.has(p),
  };
  const two: RuleSetConfig = { version: 1, characteristics: ['L1', 'L2'].map((line) => ({ id: `torque-${line}`, match: { line, parameter: 'torque' }, chart: { type: 'i-mr' as const }, limits: { center: 1.2, sigma: 0.02 }, rules: ['we1' as const], actions: { hold: ['we1' as const] } })) };
  const worker = new SpcWorker({ transport, rules: two, encoder: influxLineEncoder, onSignal: () => {}, membership, partitions: 2, ownershipEveryMs: 50 });
  void worker.run();
  stop = () => worker.stop(1000);
  for (let i = 0; i < 100 && worker.ownedPartitions.length < 2; i++) await sleep(20);
  for (const line of ['L1', 'L2']) transport.publish(`spc.samples.${line}.S1.torque`, { ts: new Date().toISOString(), line, station: 'S1', parameter: 'torque', value: 9, unit: `SN-${line}` });
  for (let i = 0; i < 50 && worker.holds.activeHolds().length < 2; i++) await sleep(10);
  const quality = { name: 'q', role: 'quality' as const };
  const [h1, h2] = ['L1', 'L2'].map((line) => worker.holds.activeHolds([line])[0].id);
  lost.add(partitionOf('L2', 2)); // another worker has L2's partition now
  for (let i = 0; i < 50 && worker.ownedPartitions.length > 1; i++) await sleep(20);
  expect(worker.ownedPartitions).toEqual([partitionOf('L1', 2)]);
  expect(worker.actions.release(h2, quality, { reason: 'checked' })).toMatchObject({ refused: 'conflict', message: expect.stringMatching(/line L2, which this worker no longer processes/) });
  expect(worker.actions.release(h1, quality, { reason: 'checked' })).toMatchObject({ type: 'release', id: h1 });
});
