import type { CheckConfig } from '../config.js';

/** Where a check stands: when it is next due, and whether it is overdue now. */
export interface CheckStatus {
  id: string;
  characteristic: string;
  line: string;
  station: string;
  /** Time checks and shift checks: when it is due (ms since epoch). */
  dueAt?: number;
  /** Unit checks: units made at the station since it was last done, and how many make it due. */
  unitsSince?: number;
  everyUnits?: number;
  due: boolean;
  overdue: boolean;
  lastDoneAt?: number;
}

/** What changed for the line: a check went overdue (with the units made since it was due), or was done after being overdue. */
export type CheckEvent =
  | { type: 'overdue'; check: CheckConfig; at: number; dueAt?: number; units: readonly string[] }
  | { type: 'done'; check: CheckConfig; at: number; onTime: boolean; wasOverdue: boolean };

/** Most units remembered per check while it is due: the suspects an overdue hold names. */
const MAX_UNITS = 10_000;
const DAY = 86_400_000;

interface State { lastDoneAt: number; unitsSince: number; units: string[]; overdue: boolean }

/** The next shift start strictly after `after` (UTC "HH:MM" times of day). */
export function nextShiftStart(starts: readonly string[], after: number): number {
  const midnight = Math.floor(after / DAY) * DAY;
  let best = Infinity;
  for (const day of [0, 1]) {
    for (const s of starts) {
      const [h, m] = s.split(':').map(Number);
      const t = midnight + day * DAY + (h * 60 + m) * 60_000;
      if (t > after && t < best) best = t;
    }
  }
  return best;
}

/**
 * The schedule of manual checks. Pure: the caller passes the time (`now`, ms) and the units made
 * at each station, so tests drive it with a clock of their own.
 *  - a time check is due `everyMs` after it was last done (or after the schedule started);
 *  - a unit check is due once `everyUnits` units were made at its station since it was last done;
 *  - a shift check is due at each shift start after it was last done;
 * and overdue `graceMs` (or `graceUnits`) later. Each overdue check is reported once, until done.
 */
export class CheckSchedule {
  private readonly state = new Map<string, State>();
  private byStation = new Map<string, CheckConfig[]>();
  private checks: CheckConfig[] = [];

  constructor(checks: readonly CheckConfig[], now: number) { this.reload(checks, now); }

  /** New rules: checks kept by id keep their state; new ones start now. */
  reload(checks: readonly CheckConfig[], now: number): void {
    this.checks = [...checks];
    this.byStation = new Map();
    for (const c of checks) {
      const key = `${c.line}\u001f${c.station}`;
      (this.byStation.get(key) ?? this.byStation.set(key, []).get(key)!).push(c);
      if (!this.state.has(c.id)) this.state.set(c.id, { lastDoneAt: now, unitsSince: 0, units: [], overdue: false });
    }
    for (const id of [...this.state.keys()]) if (!checks.some((c) => c.id === id)) this.state.delete(id);
  }

  get(id: string): CheckConfig | undefined { return this.checks.find((c) => c.id === id); }

  private dueAt(c: CheckConfig, s: State): number | undefined {
    if (c.everyMs !== undefined) return s.lastDoneAt + c.everyMs;
    if (c.shiftStarts) return nextShiftStart(c.shiftStarts, s.lastDoneAt);
    return undefined;
  }

  private isDue(c: CheckConfig, s: State, now: number): boolean {
    if (c.everyUnits !== undefined) return s.unitsSince >= c.everyUnits;
    return now >= (this.dueAt(c, s) as number);
  }

  private isOverdue(c: CheckConfig, s: State, now: number): boolean {
    if (c.everyUnits !== undefined) return s.unitsSince >= c.everyUnits + c.graceUnits;
    return now >= (this.dueAt(c, s) as number) + c.graceMs;
  }

  /** A unit was made at a station (an automated sample): unit checks count it; due checks remember it. */
  unitMade(line: string, station: string, unit: string, now: number): CheckEvent[] {
    const checks = this.byStation.get(`${line}\u001f${station}`);
    if (!checks) return [];
    const out: CheckEvent[] = [];
    for (const c of checks) {
      const s = this.state.get(c.id)!;
      s.unitsSince++;
      if (this.isDue(c, s, now) && s.units.length < MAX_UNITS && s.units[s.units.length - 1] !== unit) s.units.push(unit);
      out.push(...this.overdueNow(c, s, now));
    }
    return out;
  }

  /** Time passes: checks that just went overdue. */
  tick(now: number, lines: (line: string) => boolean = () => true): CheckEvent[] {
    const out: CheckEvent[] = [];
    for (const c of this.checks) if (lines(c.line)) out.push(...this.overdueNow(c, this.state.get(c.id)!, now));
    return out;
  }

  private overdueNow(c: CheckConfig, s: State, now: number): CheckEvent[] {
    if (s.overdue || !this.isOverdue(c, s, now)) return [];
    s.overdue = true;
    return [{ type: 'overdue', check: c, at: now, dueAt: this.dueAt(c, s), units: [...s.units] }];
  }

  /** The check was done (its entries accepted): on time unless it was overdue. */
  done(id: string, now: number): CheckEvent | undefined {
    const c = this.get(id), s = this.state.get(id);
    if (!c || !s) return undefined;
    const wasOverdue = s.overdue || this.isOverdue(c, s, now);
    s.lastDoneAt = now; s.unitsSince = 0; s.units = []; s.overdue = false;
    return { type: 'done', check: c, at: now, onTime: !wasOverdue, wasOverdue: s.overdue || wasOverdue };
  }

  status(now: number, lines?: readonly string[]): CheckStatus[] {
    return this.checks.filter((c) => !lines || lines.includes(c.line)).map((c) => {
      const s = this.state.get(c.id)!;
      const dueAt = this.dueAt(c, s);
      return {
        id: c.id, characteristic: c.characteristic, line: c.line, station: c.station,
        ...(dueAt !== undefined ? { dueAt } : { unitsSince: s.unitsSince, everyUnits: c.everyUnits }),
        due: this.isDue(c, s, now), overdue: s.overdue || this.isOverdue(c, s, now), lastDoneAt: s.lastDoneAt,
      };
    });
  }
}
