import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { newClient } from 'sparkplug-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { apiAs, startGatewayProcess, startSpcRunProcess, tearDown, type SpcRunProcess } from '../e2e/harness.js';
import { freePort, NATS_URL, uniquePrefix, waitFor } from './servers.js';

// Holds to the edge node as Sparkplug B commands: `spc gateway --sparkplug` publishes DCMD metrics
// that Eclipse Tahu's sparkplug-client (the edge node) receives: the hold bit and its reason on a
// hold, cleared on its release.
const MQTT_URL = 'mqtt://127.0.0.1:1883';
const PLC = 'spgw-plc-token-0123456789';
const QUALITY = 'spgw-quality-token-012345';
const prefix = uniquePrefix('spgw');
const group = `spgw${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'spc-spgw-'));
let run: SpcRunProcess | undefined;
let gateway: ChildProcess;
let gatewayLog: () => string = () => '';
let edge: ReturnType<typeof newClient>;
let port = 0;
const commands: Record<string, unknown>[] = [];

beforeAll(async () => {
  writeFileSync(join(dir, 'rules.yaml'), 'version: 1\ncharacteristics:\n  - id: reflow.peak_temp\n    match: { line: L1, station: reflow, parameter: peak_temp }\n    chart: { type: i-mr }\n    limits: { center: 245, sigma: 1 }\n    rules: [nelson1]\n    actions: { hold: [nelson1] }\n');
  writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${PLC}, role: plc }\n- { token: ${QUALITY}, role: quality }\n`);
  writeFileSync(join(dir, 'plc.yaml'), `version: 1\nstations:\n  - line: L1\n    station: reflow\n    hold: "${group}/edge1/oven1:SPC/Hold"\n    reason: "${group}/edge1/oven1:SPC/HoldReason"\n    units: "${group}/edge1/oven1:SPC/SuspectUnits"\n`);
  edge = newClient({ serverUrl: MQTT_URL, username: '', password: '', groupId: group, edgeNode: 'edge1', clientId: `spgw-edge-${prefix}`, version: 'spBv1.0' });
  edge.on('dcmd', (device, payload) => { if (device === 'oven1') commands.push(Object.fromEntries((payload.metrics ?? []).map((m) => [m.name, m.value]))); });
  await new Promise<void>((resolve) => edge.once('birth', () => { edge.publishNodeBirth({ timestamp: Date.now(), metrics: [] }); resolve(); }));
  port = await freePort();
  run = await startSpcRunProcess({ rules: join(dir, 'rules.yaml'), tokens: join(dir, 'tokens.yaml'), port, prefix, store: 'pglite:' });
  const g = await startGatewayProcess(port, PLC, ['--sparkplug', MQTT_URL, '--plc-map', join(dir, 'plc.yaml')]);
  gateway = g.proc;
  gatewayLog = g.log;
}, 60_000);

afterAll(async () => {
  gateway?.kill('SIGTERM');
  edge?.stop();
  await tearDown(undefined, run, prefix);
});

it('a hold reaches the edge node as DCMD metrics (bit, reason, units); its release clears them', async () => {
  await waitFor('the clear state after the snapshot', () => (commands.some((c) => c['SPC/Hold'] === false) ? true : undefined));
  const nc = await connect({ servers: NATS_URL });
  await nc.jetstream().publish(sampleSubject(streamNamesFor(prefix), 'L1', 'reflow', 'peak_temp'), new TextEncoder().encode(JSON.stringify({ ts: new Date().toISOString(), line: 'L1', station: 'reflow', parameter: 'peak_temp', value: 252, unit: 'SN-SP-1' })));
  await nc.close();
  const held = await waitFor('the hold command', () => commands.find((c) => c['SPC/Hold'] === true && c['SPC/HoldReason'] === 'nelson1'));
  expect(held['SPC/SuspectUnits']).toBe(1);
  const [hold] = (await apiAs(port, QUALITY)('/api/holds')).body;
  const before = commands.length;
  expect((await apiAs(port, QUALITY)(`/api/holds/${encodeURIComponent(hold.id)}/release`, { reason: 'profile restored' })).status).toBe(200);
  await waitFor('the clear command', () => (commands.slice(before).some((c) => c['SPC/Hold'] === false) ? true : undefined));
});
