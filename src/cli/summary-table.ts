import { textTable } from './table.js';
import { seriesId, type EngineCounters, type PointRecord, type SummaryRecord } from '../core/index.js';

const fmt = (v: number | null | undefined, digits = 4) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v.toPrecision(digits)).toString());

/** The Anderson–Darling p-value of the Phase I values, flagged when normality is rejected at 5%. */
const normalityOf = (s: SummaryRecord) => (s.normality ? `${fmt(s.normality.pValue, 2)}${s.normality.pValue < 0.05 ? ' !' : ''}` : '—');

/** The human-readable end-of-backtest report: one row per characteristic (per split, named `id[product=…]`). */
export function summaryTable(summaries: SummaryRecord[], counters: EngineCounters, badLines: number, seconds: number, firstHolds = new Map<string, PointRecord>()): string {
  const rows = summaries.map((s) => {
    const hits = Object.entries(s.violations).filter(([, n]) => n! > 0).map(([r, n]) => `${r}×${n}`).join(' ') || 'none';
    const status = s.phase1 ? `Phase I ${s.phase1.collected}/${s.phase1.needed}` : '';
    return [seriesId(s.characteristic, s.split), s.chart, String(s.points), fmt(s.center), fmt(s.sigma), fmt(s.capability?.cpk, 3), normalityOf(s), String(s.actions.hold ?? 0), String(s.actions.alarm ?? 0), status || hits];
  });
  const header = ['characteristic', 'chart', 'points', 'center', 'sigma', 'Cpk', 'normal p', 'holds', 'alarms', 'violations'];
  const out = textTable(header, rows, new Set([2, 3, 4, 5, 6, 7, 8]));
  if (summaries.some((s) => s.normality && s.normality.pValue < 0.05)) out.push('', 'normal p < 0.05: the Phase I values are not normal (Anderson–Darling); Cpk and Ppk assume they are.');
  out.push('');
  for (const [id, p] of firstHolds) out.push(`first hold on ${id}: point ${p.index} (${p.violations.join(', ')}) at ${p.ts}, units ${p.units.join(', ')}${p.lots.length ? `, lot ${p.lots.join(', ')}` : ''}${p.changePoint ? `; change estimated at point ${p.changePoint.index} (set ${p.changePoint.lower}–${p.changePoint.upper})` : ''}`);
  if (firstHolds.size) out.push('');
  out.push(`${counters.samples.toLocaleString('en-US')} samples in ${seconds.toFixed(2)} s · ${counters.unmatched} matched no characteristic · ${counters.rejected + badLines} rejected`);
  return out.join('\n');
}
