import type { CharacteristicConfig, RuleSetConfig } from '../config.js';
import type { Sample } from '../sample.js';
import { CharacteristicRunner } from './characteristic.js';
import type { PointSink, SummaryRecord } from './records.js';
import type { CharacteristicSnapshot } from '../state/snapshot.js';

export interface EngineCounters {
  samples: number;
  /** Samples no characteristic matched. */
  unmatched: number;
  /** Samples a matching characteristic could not use (e.g. missing n for a p chart). */
  rejected: number;
}

/** The outcome of one sample: how many characteristics took it, or why it was refused. */
export type SampleOutcome = { readonly matched: number; readonly rejected?: undefined } | { readonly matched: 0; readonly rejected: string };

/** Outcomes without a reason are shared, so the hot path allocates nothing for them. */
const MATCHED: readonly SampleOutcome[] = Array.from({ length: 17 }, (_, matched) => Object.freeze({ matched }));
const matchedOutcome = (n: number): SampleOutcome => MATCHED[n] ?? { matched: n };

/** The routes of one parameter: a short list while it is short (string compares beat hashing), then a map. */
interface ParameterRoutes { stations: string[]; lines: string[]; targets: CharacteristicRunner[][]; map?: Map<string, CharacteristicRunner[]> }
/** Combinations of one parameter kept in the list before they move to a map. */
const SHORT_LIST = 8;
const key = (s: Sample) => s.station + '\u0000' + s.line;

/**
 * A bounded cache of routes: parameter → (station, line) → characteristics. One map read by
 * parameter (a sample's strings are fresh from JSON.parse, so each read hashes a string), then a
 * scan of a few entries, or one more map read for parameters seen at many places. Past `max`
 * entries it starts over; routes are recomputed on demand.
 */
class RouteCache {
  private map = new Map<string, ParameterRoutes>();
  private size = 0;
  constructor(private readonly max: number) {}

  get entries(): number { return this.size; }

  get(s: Sample): CharacteristicRunner[] | undefined {
    const r = this.map.get(s.parameter);
    if (r === undefined) return undefined;
    if (r.map !== undefined) return r.map.get(key(s));
    const { stations, lines } = r;
    for (let i = 0; i < stations.length; i++) if (stations[i] === s.station && lines[i] === s.line) return r.targets[i];
    return undefined;
  }

  set(s: Sample, targets: CharacteristicRunner[]): void {
    if (this.size >= this.max) { this.map = new Map(); this.size = 0; }
    let r = this.map.get(s.parameter);
    if (!r) this.map.set(s.parameter, r = { stations: [], lines: [], targets: [] });
    if (r.map) r.map.set(key(s), targets);
    else if (r.stations.length < SHORT_LIST) { r.stations.push(s.station); r.lines.push(s.line); r.targets.push(targets); }
    else {
      r.map = new Map(r.stations.map((st, i) => [st + '\u0000' + r!.lines[i], r!.targets[i]]));
      r.map.set(key(s), targets);
    }
    this.size++;
  }
}

/** Most routes to characteristics cached (bounded by the plant, not by input). */
export const MAX_ROUTES = 50_000;
/**
 * Most routes to nothing cached. Kept apart, so a flood of distinct unknown keys churns only
 * this cache and never evicts the routes of real characteristics.
 */
export const MAX_UNMATCHED_ROUTES = 10_000;
const NO_TARGETS: CharacteristicRunner[] = [];
/** Candidates scanned for a sample that matches nothing, below which the miss is not cached. */
const SCAN_WITHOUT_CACHE = 64;

function matches(c: CharacteristicConfig, s: Sample): boolean {
  const m = c.match;
  return (m.line === undefined || m.line === s.line)
    && (m.station === undefined || m.station === s.station)
    && (m.parameter === undefined || m.parameter === s.parameter);
}

/**
 * Routes samples to characteristics and runs them: sample → characteristic → chart point →
 * rule hits → actions. Routing is cached per parameter, then (line, station): one map look-up
 * and a short scan, and no allocation in the steady state.
 */
export class SpcEngine {
  readonly counters: EngineCounters = { samples: 0, unmatched: 0, rejected: 0 };
  private runners: CharacteristicRunner[] = [];
  private byParameter = new Map<string, CharacteristicRunner[]>();
  private anyParameter: CharacteristicRunner[] = [];
  private order = new Map<CharacteristicRunner, number>();
  private routes = new RouteCache(MAX_ROUTES);
  private unmatched = new RouteCache(MAX_UNMATCHED_ROUTES);

  constructor(public ruleSet: RuleSetConfig) {
    this.install(ruleSet.characteristics.map((c) => new CharacteristicRunner(c)));
  }

  private install(runners: CharacteristicRunner[]): void {
    this.runners = runners;
    this.byParameter = new Map(); this.anyParameter = []; this.order = new Map(); this.routes = new RouteCache(MAX_ROUTES); this.unmatched = new RouteCache(MAX_UNMATCHED_ROUTES);
    this.runners.forEach((r, i) => this.order.set(r, i));
    for (const r of this.runners) {
      const p = r.config.match.parameter;
      if (p === undefined) this.anyParameter.push(r);
      else {
        const list = this.byParameter.get(p);
        if (list) list.push(r); else this.byParameter.set(p, [r]);
      }
    }
  }

  /**
   * Applies a new rule set while running: a characteristic whose configuration is unchanged keeps
   * its runner (Phase I progress, locked limits, rule runs, counters); a new or changed one starts
   * afresh; a removed one is dropped. Returns the ids in each group.
   */
  reload(next: RuleSetConfig): { kept: string[]; started: string[]; removed: string[] } {
    const current = new Map(this.runners.map((r) => [r.id, r]));
    const kept: string[] = [], started: string[] = [];
    const runners = next.characteristics.map((c) => {
      const old = current.get(c.id);
      if (old && JSON.stringify(old.config) === JSON.stringify(c)) { kept.push(c.id); return old; }
      started.push(c.id);
      return new CharacteristicRunner(c);
    });
    const removed = [...current.keys()].filter((id) => !next.characteristics.some((c) => c.id === id));
    this.ruleSet = next;
    this.install(runners);
    return { kept, started, removed };
  }

  /** The characteristics a sample belongs to, in rule-file order. O(1) once cached. */
  route(s: Sample): CharacteristicRunner[] {
    const cached = this.routes.get(s) ?? this.unmatched.get(s);
    if (cached !== undefined) return cached;
    let targets: CharacteristicRunner[] | undefined;
    let scanned = 0;
    for (const list of [this.byParameter.get(s.parameter), this.anyParameter]) {
      if (!list) continue;
      scanned += list.length;
      for (const r of list) if (matches(r.config, s)) (targets ??= []).push(r);
    }
    if (!targets) {
      // Scanning a few candidates is cheaper than caching a distinct unknown key (a map per new
      // station, then garbage); only long scans are worth remembering.
      if (scanned > SCAN_WITHOUT_CACHE) this.unmatched.set(s, NO_TARGETS);
      return NO_TARGETS;
    }
    targets.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    this.routes.set(s, targets);
    return targets;
  }

  /** Routes cached now: to characteristics, and to nothing (bounded by MAX_ROUTES and MAX_UNMATCHED_ROUTES). */
  get cachedRoutes(): { matched: number; unmatched: number } { return { matched: this.routes.entries, unmatched: this.unmatched.entries }; }

  process(sample: Sample, emit: PointSink): SampleOutcome {
    this.counters.samples++;
    const targets = this.route(sample);
    if (targets.length === 0) { this.counters.unmatched++; return MATCHED[0]; }
    for (let i = 0; i < targets.length; i++) {
      const why = targets[i].reject(sample);
      if (why !== undefined) { this.counters.rejected++; return { matched: 0, rejected: why }; }
    }
    for (let i = 0; i < targets.length; i++) targets[i].accept(sample, emit);
    return matchedOutcome(targets.length);
  }

  /**
   * A hold of the characteristic was released: its next hold is a new one, and that hold's
   * change-point window starts after this point.
   */
  released(id: string): void {
    this.runners.find((r) => r.id === id)?.released();
  }

  /** One characteristic's summary (capability once its limits are locked). */
  summaryOf(id: string): SummaryRecord | undefined {
    return this.runners.find((r) => r.id === id)?.summary();
  }

  /** Snapshots of the characteristics `include` selects (all by default). */
  saveStates(include: (id: string) => boolean = () => true): Record<string, CharacteristicSnapshot> {
    const out: Record<string, CharacteristicSnapshot> = {};
    for (const r of this.runners) if (include(r.id)) out[r.id] = r.saveState();
    return out;
  }

  /**
   * Puts the selected characteristics back where `states` left them; a selected one missing from
   * `states` (or saved under another configuration) starts afresh. Routing is unchanged.
   */
  restoreStates(states: Readonly<Record<string, CharacteristicSnapshot>>, include: (id: string) => boolean = () => true): { restored: number; fresh: number } {
    let restored = 0, fresh = 0;
    for (const r of this.runners) {
      if (!include(r.id)) continue;
      if (r.restoreState(Object.hasOwn(states, r.id) ? states[r.id] : undefined)) restored++; else fresh++;
    }
    return { restored, fresh };
  }

  summaries(): SummaryRecord[] {
    return this.runners.map((r) => r.summary());
  }
}
