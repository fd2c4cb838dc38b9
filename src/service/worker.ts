import type { MessageStream, SampleMessage, WorkerTransport } from './transport.js';
import { capabilityLine, pointLine, sampleLine, signalLine, violationLines } from '../adapters/influx/line-protocol.js';
import { AlarmLifecycle, HoldBook, SpcEngine, type AlarmStateSignal, type LifecycleSignal, type PointRecord, type ReleaseSignal, type RuleSetConfig, type Sample, type Signal } from '../core/index.js';
import { decodeSampleMessage, type DeadLetterReason } from '../samples/message.js';
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
}

export interface WorkerCounters {
  messages: number;
  samples: number;
  points: number;
  signals: number;
  /** Messages JetStream delivered again after we had processed them (acknowledged, not reprocessed). */
  redelivered: number;
  deadLetters: Partial<Record<DeadLetterReason, number>>;
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

interface Batch {
  msgs: SampleMessage[]; lines: string[]; bytes: number; deadLetters: Promise<void>[]; scoring: Promise<void>[]; firstSeq: number; lastSeq: number;
  traceRows: TraceRow[]; signals: Signal[]; audit: Omit<AuditEntry, 'id' | 'at'>[];
}

const OUTBOX_CHUNK_BYTES = 512 * 1024;
const newBatch = (): Batch => ({ msgs: [], lines: [], bytes: 0, deadLetters: [], scoring: [], firstSeq: 0, lastSeq: 0, traceRows: [], signals: [], audit: [] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The real-time pipeline: JetStream samples → engine → signals (at once) and InfluxDB lines
 * (through the JetStream outbox). A message is acknowledged only after everything it caused is
 * durable: its dead letters and its outbox entry stored by JetStream. Signals never wait on
 * InfluxDB: they are sent while the message is processed. Messages are processed in stream order,
 * and one redelivered after processing is acknowledged without being processed again.
 */
export class SpcWorker {
  readonly engine: SpcEngine;
  readonly holds = new HoldBook();
  readonly alarms: AlarmLifecycle;
  readonly counters: WorkerCounters = { messages: 0, samples: 0, points: 0, signals: 0, redelivered: 0, deadLetters: {}, unknownCharacteristic: 0, outboxMessages: 0, acked: 0, commitFailures: 0, anomalyScored: 0, anomalyFlagged: 0, anomalyIncomplete: 0, anomalyErrors: 0 };
  private readonly chartOf = new Map<string, string>();
  private readonly specOf = new Map<string, { lsl?: number; usl?: number }>();
  private lastSeq = 0;
  private batch = newBatch();
  private commits: Promise<void> = Promise.resolve();
  private current: Sample | undefined;
  private currentSeq = 0;
  private messages: MessageStream | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: NonNullable<WorkerOptions['log']>;
  private readonly emitPoint = (p: PointRecord) => this.onPoint(p);
  private stopped = false;

  constructor(private readonly o: WorkerOptions) {
    this.engine = new SpcEngine(o.rules);
    this.alarms = new AlarmLifecycle(o.flood);
    this.indexCharacteristics(o.rules);
    this.log = o.log ?? (() => {});
  }

  /** Consumes until stop(); resolves when the consumer ends. */
  async run(): Promise<void> {
    const every = this.o.commitEvery ?? { messages: 1000, ms: 20 };
    this.timer = setInterval(() => {
      if (this.batch.msgs.length) this.commit();
      for (const a of this.o.anomalies ?? []) this.counters.anomalyIncomplete += a.assembler.expire(Date.now());
      for (const s of this.alarms.tick(Date.now(), new Date().toISOString())) this.o.onSignal(s);
    }, every.ms);
    while (!this.stopped) {
      this.messages = await this.o.transport.consume();
      for await (const m of this.messages) {
        this.handle(m);
        if (this.batch.msgs.length >= every.messages || this.batch.bytes >= OUTBOX_CHUNK_BYTES) this.commit();
      }
    }
  }

  /** Stops consuming and waits until every processed message is committed and acknowledged. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    if (this.timer) clearInterval(this.timer);
    if (this.batch.msgs.length) this.commit();
    await this.commits;
    for (const a of this.o.anomalies ?? []) await a.thread.close();
  }

  private handle(m: SampleMessage): void {
    const seq = m.seq;
    this.counters.messages++;
    if (seq <= this.lastSeq) { this.counters.redelivered++; this.batch.msgs.push(m); return; }
    if (this.o.onLatency) this.o.onLatency(Math.max(0, Date.now() - m.storedAtMs) / 1000);
    this.lastSeq = seq;
    if (!this.batch.firstSeq) this.batch.firstSeq = seq;
    this.batch.lastSeq = seq;
    const { samples, bad } = decodeSampleMessage(m.data);
    for (const b of bad) this.deadLetter(b.reason, b.detail, m, b.item, b.raw ? new TextEncoder().encode(b.raw) : m.data);
    samples.forEach((s, i) => {
      this.counters.samples++;
      this.current = s;
      this.currentSeq = seq * 1000 + i;
      const r = this.engine.process(s, this.emitPoint);
      if (r.rejected) this.deadLetter('rejected', r.rejected, m, samples.length > 1 ? i : undefined, new TextEncoder().encode(JSON.stringify(s)));
      else if (r.matched === 0) {
        this.counters.unknownCharacteristic++;
        const policy = this.o.unknownCharacteristics ?? 'count';
        if (policy === 'dlq') this.deadLetter('unknown-characteristic', `no characteristic matches line ${s.line}, station ${s.station}, parameter ${s.parameter}`, m, samples.length > 1 ? i : undefined, new TextEncoder().encode(JSON.stringify(s)));
      }
      if (this.o.writeSamples !== false) this.addLine(sampleLine(s, this.currentSeq));
      if (this.o.trace) this.batch.traceRows.push({ source: this.o.transport.source, seq, item: i, sample: s });
      for (const a of this.o.anomalies ?? []) if (feedsModel(a, s)) this.assemble(a, s);
    });
    this.current = undefined;
    this.batch.msgs.push(m);
  }

  /** Applies edited rules without losing the windows of unchanged characteristics (hot reload). */
  reloadRules(rules: RuleSetConfig): { kept: string[]; started: string[]; removed: string[] } {
    const result = this.engine.reload(rules);
    this.indexCharacteristics(rules);
    return result;
  }

  /** Chart type and spec limits by characteristic id: the InfluxDB tags and fields of its points. */
  private indexCharacteristics(rules: RuleSetConfig): void {
    this.chartOf.clear(); this.specOf.clear();
    for (const c of rules.characteristics) { this.chartOf.set(c.id, c.chart.type); if (c.spec) this.specOf.set(c.id, { lsl: c.spec.lsl, usl: c.spec.usl }); }
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

  private deadLetter(reason: DeadLetterReason, detail: string, m: SampleMessage, item: number | undefined, payload: Uint8Array): void {
    this.counters.deadLetters[reason] = (this.counters.deadLetters[reason] ?? 0) + 1;
    this.log('warn', 'dead letter', { reason, detail, subject: m.subject, seq: m.seq, item });
    this.batch.deadLetters.push(this.o.transport.deadLetter({ reason, detail, subject: m.subject, streamSequence: m.seq, item }, payload));
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
    this.o.onPoint?.(p, s.line, s.station);
    for (const sig of this.holds.apply(p, place)) this.signal(sig);
  }

  /** A signal from the hold book: alarms pass through the lifecycle (dedupe, shelving, floods) first. */
  private signal(raw: Signal, batch: Batch = this.batch): void {
    for (const sig of this.alarms.onSignal(raw, Date.now())) {
      this.counters.signals++;
      this.o.onSignal(sig);
      if (sig.type === 'alarm-state') continue;
      if (this.o.trace) batch.signals.push(sig);
      this.add(batch, signalLine(sig, this.currentSeq));
    }
  }

  /** Operator or quality acknowledges an alarm; recorded in the audit table. */
  acknowledgeAlarm(id: string, by: string, role: string): AlarmStateSignal | string {
    const r = this.alarms.acknowledge(id, by, new Date().toISOString());
    if (typeof r === 'string') return r;
    this.o.onSignal(r);
    this.auditNow({ actor: by, role, action: 'acknowledge', target: id, reason: null, detail: { state: r.state } });
    return r;
  }

  /** Quality shelves an alarm for a while, with a reason; recorded in the audit table. */
  shelveAlarm(id: string, by: string, role: string, minutes: number, reason: string): AlarmStateSignal | string {
    const r = this.alarms.shelve(id, by, Date.now() + minutes * 60_000, new Date().toISOString());
    if (typeof r === 'string') return r;
    this.o.onSignal(r);
    this.auditNow({ actor: by, role, action: 'shelve', target: id, reason, detail: { minutes } });
    return r;
  }

  private auditNow(entry: Omit<AuditEntry, 'id' | 'at'>): void {
    this.batch.audit.push(entry);
    if (!this.batch.msgs.length) this.commit();
  }

  /**
   * A quality user's release: the hold book decides, the line hears it at once, and the store
   * (release and audit entry) and InfluxDB record it with the next commit.
   */
  release(id: string, by: string, reason: string, role = 'quality'): ReleaseSignal | string {
    const r = this.holds.release(id, by, reason, new Date().toISOString());
    if (!r) return `no active hold ${id}`;
    this.signal(r);
    this.auditNow({ actor: by, role, action: 'release', target: id, reason, detail: { units: r.units.length, characteristic: r.characteristic } });
    return r;
  }

  private addLine(line: string): void { this.add(this.batch, line); }

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
      try {
        await Promise.all(b.deadLetters);
        await Promise.all(b.scoring); // a batch's anomaly verdicts (a few ms) are committed with it
        await this.publishOutbox(b);
        if (this.o.trace) {
          await this.o.trace.writeSamples(b.traceRows);
          await this.o.trace.writeSignals(b.signals);
          for (const a of b.audit) await this.o.trace.audit(a);
          b.traceRows = []; b.signals = []; b.audit = []; // written: a retry must not write them twice
        }
        break;
      } catch (err) {
        this.counters.commitFailures++;
        this.log('error', 'commit to JetStream failed; retrying (messages stay unacknowledged)', { err: String(err), attempt });
        b.deadLetters = b.deadLetters.map((p) => p.catch(() => undefined)); // already logged; the retry republishes them below
        await sleep(Math.min(5000, 100 * 2 ** attempt));
      }
    }
    for (const m of b.msgs) m.ack();
    this.counters.acked += b.msgs.length;
  }

  private async publishOutbox(b: Batch): Promise<void> {
    if (!b.lines.length) return;
    let chunk: string[] = [], size = 0, part = 0;
    const send = async () => {
      // The id makes a retried publish a duplicate that JetStream drops.
      await this.o.transport.outbox(new TextEncoder().encode(chunk.join('\n')), `out-${b.firstSeq}-${b.lastSeq}-${part++}`);
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
