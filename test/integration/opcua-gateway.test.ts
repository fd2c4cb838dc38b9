import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { DataType } from 'node-opcua-client';
import { OPCUAServer } from 'node-opcua-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { apiAs, startGatewayProcess, startSpcRunProcess, tearDown, type SpcRunProcess } from '../e2e/harness.js';
import { freePort, NATS_URL, uniquePrefix, waitFor } from './servers.js';

// Holds written back to a PLC over OPC UA: node-opcua's own server, in process, is the simulated
// PLC; `spc run` and `spc gateway --opcua` run as processes on NATS. A hold sets the station's bit,
// reason and unit count; the release clears them; a worker killed with SIGKILL sends the bits to
// their fail-safe value.
const PLC = 'opcua-plc-token-0123456789';
const QUALITY = 'opcua-quality-token-012345';
const RULES = `version: 1
characteristics:
  - id: reflow.peak_temp
    match: { line: L1, station: reflow, parameter: peak_temp }
    chart: { type: i-mr }
    limits: { center: 245, sigma: 1 }
    rules: [nelson1]
    actions: { hold: [nelson1] }
`;
const prefix = uniquePrefix('opcua');
const dir = mkdtempSync(join(tmpdir(), 'spc-opcua-'));
let server: OPCUAServer;
let endpoint = '';
/** A server variable as the test reads it back. */
interface UAVariable { readValue(): { value: { value: unknown } } }
const vars: Record<'hold' | 'reason' | 'units' | 'request' | 'answerUnit' | 'answerHeld', UAVariable> = {} as never;
let run: SpcRunProcess | undefined;
let gateway: ChildProcess;
let gatewayLog: () => string = () => '';
let port = 0;

const value = (v: UAVariable) => v.readValue().value.value as unknown;

beforeAll(async () => {
  const opcPort = await freePort();
  server = new OPCUAServer({ port: opcPort, resourcePath: '/plc', buildInfo: { productName: 'simulated PLC' } });
  await server.initialize();
  const ns = server.engine.addressSpace!.getOwnNamespace();
  const folder = server.engine.addressSpace!.rootFolder.objects;
  const add = (name: string, dataType: DataType, initial: unknown) => ns.addVariable({ organizedBy: folder, browseName: name, nodeId: `s=${name}`, dataType, accessLevel: 'CurrentRead | CurrentWrite', userAccessLevel: 'CurrentRead | CurrentWrite', value: { dataType, value: initial } });
  vars.hold = add('L1.Reflow.Hold', DataType.Boolean, false);
  vars.reason = add('L1.Reflow.Reason', DataType.String, '');
  vars.units = add('L1.Reflow.SuspectUnits', DataType.UInt32, 0);
  vars.request = add('L1.Interlock.Request', DataType.String, '');
  vars.answerUnit = add('L1.Interlock.AnswerUnit', DataType.String, '');
  vars.answerHeld = add('L1.Interlock.AnswerHeld', DataType.Boolean, false);
  await server.start();
  endpoint = `opc.tcp://127.0.0.1:${opcPort}/plc`;
  const nsIndex = ns.index;
  writeFileSync(join(dir, 'plc.yaml'), `version: 1\nstations:\n  - line: L1\n    station: reflow\n    hold: "ns=${nsIndex};s=L1.Reflow.Hold"\n    reason: "ns=${nsIndex};s=L1.Reflow.Reason"\n    units: "ns=${nsIndex};s=L1.Reflow.SuspectUnits"\ninterlock:\n  request: "ns=${nsIndex};s=L1.Interlock.Request"\n  answerUnit: "ns=${nsIndex};s=L1.Interlock.AnswerUnit"\n  answerHeld: "ns=${nsIndex};s=L1.Interlock.AnswerHeld"\n`);
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${PLC}, role: plc, name: plc-gw }\n- { token: ${QUALITY}, role: quality, name: qm-anna }\n`);
  port = await freePort();
  run = await startSpcRunProcess({ rules: join(dir, 'rules.yaml'), tokens: join(dir, 'tokens.yaml'), port, prefix, store: 'pglite:' });
  const g = await startGatewayProcess(port, PLC, ['--opcua', endpoint, '--plc-map', join(dir, 'plc.yaml')]);
  gateway = g.proc;
  gatewayLog = g.log;
}, 60_000);

afterAll(async () => {
  gateway?.kill('SIGTERM');
  await tearDown(undefined, run, prefix);
  await server?.shutdown(0);
});

it('a hold sets the station\'s hold bit, reason and unit count on the PLC; the release clears them', async () => {
  await waitFor('the bit clear after the snapshot', () => (value(vars.hold) === false && value(vars.reason) === '' ? true : undefined));
  const nc = await connect({ servers: NATS_URL });
  await nc.jetstream().publish(sampleSubject(streamNamesFor(prefix), 'L1', 'reflow', 'peak_temp'), new TextEncoder().encode(JSON.stringify({ ts: new Date().toISOString(), line: 'L1', station: 'reflow', parameter: 'peak_temp', value: 252, unit: 'SN-OPC-1' })));
  await nc.close();
  await waitFor('the hold bit', () => (value(vars.hold) === true ? true : undefined));
  expect([value(vars.reason), value(vars.units)]).toEqual(['nelson1', 1]);
  // The interlock as a node pair: the PLC writes a scanned unit; the gateway answers for that unit.
  const ask = async (unit: string) => {
    (vars.request as unknown as { setValueFromSource(v: unknown): void }).setValueFromSource({ dataType: DataType.String, value: unit });
    await waitFor(`the answer for ${unit}`, () => (value(vars.answerUnit) === unit ? true : undefined));
    return value(vars.answerHeld);
  };
  expect(await ask('SN-OPC-1')).toBe(true);
  expect(await ask('SN-NOT-HELD')).toBe(false);
  const [hold] = (await apiAs(port, QUALITY)('/api/holds')).body;
  expect((await apiAs(port, QUALITY)(`/api/holds/${encodeURIComponent(hold.id)}/release`, { reason: 'oven profile restored' })).status).toBe(200);
  await waitFor('the bit cleared by the release', () => (value(vars.hold) === false ? true : undefined));
  expect([value(vars.reason), value(vars.units)]).toEqual(['', 0]);
});

it('the worker killed: the PLC bit goes to its fail-safe value', async () => {
  run!.proc.kill('SIGKILL');
  await waitFor('the fail-safe bit', () => (value(vars.hold) === true ? true : undefined), 10_000);
  expect(value(vars.reason)).toBe('FAIL-SAFE');
  expect(gatewayLog()).toMatch(/FAIL-SAFE: HOLD LINE L1/);
}, 20_000);
