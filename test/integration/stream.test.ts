import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxQuery } from '../../src/adapters/influx/influxql.js';
import { deleteStreams, sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freePort, INFLUX_URL, NATS_URL, uniquePrefix, waitFor } from './servers.js';

// End to end over the wire: real NATS JetStream, real InfluxDB 1.6, the built `spc` CLI.
const CLI = 'dist/src/cli/main.js';
const PLC = 'plc-token-L1-0123456789';
const QUALITY = 'quality-token-0123456789';
const prefix = uniquePrefix('run');
const streams = streamNamesFor(prefix);
const database = `spc_${prefix}`;
let worker: ChildProcess;
let port = 0;
let nc: NatsConnection;
let workerLog = '';

async function health(): Promise<{ counters: { messages: number; points: number; acked: number; deadLetters: Record<string, number> }; influx: { linesWritten: number } }> {
  return (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as never;
}

/** A WebSocket client that records every message. */
function client(token: string): Promise<{ ws: WebSocket; messages: any[] }> {
  return new Promise((resolve, reject) => {
    const messages: any[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: `Bearer ${token}` } });
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    ws.on('open', () => resolve({ ws, messages }));
    ws.on('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spc-run-'));
  writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${PLC}, role: plc, name: gw-L1, lines: [L1] }\n- { token: ${QUALITY}, role: quality, name: qm-anna }\n`);
  port = await freePort();
  worker = spawn('node', [CLI, 'run', '--rules', 'rules/smt-line.yaml', '--tokens', join(dir, 'tokens.yaml'), '--ws-port', String(port), '--nats', NATS_URL,
    '--influx-url', INFLUX_URL, '--influx-db', database, '--prefix', prefix, '--unknown', 'dlq'], { stdio: ['ignore', 'pipe', 'pipe'] });
  worker.stderr!.on('data', (d) => { workerLog += d; });
  await waitFor('spc run to be ready', () => (workerLog.includes('spc run: ready') ? true : undefined));
  nc = await connect({ servers: NATS_URL });
});

afterAll(async () => {
  worker?.kill('SIGTERM');
  await new Promise((r) => worker?.once('exit', r));
  if (nc) { await deleteStreams(await nc.jetstreamManager(), streams); await nc.close(); }
});

describe('spc run', () => {
  it('refuses a connection without a valid token (HTTP 401)', async () => {
    await expect(client('wrong-token-0000000000')).rejects.toThrow('HTTP 401');
  });

  it('simulated fault → hold over WebSocket naming the units; InfluxDB holds every point and sample', async () => {
    const plc = await client(PLC);
    await waitFor('the snapshot', () => (plc.messages[0]?.type === 'snapshot' ? true : undefined));
    expect(plc.messages[0]).toMatchObject({ type: 'snapshot', role: 'plc', holds: [] });

    const sim = spawnSync('node', [CLI, 'simulate', '--nats', NATS_URL, '--prefix', prefix, '--rate', '4000', '--units', '900', '--fault', 'shift', '--at', '1s', '--seed', '1'], { encoding: 'utf8' });
    expect(sim.status, sim.stderr).toBe(0);
    const published = Number(/published (\d+) messages/.exec(sim.stderr)![1]);
    const faultUnit = Number(/from unit (\d+)/.exec(sim.stderr)![1]);
    expect(sim.stderr).toContain('FAULT "shift" injected on reflow.peak_temp');

    await waitFor('every message acknowledged', async () => ((await health()).counters.acked === published ? true : undefined));
    const unitNo = (u: string) => Number(u.slice(-7));
    const peakHolds = plc.messages.filter((m) => m.type === 'hold' && m.characteristic === 'reflow.peak_temp');
    expect(peakHolds.length).toBeGreaterThan(0);
    // A violating point after the fault: its statistic is beyond the limits it carries, and it adds units made after the fault.
    const afterFault = peakHolds.filter((h) => (h.statistic > h.ucl || h.statistic < h.lcl) && h.added.length && h.added.every((u: string) => unitNo(u) >= faultUnit));
    expect(afterFault.length).toBeGreaterThan(0);
    const hold = afterFault[0];
    // Every unit after the first hold is suspect until release: the hold covers the units after the fault.
    // Protocol v2: across a hold's revisions every unit is named once, and the counts add up.
    const revisions = peakHolds.filter((m) => m.id === hold.id && !m.resent);
    const named = revisions.flatMap((m) => m.added);
    expect(new Set(named).size).toBe(named.length);
    expect(revisions[revisions.length - 1].unitCount).toBe(named.length);
    expect(revisions.map((m) => m.rev)).toEqual(revisions.map((_, i) => i + 1));
    expect(named.some((u: string) => unitNo(u) >= faultUnit)).toBe(true);
    expect(hold).toMatchObject({ line: 'L1', station: 'reflow', characteristic: 'reflow.peak_temp', action: 'hold' });
    expect(revisions[0].lots.length).toBeGreaterThan(0);
    expect(typeof hold.ts).toBe('string');

    const { counters } = await health();
    await waitFor('InfluxDB to hold every line', async () => ((await health()).influx.linesWritten > 0 && (await influxQuery({ url: INFLUX_URL, database }, 'SELECT count(value) FROM spc_sample'))[0]?.values[0][1] === published ? true : undefined));
    const points = await influxQuery({ url: INFLUX_URL, database }, "SELECT count(statistic) FROM spc_point WHERE chart != 'anomaly'");
    expect(points[0].values[0][1]).toBe(counters.points);
    // rules/smt-line.yaml also scores every complete L1 board with the multivariate model.
    const scored = await influxQuery({ url: INFLUX_URL, database }, "SELECT count(statistic) FROM spc_point WHERE chart = 'anomaly'");
    expect(scored[0].values[0][1]).toBe((await health() as any).counters.anomalyScored);
    expect((await health() as any).counters.anomalyScored).toBe(900);
    // The hold's first unit was measured beyond the limit the hold names (nelson1 is "beyond 3σ").
    if (hold.rules.includes('nelson1') && hold.added.length === 1) {
      const unit = hold.added[0];
      const rows = await influxQuery({ url: INFLUX_URL, database }, `SELECT value FROM spc_sample WHERE parameter = 'peak_temp' AND unit = '${unit}'`);
      const value = rows[0].values[0][1] as number;
      expect(value > hold.ucl || value < hold.lcl).toBe(true);
    }
    plc.ws.close();
  });

  it('sends malformed messages to the dead-letter stream with a reason, and keeps going', async () => {
    const js = nc.jetstream();
    const subject = sampleSubject(streams, 'L1', 'reflow', 'peak_temp');
    const enc = new TextEncoder();
    const before = (await health()).counters.messages;
    await js.publish(subject, enc.encode('{"ts": not json'));
    await js.publish(subject, enc.encode(JSON.stringify({ ts: '2026-11-25T03:00:00Z', line: 'L1', station: 'reflow', parameter: 'peak_temp', value: 'hot', unit: 'SN1' })));
    await js.publish(subject, enc.encode(JSON.stringify([
      { ts: '2026-11-25T03:00:00Z', line: 'L1', station: 'reflow', parameter: 'peak_temp', value: 245, unit: 'SN2' },
      { ts: '2026-11-25T03:00:00Z', line: 'L1', station: 'reflow', parameter: 'peak_temp', value: 245 },
    ])));
    await js.publish(sampleSubject(streams, 'L9', 'x', 'y'), enc.encode(JSON.stringify({ ts: '2026-11-25T03:00:00Z', line: 'L9', station: 'x', parameter: 'y', value: 1, unit: 'SN3' })));
    await waitFor('the worker to take the 4 messages', async () => ((await health()).counters.messages >= before + 4 ? true : undefined));

    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(streams.deadLetters, { durable_name: 'test-reader', ack_policy: AckPolicy.Explicit });
    const c = await js.consumers.get(streams.deadLetters, 'test-reader');
    const letters: { subject: string; reason: string; detail: string; item?: string; data: string }[] = [];
    const iter = await c.fetch({ max_messages: 4, expires: 5000 });
    for await (const m of iter) {
      letters.push({ subject: m.subject, reason: m.headers!.get('Spc-Reason'), detail: m.headers!.get('Spc-Detail'), item: m.headers!.get('Spc-Item') || undefined, data: new TextDecoder().decode(m.data) });
      m.ack();
    }
    expect(letters.map((l) => l.subject)).toEqual([`${prefix}.dlq.invalid-json`, `${prefix}.dlq.invalid-sample`, `${prefix}.dlq.invalid-sample`, `${prefix}.dlq.unknown-characteristic`]);
    expect(letters[0].data).toBe('{"ts": not json');
    expect(letters[1].detail).toBe('value must be a finite number (got string "hot")');
    expect(letters[2]).toMatchObject({ detail: 'item 1: unit is required', item: '1' });
    expect(letters[3].detail).toContain('no characteristic matches line L9');
    expect((await health()).counters.deadLetters).toMatchObject({ 'invalid-json': 1, 'invalid-sample': 2, 'unknown-characteristic': 1 });
    // The same numbers for Prometheus.
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('spc_dead_letters_total{reason="invalid-json"} 1');
    expect(metrics).toContain('spc_dead_letters_total{reason="invalid-sample"} 2');
    expect(metrics).toMatch(/spc_messages_total \d+/);
    expect(metrics).toMatch(/spc_message_latency_seconds_count \d+/);
    expect(metrics).toMatch(/spc_consumer_lag_messages 0/);
  });
});
