import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { deleteStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { jsonParseRate } from '../../bench/machine.js';

/** The project's test servers: NATS (already running on the project's machines) and our InfluxDB 1.x. */
export const NATS_URL = process.env.SPC_TEST_NATS ?? 'nats://127.0.0.1:4222';
export const INFLUX_PORT = Number(process.env.SPC_INFLUX_PORT ?? 18086);
export const INFLUX_URL = `http://127.0.0.1:${INFLUX_PORT}`;

export async function influxUp(): Promise<boolean> {
  try { return (await fetch(`${INFLUX_URL}/ping`)).status === 204; } catch { return false; }
}

/** Starts InfluxDB with scripts/influxdb.sh unless it already answers; returns whether we started it. */
export async function ensureInflux(): Promise<boolean> {
  if (await influxUp()) return false;
  execFileSync('bash', ['scripts/influxdb.sh', 'start'], { stdio: 'inherit', env: { ...process.env, SPC_INFLUX_PORT: String(INFLUX_PORT) } });
  return true;
}

export function stopInflux(): void {
  execFileSync('bash', ['scripts/influxdb.sh', 'stop'], { stdio: 'inherit', env: { ...process.env, SPC_INFLUX_PORT: String(INFLUX_PORT) } });
}

/** A subject prefix no other test run uses, so runs never see each other's streams. */
export function uniquePrefix(name: string): string {
  return `t${name}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * How many times slower this machine is than the one the tests' time budgets were set on
 * (JSON.parse of a 150-byte sample at 1.0 M/s; machines of this project's kind measured 0.23–1.6
 * M/s), at least 1, measured once. A budget such as "held within 2 s" is multiplied by it: it
 * stays a bound on a stall (a worker that stops raising holds fails on any machine), not a
 * benchmark — those live in bench/ and are ratios.
 */
export function machineSlowdown(): number {
  return slowdown ??= Math.max(1, 1e6 / jsonParseRate(300));
}
let slowdown: number | undefined;

/** Polls `check` until it returns a value (not undefined) or the time is up (by default 20 s times the machine's slowdown). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000 * machineSlowdown(), everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** PostgreSQL of the project's machines (trust auth). */
export const PG_ADMIN_URL = process.env.SPC_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database for one test file; returns its URL and a function that drops it. */
export async function freshPostgres(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const db = `spc_${name}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`.toLowerCase();
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${db}`);
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * The built `spc run` with a rule file and one plc token, on a free port, InfluxDB off, ready to
 * take samples under `prefix`; `stop()` ends it and deletes the prefix's streams.
 */
/** `influxDb`: write to that database of the test InfluxDB (default: --no-influx). */
export async function startSpcRun(o: { prefix: string; rules: string; plcToken: string; store?: string; influxDb?: string }): Promise<{ port: number; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'spc-run-'));
  writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${o.plcToken}, role: plc, name: gw }\n`);
  writeFileSync(join(dir, 'rules.yaml'), o.rules);
  const port = await freePort();
  const args = ['dist/src/cli/main.js', 'run', '--rules', join(dir, 'rules.yaml'), '--tokens', join(dir, 'tokens.yaml'), '--ws-port', String(port), '--nats', NATS_URL, ...(o.influxDb ? ['--influx-url', INFLUX_URL, '--influx-db', o.influxDb] : ['--no-influx']), '--prefix', o.prefix, ...(o.store ? ['--store', o.store] : [])];
  const worker = spawn('node', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  worker.stderr!.on('data', (d) => { log += d; });
  await waitFor('spc run to be ready', () => (log.includes('spc run: ready') ? true : undefined));
  return {
    port,
    stop: async () => {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
      const nc = await connect({ servers: NATS_URL });
      await deleteStreams(await nc.jetstreamManager(), streamNamesFor(o.prefix));
      await nc.close();
    },
  };
}
