import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { deleteStreams, ensureStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { NATS_URL, uniquePrefix, waitFor } from './servers.js';

// `spc simulate --sparkplug` as a plant's edge nodes (Tahu clients, a device per station) and the
// bundled map: every simulated sample comes back out of `spc bridge sparkplug`, on its line and
// station, and nothing is dead-lettered.
const prefix = uniquePrefix('spsim');
let bridge: ChildProcess;
let log = '';
let nc: NatsConnection;

beforeAll(async () => {
  nc = await connect({ servers: NATS_URL });
  await ensureStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
  bridge = spawn('node', ['dist/src/cli/main.js', 'bridge', 'sparkplug', '--mqtt', 'mqtt://127.0.0.1:1883', '--map', 'examples/sparkplug-smt-map.yaml', '--nats', NATS_URL, '--prefix', prefix, '--client-id', `spsim-${prefix}`, '--status-every', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  bridge.stderr!.on('data', (d) => { log += d; });
  await waitFor('the bridge', () => (log.includes('spc bridge sparkplug: ready') ? true : undefined));
}, 30_000);

afterAll(async () => {
  bridge?.kill('SIGTERM');
  await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
  await nc.close();
});

it('40 simulated units on L1 arrive as 6 samples each on their stations, with their units', async () => {
  const r = spawnSync('node', ['dist/src/cli/main.js', 'simulate', '--sparkplug', 'mqtt://127.0.0.1:1883', '--units', '40', '--rate', '400', '--seed', '5'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const subjects = await waitFor('every sample', async () => {
    const info = await (await nc.jetstreamManager()).streams.info(streamNamesFor(prefix).samples, { subjects_filter: '>' });
    const s = info.state.subjects ?? {};
    return Object.values(s).reduce((a, n) => a + n, 0) >= 240 ? s : undefined;
  }, 20_000);
  // printer, reflow (two parameters), screw, coating, aoi: one message per parameter and unit.
  expect(subjects).toEqual(Object.fromEntries(['printer.paste_thickness', 'reflow.peak_temp', 'reflow.tal', 'screw.torque', 'coating.thickness', 'aoi.defects'].map((k) => [`${prefix}.samples.L1.${k}`, 40])));
  const dlq = await (await nc.jetstreamManager()).streams.info(streamNamesFor(prefix).deadLetters, { subjects_filter: '>' }).catch(() => undefined);
  expect(Object.keys(dlq?.state.subjects ?? {}).filter((s) => !s.includes('unmapped'))).toEqual([]);
}, 40_000);
