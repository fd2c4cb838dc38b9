import type { Sample } from '../core/sample.js';
import { packNumbers, unpackNumbers, type OpenUnitSnapshot } from '../core/state/snapshot.js';
import { featureOf } from './history.js';

/** A unit whose every feature has arrived: its values in model order, and where it came from. */
export interface AssembledUnit {
  unit: string;
  values: Float64Array;
  lots: string[];
  line: string;
  station: string;
  ts: string;
  /** Its model point's index, given by the caller when the unit completes (0 until then). */
  index: number;
  /** The clock when it completed (the completing message's stored time): its verdict's time in the alarm lifecycle. */
  at: number;
  /** The completing sample's sequence (given by the caller): its verdict's signal lines are numbered with it. */
  seq: number;
  /** Judged again in a replay (its verdict only rebuilds state): set by the caller. */
  silent?: boolean;
}

/**
 * A unit the model stopped waiting for: not every feature arrived within `wait` (or too many units
 * were open), so it is never judged. `missing`: the features it lacks, in model order.
 */
export interface GivenUpUnit { unit: string; lots: string[]; line: string; station: string; missing: string[]; deadline: number }

interface OpenUnit { values: Float64Array; missing: number; deadline: number; lots: string[]; line: string; station: string }

const NONE: readonly GivenUpUnit[] = Object.freeze([]);

/** Units waiting for features at once, at most; beyond it the oldest is given up. */
const MAX_OPEN_UNITS = 100_000;

/**
 * Collects each unit's feature values as its samples arrive from different stations; a unit is
 * complete when every feature has a value, and given up (returned by `expire`, counted in
 * `incomplete`) when it is not complete `waitMs` after its first sample. Pure: the caller passes the clock.
 */
export class UnitAssembler {
  private readonly open = new Map<string, OpenUnit>();
  private readonly index: Map<string, number>;
  incomplete = 0;
  /** Units pushed out by MAX_OPEN_UNITS since the last `expire`, which returns them first. */
  private evicted: GivenUpUnit[] = [];

  constructor(readonly features: readonly string[], private readonly waitMs: number) {
    this.index = new Map(features.map((f, i) => [f, i]));
  }

  /** Whether the sample is one of the model's features. */
  wants(s: Sample): boolean { return this.index.has(featureOf(s)); }

  add(s: Sample, nowMs: number): AssembledUnit | undefined {
    const j = this.index.get(featureOf(s));
    if (j === undefined) return undefined;
    let u = this.open.get(s.unit);
    if (!u) {
      if (this.open.size >= MAX_OPEN_UNITS) {
        const [oldest, o] = this.open.entries().next().value as [string, OpenUnit];
        this.open.delete(oldest);
        this.evicted.push(this.givenUp(oldest, o));
      }
      u = { values: new Float64Array(this.features.length).fill(NaN), missing: this.features.length, deadline: nowMs + this.waitMs, lots: [], line: s.line, station: s.station };
      this.open.set(s.unit, u);
    }
    if (Number.isNaN(u.values[j])) u.missing--;
    u.values[j] = s.value;
    if (s.lot !== undefined && !u.lots.includes(s.lot)) u.lots.push(s.lot);
    u.station = s.station; // the station that completed the unit is where the verdict applies
    if (u.missing > 0) return undefined;
    this.open.delete(s.unit);
    return { unit: s.unit, values: u.values, lots: u.lots, line: u.line, station: u.station, ts: s.ts, index: 0, at: nowMs, seq: 0 };
  }

  /** Gives up units past their deadline (and those pushed out since the last call), oldest first. */
  expire(nowMs: number): readonly GivenUpUnit[] {
    let out: GivenUpUnit[] | undefined;
    if (this.evicted.length) { out = this.evicted; this.evicted = []; }
    for (const [unit, u] of this.open) {
      if (u.deadline > nowMs) break; // insertion order = deadline order
      this.open.delete(unit);
      (out ??= []).push(this.givenUp(unit, u));
    }
    if (!out) return NONE; // every message asks: nothing allocated when nothing is overdue
    this.incomplete += out.length;
    return out;
  }

  private givenUp(unit: string, u: OpenUnit): GivenUpUnit {
    const missing: string[] = [];
    for (let j = 0; j < u.values.length; j++) if (Number.isNaN(u.values[j])) missing.push(this.features[j]);
    return { unit, lots: u.lots, line: u.line, station: u.station, missing, deadline: u.deadline };
  }

  get waiting(): number { return this.open.size; }

  /** The units still collecting features, oldest first (a snapshot). */
  saveOpen(): OpenUnitSnapshot[] {
    return [...this.open].map(([unit, u]) => ({ unit, values: packNumbers(u.values), lots: [...u.lots], line: u.line, station: u.station, deadline: u.deadline }));
  }

  /** Replaces the open units by a snapshot's (a take-over continues units whose first features came before it). */
  restoreOpen(open: readonly OpenUnitSnapshot[]): void {
    this.open.clear();
    for (const o of open) {
      const values = Float64Array.from(unpackNumbers(o.values));
      let missing = 0;
      for (const v of values) if (Number.isNaN(v)) missing++;
      if (values.length !== this.features.length) continue; // a snapshot of another model's features
      this.open.set(o.unit, { values, missing, deadline: o.deadline, lots: [...o.lots], line: o.line, station: o.station });
    }
  }
}
