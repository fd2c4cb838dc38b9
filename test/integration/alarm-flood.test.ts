import { connect, type NatsConnection } from 'nats';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { NATS_URL, startSpcRun, uniquePrefix, waitFor } from './servers.js';

// Flood control end to end: samples published to NATS JetStream, the built `spc run`, a PLC
// client on the signal WebSocket. Eleven characteristics alarm within seconds (a flood, ISA-18.2:
// more than 10 in 10 minutes); then repeats of some, a high-priority rule's repeats and a new
// characteristic's first alarm. What reaches the client: every characteristic's first alarm in
// the flood, every high-priority alarm, no repeat, and no alarm-clear for an alarm it never got;
// the suppressed ones are listed by the API and counted in /metrics.
const PLC = 'flood-test-plc-token-0123';
const prefix = uniquePrefix('flood');
const N = 12;
const characteristics = Array.from({ length: N }, (_, i) =>
  `  - { id: c${i}, match: { parameter: p${i} }, chart: { type: i-mr }, limits: { center: 0, sigma: 1 }, rules: [we1], actions: { alarm: [we1] }${i === 1 ? ', priority: { we1: high }' : ''} }`);
let run: Awaited<ReturnType<typeof startSpcRun>>;
let nc: NatsConnection;

beforeAll(async () => {
  run = await startSpcRun({ prefix, plcToken: PLC, rules: `version: 1\ncharacteristics:\n${characteristics.join('\n')}\n` });
  nc = await connect({ servers: NATS_URL });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await run?.stop();
});

it('a flood never hides a characteristic\'s first alarm or a high-priority alarm, and never clears what it did not send', async () => {
  const got: any[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${run.port}/signals`, { headers: { Authorization: `Bearer ${PLC}` } });
  ws.on('message', (d) => got.push(JSON.parse(d.toString())));
  await new Promise((r) => ws.once('open', r));
  const js = nc.jetstream();
  let n = 0;
  const send = async (i: number, value: number) => {
    n++;
    await js.publish(sampleSubject(streamNamesFor(prefix), 'L1', `s${i}`, `p${i}`), new TextEncoder().encode(JSON.stringify({ ts: new Date(Date.UTC(2026, 11, 1, 8) + n * 1000).toISOString(), line: 'L1', station: `s${i}`, parameter: `p${i}`, value, unit: `U${n}` })));
  };
  // 11 characteristics alarm (beyond 3σ) and clear: the 11th begins the flood.
  for (let i = 0; i <= 10; i++) { await send(i, 5); await send(i, 0); }
  // c0 and c2 alarm again (their first in the flood: out), clear, and again (repeats: suppressed).
  for (const i of [0, 2]) { await send(i, 5); await send(i, 0); await send(i, -5); }
  await send(0, 0); // c0's suppressed alarm clears: nothing may reach the client; c2's stays active
  // c1's rule is high priority: every alarm goes out, repeats too.
  for (let k = 0; k < 3; k++) { await send(1, 5); await send(1, 0); }
  await send(11, 5); // a characteristic not seen in the flood: its first alarm goes out
  await send(11, 0);

  await waitFor('the last alarm-clear', () => got.find((m) => m.type === 'alarm-clear' && m.characteristic === 'c11'));
  const alarms = got.filter((m) => m.type === 'alarm');
  const flood = alarms.find((m) => m.id.startsWith('flood:L1#'));
  expect(flood).toMatchObject({ flood: { alarms: 11, windowMs: 600_000, endBelow: 5 } });
  const firstOf = (c: string) => alarms.filter((m) => m.characteristic === c && m.rev === 1).map((m) => m.id);
  for (let i = 0; i <= 11; i++) expect(firstOf(`c${i}`).length, `c${i}'s alarms sent`).toBeGreaterThanOrEqual(1);
  expect(firstOf('c0')).toHaveLength(2); // before the flood, and its first in the flood; not the repeat
  expect(firstOf('c2')).toHaveLength(2);
  expect(alarms.filter((m) => m.characteristic === 'c1' && m.rev === 1)).toHaveLength(4); // one before, three in the flood
  expect(alarms.filter((m) => m.characteristic === 'c1').slice(1).every((m) => m.priority === 'high')).toBe(true);
  const sent = new Set(alarms.map((m) => m.id));
  for (const c of got.filter((m) => m.type === 'alarm-clear')) expect(sent.has(c.id), `alarm-clear ${c.id} follows its alarm`).toBe(true);

  // The suppressed alarms are recorded: the API lists the one still active, /metrics counts both.
  const open = await (await fetch(`http://127.0.0.1:${run.port}/api/alarms`, { headers: { Authorization: `Bearer ${PLC}` } })).json() as any[];
  const suppressed = open.filter((a) => a.state === 'suppressed');
  expect(suppressed.map((a) => a.characteristic)).toEqual(['c2']);
  expect(sent.has(suppressed[0].id)).toBe(false);
  expect(open.find((a) => a.id === flood.id)).toMatchObject({ suppressed: 2 });
  const metrics = await (await fetch(`http://127.0.0.1:${run.port}/metrics`)).text();
  expect(metrics).toMatch(/^spc_alarms_suppressed_total 2$/m);
  // Raised per characteristic counts sent and suppressed alike: c0 and c2 three each, c1 four, c11 one.
  for (const [c, n] of [['c0', 3], ['c1', 4], ['c2', 3], ['c11', 1]] as const) expect(metrics).toMatch(new RegExp(`^spc_alarms_raised_total\\{characteristic="${c}"\\} ${n}$`, 'm'));
  // A client connecting now gets a snapshot without the suppressed alarm.
  const late: any[] = [];
  const ws2 = new WebSocket(`ws://127.0.0.1:${run.port}/signals`, { headers: { Authorization: `Bearer ${PLC}` } });
  ws2.on('message', (d) => late.push(JSON.parse(d.toString())));
  const snapshot = await waitFor('a snapshot', () => late.find((m) => m.type === 'snapshot'));
  expect(snapshot.alarms.map((a: any) => a.id)).not.toContain(suppressed[0].id);
  expect(snapshot.alarms.map((a: any) => a.id)).toContain(flood.id);
  ws.close(); ws2.close();
}, 60_000);
