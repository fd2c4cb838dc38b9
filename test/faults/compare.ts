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

/** A line's statistic field, and the rest of it. */
const STATISTIC = /^(.*?\bstatistic=)([^, ]+)(.*)$/;
/** An anomaly model's point (chart tag), violation (rule tag), or hold and alarm revisions (rule field). */
const ofAnomalyModel = (l: string) => l.includes(',chart=anomaly ') || l.includes(',rule=anomaly ') || l.includes('rule="anomaly"');
const anomalyStatistic = (l: string) => (ofAnomalyModel(l) ? STATISTIC.exec(l) : null);

/**
 * Lines of `lines` that `other` lacks. An anomaly model's score may differ in its last float32
 * digits between runs (onnxruntime sums in another order when units are batched differently, as a
 * restart does): those lines match when all but the score is equal and the scores agree to 1e-5.
 */
function unmatched(lines: string[], other: string[]): string[] {
  const have = new Set(other);
  const scores = new Map<string, number>();
  for (const l of other) { const m = anomalyStatistic(l); if (m) scores.set(m[1] + m[3], Number(m[2])); }
  return lines.filter((l) => {
    if (have.has(l)) return false;
    const m = anomalyStatistic(l);
    const theirs = m ? scores.get(m[1] + m[3]) : undefined;
    return theirs === undefined || Math.abs(theirs - Number(m![2])) > 1e-5 * Math.max(1, Math.abs(theirs));
  });
}

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
  expect(unmatched(rb, ra).slice(0, 5)).toEqual([]);
  expect(unmatched(ra, rb).slice(0, 5)).toEqual([]);
}
