/**
 * Signal-to-bit latency through the plant's own protocols: a Sparkplug B edge node (Eclipse
 * Tahu's sparkplug-client) publishes a shifted peak temperature to Mosquitto → `spc bridge
 * sparkplug` → NATS → `spc run` → a hold → `spc gateway --opcua` → the hold bit of node-opcua's
 * server (the simulated PLC, in this process). Each trial: a normal board, then a shifted one; the
 * time from the shifted DDATA's publish to the PLC variable's write; then a release (API) clears
 * the bit for the next trial. Prints p50 / p99 / max with the machine's JSON.parse rate.
 * Run: npm run build && npm run bench:plant   (Mosquitto on 127.0.0.1:1883, NATS on :4222)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { DataType } from 'node-opcua-client';
import { OPCUAServer } from 'node-opcua-server';
import { newClient } from 'sparkplug-client';
import { deleteStreams, streamNamesFor } from '../src/adapters/nats/jetstream.js';
import { freePort } from '../test/integration/servers.js';
import { describeParseRate, jsonParseRate } from './machine.js';

const NATS = process.env.SPC_TEST_NATS ?? 'nats://127.0.0.1:4222';
const MQTT = process.env.SPC_TEST_MQTT ?? 'mqtt://127.0.0.1:1883';
const TRIALS = Number(process.env.SPC_BENCH_TRIALS ?? 100);
const QUALITY = 'bench-plant-quality-token-01';
const PLC = 'bench-plant-plc-token-012345';
const prefix = `benchplant${process.pid}`;
const group = `benchgrp${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'spc-bench-plant-'));
const children: ChildProcess[] = [];

function start(args: string[], ready: string): Promise<ChildProcess> {
  const p = spawn('node', ['dist/src/cli/main.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(p);
  let log = '';
  return new Promise((resolve, reject) => {
    const on = (d: Buffer) => { log += d; if (log.includes(ready)) resolve(p); };
    p.stdout!.on('data', on); p.stderr!.on('data', on);
    p.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${log}`)));
  });
}

/** A trial that does not finish in 10 s is reported, not waited for forever. */
function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10_000))]);
}

async function main(): Promise<void> {
  const parse = jsonParseRate();
  // The PLC: a hold bit whose writes are timed here.
  const opcPort = await freePort();
  const server = new OPCUAServer({ port: opcPort, resourcePath: '/plc' });
  await server.initialize();
  const ns = server.engine.addressSpace!.getOwnNamespace();
  const hold = ns.addVariable({ organizedBy: server.engine.addressSpace!.rootFolder.objects, browseName: 'L1.Reflow.Hold', nodeId: 's=L1.Reflow.Hold', dataType: DataType.Boolean, accessLevel: 'CurrentRead | CurrentWrite', userAccessLevel: 'CurrentRead | CurrentWrite', value: { dataType: DataType.Boolean, value: false } });
  await server.start();
  let bitWaiter: ((v: boolean) => void) | undefined;
  hold.on('value_changed', (dv) => bitWaiter?.(dv.value.value === true));
  const waitBit = (want: boolean) => new Promise<number>((resolve) => { bitWaiter = (v) => { if (v === want) { bitWaiter = undefined; resolve(performance.now()); } }; });

  writeFileSync(join(dir, 'rules.yaml'), 'version: 1\ncharacteristics:\n  - id: reflow.peak_temp\n    match: { line: L1, station: reflow, parameter: peak_temp }\n    chart: { type: i-mr }\n    limits: { center: 245, sigma: 1 }\n    rules: [nelson1]\n    actions: { hold: [nelson1] }\n');
  writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${QUALITY}, role: quality }\n- { token: ${PLC}, role: plc }\n`);
  writeFileSync(join(dir, 'map.yaml'), `version: 1\ndevices:\n  - group: ${group}\n    device: oven1\n    line: L1\n    station: reflow\n    unit: Board/Serial\n    parameters:\n      Oven/PeakTemp: peak_temp\n`);
  writeFileSync(join(dir, 'plc.yaml'), `version: 1\nstations:\n  - line: L1\n    station: reflow\n    hold: "ns=${ns.index};s=L1.Reflow.Hold"\n`);
  const port = await freePort();
  await start(['run', '--rules', join(dir, 'rules.yaml'), '--tokens', join(dir, 'tokens.yaml'), '--ws-port', String(port), '--nats', NATS, '--no-influx', '--prefix', prefix, '--alarm-flood', 'off'], 'spc run: ready');
  await start(['bridge', 'sparkplug', '--mqtt', MQTT, '--map', join(dir, 'map.yaml'), '--nats', NATS, '--prefix', prefix, '--client-id', `bench-${prefix}`, '--status-every', '0'], 'spc bridge sparkplug: ready');
  const cleared = waitBit(false);
  await start(['gateway', '--line', 'L1', '--token', PLC, '--url', `ws://127.0.0.1:${port}/signals`, '--silence-ms', '2000', '--opcua', `opc.tcp://127.0.0.1:${opcPort}/plc`, '--plc-map', join(dir, 'plc.yaml')], 'snapshot:');
  await cleared;

  const edge = newClient({ serverUrl: MQTT, username: '', password: '', groupId: group, edgeNode: 'edge1', clientId: `bench-edge-${prefix}`, version: 'spBv1.0' });
  await new Promise<void>((resolve) => edge.once('birth', () => {
    edge.publishNodeBirth({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }] });
    edge.publishDeviceBirth('oven1', { timestamp: Date.now(), metrics: [{ name: 'Board/Serial', alias: 1, type: 'String', value: '' }, { name: 'Oven/PeakTemp', alias: 2, type: 'Double', value: 245 }] });
    resolve();
  }));
  const api = async (path: string, body?: unknown) => (await fetch(`http://127.0.0.1:${port}${path}`, { method: body ? 'POST' : 'GET', headers: { Authorization: `Bearer ${QUALITY}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined })).json() as Promise<any>;
  const latencies: number[] = [];
  let board = 0;
  for (let t = 0; t < TRIALS; t++) {
    edge.publishDeviceData('oven1', { timestamp: Date.now(), metrics: [{ alias: 1, type: 'String', value: `B${++board}` }, { alias: 2, type: 'Double', value: 245.1 }] });
    await new Promise((r) => setTimeout(r, 20));
    const set = waitBit(true);
    const sent = performance.now();
    edge.publishDeviceData('oven1', { timestamp: Date.now(), metrics: [{ alias: 1, type: 'String', value: `B${++board}` }, { alias: 2, type: 'Double', value: 260 }] });
    latencies.push((await withTimeout(set, `trial ${t}: the hold bit`)) - sent);
    const off = waitBit(false);
    const [h] = await api('/api/holds');
    await api(`/api/holds/${encodeURIComponent(h.id)}/release`, { reason: 'bench trial over' });
    await withTimeout(off, `trial ${t}: the bit cleared by the release`);
    await new Promise((r) => setTimeout(r, 100)); // two API calls a trial: stay under the token's 20 requests/s
  }
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  console.log(describeParseRate(parse));
  console.log(`Sparkplug DDATA publish → PLC hold bit written (OPC UA), ${TRIALS} trials: p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`);
  edge.stop();
  for (const c of children.reverse()) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await server.shutdown(0);
  const nc = await connect({ servers: NATS });
  await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
  await nc.close();
}

main().then(() => process.exit(0), (err) => { console.error(err); for (const c of children) c.kill('SIGKILL'); process.exit(1); });
