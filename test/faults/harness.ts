import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeliverPolicy, type NatsConnection } from 'nats';
import { parse, stringify } from 'yaml';
import { sampleSubjects, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freePort, waitFor } from '../integration/servers.js';

/** Shared by the fault tests: real `spc run` processes on real NATS (and PostgreSQL), compared run by run. */

export const TOKEN = 'fault-test-quality-token-0123';

/**
 * A folder with a tokens file and rules for lines L1…Ln: the bundled SMT characteristics, per
 * line; with `anomaly`, the bundled multivariate model on every line too, raising that action.
 */
export function workspace(lines: number, o: { anomaly?: 'hold' | 'alarm' } = {}): { dir: string; rules: string; tokens: string } {
  const dir = mkdtempSync(join(tmpdir(), 'spc-fault-'));
  const base = (parse(readFileSync('rules/smt-line.yaml', 'utf8')) as { version: 1; plans?: unknown; codes?: unknown; characteristics: { id: string; match: Record<string, string> }[]; anomaly: { id: string; wait?: string }[] });
  const characteristics = [];
  const anomaly = [];
  for (let l = 1; l <= lines; l++) {
    for (const c of base.characteristics) characteristics.push({ ...c, id: `L${l}.${c.id}`, match: { ...c.match, line: `L${l}` } });
    if (o.anomaly) for (const a of base.anomaly) anomaly.push({ ...a, id: `L${l}.${a.id}`, model: resolve('models/smt-l1.onnx'), match: { line: `L${l}` }, action: o.anomaly });
  }
  // The file's reaction plans and codes come along: the characteristics name them.
  writeFileSync(join(dir, 'rules.yaml'), stringify({ version: 1, ...(base.plans ? { plans: base.plans } : {}), ...(base.codes ? { codes: base.codes } : {}), characteristics, ...(anomaly.length ? { anomaly } : {}) }));
  writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${TOKEN}, role: quality }\n`);
  return { dir, rules: join(dir, 'rules.yaml'), tokens: join(dir, 'tokens.yaml') };
}

/** Publishes a seeded simulated run with a shift on every line; returns the number of messages. */
export function simulate(nats: string, prefix: string, lines: number, units: number, seed = '7'): number {
  // At 20,000 msg/s and 6 messages per unit and line, 0.2 s is unit ~330 on each line: after Phase I.
  const at = `${((330 * 6 * lines) / 20000).toFixed(3)}s`;
  const r = spawnSync('node', ['dist/src/cli/main.js', 'simulate', '--nats', nats, '--prefix', prefix, '--rate', '20000', '--lines', String(lines), '--units', String(units), '--fault', 'shift', '--at', at, '--seed', seed], { encoding: 'utf8' });
  const m = /published (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`spc simulate failed: ${r.stderr}`);
  return Number(m[1]);
}

/** Every message of a prefix's samples stream, in order (subject and payload). */
export async function readSamples(nc: NatsConnection, prefix: string): Promise<{ subject: string; data: Uint8Array }[]> {
  const streams = streamNamesFor(prefix);
  const last = (await (await nc.jetstreamManager()).streams.info(streams.samples)).state.last_seq;
  const out: { subject: string; data: Uint8Array }[] = [];
  if (!last) return out;
  const consumer = await nc.jetstream().consumers.get(streams.samples, { filterSubjects: sampleSubjects(streams), deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: 1 });
  const messages = await consumer.consume();
  for await (const m of messages) { out.push({ subject: m.subject, data: m.data }); if (m.info.streamSequence >= last) break; }
  messages.stop();
  return out;
}

/** Every InfluxDB line the workers put in a prefix's outbox (the drain is off in these tests). */
/** Publishes recorded messages to another prefix at a steady rate (the same input for every run). */
export async function republish(nc: NatsConnection, prefix: string, input: { subject: string; data: Uint8Array }[], perSecond: number): Promise<void> {
  const from = /^[^.]+\.samples\./;
  const js = nc.jetstream();
  const started = Date.now();
  const size = Math.min(2000, Math.max(50, Math.round(perSecond / 20))); // publishes in flight at once
  for (let i = 0; i < input.length; i += size) {
    const chunk = input.slice(i, i + size);
    // msgID: a publish retried after a lost acknowledgement is stored once.
    await Promise.all(chunk.map((m, k) => js.publish(m.subject.replace(from, `${prefix}.samples.`), m.data, { msgID: `r-${i + k}` })));
    const due = started + ((i + chunk.length) / perSecond) * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  }
}

export async function readOutbox(nc: NatsConnection, prefix: string): Promise<string[]> {
  // A work-queue stream admits no ordered consumer: read its messages one by one instead.
  const streams = streamNamesFor(prefix);
  const jsm = await nc.jetstreamManager();
  const { first_seq, last_seq, messages } = (await jsm.streams.info(streams.outbox)).state;
  const lines: string[] = [];
  if (!messages) return lines;
  for (let seq = first_seq; seq <= last_seq; seq++) {
    const m = await jsm.streams.getMessage(streams.outbox, { seq }).catch(() => undefined);
    if (m) lines.push(...new TextDecoder().decode(m.data).split('\n'));
  }
  return lines;
}

export interface Worker { proc: ChildProcess; port: number; log: () => string; health: () => Promise<any>; exited: Promise<number | null> }

/** Starts `spc run` (no InfluxDB: its lines stay in the outbox to be compared). */
export async function startWorker(w: { rules: string; tokens: string }, o: { nats: string; prefix: string; store?: string; partitions?: number; id?: string; snapshotEvery?: string; args?: string[] }): Promise<Worker> {
  const port = await freePort();
  const args = ['dist/src/cli/main.js', 'run', '--rules', w.rules, '--tokens', w.tokens, '--ws-port', String(port), '--nats', o.nats, '--prefix', o.prefix, ...(o.args ?? ['--no-influx']),
    '--alarm-flood', 'off', '--partitions', String(o.partitions ?? 1), '--snapshot-every', o.snapshotEvery ?? '1s', '--lease-ttl', '2s'];
  if (o.store) args.push('--store', o.store);
  if (o.id) args.push('--worker-id', o.id);
  // SPC_WORKER_NODE_ARGS: e.g. --cpu-prof, to profile a worker under a test or benchmark.
  const proc = spawn('node', [...(process.env.SPC_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => { log += d; });
  let gone = false;
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => { gone = true; r(code); }));
  await waitFor('spc run to be ready', () => {
    if (gone) throw new Error(`spc run exited:\n${log}`);
    return log.includes('spc run: ready') ? true : undefined;
  }, 30_000);
  // A refused or reset request says why: did the worker exit, and what did it log last?
  const health = async () => {
    try {
      return await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
    } catch (err) {
      throw new Error(`GET /healthz of spc run on port ${port} failed (${String((err as Error).cause ?? err)}); the worker ${gone ? `exited (${proc.exitCode ?? proc.signalCode})` : 'is running'}; its log ends:\n${log.slice(-4000)}`);
    }
  };
  return { proc, port, log: () => log, health, exited };
}

export async function stopWorker(w: Worker, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return;
  w.proc.kill(signal);
  await w.exited;
}

/** Holds and alarms in the store with their units: what the line was told, durably. */
export async function storedHolds(url: string): Promise<{ rows: string[]; samples: number }> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const rows = (await c.query(`SELECT h.id, h.kind, h.characteristic, h.rule, coalesce(string_agg(u.unit, ',' ORDER BY u.unit), '') AS units
      FROM holds h LEFT JOIN hold_units u ON u.hold_id = h.id GROUP BY h.id ORDER BY h.id`)).rows.map((r) => `${r.id} ${r.kind} ${r.characteristic} ${r.rule} [${r.units}]`);
    return { rows, samples: await sampleCount(url) };
  } finally { await c.end(); }
}

export async function sampleCount(url: string): Promise<number> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { return Number((await c.query('SELECT count(*) AS n FROM samples')).rows[0].n); } finally { await c.end(); }
}

/**
 * A TCP relay to a server, to take it away and give it back without touching the server itself
 * (the machine's PostgreSQL serves other tests): `cut()` drops every connection and refuses new
 * ones, `restore()` lets them through again.
 */
export async function relay(targetPort: number): Promise<{ port: number; cut(): void; restore(): void; close(): Promise<void> }> {
  const { createServer, connect: dial } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) { client.destroy(); return; }
    const upstream = dial(targetPort, '127.0.0.1');
    sockets.add(client); sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('error', end); upstream.on('error', end); client.on('close', end); upstream.on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    port,
    cut() { open = false; for (const s of sockets) s.destroy(); sockets.clear(); },
    restore() { open = true; },
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** A NATS server of the test's own (JetStream on disk), to stop and start without disturbing others. */
export async function privateNats(): Promise<{ url: string; start(): Promise<void>; stop(): Promise<void> }> {
  const { spawn: run } = await import('node:child_process');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'spc-nats-'));
  const bin = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p)) ?? 'nats-server';
  let proc: ChildProcess | undefined;
  const up = async () => {
    const { createConnection } = await import('node:net');
    return new Promise<boolean>((r) => { const s = createConnection(port, '127.0.0.1'); s.once('connect', () => { s.destroy(); r(true); }); s.once('error', () => r(false)); });
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    async start() {
      proc = run(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
      await waitFor('nats-server to listen', async () => ((await up()) ? true : undefined), 10_000, 50);
    },
    async stop() {
      if (!proc) return;
      const p = proc; proc = undefined;
      p.kill('SIGTERM');
      await new Promise((r) => p.once('exit', r));
    },
  };
}
