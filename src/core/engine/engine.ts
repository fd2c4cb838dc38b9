import type { CharacteristicConfig, RuleSetConfig } from '../config.js';
import type { Sample } from '../sample.js';
import { CharacteristicRunner } from './characteristic.js';
import { SplitCharacteristic, type SplitSnapshot, type SplitValues } from './split.js';
import type { ChartParameters } from '../charts/chart.js';
import type { PointSink, SummaryRecord } from './records.js';
import { chartOnly, type CharacteristicSnapshot } from '../state/snapshot.js';

export interface EngineCounters {
  samples: number;
  /** Samples no characteristic matched. */
  unmatched: number;
  /** Samples a matching characteristic could not use (e.g. missing n for a p chart). */
  rejected: number;
}

/** The outcome of one sample: how many characteristics took it, or why it was refused. */
/** `reason`: the dead-letter reason when it is not plain `rejected`. */
export type SampleOutcome = { readonly matched: number; readonly rejected?: undefined } | { readonly matched: 0; readonly rejected: string; readonly reason?: 'too-many-splits' };

/** What the engine routes samples to: a characteristic, or one split into a chart per product / cavity. */
type Target = CharacteristicRunner | SplitCharacteristic;
const targetFor = (c: CharacteristicConfig): Target => (c.by?.length ? new SplitCharacteristic(c) : new CharacteristicRunner(c));

/** A characteristic's match on product and attributes (line, station and parameter are routed). */
function matchesMore(c: CharacteristicConfig, s: Sample): boolean {
  const m = c.match;
  if (m.product !== undefined && m.product !== s.product) return false;
  if (m.attributes) for (const k in m.attributes) if (s.attributes?.[k] !== m.attributes[k]) return false;
  return true;
}

/** Outcomes without a reason are shared, so the hot path allocates nothing for them. */
const MATCHED: readonly SampleOutcome[] = Array.from({ length: 17 }, (_, matched) => Object.freeze({ matched }));
const matchedOutcome = (n: number): SampleOutcome => MATCHED[n] ?? { matched: n };

/**
 * Where a (line, station, parameter) goes: its characteristics in rule-file order, and whether any
 * of them also matches on product or attributes (checked per sample; routes are cached without them).
 */
interface Route {
  readonly targets: Target[];
  readonly filtered: boolean;
  /** The one characteristic when there is exactly one and no per-sample filter: the common case, no array to read. */
  readonly single: Target | undefined;
}
function routeOf(targets: Target[]): Route {
  const filtered = targets.some((t) => t.config.match.product !== undefined || t.config.match.attributes !== undefined);
  return { targets, filtered, single: !filtered && targets.length === 1 ? targets[0] : undefined };
}

/**
 * The routes of one parameter. It is itself the route of the first (station, line) seen (most
 * parameters are measured at one place, and with thousands of characteristics each object read
 * on the way to one is a cache miss), then a short list while it is short (string compares beat
 * hashing: JSON.parse interns short strings, so most compares are pointer compares), then a map.
 */
interface ParameterRoutes extends Route { station: string; line: string; stations: string[]; lines: string[]; routes: Route[]; map?: Map<string, Route> }
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

  get(s: Sample): Route | undefined {
    const r = this.map.get(s.parameter);
    if (r === undefined) return undefined;
    if (r.station === s.station && r.line === s.line) return r;
    if (r.map !== undefined) return r.map.get(key(s));
    const { stations, lines } = r;
    for (let i = 0; i < stations.length; i++) if (stations[i] === s.station && lines[i] === s.line) return r.routes[i];
    return undefined;
  }

  set(s: Sample, route: Route): void {
    if (this.size >= this.max) { this.map = new Map(); this.size = 0; }
    const r = this.map.get(s.parameter);
    if (!r) this.map.set(s.parameter, { targets: route.targets, filtered: route.filtered, single: route.single, station: s.station, line: s.line, stations: [], lines: [], routes: [], map: undefined });
    else if (r.map) r.map.set(key(s), route);
    else if (r.stations.length < SHORT_LIST) { r.stations.push(s.station); r.lines.push(s.line); r.routes.push(route); }
    else {
      r.map = new Map(r.stations.map((st, i) => [st + '\u0000' + r.lines[i], r.routes[i]]));
      r.map.set(key(s), route);
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
const NO_ROUTE: Route = { targets: [], filtered: false, single: undefined };
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
  private runners: Target[] = [];
  private byParameter = new Map<string, Target[]>();
  private anyParameter: Target[] = [];
  private order = new Map<Target, number>();
  private routes = new RouteCache(MAX_ROUTES);
  private unmatched = new RouteCache(MAX_UNMATCHED_ROUTES);

  constructor(public ruleSet: RuleSetConfig) {
    this.install(ruleSet.characteristics.map(targetFor));
  }

  private install(runners: Target[]): void {
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
      // Alarm-routing keys (clearAfter, priority) are read per signal from the new rule set: they keep the chart.
      if (old && JSON.stringify(old.config, chartOnly) === JSON.stringify(c, chartOnly)) { kept.push(c.id); return old; }
      started.push(c.id);
      return targetFor(c);
    });
    const removed = [...current.keys()].filter((id) => !next.characteristics.some((c) => c.id === id));
    this.ruleSet = next;
    this.install(runners);
    return { kept, started, removed };
  }

  /** The characteristics a sample belongs to, in rule-file order. O(1) once cached. */
  route(s: Sample): Target[] { return this.routeOf(s).targets; }

  private routeOf(s: Sample): Route {
    const cached = this.routes.get(s) ?? this.unmatched.get(s);
    if (cached !== undefined) return cached;
    let targets: Target[] | undefined;
    let scanned = 0;
    for (const list of [this.byParameter.get(s.parameter), this.anyParameter]) {
      if (!list) continue;
      scanned += list.length;
      for (const r of list) if (matches(r.config, s)) (targets ??= []).push(r);
    }
    if (!targets) {
      // Scanning a few candidates is cheaper than caching a distinct unknown key (a map per new
      // station, then garbage); only long scans are worth remembering.
      if (scanned > SCAN_WITHOUT_CACHE) this.unmatched.set(s, NO_ROUTE);
      return NO_ROUTE;
    }
    targets.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    const route = routeOf(targets);
    this.routes.set(s, route);
    return route;
  }

  /** Routes cached now: to characteristics, and to nothing (bounded by MAX_ROUTES and MAX_UNMATCHED_ROUTES). */
  get cachedRoutes(): { matched: number; unmatched: number } { return { matched: this.routes.entries, unmatched: this.unmatched.entries }; }

  process(sample: Sample, emit: PointSink): SampleOutcome {
    this.counters.samples++;
    const route = this.routeOf(sample);
    const one = route.single;
    if (one !== undefined) {
      const refused = this.refusal(one, sample);
      if (refused) return refused;
      one.accept(sample, emit);
      return MATCHED[1];
    }
    // Product and attribute matches are checked per sample (routes are cached by line, station, parameter).
    const targets = route.filtered ? route.targets.filter((t) => matchesMore(t.config, sample)) : route.targets;
    if (targets.length === 0) { this.counters.unmatched++; return MATCHED[0]; }
    // All or none: a sample one of its characteristics refuses goes to the dead letters whole.
    for (let i = 0; i < targets.length; i++) {
      const refused = this.refusal(targets[i], sample);
      if (refused) return refused;
    }
    for (let i = 0; i < targets.length; i++) targets[i].accept(sample, emit);
    return matchedOutcome(targets.length);
  }

  /** The outcome when `t` cannot use the sample (counted as rejected), else undefined. */
  private refusal(t: Target, sample: Sample): SampleOutcome | undefined {
    if (t instanceof SplitCharacteristic) {
      const why = t.reject(sample);
      if (why === undefined) return undefined;
      this.counters.rejected++;
      return why.reason === 'too-many-splits' ? { matched: 0, rejected: why.message, reason: why.reason } : { matched: 0, rejected: why.message };
    }
    const why = t.reject(sample);
    if (why === undefined) return undefined;
    this.counters.rejected++;
    return { matched: 0, rejected: why };
  }

  /**
   * A hold of the characteristic was released: its next hold is a new one, and that hold's
   * change-point window starts after this point.
   */
  released(id: string, split?: SplitValues): void {
    const t = this.runners.find((r) => r.id === id);
    if (t instanceof SplitCharacteristic) t.released(split); else t?.released();
  }

  /**
   * Approved limits take effect (a limits version): from the next point on, the characteristic
   * (or its split) plots against `params`; Phase I, if still collecting, ends. False when there is
   * no such characteristic or split.
   */
  applyLimits(id: string, split: SplitValues | undefined, params: ChartParameters, version: number): boolean {
    const t = this.runners.find((r) => r.id === id);
    const runner = t instanceof SplitCharacteristic ? t.runnerOf(split) : t;
    if (!runner) return false;
    runner.applyLimits(params, version);
    return true;
  }

  /** One characteristic's summary (capability once its limits are locked); of a split one, the split's (or its first). */
  summaryOf(id: string, split?: SplitValues): SummaryRecord | undefined {
    const t = this.runners.find((r) => r.id === id);
    return t instanceof SplitCharacteristic ? t.summaryOf(split) : t?.summary();
  }

  /** Snapshots of the characteristics `include` selects (all by default). */
  saveStates(include: (id: string) => boolean = () => true): Record<string, CharacteristicSnapshot | SplitSnapshot> {
    const out: Record<string, CharacteristicSnapshot | SplitSnapshot> = {};
    for (const r of this.runners) if (include(r.id)) out[r.id] = r.saveState();
    return out;
  }

  /**
   * Puts the selected characteristics back where `states` left them; a selected one missing from
   * `states` (or saved under another configuration) starts afresh. Routing is unchanged.
   */
  restoreStates(states: Readonly<Record<string, CharacteristicSnapshot | SplitSnapshot>>, include: (id: string) => boolean = () => true): { restored: number; fresh: number } {
    let restored = 0, fresh = 0;
    for (const r of this.runners) {
      if (!include(r.id)) continue;
      const s = Object.hasOwn(states, r.id) ? states[r.id] : undefined;
      const ok = r instanceof SplitCharacteristic
        ? r.restoreState(s && 'splits' in s ? s : undefined)
        : r.restoreState(s && !('splits' in s) ? s : undefined);
      if (ok) restored++; else fresh++;
    }
    return { restored, fresh };
  }

  summaries(): SummaryRecord[] {
    return this.runners.flatMap((r) => (r instanceof SplitCharacteristic ? r.summaries() : [r.summary()]));
  }
}
