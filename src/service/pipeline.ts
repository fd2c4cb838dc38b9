import type { AnomalyScore } from '../anomaly/model.js';
import type { AssembledUnit, GivenUpUnit } from '../anomaly/unit-assembler.js';
import { CheckSchedule, type CheckEvent } from '../core/checks/schedule.js';
import { AlarmLifecycle, ClosedLoop, HoldBook, packNumbers, seriesId, unpackNumbers, type AnomalyModelSnapshot, SpcEngine, subjectToken, type FloodOptions, type LifecycleSignal, type LimitsSignal, type PointRecord, type RuleSetConfig, type SummaryRecord, type CharacteristicConfig, type RuleName, type Sample, type Signal } from '../core/index.js';
import { decodeSampleMessage, MessageFaults, type DeadLetterReason } from '../samples/message.js';
import type { TraceRow } from '../ports/genealogy.js';
import type { LineEncoder, PointTags } from '../ports/line-encoder.js';
import type { DeadLetter, SampleMessage } from '../ports/transport.js';
import { anomalyPoint, feedsModel, type AnomalyRuntime } from './anomaly.js';

export type UnknownCharacteristicPolicy = 'ignore' | 'count' | 'dlq';

/**
 * Where a message's effects go. The signals and points are for the line now (WebSocket); the
 * rest must be durable before the message is acknowledged. Tests collect them with
 * `collectEffects`; the worker sends the first at once and batches the rest for its committer.
 */
export interface EffectSink {
  signal(s: LifecycleSignal): void;
  point(p: PointRecord, line: string, station: string): void;
  line(text: string): void;
  traceRow(r: TraceRow): void;
  /** A hold or alarm revision, release or clear for the genealogy store. */
  storeSignal(s: Signal): void;
  deadLetter(info: DeadLetter, payload: Uint8Array): void;
  /**
   * A unit complete for a model: score it (off the main thread), then call `Pipeline.scored` with
   * the same `silent` (a replay judges again only to rebuild the model's holds).
   */
  score(a: AnomalyRuntime, unit: AssembledUnit, silent: boolean): void;
}

/** Every effect of the messages given to it, in arrays (tests, as Kafka Streams' TopologyTestDriver). */
export function collectEffects() {
  const e = {
    signals: [] as LifecycleSignal[], points: [] as { p: PointRecord; line: string; station: string }[], lines: [] as string[],
    traceRows: [] as TraceRow[], storeSignals: [] as Signal[], deadLetters: [] as { info: DeadLetter; payload: Uint8Array }[],
    toScore: [] as { a: AnomalyRuntime; unit: AssembledUnit; silent: boolean }[],
  };
  const sink: EffectSink = {
    signal: (s) => e.signals.push(s), point: (p, line, station) => e.points.push({ p, line, station }), line: (t) => e.lines.push(t),
    traceRow: (r) => e.traceRows.push(r), storeSignal: (s) => e.storeSignals.push(s), deadLetter: (info, payload) => e.deadLetters.push({ info, payload }),
    score: (a, unit, silent) => e.toScore.push({ a, unit, silent }),
  };
  return { ...e, sink };
}

export interface PipelineCounters {
  messages: number; samples: number; points: number; signals: number;
  /** Bad items by reason (a batch message may have many). */
  deadLetters: Partial<Record<DeadLetterReason, number>>;
  /** Dead letters written: one per bad message. */
  deadLetterMessages: number;
  unknownCharacteristic: number;
  anomalyScored: number; anomalyFlagged: number;
  /** Units given up unjudged: not every feature arrived within the model's wait (each also named in `spc_anomaly_unjudged`). */
  anomalyIncomplete: number;
}

export interface PipelineOptions {
  rules: RuleSetConfig;
  encoder: LineEncoder;
  /** Name of the sample source, stored with trace rows. */
  source: string;
  /** Samples no characteristic matches: ignore, count (default) or dead-letter. */
  unknownCharacteristics?: UnknownCharacteristicPolicy;
  /** Write raw samples to the time-series database too (default true). */
  writeSamples?: boolean;
  /** Store trace rows and signals (a genealogy store is configured). */
  trace?: boolean;
  flood?: FloodOptions;
  anomalies?: AnomalyRuntime[];
}

/**
 * The processor, apart from any broker or store: one message in, its effects out — points and
 * rule hits from the engine, holds and alarms from the hold book through the alarm lifecycle,
 * time-series lines, trace rows, one dead letter for its bad items. With `silent` (a replay of
 * messages whose outputs are already durable) it only rebuilds state.
 */
export class Pipeline {
  readonly engine: SpcEngine;
  readonly holds = new HoldBook();
  readonly alarms: AlarmLifecycle;
  readonly counters: PipelineCounters = { messages: 0, samples: 0, points: 0, signals: 0, deadLetters: {}, deadLetterMessages: 0, unknownCharacteristic: 0, anomalyScored: 0, anomalyFlagged: 0, anomalyIncomplete: 0 };
  /**
   * What each characteristic's points carry besides their own fields, read once per point: chart
   * type, spec limits, and the split keys written as InfluxDB tags (`lowCardinality`; the others
   * are fields).
   */
  private readonly seriesOf = new Map<string, { chart: string; lsl?: number; usl?: number; splitTags?: ReadonlySet<string> }>();
  /** New holds by characteristic since start (/metrics). */
  readonly holdsRaisedBy = new Map<string, number>();
  /** The current rule set's characteristics by id (a limits proposal is computed with its config). */
  configs = new Map<string, CharacteristicConfig>();
  /** Phase I window and exclusions by characteristic: what a Phase I limits version used. */
  private readonly phase1Of = new Map<string, { points: number; exclude: readonly number[] }>();
  /** Limits that locked on the sample being processed: their version and review go out once all its Phase I points are plotted. */
  private locked: { p: PointRecord; station: string }[] = [];
  /** The manual checks of the rule set and where each stands (absent without checks). */
  checks: CheckSchedule | undefined;
  /** Codes and reaction plans of the current rule set (releases and acknowledgements are checked against them). */
  closedLoop = new ClosedLoop();
  // The message being processed: the engine calls back per point, synchronously.
  private out!: EffectSink;
  private current: Sample | undefined;
  private sequence = 0;
  private silent = false;
  /**
   * The pipeline's clock: the stored time of the message being processed (of a unit's last one
   * for its verdict). A replay after a restart then sees the times the first pass saw — alarm
   * floods, their ids, manual checks and anomaly waits come out the same — not the replay's own.
   */
  private now = 0;
  /** Units a restored snapshot had complete but not yet judged: judged again, silently, before anything else. */
  private rejudge: { a: AnomalyRuntime; unit: AssembledUnit }[] = [];
  /** Called after each anomaly verdict (or failed scoring) is handled: a replay's releases may wait for it. */
  onVerdict: ((model: string) => void) | undefined;
  /** The stored time of the latest message and the wall-clock time it was processed (see streamTime). */
  private lastStoredAt = 0;
  private lastProcessedAt = 0;
  private faults: MessageFaults | undefined;
  private readonly emitPoint = (p: PointRecord) => this.onPoint(p);

  constructor(private readonly o: PipelineOptions) {
    this.engine = new SpcEngine(o.rules);
    this.alarms = new AlarmLifecycle(o.flood);
    this.alarms.announce = (id) => this.holds.announce(id);
    this.index(o.rules);
  }

  /** Processes one message; its effects go to `out` (only state changes when `silent`). */
  process(m: SampleMessage, out: EffectSink, silent: boolean): void {
    this.out = out;
    this.silent = silent;
    this.alarms.counting = !silent; // a replay re-raises alarms counted before the restart
    this.now = m.storedAtMs;
    // Never backwards: a partition behind the others (just taken over) must not set every line's clock back.
    if (m.storedAtMs >= this.lastStoredAt) { this.lastStoredAt = m.storedAtMs; this.lastProcessedAt = Date.now(); }
    this.counters.messages++;
    if (this.rejudge.length) this.judgeRestored(out);
    const anomalies = this.o.anomalies;
    if (anomalies) for (const a of anomalies) { const given = a.assembler.expire(this.now); if (given.length) this.giveUp(a, given, m.seq * 1000, silent); }
    const { samples, bad, positions } = decodeSampleMessage(m.data);
    const faults = this.faults = bad.length ? new MessageFaults() : undefined;
    for (const b of bad) faults!.add(b.reason, b.detail, b.item);
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i];
      const item = positions?.[i];
      const where = item !== undefined ? `item ${item}: ` : '';
      this.counters.samples++;
      this.current = s;
      this.sequence = m.seq * 1000 + i;
      if (m.line !== undefined && subjectToken(s.line) !== m.line) {
        // Partitions and line-scoped consumers follow the subject: a body naming another line
        // must not raise that line's holds.
        this.fault('rejected', `${where}sample line ${s.line} does not match its subject's line ${m.line}`, item);
        continue;
      }
      const r = this.engine.process(s, this.emitPoint);
      if (this.locked.length) this.flushLocked();
      if (r.rejected) this.fault(r.reason ?? 'rejected', `${where}${r.rejected}`, item);
      else if (this.checks) {
        // A manual check's entry marks it done; any other unit made at a station counts toward its unit checks.
        const check = s.attributes?.check;
        const events = check !== undefined ? [this.checks.done(check, this.now)].filter((e) => e !== undefined) : this.checks.unitMade(s.line, s.station, s.unit, this.now);
        if (events.length) this.checkEvents(events);
      }
      else if (r.matched === 0) {
        this.counters.unknownCharacteristic++;
        if (this.o.unknownCharacteristics === 'dlq') this.fault('unknown-characteristic', `${where}no characteristic matches line ${s.line}, station ${s.station}, parameter ${s.parameter}`, item);
      }
      // A replay too: units whose features span the restart complete, with the indices the first pass gave them.
      if (anomalies) for (const a of anomalies) if (feedsModel(a, s)) { const unit = a.assembler.add(s, this.now); if (unit) this.judge(a, unit, silent); }
      if (silent) continue;
      if (this.o.writeSamples !== false) out.line(this.o.encoder.sample(s, this.sequence));
      if (this.o.trace) out.traceRow({ source: this.o.source, seq: m.seq, item: i, sample: s });
    }
    if (this.faults && !silent) this.deadLetter(m, this.faults);
    this.faults = undefined;
    this.current = undefined;
  }

  /** A complete unit becomes the model's next point: numbered now, in stream order, and sent to be scored. */
  private judge(a: AnomalyRuntime, unit: AssembledUnit, silent: boolean): void {
    unit.index = ++a.index;
    unit.seq = this.sequence;
    unit.silent = silent;
    a.judging.push(unit);
    this.out.score(a, unit, silent);
  }

  /**
   * Units a model gave up waiting for (not every feature within its `wait`): never judged, so each
   * is named — a line with the features it lacked — and, while the model's hold is active, joins the
   * hold as an unscored unit does (a hold must not name too few units because a unit skipped a
   * station). The message that finds them overdue gives them up (a replay gives up the same units
   * at the same message), or the tick of a quiet stream (see tickAnomalies). Their lines are
   * numbered from `base` (a message's sequence × 1000).
   */
  private giveUp(a: AnomalyRuntime, units: readonly GivenUpUnit[], base: number, silent: boolean): void {
    const sequence = this.sequence;
    for (let k = 0; k < units.length; k++) {
      const u = units[k];
      const ts = new Date(u.deadline).toISOString();
      this.sequence = base + k; // distinct lines for units given up together
      if (!silent) {
        this.counters.anomalyIncomplete++;
        this.out.line(this.o.encoder.unjudged(a.config.id, u, ts, this.sequence));
      }
      const sig = this.holds.addUnjudged(a.config.id, u.unit, u.lots, ts);
      if (sig) this.signal(sig);
    }
    this.sequence = sequence;
  }

  /** The units a restore left to judge again (see restoreAnomalies). */
  judgeRestored(out: EffectSink): void {
    const units = this.rejudge;
    this.rejudge = [];
    for (const { a, unit } of units) { unit.silent = true; a.judging.push(unit); out.score(a, unit, true); }
  }

  /** A unit's score from its model: the anomaly point, its lines, and the holds or alarms it raises. */
  scored(a: AnomalyRuntime, unit: AssembledUnit, score: AnomalyScore, out: EffectSink, silent = false): void {
    if (!this.takeJudged(a, unit)) return;
    const p = anomalyPoint(a, unit, score);
    const place = { line: unit.line, station: unit.station };
    if (!silent) {
      this.counters.anomalyScored++;
      const tags: PointTags = { ...place, parameter: 'anomaly', chart: 'anomaly' };
      out.line(this.o.encoder.point(p, tags));
      if (p.violations.length) {
        this.counters.anomalyFlagged++;
        for (const l of this.o.encoder.violations(p, tags)) out.line(l);
      }
    }
    this.asVerdictOf(unit, out, silent, () => { for (const sig of this.holds.apply(p, place)) this.signal(sig); });
    this.onVerdict?.(a.config.id);
  }

  /** Takes a unit off its model's awaited verdicts; false when it is not awaited (judged before a restore of its partition, which judges it again). */
  private takeJudged(a: AnomalyRuntime, unit: AssembledUnit): boolean {
    const k = a.judging.indexOf(unit);
    if (k < 0) return false;
    a.judging.splice(k, 1);
    return true;
  }

  /**
   * Signals of a unit's verdict, whenever it comes: on its unit's clock and line timestamps (as in
   * the first pass), silent in a replay; the message being processed keeps its own after.
   */
  private asVerdictOf(unit: AssembledUnit, out: EffectSink, silent: boolean, signals: () => void): void {
    const [now, sequence] = [this.now, this.sequence];
    this.out = out;
    this.silent = silent;
    this.alarms.counting = !silent;
    this.now = unit.at;
    this.sequence = unit.seq;
    signals();
    this.now = now;
    this.sequence = sequence;
  }

  /** The line a characteristic or anomaly model is fixed to by its match, if any. */
  lineOf(id: string): string | undefined {
    return this.configs.get(id)?.match?.line ?? this.o.anomalies?.find((a) => a.config.id === id)?.config.match?.line;
  }

  /** Verdicts still awaited of the selected models: all of them, or only those of a replay (`silent`). */
  verdictsPending(include: (id: string) => boolean, silentOnly = false): number {
    let n = 0;
    for (const a of this.o.anomalies ?? []) if (include(a.config.id)) for (const u of a.judging) if (!silentOnly || u.silent) n++;
    for (const r of this.rejudge) if (include(r.a.config.id)) n++;
    return n;
  }

  /** How many of a model's verdicts are in (its judged units minus those still awaited); undefined for a characteristic. */
  verdictsIn(model: string): number | undefined {
    const a = this.o.anomalies?.find((x) => x.config.id === model);
    return a && a.index - this.verdictsPending((id) => id === model);
  }

  /**
   * The stream's time now, for timers: the latest message's stored time plus the time since it was
   * processed. A worker catching up hours behind the stream then ticks on the stream's clock — the
   * raises and checks done it compares with — not on the wall clock (which ended floods over and
   * over, and made checks done on time overdue).
   */
  streamTime(now: number): number {
    return this.lastStoredAt ? this.lastStoredAt + Math.max(0, now - this.lastProcessedAt) : now;
  }

  /**
   * A unit that could not be scored (the thread failed or timed out): no longer waited for, and
   * not judged — but made while the model's hold is active, it joins the hold (a hold must not
   * name too few units because a verdict failed).
   */
  notScored(a: AnomalyRuntime, unit: AssembledUnit, out?: EffectSink, silent = false): void {
    if (!this.takeJudged(a, unit)) return;
    const sig = out && this.holds.addSuspect({
      type: 'point', characteristic: a.config.id, index: unit.index, phase: 'II', ts: unit.ts, statistic: NaN, center: 0, ucl: a.card.thresholds.score, lcl: 0,
      violations: [], actions: [], units: [unit.unit], lots: unit.lots,
    });
    if (sig) this.asVerdictOf(unit, out!, silent, () => this.signal(sig));
    this.onVerdict?.(a.config.id);
  }

  /** Where the selected anomaly models stand, for a snapshot (see AnomalyModelSnapshot). */
  saveAnomalies(include: (id: string) => boolean): Record<string, AnomalyModelSnapshot> {
    const out: Record<string, AnomalyModelSnapshot> = {};
    for (const a of this.o.anomalies ?? []) {
      if (!include(a.config.id)) continue;
      // Units restored and not yet sent to be scored come first (a snapshot right after a take-over keeps them).
      const units = [...this.rejudge.filter((r) => r.a === a).map((r) => r.unit), ...a.judging];
      const judging = units.map((u) => ({ unit: u.unit, values: packNumbers(u.values), lots: [...u.lots], line: u.line, station: u.station, ts: u.ts, index: u.index, at: u.at, seq: u.seq }));
      out[a.config.id] = { features: [...a.card.features], model: a.card.onnx?.sha256, index: a.index, open: a.assembler.saveOpen(), judging };
    }
    return out;
  }

  /**
   * Replaces the selected models' state by a snapshot's: their point index (hold ids), the units
   * collecting features, and the units complete but unjudged then — their verdicts went out
   * before the snapshot was saved, so they are judged again silently, only to rebuild the holds.
   */
  restoreAnomalies(snap: Record<string, AnomalyModelSnapshot> | undefined, include: (id: string) => boolean): string[] {
    this.rejudge = this.rejudge.filter((r) => !include(r.a.config.id));
    const replaced: string[] = [];
    for (const a of this.o.anomalies ?? []) {
      if (!include(a.config.id)) continue;
      const s = snap?.[a.config.id];
      const usable = s && s.features.length === a.card.features.length && s.features.every((f, j) => f === a.card.features[j]) ? s : undefined;
      // The index (hold ids) goes on even when the units cannot (a model retrained with other
      // features, a snapshot without models): never below an id the hold book has seen, or the
      // model's active hold stops naming units and a released id is never raised again.
      a.index = Math.max(s?.index ?? 0, this.holds.lastIndexOf(a.config.id));
      if (s?.model && s.model !== a.card.onnx?.sha256) replaced.push(a.config.id);
      a.judging = []; // verdicts still in flight from before are dropped (see scored)
      a.assembler.restoreOpen(usable?.open ?? []);
      for (const u of usable?.judging ?? []) this.rejudge.push({ a, unit: { unit: u.unit, values: Float64Array.from(unpackNumbers(u.values)), lots: [...u.lots], line: u.line, station: u.station, ts: u.ts, index: u.index, at: u.at, seq: u.seq ?? 0 } });
    }
    return replaced;
  }

  /** The limits that locked on this sample, after every Phase I point plotted: the review is complete then. */
  private flushLocked(): void {
    const locked = this.locked;
    this.locked = [];
    for (const { p, station } of locked) {
      const summary = this.engine.summaryOf(p.characteristic, p.split);
      if (summary && summary.center !== null && summary.sigma !== null) this.signal(this.lockedLimits(p, summary.center, summary.sigma, station, summary.phase1Review));
    }
  }

  /** A Phase I lock is limits version 1 of its series, with its review: to the line, the store and InfluxDB. */
  private lockedLimits(p: PointRecord, center: number, sigma: number, station: string, review: SummaryRecord['phase1Review']): LimitsSignal {
    const dropped = review?.revised?.dropped ?? [];
    const phase1 = this.phase1Of.get(p.characteristic);
    // The version records every point left out: the rule file's exclusions and what the revision dropped.
    const excluded = [...new Set([...(phase1?.exclude ?? []), ...dropped])].sort((a, b) => a - b);
    const series = seriesId(p.characteristic, p.split);
    return {
      type: 'limits', id: `${series}@v1`, line: this.current!.line, station, characteristic: p.characteristic, ...(p.split ? { split: p.split } : {}),
      version: 1, kind: 'phase1', center, sigma, points: phase1?.points ?? 0, excluded, ...(review ? { review } : {}), ts: p.ts,
    };
  }

  /** Time passes for the manual checks: those now overdue raise their alarm or hold. */
  tickChecks(wallNow: number, out: EffectSink, owns: (line: string) => boolean): void {
    if (!this.checks) return;
    const now = this.streamTime(wallNow);
    // Only this worker's lines: with several workers, each raises the overdue checks of the lines it owns.
    const events = this.checks.tick(now, owns);
    if (!events.length) return;
    this.live(out, now);
    this.checkEvents(events);
  }

  /**
   * An overdue check raises an `overdue` alarm (or, where the rule file says so, a hold naming the
   * units made at the station since it was due), under its own key; doing the check clears the
   * alarm (a hold waits for its release: those units were made unchecked).
   */
  private checkEvents(events: readonly CheckEvent[]): void {
    for (const e of events) {
      const key = `check:${e.check.id}`;
      if (e.type === 'done') {
        const clear = this.holds.clearExternal(key, new Date(e.at).toISOString());
        if (clear) this.signal(clear);
        continue;
      }
      const ts = new Date(e.at).toISOString();
      const sig = this.holds.raiseExternal(key, {
        id: `${e.check.characteristic}#check-${e.check.id}-${e.at}`, line: e.check.line, station: e.check.station, characteristic: e.check.characteristic,
        rule: 'overdue', rules: ['overdue'], statistic: 0, center: 0, ucl: 0, lcl: 0, firstIndex: 0, lastIndex: 0, ts, updated: ts,
      }, e.check.overdue, e.units);
      if (sig) this.signal(sig);
    }
  }

  /** Approved limits (an operator action) take effect now: engine, line, store and InfluxDB. */
  limitsApplied(sig: LimitsSignal, out: EffectSink): void {
    this.engine.applyLimits(sig.characteristic, sig.split, { center: sig.center, sigma: sig.sigma }, sig.version);
    this.live(out, Date.now());
    this.signal(sig);
  }

  /** A release decided elsewhere (an operator action), through the alarm lifecycle to the line and the store. */
  released(r: Signal, out: EffectSink): void {
    this.engine.released(r.characteristic, r.type === 'release' ? r.split : undefined);
    this.live(out, Date.now());
    this.signal(r);
  }

  /** Applies edited rules without losing the windows of unchanged characteristics (hot reload). */
  reload(rules: RuleSetConfig): { kept: string[]; started: string[]; removed: string[] } {
    this.index(rules);
    return this.engine.reload(rules);
  }

  /** Chart type and spec limits by characteristic id: the time-series tags and fields of its points. */
  private index(rules: RuleSetConfig): void {
    this.seriesOf.clear(); this.phase1Of.clear();
    for (const c of rules.characteristics) if ('phase1' in c.limits) this.phase1Of.set(c.id, { points: c.limits.phase1, exclude: c.limits.exclude ?? [] });
    this.configs = new Map(rules.characteristics.map((c) => [c.id, c]));
    if (rules.checks?.length) { if (this.checks) this.checks.reload(rules.checks, Date.now()); else this.checks = new CheckSchedule(rules.checks, Date.now()); } else this.checks = undefined;
    const loop = new ClosedLoop(rules.closedLoop);
    this.closedLoop = loop;
    this.holds.planOf = (characteristic, rule) => (loop.has(characteristic) ? loop.planFor(characteristic, rule) : undefined);
    const configs = this.configs;
    this.alarms.priorityOf = (characteristic, rule) => configs.get(characteristic)?.priority?.[rule as RuleName];
    this.holds.clearAfterOf = (characteristic) => configs.get(characteristic)?.clearAfter;
    for (const c of rules.characteristics) {
      this.seriesOf.set(c.id, { chart: c.chart.type, lsl: c.spec?.lsl, usl: c.spec?.usl, splitTags: c.lowCardinality && new Set(c.lowCardinality) });
    }
  }

  private onPoint(p: PointRecord): void {
    const s = this.current!;
    this.counters.points++;
    const place = { line: s.line, station: s.station };
    if (!this.silent) {
      const series = this.seriesOf.get(p.characteristic);
      const splitTags = p.split ? series?.splitTags : undefined;
      // Written field by field, not spread: spreading objects of varying shape was 4% of the worker's CPU.
      const tags: PointTags = { line: s.line, station: s.station, parameter: s.parameter, chart: series?.chart ?? 'unknown', lsl: series?.lsl, usl: series?.usl, splitTags };
      const enc = this.o.encoder;
      this.out.line(enc.point(p, tags));
      if (p.phase === 'I' && p.index === 1) { // limits just locked: record the capability they imply
        const summary = this.engine.summaryOf(p.characteristic, p.split);
        const line = summary && enc.capability(p.characteristic, { ...place, splitTags }, summary, s.ts, p.seq ?? 0);
        if (line) this.out.line(line);
        this.locked.push({ p, station: place.station });
      }
      if (p.violations.length) for (const l of enc.violations(p, tags)) this.out.line(l);
      this.out.point(p, s.line, s.station);
    }
    for (const sig of this.holds.apply(p, place)) this.signal(sig);
  }

  /** A signal from the hold book: alarms pass through the lifecycle (dedupe, shelving, floods) first. */
  private signal(raw: Signal): void {
    for (const sig of this.alarms.onSignal(raw, this.now)) this.emit(sig);
  }

  /**
   * Time passes for the alarm lifecycle: expired shelving ends, and floods whose rate has fallen
   * end (their clear and the suppressed alarms still active go out, and to the store and InfluxDB
   * like any signal).
   */
  tickAlarms(wallNow: number, out: EffectSink): void {
    const now = this.streamTime(wallNow);
    const due = this.alarms.tick(now, new Date(now).toISOString());
    if (!due.length) return;
    this.live(out, now);
    for (const sig of due) this.emit(sig);
  }

  /**
   * Time passes for the anomaly models `include` selects (those whose lines this worker vouches
   * for): units overdue on the stream's clock are given up now, not when the next message comes —
   * on a quiet line the last units would wait for the next shift. Only for a stream with nothing
   * left to deliver (the caller's check): features still in a backlog are not missing. A unit the
   * tick gives up would have been given up by the next message, and a replay does exactly that.
   */
  tickAnomalies(wallNow: number, out: EffectSink, include: (id: string) => boolean): void {
    const now = this.streamTime(wallNow);
    for (const a of this.o.anomalies ?? []) {
      if (!include(a.config.id)) continue;
      const given = a.assembler.expire(now);
      if (!given.length) continue;
      this.live(out, now);
      // After the last message's lines: its own given-up units (numbered from its base) expired before these.
      this.giveUp(a, given, this.sequence - (this.sequence % 1000) + 500, false);
    }
  }

  private emit(sig: LifecycleSignal): void {
    if (this.silent) return; // replaying: the lifecycle follows, the signal was sent before the restart
    this.counters.signals++;
    if (sig.type === 'hold' && sig.rev === 1) this.holdsRaisedBy.set(sig.characteristic, (this.holdsRaisedBy.get(sig.characteristic) ?? 0) + 1);
    this.out.signal(sig);
    if (sig.type === 'alarm-state') return;
    if (this.o.trace) this.out.storeSignal(sig);
    this.out.line(this.o.encoder.signal(sig, this.sequence));
  }

  /** Effects of something happening now, not replayed (a timer, an operator action): sent, at this clock. */
  private live(out: EffectSink, now: number): void {
    this.out = out;
    this.silent = false;
    this.alarms.counting = true;
    this.now = now;
  }

  /** A bad item of the message being processed; the message gets one dead letter for all of them. */
  private fault(reason: DeadLetterReason, detail: string, item: number | undefined): void {
    (this.faults ??= new MessageFaults()).add(reason, detail, item);
  }

  /** One dead letter for a bad message, its payload as it came. */
  private deadLetter(m: SampleMessage, faults: MessageFaults): void {
    const f = faults.summary();
    for (const [reason, n] of Object.entries(f.counts)) this.counters.deadLetters[reason as DeadLetterReason] = (this.counters.deadLetters[reason as DeadLetterReason] ?? 0) + n;
    this.counters.deadLetterMessages++;
    this.out.deadLetter({ reason: f.reason, detail: f.detail, subject: m.subject, streamSequence: m.seq, items: f.items, counts: f.counts }, m.data);
  }
}
