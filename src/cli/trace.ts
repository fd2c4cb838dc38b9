import { GenealogyStore } from '../adapters/store/genealogy.js';
import { openSql } from '../adapters/store/sql.js';

export interface TraceOptions { store: string; json?: boolean; from?: string; to?: string; product?: string }

/** `spc trace unit|lot|hold|station ID`: the genealogy answers, as a table or JSON. */
export async function trace(kind: string, id: string, o: TraceOptions): Promise<number> {
  const store = new GenealogyStore(await openSql(o.store));
  const out = (text: string) => process.stdout.write(text + '\n');
  try {
    const started = performance.now();
    let result: unknown;
    if (kind === 'unit') result = await store.unitHistory(id);
    else if (kind === 'lot') result = await store.lotUnits(id);
    else if (kind === 'hold') result = await store.holdTrace(id);
    else if (kind === 'station') {
      if (!o.from || !o.to) throw new RangeError('spc trace station needs --from and --to (ISO-8601 times)');
      result = { station: id, from: o.from, to: o.to, ...(o.product ? { product: o.product } : {}), units: await store.unitsThrough(id, o.from, o.to, undefined, o.product) };
    } else if (kind === 'limits') {
      const versions = await store.limitVersions({ characteristic: id });
      result = versions.length ? { characteristic: id, versions } : undefined;
    } else throw new RangeError(`what to trace must be unit, lot, hold, station or limits (got ${kind})`);
    const ms = performance.now() - started;
    if (result === undefined) { process.stderr.write(`no ${kind} ${id}\n`); return 1; }
    if (o.json) { out(JSON.stringify(result, null, 2)); return 0; }
    if (kind === 'unit') {
      const r = result as Awaited<ReturnType<GenealogyStore['unitHistory']>>;
      out(`unit ${id}: ${r.samples.length} samples, ${r.holds.length} hold(s)`);
      for (const s of r.samples) out(`  ${s.ts}  ${s.line}/${s.station}  ${s.parameter} = ${s.value}  lot ${s.lot ?? '—'}  operator ${s.operator ?? '—'}  equipment ${s.equipment ?? '—'}`);
      for (const h of r.holds) out(`  ${h.kind.toUpperCase()} ${h.id} (${h.rule}, ${h.state}) since ${h.raised_at}`);
    } else if (kind === 'lot') {
      const r = result as Awaited<ReturnType<GenealogyStore['lotUnits']>>;
      out(`lot ${id}: ${r.units.length} units`);
      for (const u of r.units) out(`  ${u.unit}  last at ${u.line}/${u.station}  ${u.last_seen}`);
    } else if (kind === 'hold') {
      const r = result as NonNullable<Awaited<ReturnType<GenealogyStore['holdTrace']>>>;
      out(`hold ${id} (${r.hold.state}): ${r.units.length} suspect units on ${r.hold.line}/${r.hold.station}`);
      const cp = r.hold.change_point as { index: number; lower: number; upper: number; method: string; unit?: string; ts: string } | null | undefined;
      if (cp) out(`  process change estimated at point ${cp.index}${cp.unit ? ` (unit ${cp.unit})` : ''}, ${cp.ts}; confidence set points ${cp.lower}–${cp.upper} (${cp.method}); the suspect window starts at the set's start unless the rules say otherwise`);
      out(`  what they share: ${r.commonCauses.slice(0, 6).map((c) => `${c.kind} ${c.value} ${Math.round(100 * c.share)}%`).join(', ') || 'nothing recorded'}`);
      out(`  units: ${r.units.join(', ')}`);
    } else if (kind === 'limits') {
      const r = result as { versions: Awaited<ReturnType<GenealogyStore['limitVersions']>> };
      out(`limits of ${id}: ${r.versions.length} version(s) and proposal(s)`);
      for (const v of r.versions) {
        out(`  #${v.id} ${v.series} ${v.kind} ${v.state}${v.version ? ` v${v.version}` : ''}: center ${v.center}, sigma ${v.sigma} from ${v.points} points${v.excluded.length ? ` (excluded ${v.excluded.join(', ')})` : ''}`
          + `${v.window_from ? `, samples ${v.window_from} … ${v.window_to}` : ''}; proposed by ${v.proposed_by} ${v.proposed_at}${v.approved_by ? `; ${v.meaning ?? 'approved'} by ${v.approved_by} ${v.approved_at}` : ''}${v.reason ? ` — ${v.reason}` : ''}`);
      }
    } else out(JSON.stringify(result, null, 2));
    process.stderr.write(`(${ms.toFixed(1)} ms)\n`);
    return 0;
  } finally {
    await store.db.close();
  }
}
