import type { DeadLetter, MessageStream, SampleMessage, WorkerTransport } from './transport.js';
import { capabilityLine, pointLine, sampleLine, signalLine, violationLines } from '../adapters/influx/line-protocol.js';
import { AlarmLifecycle, desiredPartitions, HoldBook, inScope, LogThrottle, outOfScope, partitionOf, roleRefusal, type Actor, type Refusal, SpcEngine, subjectToken, type AlarmStateSignal, type LifecycleSignal, type PointRecord, type ReleaseSignal, type RuleSetConfig, type Sample, type Signal } from '../core/index.js';
import { capturePartition, type Membership, type PartitionSnapshot, type ReleaseRecord, type StateStore } from './state.js';
import { decodeSampleMessage, MessageFaults, type DeadLetterReason } from '../samples/message.js';
import { anomalyPoint, feedsModel, type AnomalyRuntime } from './anomaly.js';
import type { AuditEntry, GenealogyStore, TraceRow } from '../adapters/store/genealogy.js';

export type UnknownCharacteristicPolicy = 'ignore' | 'count' | 'dlq';

export interface WorkerOptions {
  /** Where messages come from and where dead letters and outbox lines go (JetStream, or in-process for the demo). */
  transport: WorkerTransport;
  rules: RuleSetConfig;
  /** Called for every hold, release, alarm, alarm clear and alarm state change, synchronously, as points are made. */
  onSignal: (s: LifecycleSignal) => void;
  /** Seconds from a message's storage in JetStream to its processing, per message (for /metrics). */
  onLatency?: (seconds: number) => void;
  /** Called for every point (the console's live charts). */
  onPoint?: (p: PointRecord, line: string, station: string) => void;
  /** Samples no characteristic matches: ignore, count (default) or dead-letter. */
  unknownCharacteristics?: UnknownCharacteristicPolicy;
  /** Write raw samples to InfluxDB too (default true). */
  writeSamples?: boolean;
  /** Alarm flood control: more than maxAlarms new alarms on a line within windowMs; default 10 in 10 min. */
  flood?: { maxAlarms: number; windowMs: number };
  /** Genealogy store: samples, holds and audit entries are stored before messages are acknowledged. */
  trace?: GenealogyStore;
  /** Multivariate models scoring each unit (from openAnomalyModels). */
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
  /** How often each partition's state is snapshotted, ms; default 30,000. */
  snapshotEveryMs?: number;
  /** How often leases are renewed and partitions rebalanced, ms; default 1,000. */
  ownershipEveryMs?: number;
  /**
   * Most processed messages waiting for their commit (e.g. while PostgreSQL is down) before the
   * worker stops taking more; until then signals keep flowing. Default 200,000.
   */
  maxUncommitted?: number;
}

export interface WorkerCounters {
  messages: number;
  samples: number;
  points: number;
  signals: number;
  /** Messages delivered again after their partition's state already held them (not reprocessed). */
  redelivered: number;
  /** Messages of partitions other workers own (passed over). */
  skipped: number;
  /** Messages processed again after a restore only to rebuild state (their outputs were already durable). */
  replayed: number;
  snapshots: number;
  snapshotFailures: number;
  /** Partitions taken (at start, or over from a worker that stopped or died). */
  acquired: number;
  handedOver: number;
  /** Bad items by reason (a batch message may have many). */
  deadLetters: Partial<Record<DeadLetterReason, number>>;
  /** Dead letters written: one per bad message. */
  deadLetterMessages: number;
  unknownCharacteristic: number;
  outboxMessages: number;
  acked: number;
  commitFailures: number;
  anomalyScored: number;
  anomalyFlagged: number;
  /** Units given up because not all of a model's features arrived in time. */
  anomalyIncomplete: number;
  anomalyErrors: number;
}

/**
 * A write started at once and checked at commit: `attempt` never rejects (it resolves to the error),
 * so a failure is never an unhandled rejection; the commit retries `write` until it succeeds.
 */
interface PendingWrite { write: () => Promise<void>; attempt: Promise<unknown> }
const startWrite = (write: () => Promise<void>): PendingWrite => ({ write, attempt: write().then(() => undefined, (err: unknown) => err ?? new Error('failed')) });

interface Batch {
  msgs: SampleMessage[]; lines: string[]; bytes: number; deadLetters: PendingWrite[]; scoring: Promise<void>[]; firstSeq: number; lastSeq: number;
  traceRows: TraceRow[]; signals: Signal[]; audit: Omit<AuditEntry, 'id' | 'at'>[];
  /** Releases to record in the state store before the batch counts as committed. */
  releases: PendingWrite[];
  /** Last message of each partition in this batch: the partition's commit position once it is durable. */
  touched: Map<number, number>;
}

const OUTBOX_CHUNK_BYTES = 512 * 1024;
const newBatch = (): Batch => ({ msgs: [], lines: [], bytes: 0, deadLetters: [], scoring: [], firstSeq: 0, lastSeq: 0, traceRows: [], signals: [], audit: [], releases: [], touched: new Map() });
/** What a take-over fetches for a partition before installing it. */
interface LoadedPartition { snap: PartitionSnapshot | undefined; committed: number; releases: ReleaseRecord[] }

/** Distinguishes this process's outbox message ids from another's (a restarted worker's batches differ). */
const INSTANCE = Math.random().toString(36).slice(2, 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for writes started earlier and repeats those that failed; throws if one fails again. */
async function settle(writes: PendingWrite[]): Promise<void> {
  for (const w of writes) {
    if ((await w.attempt) === undefined) continue;
    w.attempt = w.write().then(() => undefined, (err: unknown) => err ?? new Error('failed'));
    const err = await w.attempt;
    if (err !== undefined) throw err;
  }
}

/**
 * The real-time pipeline: JetStream samples → engine → signals (at once) and InfluxDB lines
 * (through the JetStream outbox). A message is committed only after everything it caused is
 * durable: its dead letters and outbox entry stored by JetStream, its trace rows by the store.
 * Signals never wait on InfluxDB: they are sent while the message is processed.
 *
 * State and recovery: the stream is split by line into partitions. For each partition it owns the
 * worker records the last committed stream sequence and, every `snapshotEveryMs`, a snapshot of
 * its characteristics (taken after the messages it reflects are committed). A worker that takes a
 * partition (after a restart, or from a dead worker) restores the snapshot and reads the stream
 * again from the message after it: messages up to the committed position only rebuild state
 * (their outputs exist), later ones are processed normally. Releases are replayed at the stream
 * position they happened at. So the points and holds are those of an uninterrupted run.
 */
export class SpcWorker {
  readonly engine: SpcEngine;
  readonly holds = new HoldBook();
  readonly alarms: AlarmLifecycle;
  readonly counters: WorkerCounters = { messages: 0, samples: 0, points: 0, signals: 0, redelivered: 0, skipped: 0, replayed: 0, snapshots: 0, snapshotFailures: 0, acquired: 0, handedOver: 0, deadLetters: {}, deadLetterMessages: 0, unknownCharacteristic: 0, outboxMessages: 0, acked: 0, commitFailures: 0, anomalyScored: 0, anomalyFlagged: 0, anomalyIncomplete: 0, anomalyErrors: 0 };
  private readonly chartOf = new Map<string, string>();
  private readonly specOf = new Map<string, { lsl?: number; usl?: number }>();
  private batch = newBatch();
  private readonly partitions: number;
  /** Partition of each characteristic and anomaly model (by its line). */
  private readonly partitionOfId = new Map<string, number>();
  /** Owned partitions → last stream sequence their state reflects. */
  private readonly applied = new Map<number, number>();
  /** Per owned partition: messages up to this sequence were committed before; replay them silently. */
  private readonly replayUntil = new Map<number, number>();
  private readonly pendingReleases = new Map<number, ReleaseRecord[]>();
  private readonly snapshotSeq = new Map<number, number>();
  private snapshots: Promise<void> = Promise.resolve();
  /** Highest stream sequence the consumer has delivered, and whether it must restart lower. */
  private lastSeen = 0;
  private rewind = false;
  private silent = false;
  private uncommitted = 0;
  private ownershipTimer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private ticking = false;
  private readonly leaseRenewedAt = new Map<number, number>();
  private commits: Promise<void> = Promise.resolve();
  private current: Sample | undefined;
  private currentSeq = 0;
  private messages: MessageStream | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: NonNullable<WorkerOptions['log']>;
  private readonly emitPoint = (p: PointRecord) => this.onPoint(p);
  private readonly logThrottle = new LogThrottle();
  /** Bad items of the message being handled: one dead letter for all of them. */
  private faults: MessageFaults | undefined;
  private stopped = false;
  /** Set when stop() gave up waiting for commits: nothing more is acknowledged. */
  private abandoned = false;
  /** When the last batch was committed (or the worker had nothing waiting), ms. */
  private lastCommitAt = Date.now();
  /** When the consumer last delivered a message, ms. */
  private lastDeliveryAt = Date.now();
  /** The commit step failing now, if any. */
  private commitTrouble: { step: string; error: string; since: number } | undefined;

  constructor(private readonly o: WorkerOptions) {
    this.partitions = Math.max(1, Math.floor(o.partitions ?? 1));
    this.engine = new SpcEngine(o.rules);
    this.alarms = new AlarmLifecycle(o.flood);
    this.indexCharacteristics(o.rules);
    this.log = o.log ?? (() => {});
  }

  /** The lowest stream position this worker's partitions have reached (lag = stream end − this). */
  get position(): number { return this.applied.size ? Math.min(...this.applied.values()) : this.lastSeen; }

  /**
   * What liveness checks read: processed messages waiting for their commit and since when
   * nothing was committed, the failing commit step, and when the consumer last delivered.
   */
  progress(now = Date.now()): { uncommitted: number; sinceCommitMs: number; sinceDeliveryMs: number; commitTrouble?: { step: string; error: string; forMs: number } } {
    return {
      uncommitted: this.uncommitted, sinceCommitMs: this.uncommitted ? now - this.lastCommitAt : 0, sinceDeliveryMs: now - this.lastDeliveryAt,
      ...(this.commitTrouble ? { commitTrouble: { step: this.commitTrouble.step, error: this.commitTrouble.error, forMs: now - this.commitTrouble.since } } : {}),
    };
  }

  /** Partitions this worker owns now. */
  get ownedPartitions(): number[] { return [...this.applied.keys()].sort((a, b) => a - b); }

  /** Consumes until stop(); resolves when the consumer ends. */
  async run(): Promise<void> {
    const every = this.o.commitEvery ?? { messages: 1000, ms: 20 };
    this.timer = setInterval(() => {
      if (this.batch.msgs.length) this.commit();
      for (const a of this.o.anomalies ?? []) this.counters.anomalyIncomplete += a.assembler.expire(Date.now());
      for (const s of this.alarms.tick(Date.now(), new Date().toISOString())) this.o.onSignal(s);
    }, every.ms);
    await this.startOwnership();
    const maxUncommitted = this.o.maxUncommitted ?? 200_000;
    while (!this.stopped) {
      if (!this.applied.size) { await sleep(100); continue; }
      // From the earliest message an owned partition still needs; others skip what they hold.
      const from = this.position + 1;
      this.rewind = false;
      this.lastSeen = from - 1;
      this.messages = await this.o.transport.consume(from);
      for await (const m of this.messages) {
        this.handle(m);
        if (this.batch.msgs.length >= every.messages || this.batch.bytes >= OUTBOX_CHUNK_BYTES) this.commit();
        if (this.uncommitted >= maxUncommitted) await this.commits; // back-pressure once the buffer of uncommitted work is full
        if (this.rewind || this.stopped) break;
      }
      this.messages.stop();
    }
  }

  /** Partitions at start: every one without leases, else those this worker wins among the live workers. */
  private async startOwnership(): Promise<void> {
    const snapshotEvery = this.o.snapshotEveryMs ?? 30_000;
    if (this.o.state) this.snapshotTimer = setInterval(() => { for (const p of this.applied.keys()) if (this.applied.get(p) !== this.snapshotSeq.get(p)) void this.snapshot(p); }, snapshotEvery);
    if (!this.o.membership) {
      // One at a time: fetching all at once was not faster on 2 cores and held every parsed snapshot in memory.
      for (let p = 0; p < this.partitions; p++) await this.acquire(p);
      return;
    }
    // Announce first and look again one period later: workers started together (a fleet restart)
    // then see each other before taking partitions, instead of one taking all and handing most over.
    const every = this.o.ownershipEveryMs ?? 1000;
    await this.o.membership.heartbeat().catch(() => undefined);
    await sleep(every);
    if (this.stopped) return; // stopped while waiting: no timer may outlive stop()
    await this.tick();
    this.ownershipTimer = setInterval(() => void this.tick(), every);
  }

  /** Renews leases, hands over partitions another live worker should have, takes free ones. */
  private async tick(): Promise<void> {
    const m = this.o.membership!;
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const want = new Set(desiredPartitions(await m.heartbeat(), this.partitions, m.workerId));
      for (const p of [...this.applied.keys()]) {
        if (!want.has(p)) await this.handOver(p);
        else if (await m.renew(p)) this.leaseRenewedAt.set(p, Date.now());
        else {
          this.applied.delete(p);
          this.log('error', 'lost the lease of a partition to another worker; stopped processing it', { partition: p });
        }
      }
      for (const p of want) {
        if (!this.applied.has(p) && !this.stopped && (await m.tryAcquire(p))) { this.leaseRenewedAt.set(p, Date.now()); await this.acquire(p); }
      }
    } catch (err) {
      // A lease not renewed for most of its life may be someone else's soon: stop processing it
      // rather than risk two owners (a worker that kept it will take it again when NATS answers).
      for (const p of [...this.applied.keys()]) {
        if (Date.now() - (this.leaseRenewedAt.get(p) ?? 0) > m.ttlMs * 0.75) { this.applied.delete(p); this.log('error', 'partition dropped: its lease could not be renewed in time', { partition: p }); }
      }
      this.log('warn', 'partition leases not renewed (NATS unavailable?); will retry', { err: String(err) });
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Takes a partition: restores its snapshot (or starts it afresh), notes up to where its outputs
   * were committed and which releases happened since, and makes the consumer read the stream
   * again from the snapshot when it is already past it.
   */
  private async acquire(p: number): Promise<void> {
    this.installPartition(p, await this.loadPartition(p));
  }

  private async loadPartition(p: number): Promise<LoadedPartition> {
    const st = this.o.state;
    if (!st) return { snap: undefined, committed: 0, releases: [] };
    const [snap, committed, releases] = await Promise.all([st.loadSnapshot(p), st.committed(p), st.releases(p)]);
    return { snap, committed, releases };
  }

  /** Synchronous, so no message is handled half-way through a partition's restore. */
  private installPartition(p: number, { snap, committed, releases }: LoadedPartition): void {
    const usable = snap && snap.partitions === this.partitions ? snap : undefined;
    const { characteristic, line } = this.partitionFilters(p);
    const r = this.engine.restoreStates(usable?.characteristics ?? {}, characteristic);
    this.holds.restoreState(usable?.holds, characteristic);
    this.alarms.restoreState(usable?.alarms, line);
    const seq = usable?.seq ?? 0;
    this.applied.set(p, seq);
    this.snapshotSeq.set(p, seq);
    this.replayUntil.set(p, committed);
    this.pendingReleases.set(p, releases.filter((x) => x.seq >= seq).sort((a, b) => a.seq - b.seq));
    this.applyReleasesBefore(p, seq + 1);
    if (this.lastSeen > seq) { this.rewind = true; this.messages?.stop(); }
    this.counters.acquired++;
    this.log('info', 'partition acquired', { partition: p, snapshotSeq: seq, committed, restored: r.restored, fresh: r.fresh, releases: releases.length });
  }

  /** Gives a partition to the worker that should have it: commit, snapshot, then free the lease. */
  private async handOver(p: number): Promise<void> {
    const saved = this.snapshot(p);
    this.applied.delete(p);
    await saved;
    await this.o.membership?.release(p);
    this.counters.handedOver++;
    this.log('info', 'partition handed over', { partition: p });
  }

  /**
   * Captures the partition's state now and writes it once every message it reflects is committed
   * (a snapshot must never be ahead of the outputs). Snapshots are written one at a time.
   */
  private snapshot(p: number): Promise<void> {
    const st = this.o.state;
    const seq = this.applied.get(p);
    if (!st || seq === undefined) return Promise.resolve();
    const { characteristic, line } = this.partitionFilters(p);
    const snap = capturePartition(this, { partition: p, partitions: this.partitions, seq }, characteristic, line);
    if (this.batch.msgs.length || this.batch.touched.size) this.commit();
    const committed = this.commits;
    this.snapshots = this.snapshots.then(async () => {
      await committed;
      try {
        await st.saveSnapshot(snap);
        this.snapshotSeq.set(p, seq);
        this.counters.snapshots++;
        await st.pruneReleases(p, seq);
      } catch (err) {
        this.counters.snapshotFailures++;
        this.log('error', 'snapshot not saved; the previous one stays valid', { partition: p, err: String(err) });
      }
    });
    return this.snapshots;
  }

  /** Releases that happened before stream message `seq` of the partition (replay). */
  private applyReleasesBefore(p: number, seq: number): void {
    const pending = this.pendingReleases.get(p);
    while (pending?.length && pending[0].seq < seq) {
      const r = pending.shift()!;
      this.holds.release(r.id, r.by, r.reason, r.ts);
    }
  }

  /** What belongs to partition p: characteristics (and anomaly models) by id, alarm records by line. */
  private partitionFilters(p: number): { characteristic: (id: string) => boolean; line: (line: string) => boolean } {
    return { characteristic: (id) => this.partitionOfCharacteristic(id) === p, line: (line) => this.partitionOfLine(line) === p };
  }

  private partitionOfLine(line: string): number { return partitionOf(subjectToken(line), this.partitions); }

  private partitionOfCharacteristic(id: string): number { return this.partitionOfId.get(id) ?? 0; }

  private partitionOfMessage(m: SampleMessage): number {
    return this.partitions === 1 ? 0 : partitionOf(m.line ?? '_', this.partitions);
  }

  /**
   * Stops consuming and waits until every processed message is committed and acknowledged, for
   * at most `deadlineMs`: past it (a store that hangs or refuses) the worker gives up without
   * acknowledging anything uncommitted — those messages are delivered again after a restart —
   * and resolves `false`.
   */
  async stop(deadlineMs = Infinity): Promise<boolean> {
    this.stopped = true;
    this.messages?.stop();
    if (this.timer) clearInterval(this.timer);
    clearInterval(this.ownershipTimer); clearInterval(this.snapshotTimer);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => { if (Number.isFinite(deadlineMs)) timer = setTimeout(() => resolve('late'), deadlineMs); });
    const clean = async () => {
      while (this.ticking) await sleep(10);
      if (this.batch.msgs.length || this.batch.touched.size) this.commit();
      await this.commits;
      // A clean stop leaves fresh snapshots and free leases: the next owner starts at once, with no replay.
      for (const p of [...this.applied.keys()]) {
        await this.snapshot(p);
        await this.o.membership?.release(p).catch(() => undefined);
      }
      await this.o.membership?.leave().catch(() => undefined);
      return 'done' as const;
    };
    const outcome = await Promise.race([clean(), deadline]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.abandoned = true;
      this.log('error', 'stopped before every processed message was committed; they stay unacknowledged and will be delivered again', { uncommitted: this.uncommitted, step: this.commitTrouble?.step });
    }
    for (const a of this.o.anomalies ?? []) await Promise.race([a.thread.close(), sleep(1000)]);
    return outcome === 'done';
  }

  private handle(m: SampleMessage): void {
    this.lastDeliveryAt = Date.now();
    if (this.uncommitted === 0) this.lastCommitAt = this.lastDeliveryAt; // nothing was waiting: the clock starts now
    if (this.rewind) return; // a partition was just restored behind this position: the consumer restarts lower
    const seq = m.seq;
    if (seq > this.lastSeen) this.lastSeen = seq;
    const partition = this.partitionOfMessage(m);
    const applied = this.applied.get(partition);
    if (applied === undefined) { this.counters.skipped++; m.ack(); return; }
    if (seq <= applied) { this.counters.redelivered++; this.batch.msgs.push(m); this.uncommitted++; return; }
    this.counters.messages++;
    this.applyReleasesBefore(partition, seq);
    this.applied.set(partition, seq);
    this.batch.touched.set(partition, seq);
    this.silent = seq <= (this.replayUntil.get(partition) ?? 0);
    if (this.silent) this.counters.replayed++;
    else if (this.o.onLatency) this.o.onLatency(Math.max(0, Date.now() - m.storedAtMs) / 1000);
    if (!this.batch.firstSeq) this.batch.firstSeq = seq;
    this.batch.lastSeq = seq;
    const { samples, bad, positions } = decodeSampleMessage(m.data);
    const faults = this.faults = bad.length ? new MessageFaults() : undefined;
    for (const b of bad) faults!.add(b.reason, b.detail, b.item);
    const batchItem = (i: number) => positions?.[i];
    samples.forEach((s, i) => {
      this.counters.samples++;
      this.current = s;
      this.currentSeq = seq * 1000 + i;
      if (m.line !== undefined && subjectToken(s.line) !== m.line) {
        // Partitions and line-scoped consumers follow the subject: a body naming another line
        // must not raise that line's holds (with one partition as with several).
        this.fault('rejected', `${batchItem(i) !== undefined ? `item ${batchItem(i)}: ` : ''}sample line ${s.line} does not match its subject's line ${m.line}`, batchItem(i));
        return;
      }
      const r = this.engine.process(s, this.emitPoint);
      if (r.rejected) this.fault('rejected', `${batchItem(i) !== undefined ? `item ${batchItem(i)}: ` : ''}${r.rejected}`, batchItem(i));
      else if (r.matched === 0) {
        this.counters.unknownCharacteristic++;
        const policy = this.o.unknownCharacteristics ?? 'count';
        if (policy === 'dlq') this.fault('unknown-characteristic', `${batchItem(i) !== undefined ? `item ${batchItem(i)}: ` : ''}no characteristic matches line ${s.line}, station ${s.station}, parameter ${s.parameter}`, batchItem(i));
      }
      if (this.silent) return;
      if (this.o.writeSamples !== false) this.addLine(sampleLine(s, this.currentSeq));
      if (this.o.trace) this.batch.traceRows.push({ source: this.o.transport.source, seq, item: i, sample: s });
      for (const a of this.o.anomalies ?? []) if (feedsModel(a, s)) this.assemble(a, s);
    });
    if (this.faults) this.deadLetter(m, this.faults);
    this.faults = undefined;
    this.current = undefined;
    this.silent = false;
    this.batch.msgs.push(m);
    this.uncommitted++;
  }

  /** Applies edited rules without losing the windows of unchanged characteristics (hot reload). */
  reloadRules(rules: RuleSetConfig): { kept: string[]; started: string[]; removed: string[] } {
    this.indexCharacteristics(rules); // first: it refuses rules the partitioning cannot route, before anything changes
    return this.engine.reload(rules);
  }

  /** Chart type and spec limits by characteristic id: the InfluxDB tags and fields of its points. */
  private indexCharacteristics(rules: RuleSetConfig): void {
    const many = this.partitions > 1;
    const lineless = [...rules.characteristics, ...(rules.anomaly ?? [])].filter((c) => c.match?.line === undefined).map((c) => c.id);
    if (many && lineless.length) throw new Error(`with ${this.partitions} partitions (split by line) every characteristic and anomaly model needs match.line; these match any line: ${lineless.join(', ')}`);
    this.chartOf.clear(); this.specOf.clear(); this.partitionOfId.clear();
    for (const c of rules.characteristics) { this.chartOf.set(c.id, c.chart.type); if (c.spec) this.specOf.set(c.id, { lsl: c.spec.lsl, usl: c.spec.usl }); }
    if (many) for (const c of [...rules.characteristics, ...(rules.anomaly ?? [])]) this.partitionOfId.set(c.id, this.partitionOfLine(c.match!.line!));
  }

  /** Adds a sample to a model's unit; a complete unit is scored off-thread, its verdict joins this batch. */
  private assemble(a: AnomalyRuntime, s: Sample): void {
    const unit = a.assembler.add(s, Date.now());
    if (!unit) return;
    const batch = this.batch;
    batch.scoring.push(a.thread.score(unit.values).then(
      (score) => {
        this.counters.anomalyScored++;
        const p = anomalyPoint(a, unit, score);
        const place = { line: unit.line, station: unit.station };
        const tags = { ...place, parameter: 'anomaly', chart: 'anomaly' };
        this.add(batch, pointLine(p, tags));
        if (!p.violations.length) { for (const sig of this.holds.apply(p, place)) this.signal(sig, batch); return; }
        this.counters.anomalyFlagged++;
        for (const l of violationLines(p, tags)) this.add(batch, l);
        for (const sig of this.holds.apply(p, place)) this.signal(sig, batch);
      },
      (err) => { this.counters.anomalyErrors++; this.log('error', 'anomaly scoring failed', { model: a.config.model, err: String(err) }); },
    ));
  }

  /** A bad item of the message being handled; the message gets one dead letter for all of them. */
  private fault(reason: DeadLetterReason, detail: string, item: number | undefined): void {
    (this.faults ??= new MessageFaults()).add(reason, detail, item);
  }

  /** One dead letter for a bad message (its payload as it came), written with the batch. */
  private deadLetter(m: SampleMessage, faults: MessageFaults): void {
    if (this.silent) return; // stored before the restart
    const f = faults.summary();
    for (const [reason, n] of Object.entries(f.counts)) this.counters.deadLetters[reason as DeadLetterReason] = (this.counters.deadLetters[reason as DeadLetterReason] ?? 0) + n;
    this.quarantine({ reason: f.reason, detail: f.detail, subject: m.subject, streamSequence: m.seq, items: f.items, counts: f.counts }, m.data);
  }

  /** Writes a dead letter with the current batch (the batch is not committed before it is stored). */
  private quarantine(info: DeadLetter, payload: Uint8Array, batch: Batch = this.batch): void {
    this.counters.deadLetterMessages++;
    const held = this.logThrottle.admit(info.reason, Date.now());
    if (held !== undefined) this.log('warn', 'dead letter', { reason: info.reason, detail: info.detail, subject: info.subject, seq: info.streamSequence, counts: info.counts, ...(held ? { heldBack: held } : {}) });
    batch.deadLetters.push(startWrite(() => this.o.transport.deadLetter(info, payload)));
  }

  private onPoint(p: PointRecord): void {
    const s = this.current!;
    this.counters.points++;
    const place = { line: s.line, station: s.station };
    const tags = { ...place, parameter: s.parameter, chart: this.chartOf.get(p.characteristic) ?? 'unknown', ...this.specOf.get(p.characteristic) };
    this.addLine(pointLine(p, tags));
    if (p.phase === 'I' && p.index === 1) { // limits just locked: record the capability they imply
      const summary = this.engine.summaryOf(p.characteristic);
      const line = summary && capabilityLine(p.characteristic, place, summary, s.ts);
      if (line) this.addLine(line);
    }
    if (p.violations.length) for (const l of violationLines(p, tags)) this.addLine(l);
    if (!this.silent) this.o.onPoint?.(p, s.line, s.station);
    for (const sig of this.holds.apply(p, place)) this.signal(sig);
  }

  /** A signal from the hold book: alarms pass through the lifecycle (dedupe, shelving, floods) first. */
  private signal(raw: Signal, batch: Batch = this.batch): void {
    for (const sig of this.alarms.onSignal(raw, Date.now())) {
      if (this.silent) continue; // replaying: the lifecycle follows, the signal was sent before the restart
      this.counters.signals++;
      this.o.onSignal(sig);
      if (sig.type === 'alarm-state') continue;
      // A copy: the hold book keeps updating the same hold object (a new `added` list per point)
      // before this batch is written, and the store must get the units each update added.
      if (this.o.trace) batch.signals.push({ ...sig } as Signal);
      this.add(batch, signalLine(sig, this.currentSeq));
    }
  }

  /** Operator or quality acknowledges an alarm of their lines; recorded in the audit table. */
  acknowledgeAlarm(id: string, actor: Actor): AlarmStateSignal | Refusal {
    if (actor.role === 'plc') return roleRefusal(actor, 'acknowledging an alarm', 'operator or quality');
    const a = this.alarms.get(id);
    if (!a) return { refused: 'not-found', message: `no alarm ${id}` };
    if (!inScope(actor, a.line)) return outOfScope(actor, `alarm ${id}`, a.line);
    const r = this.alarms.acknowledge(id, actor.name, new Date().toISOString());
    if (typeof r === 'string') return { refused: 'conflict', message: r };
    this.o.onSignal(r);
    this.auditNow({ actor: actor.name, role: actor.role, action: 'acknowledge', target: id, line: a.line, reason: null, detail: { state: r.state } });
    return r;
  }

  /** Quality shelves an alarm of their lines for a while, with a reason; recorded in the audit table. */
  shelveAlarm(id: string, actor: Actor, minutes: number, reason: string): AlarmStateSignal | Refusal {
    if (actor.role !== 'quality') return roleRefusal(actor, 'shelving an alarm', 'quality');
    const a = this.alarms.get(id);
    if (!a || a.state === 'closed') return { refused: 'not-found', message: `no open alarm ${id}` };
    if (!inScope(actor, a.line)) return outOfScope(actor, `alarm ${id}`, a.line);
    const r = this.alarms.shelve(id, actor.name, Date.now() + minutes * 60_000, new Date().toISOString());
    if (typeof r === 'string') return { refused: 'conflict', message: r };
    this.o.onSignal(r);
    this.auditNow({ actor: actor.name, role: actor.role, action: 'shelve', target: id, line: a.line, reason, detail: { minutes } });
    return r;
  }

  private auditNow(entry: Omit<AuditEntry, 'id' | 'at'>): void {
    this.batch.audit.push(entry);
    if (!this.batch.msgs.length) this.commit();
  }

  /**
   * A quality user's release of a hold on their lines: the hold book decides, the line hears it at
   * once, and the store (release and audit entry) and InfluxDB record it with the next commit.
   */
  release(id: string, actor: Actor, reason: string): ReleaseSignal | Refusal {
    if (actor.role !== 'quality') return roleRefusal(actor, 'releasing a hold', 'quality');
    const hold = this.holds.hold(id);
    if (!hold) return { refused: 'not-found', message: `no active hold ${id}` };
    if (!inScope(actor, hold.line)) return outOfScope(actor, `hold ${id}`, hold.line);
    const ts = new Date().toISOString();
    const r = this.holds.release(id, actor.name, reason, ts)!;
    const p = this.partitionOfCharacteristic(r.characteristic);
    // Kept with the stream position, so a replay of this partition releases at the same point.
    const st = this.o.state;
    if (st) { const rec = { id, by: actor.name, reason, role: actor.role, ts, seq: this.applied.get(p) ?? 0 }; this.batch.releases.push(startWrite(() => st.addRelease(p, rec))); }
    this.signal(r);
    this.auditNow({ actor: actor.name, role: actor.role, action: 'release', target: id, line: r.line, reason, detail: { units: r.unitCount, characteristic: r.characteristic } });
    return r;
  }

  private addLine(line: string): void { if (!this.silent) this.add(this.batch, line); }

  private add(batch: Batch, line: string): void {
    batch.lines.push(line);
    batch.bytes += line.length + 1;
  }

  /** Queues the current batch for commit; commits run one after another, in order. */
  private commit(): void {
    const batch = this.batch;
    this.batch = newBatch();
    this.commits = this.commits.then(() => this.commitBatch(batch));
  }

  private async commitBatch(b: Batch): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      // Named in the log, so an operator knows which server to look at.
      let step = 'anomaly scoring';
      try {
        await Promise.all(b.scoring); // a batch's anomaly verdicts (a few ms) are committed with it
        if (this.o.trace) {
          step = 'trace rows to the genealogy store';
          await this.writeTrace(b);
        }
        step = 'dead letters to JetStream';
        await settle(b.deadLetters);
        step = 'releases to the NATS state store';
        await settle(b.releases);
        step = 'InfluxDB lines to the JetStream outbox';
        await this.publishOutbox(b);
        break;
      } catch (err) {
        this.counters.commitFailures++;
        this.commitTrouble ??= { step, error: String(err).slice(0, 300), since: Date.now() };
        this.log('error', `commit failed writing ${step}; retrying (messages stay unacknowledged)`, { err: String(err), step, attempt });
        if (this.abandoned) return; // stopping: leave the messages unacknowledged, they are redelivered
        await sleep(Math.min(5000, 100 * 2 ** attempt));
        if (this.abandoned) return;
      }
    }
    this.commitTrouble = undefined;
    if (this.abandoned) return;
    const st = this.o.state;
    if (st && b.touched.size) {
      // Not retried: a stale position only means a longer silent replay after a crash.
      await Promise.all([...b.touched].map(([p, seq]) => st.setCommitted(p, seq))).catch((err: unknown) => this.log('warn', 'commit position not recorded', { err: String(err) }));
    }
    if (this.abandoned) return;
    for (const m of b.msgs) m.ack();
    this.counters.acked += b.msgs.length;
    this.uncommitted -= b.msgs.length;
    this.lastCommitAt = Date.now();
  }

  /**
   * Trace rows, signals and audit entries to the store. What the store refuses for its content
   * (not a lost connection) is quarantined as an `unstorable` dead letter and the commit goes on:
   * one bad row must not stop every message after it.
   */
  private async writeTrace(b: Batch): Promise<void> {
    const trace = this.o.trace!;
    const samples = await trace.writeSamples(b.traceRows);
    b.traceRows = []; // written: a retry must not write them twice
    const bySeq = new Map<number, { items: number[]; samples: Sample[]; error: string }>();
    for (const r of samples) {
      const e = bySeq.get(r.row.seq) ?? { items: [], samples: [], error: r.error };
      e.items.push(r.row.item); e.samples.push(r.row.sample);
      bySeq.set(r.row.seq, e);
    }
    for (const [seq, e] of bySeq) {
      const subject = b.msgs.find((m) => m.seq === seq)?.subject ?? '';
      this.counters.deadLetters.unstorable = (this.counters.deadLetters.unstorable ?? 0) + e.items.length;
      this.quarantine({ reason: 'unstorable', detail: `the genealogy store refused item(s) ${e.items.join(',')}: ${e.error}`, subject, streamSequence: seq, items: e.items, counts: { unstorable: e.items.length }, kind: 'unstorable' },
        new TextEncoder().encode(JSON.stringify(e.samples.length === 1 ? e.samples[0] : e.samples)), b);
    }
    const signals = await trace.writeSignals(b.signals);
    b.signals = [];
    for (const r of signals) {
      this.counters.deadLetters.unstorable = (this.counters.deadLetters.unstorable ?? 0) + 1;
      this.quarantine({ reason: 'unstorable', detail: `the genealogy store refused ${r.row.type} ${r.row.id}: ${r.error}`, subject: '', streamSequence: b.lastSeq, kind: `unstorable-${r.row.type}-${r.row.id}` }, new TextEncoder().encode(JSON.stringify(r.row)), b);
    }
    const audit = await trace.writeAudit(b.audit);
    b.audit = [];
    for (const r of audit) this.quarantine({ reason: 'unstorable', detail: `the genealogy store refused an audit entry: ${r.error}`, subject: '', streamSequence: b.lastSeq, kind: `unstorable-audit-${r.row.action}-${r.row.target}` }, new TextEncoder().encode(JSON.stringify(r.row)), b);
  }

  private async publishOutbox(b: Batch): Promise<void> {
    if (!b.lines.length) return;
    let chunk: string[] = [], size = 0, part = 0;
    const send = async () => {
      // The id makes a retried publish a duplicate that JetStream drops.
      await this.o.transport.outbox(new TextEncoder().encode(chunk.join('\n')), `out-${INSTANCE}-${b.firstSeq}-${b.lastSeq}-${part++}`);
      this.counters.outboxMessages++;
      chunk = []; size = 0;
    };
    for (const line of b.lines) {
      if (size + line.length > OUTBOX_CHUNK_BYTES && chunk.length) await send();
      chunk.push(line); size += line.length + 1;
    }
    if (chunk.length) await send();
  }
}
