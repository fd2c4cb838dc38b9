import { loadRules } from '../rules-file/load.js';
import { replayRuleSets, total, type ReplayTable } from '../quality/replay.js';
import { Progress } from './progress.js';
import { textTable } from './table.js';

export interface ReplayCliOptions { rules: string; from: string; against?: string; byDay?: boolean; json?: boolean }

/**
 * `spc rules replay`: replays history through a candidate rule file (and the current one with
 * --against) and shows alarms and holds per characteristic, and per day with --by-day, so a quality
 * manager sees the alarm load of a change before deploying it.
 */
export async function rulesReplay(o: ReplayCliOptions): Promise<number> {
  const candidate = loadRules(o.rules);
  const current = o.against ? loadRules(o.against) : undefined;
  const progress = new Progress('replay');
  const [next, prev] = await replayRuleSets(current ? [candidate, current] : [candidate], o.from, (d, t) => progress.update(d, t, d, 'bytes'));
  progress.done();
  const ids = [...new Set([...next.keys(), ...(prev?.keys() ?? [])])].sort();
  if (o.json) {
    const toObj = (t: ReplayTable | undefined) => t && Object.fromEntries([...t].map(([id, days]) => [id, Object.fromEntries(days)]));
    process.stdout.write(JSON.stringify({ candidate: toObj(next), current: toObj(prev) }, null, 2) + '\n');
    return 0;
  }
  const cmp = (a: number, b: number | undefined) => (b === undefined ? String(a) : `${a} (was ${b}${a === b ? '' : `, ${a > b ? '+' : ''}${a - b}`})`);
  const rows: string[][] = [];
  for (const id of ids) {
    const a = total(next.get(id)), b = prev ? total(prev.get(id)) : undefined;
    rows.push([id, '', String(a.points), cmp(a.violations, b?.violations), cmp(a.holds, b?.holds), cmp(a.alarms, b?.alarms)]);
    if (o.byDay) for (const day of [...new Set([...(next.get(id)?.keys() ?? []), ...(prev?.get(id)?.keys() ?? [])])].sort()) {
      const d = next.get(id)?.get(day) ?? { points: 0, violations: 0, holds: 0, alarms: 0 }, e = prev?.get(id)?.get(day);
      rows.push(['', day, String(d.points), cmp(d.violations, e?.violations ?? (prev ? 0 : undefined)), cmp(d.holds, e?.holds ?? (prev ? 0 : undefined)), cmp(d.alarms, e?.alarms ?? (prev ? 0 : undefined))]);
    }
  }
  const header = ['characteristic', 'day', 'points', 'points with violations', 'holds', 'alarms'];
  process.stdout.write([...textTable(header, rows), ''].join('\n'));
  return 0;
}
