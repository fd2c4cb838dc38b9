import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeSparkplug } from '../../src/adapters/mqtt/sparkplug-mqtt.js';
import { deleteStreams, ensureStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freePort, NATS_URL, uniquePrefix, waitFor } from './servers.js';

// The MQTT broker restarts under the Sparkplug bridge: a private Mosquitto on its own port is
// stopped and started again; the bridge reconnects, subscribes again, and the samples published
// after the restart arrive, each once.
const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));
const prefix = uniquePrefix('sprestart');
const dir = mkdtempSync(join(tmpdir(), 'spc-sprestart-'));
let broker: ChildProcess | undefined;
let bridge: ChildProcess;
let bridgeLog = '';
let nc: NatsConnection;
let port = 0;

async function startBroker(): Promise<void> {
  broker = spawn(MOSQUITTO!, ['-p', String(port)], { stdio: 'ignore' });
  await waitFor('the broker', async () => { try { const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 500 }); await c.endAsync(); return true; } catch { return undefined; } });
}
async function publish(from: number, count: number): Promise<void> {
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `pub-${prefix}-${from}` });
  for (let i = from; i < from + count; i++) {
    await pub.publishAsync('spBv1.0/restart/DDATA/edge9/oven1', Buffer.from(encodeSparkplug({ timestamp: 1_700_000_000_000 + i, seq: i % 256, metrics: [{ name: 'Board/Serial', type: 'String', value: `R-${i}` }, { name: 'Oven/PeakTemp', type: 'Double', value: 245 }] })), { qos: 1 });
  }
  await pub.endAsync();
}
async function stored(): Promise<number> {
  const info = await (await nc.jetstreamManager()).streams.info(streamNamesFor(prefix).samples, { subjects_filter: `${prefix}.samples.L1.reflow.peak_temp` });
  return Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0);
}

beforeAll(async () => {
  if (!MOSQUITTO) return;
  port = await freePort();
  await startBroker();
  writeFileSync(join(dir, 'map.yaml'), 'version: 1\ndevices:\n  - group: restart\n    device: oven1\n    line: L1\n    station: reflow\n    unit: Board/Serial\n    parameters:\n      Oven/PeakTemp: peak_temp\n');
  nc = await connect({ servers: NATS_URL });
  await ensureStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
  bridge = spawn('node', ['dist/src/cli/main.js', 'bridge', 'sparkplug', '--mqtt', `mqtt://127.0.0.1:${port}`, '--map', join(dir, 'map.yaml'), '--nats', NATS_URL, '--prefix', prefix, '--client-id', `bridge-${prefix}`, '--status-every', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  bridge.stderr!.on('data', (d) => { bridgeLog += d; });
  await waitFor('the bridge', () => (bridgeLog.includes('spc bridge sparkplug: ready') ? true : undefined));
}, 60_000);

afterAll(async () => {
  bridge?.kill('SIGTERM');
  broker?.kill('SIGTERM');
  if (nc) { await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix)); await nc.close(); }
});

it.skipIf(!MOSQUITTO)('the broker stops and starts again: the bridge resubscribes and later samples arrive once each', async () => {
  await publish(0, 10);
  await waitFor('the first 10', async () => ((await stored()) === 10 ? true : undefined));
  broker!.kill('SIGKILL');
  await new Promise((r) => broker!.once('exit', r));
  await new Promise((r) => setTimeout(r, 1500));
  await startBroker();
  // The bridge reconnects within its 1 s retry period and subscribes again (a fresh broker kept no session).
  await new Promise((r) => setTimeout(r, 2500));
  await publish(10, 15);
  await waitFor('the next 15', async () => ((await stored()) >= 25 ? true : undefined), 20_000);
  await new Promise((r) => setTimeout(r, 800));
  expect(await stored()).toBe(25);
}, 60_000);
