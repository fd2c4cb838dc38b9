import type { PointRecord } from '../engine/records.js';
import type { AlarmClearSignal, AlarmSignal, HoldSignal, ReleaseSignal, Signal } from './signal.js';

/** Where a point was measured: the engine's points know their characteristic, not the line. */
export interface PointPlace { line: string; station: string }

/** Most units one hold lists; beyond it the hold stands but its list stops growing. */
export const MAX_UNITS_PER_SIGNAL = 2_000;
/** Released hold ids remembered against replays (a bounded, oldest-first set). */
const MAX_REMEMBERED_RELEASES = 100_000;
/** The longest pattern of a rule: nelson7, 15 points in a row. */
const MAX_RUN = 15;

/** Hold and alarm ids are `<characteristic>#<point index>`. */
const characteristicOfId = (id: string) => id.slice(0, id.lastIndexOf('#'));

/** Separators of the recent-units string: ASCII unit and record separators, which ids never contain. */
const UNIT_SEP = '\u001f', POINT_SEP = '\u001e';

/**
 * A hold or alarm as it stands now: a snapshot is written after the commit it waits for, while
 * later points keep growing the live object's lists in place.
 */
const copyOf = <T extends HoldSignal | AlarmSignal>(s: T): T => ({ ...s, units: [...s.units], added: [...s.added], lots: [...s.lots], rules: [...s.rules] });

/** What a snapshot keeps of the hold book for some characteristics. */
export interface HoldBookSnapshot {
  holds: HoldSignal[];
  alarms: AlarmSignal[];
  /** Units of the latest points, one string per characteristic (parsing one string beats 15 arrays). */
  recent: Record<string, { units: string; at: number }>;
  released: string[];
}

function addAll(target: string[], more: readonly string[]): void {
  for (const x of more) if (target.length < MAX_UNITS_PER_SIGNAL && !target.includes(x)) target.push(x);
}

/**
 * The latched holds and active alarms of a line, as signals. Pure: points in, signals out.
 *
 * - A point with a `hold` action raises a hold for its characteristic naming the units of the
 *   violated pattern's points (`runUnits`); while it is active (not yet released) every later
 *   point of that characteristic adds its units and lots (the suspect window): the gateway gets
 *   the same id again with more units, so a run of violating points is one hold, not dozens.
 * - Holds stay latched until `release` (the caller checks who may release).
 * - An `alarm` action raises or extends an alarm the same way; the alarm clears on the next
 *   point of that characteristic without an alarm action.
 * - Ids are derived from the characteristic and point index, so replaying the same points
 *   cannot raise a second hold.
 */
export class HoldBook {
  /** Active holds by id. */
  private readonly holds = new Map<string, HoldSignal>();
  private readonly activeHoldByCharacteristic = new Map<string, HoldSignal>();
  /** Ids of released holds, newest last, so a replayed point cannot raise them again. */
  private readonly released = new Set<string>();
  /** The units of each characteristic's latest points, to name every point of a violated run. */
  private readonly recent = new Map<string, { units: (readonly string[])[]; at: number }>();
  private readonly alarms = new Map<string, AlarmSignal>();
  /** Restored recent units not unpacked yet (see restoreState). */
  private readonly packedRecent = new Map<string, { units: string; at: number }>();

  /**
   * Signals caused by one point. Call it for every point: while a hold is active, every later
   * unit of its characteristic is suspect and joins it (the suspect window runs until release).
   */
  apply(p: PointRecord, place: PointPlace): Signal[] {
    const out: Signal[] = [];
    this.remember(p);
    const active = this.activeHoldByCharacteristic.get(p.characteristic);
    if (active && p.index > active.lastIndex) {
      this.extend(active, p);
      out.push(active);
    } else if (!active && p.actions.includes('hold')) {
      const id = `${p.characteristic}#${p.index}`;
      if (!this.holds.has(id) && !this.released.has(id)) {
        const hold: HoldSignal = { ...this.base(p, place, id), type: 'hold', action: 'hold' };
        this.holds.set(id, hold);
        this.activeHoldByCharacteristic.set(p.characteristic, hold);
        out.push(hold);
      }
    }
    const alarm = this.alarms.get(p.characteristic);
    if (p.actions.includes('alarm')) {
      if (alarm) {
        if (p.index > alarm.lastIndex) { this.extend(alarm, p); out.push(alarm); }
      } else {
        const created: AlarmSignal = { ...this.base(p, place, `${p.characteristic}#${p.index}`), type: 'alarm', action: 'alarm' };
        this.alarms.set(p.characteristic, created);
        out.push(created);
      }
    } else if (alarm && p.index > alarm.lastIndex) {
      this.alarms.delete(p.characteristic);
      const clear: AlarmClearSignal = { type: 'alarm-clear', id: alarm.id, line: alarm.line, station: alarm.station, characteristic: alarm.characteristic, ts: p.ts };
      out.push(clear);
    }
    return out;
  }

  /** Releases an active hold; undefined when no such hold is active. */
  release(id: string, by: string, reason: string, ts: string): ReleaseSignal | undefined {
    const hold = this.holds.get(id);
    if (!hold) return undefined;
    this.activeHoldByCharacteristic.delete(hold.characteristic);
    this.holds.delete(id);
    this.released.add(id);
    if (this.released.size > MAX_REMEMBERED_RELEASES) this.released.delete(this.released.values().next().value as string);
    return { type: 'release', id, line: hold.line, station: hold.station, characteristic: hold.characteristic, units: hold.units, by, reason, ts };
  }

  /** Active holds, optionally only those of the given lines. */
  activeHolds(lines?: readonly string[]): HoldSignal[] {
    return [...this.activeHoldByCharacteristic.values()].filter((h) => !lines || lines.includes(h.line));
  }

  activeAlarms(lines?: readonly string[]): AlarmSignal[] {
    return [...this.alarms.values()].filter((a) => !lines || lines.includes(a.line));
  }

  hold(id: string): HoldSignal | undefined { return this.holds.get(id); }

  /** The active holds, alarms, recent units and released ids of the selected characteristics. */
  saveState(include: (characteristic: string) => boolean): HoldBookSnapshot {
    const snap: HoldBookSnapshot = { holds: [], alarms: [], recent: {}, released: [] };
    for (const h of this.activeHoldByCharacteristic.values()) if (include(h.characteristic)) snap.holds.push(copyOf(h));
    for (const a of this.alarms.values()) if (include(a.characteristic)) snap.alarms.push(copyOf(a));
    for (const [c, r] of this.recent) if (include(c)) snap.recent[c] = { units: r.units.map((u) => u.join(UNIT_SEP)).join(POINT_SEP), at: r.at };
    for (const [c, r] of this.packedRecent) if (include(c)) snap.recent[c] = r;
    for (const id of this.released) if (include(characteristicOfId(id))) snap.released.push(id);
    return snap;
  }

  /** Replaces what the selected characteristics have here by the snapshot's (nothing when absent); takes the snapshot's objects over. */
  restoreState(snap: HoldBookSnapshot | undefined, include: (characteristic: string) => boolean): void {
    for (const [id, h] of this.holds) if (include(h.characteristic)) { this.holds.delete(id); this.activeHoldByCharacteristic.delete(h.characteristic); }
    for (const c of [...this.alarms.keys()]) if (include(c)) this.alarms.delete(c);
    for (const c of [...this.recent.keys()]) if (include(c)) this.recent.delete(c);
    for (const c of [...this.packedRecent.keys()]) if (include(c)) this.packedRecent.delete(c);
    for (const id of [...this.released]) if (include(characteristicOfId(id))) this.released.delete(id);
    if (!snap) return;
    // The snapshot's objects become this book's: the caller hands over a freshly parsed snapshot.
    for (const hold of snap.holds) { this.holds.set(hold.id, hold); this.activeHoldByCharacteristic.set(hold.characteristic, hold); }
    for (const a of snap.alarms) this.alarms.set(a.characteristic, a);
    // Kept packed until the characteristic's next point: unpacking 100,000 of them would delay a take-over.
    for (const [c, r] of Object.entries(snap.recent)) this.packedRecent.set(c, r);
    for (const id of snap.released) this.released.add(id);
  }

  /** Keeps the point's units; on a point spanning a run, names the units of the whole run. */
  private remember(p: PointRecord): void {
    let r = this.recent.get(p.characteristic);
    if (!r) {
      const packed = this.packedRecent.get(p.characteristic);
      if (packed) this.packedRecent.delete(p.characteristic);
      r = packed ? { units: packed.units.split(POINT_SEP).map((u) => (u ? u.split(UNIT_SEP) : [])), at: packed.at } : { units: new Array<readonly string[]>(MAX_RUN).fill([]), at: 0 };
      this.recent.set(p.characteristic, r);
    }
    r.at = (r.at + 1) % MAX_RUN;
    r.units[r.at] = p.units;
    if (p.runLength && p.runLength > 1 && !p.runUnits) {
      const out: string[] = [];
      for (let k = Math.min(p.runLength, MAX_RUN) - 1; k >= 0; k--) for (const u of r.units[(r.at - k + MAX_RUN) % MAX_RUN]) if (!out.includes(u)) out.push(u);
      p.runUnits = out;
    }
  }

  private base(p: PointRecord, place: PointPlace, id: string) {
    const holdRules = p.violations;
    return {
      id, line: place.line, station: place.station, characteristic: p.characteristic,
      rule: holdRules[0], rules: [...holdRules],
      statistic: p.statistic, center: p.center, ucl: p.ucl, lcl: p.lcl,
      units: [...(p.runUnits ?? p.units)], added: [...(p.runUnits ?? p.units)], lots: [...p.lots], firstIndex: p.index, lastIndex: p.index, ts: p.ts, updated: p.ts,
      ...(p.topFeatures ? { topFeatures: [...p.topFeatures] } : {}),
    };
  }

  private extend(s: HoldSignal | AlarmSignal, p: PointRecord): void {
    const units = p.runUnits ?? p.units;
    s.added = units.filter((u) => !s.units.includes(u));
    addAll(s.units, units);
    addAll(s.lots, p.lots);
    addAll(s.rules, p.violations);
    if (!p.violations.length) { s.lastIndex = p.index; s.updated = p.ts; return; } // a suspect unit, not a new violation
    s.statistic = p.statistic; s.center = p.center; s.ucl = p.ucl; s.lcl = p.lcl;
    s.lastIndex = p.index;
    s.updated = p.ts;
    if (p.topFeatures) s.topFeatures = [...p.topFeatures];
  }
}
