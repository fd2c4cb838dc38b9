import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import WebSocket from 'ws';
import { expect, it } from 'vitest';
import { influxQuery } from '../../src/adapters/influx/influxql.js';
import { deleteStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freePort, NATS_URL, uniquePrefix, waitFor } from '../integration/servers.js';

// A fault test on real servers: an InfluxDB of its own (so other tests are not disturbed) is
// stopped while the line runs and started again; nothing may be lost and holds must keep flowing.
const PORT = 18096;
const URL = `http://127.0.0.1:${PORT}`;
const influx = (cmd: 'start' | 'stop') => execFileSync('bash', ['scripts/influxdb.sh', cmd], { stdio: 'ignore', env: { ...process.env, SPC_INFLUX_PORT: String(PORT) } });

it('InfluxDB down under load: holds keep flowing, the backlog drains after, and no point is lost', async () => {
  influx('start');
  const dir = mkdtempSync(join(tmpdir(), 'spc-outage-'));
  writeFileSync(join(dir, 'tokens.yaml'), '- { token: outage-test-operator-0123, role: operator }\n');
  const prefix = uniquePrefix('outage');
  const database = `spc_${prefix}`;
  const port = await freePort();
  const worker = spawn('node', ['dist/src/cli/main.js', 'run', '--rules', 'rules/smt-line.yaml', '--tokens', join(dir, 'tokens.yaml'), '--ws-port', String(port), '--nats', NATS_URL,
    '--influx-url', URL, '--influx-db', database, '--prefix', prefix], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  worker.stderr!.on('data', (d) => { log += d; });
  const health = async () => (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as any;
  try {
    await waitFor('spc run', () => (log.includes('spc run: ready') ? true : undefined));
    const signals: { at: number; type: string }[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: 'Bearer outage-test-operator-0123' } });
    ws.on('message', (d) => { const m = JSON.parse(d.toString()); if (m.type === 'hold' || m.type === 'alarm') signals.push({ at: Date.now(), type: m.type }); });
    await new Promise((r) => ws.once('open', r));

    const sim = (units: string, seed: string) => spawnSync('node', ['dist/src/cli/main.js', 'simulate', '--nats', NATS_URL, '--prefix', prefix, '--rate', '3000', '--units', units, '--fault', 'shift', '--at', '0.5s', '--seed', seed], { encoding: 'utf8' });
    const first = sim('300', '1');
    await waitFor('InfluxDB to receive the first part', async () => ((await health()).influx.linesWritten > 0 ? true : undefined));
    influx('stop');
    const outageStart = Date.now();
    const second = sim('900', '2'); // while InfluxDB is down
    await waitFor('the worker to take every message', async () => ((await health()).counters.acked >= 6 * 1200 ? true : undefined));
    const during = signals.filter((s) => s.at >= outageStart).length;
    expect(during).toBeGreaterThan(0);                       // holds and alarms kept flowing
    expect((await health()).influx.failedAttempts).toBeGreaterThan(0); // the drain noticed the outage
    influx('start');
    const published = Number(/published (\d+)/.exec(first.stderr)![1]) + Number(/published (\d+)/.exec(second.stderr)![1]);
    await waitFor('the backlog to drain', async () => {
      const rows = await influxQuery({ url: URL, database }, 'SELECT count(value) FROM spc_sample').catch(() => []);
      return rows[0]?.values[0][1] === published ? true : undefined;
    }, 60_000, 500);
    const h = await health();
    expect(h.influx.linesLost).toBe(0);
    const points = await influxQuery({ url: URL, database }, "SELECT count(statistic) FROM spc_point WHERE chart != 'anomaly'");
    expect(points[0].values[0][1]).toBe(h.counters.points);
    ws.close();
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    influx('stop');
    const nc = await connect({ servers: NATS_URL });
    await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
    await nc.close();
  }
}, 120_000);
