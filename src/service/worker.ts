import type { LifecycleSignal, PointRecord, RuleSetConfig } from '../core/index.js';
import type { GenealogyWriter } from '../ports/genealogy.js';
import type { LineEncoder } from '../ports/line-encoder.js';
import type { Membership, StateStore } from '../ports/state.js';
import type { MessageStream, WorkerTransport } from '../ports/transport.js';
import { OperatorActions } from './actions.js';
import type { AnomalyRuntime } from './anomaly.js';
import { Committer, type Batch } from './committer.js';
import { Ownership } from './ownership.js';
import { Pipeline, type EffectSink, type UnknownCharacteristicPolicy } from './pipeline.js';

export type { UnknownCharacteristicPolicy };

export interface WorkerOptions {
  /** Where messages come from and where dead letters and outbox lines go (JetStream, or in-process for the demo). */
  transport: WorkerTransport;
  rules: RuleSetConfig;
  /** How samples, points and signals become time-series lines. */
  encoder: LineEncoder;
  /** Called for every hold, release, alarm, alarm clear and alarm state change, synchronously, as points are made. */
  onSignal: (s: LifecycleSignal) => void;
  /** Seconds from a message's storage in the stream to its processing, per message (for /metrics). */
  onLatency?: (seconds: number) => void;
  /** Called for every point (the console's live charts). */
  onPoint?: (p: PointRecord, line: string, station: string) => void;
  unknownCharacteristics?: UnknownCharacteristicPolicy;
  /** Write raw samples to the time-series database too (default true). */
  writeSamples?: boolean;
  /** Alarm flood control: more than maxAlarms new alarms on a line within windowMs; default 10 in 10 min. */
  flood?: { maxAlarms: number; windowMs: number };
  /** Genealogy store: samples, holds and audit entries are stored before messages are acknowledged. */
  trace?: GenealogyWriter;
  anomalies?: AnomalyRuntime[];
  /** Most messages acknowledged together, and the longest wait before they are, ms. */
  commitEvery?: { messages: number; ms: number };
  log?: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
  /** Partitions of the sample stream (by line); every worker of a deployment must use the same number. Default 1. */
  partitions?: number;
  /** Where partition snapshots, commit positions and releases outlive the process (none: state is lost on exit). */
  state?: StateStore;
  /** Leases for several workers; without it this worker owns every partition. */
  membership?: Membership;
  snapshotEveryMs?: number;
  ownershipEveryMs?: number;
  /** Most processed messages waiting for their commit before the worker stops taking more. Default 200,000. */
  maxUncommitted?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Longest the consume loop runs without letting I/O happen; how long a stream with nothing uncommitted delivers nothing before anomaly units overdue by the clock are given up (see Pipeline.tickAnomalies), ms. */
const YIELD_EVERY_MS = 2, QUIET_MS = 1000;

/**
 * The real-time worker, composed of four parts: the pipeline (message → effects, pure), the committer
 * (durable before acknowledged, pipelined), ownership (partitions, snapshots, take-over) and operator
 * actions. Here only the consume loop and the wiring: signals go out at once, the rest via the committer.
 */
export class SpcWorker {
  readonly pipeline: Pipeline;
  readonly committer: Committer;
  readonly ownership: Ownership;
  readonly actions: OperatorActions;
  private anomalyErrors = 0;
  private messages: MessageStream | undefined;
  private timer: NodeJS.Timeout | undefined;
  private rewind = false;
  private stopped = false;
  private lastDeliveryAt = Date.now();
  private readonly log: NonNullable<WorkerOptions['log']>;
  /** Effects of the message being processed: signals and points at once, the rest into the current batch. */
  private readonly sink: EffectSink;

  constructor(private readonly o: WorkerOptions) {
    this.log = o.log ?? (() => {});
    this.pipeline = new Pipeline({ rules: o.rules, encoder: o.encoder, source: o.transport.source, unknownCharacteristics: o.unknownCharacteristics, writeSamples: o.writeSamples, trace: !!o.trace, flood: o.flood, anomalies: o.anomalies });
    this.committer = new Committer({
      transport: o.transport, trace: o.trace, state: o.state, maxMessages: o.commitEvery?.messages ?? 1000, log: this.log,
      countDeadLetters: (reason, n) => { const d = this.pipeline.counters.deadLetters; d[reason] = (d[reason] ?? 0) + n; },
    });
    this.ownership = new Ownership({
      partitions: Math.max(1, Math.floor(o.partitions ?? 1)), state: o.state, membership: o.membership, snapshotEveryMs: o.snapshotEveryMs, ownershipEveryMs: o.ownershipEveryMs,
      pipeline: this.pipeline, committer: this.committer, log: this.log, rewind: () => { this.rewind = true; this.messages?.stop(); },
    });
    this.ownership.index(o.rules); // refuses rules the partitioning cannot route
    this.sink = this.sinkFor(() => this.committer.current);
    this.actions = new OperatorActions({ pipeline: this.pipeline, committer: this.committer, ownership: this.ownership, state: o.state, onSignal: o.onSignal, sink: () => this.sink });
  }

  get engine() { return this.pipeline.engine; }
  get holds() { return this.pipeline.holds; }
  get alarms() { return this.pipeline.alarms; }
  get holdsRaisedBy() { return this.pipeline.holdsRaisedBy; } // new holds by characteristic (/metrics)
  get position(): number { return this.ownership.position; }
  get ownedPartitions(): number[] { return this.ownership.owned; }

  /** Every counter of the parts, for /healthz and /metrics. */
  get counters() {
    return { ...this.pipeline.counters, ...this.ownership.counters, ...this.committer.counters, anomalyErrors: this.anomalyErrors, alarmsSuppressed: this.alarms.suppressedTotal };
  }

  /** What liveness checks read (see Committer.progress), and when the consumer last delivered. */
  progress(now = Date.now()) { return { ...this.committer.progress(now), sinceDeliveryMs: now - this.lastDeliveryAt }; }

  /** Consumes until stop(); resolves when the consumer ends. */
  async run(): Promise<void> {
    this.timer = setInterval(() => {
      if (this.committer.pending) void this.committer.close();
      this.pipeline.judgeRestored(this.sink); // a restored partition's unjudged units, even with no message coming
      if (this.ownership.replaying) return; // a replay ends floods and gives up anomaly units as its messages did
      this.pipeline.tickAlarms(Date.now(), this.sink);
      if (!this.committer.waiting && Date.now() - this.lastDeliveryAt >= QUIET_MS) this.pipeline.tickAnomalies(Date.now(), this.sink, (id) => this.ownership.vouchesForId(id));
    }, this.o.commitEvery?.ms ?? 20);
    await this.ownership.start();
    const maxUncommitted = this.o.maxUncommitted ?? 200_000;
    while (!this.stopped) {
      if (!this.ownership.owned.length) { await sleep(100); continue; }
      // From the earliest message an owned partition still needs; others skip what they hold.
      const from = this.ownership.position + 1;
      this.rewind = false;
      this.ownership.lastSeen = from - 1;
      this.messages = await this.o.transport.consume(from);
      let turn = performance.now();
      for await (const m of this.messages) {
        // A buffered stream would keep this loop in microtasks for thousands of messages: yield
        // every few ms so socket writes (signals) and reads go out on time.
        if (performance.now() - turn > YIELD_EVERY_MS) { await new Promise(setImmediate); turn = performance.now(); }
        this.lastDeliveryAt = Date.now();
        if (performance.now() > this.ownership.renewBy) await this.ownership.renewNow(); // a late lease round (Ownership.renewBy)
        if (this.rewind) break; // a partition was just restored behind this position: restart lower
        const place = this.ownership.place(m);
        if (place.kind === 'skip') { m.ack(); continue; }
        if (place.kind === 'process') {
          if (!place.silent) this.o.onLatency?.(Math.max(0, Date.now() - m.storedAtMs) / 1000);
          this.pipeline.process(m, this.sink, place.silent);
        }
        this.committer.add(m, place.kind === 'process' ? place.partition : undefined);
        if (this.committer.full) await this.committer.close(); // waits only when too many batches are in flight
        if (this.committer.waiting >= maxUncommitted) await this.committer.settled(); // back-pressure while commits stall
        if (this.rewind || this.stopped) break;
      }
      this.messages.stop();
    }
  }

  /** The effects of a message (or of a scored unit) for the batch `batch()` returns at that moment. */
  private sinkFor(batch: () => Batch): EffectSink {
    const c = this.committer;
    return {
      signal: (s) => this.o.onSignal(s),
      point: (p, line, station) => this.o.onPoint?.(p, line, station),
      line: (t) => c.line(batch(), t),
      traceRow: (r) => batch().traceRows.push(r),
      storeSignal: (s) => batch().signals.push(s),
      deadLetter: (info, payload) => c.deadLetter(batch(), info, payload),
      score: (a, unit, silent) => {
        // Scored off-thread; the verdict joins the batch of the unit's last sample.
        const b = batch();
        b.scoring.push(a.thread.score(unit.values).then(
          (score) => this.pipeline.scored(a, unit, score, this.sinkFor(() => b), silent),
          (err) => { this.pipeline.notScored(a, unit, this.sinkFor(() => b), silent); this.anomalyErrors++; this.log('error', 'anomaly scoring failed', { model: a.config.model, err: String(err) }); },
        ));
      },
    };
  }

  /** Applies edited rules without losing the windows of unchanged characteristics (hot reload). */
  reloadRules(rules: RuleSetConfig): { kept: string[]; started: string[]; removed: string[] } {
    this.ownership.index(rules); // first: it refuses rules the partitioning cannot route, before anything changes
    return this.pipeline.reload(rules);
  }

  /**
   * Stops consuming and waits until every processed message is committed and acknowledged, for
   * at most `deadlineMs`: past it (a store that hangs or refuses) the worker gives up without
   * acknowledging anything uncommitted — delivered again after a restart — and resolves `false`.
   */
  async stop(deadlineMs = Infinity): Promise<boolean> {
    this.stopped = true;
    this.messages?.stop();
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => { if (Number.isFinite(deadlineMs)) timer = setTimeout(() => resolve('late'), deadlineMs); });
    const clean = async () => {
      await this.ownership.halt();
      if (this.committer.pending) void this.committer.close();
      await this.committer.settled();
      await this.ownership.handBack();
      return 'done' as const;
    };
    const outcome = await Promise.race([clean(), deadline]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.committer.abandon();
      this.log('error', 'stopped before every processed message was committed; they stay unacknowledged and will be delivered again', { ...this.committer.progress() });
    }
    for (const a of this.o.anomalies ?? []) await Promise.race([a.thread.close(), sleep(1000)]);
    return outcome === 'done';
  }
}
