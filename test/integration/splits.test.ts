import { connect, type NatsConnection } from 'nats';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { SpcEngine, type CharacteristicConfig, type PointRecord, type Sample } from '../../src/core/index.js';
import { SeededRandom } from '../../src/sim/random.js';
import { NATS_URL, startSpcRun, uniquePrefix, waitFor } from './servers.js';

// Mixed-model line end to end: samples published to NATS JetStream, the built `spc run`, a
// WebSocket client reading points and holds. Two products interleaved on one characteristic with
// by: [product] must each give exactly the points of that product's samples charted alone; on a
// two-cavity station with by: [cavity], the drifting cavity is held with its split named and the
// other never.
const PLC = 'splits-plc-token-012345678';
const prefix = uniquePrefix('splits');
const bore: CharacteristicConfig = { id: 'bore', match: { parameter: 'bore' }, chart: { type: 'i-mr' }, limits: { phase1: 20 }, rules: ['nelson1'], actions: { hold: ['nelson1'] } };
const weight: CharacteristicConfig = { id: 'weight', match: { parameter: 'weight' }, chart: { type: 'i-mr' }, limits: { center: 50, sigma: 0.2 }, rules: ['nelson1'], actions: { hold: ['nelson1'] } };
let run: Awaited<ReturnType<typeof startSpcRun>>;
let nc: NatsConnection;
let port = 0;

beforeAll(async () => {
  run = await startSpcRun({ prefix, plcToken: PLC, rules: `version: 1\ncharacteristics:\n  - ${JSON.stringify({ ...bore, by: ['product'] })}\n  - ${JSON.stringify({ ...weight, by: ['cavity'] })}\n` });
  port = run.port;
  nc = await connect({ servers: NATS_URL });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await run?.stop();
});

it('two products on one characteristic chart as if alone; the drifting cavity is held, the other never', async () => {
  const got: any[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: `Bearer ${PLC}` } });
  ws.on('message', (d) => got.push(JSON.parse(d.toString())));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'points', on: true }));
  await new Promise((r) => setTimeout(r, 200));

  const rng = new SeededRandom(21);
  const samples: Sample[] = [];
  let t = Date.UTC(2026, 10, 30, 8);
  for (let i = 0; i < 120; i++) {
    const product = Math.floor(i / 6) % 2 ? 'P-200' : 'P-100'; // batches of 6, nominals 10 and 25
    samples.push({ ts: new Date(t += 1000).toISOString(), line: 'L1', station: 'bore', parameter: 'bore', value: (product === 'P-100' ? 10 : 25) + 0.1 * rng.normal(), unit: `B${i}`, product });
  }
  for (let i = 0; i < 150; i++) {
    for (const cavity of ['1', '2']) {
      // Noise within ±1σ (no false alarm by construction); cavity 2 wears from shot 60.
      const drift = cavity === '2' && i >= 60 ? 0.01 * (i - 60) : 0;
      samples.push({ ts: new Date(t += 1000).toISOString(), line: 'L1', station: 'mold', parameter: 'weight', value: 50 + drift + 0.2 * Math.sin(i * 2.1), unit: `M${i}-${cavity}`, attributes: { cavity } });
    }
  }
  const js = nc.jetstream();
  for (const s of samples) await js.publish(sampleSubject(streamNamesFor(prefix), s.line, s.station, s.parameter), new TextEncoder().encode(JSON.stringify(s)));

  const points = () => got.filter((m) => m.type === 'point');
  await waitFor('every point', () => (points().filter((p) => p.characteristic === 'bore').length === 120 && got.some((m) => m.type === 'hold') ? true : undefined), 30_000);
  for (const product of ['P-100', 'P-200']) {
    const alone: PointRecord[] = [];
    const engine = new SpcEngine({ version: 1, characteristics: [bore] });
    for (const s of samples.filter((x) => x.product === product)) engine.process(s, (p) => alone.push(p));
    const mine = points().filter((p) => p.characteristic === 'bore' && p.split?.product === product);
    const strip = (p: any) => { const { split: _s, seq: _q, line: _l, station: _t, ...rest } = p; return rest; };
    expect(mine.map(strip)).toEqual(JSON.parse(JSON.stringify(alone)).map(strip));
  }
  const holds = got.filter((m) => m.type === 'hold' && m.rev === 1);
  expect(holds.map((h) => [h.characteristic, h.split])).toEqual([['weight', { cavity: '2' }]]);
  expect(holds[0].id).toMatch(/^weight\[cavity=2\]#\d+$/);
  expect(holds[0].units.every((u: string) => u.endsWith('-2'))).toBe(true);
  ws.close();
}, 60_000);
