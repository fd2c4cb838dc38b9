import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { DataType, Variant } from 'node-opcua-client';
import { OPCUAServer } from 'node-opcua-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { apiAs, startSpcRunProcess, tearDown, type SpcRunProcess } from '../e2e/harness.js';
import { freePort, NATS_URL, uniquePrefix, waitFor } from './servers.js';

// OPC UA in: node-opcua's own server, in process, is the PLC of a screwdriving station (a serial
// number, a final torque, a part-done bit); `spc bridge opcua` and `spc run` run as processes on
// NATS. Each part-done edge closes a unit; a torque out of limits holds the unit the PLC named.
const QUALITY = 'opcua-bridge-quality-01234';
const RULES = `version: 1
characteristics:
  - id: screw.torque
    match: { line: L1, station: screw, parameter: torque }
    chart: { type: i-mr }
    limits: { center: 1.2, sigma: 0.02 }
    rules: [nelson1]
    actions: { hold: [nelson1] }
`;
const prefix = uniquePrefix('opcuain');
const dir = mkdtempSync(join(tmpdir(), 'spc-opcua-in-'));
let server: OPCUAServer;
/** A PLC variable as the test sets it. */
interface PlcVariable { setValueFromSource(v: Variant): void }
const plc: Record<'done' | 'serial' | 'torque', PlcVariable> = {} as never;
let run: SpcRunProcess | undefined;
let bridge: ChildProcess;
let bridgeLog = '';
let nc: NatsConnection;
let port = 0;

const set = (v: PlcVariable, dataType: DataType, value: unknown) => v.setValueFromSource(new Variant({ dataType, value }));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A part as the PLC reports it: serial, then torque, then the part-done bit pulsed. */
async function part(serial: string, torque: number): Promise<void> {
  set(plc.serial, DataType.String, serial); set(plc.torque, DataType.Double, torque);
  await pause(250);
  set(plc.done, DataType.Boolean, true);
  await pause(250);
  set(plc.done, DataType.Boolean, false);
  await pause(100);
}
async function storedSamples(): Promise<number> {
  const info = await (await nc.jetstreamManager()).streams.info(streamNamesFor(prefix).samples, { subjects_filter: `${prefix}.samples.L1.screw.torque` });
  return Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0);
}

let opcPort = 0;
/** The simulated PLC: an OPC UA server with the station's three variables (started again after a restart). */
async function startPlc(): Promise<number> {
  server = new OPCUAServer({ port: opcPort, resourcePath: '/plc' });
  await server.initialize();
  const ns = server.engine.addressSpace!.getOwnNamespace();
  const folder = server.engine.addressSpace!.rootFolder.objects;
  const add = (name: string, dataType: DataType, initial: unknown) => ns.addVariable({ organizedBy: folder, browseName: name, nodeId: `s=${name}`, dataType, minimumSamplingInterval: 50, value: { dataType, value: initial } });
  plc.done = add('Screw.PartDone', DataType.Boolean, false);
  plc.serial = add('Screw.Serial', DataType.String, '');
  plc.torque = add('Screw.FinalTorque', DataType.Double, 0);
  await server.start();
  return ns.index;
}

beforeAll(async () => {
  opcPort = await freePort();
  const n = await startPlc();
  writeFileSync(join(dir, 'map.yaml'), `version: 1\nstations:\n  - line: L1\n    station: screw\n    trigger: "ns=${n};s=Screw.PartDone"\n    unit: "ns=${n};s=Screw.Serial"\n    parameters:\n      "ns=${n};s=Screw.FinalTorque": torque\n    samplingMs: 50\n`);
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${QUALITY}, role: quality, name: qm-anna }\n`);
  nc = await connect({ servers: NATS_URL });
  port = await freePort();
  run = await startSpcRunProcess({ rules: join(dir, 'rules.yaml'), tokens: join(dir, 'tokens.yaml'), port, prefix, store: 'pglite:' });
  bridge = spawn('node', ['dist/src/cli/main.js', 'bridge', 'opcua', '--endpoint', `opc.tcp://127.0.0.1:${opcPort}/plc`, '--map', join(dir, 'map.yaml'), '--nats', NATS_URL, '--prefix', prefix, '--status-every', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  bridge.stderr!.on('data', (d) => { bridgeLog += d; });
  await waitFor('the bridge to be ready', () => (bridgeLog.includes('spc bridge opcua: ready') ? true : undefined), 30_000);
  await pause(500);
}, 60_000);

afterAll(async () => {
  bridge?.kill('SIGTERM');
  await tearDown(undefined, run, prefix);
  await nc?.close();
  await server?.shutdown(0);
});

it('each part-done edge closes a unit; a torque out of limits holds the serial the PLC named', async () => {
  await part('SN-1', 1.2);
  await part('SN-2', 1.21);
  await part('SN-3', 1.5);
  await waitFor('three samples', async () => ((await storedSamples()) === 3 ? true : undefined));
  const holds = await waitFor('the hold', async () => { const h = (await apiAs(port, QUALITY)('/api/holds')).body; return h.length ? h : undefined; });
  expect(holds.map((h: any) => [h.characteristic, h.units])).toEqual([['screw.torque', ['SN-3']]]);
});

it('a part done without a serial number is counted, not charted', async () => {
  const before = await storedSamples();
  set(plc.serial, DataType.String, '');
  await pause(150);
  set(plc.torque, DataType.Double, 1.19);
  await pause(250);
  set(plc.done, DataType.Boolean, true); await pause(250); set(plc.done, DataType.Boolean, false);
  await waitFor('the bridge to say so', () => (bridgeLog.includes('closed without a unit ID') ? true : undefined));
  await pause(300);
  expect(await storedSamples()).toBe(before);
});

it('the OPC UA server restarts: the bridge reconnects, subscribes again, and the next parts arrive', async () => {
  const before = await storedSamples();
  await server.shutdown(0);
  await pause(1500);
  await startPlc();
  await waitFor('the bridge to reconnect', () => (/re-established|restored|reconnect/i.test(bridgeLog) ? true : undefined), 30_000).catch(() => undefined);
  // Parts until one arrives: the bridge's new subscription starts with the server's current values.
  let serial = 100;
  await waitFor('a part after the restart', async () => {
    await part(`SN-${++serial}`, 1.2);
    return (await storedSamples()) > before ? true : undefined;
  }, 40_000);
  expect(serial - 100).toBeLessThanOrEqual(8);
}, 90_000);
