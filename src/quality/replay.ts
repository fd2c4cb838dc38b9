import { readSamples } from '../adapters/files/sample-reader.js';
import { SpcEngine, type RuleSetConfig } from '../core/index.js';

/** Per characteristic and day: points plotted, points with a violation, holds and alarms raised. */
export interface ReplayCount { points: number; violations: number; holds: number; alarms: number }
export type ReplayTable = Map<string, Map<string, ReplayCount>>;

const empty = (): ReplayCount => ({ points: 0, violations: 0, holds: 0, alarms: 0 });

/**
 * What a rule set would have fired on history: counts per characteristic and day (UTC) of the
 * points with a violation and of hold / alarm actions. Several rule sets replay in one read.
 */
export async function replayRuleSets(ruleSets: readonly RuleSetConfig[], input: string, onProgress?: (done: number, total: number) => void): Promise<ReplayTable[]> {
  const engines = ruleSets.map((r) => new SpcEngine(r));
  const tables: ReplayTable[] = ruleSets.map(() => new Map());
  await readSamples(input, {
    sample(s) {
      engines.forEach((engine, k) => engine.process(s, (p) => {
        let byDay = tables[k].get(p.characteristic);
        if (!byDay) { byDay = new Map(); tables[k].set(p.characteristic, byDay); }
        const day = p.ts.slice(0, 10);
        let c = byDay.get(day);
        if (!c) { c = empty(); byDay.set(day, c); }
        c.points++;
        if (p.violations.length) c.violations++;
        if (p.actions.includes('hold')) c.holds++;
        if (p.actions.includes('alarm')) c.alarms++;
      }));
    },
    reject() {},
    progress: onProgress,
  });
  return tables;
}

export function total(byDay: Map<string, ReplayCount> | undefined): ReplayCount {
  const t = empty();
  for (const c of byDay?.values() ?? []) { t.points += c.points; t.violations += c.violations; t.holds += c.holds; t.alarms += c.alarms; }
  return t;
}
