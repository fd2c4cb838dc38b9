import { afterAll, expect, it } from 'vitest';
import { waitFor } from '../integration/servers.js';
import { privateNats, simulate, startWorker, stopWorker, workspace, type Worker } from './harness.js';

// NATS itself goes away under `spc run` and comes back (same JetStream store): the worker must
// reconnect, take up the stream where it was and commit everything, with no help.
let nats: Awaited<ReturnType<typeof privateNats>>;
let worker: Worker | undefined;
afterAll(async () => { if (worker) await stopWorker(worker, 'SIGKILL'); await nats?.stop(); });

it('NATS restarted: the worker reconnects, resumes the stream and commits every message', async () => {
  nats = await privateNats();
  await nats.start();
  const ws = workspace(1);
  const prefix = 'spc';
  const first = simulate(nats.url, prefix, 1, 300, '3');
  worker = await startWorker(ws, { nats: nats.url, prefix });
  const w = worker;
  await waitFor('the first part', async () => ((await w.health()).counters.acked === first ? true : undefined), 30_000);

  await nats.stop();
  await waitFor('the worker to notice', async () => ((await w.health()).nats === false || (await w.health()).counters.acked === first ? true : undefined), 5_000);
  await new Promise((r) => setTimeout(r, 2000));
  await nats.start();
  const t0 = Date.now();

  const second = simulate(nats.url, prefix, 1, 300, '4');
  // Down longer than the lease TTL (2 s), the worker may lose its partition's lease and take it
  // again: it then replays from its last snapshot silently (no signal sent twice), counted in
  // `replayed`. Either way every message is processed once with its effects, and committed.
  const h = await waitFor('every message of both parts', async () => {
    const x = await w.health();
    return x.counters.messages - x.counters.replayed === first + second && x.progress.uncommitted === 0 ? x : undefined;
  }, 60_000, 200);
  console.log(`NATS down 2 s; after its restart the worker had committed the next ${second} messages in ${Date.now() - t0} ms (${h.counters.replayed} replayed silently)`);
  expect(h.counters.messages - h.counters.replayed).toBe(first + second); // none processed twice with its effects
  expect(h.counters.acked).toBeGreaterThanOrEqual(first + second);
  expect(h.counters.signals).toBeGreaterThan(0);
  expect(h.partitions).toEqual([0]);
  expect(w.log()).not.toMatch(/loop failed/);
}, 150_000);
