import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { connect, type NatsConnection } from 'nats';
import { newClient } from 'sparkplug-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeSparkplug } from '../../src/adapters/mqtt/sparkplug-mqtt.js';
import { deleteStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { NATS_URL, startSpcRun, uniquePrefix, waitFor } from './servers.js';

// Sparkplug B in, end to end over the wire: Eclipse Tahu's sparkplug-client as the edge node,
// Mosquitto as the broker, `spc bridge sparkplug` and `spc run` as processes on NATS. A shifted
// parameter becomes a hold naming the board; an unknown alias gets a rebirth request; QoS 1
// messages published while the bridge is killed arrive once each after it restarts.
const MQTT_URL = 'mqtt://127.0.0.1:1883';
const PLC = 'sparkplug-plc-token-0123456';
const group = `grp${process.pid}${Date.now() % 100000}`;
const prefix = uniquePrefix('sparkplug');
const RULES = `version: 1
characteristics:
  - id: reflow.peak_temp
    match: { line: L1, station: reflow, parameter: peak_temp }
    chart: { type: i-mr }
    limits: { center: 245, sigma: 1 }
    rules: [nelson1]
    actions: { hold: [nelson1] }
`;
const MAP = `version: 1
devices:
  - group: ${group}
    device: oven1
    line: L1
    station: reflow
    unit: Board/Serial
    lot: Board/Lot
    parameters:
      Oven/PeakTemp: peak_temp
`;
const dir = mkdtempSync(join(tmpdir(), 'spc-sparkplug-'));
let run: Awaited<ReturnType<typeof startSpcRun>>;
let bridge: ChildProcess;
let bridgeLog = '';
let nc: NatsConnection;
let edge: ReturnType<typeof newClient>;
const commands: string[] = [];

async function startBridge(): Promise<void> {
  bridgeLog = '';
  bridge = spawn('node', ['dist/src/cli/main.js', 'bridge', 'sparkplug', '--mqtt', MQTT_URL, '--map', join(dir, 'map.yaml'), '--nats', NATS_URL, '--prefix', prefix, '--client-id', `spc-bridge-${prefix}`, '--status-every', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  bridge.stderr!.on('data', (d) => { bridgeLog += d; });
  await waitFor('the bridge to be ready', () => (bridgeLog.includes('spc bridge sparkplug: ready') ? true : undefined));
}

/** Messages in the samples stream for L1/reflow/peak_temp. */
async function storedSamples(): Promise<number> {
  const info = await (await nc.jetstreamManager()).streams.info(streamNamesFor(prefix).samples, { subjects_filter: `${prefix}.samples.L1.reflow.peak_temp` });
  return Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0);
}

beforeAll(async () => {
  writeFileSync(join(dir, 'map.yaml'), MAP);
  nc = await connect({ servers: NATS_URL });
  run = await startSpcRun({ prefix, rules: RULES, plcToken: PLC });
  await startBridge();
  // The edge node: Tahu publishes NBIRTH on connect (with bdSeq); we add the device's birth.
  edge = newClient({ serverUrl: MQTT_URL, username: '', password: '', groupId: group, edgeNode: 'edge1', clientId: `edge1-${prefix}`, version: 'spBv1.0' });
  const birth = () => {
    edge.publishNodeBirth({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }] });
    edge.publishDeviceBirth('oven1', { timestamp: Date.now(), metrics: [
      { name: 'Board/Serial', alias: 1, type: 'String', value: '' }, { name: 'Board/Lot', alias: 2, type: 'String', value: 'LOT-7' },
      { name: 'Oven/PeakTemp', alias: 3, type: 'Double', value: 245 },
    ] });
  };
  edge.on('birth', birth);
  edge.on('ncmd', (p) => { commands.push(...(p.metrics ?? []).map((m) => String(m.name))); if ((p.metrics ?? []).some((m) => m.name === 'Node Control/Rebirth')) birth(); });
  await new Promise<void>((resolve) => edge.once('birth', () => resolve()));
}, 60_000);

afterAll(async () => {
  edge?.stop();
  bridge?.kill('SIGTERM');
  await run?.stop();
  await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
  await nc.close();
});

it('DDATA with aliases only becomes samples of the board the edge names; a shifted peak temperature holds it', async () => {
  for (let i = 1; i <= 10; i++) {
    // Aliases only, as edge nodes send data after their birth: the bridge resolves them.
    edge.publishDeviceData('oven1', { timestamp: Date.now(), metrics: [{ alias: 1, type: 'String', value: `SN-${i}` }, { alias: 3, type: 'Double', value: i === 10 ? 252 : 245 + 0.2 * Math.sin(i) }] });
    await new Promise((r) => setTimeout(r, 20));
  }
  const holds = await waitFor('the hold', async () => {
    const res = await fetch(`http://127.0.0.1:${run.port}/api/holds`, { headers: { Authorization: `Bearer ${PLC}` } });
    const list = await res.json() as any[];
    return list.length ? list : undefined;
  });
  expect(holds.map((h) => [h.characteristic, h.units])).toEqual([['reflow.peak_temp', ['SN-10']]]);
  expect(await storedSamples()).toBe(10);
});

it('an unknown alias gets a rebirth request (NCMD Node Control/Rebirth), and the edge\'s new birth resyncs', async () => {
  const before = commands.length;
  edge.publishDeviceData('oven1', { timestamp: Date.now(), metrics: [{ alias: 99, type: 'Double', value: 1 }] });
  await waitFor('the rebirth request', () => (commands.slice(before).includes('Node Control/Rebirth') ? true : undefined));
  const stored = await storedSamples();
  edge.publishDeviceData('oven1', { timestamp: Date.now(), metrics: [{ alias: 1, type: 'String', value: 'SN-11' }, { alias: 3, type: 'Double', value: 245.1 }] });
  await waitFor('the sample after the rebirth', async () => ((await storedSamples()) === stored + 1 ? true : undefined));
});

it('an undecodable payload and an unmapped metric are dead-lettered with their reason; the next good message still becomes a sample', async () => {
  const stored = await storedSamples();
  const pub = await mqtt.connectAsync(MQTT_URL, { clientId: `edge3-${prefix}` });
  await pub.publishAsync(`spBv1.0/${group}/DDATA/edge3/oven1`, Buffer.from('not protobuf at all \u0000\u00ff'), { qos: 1 });
  await pub.publishAsync(`spBv1.0/${group}/DDATA/edge3/oven1`, Buffer.from(encodeSparkplug({ timestamp: Date.now(), seq: 0, metrics: [{ name: 'Board/Serial', type: 'String', value: 'E3-1' }, { name: 'Oven/Blower', type: 'Double', value: 3 }, { name: 'Oven/PeakTemp', type: 'Double', value: 245.2 }] })), { qos: 1 });
  await pub.endAsync();
  const letters = await waitFor('the dead letters', async () => {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(streamNamesFor(prefix).deadLetters, { subjects_filter: '>' });
    const subjects = Object.keys(info.state.subjects ?? {});
    return subjects.some((x) => x.endsWith('sparkplug-undecodable')) && subjects.some((x) => x.endsWith('sparkplug-unmapped')) ? subjects : undefined;
  });
  expect(letters.length).toBeGreaterThanOrEqual(2);
  await waitFor('the good sample', async () => ((await storedSamples()) === stored + 1 ? true : undefined));
});

it('the bridge killed with SIGKILL: QoS 1 messages published meanwhile arrive once each after it restarts', async () => {
  const stored = await storedSamples();
  bridge.kill('SIGKILL');
  await new Promise((r) => bridge.once('exit', r));
  // A second edge publishing QoS 1 with metric names (no birth seen by the restarted bridge).
  const pub = await mqtt.connectAsync(MQTT_URL, { clientId: `edge2-${prefix}` });
  for (let i = 0; i < 25; i++) {
    const body = encodeSparkplug({ timestamp: Date.now() + i, seq: i, metrics: [{ name: 'Board/Serial', type: 'String', value: `E2-${i}` }, { name: 'Oven/PeakTemp', type: 'Double', value: 245 }] });
    await pub.publishAsync(`spBv1.0/${group}/DDATA/edge2/oven1`, Buffer.from(body), { qos: 1 });
  }
  await pub.endAsync();
  await startBridge();
  await waitFor('the 25 samples', async () => ((await storedSamples()) >= stored + 25 ? true : undefined), 20_000);
  await new Promise((r) => setTimeout(r, 1000));
  expect(await storedSamples()).toBe(stored + 25);
}, 60_000);
