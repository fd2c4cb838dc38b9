import { statSync, watch } from 'node:fs';
import { createServer } from 'node:http';
import { basename, dirname } from 'node:path';
import { apiHandler } from '../adapters/http/api.js';
import { WorkerMetrics } from '../adapters/http/metrics.js';
import type { GenealogyStore } from '../adapters/store/genealogy.js';
import { SignalServer } from '../adapters/ws/signal-server.js';
import type { TokenEntry } from '../auth/tokens.js';
import type { LifecycleSignal, RuleSetConfig } from '../core/index.js';
import { InvalidFileError } from '../rules-file/diagnostics.js';
import { loadRules } from '../rules-file/load.js';
import type { AnomalyRuntime } from '../service/anomaly.js';
import type { WorkerTransport } from '../service/transport.js';
import type { Membership, StateStore } from '../service/state.js';
import { SpcWorker, type UnknownCharacteristicPolicy } from '../service/worker.js';

type Log = (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;

export interface ServiceOptions {
  rulesPath: string;
  rules: RuleSetConfig;
  tokens: TokenEntry[];
  transport: WorkerTransport;
  anomalies: AnomalyRuntime[];
  store?: GenealogyStore;
  unknown: UnknownCharacteristicPolicy;
  flood: { maxAlarms: number; windowMs: number };
  heartbeatMs: number;
  host: string;
  port: number;
  log: Log;
  /** Samples waiting for the worker, for /metrics. */
  lag?: () => Promise<number | undefined>;
  influx?: () => { linesWritten: number; failedAttempts: number; linesLost: number; messages: number } | undefined;
  /** Extra /healthz fields (the transport's state). */
  healthExtra?: () => Record<string, unknown>;
  partitions?: number;
  state?: StateStore;
  membership?: Membership;
  snapshotEveryMs?: number;
  ownershipEveryMs?: number;
  /** Another listener for every signal (the demo narrates holds). */
  onSignal?: (s: LifecycleSignal) => void;
}

export interface RunningService { worker: SpcWorker; port: number; loop: Promise<void>; close(): Promise<void> }

/**
 * The parts `spc run` and `spc demo` share: the worker, the signal WebSocket, the console and its
 * API, /healthz and /metrics on one port, and hot reload of the rules.
 */
export async function startService(o: ServiceOptions): Promise<RunningService> {
  const http = createServer((req, res) => void api(req, res));
  let signals: SignalServer | undefined;
  const metrics: WorkerMetrics = new WorkerMetrics({
    counters: () => worker.counters as unknown as Record<string, number>,
    deadLetters: () => worker.counters.deadLetters as Record<string, number>,
    influx: () => o.influx?.(),
    activeHolds: () => worker.holds.activeHolds().length,
    openAlarms: () => worker.alarms.open().length,
    lag: async () => o.lag?.(),
  });
  const worker: SpcWorker = new SpcWorker({
    transport: o.transport, rules: o.rules, anomalies: o.anomalies, trace: o.store, unknownCharacteristics: o.unknown, log: o.log, flood: o.flood,
    partitions: o.partitions, state: o.state, membership: o.membership, snapshotEveryMs: o.snapshotEveryMs, ownershipEveryMs: o.ownershipEveryMs,
    onLatency: (s) => metrics.latency.observe(s),
    onSignal: (s) => { signals?.broadcast(s); o.onSignal?.(s); },
    onPoint: (p, line, station) => signals?.broadcastPoint(p, line, station),
  });
  const health = () => {
    const mem = process.memoryUsage();
    return { ok: true, ...o.healthExtra?.(), store: o.store?.db.kind ?? null, partitions: worker.ownedPartitions, counters: worker.counters, influx: o.influx?.() ?? null, memory: { rssMb: Math.round(mem.rss / 1e6), heapUsedMb: Math.round(mem.heapUsed / 1e6) } };
  };
  const api = apiHandler({
    tokens: o.tokens, store: o.store, health, metrics: () => metrics.text(),
    activeHolds: (lines) => worker.holds.activeHolds(lines), openAlarms: (lines) => worker.alarms.open(lines),
    acknowledgeAlarm: (id, by, role) => worker.acknowledgeAlarm(id, by, role),
    shelveAlarm: (id, by, role, minutes, reason) => worker.shelveAlarm(id, by, role, minutes, reason),
    release: (id, by, reason, role) => worker.release(id, by, reason, role),
  });
  signals = new SignalServer(http, {
    tokens: o.tokens, heartbeatMs: o.heartbeatMs, log: o.log,
    state: { snapshot: (lines) => ({ holds: worker.holds.activeHolds(lines), alarms: worker.holds.activeAlarms(lines), alarmStates: worker.alarms.open(lines) }), release: (id, by, reason) => worker.release(id, by, reason, 'quality') },
  });
  await new Promise<void>((resolve) => http.listen(o.port, o.host, resolve));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : o.port;

  // Hot reload: a valid edit applies at once (unchanged characteristics keep their windows); an
  // invalid one is reported with file:line:col and the last good rules stay in force. The folder
  // is watched because editors often replace a file rather than write it in place.
  let reloadTimer: NodeJS.Timeout | undefined;
  const rulesIsDir = statSync(o.rulesPath).isDirectory();
  const watcher = watch(rulesIsDir ? o.rulesPath : dirname(o.rulesPath), { recursive: false }, (_event, name) => {
    if (name && (rulesIsDir ? !/\.ya?ml$/.test(String(name)) || /\.test\.ya?ml$/.test(String(name)) : String(name) !== basename(o.rulesPath))) return;
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => {
      try {
        const next = loadRules(o.rulesPath);
        if (JSON.stringify(next.anomaly ?? []) !== JSON.stringify(o.rules.anomaly ?? [])) o.log('warn', 'rules reloaded, but anomaly model changes need a restart', {});
        const r = worker.reloadRules(next);
        o.log('info', 'rules reloaded', { kept: r.kept.length, started: r.started, removed: r.removed });
        process.stderr.write(`spc: rules reloaded (${r.kept.length} kept, ${r.started.length} started, ${r.removed.length} removed)\n`);
      } catch (err) {
        const detail = err instanceof InvalidFileError ? err.message : String(err);
        o.log('error', 'rules not reloaded: the last good rules stay in force', { errors: detail });
        process.stderr.write(`spc: rules NOT reloaded, keeping the last good ones:\n${detail}\n`);
      }
    }, 200);
  });

  const loop = worker.run();
  return {
    worker, port, loop,
    async close() {
      watcher.close();
      clearTimeout(reloadTimer);
      await worker.stop();
      await signals?.close();
      await new Promise((r) => http.close(r));
    },
  };
}
