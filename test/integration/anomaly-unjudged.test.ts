import { resolve } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { influxQuery } from '../../src/adapters/influx/influxql.js';
import { sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { INFLUX_URL, NATS_URL, startSpcRun, uniquePrefix, waitFor } from './servers.js';

// A board that skipped a station is never scored by the line's anomaly model: over the wire (real
// NATS, InfluxDB, the built CLI and the shipped ONNX model) it is named once its wait is over, and
// joins the model's active hold. Before, it was only counted.
const PLC = 'plc-token-unjudged-0123456789';
const prefix = uniquePrefix('unjudged');
const streams = streamNamesFor(prefix);
const database = `spc_${prefix}`;
const FEATURES = ['reflow.peak_temp', 'reflow.tal', 'printer.paste_thickness', 'coating.thickness', 'screw.torque'];
let run: Awaited<ReturnType<typeof startSpcRun>>;
let nc: NatsConnection;

beforeAll(async () => {
  run = await startSpcRun({ prefix, plcToken: PLC, influxDb: database, rules: `version: 1
characteristics:
  - { id: torque, match: { line: L1, station: screw, parameter: torque }, chart: { type: i-mr }, limits: { center: 1.2, sigma: 0.02 }, rules: [nelson1], actions: { alarm: [nelson1] } }
anomaly:
  - { id: board, model: ${resolve('models/smt-l1.onnx')}, match: { line: L1 }, action: hold, wait: 1s }
` });
  nc = await connect({ servers: NATS_URL });
});

afterAll(async () => {
  await nc?.close();
  await run?.stop(); // deletes the streams too
});

/** Publishes a board's samples, one per feature given, as stations send them. */
async function board(unit: string, values: Record<string, number>): Promise<void> {
  const js = nc.jetstream();
  for (const [feature, value] of Object.entries(values)) {
    const [station, parameter] = feature.split('.');
    await js.publish(sampleSubject(streams, 'L1', station, parameter), JSON.stringify({ ts: new Date().toISOString(), line: 'L1', station, parameter, value, unit, lot: 'LOT-7' }));
  }
}

it('a board missing a station\'s value is named with what it lacked, and joins the model\'s active hold', async () => {
  const got: any[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${run.port}/signals`, { headers: { Authorization: `Bearer ${PLC}` } });
  ws.on('message', (d) => got.push(JSON.parse(d.toString())));
  await new Promise((r) => ws.once('open', r));
  // Far outside the training data on every feature: T² far beyond its limit, a hold.
  await board('B1', Object.fromEntries(FEATURES.map((f) => [f, 1e6])));
  const hold = await waitFor('the model\'s hold', () => got.find((m) => m.type === 'hold' && m.characteristic === 'board'));
  expect(hold.units).toEqual(['B1']);
  await board('B2', Object.fromEntries(FEATURES.slice(0, 4).map((f) => [f, 1e6]))); // screw.torque never comes
  await new Promise((r) => setTimeout(r, 1500));
  await board('B3', Object.fromEntries(FEATURES.map((f) => [f, 1e6]))); // complete: its first message finds B2 overdue
  const joined = await waitFor('B2 in the hold', () => got.find((m) => m.type === 'hold' && m.id === hold.id && m.added?.includes('B2')));
  expect(joined.rev).toBeGreaterThan(1);
  const status = await (await fetch(`http://127.0.0.1:${run.port}/api/units/B2/status`, { headers: { Authorization: `Bearer ${PLC}` } })).json();
  expect(status).toMatchObject({ unit: 'B2', held: true, holds: [hold.id] });
  const rows = await waitFor('the InfluxDB line naming B2', async () => {
    const r = await influxQuery({ url: INFLUX_URL, database }, 'SELECT "unit", "missing", "missing_count", "lots", "station" FROM spc_anomaly_unjudged').catch(() => []);
    return r[0]?.values.length ? r[0].values : undefined;
  });
  expect(rows.map((v) => v.slice(1))).toEqual([['B2', 'screw.torque', 1, 'LOT-7', 'coating']]);
  const unjudged = async () => /^spc_anomaly_unjudged_total (\d+)$/m.exec(await (await fetch(`http://127.0.0.1:${run.port}/metrics`)).text())?.[1];
  expect(await unjudged()).toBe('1');
  await new Promise((r) => setTimeout(r, 2500)); // past another wait and quiet second: B2 is named once, and nothing else
  expect(await unjudged()).toBe('1');
  ws.close();
});
