import { addBounded } from '../bounded-set.js';
import type { PointRecord } from '../engine/records.js';
import { characteristicOfSeries, seriesId, seriesOfId } from '../engine/series.js';
import type { ReactionPlanView } from '../closed-loop/plan.js';
import type { AlarmClearSignal, AlarmSignal, AlarmView, HoldSignal, HoldView, LatchedHead, ReleaseSignal, Signal, UnitStatus } from './signal.js';

/** Where a point was measured: the engine's points know their characteristic, not the line. */
export interface PointPlace { line: string; station: string }

/** Most units a hold view lists (snapshots, the console, GET /api/holds); the API pages through the rest. */
export const MAX_UNITS_PER_VIEW = 1_000;
/** Released hold ids remembered against replays (a bounded, oldest-first set). */
const MAX_REMEMBERED_RELEASES = 100_000;
/** The longest pattern of a rule: nelson7, 15 points in a row. */
const MAX_RUN = 15;

/** Hold and alarm ids are `<series>#<point index>`; the series is the characteristic, or `<characteristic>[<split>]`. */
const characteristicOfId = (id: string) => characteristicOfSeries(seriesOfId(id));

/** The series of a point: its characteristic, or its split of it (the string is made once per split). */
const seriesOfSplit = new WeakMap<object, string>();
function seriesOf(p: { characteristic: string; split?: Readonly<Record<string, string>> }): string {
  if (!p.split) return p.characteristic;
  let id = seriesOfSplit.get(p.split);
  if (id === undefined) seriesOfSplit.set(p.split, id = seriesId(p.characteristic, p.split));
  return id;
}

/** Separators of the recent-units string: ASCII unit and record separators, which ids never contain. */
const UNIT_SEP = '\u001f', POINT_SEP = '\u001e';
/**
 * Between a hold's units in a snapshot: DEL, which no unit can contain (samples refuse control
 * characters) and which JSON does not escape. One string of a million units is written in half
 * the time of an array of them and read in a third (bench/snapshot-hold.ts).
 */
const PACK_SEP = '\u007f';

type Kind = { type: 'hold'; action: 'hold' } | { type: 'alarm'; action: 'alarm'; flood?: AlarmSignal['flood'] };

/**
 * A hold or alarm as the book keeps it: its head (the latest revision's fields), every unit in
 * the order it became suspect (no cap), and what makes "already named?" O(1): for an alarm a set
 * of its units; for a hold the book's unit index (the interlock's), which names it already — a
 * second set of every unit would double the memory and the work of a restore.
 */
interface Latched {
  head: LatchedHead & Kind;
  /** The head's rules as messages share them: replaced (not changed) when a rule is added. */
  rules: LatchedHead['rules'];
  rev: number;
  units: string[];
  /** Alarms only (holds: the book's heldUnits). */
  seen: Set<string> | undefined;
  lots: string[];
  lotSeen: Set<string>;
  /** units[0, packedCount) joined by PACK_SEP: each snapshot joins only the units added since the last. */
  packed: string;
  packedCount: number;
  /** Alarms: consecutive points without an alarm action since the last with one (see clearAfterOf). */
  quiet: number;
}

/** What a snapshot keeps of a hold or alarm: enough to go on exactly where it stood. */
export interface LatchedSnapshot {
  head: LatchedHead & Kind; rev: number;
  /** Joined by U+007F (see PACK_SEP); an array in snapshots of earlier versions, and where a unit contains U+007F. */
  units: string | string[];
  lots: string[];
  /** Alarms: quiet points so far (clearAfter). */
  quiet?: number;
  /** The book's key when it is not the head's series: raised by an overdue check (`check:<id>`), apart from the characteristic's own. */
  key?: string;
}

/** What a snapshot keeps of the hold book for some characteristics. */
export interface HoldBookSnapshot {
  holds: LatchedSnapshot[];
  alarms: LatchedSnapshot[];
  /** Units of the latest points, one string per characteristic (parsing one string beats 15 arrays). */
  recent: Record<string, { units: string; at: number }>;
  released: string[];
}

/** The units for a snapshot, packed (see PACK_SEP): only those added since the last snapshot are joined. */
function packUnits(l: Latched): string | string[] {
  const { units } = l;
  if (l.packedCount < units.length) {
    let more = '';
    for (let i = l.packedCount; i < units.length; i++) {
      const u = units[i];
      if (u.includes(PACK_SEP)) return [...units]; // cannot be packed: written as a list
      more += i === 0 ? u : PACK_SEP + u;
    }
    l.packed += more;
    l.packedCount = units.length;
  }
  return l.packed;
}

function unpackUnits(units: string | string[]): readonly string[] {
  if (typeof units !== 'string') return units;
  return units === '' ? [] : units.split(PACK_SEP);
}

/** A restored list, packed as it came, is the start of the next snapshot's (when nothing was dropped as a duplicate). */
function keepPacked(l: Latched, units: string | string[], count: number): void {
  if (typeof units === 'string' && l.units.length === count) { l.packed = units; l.packedCount = count; }
}

function latched(head: LatchedHead & Kind, units: readonly string[], lots: readonly string[], rev = 1): Latched {
  const seen = new Set<string>();
  const l: Latched = { head, rules: [...head.rules], rev, units: [], seen, lots: [], lotSeen: new Set(), packed: '', packedCount: 0, quiet: 0 };
  for (const u of units) if (!seen.has(u)) { seen.add(u); l.units.push(u); }
  for (const x of lots) if (!l.lotSeen.has(x)) { l.lotSeen.add(x); l.lots.push(x); }
  return l;
}

/**
 * The message of one revision: the head, and only what this revision adds. Built field by field
 * (one hidden class, no spread): it is made for every point of a held characteristic.
 */
function revision(l: Latched, added: string[], addedLots: string[]): HoldSignal | AlarmSignal {
  const h = l.head;
  const msg = {
    type: h.type, id: h.id, line: h.line, station: h.station, characteristic: h.characteristic, rule: h.rule, rules: l.rules, action: h.action,
    statistic: h.statistic, center: h.center, ucl: h.ucl, lcl: h.lcl, firstIndex: h.firstIndex, lastIndex: h.lastIndex, ts: h.ts, updated: h.updated,
    rev: l.rev, added, unitCount: l.units.length, lots: addedLots,
  } as HoldSignal | AlarmSignal;
  if (h.topFeatures) msg.topFeatures = h.topFeatures;
  if (h.split) msg.split = h.split;
  if (h.type === 'alarm' && h.flood) (msg as AlarmSignal).flood = h.flood;
  if (l.rev === 1) {
    msg.units = added;
    if (h.changePoint) msg.changePoint = h.changePoint;
    if (h.plan) msg.plan = h.plan;
  }
  return msg;
}

/**
 * The units a new hold or alarm names: those since the estimated change (containment), then the
 * violated pattern's, then the point's own (latched() keeps each once, in this order).
 */
function suspects(p: PointRecord): readonly string[] {
  if (!p.suspectUnits) return p.runUnits ?? p.units;
  return [...p.suspectUnits, ...(p.runUnits ?? []), ...p.units];
}

function view(l: Latched, maxUnits: number): HoldView | AlarmView {
  return { ...l.head, rules: [...l.head.rules], rev: l.rev, unitCount: l.units.length, units: l.units.slice(0, maxUnits), unitsComplete: l.units.length <= maxUnits, lots: [...l.lots] } as HoldView | AlarmView;
}

/**
 * The latched holds and active alarms of a line, as signals. Pure: points in, signals out.
 *
 * - A point with a `hold` action raises a hold for its characteristic naming the units of the
 *   violated pattern's points (`runUnits`); while it is active (not yet released) every later
 *   point of that characteristic adds its units and lots (the suspect window), as a new revision
 *   of the same id that names only the units it adds — however large the hold grows, a point
 *   costs O(its own units), and every unit is named exactly once (no cap).
 * - Holds stay latched until `release` (the caller checks who may release).
 * - An `alarm` action raises or extends an alarm the same way; the alarm clears on the next
 *   point of that characteristic without an alarm action.
 * - Ids are derived from the characteristic and point index, so replaying the same points
 *   cannot raise a second hold.
 * - Which active holds name a unit is answered from memory (the unit-status interlock).
 */
export class HoldBook {
  /**
   * The reaction plan of a new hold or alarm, by characteristic and the rule that raised it (set
   * from the rule set's closed loop; replaced on hot reload — a raised hold keeps its plan).
   */
  planOf: ((characteristic: string, rule: string) => ReactionPlanView | undefined) | undefined;
  /**
   * How many consecutive points without an alarm action clear a characteristic's alarm (the rule
   * file's `clearAfter`, default 1): an off-delay against chattering alarms (ANSI/ISA-18.2-2016
   * §10.4.3; EEMUA 191 §6.3), e.g. an EWMA hovering at its limit. Violations in between extend
   * the same alarm instead of raising new ones.
   */
  clearAfterOf: ((characteristic: string) => number | undefined) | undefined;
  /** Active holds by id. */
  private readonly holds = new Map<string, Latched>();
  private readonly activeHoldByCharacteristic = new Map<string, Latched>();
  /** Ids of released holds, newest last, so a replayed point cannot raise them again. */
  private readonly released = new Set<string>();
  /** The units of each characteristic's latest points, to name every point of a violated run. */
  private readonly recent = new Map<string, { units: (readonly string[])[]; at: number }>();
  private readonly alarms = new Map<string, Latched>();
  /** Restored recent units not unpacked yet (see restoreState). */
  private readonly packedRecent = new Map<string, { units: string; at: number }>();
  /** Unit → the active hold(s) naming it: the interlock's answer without a database round trip. */
  private readonly heldUnits = new Map<string, string | string[]>();

  /**
   * Signals caused by one point. Call it for every point: while a hold is active, every later
   * unit of its characteristic is suspect and joins it (the suspect window runs until release).
   */
  apply(p: PointRecord, place: PointPlace): Signal[] {
    const out: Signal[] = [];
    const series = seriesOf(p);
    this.remember(p, series);
    const active = this.activeHoldByCharacteristic.get(series);
    if (active && p.index > active.head.lastIndex) {
      out.push(this.extend(active, p));
    } else if (!active && p.actions.includes('hold')) {
      const id = `${series}#${p.index}`;
      if (!this.holds.has(id) && !this.released.has(id)) {
        const hold = latched({ ...this.head(p, place, id), type: 'hold', action: 'hold' }, suspects(p), p.lots);
        this.holds.set(id, hold);
        this.activeHoldByCharacteristic.set(series, hold);
        for (const u of hold.units) this.indexUnit(u, id);
        hold.seen = undefined;
        out.push(revision(hold, [...hold.units], [...hold.lots]));
      }
    }
    const alarm = this.alarms.get(series);
    if (p.actions.includes('alarm')) {
      if (alarm) {
        if (p.index > alarm.head.lastIndex) { alarm.quiet = 0; out.push(this.extend(alarm, p)); }
      } else {
        const created = latched({ ...this.head(p, place, `${series}#${p.index}`), type: 'alarm', action: 'alarm' }, suspects(p), p.lots);
        this.alarms.set(series, created);
        out.push(revision(created, [...created.units], [...created.lots]));
      }
    } else if (alarm && p.index > alarm.head.lastIndex && ++alarm.quiet >= (this.clearAfterOf?.(p.characteristic) ?? 1)) {
      this.alarms.delete(series);
      const a = alarm.head;
      const clear: AlarmClearSignal = { type: 'alarm-clear', id: a.id, line: a.line, station: a.station, characteristic: a.characteristic, ...(a.split ? { split: a.split } : {}), ts: p.ts };
      out.push(clear);
    }
    return out;
  }

  /**
   * A hold or alarm raised by something other than a point (an overdue manual check), under its
   * own `key` so it never merges with the characteristic's own: latched, viewed, released and
   * checked by the interlock like any other. Undefined when one is already active under `key`.
   */
  raiseExternal(key: string, head: LatchedHead, kind: 'hold' | 'alarm', units: readonly string[]): HoldSignal | AlarmSignal | undefined {
    const plan = this.planOf?.(head.characteristic, head.rule);
    const full = { ...head, ...(plan ? { plan } : {}) };
    if (kind === 'alarm') {
      if (this.alarms.has(key)) return undefined;
      const a = latched({ ...full, type: 'alarm', action: 'alarm' }, units, []);
      this.alarms.set(key, a);
      return revision(a, [...a.units], []);
    }
    if (this.activeHoldByCharacteristic.has(key) || this.holds.has(head.id)) return undefined;
    const h = latched({ ...full, type: 'hold', action: 'hold' }, units, []);
    this.holds.set(head.id, h);
    this.activeHoldByCharacteristic.set(key, h);
    for (const u of h.units) this.indexUnit(u, head.id);
    h.seen = undefined;
    return revision(h, [...h.units], []);
  }

  /**
   * An active alarm whole, as a first message: its latest head and every unit so far in `units`
   * and `added`. For an alarm flood control kept from clients until the flood ended (they never
   * saw its earlier revisions, so its units are all new to them).
   */
  announce(id: string): AlarmSignal | undefined {
    for (const a of this.alarms.values()) {
      if (a.head.id !== id) continue;
      const msg = revision(a, [...a.units], [...a.lots]) as AlarmSignal;
      msg.units = msg.added;
      if (a.head.changePoint) msg.changePoint = a.head.changePoint;
      if (a.head.plan) msg.plan = a.head.plan;
      return msg;
    }
    return undefined;
  }

  /** Clears an alarm raised with raiseExternal (its condition ended: the check was done). */
  clearExternal(key: string, ts: string): AlarmClearSignal | undefined {
    const a = this.alarms.get(key);
    if (!a) return undefined;
    this.alarms.delete(key);
    const h = a.head;
    return { type: 'alarm-clear', id: h.id, line: h.line, station: h.station, characteristic: h.characteristic, ...(h.split ? { split: h.split } : {}), ts };
  }

  /** Releases an active hold; undefined when no such hold is active. O(units of the hold), once. */
  release(id: string, by: string, reason: string, ts: string, extra: Pick<ReleaseSignal, 'causeCode' | 'actionCode' | 'signature'> = {}): ReleaseSignal | undefined {
    const hold = this.holds.get(id);
    if (!hold) return undefined;
    const series = seriesOf(hold.head);
    if (this.activeHoldByCharacteristic.get(series) === hold) this.activeHoldByCharacteristic.delete(series);
    else for (const [k, v] of this.activeHoldByCharacteristic) if (v === hold) { this.activeHoldByCharacteristic.delete(k); break; } // raised under its own key
    this.holds.delete(id);
    for (const u of hold.units) this.unindexUnit(u, id);
    addBounded(this.released, id, MAX_REMEMBERED_RELEASES);
    const h = hold.head;
    return { type: 'release', id, line: h.line, station: h.station, characteristic: h.characteristic, ...(h.split ? { split: h.split } : {}), unitCount: hold.units.length, by, reason, ...extra, ts };
  }

  /** Active holds (views: at most `maxUnits` units each), optionally only those of the given lines. */
  activeHolds(lines?: readonly string[], maxUnits = MAX_UNITS_PER_VIEW): HoldView[] {
    const out: HoldView[] = [];
    for (const h of this.activeHoldByCharacteristic.values()) if (!lines || lines.includes(h.head.line)) out.push(view(h, maxUnits) as HoldView);
    return out;
  }

  activeAlarms(lines?: readonly string[], maxUnits = MAX_UNITS_PER_VIEW): AlarmView[] {
    const out: AlarmView[] = [];
    for (const a of this.alarms.values()) if (!lines || lines.includes(a.head.line)) out.push(view(a, maxUnits) as AlarmView);
    return out;
  }

  /** The latest fields of an active hold (no units), or undefined. */
  hold(id: string): (LatchedHead & Kind & { rev: number; unitCount: number }) | undefined {
    const h = this.holds.get(id);
    return h && { ...h.head, rev: h.rev, unitCount: h.units.length };
  }

  /**
   * A page of an active hold's units in the order they became suspect: `after` is the number of
   * units already read (the cursor), `next` the cursor of the following page (absent at the end).
   */
  unitsOf(id: string, after: number, limit: number): { units: string[]; unitCount: number; next?: number } | undefined {
    const h = this.holds.get(id);
    if (!h) return undefined;
    const units = h.units.slice(after, after + limit);
    const end = after + units.length;
    return { units, unitCount: h.units.length, ...(end < h.units.length ? { next: end } : {}) };
  }

  /** Whether a unit is held now, and by which active holds (of the given lines). O(1). */
  unitStatus(unit: string, lines?: readonly string[]): UnitStatus {
    const entry = this.heldUnits.get(unit);
    const ids = entry === undefined ? [] : typeof entry === 'string' ? [entry] : [...entry];
    const holds = lines ? ids.filter((id) => { const h = this.holds.get(id); return h !== undefined && lines.includes(h.head.line); }) : ids;
    return { unit, held: holds.length > 0, holds };
  }

  /** Notes that hold `id` names `unit`; false when it did already. */
  private indexUnit(unit: string, id: string): boolean {
    const e = this.heldUnits.get(unit);
    if (e === undefined) { this.heldUnits.set(unit, id); return true; }
    if (typeof e === 'string') { if (e === id) return false; this.heldUnits.set(unit, [e, id]); return true; }
    if (e.includes(id)) return false;
    e.push(id);
    return true;
  }

  private unindexUnit(unit: string, id: string): void {
    const e = this.heldUnits.get(unit);
    if (e === undefined) return;
    if (typeof e === 'string') { if (e === id) this.heldUnits.delete(unit); return; }
    const rest = e.filter((x) => x !== id);
    if (rest.length === 0) this.heldUnits.delete(unit); else this.heldUnits.set(unit, rest.length === 1 ? rest[0] : rest);
  }

  /** The active holds, alarms, recent units and released ids of the selected characteristics. */
  saveState(include: (characteristic: string) => boolean): HoldBookSnapshot {
    const snap: HoldBookSnapshot = { holds: [], alarms: [], recent: {}, released: [] };
    const copy = (l: Latched, key: string): LatchedSnapshot => ({
      head: { ...l.head, rules: [...l.head.rules] }, rev: l.rev, units: packUnits(l), lots: [...l.lots], ...(l.quiet ? { quiet: l.quiet } : {}), ...(key !== seriesOf(l.head) ? { key } : {}),
    });
    for (const [key, h] of this.activeHoldByCharacteristic) if (include(h.head.characteristic)) snap.holds.push(copy(h, key));
    for (const [key, a] of this.alarms) if (include(a.head.characteristic)) snap.alarms.push(copy(a, key));
    for (const [c, r] of this.recent) if (include(characteristicOfSeries(c))) snap.recent[c] = { units: r.units.map((u) => u.join(UNIT_SEP)).join(POINT_SEP), at: r.at };
    for (const [c, r] of this.packedRecent) if (include(characteristicOfSeries(c))) snap.recent[c] = r;
    for (const id of this.released) if (include(characteristicOfId(id))) snap.released.push(id);
    return snap;
  }

  /** Replaces what the selected characteristics have here by the snapshot's (nothing when absent). */
  restoreState(snap: HoldBookSnapshot | undefined, include: (characteristic: string) => boolean): void {
    // By the head's characteristic, not the key: a check's hold or alarm has a key of its own.
    for (const [key, h] of [...this.activeHoldByCharacteristic]) if (include(h.head.characteristic)) this.activeHoldByCharacteristic.delete(key);
    for (const [id, h] of [...this.holds]) if (include(h.head.characteristic)) { this.holds.delete(id); for (const u of h.units) this.unindexUnit(u, id); }
    for (const [key, a] of [...this.alarms]) if (include(a.head.characteristic)) this.alarms.delete(key);
    for (const c of [...this.recent.keys()]) if (include(characteristicOfSeries(c))) this.recent.delete(c);
    for (const c of [...this.packedRecent.keys()]) if (include(characteristicOfSeries(c))) this.packedRecent.delete(c);
    for (const id of [...this.released]) if (include(characteristicOfId(id))) this.released.delete(id);
    if (!snap) return;
    for (const s of snap.holds) {
      // One map insert per unit: the index both restores the interlock and keeps each unit once.
      const hold = latched(s.head, [], s.lots, s.rev);
      hold.seen = undefined;
      const units = unpackUnits(s.units);
      for (const u of units) if (this.indexUnit(u, s.head.id)) hold.units.push(u);
      keepPacked(hold, s.units, units.length);
      this.holds.set(s.head.id, hold);
      this.activeHoldByCharacteristic.set(s.key ?? seriesOf(s.head), hold);
    }
    for (const s of snap.alarms) {
      const units = unpackUnits(s.units);
      const a = latched(s.head, units, s.lots, s.rev);
      keepPacked(a, s.units, units.length);
      a.quiet = s.quiet ?? 0;
      this.alarms.set(s.key ?? seriesOf(s.head), a);
    }
    // Kept packed until the characteristic's next point: unpacking 100,000 of them would delay a take-over.
    for (const [c, r] of Object.entries(snap.recent)) this.packedRecent.set(c, r);
    for (const id of snap.released) this.released.add(id);
  }

  /** A hold id released while it was not here (a replay that could not rebuild it): never raised after. */
  forbid(id: string): void {
    if (this.holds.has(id)) return;
    addBounded(this.released, id, MAX_REMEMBERED_RELEASES);
  }

  /**
   * A unit of a held series with no verdict of its own (an anomaly model could not score it): made
   * while the hold is active, it is suspect like any later unit and joins the hold.
   */
  addSuspect(p: PointRecord): HoldSignal | undefined {
    const active = this.activeHoldByCharacteristic.get(seriesOf(p));
    return active && p.index > active.head.lastIndex ? (this.extend(active, p) as HoldSignal) : undefined;
  }

  /**
   * A unit of a held series that will never have a point (an anomaly model gave up waiting for its
   * features): suspect like any unit made while the hold is active, it joins the hold, whose last
   * point stays where it was. Nothing when no hold of the series is active or it names the unit.
   */
  addUnjudged(series: string, unit: string, lots: readonly string[], ts: string): HoldSignal | undefined {
    const active = this.activeHoldByCharacteristic.get(series);
    if (!active || this.unitStatus(unit).holds.includes(active.head.id)) return undefined;
    return this.extend(active, {
      type: 'point', characteristic: series, index: active.head.lastIndex, phase: 'II', ts,
      statistic: NaN, center: 0, ucl: 0, lcl: 0, violations: [], actions: [], units: [unit], lots: [...lots],
    }) as HoldSignal;
  }

  /**
   * The highest point index of a series among its active hold and alarm and its released holds
   * (ids `<series>#<index>`): where a restored anomaly model must go on numbering from.
   */
  lastIndexOf(series: string): number {
    let last = Math.max(this.activeHoldByCharacteristic.get(series)?.head.lastIndex ?? 0, this.alarms.get(series)?.head.lastIndex ?? 0);
    for (const id of this.released) if (seriesOfId(id) === series) last = Math.max(last, Number(id.slice(id.lastIndexOf('#') + 1)) || 0);
    return last;
  }

  /** Keeps the point's units; on a point spanning a run, names the units of the whole run. */
  private remember(p: PointRecord, series: string): void {
    let r = this.recent.get(series);
    if (!r) {
      const packed = this.packedRecent.get(series);
      if (packed) this.packedRecent.delete(series);
      r = packed ? { units: packed.units.split(POINT_SEP).map((u) => (u ? u.split(UNIT_SEP) : [])), at: packed.at } : { units: new Array<readonly string[]>(MAX_RUN).fill([]), at: 0 };
      this.recent.set(series, r);
    }
    r.at = (r.at + 1) % MAX_RUN;
    r.units[r.at] = p.units;
    if (p.runLength && p.runLength > 1 && !p.runUnits) {
      const out: string[] = [];
      for (let k = Math.min(p.runLength, MAX_RUN) - 1; k >= 0; k--) for (const u of r.units[(r.at - k + MAX_RUN) % MAX_RUN]) if (!out.includes(u)) out.push(u);
      p.runUnits = out;
    }
  }

  private head(p: PointRecord, place: PointPlace, id: string): LatchedHead {
    const plan = this.planOf?.(p.characteristic, p.violations[0]);
    return {
      ...(plan ? { plan } : {}),
      id, line: place.line, station: place.station, characteristic: p.characteristic, ...(p.split ? { split: p.split } : {}),
      rule: p.violations[0], rules: [...p.violations],
      statistic: p.statistic, center: p.center, ucl: p.ucl, lcl: p.lcl,
      firstIndex: p.index, lastIndex: p.index, ts: p.ts, updated: p.ts,
      ...(p.topFeatures ? { topFeatures: [...p.topFeatures] } : {}),
      ...(p.changePoint ? { changePoint: p.changePoint } : {}),
    };
  }

  /** A later point of a latched hold or alarm: the next revision, naming only what is new. */
  private extend(l: Latched, p: PointRecord): HoldSignal | AlarmSignal {
    const added: string[] = [], addedLots: string[] = [];
    for (const u of p.runUnits ?? p.units) {
      if (l.seen === undefined) { if (!this.indexUnit(u, l.head.id)) continue; } // a hold
      else if (l.seen.has(u)) continue;
      else l.seen.add(u);
      l.units.push(u); added.push(u);
    }
    for (const x of p.lots) if (!l.lotSeen.has(x)) { l.lotSeen.add(x); l.lots.push(x); addedLots.push(x); }
    const h = l.head;
    for (const r of p.violations) if (!h.rules.includes(r)) { h.rules.push(r); l.rules = [...h.rules]; }
    l.rev++;
    h.lastIndex = p.index;
    h.updated = p.ts;
    if (p.violations.length) { // a new violation, not only a suspect unit: the latest point's numbers
      h.statistic = p.statistic; h.center = p.center; h.ucl = p.ucl; h.lcl = p.lcl;
      if (p.topFeatures) h.topFeatures = [...p.topFeatures];
    }
    return revision(l, added, addedLots);
  }
}
