import { statSync, watch } from 'node:fs';
import { createServer } from 'node:http';
import { basename, dirname } from 'node:path';
import { apiHandler } from '../adapters/http/api.js';
import { WorkerMetrics } from '../adapters/http/metrics.js';
import type { GenealogyStore } from '../adapters/store/genealogy.js';
import { SignalServer } from '../adapters/ws/signal-server.js';
import { AccessLimits } from '../auth/limits.js';
import type { TokenEntry } from '../auth/tokens.js';
import { inScope, outOfScope, type Actor, type LifecycleSignal, type RuleSetConfig, type UnitStatus } from '../core/index.js';
import { InvalidFileError } from '../rules-file/diagnostics.js';
import { loadRulesOffThread } from '../rules-file/load-off-thread.js';
import type { AnomalyRuntime } from '../service/anomaly.js';
import { influxLineEncoder } from '../adapters/influx/line-protocol.js';
import type { WorkerTransport } from '../ports/transport.js';
import type { Membership, StateStore } from '../ports/state.js';
import { SpcWorker, type UnknownCharacteristicPolicy } from '../service/worker.js';
import { LimitsWorkflow, type LimitsProposalInput } from '../service/limits.js';

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
  /** How long a plc client's unacknowledged hold revision waits before it is sent again, ms (default 1,000). */
  resendMs?: number;
  host: string;
  port: number;
  log: Log;
  /** Samples waiting for the worker, for /metrics. */
  lag?: () => Promise<number | undefined>;
  influx?: () => { linesWritten: number; failedAttempts: number; linesQuarantined: number; linesLost: number; messages: number } | undefined;
  /** Extra /healthz fields (the transport's state). */
  healthExtra?: () => Record<string, unknown>;
  partitions?: number;
  state?: StateStore;
  membership?: Membership;
  snapshotEveryMs?: number;
  ownershipEveryMs?: number;
  /** Another listener for every signal (the demo narrates holds). */
  onSignal?: (s: LifecycleSignal) => void;
  /** Problems the transport knows of (e.g. NATS connection closed), for /healthz and heartbeats. */
  transportProblems?: () => string[];
  /** Most WebSocket connections per token; default 50. */
  connectionsPerToken?: number;
}

/** How long commits may stand still while messages wait (or the consumer deliver nothing while the stream has more) before the service reports itself unhealthy. */
export const STALL_MS = 10_000;
/** How often lag and the store are checked for /healthz, ms. */
const HEALTH_CHECK_MS = 2000;

export interface RunningService {
  worker: SpcWorker; port: number; loop: Promise<void>;
  /** Stops within `deadlineMs` (default: wait for every commit); false when it gave up on uncommitted work. */
  close(deadlineMs?: number): Promise<boolean>;
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms).unref())]);

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
    raisedBy: () => ({ alarms: worker.alarms.raisedBy, holds: worker.holdsRaisedBy }),
    lag: async () => o.lag?.(),
  });
  const worker: SpcWorker = new SpcWorker({
    transport: o.transport, rules: o.rules, encoder: influxLineEncoder, anomalies: o.anomalies, trace: o.store, unknownCharacteristics: o.unknown, log: o.log, flood: o.flood,
    partitions: o.partitions, state: o.state, membership: o.membership, snapshotEveryMs: o.snapshotEveryMs, ownershipEveryMs: o.ownershipEveryMs,
    onLatency: (s) => metrics.latency.observe(s),
    onSignal: (s) => { signals?.broadcast(s); o.onSignal?.(s); },
    onPoint: (p, line, station) => signals?.broadcastPoint(p, line, station),
  });
  // Liveness a line can trust: commits that stand still while messages wait, a consumer that
  // delivers nothing while the stream has more, an unreachable store, a lost NATS connection.
  let lag: number | undefined;
  let storeTrouble: string | undefined;
  const monitor = setInterval(() => void (async () => {
    lag = await o.lag?.().catch(() => undefined);
    if (o.store) storeTrouble = await withTimeout(o.store.db.query('SELECT 1'), HEALTH_CHECK_MS, 'store check').then(() => undefined, (err: unknown) => String(err).slice(0, 200));
  })(), HEALTH_CHECK_MS);
  const problems = (): string[] => {
    const p = worker.progress();
    const out: string[] = [...(o.transportProblems?.() ?? [])];
    if (p.uncommitted > 0 && p.sinceCommitMs > STALL_MS) out.push(`commits stalled: ${p.uncommitted} processed messages not committed for ${Math.round(p.sinceCommitMs / 1000)} s${p.commitTrouble ? ` (writing ${p.commitTrouble.step}: ${p.commitTrouble.error})` : ''}`);
    if (lag && p.sinceDeliveryMs > STALL_MS) out.push(`consumer stalled: ${lag} messages wait in the stream, none delivered for ${Math.round(p.sinceDeliveryMs / 1000)} s`);
    if (storeTrouble) out.push(`genealogy store unreachable: ${storeTrouble}`);
    return out;
  };
  const liveness = () => { const list = problems(); return { ok: list.length === 0, problems: list }; };
  // What this worker vouches for: the lines whose partitions it owns now. Before its first
  // partition is restored (a start, a take-over) or for lines another worker owns, a client's
  // heartbeats say unhealthy and its interlock answers held.
  const coverage = (lines: readonly string[] | undefined): string | undefined => {
    if (worker.ownership.ownsAll(lines)) return undefined;
    const owned = worker.ownedPartitions;
    const missing = lines?.filter((l) => !worker.ownership.vouchesFor(l));
    return missing ? `this worker does not own line(s) ${missing.join(', ')} now (being restored or replayed, or another worker's): their holds are not here`
      : owned.length < (o.partitions ?? 1) ? `this worker owns ${owned.length} of ${o.partitions ?? 1} partition(s) now: the other lines' holds are not here`
        : 'this worker is still restoring or replaying its partitions: holds may be missing';
  };
  const unitStatus = (unit: string, lines: readonly string[] | undefined): UnitStatus => {
    const s = worker.holds.unitStatus(unit, lines);
    const live = liveness(), uncovered = coverage(lines);
    return live.ok && !uncovered ? s : { ...s, held: true, unsure: [...live.problems, ...(uncovered ? [uncovered] : [])] };
  };
  const health = () => {
    const mem = process.memoryUsage();
    return { ...liveness(), ...o.healthExtra?.(), store: o.store?.db.kind ?? null, partitions: worker.ownedPartitions, progress: worker.progress(), counters: worker.counters, influx: o.influx?.() ?? null, memory: { rssMb: Math.round(mem.rss / 1e6), heapUsedMb: Math.round(mem.heapUsed / 1e6) } };
  };
  const limits = new AccessLimits(o.connectionsPerToken);
  const lineOf = (id: string) => worker.holds.hold(id)?.line ?? worker.alarms.get(id)?.line;
  const store = o.store;
  // Manual checks: entries are published to the samples stream like a station's, then charted and ruled.
  const checkCounts = new Map<string, { line: string; station: string; done: number; onTime: number }>();
  const checks = {
    status: (lines?: readonly string[]) => {
      const s = worker.pipeline.checks;
      if (!s) return [];
      return s.status(Date.now(), lines).map((st) => {
        const c = s.get(st.id)!;
        return { ...st, ...(st.dueAt !== undefined ? { dueAt: new Date(st.dueAt).toISOString() } : {}), ...(st.lastDoneAt !== undefined ? { lastDoneAt: new Date(st.lastDoneAt).toISOString() } : {}),
          parameter: c.parameter, sampleSize: c.sampleSize, instructions: c.instructions, ...(c.gauge ? { gauge: c.gauge } : {}), ...(c.plausible ? { plausible: c.plausible } : {}), overdueAction: c.overdue };
      });
    },
    submit: async (actor: Actor, id: string, entries: { unit: string; value: number }[]) => {
      const c = worker.pipeline.checks?.get(id);
      if (!c) return { refused: 'not-found' as const, message: `no check ${id} in the rules in use` };
      if (!inScope(actor, c.line)) return outOfScope(actor, `check ${id}`, c.line);
      if (entries.length !== c.sampleSize) return { refused: 'invalid' as const, field: 'entries', message: `check ${id} measures ${c.sampleSize} unit(s); got ${entries.length}` };
      if (new Set(entries.map((e) => e.unit)).size !== entries.length) return { refused: 'invalid' as const, field: 'entries', message: 'each unit may be measured once per check' };
      const bad = entries.findIndex((e) => (c.plausible?.min !== undefined && e.value < c.plausible.min) || (c.plausible?.max !== undefined && e.value > c.plausible.max));
      if (bad >= 0) return { refused: 'invalid' as const, field: `entries[${bad}].value`, message: `${entries[bad].value} is outside the plausible range ${c.plausible?.min ?? '−∞'} … ${c.plausible?.max ?? '∞'} of check ${id} (a typing error?)` };
      const onTime = !worker.pipeline.checks!.status(Date.now()).find((s) => s.id === id)!.overdue;
      const ts = new Date().toISOString();
      const samples = entries.map((e) => ({ ts, line: c.line, station: c.station, parameter: c.parameter, value: e.value, unit: e.unit, operator: actor.name, ...(c.gauge ? { equipment: c.gauge } : {}), attributes: { check: id } }));
      await o.transport.publishSample(c, new TextEncoder().encode(JSON.stringify(samples)), `check:${id}:${ts}:${actor.name}`);
      worker.actions.checkEntered(actor, c, onTime, entries);
      const k = `${c.line}\u001f${c.station}`;
      const count = checkCounts.get(k) ?? { line: c.line, station: c.station, done: 0, onTime: 0 };
      count.done++; if (onTime) count.onTime++;
      checkCounts.set(k, count);
      return { check: id, published: samples.length, onTime, ts };
    },
    onTime: async (lines?: readonly string[]) => (store ? store.checkOnTime(lines)
      : [...checkCounts.values()].filter((c) => !lines || lines.includes(c.line)).map((c) => ({ ...c, rate: c.onTime / c.done }))),
  };
  const workflow = store ? new LimitsWorkflow({ pipeline: worker.pipeline, actions: worker.actions, store }) : undefined;
  const controlledLimits = workflow && store ? {
    propose: (actor: Actor, input: LimitsProposalInput) => workflow.propose(actor, input),
    approve: (id: number, actor: Actor, signature: { signer: string; meaning: string }) => workflow.approve(id, actor, signature),
    versions: async (f: Parameters<GenealogyStore['limitVersions']>[0]) => workflow.display(await store.limitVersions(f)),
  } : undefined;
  const api = apiHandler({
    tokens: o.tokens, limits, store: o.store, health, metrics: () => metrics.text(), log: o.log, lineOf,
    activeHolds: (lines) => worker.holds.activeHolds(lines), openAlarms: (lines) => worker.alarms.open(lines),
    unitsOf: (id, after, limit) => worker.holds.unitsOf(id, after, limit), unitStatus,
    acknowledgeAlarm: (id, actor, code) => worker.actions.acknowledgeAlarm(id, actor, code),
    shelveAlarm: (id, actor, minutes, reason) => worker.actions.shelveAlarm(id, actor, minutes, reason),
    release: (id, actor, request) => worker.actions.release(id, actor, request),
    ...(controlledLimits ? { controlledLimits } : {}),
    checks,
  });
  signals = new SignalServer(http, {
    tokens: o.tokens, heartbeatMs: o.heartbeatMs, resendMs: o.resendMs, log: o.log, limits,
    state: {
      // Alarms flood control suppressed were never sent: a snapshot does not send them either.
      snapshot: (lines) => ({ holds: worker.holds.activeHolds(lines), alarms: [...worker.holds.activeAlarms(lines).filter((a) => worker.alarms.get(a.id)?.state !== 'suppressed'), ...worker.alarms.floodViews(lines)], alarmStates: worker.alarms.open(lines) }),
      release: (id, actor, request) => worker.actions.release(id, actor, request),
      unitStatus: (unit, lines) => worker.holds.unitStatus(unit, lines),
      holdLine: (id) => worker.holds.hold(id)?.line,
      health: liveness,
      coverage,
    },
  });
  worker.ownership.changed = () => signals?.resync();
  await new Promise<void>((resolve) => http.listen(o.port, o.host, resolve));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : o.port;

  // Hot reload: a valid edit applies at once (unchanged characteristics keep their windows); an
  // invalid one is reported with file:line:col and the last good rules stay in force. The folder
  // is watched because editors often replace a file rather than write it in place.
  let reloadTimer: NodeJS.Timeout | undefined;
  let reloads: Promise<void> = Promise.resolve();
  const rulesIsDir = statSync(o.rulesPath).isDirectory();
  const watcher = watch(rulesIsDir ? o.rulesPath : dirname(o.rulesPath), { recursive: false }, (_event, name) => {
    if (name && (rulesIsDir ? !/\.ya?ml$/.test(String(name)) || /\.test\.ya?ml$/.test(String(name)) : String(name) !== basename(o.rulesPath))) return;
    clearTimeout(reloadTimer);
    // One reload at a time, in order: a slow parse must not apply after a newer edit.
    reloadTimer = setTimeout(() => { reloads = reloads.then(async () => {
      try {
        // Parsed off the main thread: a large file must not hold back signals and heartbeats.
        const next = await loadRulesOffThread(o.rulesPath);
        if (JSON.stringify(next.anomaly ?? []) !== JSON.stringify(o.rules.anomaly ?? [])) o.log('warn', 'rules reloaded, but anomaly model changes need a restart', {});
        const r = worker.reloadRules(next);
        o.log('info', 'rules reloaded', { kept: r.kept.length, started: r.started, removed: r.removed });
        process.stderr.write(`spc: rules reloaded (${r.kept.length} kept, ${r.started.length} started, ${r.removed.length} removed)\n`);
      } catch (err) {
        const detail = err instanceof InvalidFileError ? err.message : String(err);
        o.log('error', 'rules not reloaded: the last good rules stay in force', { errors: detail });
        process.stderr.write(`spc: rules NOT reloaded, keeping the last good ones:\n${detail}\n`);
      }
    }); }, 200);
  });

  const loop = worker.run();
  // Manual checks go overdue with time, not only with units: look every second.
  const checkClock = setInterval(() => worker.actions.tickChecks(Date.now()), 1000);
  return {
    worker, port, loop,
    async close(deadlineMs = Infinity) {
      watcher.close();
      clearTimeout(reloadTimer);
      clearInterval(monitor);
      clearInterval(checkClock);
      const clean = await worker.stop(deadlineMs);
      await signals?.close();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
      return clean;
    },
  };
}
