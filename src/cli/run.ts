import { statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createServer } from 'node:http';
import { connect } from 'nats';
import { InfluxLineWriter } from '../adapters/influx/writer.js';
import { createDatabase } from '../adapters/influx/influxql.js';
import { ensureStreams, streamNamesFor, type StreamNames } from '../adapters/nats/jetstream.js';
import { apiHandler } from '../adapters/http/api.js';
import { WorkerMetrics } from '../adapters/http/metrics.js';
import { GenealogyStore } from '../adapters/store/genealogy.js';
import { openSql } from '../adapters/store/sql.js';
import { SignalServer } from '../adapters/ws/signal-server.js';
import { loadTokens } from '../auth/tokens.js';
import { InvalidFileError } from '../rules-file/diagnostics.js';
import { loadRules } from '../rules-file/load.js';
import { InfluxDrain } from '../service/influx-drain.js';
import { openAnomalyModels } from '../service/anomaly.js';
import { SpcWorker, type UnknownCharacteristicPolicy } from '../service/worker.js';
import { parseDuration } from '../rules-file/duration.js';
import { createLogger } from './logger.js';

export interface RunOptions {
  rules: string;
  nats: string;
  wsPort: string;
  wsHost: string;
  tokens: string;
  influx: boolean;
  influxUrl?: string;
  influxToken?: string;
  influxOrg?: string;
  influxBucket?: string;
  influxDb?: string;
  influxRp?: string;
  prefix: string;
  unknown: UnknownCharacteristicPolicy;
  heartbeatMs: string;
  samplesRetention: string;
  store?: string;
  alarmFlood: string;
}

/** "10/10m" → at most 10 new alarms per line in 10 minutes; "off" → no flood control. */
function parseFlood(text: string): { maxAlarms: number; windowMs: number } {
  if (text === 'off') return { maxAlarms: Number.MAX_SAFE_INTEGER, windowMs: 1 };
  const m = /^(\d+)\/(.+)$/.exec(text);
  if (!m) throw new RangeError(`--alarm-flood must look like 10/10m or be off (got ${text})`);
  return { maxAlarms: Number(m[1]), windowMs: parseDuration(m[2]) };
}

/** `spc run`: the real-time worker. Resolves when stopped by SIGINT/SIGTERM, after a clean drain. */
export async function run(o: RunOptions): Promise<number> {
  const { log, logger } = createLogger();
  const rules = loadRules(o.rules);
  const tokens = loadTokens(o.tokens);
  // Models load before anything connects: a missing, corrupt or mismatched model is a startup error naming the file.
  const anomalies = await openAnomalyModels(rules.anomaly ?? []);
  const streams: StreamNames = streamNamesFor(o.prefix);

  const store = o.store ? new GenealogyStore(await openSql(o.store)) : undefined;
  const nc = await connect({ servers: o.nats, name: 'spc-guard worker', maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  const jsm = await nc.jetstreamManager();
  await ensureStreams(jsm, streams, { samplesMaxAgeMs: parseDuration(o.samplesRetention) });
  const js = nc.jetstream();

  const health = () => {
    const mem = process.memoryUsage();
    return { ok: true, nats: !nc.isClosed(), store: store?.db.kind ?? null, counters: worker.counters, influx: drain?.counters ?? null, memory: { rssMb: Math.round(mem.rss / 1e6), heapUsedMb: Math.round(mem.heapUsed / 1e6) } };
  };
  const http = createServer((req, res) => void api(req, res));
  let signals: SignalServer | undefined;
  const worker = new SpcWorker({
    js, streams, rules, anomalies, trace: store, unknownCharacteristics: o.unknown, log, flood: parseFlood(o.alarmFlood),
    onLatency: (s) => metrics.latency.observe(s),
    onSignal: (s) => signals?.broadcast(s), onPoint: (p, line, station) => signals?.broadcastPoint(p, line, station),
  });
  const metrics = new WorkerMetrics({
    counters: () => ({ ...worker.counters, deadLetters: 0 }) as unknown as Record<string, number>,
    deadLetters: () => worker.counters.deadLetters as Record<string, number>,
    influx: () => drain?.counters,
    activeHolds: () => worker.holds.activeHolds().length,
    openAlarms: () => worker.alarms.open().length,
    lag: async () => (await jsm.consumers.info(streams.samples, streams.workerDurable).catch(() => undefined))?.num_pending,
  });
  const api = apiHandler({
    tokens, store, health, metrics: () => metrics.text(),
    activeHolds: (lines) => worker.holds.activeHolds(lines), openAlarms: (lines) => worker.alarms.open(lines),
    acknowledgeAlarm: (id, by, role) => worker.acknowledgeAlarm(id, by, role),
    shelveAlarm: (id, by, role, minutes, reason) => worker.shelveAlarm(id, by, role, minutes, reason),
    release: (id, by, reason, role) => worker.release(id, by, reason, role),
  });
  signals = new SignalServer(http, {
    tokens, heartbeatMs: Number(o.heartbeatMs), log,
    state: { snapshot: (lines) => ({ holds: worker.holds.activeHolds(lines), alarms: worker.holds.activeAlarms(lines), alarmStates: worker.alarms.open(lines) }), release: (id, by, reason) => worker.release(id, by, reason, 'quality') },
  });
  await new Promise<void>((resolve) => http.listen(Number(o.wsPort), o.wsHost, resolve));

  let drain: InfluxDrain | undefined;
  if (o.influx) {
    if (!o.influxUrl) throw new Error('InfluxDB is on but --influx-url (SPC_INFLUX_URL) is not set; pass --no-influx to run without it');
    const v1 = o.influxDb !== undefined;
    if (v1) await createDatabase({ url: o.influxUrl, token: o.influxToken }, o.influxDb!);
    else if (!o.influxBucket || !o.influxOrg) throw new Error('InfluxDB 2.x/3.x needs --influx-org and --influx-bucket (or --influx-db for InfluxDB 1.x)');
    const writer = new InfluxLineWriter({ url: o.influxUrl, token: o.influxToken, org: o.influxOrg, bucket: v1 ? `${o.influxDb}/${o.influxRp ?? 'autogen'}` : o.influxBucket!, v1 });
    drain = new InfluxDrain(js, streams, writer, log);
  }

  const address = http.address();
  logger.info({ characteristics: rules.characteristics.length, signals: `ws://${o.wsHost}:${typeof address === 'object' && address ? address.port : o.wsPort}/signals`, nats: o.nats, influx: o.influx ? o.influxUrl : 'off' }, 'spc run: started');
  // A line the test harness and operators can wait for.
  const port = typeof address === 'object' && address ? address.port : o.wsPort;
  process.stderr.write(`spc run: ready on ws://${o.wsHost}:${port}/signals — console http://${o.wsHost}:${port}/\n`);

  // Hot reload: a valid edit applies at once (unchanged characteristics keep their windows); an
  // invalid one is reported with file:line:col and the last good rules stay in force.
  let reloadTimer: NodeJS.Timeout | undefined;
  // Watch the folder (editors often replace a file rather than write it in place).
  const rulesIsDir = statSync(o.rules).isDirectory();
  const watcher = watch(rulesIsDir ? o.rules : dirname(o.rules), { recursive: false }, (_event, name) => {
    if (name && (rulesIsDir ? !/\.ya?ml$/.test(String(name)) || /\.test\.ya?ml$/.test(String(name)) : String(name) !== basename(o.rules))) return;
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => {
      try {
        const next = loadRules(o.rules);
        if (JSON.stringify(next.anomaly ?? []) !== JSON.stringify(rules.anomaly ?? [])) log('warn', 'rules reloaded, but anomaly model changes need a restart of spc run', {});
        const r = worker.reloadRules(next);
        log('info', 'rules reloaded', { kept: r.kept.length, started: r.started, removed: r.removed });
        process.stderr.write(`spc run: rules reloaded (${r.kept.length} kept, ${r.started.length} started, ${r.removed.length} removed)\n`);
      } catch (err) {
        const detail = err instanceof InvalidFileError ? err.message : String(err);
        log('error', 'rules not reloaded: the last good rules stay in force', { errors: detail });
        process.stderr.write(`spc run: rules NOT reloaded, keeping the last good ones:\n${detail}\n`);
      }
    }, 200);
  });

  let stopping = false;
  const done = new Promise<void>((resolve) => {
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'spc run: stopping, committing what was processed');
      watcher.close();
      await worker.stop();
      drain?.stop();
      await signals?.close();
      await new Promise((r) => http.close(r));
      await nc.drain().catch(() => undefined);
      await store?.db.close();
      logger.info({ counters: worker.counters, influx: drain?.counters }, 'spc run: stopped');
      resolve();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
  const loops = [worker.run(), drain?.run()].map((p) => p?.catch((err) => { logger.error({ err: String(err) }, 'spc run: loop failed'); process.exitCode = 1; process.kill(process.pid, 'SIGTERM'); }));
  await done;
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 2000))]);
  return Number(process.exitCode ?? 0);
}
