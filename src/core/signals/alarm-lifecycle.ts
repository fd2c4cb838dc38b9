import type { AlarmClearSignal, AlarmSignal, AlarmView, Signal } from './signal.js';
// A characteristic's (split's) first alarm in a flood is counted by the series its id names.
import { seriesOfId } from '../engine/series.js';

/**
 * Alarm states after ISA-18.2 / OPC UA Part 9 (Alarms & Conditions): an alarm is active or
 * cleared, and acknowledged or not; closed once cleared and acknowledged. Shelved alarms
 * (by a quality user, until an expiry) and suppressed ones (flood control) notify nobody but are
 * recorded and listed.
 */
export type AlarmState = 'active-unacknowledged' | 'active-acknowledged' | 'cleared-unacknowledged' | 'closed' | 'shelved' | 'suppressed';

export interface AlarmRecord {
  id: string;
  line: string;
  station: string;
  characteristic: string;
  state: AlarmState;
  /** Whether the condition is still present (a later point without an alarm action clears it). */
  active: boolean;
  acknowledgedBy?: string;
  shelvedBy?: string;
  /** Shelved until (ms since epoch). */
  shelvedUntil?: number;
  raisedAt: string;
  /** The rule that raised it (its reaction plan depends on it). */
  rule?: string;
  /** `high` when the rule file marks its rule so: never suppressed in a flood. */
  priority?: 'high';
  /** A flood alarm: how many alarms it has suppressed so far. */
  suppressed?: number;
}

/** An alarm's state changed: sent to screens like any signal. */
export interface AlarmStateSignal { type: 'alarm-state'; id: string; line: string; station: string; characteristic: string; state: AlarmState; by?: string; ts: string }

/**
 * Flood control after ANSI/ISA-18.2-2016 §3.1 and §11 (alarm flood: more alarms than an operator
 * can handle; the recommended performance target is at most 10 alarms per operator in 10 minutes)
 * and EEMUA 191 (3rd ed., 2013) §6 — and, as ISA-TR18.2.5 and Hollifield & Habibi (*The Alarm
 * Management Handbook*, 2nd ed.) use it: a flood begins when more than 10 alarms arrive in 10
 * minutes and ends when the rate falls below 5 in 10 minutes. One line is one operator's area here.
 */
export interface FloodOptions {
  /** More new alarms than this on one line within `windowMs` begins a flood; default 10. */
  maxAlarms: number;
  /** Default 10 minutes. */
  windowMs: number;
  /** The flood ends when fewer new alarms than this arrived within `windowMs`; default maxAlarms / 2 (5). */
  endBelow?: number;
}

export type LifecycleSignal = Signal | AlarmStateSignal;

/** A flood as its alarm and the snapshots carry it. */
export interface FloodRecord {
  id: string;
  /** New alarms within the window when it began. */
  alarms: number;
  /** Alarms suppressed so far (recorded, state `suppressed`, not sent). */
  suppressed: number;
  /** Series (characteristic or split) whose first alarm in this flood went out. */
  sent: string[];
  startedAt: number;
}

/** What a snapshot keeps of the alarm lifecycle for some lines. */
export interface AlarmLifecycleSnapshot {
  alarms: AlarmRecord[];
  raisedTimes: Record<string, number[]>;
  floods: Record<string, FloodRecord | { id: string; suppressed: number }>;
}

/** A rule's priority in the rule file (`priority: { we1: high }`): high-priority alarms are never suppressed. */
export type AlarmPriority = 'high' | 'normal';

/** A flood in progress; its count of suppressed alarms lives on its alarm record (the API shows it there). */
interface Flood { record: AlarmRecord; alarms: number; sent: Set<string>; startedAt: number }


/**
 * Tracks alarm states, deduplicates (one alarm per characteristic while it is not closed) and
 * controls floods without hiding what matters (ISA-18.2's "never suppress a critical alarm"):
 * - past `maxAlarms` new alarms on a line within `windowMs` a flood begins, announced by one
 *   `flood:<line>` alarm;
 * - during the flood each characteristic's (split's) first alarm still goes out, and so does any
 *   alarm whose rule is `priority: high`; the rest are suppressed: recorded with state
 *   `suppressed` (the API lists them, the flood alarm and /metrics count them), not sent;
 * - a suppressed alarm that clears sends nothing (no client ever gets `alarm-clear` for an alarm
 *   it was not sent); one still active when the flood ends is announced then, whole;
 * - the flood ends on its own when fewer than `endBelow` new alarms arrived within the window:
 *   its alarm clears, saying why and how many it suppressed.
 * Pure: the caller passes the time.
 */
export class AlarmLifecycle {
  private readonly alarms = new Map<string, AlarmRecord>();
  private readonly raisedTimes = new Map<string, number[]>();
  private readonly floods = new Map<string, Flood>();
  private readonly endBelow: number;
  /** Alarms suppressed since start (/metrics). */
  suppressedTotal = 0;
  /** New alarms (sent or suppressed, not flood alarms) by characteristic since start: ISA-18.2's alarm-rate KPI per source (/metrics). */
  readonly raisedBy = new Map<string, number>();
  /** Whether raises count toward raisedBy and suppressedTotal (not while a replay re-raises them). */
  counting = true;
  /** A rule's priority for a characteristic (set from the rule set; absent = normal). */
  priorityOf: ((characteristic: string, rule: string) => AlarmPriority | undefined) | undefined;
  /** The whole of an active alarm as a first message (the hold book's), for one that was suppressed. */
  announce: ((id: string) => AlarmSignal | undefined) | undefined;

  constructor(private readonly flood: FloodOptions = { maxAlarms: 10, windowMs: 600_000 }) {
    this.endBelow = flood.endBelow ?? Math.max(1, Math.floor(flood.maxAlarms / 2));
  }

  /** Filters alarm signals from the hold book through the lifecycle; other signals pass unchanged. */
  onSignal(s: Signal, now: number): LifecycleSignal[] {
    if (s.type === 'alarm') return this.raise(s, now);
    if (s.type === 'alarm-clear') return this.clear(s);
    return [s];
  }

  private raise(s: AlarmSignal, now: number): LifecycleSignal[] {
    const known = this.alarms.get(s.id);
    if (known) {
      known.active = true;
      if (known.state === 'shelved' || known.state === 'suppressed') return [];
      return [known.priority ? { ...s, priority: known.priority } : s]; // an update of a live alarm
    }
    // A flood whose rate has fallen ends before this alarm counts (replays and backtests never tick).
    const out: LifecycleSignal[] = this.floods.has(s.line) ? this.endFloods(now, s.ts) : [];
    const times = this.recentTimes(s.line, now);
    times.push(now);
    if (this.counting) this.raisedBy.set(s.characteristic, (this.raisedBy.get(s.characteristic) ?? 0) + 1);
    const priority = this.priorityOf?.(s.characteristic, s.rule);
    const record: AlarmRecord = { id: s.id, line: s.line, station: s.station, characteristic: s.characteristic, state: 'active-unacknowledged', active: true, raisedAt: s.ts, rule: s.rule, ...(priority === 'high' ? { priority } : {}) };
    this.alarms.set(s.id, record);
    let flood = this.floods.get(s.line);
    if (!flood && times.length > this.flood.maxAlarms) {
      flood = this.beginFlood(s, times.length, now);
      out.push(this.floodSignal(s, flood));
    }
    const sent = priority === 'high' ? { ...s, priority } : s;
    if (!flood) { out.push(sent); return out; }
    const series = seriesOfId(s.id);
    if (priority === 'high' || !flood.sent.has(series)) {
      flood.sent.add(series);
      out.push(sent);
      return out;
    }
    record.state = 'suppressed';
    flood.record.suppressed = (flood.record.suppressed ?? 0) + 1;
    if (this.counting) this.suppressedTotal++;
    return out;
  }

  private beginFlood(s: AlarmSignal, alarms: number, now: number): Flood {
    // A new id per flood: a line floods again while the last flood's alarm awaits acknowledgement.
    const id = `flood:${s.line}#${now}`;
    const record: AlarmRecord = { id, line: s.line, station: '*', characteristic: '*', state: 'active-unacknowledged', active: true, raisedAt: s.ts, rule: s.rule, suppressed: 0 };
    const flood: Flood = { record, alarms, sent: new Set(), startedAt: now };
    this.floods.set(s.line, flood);
    this.alarms.set(id, record);
    return flood;
  }

  private floodSignal(s: AlarmSignal, f: Flood): AlarmSignal {
    return { ...s, id: f.record.id, station: '*', characteristic: '*', rule: s.rule, rules: [], rev: 1, units: [], added: [], unitCount: 0, lots: [], flood: { alarms: f.alarms, windowMs: this.flood.windowMs, endBelow: this.endBelow } };
  }

  /** New-alarm times of a line within the window (older ones dropped). */
  private recentTimes(line: string, now: number): number[] {
    const all = this.raisedTimes.get(line);
    const times = (all ?? []).filter((t) => now - t < this.flood.windowMs);
    this.raisedTimes.set(line, times);
    return times;
  }

  private clear(s: AlarmClearSignal): LifecycleSignal[] {
    const a = this.alarms.get(s.id);
    if (!a) return [s];
    a.active = false;
    if (a.state === 'suppressed') { a.state = 'closed'; this.alarms.delete(a.id); return []; } // it was never sent
    if (a.state === 'active-unacknowledged') a.state = 'cleared-unacknowledged';
    else if (a.state === 'active-acknowledged') { a.state = 'closed'; this.alarms.delete(a.id); }
    else if (a.state === 'shelved') return [];
    return [s, this.stateSignal(a, s.ts)];
  }

  /**
   * Ends floods whose rate fell below `endBelow` in the window: the flood alarm clears (with its
   * count of suppressed alarms) and suppressed alarms still active are announced whole.
   */
  private endFloods(now: number, ts: string): LifecycleSignal[] {
    const out: LifecycleSignal[] = [];
    for (const [line, f] of [...this.floods]) {
      if (this.recentTimes(line, now).length >= this.endBelow) continue;
      this.floods.delete(line);
      const a = f.record;
      a.active = false;
      const ended = `fewer than ${this.endBelow} new alarms in ${Math.round(this.flood.windowMs / 60_000)} min`;
      out.push({ type: 'alarm-clear', id: a.id, line, station: '*', characteristic: '*', ts, flood: { alarms: f.alarms, suppressed: a.suppressed ?? 0, windowMs: this.flood.windowMs, ended } });
      if (a.state === 'active-acknowledged') { a.state = 'closed'; this.alarms.delete(a.id); } else a.state = 'cleared-unacknowledged';
      out.push(this.stateSignal(a, ts));
      for (const r of [...this.alarms.values()]) {
        if (r.line !== line || r.state !== 'suppressed') continue;
        r.state = 'active-unacknowledged';
        const whole = this.announce?.(r.id);
        if (whole) out.push({ ...whole, ...(r.priority ? { priority: r.priority } : {}) });
        else out.push(this.stateSignal(r, ts));
      }
    }
    return out;
  }

  /** Alarm records, flood counts and recent raise times of the selected lines, for a snapshot. */
  saveState(includeLine: (line: string) => boolean): AlarmLifecycleSnapshot {
    const snap: AlarmLifecycleSnapshot = { alarms: [], raisedTimes: {}, floods: {} };
    for (const a of this.alarms.values()) if (includeLine(a.line)) snap.alarms.push({ ...a });
    for (const [line, t] of this.raisedTimes) if (includeLine(line)) snap.raisedTimes[line] = [...t];
    for (const [line, f] of this.floods) if (includeLine(line)) snap.floods[line] = { id: f.record.id, alarms: f.alarms, suppressed: f.record.suppressed ?? 0, sent: [...f.sent], startedAt: f.startedAt };
    return snap;
  }

  /** Replaces the selected lines' alarm states by the snapshot's (none when absent). */
  restoreState(snap: AlarmLifecycleSnapshot | undefined, includeLine: (line: string) => boolean): void {
    for (const [id, a] of [...this.alarms]) if (includeLine(a.line)) this.alarms.delete(id);
    for (const line of [...this.raisedTimes.keys()]) if (includeLine(line)) this.raisedTimes.delete(line);
    for (const line of [...this.floods.keys()]) if (includeLine(line)) this.floods.delete(line);
    if (!snap) return;
    for (const a of snap.alarms) this.alarms.set(a.id, { ...a });
    for (const [line, t] of Object.entries(snap.raisedTimes)) this.raisedTimes.set(line, [...t]);
    for (const [line, f] of Object.entries(snap.floods)) {
      const record = this.alarms.get(f.id);
      // Snapshots before flood records kept only id and count.
      const full = 'sent' in f ? f : { ...f, alarms: this.flood.maxAlarms + 1, sent: [], startedAt: 0 };
      if (!record) continue;
      record.suppressed ??= full.suppressed;
      this.floods.set(line, { record, alarms: full.alarms, sent: new Set(full.sent), startedAt: full.startedAt });
    }
  }

  /** Operator or quality acknowledgement. */
  acknowledge(id: string, by: string, ts: string): AlarmStateSignal | string {
    const a = this.alarms.get(id);
    if (!a) return `no alarm ${id}`;
    if (a.state === 'active-unacknowledged') a.state = 'active-acknowledged';
    else if (a.state === 'cleared-unacknowledged') { a.state = 'closed'; this.alarms.delete(id); }
    else return `alarm ${id} is ${a.state}; only unacknowledged alarms can be acknowledged`;
    a.acknowledgedBy = by;
    return this.stateSignal(a, ts, by);
  }

  /** Quality: silence an alarm until `untilMs`. */
  shelve(id: string, by: string, untilMs: number, ts: string): AlarmStateSignal | string {
    const a = this.alarms.get(id);
    if (!a || a.state === 'closed') return `no open alarm ${id}`;
    a.state = 'shelved';
    a.shelvedBy = by;
    a.shelvedUntil = untilMs;
    return this.stateSignal(a, ts, by);
  }

  /**
   * Ends expired shelving (the alarm comes back unacknowledged if its condition is still present)
   * and floods whose rate has fallen (see endFloods).
   */
  tick(now: number, ts: string): LifecycleSignal[] {
    const out: LifecycleSignal[] = this.floods.size ? this.endFloods(now, ts) : [];
    for (const a of this.alarms.values()) {
      if (a.state !== 'shelved' || (a.shelvedUntil ?? 0) > now) continue;
      a.state = a.active ? 'active-unacknowledged' : 'closed';
      if (a.state === 'closed') this.alarms.delete(a.id);
      out.push(this.stateSignal(a, ts));
    }
    return out;
  }

  get(id: string): AlarmRecord | undefined { return this.alarms.get(id); }

  /** The flood alarms of lines in a flood now, as a snapshot lists active alarms (they name no units). */
  floodViews(lines?: readonly string[]): AlarmView[] {
    const out: AlarmView[] = [];
    for (const [line, f] of this.floods) {
      if (lines && !lines.includes(line)) continue;
      const r = f.record;
      out.push({
        type: 'alarm', action: 'alarm', id: r.id, line, station: '*', characteristic: '*', rule: (r.rule ?? 'we1') as AlarmView['rule'], rules: [],
        statistic: 0, center: 0, ucl: 0, lcl: 0, firstIndex: 0, lastIndex: 0, ts: r.raisedAt, updated: r.raisedAt,
        rev: 1, unitCount: 0, lots: [], units: [], unitsComplete: true,
        flood: { alarms: f.alarms, windowMs: this.flood.windowMs, endBelow: this.endBelow },
      });
    }
    return out;
  }

  /** Alarms that are not closed, optionally of some lines only. */
  open(lines?: readonly string[]): AlarmRecord[] {
    return [...this.alarms.values()].filter((a) => !lines || lines.includes(a.line));
  }

  private stateSignal(a: AlarmRecord, ts: string, by?: string): AlarmStateSignal {
    return { type: 'alarm-state', id: a.id, line: a.line, station: a.station, characteristic: a.characteristic, state: a.state, ...(by ? { by } : {}), ts };
  }
}
