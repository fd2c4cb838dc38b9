import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import WebSocket from 'ws';
import { afterAll, expect, it } from 'vitest';
import { deleteStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freshPostgres, NATS_URL, uniquePrefix, waitFor } from '../integration/servers.js';
import { startWorker, stopWorker, type Worker } from './harness.js';

// A store that refuses every write (not the data: the server itself, as with a full disk or a
// revoked grant) stalls the commits. The worker must say so — /healthz 503 with the problem
// within 15 s, heartbeats marked unhealthy so a gateway fails safe — and SIGTERM must end it
// within 10 s without acknowledging the uncommitted messages.
const TOKEN = 'stall-quality-token-0123456789';
const prefix = uniquePrefix('stall');
let worker: Worker | undefined;
let drop: (() => Promise<void>) | undefined;
afterAll(async () => {
  if (worker) await stopWorker(worker, 'SIGKILL');
  const nc = await connect({ servers: NATS_URL });
  await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
  await nc.close();
  await drop?.();
});

it('store refusing writes: /healthz 503 within 15 s, heartbeats unhealthy, SIGTERM exits within 10 s, nothing acknowledged', async () => {
  const db = await freshPostgres('stall'); drop = db.drop;
  const dir = mkdtempSync(join(tmpdir(), 'spc-stall-'));
  writeFileSync(join(dir, 'rules.yaml'), 'version: 1\ncharacteristics:\n  - id: c\n    match: { line: L1, station: s, parameter: p }\n    chart: { type: i-mr }\n    limits: { center: 10, sigma: 1 }\n    rules: [nelson1]\n    actions: { hold: [nelson1] }\n');
  writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${TOKEN}, role: quality }\n`);
  const w = worker = await startWorker({ rules: join(dir, 'rules.yaml'), tokens: join(dir, 'tokens.yaml') }, { nats: NATS_URL, prefix, store: db.url });
  expect((await fetch(`http://127.0.0.1:${w.port}/healthz`)).status).toBe(200);

  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  // SQLSTATE 57P03 (cannot_connect_now): the server's fault, not the row's, so the worker must retry, not quarantine.
  await c.query(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'store refuses writes' USING ERRCODE = '57P03'; END $$;
                 CREATE TRIGGER refuse_samples BEFORE INSERT ON samples FOR EACH STATEMENT EXECUTE FUNCTION refuse();`);
  await c.end();

  const heartbeats: any[] = [];
  const holds: any[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${w.port}/signals`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  ws.on('message', (d) => { const m = JSON.parse(d.toString()); if (m.type === 'heartbeat') heartbeats.push(m); if (m.type === 'hold') holds.push(m); });
  await new Promise((r) => ws.once('open', r));

  const nc = await connect({ servers: NATS_URL });
  const js = nc.jetstream();
  const published = Date.now();
  for (let i = 0; i < 20; i++) await js.publish(`${prefix}.samples.L1.s.p`, new TextEncoder().encode(JSON.stringify({ ts: '2026-11-25T03:00:00Z', line: 'L1', station: 's', parameter: 'p', value: i === 5 ? 100 : 10, unit: `SN${i}` })));
  // Holds do not wait for the store.
  await waitFor('the hold', () => (holds.length ? true : undefined), 2000, 20);

  const unhealthy = await waitFor('/healthz to turn 503', async () => {
    const r = await fetch(`http://127.0.0.1:${w.port}/healthz`);
    return r.status === 503 ? r.json() as Promise<{ ok: boolean; problems: string[] }> : undefined;
  }, 15_000, 250);
  const after = Date.now() - published;
  console.log(`store refusing writes: /healthz 503 after ${after} ms: ${unhealthy.problems.join('; ')}`);
  expect(after).toBeLessThan(15_000);
  expect(unhealthy.ok).toBe(false);
  expect(unhealthy.problems.join(' ')).toMatch(/commits stalled: 20 processed messages .*genealogy store.*store refuses writes/);
  await waitFor('an unhealthy heartbeat', () => (heartbeats.some((h) => h.healthy === false && h.problems?.length) ? true : undefined), 2000, 50);

  const acked = (await (await fetch(`http://127.0.0.1:${w.port}/healthz`)).json() as { counters: { acked: number } }).counters.acked;
  expect(acked).toBe(0);
  const t = Date.now();
  w.proc.kill('SIGTERM');
  const code = await w.exited;
  const took = Date.now() - t;
  console.log(`SIGTERM with stalled commits: exited ${code} after ${took} ms`);
  expect(took).toBeLessThan(10_000);
  expect(code).not.toBe(0); // it could not finish cleanly, and says so
  worker = undefined;

  // Nothing was acknowledged: the samples stream's consumer position did not pass the messages,
  // so a new worker (with the store fixed) processes and stores all 20.
  const fix = new pg.Client({ connectionString: db.url });
  await fix.connect();
  await fix.query('DROP TRIGGER refuse_samples ON samples');
  const again = worker = await startWorker({ rules: join(dir, 'rules.yaml'), tokens: join(dir, 'tokens.yaml') }, { nats: NATS_URL, prefix, store: db.url });
  await waitFor('the 20 samples stored', async () => (Number((await fix.query('SELECT count(*) AS n FROM samples')).rows[0].n) === 20 ? true : undefined), 20_000, 200);
  expect((await fetch(`http://127.0.0.1:${again.port}/healthz`)).status).toBe(200);
  await fix.end();
  ws.close();
  await nc.close();
}, 90_000);
