import WebSocket from 'ws';
import { connect } from 'nats';
import { afterAll, expect, it } from 'vitest';
import { deleteStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freshPostgres, NATS_URL, uniquePrefix, waitFor } from '../integration/servers.js';
import { relay, sampleCount, simulate, startWorker, stopWorker, TOKEN, workspace, type Worker } from './harness.js';

// PostgreSQL (the genealogy store) becomes unreachable while the line runs: the worker keeps
// sending holds, stops committing (nothing is acknowledged as done without its trace rows), and
// catches up once the database is back, with every sample stored once.
const prefix = uniquePrefix('pgout');
let worker: Worker | undefined;
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  if (worker) await stopWorker(worker, 'SIGKILL');
  for (const c of cleanup.reverse()) await c();
  const nc = await connect({ servers: NATS_URL });
  await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
  await nc.close();
});

it('PostgreSQL unavailable: holds keep flowing, commits wait, then catch up with nothing lost or doubled', async () => {
  const db = await freshPostgres('pgout'); cleanup.push(db.drop);
  const pgPort = Number(new URL(db.url).port || 5432);
  const link = await relay(pgPort); cleanup.push(link.close);
  const ws = workspace(1);
  const store = db.url.replace(`:${pgPort}/`, `:${link.port}/`);
  worker = await startWorker(ws, { nats: NATS_URL, prefix, store });
  const w = worker;

  const first = simulate(NATS_URL, prefix, 1, 200, '5');
  await waitFor('the first part stored', async () => ((await sampleCount(db.url)) === first ? true : undefined), 30_000, 200);

  const holds: number[] = [];
  const socket = new WebSocket(`ws://127.0.0.1:${w.port}/signals`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  socket.on('message', (d) => { const m = JSON.parse(d.toString()); if (m.type === 'hold' || m.type === 'alarm') holds.push(Date.now()); });
  await new Promise((r) => socket.once('open', r));

  link.cut();
  const cutAt = Date.now();
  const second = simulate(NATS_URL, prefix, 1, 600, '6'); // the shift comes in this part
  const during = await waitFor('the worker to process the second part', async () => {
    const h = await w.health();
    return h.counters.messages === first + second ? h : undefined;
  }, 30_000, 200);
  // signals did not wait for the database (on failure: what the worker did meanwhile)
  expect(holds.filter((t) => t > cutAt).length, `no hold or alarm after the cut; counters ${JSON.stringify(during.counters)}; worker log:\n${w.log().slice(-4000)}`).toBeGreaterThan(0);
  // Commits were tried and refused (the first refusal may come just after the last message is
  // processed: a fresh CI machine once finished processing first), and nothing counted as done.
  const refused = await waitFor('a commit refused while the database is away', async () => {
    const h = await w.health();
    return h.counters.commitFailures > 0 ? h : undefined;
  }, 30_000, 100);
  expect(refused.counters.acked).toBeLessThan(first + second);
  expect(await sampleCount(db.url)).toBe(first);

  link.restore();
  const t0 = Date.now();
  await waitFor('the backlog committed', async () => ((await w.health()).counters.acked === first + second ? true : undefined), 60_000, 200);
  console.log(`PostgreSQL cut for ${t0 - cutAt} ms: ${holds.filter((t) => t > cutAt && t < t0).length} hold/alarm signals sent meanwhile; caught up ${Date.now() - t0} ms after it came back`);
  expect(await sampleCount(db.url)).toBe(first + second);
  socket.close();
}, 150_000);
