import { LogThrottle, type Sample, type Signal } from '../core/index.js';
import type { AuditRecord, GenealogyWriter, TraceRow } from '../ports/genealogy.js';
import type { StateStore } from '../ports/state.js';
import type { DeadLetter, SampleMessage, WorkerTransport } from '../ports/transport.js';
import { OutboxBuffer } from './outbox-buffer.js';

/** Largest outbox entry, bytes; a batch is also closed when its lines reach it. */
export const OUTBOX_CHUNK_BYTES = 512 * 1024;
/** Batches whose writes may be under way at once; past it, processing waits for the oldest. */
export const MAX_BATCHES_IN_FLIGHT = 8;

/**
 * A write started at once and checked at commit: `attempt` never rejects (it resolves to the error),
 * so a failure is never an unhandled rejection; the commit retries `write` until it succeeds.
 */
interface PendingWrite { write: () => Promise<void>; attempt: Promise<unknown> }
const startWrite = (write: () => Promise<void>): PendingWrite => ({ write, attempt: write().then(() => undefined, (err: unknown) => err ?? new Error('failed')) });

/** What one commit makes durable before its messages are acknowledged. */
export interface Batch {
  no: number;
  msgs: SampleMessage[];
  /** Time-series lines, as the outbox entries they will be. */
  lines: OutboxBuffer;
  deadLetters: PendingWrite[];
  /** Anomaly verdicts of the batch's units (a few ms): their lines and signals join the batch. */
  scoring: Promise<void>[];
  traceRows: TraceRow[]; signals: Signal[]; audit: AuditRecord[];
  /** Releases to record in the state store before the batch counts as committed. */
  releases: PendingWrite[];
  /** Last message of each partition in this batch: the partition's commit position once it is durable. */
  touched: Map<number, number>;
}

export interface CommitterCounters { outboxMessages: number; acked: number; commitFailures: number }

export interface CommitterOptions {
  transport: WorkerTransport;
  trace?: GenealogyWriter;
  state?: StateStore;
  /** Most messages in one batch. */
  maxMessages: number;
  /** Counts quarantined (unstorable) items by reason, with the pipeline's dead-letter counters. */
  countDeadLetters(reason: 'unstorable', items: number): void;
  log(level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>): void;
}

/** Distinguishes this process's outbox message ids from another's (a restarted worker's batches differ). */
const INSTANCE = Math.random().toString(36).slice(2, 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const encoder = new TextEncoder();

/**
 * Makes batches of processed messages durable, then acknowledges them — pipelined: a closed
 * batch's writes start at once, without waiting for the previous batch (at most
 * MAX_BATCHES_IN_FLIGHT under way), while acknowledgements and commit positions follow in batch
 * order and only after everything the batch caused is stored: dead letters and outbox lines in
 * JetStream, releases in the state store, trace rows in the genealogy store. Genealogy writes
 * keep batch order among themselves (a hold's row before its release). Whatever fails is retried
 * with backoff; rows a store refuses for their content are dead-lettered as `unstorable`.
 */
export class Committer {
  readonly counters: CommitterCounters = { outboxMessages: 0, acked: 0, commitFailures: 0 };
  /** The batch messages and effects go into now. */
  current: Batch;
  private batches = 0;
  private inFlight: Promise<void>[] = [];
  /** Batches closed and not yet acknowledged (their commit positions may still be dropped: see forget). */
  private readonly unacknowledged = new Set<Batch>();
  /** Resolves when every batch closed so far is acknowledged. */
  private acked: Promise<void> = Promise.resolve();
  private traced: Promise<void> = Promise.resolve();
  private uncommitted = 0;
  private abandoned = false;
  private lastCommitAt = Date.now();
  private trouble: { step: string; error: string; since: number } | undefined;
  private readonly logThrottle = new LogThrottle();

  constructor(private readonly o: CommitterOptions) { this.current = this.newBatch(); }

  private newBatch(): Batch {
    return { no: ++this.batches, msgs: [], lines: new OutboxBuffer(OUTBOX_CHUNK_BYTES), deadLetters: [], scoring: [], traceRows: [], signals: [], audit: [], releases: [], touched: new Map() };
  }

  /** A processed message joins the current batch (its partition's commit position moves with it). */
  add(m: SampleMessage, partition?: number): void {
    if (this.uncommitted === 0) this.lastCommitAt = Date.now(); // nothing was waiting: the stall clock starts now
    this.current.msgs.push(m);
    this.uncommitted++;
    if (partition !== undefined) this.current.touched.set(partition, m.seq);
  }

  line(b: Batch, text: string): void { b.lines.add(text); }

  /** A dead letter written with the batch; logged at most once per reason and 10 s, with how many were held back. */
  deadLetter(b: Batch, info: DeadLetter, payload: Uint8Array): void {
    const held = this.logThrottle.admit(info.reason, Date.now());
    if (held !== undefined) this.o.log('warn', 'dead letter', { reason: info.reason, detail: info.detail, subject: info.subject, seq: info.streamSequence, counts: info.counts, ...(held ? { heldBack: held } : {}) });
    b.deadLetters.push(startWrite(() => this.o.transport.deadLetter(info, payload)));
  }

  /** A release to record in the state store with the current batch. */
  release(write: () => Promise<void>): void { this.current.releases.push(startWrite(write)); }

  /** An audit entry; committed at once when no message is waiting (an action on a quiet line). */
  audit(entry: AuditRecord): void {
    this.current.audit.push(entry);
    if (!this.current.msgs.length) this.close();
  }

  /** Whether the current batch should be closed now. */
  get full(): boolean { return this.current.msgs.length >= this.o.maxMessages || this.current.lines.bytes >= OUTBOX_CHUNK_BYTES; }

  /** Whether the current batch holds anything to commit. */
  get pending(): boolean {
    const b = this.current;
    return b.msgs.length > 0 || b.touched.size > 0 || b.audit.length > 0 || b.lines.lines > 0 || b.signals.length > 0 || b.releases.length > 0 || b.deadLetters.length > 0;
  }

  get waiting(): number { return this.uncommitted; }


  /** Closes the current batch and starts making it durable; returns when it may be followed (in-flight bound). */
  close(): Promise<void> {
    const b = this.current;
    this.current = this.newBatch();
    const done = this.commit(b);
    this.inFlight.push(done);
    void done.then(() => { this.inFlight = this.inFlight.filter((x) => x !== done); });
    return this.inFlight.length >= MAX_BATCHES_IN_FLIGHT ? this.inFlight[0] : Promise.resolve();
  }

  /**
   * This worker gave the partition up: no batch it has not acknowledged yet moves the partition's
   * commit position any more. Another worker may own it now (a stale position written after its
   * own would make its next restart replay the wrong messages silently), and if this worker takes
   * it back, what it processed meanwhile is processed again, not silently (an anomaly verdict
   * dropped with the partition was never sent).
   */
  forget(partition: number): void {
    this.current.touched.delete(partition);
    for (const b of this.unacknowledged) b.touched.delete(partition);
  }

  /** Resolves once every batch closed so far is acknowledged (snapshots wait for this). */
  settled(): Promise<void> { return this.acked; }

  /**
   * Processed messages waiting for their commit and since when nothing was committed, and the
   * step failing now (for liveness checks).
   */
  progress(now = Date.now()): { uncommitted: number; sinceCommitMs: number; commitTrouble?: { step: string; error: string; forMs: number } } {
    return {
      uncommitted: this.uncommitted, sinceCommitMs: this.uncommitted ? now - this.lastCommitAt : 0,
      ...(this.trouble ? { commitTrouble: { step: this.trouble.step, error: this.trouble.error, forMs: now - this.trouble.since } } : {}),
    };
  }

  /** Stops retrying: nothing more is acknowledged (the messages are delivered again after a restart). */
  abandon(): void { this.abandoned = true; }

  private commit(b: Batch): Promise<void> {
    this.unacknowledged.add(b);
    // Settled, not all fulfilled: a verdict that failed (or whose handling threw) must not stop
    // every later commit; its unit goes unscored, and says so.
    const scored = Promise.allSettled(b.scoring).then((results) => {
      for (const r of results) if (r.status === 'rejected') this.o.log('error', 'anomaly verdict failed; the unit stays unscored', { err: String(r.reason) });
    });
    // Genealogy writes in batch order; the JetStream writes of several batches at once.
    const traced = this.traced = Promise.all([this.traced, scored]).then(() => this.retrying('trace rows to the genealogy store', () => this.writeTrace(b)));
    const durable = Promise.all([
      traced.then(() => this.retrying('dead letters to JetStream', () => settle(b.deadLetters))),
      this.retrying('releases to the NATS state store', () => settle(b.releases)),
      scored.then(() => this.retrying('InfluxDB lines to the JetStream outbox', () => this.publishOutbox(b))),
    ]);
    const acked = this.acked = Promise.all([this.acked, durable]).then(() => this.acknowledge(b));
    return acked;
  }

  /** Repeats a step until it succeeds (or the committer is abandoned), naming it in the log. */
  private async retrying(step: string, fn: () => Promise<void>): Promise<void> {
    for (let attempt = 0; !this.abandoned; attempt++) {
      try {
        await fn();
        if (this.trouble?.step === step) this.trouble = undefined;
        return;
      } catch (err) {
        this.counters.commitFailures++;
        this.trouble ??= { step, error: String(err).slice(0, 300), since: Date.now() };
        this.o.log('error', `commit failed writing ${step}; retrying (messages stay unacknowledged)`, { err: String(err), step, attempt });
        await sleep(Math.min(5000, 100 * 2 ** attempt));
      }
    }
    return new Promise(() => {}); // abandoned: never durable, never acknowledged
  }

  private async acknowledge(b: Batch): Promise<void> {
    if (this.abandoned) return;
    const st = this.o.state;
    if (st && b.touched.size) {
      // Retried like any write: the worker reads with an ordered consumer, so this position is its
      // acknowledgement. A stale one would have a restarted worker process the messages after it
      // again, not silently (holds re-sent, dead letters written twice).
      await this.retrying('commit positions to the NATS state store', () => Promise.all([...b.touched].map(([p, seq]) => st.setCommitted(p, seq))).then(() => undefined));
    }
    if (this.abandoned) return;
    this.unacknowledged.delete(b);
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
    const trace = this.o.trace;
    if (!trace) return;
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
      this.quarantine(b, { reason: 'unstorable', detail: `the genealogy store refused item(s) ${e.items.join(',')}: ${e.error}`, subject, streamSequence: seq, items: e.items, counts: { unstorable: e.items.length }, kind: 'unstorable' },
        e.samples.length === 1 ? e.samples[0] : e.samples, e.items.length);
    }
    const signals = await trace.writeSignals(b.signals);
    b.signals = [];
    for (const r of signals) this.quarantine(b, { reason: 'unstorable', detail: `the genealogy store refused ${r.row.type} ${r.row.id}: ${r.error}`, subject: '', streamSequence: b.msgs.at(-1)?.seq ?? 0, kind: `unstorable-${r.row.type}-${r.row.id}-${b.no}-${signals.indexOf(r)}` }, r.row, 1);
    // One at a time, each taken off the batch once stored: a retry after a lost connection must
    // not write the entries before it again (the audit trail has no natural key).
    const audit: Awaited<ReturnType<GenealogyWriter['writeAudit']>> = [];
    while (b.audit.length) { audit.push(...await trace.writeAudit(b.audit.slice(0, 1))); b.audit.shift(); }
    for (const r of audit) this.quarantine(b, { reason: 'unstorable', detail: `the genealogy store refused an audit entry: ${r.error}`, subject: '', streamSequence: b.msgs.at(-1)?.seq ?? 0, kind: `unstorable-audit-${b.no}-${audit.indexOf(r)}-${r.row.action}-${r.row.target}` }, r.row, 1);
  }

  private quarantine(b: Batch, info: DeadLetter, what: unknown, items: number): void {
    this.o.countDeadLetters('unstorable', items);
    this.deadLetter(b, info, encoder.encode(JSON.stringify(what)));
  }

  private async publishOutbox(b: Batch): Promise<void> {
    // The id makes a retried publish a duplicate that JetStream drops; the batch number keeps two batches apart.
    const entries = b.lines.all();
    for (let part = 0; part < entries.length; part++) {
      await this.o.transport.outbox(entries[part], `out-${INSTANCE}-${b.no}-${part}`);
      this.counters.outboxMessages++;
    }
  }
}

/** Waits for writes started earlier and repeats those that failed; throws if one fails again. */
async function settle(writes: PendingWrite[]): Promise<void> {
  for (const w of writes) {
    if ((await w.attempt) === undefined) continue;
    w.attempt = w.write().then(() => undefined, (err: unknown) => err ?? new Error('failed'));
    const err = await w.attempt;
    if (err !== undefined) throw err;
  }
}

