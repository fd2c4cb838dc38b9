import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect } from 'vitest';
import { deleteStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { NATS_URL } from '../integration/servers.js';
import { readOutbox, storedHolds } from './harness.js';

// Test-side helpers of the fault tests that compare a disturbed run with a reference run (apart
// from harness.ts, which benchmarks import too and which must not load vitest).

/**
 * For a test file comparing runs: a NATS connection opened before the tests, and the prefixes and
 * databases registered with it removed after them.
 */
export function comparedRuns(): { nc: () => NatsConnection; prefixes: string[]; drops: (() => Promise<void>)[] } {
  let nc: NatsConnection;
  const prefixes: string[] = [];
  const drops: (() => Promise<void>)[] = [];
  beforeAll(async () => { nc = await connect({ servers: NATS_URL }); });
  afterAll(async () => {
    for (const p of prefixes) await deleteStreams(await nc.jetstreamManager(), streamNamesFor(p));
    for (const d of drops) await d();
    await nc.close();
  });
  return { nc: () => nc, prefixes, drops };
}

const distinct = (lines: string[]) => [...new Set(lines.filter(Boolean))].sort();

/**
 * Asserts a run equals its reference: every sample stored once, the same holds and alarms with the
 * same units, and the same set of outbox lines (a re-sent identical line is the same InfluxDB
 * point, so sets are compared: none missing, none extra).
 */
export async function expectSameResults(nc: NatsConnection, messages: number, reference: { prefix: string; db: string }, run: { prefix: string; db: string }): Promise<void> {
  const [a, b] = [await storedHolds(reference.db), await storedHolds(run.db)];
  expect(a.rows.length).toBeGreaterThan(0); // the fault raised holds, so the comparison means something
  expect(b.samples).toBe(a.samples);
  expect(b.rows).toEqual(a.rows);
  const [ra, rb] = [distinct(await readOutbox(nc, reference.prefix)), distinct(await readOutbox(nc, run.prefix))];
  expect(ra.length).toBeGreaterThan(messages);
  expect(rb.filter((l) => !ra.includes(l)).slice(0, 5)).toEqual([]);
  expect(ra.filter((l) => !rb.includes(l)).slice(0, 5)).toEqual([]);
}
