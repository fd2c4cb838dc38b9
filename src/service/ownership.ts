import { characteristicOfSeries, desiredPartitions, partitionOf, seriesOfId, subjectToken, type AlarmLifecycle, type HoldBook, type RuleSetConfig, type SpcEngine } from '../core/index.js';
import type { Membership, PartitionSnapshot, ReleaseRecord, StateStore } from '../ports/state.js';
import type { SampleMessage } from '../ports/transport.js';
import type { Committer } from './committer.js';
import type { Pipeline } from './pipeline.js';

export interface OwnershipCounters {
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
}

export interface OwnershipOptions {
  partitions: number;
  state?: StateStore;
  membership?: Membership;
  snapshotEveryMs?: number;
  ownershipEveryMs?: number;
  pipeline: Pipeline;
  committer: Committer;
  /** A partition was restored behind the consumer's position: the consumer must restart lower. */
  rewind(): void;
  log(level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>): void;
}

/** What a take-over fetches for a partition before installing it. */
interface LoadedPartition { snap: PartitionSnapshot | undefined; committed: number; releases: ReleaseRecord[] }

/** What to do with a delivered message. */
export type Placement = { kind: 'skip' } | { kind: 'redelivered' } | { kind: 'process'; partition: number; silent: boolean };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The state of one partition now: its characteristics, holds and alarms (selected by the predicates). */
export function capturePartition(
  parts: { engine: SpcEngine; holds: HoldBook; alarms: AlarmLifecycle; saveAnomalies?: Pipeline['saveAnomalies'] },
  at: { partition: number; partitions: number; seq: number },
  inPartition: (characteristic: string) => boolean,
  lineInPartition: (line: string) => boolean,
): PartitionSnapshot {
  return {
    version: 1, ...at, savedAt: new Date().toISOString(),
    characteristics: parts.engine.saveStates(inPartition), holds: parts.holds.saveState(inPartition), alarms: parts.alarms.saveState(lineInPartition),
    ...(parts.saveAnomalies ? { anomalies: parts.saveAnomalies.call(parts, inPartition) } : {}),
  };
}

/**
 * Which partitions (lines) this worker owns and where each stands. For each it records the last
 * stream message its state reflects and, every `snapshotEveryMs`, a snapshot of its
 * characteristics, holds and alarms (written once every message it reflects is committed). A
 * worker that takes a partition (after a restart, or from a dead worker) restores the snapshot
 * and reads the stream again from the message after it: messages up to the committed position
 * only rebuild state (their outputs exist), later ones are processed normally, and releases are
 * replayed at the stream position they happened at. Leases in the membership decide who owns what.
 */
export class Ownership {
  readonly counters: OwnershipCounters = { redelivered: 0, skipped: 0, replayed: 0, snapshots: 0, snapshotFailures: 0, acquired: 0, handedOver: 0 };
  /** Owned partitions → last stream sequence their state reflects. */
  private readonly applied = new Map<number, number>();
  /** Per owned partition: messages up to this sequence were committed before; replay them silently. */
  private readonly replayUntil = new Map<number, number>();
  /** Partitions restored and replayed up to their commit position: what this worker vouches for (see ownsAll). */
  private readonly vouched = new Set<number>();
  private readonly pendingReleases = new Map<number, ReleaseRecord[]>();
  private readonly snapshotSeq = new Map<number, number>();
  private readonly leaseRenewedAt = new Map<number, number>();
  /**
   * When the least recently renewed lease of an owned partition reaches 3/4 of its life
   * (`performance.now()` ms; Infinity without leases). Past it the consume loop renews before it processes
   * more: a lease round that ran late (a busy event loop, a slow NATS) may have let the lease
   * lapse and another worker take it, and processing on would make two owners of one partition.
   */
  renewBy = Infinity;
  /** Partition of each characteristic and anomaly model (by its line). */
  private readonly partitionOfId = new Map<string, number>();
  private snapshots: Promise<void> = Promise.resolve();
  private ownershipTimer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;
  /** Highest stream sequence the consumer has delivered. */
  lastSeen = 0;

  /**
   * Called after this worker took a partition (its state restored) or gave one up (its holds and
   * alarms forgotten): clients of the signal stream get a fresh snapshot of what this worker vouches for.
   */
  changed: (() => void) | undefined;

  constructor(private readonly o: OwnershipOptions) {
    o.pipeline.onVerdict = (model) => this.afterVerdict(model);
  }

  /** Whether a partition is still replaying silently (its timers must not act on a replayed past). */
  get replaying(): boolean {
    for (const [p, seq] of this.applied) if (seq < (this.replayUntil.get(p) ?? 0)) return true;
    return false;
  }

  /** A model's verdict came in: a release of its partition that waited for it may apply now. */
  private afterVerdict(model: string): void {
    const p = this.partitionOfId.get(model) ?? 0;
    const seq = this.applied.get(p);
    if (seq === undefined) return;
    this.applyReleasesBefore(p, seq + 1);
    this.vouchIfWhole(p);
  }

  /**
   * Whether this worker vouches for these lines' holds now (for every line: all partitions): it
   * owns their partitions and has replayed them up to their commit position — until then holds
   * raised before the crash are still being rebuilt, silently.
   */
  ownsAll(lines: readonly string[] | undefined): boolean {
    return lines ? lines.every((l) => this.vouchesFor(l)) : this.vouched.size === this.o.partitions;
  }

  /** Whether this worker vouches for the line's holds now (see ownsAll). */
  vouchesFor(line: string): boolean { return this.vouched.has(this.partitionOfLine(line)); }

  /** The same for a characteristic's or anomaly model's partition (its line's; partition 0 with one). */
  vouchesForId(id: string): boolean { return this.vouched.has(this.partitionOfId.get(id) ?? 0); }

  /** A partition's state is whole (restored and replayed): clients get a fresh snapshot of it. */
  private vouch(p: number): void {
    this.vouched.add(p);
    this.changed?.();
  }

  /**
   * Stops processing a partition and forgets its holds and alarms (after its snapshot was
   * captured): a worker that kept them went on answering the interlock and sending snapshots
   * for a line another worker owns, stale from the moment that one processed its next unit.
   */
  private forget(p: number): void {
    this.stop(p);
    // Lost, not handed over: another worker may own it already. What this one processed and did
    // not commit is processed again there (or here, if it comes back), so its verdicts in flight
    // are dropped with the rest rather than applied to a hold book that no longer has the line.
    this.o.committer.forget(p);
    this.clear(p);
    this.changed?.();
  }

  /** Processes no more of the partition's messages and no longer vouches for its lines. */
  private stop(p: number): void {
    this.applied.delete(p);
    this.vouched.delete(p);
  }

  /** Forgets a partition's holds, alarms and anomaly state (no longer this worker's to answer for). */
  private clear(p: number): void {
    const { characteristic, line } = this.filters(p);
    this.o.pipeline.holds.restoreState(undefined, characteristic);
    this.o.pipeline.alarms.restoreState(undefined, line);
    this.o.pipeline.restoreAnomalies(undefined, characteristic);
  }

  /**
   * Whether a partition's state is whole: replayed up to its commit position, and no verdict of a
   * replayed (or restored) unit still awaited — until then a snapshot would lack holds the replay
   * is still rebuilding.
   */
  private whole(p: number): boolean {
    const seq = this.applied.get(p);
    if (seq === undefined || seq < (this.replayUntil.get(p) ?? 0)) return false;
    return this.o.pipeline.verdictsPending(this.filters(p).characteristic, true) === 0;
  }

  /** Vouches for the partition if it is whole now; whether it is vouched for. */
  private vouchIfWhole(p: number): boolean {
    if (!this.vouched.has(p) && this.whole(p)) this.vouch(p);
    return this.vouched.has(p);
  }

  /** The lowest stream position this worker's partitions have reached (lag = stream end − this). */
  get position(): number { return this.applied.size ? Math.min(...this.applied.values()) : this.lastSeen; }

  get owned(): number[] { return [...this.applied.keys()].sort((a, b) => a - b); }

  /**
   * Checks that the partitioning can route the rules (with several partitions every
   * characteristic and model needs match.line) and indexes them; throws before anything changes.
   */
  index(rules: RuleSetConfig): void {
    const many = this.o.partitions > 1;
    const lineless = [...rules.characteristics, ...(rules.anomaly ?? [])].filter((c) => c.match?.line === undefined).map((c) => c.id);
    if (many && lineless.length) throw new Error(`with ${this.o.partitions} partitions (split by line) every characteristic and anomaly model needs match.line; these match any line: ${lineless.join(', ')}`);
    this.partitionOfId.clear();
    if (many) for (const c of [...rules.characteristics, ...(rules.anomaly ?? [])]) this.partitionOfId.set(c.id, this.partitionOfLine(c.match!.line!));
  }

  /** Where a delivered message stands: another worker's, already applied, or to process (maybe silently). */
  place(m: SampleMessage): Placement {
    const seq = m.seq;
    if (seq > this.lastSeen) this.lastSeen = seq;
    const partition = this.o.partitions === 1 ? 0 : partitionOf(m.line ?? '_', this.o.partitions);
    const applied = this.applied.get(partition);
    if (applied === undefined) { this.counters.skipped++; return { kind: 'skip' }; }
    if (seq <= applied) { this.counters.redelivered++; return { kind: 'redelivered' }; }
    this.applyReleasesBefore(partition, seq);
    this.applied.set(partition, seq);
    const until = this.replayUntil.get(partition) ?? 0;
    const silent = seq <= until;
    if (silent) this.counters.replayed++;
    // The last message to replay: once it is processed (this turn) and its verdicts are in, the partition's state is whole.
    if (seq >= until && !this.vouched.has(partition)) queueMicrotask(() => this.vouchIfWhole(partition));
    return { kind: 'process', partition, silent };
  }

  /** The partition of a characteristic (its line's), and where that partition stands now. */
  positionOf(characteristic: string): { partition: number; seq: number } {
    const partition = this.partitionOfId.get(characteristic) ?? 0;
    return { partition, seq: this.applied.get(partition) ?? 0 };
  }

  /** Partitions at start: every one without leases, else those this worker wins among the live workers. */
  async start(): Promise<void> {
    const snapshotEvery = this.o.snapshotEveryMs ?? 30_000;
    if (this.o.state) this.snapshotTimer = setInterval(() => { for (const p of this.applied.keys()) if (this.applied.get(p) !== this.snapshotSeq.get(p)) void this.snapshot(p); }, snapshotEvery);
    if (!this.o.membership) {
      // One at a time: fetching all at once was not faster on 2 cores and held every parsed snapshot in memory.
      for (let p = 0; p < this.o.partitions; p++) await this.acquire(p);
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

  /** Stops taking, renewing and snapshotting partitions (waits for a lease round under way). */
  async halt(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ownershipTimer); clearInterval(this.snapshotTimer);
    while (this.ticking) await sleep(10);
  }

  /** After a clean stop: fresh snapshots and free leases, so the next owner starts at once with no replay. */
  async handBack(): Promise<void> {
    for (const p of [...this.applied.keys()]) {
      await this.snapshot(p);
      await this.o.membership?.release(p).catch(() => undefined);
    }
    await this.o.membership?.leave().catch(() => undefined);
  }

  /** Renews leases, hands over partitions another live worker should have, takes free ones. */
  private async tick(): Promise<void> {
    const m = this.o.membership!;
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const want = new Set(desiredPartitions(await m.heartbeat(), this.o.partitions, m.workerId));
      const kept: number[] = [];
      for (const p of [...this.applied.keys()]) { if (want.has(p)) kept.push(p); else await this.handOver(p); }
      // All at once: one after another, a round of many partitions could outlast the first one's
      // renewal. A renewal counts from when it was asked, not answered: the lease's new life
      // began in between.
      await Promise.all(kept.map(async (p) => {
        const asked = performance.now();
        if (await m.renew(p)) { this.leaseRenewedAt.set(p, asked); return; }
        this.forget(p);
        this.o.log('error', 'lost the lease of a partition to another worker; stopped processing it', { partition: p });
      }));
      this.updateRenewBy();
      for (const p of want) {
        const asked = performance.now();
        if (!this.applied.has(p) && !this.stopped && (await m.tryAcquire(p))) { this.leaseRenewedAt.set(p, asked); await this.acquire(p); }
      }
    } catch (err) {
      this.dropStale(0.75);
      this.o.log('warn', 'partition leases not renewed (NATS unavailable?); will retry', { err: String(err) });
    } finally {
      this.ticking = false;
      this.updateRenewBy();
    }
  }

  /**
   * Stops processing partitions whose lease was last renewed more than `share` of its life ago:
   * soon (or already) someone else's, rather than risk two owners (a worker that kept the lease
   * takes the partition again at a later round).
   */
  private dropStale(share: number): void {
    const m = this.o.membership!;
    for (const p of [...this.applied.keys()]) {
      if (performance.now() - (this.leaseRenewedAt.get(p) ?? 0) > m.ttlMs * share) { this.forget(p); this.o.log('error', 'partition dropped: its lease could not be renewed in time', { partition: p }); }
    }
    this.updateRenewBy();
  }

  /** `renewBy` from the owned partitions' latest renewals (monotonic clock: a clock step cannot stretch it). */
  private updateRenewBy(): void {
    if (!this.o.membership) return;
    let oldest = Infinity;
    for (const p of this.applied.keys()) oldest = Math.min(oldest, this.leaseRenewedAt.get(p) ?? 0);
    this.renewBy = oldest + this.o.membership.ttlMs * 0.75;
  }

  /**
   * A lease round now, for the consume loop once `renewBy` has passed (one under way is waited
   * for first): partitions whose lease another worker holds now are dropped before any more of
   * their messages are processed, and so are those whose last renewal is a whole lease life ago
   * (no round could run, e.g. while stopping, or NATS answers slower than the lease lives).
   */
  async renewNow(): Promise<void> {
    while (this.ticking) await sleep(5);
    if (performance.now() > this.renewBy) await this.tick();
    if (performance.now() > this.renewBy) this.dropStale(1);
  }

  /**
   * Takes a partition: restores its snapshot (or starts it afresh), notes up to where its outputs
   * were committed and which releases happened since, and makes the consumer read the stream
   * again from the snapshot when it is already past it.
   */
  private async acquire(p: number): Promise<void> {
    this.install(p, await this.load(p));
  }

  private async load(p: number): Promise<LoadedPartition> {
    const st = this.o.state;
    if (!st) return { snap: undefined, committed: 0, releases: [] };
    const [snap, committed, releases] = await Promise.all([st.loadSnapshot(p), st.committed(p), st.releases(p)]);
    return { snap, committed, releases };
  }

  /** Synchronous, so no message is handled half-way through a partition's restore. */
  private install(p: number, { snap, committed, releases }: LoadedPartition): void {
    const usable = snap && snap.partitions === this.o.partitions ? snap : undefined;
    const { characteristic, line } = this.filters(p);
    const { engine, holds, alarms } = this.o.pipeline;
    const r = engine.restoreStates(usable?.characteristics ?? {}, characteristic);
    holds.restoreState(usable?.holds, characteristic);
    alarms.restoreState(usable?.alarms, line);
    const replaced = this.o.pipeline.restoreAnomalies(usable?.anomalies, characteristic);
    // Its replay decides with the new model: holds the old one raised since the snapshot may not come back (they are in the genealogy store).
    if (replaced.length) this.o.log('warn', 'anomaly model file changed since the snapshot: units replayed are judged by the new model', { partition: p, models: replaced, snapshotSeq: usable?.seq });
    const seq = usable?.seq ?? 0;
    this.applied.set(p, seq);
    this.updateRenewBy(); // fenced from its first message, not only once the round that took it ends
    this.snapshotSeq.set(p, seq);
    this.replayUntil.set(p, committed);
    this.pendingReleases.set(p, releases.filter((x) => x.seq >= seq).sort((a, b) => a.seq - b.seq));
    this.applyReleasesBefore(p, seq + 1);
    if (this.lastSeen > seq) this.o.rewind();
    this.counters.acquired++;
    // Vouched for once whole: now, or after its replay and its verdicts (see place, afterVerdict); clients hear either way.
    if (!this.vouchIfWhole(p)) this.changed?.();
    this.o.log('info', 'partition acquired', { partition: p, snapshotSeq: seq, committed, restored: r.restored, fresh: r.fresh, releases: releases.length });
  }

  /** Gives a partition to the worker that should have it: commit, snapshot, then free the lease. */
  private async handOver(p: number): Promise<void> {
    const saved = this.snapshot(p); // captured now, written once committed
    // No more of its messages here; clients stop relying on this worker for its lines at once.
    this.stop(p);
    this.changed?.();
    // Its verdicts in flight still come in and go out from here — the snapshot lists their units
    // as judged, and the next owner judges them again silently — applied to the hold book as it
    // stands; only then is the partition's state forgotten.
    await saved;
    this.clear(p);
    this.changed?.();
    await this.o.membership?.release(p);
    this.counters.handedOver++;
    this.o.log('info', 'partition handed over', { partition: p });
  }

  /** The state of one partition now: its characteristics, holds and alarms. */
  capture(p: number, seq: number): PartitionSnapshot {
    const { characteristic, line } = this.filters(p);
    return capturePartition(this.o.pipeline, { partition: p, partitions: this.o.partitions, seq }, characteristic, line);
  }

  /**
   * Captures the partition's state now and writes it once every message it reflects is committed
   * (a snapshot must never be ahead of the outputs). Snapshots are written one at a time.
   */
  snapshot(p: number): Promise<void> {
    const st = this.o.state;
    const seq = this.applied.get(p);
    if (!st || seq === undefined) return Promise.resolve();
    const snap = this.capture(p, seq);
    if (this.o.committer.pending) void this.o.committer.close();
    const committed = this.o.committer.settled();
    this.snapshots = this.snapshots.then(async () => {
      await committed;
      try {
        await st.saveSnapshot(snap);
        this.snapshotSeq.set(p, seq);
        this.counters.snapshots++;
        await st.pruneReleases(p, seq);
      } catch (err) {
        this.counters.snapshotFailures++;
        this.o.log('error', 'snapshot not saved; the previous one stays valid', { partition: p, err: String(err) });
      }
    });
    return this.snapshots;
  }

  /** Releases that happened before stream message `seq` of the partition (replay). */
  private applyReleasesBefore(p: number, seq: number): void {
    const pending = this.pendingReleases.get(p);
    for (let i = 0; pending && i < pending.length && pending[i].seq < seq;) {
      const r = pending[i];
      // An anomaly hold's release waits for as many of the model's verdicts as were in when it was
      // given, while any is still awaited (verdicts that can never come — a model retrained with
      // other features — do not hold it back for good); only it waits: the partition's other
      // releases are independent of the model.
      const model = characteristicOfSeries(seriesOfId(r.id));
      if (r.verdicts !== undefined && (this.o.pipeline.verdictsIn(model) ?? Infinity) < r.verdicts && this.o.pipeline.verdictsPending((id) => id === model) > 0) { i++; continue; }
      pending.splice(i, 1);
      if (r.kind === 'limits' && r.limits) { this.o.pipeline.engine.applyLimits(r.limits.characteristic, r.limits.split, { center: r.limits.center, sigma: r.limits.sigma }, r.limits.version); continue; }
      const released = this.o.pipeline.holds.release(r.id, r.by, r.reason, r.ts, { ...(r.causeCode ? { causeCode: r.causeCode } : {}), ...(r.actionCode ? { actionCode: r.actionCode } : {}), ...(r.signature ? { signature: r.signature } : {}) });
      if (released) this.o.pipeline.engine.released(released.characteristic, released.split);
      else this.o.pipeline.holds.forbid(r.id); // not rebuilt (yet): it must not be raised after its release
    }
  }

  /** What belongs to partition p: characteristics (and anomaly models) by id, alarm records by line. */
  private filters(p: number): { characteristic: (id: string) => boolean; line: (line: string) => boolean } {
    return { characteristic: (id) => (this.partitionOfId.get(id) ?? 0) === p, line: (line) => this.partitionOfLine(line) === p };
  }

  /** Whether this worker owns the line's partition now (its timers act for that line only). */
  ownsLine(line: string): boolean { return this.applied.has(this.partitionOfLine(line)); }

  private partitionOfLine(line: string): number { return partitionOf(subjectToken(line), this.o.partitions); }
}
