import { connect } from 'nats';
import { InfluxLineWriter } from '../adapters/influx/writer.js';
import { createDatabase } from '../adapters/influx/influxql.js';
import { ensureStreams, streamNamesFor, type StreamNames } from '../adapters/nats/jetstream.js';
import { jetStreamTransport } from '../adapters/nats/jetstream-transport.js';
import { jetStreamOutbox } from '../adapters/nats/outbox-reader.js';
import { defaultWorkerId, NatsMembership, NatsStateStore } from '../adapters/nats/state-store.js';
import { GenealogyStore } from '../adapters/store/genealogy.js';
import { openSql } from '../adapters/store/sql.js';
import { redactCredentials } from '../auth/redact.js';
import { loadTokens } from '../auth/tokens.js';
import { loadRules } from '../rules-file/load.js';
import { InfluxDrain } from '../service/influx-drain.js';
import { openAnomalyModels } from '../service/anomaly.js';
import type { UnknownCharacteristicPolicy } from '../service/worker.js';
import { parseDuration } from '../rules-file/duration.js';
import { createLogger } from './logger.js';
import { startService } from './service.js';

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
  partitions: string;
  workerId?: string;
  snapshotEvery: string;
  leaseTtl: string;
}

/** "10/10m" → at most 10 new alarms per line in 10 minutes; "off" → no flood control. */
export function parseFlood(text: string): { maxAlarms: number; windowMs: number } {
  if (text === 'off') return { maxAlarms: Number.MAX_SAFE_INTEGER, windowMs: 1 };
  const m = /^(\d+)\/(.+)$/.exec(text);
  if (!m) throw new RangeError(`--alarm-flood must look like 10/10m or be off (got ${text})`);
  return { maxAlarms: Number(m[1]), windowMs: parseDuration(m[2]) };
}

/** `spc run`: the real-time worker. Resolves when stopped by SIGINT/SIGTERM, after a clean drain. */
/** SIGTERM/SIGINT end the process within this long in any state (nothing uncommitted is acknowledged). */
export const STOP_DEADLINE_MS = 6000;

export async function run(o: RunOptions): Promise<number> {
  const { log, logger } = createLogger();
  // A promise nobody awaited that failed is a bug: logged loudly (tests look for it), never a crash of the interlock.
  process.on('unhandledRejection', (reason) => logger.error({ err: String((reason as Error)?.stack ?? reason) }, 'BUG: unhandled promise rejection'));
  const rules = loadRules(o.rules);
  const tokens = loadTokens(o.tokens);
  // Models load before anything connects: a missing, corrupt or mismatched model is a startup error naming the file.
  const anomalies = await openAnomalyModels(rules.anomaly ?? []);
  const streams: StreamNames = streamNamesFor(o.prefix);

  const store = o.store ? new GenealogyStore(await openSql(o.store)) : undefined;
  const nc = await connect({ servers: o.nats, name: 'spc-guard worker', maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  let natsDown: number | undefined;
  void (async () => {
    for await (const st of nc.status()) {
      if (st.type === 'disconnect') natsDown ??= Date.now();
      else if (st.type === 'reconnect') natsDown = undefined;
    }
  })().catch(() => undefined);
  const jsm = await nc.jetstreamManager();
  await ensureStreams(jsm, streams, { samplesMaxAgeMs: parseDuration(o.samplesRetention) });
  const js = nc.jetstream();
  const partitions = Number(o.partitions);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) throw new RangeError(`--partitions must be a whole number from 1 to 1024 (got ${o.partitions})`);
  const state = await NatsStateStore.open(js, streams, partitions);
  const membership = await NatsMembership.open(js, streams, partitions, o.workerId ?? defaultWorkerId(), parseDuration(o.leaseTtl));

  let drain: InfluxDrain | undefined;
  const service = await startService({
    rulesPath: o.rules, rules, tokens, transport: jetStreamTransport(js, streams), anomalies, store, unknown: o.unknown, flood: parseFlood(o.alarmFlood),
    partitions, state, membership, snapshotEveryMs: parseDuration(o.snapshotEvery), ownershipEveryMs: Math.max(200, parseDuration(o.leaseTtl) / 4),
    heartbeatMs: Number(o.heartbeatMs), host: o.wsHost, port: Number(o.wsPort), log,
    lag: async () => {
      const last = (await jsm.streams.info(streams.samples).catch(() => undefined))?.state.last_seq;
      return last === undefined ? undefined : Math.max(0, last - service.worker.position);
    },
    influx: () => drain?.counters, healthExtra: () => ({ nats: !nc.isClosed(), worker: membership.workerId }),
    transportProblems: () => (nc.isClosed() ? ['NATS connection closed'] : natsDown ? [`NATS disconnected for ${Math.round((Date.now() - natsDown) / 1000)} s (reconnecting)`] : []),
  });
  const worker = service.worker;

  if (o.influx) {
    if (!o.influxUrl) throw new Error('InfluxDB is on but --influx-url (SPC_INFLUX_URL) is not set; pass --no-influx to run without it');
    const v1 = o.influxDb !== undefined;
    if (v1) await createDatabase({ url: o.influxUrl, token: o.influxToken }, o.influxDb!);
    else if (!o.influxBucket || !o.influxOrg) throw new Error('InfluxDB 2.x/3.x needs --influx-org and --influx-bucket (or --influx-db for InfluxDB 1.x)');
    const writer = new InfluxLineWriter({ url: o.influxUrl, token: o.influxToken, org: o.influxOrg, bucket: v1 ? `${o.influxDb}/${o.influxRp ?? 'autogen'}` : o.influxBucket!, v1 });
    drain = new InfluxDrain(jetStreamOutbox(js, streams), writer, log);
  }

  const port = service.port;
  logger.info({ worker: membership.workerId, partitions, characteristics: rules.characteristics.length, signals: `ws://${o.wsHost}:${port}/signals`, nats: redactCredentials(o.nats), influx: o.influx ? redactCredentials(o.influxUrl ?? '') : 'off' }, 'spc run: started');
  // A line the test harness and operators can wait for.
  process.stderr.write(`spc run: ready on ws://${o.wsHost}:${port}/signals — console http://${o.wsHost}:${port}/\n`);

  let stopping = false;
  const done = new Promise<void>((resolve) => {
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      // Whatever hangs (a store that never answers), the process ends in time: nothing
      // uncommitted was acknowledged, so it is delivered again after the restart.
      setTimeout(() => { logger.error({ signal }, 'spc run: stop deadline passed; exiting'); process.exit(1); }, STOP_DEADLINE_MS + 1500).unref();
      logger.info({ signal }, 'spc run: stopping, committing what was processed');
      const clean = await service.close(STOP_DEADLINE_MS);
      drain?.stop();
      if (clean) await nc.drain().catch(() => undefined); else await nc.close().catch(() => undefined);
      await Promise.race([store?.db.close(), new Promise((r) => setTimeout(r, 500))]);
      logger.info({ counters: worker.counters, influx: drain?.counters, clean }, 'spc run: stopped');
      // Given up on a store or server that does not answer: its sockets and retry timers would keep
      // the process alive, and nothing is left to save.
      if (!clean) process.exit(1);
      resolve();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
  const loops = [service.loop, drain?.run()].map((p) => p?.catch((err: unknown) => { logger.error({ err: String(err) }, 'spc run: loop failed'); process.exitCode = 1; process.kill(process.pid, 'SIGTERM'); }));
  await done;
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 2000))]);
  return Number(process.exitCode ?? 0);
}
