import type { CharacteristicConfig, RuleSetConfig } from '../config.js';
import type { Sample } from '../sample.js';
import { CharacteristicRunner } from './characteristic.js';
import type { PointSink, SummaryRecord } from './records.js';

export interface EngineCounters {
  samples: number;
  /** Samples no characteristic matched. */
  unmatched: number;
  /** Samples a matching characteristic could not use (e.g. missing n for a p chart). */
  rejected: number;
}

/** The outcome of one sample: how many characteristics took it, or why it was refused. */
export type SampleOutcome = { matched: number; rejected?: undefined } | { matched: 0; rejected: string };

function matches(c: CharacteristicConfig, s: Sample): boolean {
  const m = c.match;
  return (m.line === undefined || m.line === s.line)
    && (m.station === undefined || m.station === s.station)
    && (m.parameter === undefined || m.parameter === s.parameter);
}

/**
 * Routes samples to characteristics and runs them: sample → characteristic → chart point →
 * rule hits → actions. Routing is cached per (line, station, parameter) in nested maps, so the
 * steady state costs three map look-ups and no allocation.
 */
export class SpcEngine {
  readonly counters: EngineCounters = { samples: 0, unmatched: 0, rejected: 0 };
  private readonly runners: CharacteristicRunner[];
  private readonly byParameter = new Map<string, CharacteristicRunner[]>();
  private readonly anyParameter: CharacteristicRunner[] = [];
  private readonly routes = new Map<string, Map<string, Map<string, CharacteristicRunner[]>>>();

  constructor(readonly ruleSet: RuleSetConfig) {
    this.runners = ruleSet.characteristics.map((c) => new CharacteristicRunner(c));
    for (const r of this.runners) {
      const p = r.config.match.parameter;
      if (p === undefined) this.anyParameter.push(r);
      else {
        const list = this.byParameter.get(p);
        if (list) list.push(r); else this.byParameter.set(p, [r]);
      }
    }
  }

  /** The characteristics a sample belongs to, in rule-file order. */
  route(s: Sample): CharacteristicRunner[] {
    let stations = this.routes.get(s.line);
    if (!stations) { stations = new Map(); this.routes.set(s.line, stations); }
    let parameters = stations.get(s.station);
    if (!parameters) { parameters = new Map(); stations.set(s.station, parameters); }
    let found = parameters.get(s.parameter);
    if (!found) {
      const candidates = [...(this.byParameter.get(s.parameter) ?? []), ...this.anyParameter];
      found = candidates.filter((r) => matches(r.config, s)).sort((a, b) => this.runners.indexOf(a) - this.runners.indexOf(b));
      parameters.set(s.parameter, found);
    }
    return found;
  }

  process(sample: Sample, emit: PointSink): SampleOutcome {
    this.counters.samples++;
    const targets = this.route(sample);
    if (targets.length === 0) { this.counters.unmatched++; return { matched: 0 }; }
    for (const t of targets) {
      const why = t.reject(sample);
      if (why !== undefined) { this.counters.rejected++; return { matched: 0, rejected: why }; }
    }
    for (const t of targets) t.accept(sample, emit);
    return { matched: targets.length };
  }

  summaries(): SummaryRecord[] {
    return this.runners.map((r) => r.summary());
  }
}
