import { connect, type NatsConnection } from 'nats';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { GenealogyStore } from '../../src/adapters/store/genealogy.js';
import { openSql } from '../../src/adapters/store/sql.js';
import { SeededRandom } from '../../src/sim/random.js';
import { freshPostgres, NATS_URL, startSpcRun, uniquePrefix, waitFor } from './servers.js';

// Containment end to end: samples published to NATS JetStream, the built `spc run`, PostgreSQL.
// The process mean shifts by 2σ from unit SN0200 on; the chart signals some points later. The
// hold's first message must name every unit from SN0200 through the signal (containment from the
// confidence set's lower end) and none from well before the change; the store keeps the estimate.
// The data come from one seeded generator, so the run is the same every time; how often the set
// covers the true change over many runs is measured by `npm run bench:changepoint`, not here.
const PLC = 'containment-plc-token-0123';
const prefix = uniquePrefix('contain');
const CHANGE = 200;
let run: Awaited<ReturnType<typeof startSpcRun>>;
let nc: NatsConnection;
let pg: { url: string; drop: () => Promise<void> };
let port = 0;

beforeAll(async () => {
  pg = await freshPostgres('contain');
  run = await startSpcRun({ prefix, plcToken: PLC, store: pg.url, rules: 'version: 1\ncharacteristics:\n  - { id: bore, match: { parameter: bore }, chart: { type: i-mr }, limits: { center: 10, sigma: 0.1 }, rules: [nelson1], actions: { hold: [nelson1] } }\n' });
  port = run.port;
  nc = await connect({ servers: NATS_URL });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await run?.stop();
  await pg?.drop();
});

it('a shift at a known unit: the hold names every unit from it on, none from well before, and the store keeps the estimate', async () => {
  const got: any[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: `Bearer ${PLC}` } });
  ws.on('message', (d) => got.push(JSON.parse(d.toString())));
  await new Promise((r) => ws.once('open', r));
  const rng = new SeededRandom(13); // a seed whose in-control part raises no false alarm (checked below)
  const unit = (i: number) => `SN${String(i).padStart(4, '0')}`;
  const js = nc.jetstream();
  for (let i = 1; i <= 400; i++) {
    const value = 10 + 0.1 * (rng.normal() + (i >= CHANGE ? 2 : 0));
    await js.publish(sampleSubject(streamNamesFor(prefix), 'L1', 'bore', 'bore'), new TextEncoder().encode(JSON.stringify({ ts: new Date(Date.UTC(2026, 10, 30, 8) + i * 1000).toISOString(), line: 'L1', station: 'bore', parameter: 'bore', value, unit: unit(i) })));
  }
  const first = await waitFor('the hold', () => got.find((m) => m.type === 'hold' && m.rev === 1));
  const signal = first.firstIndex as number;
  expect(signal).toBeGreaterThanOrEqual(CHANGE); // no false alarm before the change in this run
  expect(first.changePoint).toMatchObject({ method: 'normal-mean-mle' });
  const { index, lower, upper } = first.changePoint;
  expect(lower).toBeLessThanOrEqual(CHANGE);
  expect(index).toBeGreaterThanOrEqual(lower);
  expect(upper).toBeGreaterThanOrEqual(index);
  expect(first.changePoint.unit).toBe(unit(index));
  const named = new Set<string>(first.units);
  for (let i = CHANGE; i <= signal; i++) expect(named.has(unit(i)), `unit ${unit(i)} is held`).toBe(true);
  for (let i = 1; i < CHANGE - 20; i++) expect(named.has(unit(i)), `unit ${unit(i)} is not held`).toBe(false);
  expect(first.units[0]).toBe(unit(lower)); // the window starts at the set's lower end
  ws.close();

  const store = new GenealogyStore(await openSql(pg.url));
  try {
    const trace = await waitFor('the stored hold', async () => store.holdTrace(first.id));
    expect(trace.hold.change_point).toEqual(first.changePoint);
    for (let i = lower; i <= signal; i++) expect(trace.units).toContain(unit(i));
  } finally { await store.db.close(); }
}, 60_000);
