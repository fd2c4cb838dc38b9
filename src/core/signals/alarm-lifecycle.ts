import type { AlarmClearSignal, AlarmSignal, Signal } from './signal.js';

/**
 * Alarm states after ISA-18.2 / OPC UA Part 9 (Alarms & Conditions): an alarm is active or
 * cleared, and acknowledged or not; closed once cleared and acknowledged. Shelved alarms
 * (by a quality user, until an expiry) and suppressed ones (flood control) notify nobody.
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
}

/** An alarm's state changed: sent to screens like any signal. */
export interface AlarmStateSignal { type: 'alarm-state'; id: string; line: string; station: string; characteristic: string; state: AlarmState; by?: string; ts: string }

export interface FloodOptions {
  /** More new alarms than this on one line within `windowMs` is a flood; default 10. */
  maxAlarms: number;
  /** Default 10 minutes. */
  windowMs: number;
}

export type LifecycleSignal = Signal | AlarmStateSignal;

/** What a snapshot keeps of the alarm lifecycle for some lines. */
export interface AlarmLifecycleSnapshot {
  alarms: AlarmRecord[];
  raisedTimes: Record<string, number[]>;
  floods: Record<string, { id: string; suppressed: number }>;
}

/**
 * Tracks alarm states, deduplicates (one alarm per characteristic while it is not closed) and
 * controls floods: past `maxAlarms` new alarms on a line within `windowMs`, further new alarms are
 * suppressed and one `flood:<line>` alarm stands for them, counting them. Pure: the caller passes
 * the time.
 */
export class AlarmLifecycle {
  private readonly alarms = new Map<string, AlarmRecord>();
  private readonly raisedTimes = new Map<string, number[]>();
  private readonly floods = new Map<string, { record: AlarmRecord; suppressed: number }>();

  constructor(private readonly flood: FloodOptions = { maxAlarms: 10, windowMs: 600_000 }) {}

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
      return known.state === 'shelved' || known.state === 'suppressed' ? [] : [s]; // an update of a live alarm
    }
    const times = (this.raisedTimes.get(s.line) ?? []).filter((t) => now - t < this.flood.windowMs);
    times.push(now);
    this.raisedTimes.set(s.line, times);
    const record: AlarmRecord = { id: s.id, line: s.line, station: s.station, characteristic: s.characteristic, state: 'active-unacknowledged', active: true, raisedAt: s.ts, rule: s.rule };
    this.alarms.set(s.id, record);
    if (times.length <= this.flood.maxAlarms) return [s];
    record.state = 'suppressed';
    const flood = this.floods.get(s.line);
    if (flood) { flood.suppressed++; return []; }
    const id = `flood:${s.line}`;
    const floodRecord: AlarmRecord = { id, line: s.line, station: '*', characteristic: '*', state: 'active-unacknowledged', active: true, raisedAt: s.ts };
    this.floods.set(s.line, { record: floodRecord, suppressed: 1 });
    this.alarms.set(id, floodRecord);
    return [{ ...s, id, station: '*', characteristic: '*', rules: [], rev: 1, units: [], added: [], unitCount: 0, lots: [], flood: { alarms: times.length, windowMs: this.flood.windowMs } }];
  }

  private clear(s: AlarmClearSignal): LifecycleSignal[] {
    const a = this.alarms.get(s.id);
    if (!a) return [s];
    a.active = false;
    if (a.state === 'active-unacknowledged') a.state = 'cleared-unacknowledged';
    else if (a.state === 'active-acknowledged' || a.state === 'suppressed') { a.state = 'closed'; this.alarms.delete(a.id); }
    else if (a.state === 'shelved') return [];
    return [s, this.stateSignal(a, s.ts)];
  }

  /** Alarm records, flood counts and recent raise times of the selected lines, for a snapshot. */
  saveState(includeLine: (line: string) => boolean): AlarmLifecycleSnapshot {
    const snap: AlarmLifecycleSnapshot = { alarms: [], raisedTimes: {}, floods: {} };
    for (const a of this.alarms.values()) if (includeLine(a.line)) snap.alarms.push({ ...a });
    for (const [line, t] of this.raisedTimes) if (includeLine(line)) snap.raisedTimes[line] = [...t];
    for (const [line, f] of this.floods) if (includeLine(line)) snap.floods[line] = { id: f.record.id, suppressed: f.suppressed };
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
      if (record) this.floods.set(line, { record, suppressed: f.suppressed });
    }
  }

  /** Operator or quality acknowledgement. */
  acknowledge(id: string, by: string, ts: string): AlarmStateSignal | string {
    const a = this.alarms.get(id);
    if (!a) return `no alarm ${id}`;
    if (a.state === 'active-unacknowledged') a.state = 'active-acknowledged';
    else if (a.state === 'cleared-unacknowledged') { a.state = 'closed'; this.alarms.delete(id); }
    else return `alarm ${id} is ${a.state}; only unacknowledged alarms can be acknowledged`;
    if (a.id.startsWith('flood:')) this.floods.delete(a.line);
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

  /** Ends expired shelving: the alarm comes back unacknowledged if its condition is still present. */
  tick(now: number, ts: string): AlarmStateSignal[] {
    const out: AlarmStateSignal[] = [];
    for (const a of this.alarms.values()) {
      if (a.state !== 'shelved' || (a.shelvedUntil ?? 0) > now) continue;
      a.state = a.active ? 'active-unacknowledged' : 'closed';
      if (a.state === 'closed') this.alarms.delete(a.id);
      out.push(this.stateSignal(a, ts));
    }
    return out;
  }

  get(id: string): AlarmRecord | undefined { return this.alarms.get(id); }

  /** Alarms that are not closed, optionally of some lines only. */
  open(lines?: readonly string[]): AlarmRecord[] {
    return [...this.alarms.values()].filter((a) => !lines || lines.includes(a.line));
  }

  private stateSignal(a: AlarmRecord, ts: string, by?: string): AlarmStateSignal {
    return { type: 'alarm-state', id: a.id, line: a.line, station: a.station, characteristic: a.characteristic, state: a.state, ...(by ? { by } : {}), ts };
  }
}
