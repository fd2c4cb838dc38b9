import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from 'node-opcua-client';
import { OPCUAServer } from 'node-opcua-server';
import { newClient } from 'sparkplug-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSpcRunProcess, tearDown, type SpcRunProcess } from '../e2e/harness.js';
import { freePort, NATS_URL, uniquePrefix, waitFor } from './servers.js';

// The whole chain over the wire, with the plant's protocols at both ends: a Sparkplug B edge node
// (Eclipse Tahu) publishes a shifted parameter to Mosquitto → spc bridge sparkplug → NATS →
// spc run → a hold → spc gateway --opcua → the hold bit of node-opcua's server (the PLC).
const MQTT_URL = 'mqtt://127.0.0.1:1883';
const PLC = 'chain-plc-token-0123456789';
const prefix = uniquePrefix('chain');
const group = `chain${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'spc-chain-'));
let server: OPCUAServer;
let hold: { readValue(): { value: { value: unknown } } };
let run: SpcRunProcess | undefined;
const procs: ChildProcess[] = [];
let edge: ReturnType<typeof newClient>;

function start(args: string[], ready: string): Promise<void> {
  const p = spawn('node', ['dist/src/cli/main.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  let log = '';
  p.stdout!.on('data', (d) => { log += d; }); p.stderr!.on('data', (d) => { log += d; });
  return waitFor(`${args[0]} ${args[1]} to be ready`, () => (log.includes(ready) ? true : undefined), 30_000).then(() => undefined);
}

beforeAll(async () => {
  const opcPort = await freePort();
  server = new OPCUAServer({ port: opcPort, resourcePath: '/plc' });
  await server.initialize();
  const ns = server.engine.addressSpace!.getOwnNamespace();
  hold = ns.addVariable({ organizedBy: server.engine.addressSpace!.rootFolder.objects, browseName: 'L1.Reflow.Hold', nodeId: 's=L1.Reflow.Hold', dataType: DataType.Boolean, accessLevel: 'CurrentRead | CurrentWrite', userAccessLevel: 'CurrentRead | CurrentWrite', value: { dataType: DataType.Boolean, value: false } });
  await server.start();
  writeFileSync(join(dir, 'rules.yaml'), 'version: 1\ncharacteristics:\n  - id: reflow.peak_temp\n    match: { line: L1, station: reflow, parameter: peak_temp }\n    chart: { type: i-mr }\n    limits: { center: 245, sigma: 1 }\n    rules: [nelson1]\n    actions: { hold: [nelson1] }\n');
  writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${PLC}, role: plc }\n`);
  writeFileSync(join(dir, 'map.yaml'), `version: 1\ndevices:\n  - group: ${group}\n    device: oven1\n    line: L1\n    station: reflow\n    unit: Board/Serial\n    parameters:\n      Oven/PeakTemp: peak_temp\n`);
  writeFileSync(join(dir, 'plc.yaml'), `version: 1\nstations:\n  - line: L1\n    station: reflow\n    hold: "ns=${ns.index};s=L1.Reflow.Hold"\n`);
  const port = await freePort();
  run = await startSpcRunProcess({ rules: join(dir, 'rules.yaml'), tokens: join(dir, 'tokens.yaml'), port, prefix, store: 'pglite:' });
  await start(['bridge', 'sparkplug', '--mqtt', MQTT_URL, '--map', join(dir, 'map.yaml'), '--nats', NATS_URL, '--prefix', prefix, '--client-id', `chain-${prefix}`, '--status-every', '0'], 'spc bridge sparkplug: ready');
  await start(['gateway', '--line', 'L1', '--token', PLC, '--url', `ws://127.0.0.1:${port}/signals`, '--silence-ms', '2000', '--opcua', `opc.tcp://127.0.0.1:${opcPort}/plc`, '--plc-map', join(dir, 'plc.yaml')], 'snapshot:');
  edge = newClient({ serverUrl: MQTT_URL, username: '', password: '', groupId: group, edgeNode: 'edge1', clientId: `chain-edge-${prefix}`, version: 'spBv1.0' });
  await new Promise<void>((resolve) => edge.once('birth', () => {
    edge.publishNodeBirth({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }] });
    edge.publishDeviceBirth('oven1', { timestamp: Date.now(), metrics: [{ name: 'Board/Serial', alias: 1, type: 'String', value: '' }, { name: 'Oven/PeakTemp', alias: 2, type: 'Double', value: 245 }] });
    resolve();
  }));
}, 90_000);

afterAll(async () => {
  edge?.stop();
  for (const p of procs) p.kill('SIGTERM');
  await tearDown(undefined, run, prefix);
  await server?.shutdown(0);
});

it('a shifted parameter from a Sparkplug edge node sets the OPC UA PLC\'s hold bit', async () => {
  await waitFor('the bit clear after the gateway\'s snapshot', () => (hold.readValue().value.value === false ? true : undefined));
  edge.publishDeviceData('oven1', { timestamp: Date.now(), metrics: [{ alias: 1, type: 'String', value: 'B1' }, { alias: 2, type: 'Double', value: 245.2 }] });
  expect(hold.readValue().value.value).toBe(false);
  edge.publishDeviceData('oven1', { timestamp: Date.now(), metrics: [{ alias: 1, type: 'String', value: 'B2' }, { alias: 2, type: 'Double', value: 260 }] });
  await waitFor('the PLC hold bit', () => (hold.readValue().value.value === true ? true : undefined), 10_000);
});
