import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenealogyStore, type TraceRow } from '../../src/adapters/store/genealogy.js';
import { migrate, openSql, type SqlClient } from '../../src/adapters/store/sql.js';
import { HoldBook, type PointRecord, type Sample } from '../../src/core/index.js';
import { freshPostgres } from './servers.js';

// The same suite on a real PostgreSQL 15 server and on embedded PGlite.
describe.each(['postgres', 'pglite'] as const)('genealogy store on %s', (backend) => {
  let db: SqlClient;
  let store: GenealogyStore;
  let drop = async () => {};

  beforeAll(async () => {
    if (backend === 'postgres') { const fresh = await freshPostgres('store'); drop = fresh.drop; db = await openSql(fresh.url); }
    else db = await openSql('pglite:');
    store = new GenealogyStore(db);
    // Three lots, two operators; units 1..30 through reflow and AOI.
    const rows: TraceRow[] = [];
    let seq = 0;
    for (let u = 1; u <= 30; u++) {
      for (const [station, parameter, value] of [['reflow', 'peak_temp', 245 + (u % 3)], ['aoi', 'defects', u % 4]] as const) {
        const sample: Sample = { ts: new Date(Date.UTC(2026, 10, 25, 6, 0, u, station === 'aoi' ? 500 : 0)).toISOString(), line: 'L1', station, parameter, value, unit: `SN${u}`, lot: `LOT${Math.ceil(u / 10)}`, operator: u <= 20 ? 'op11' : 'op12', equipment: station === 'reflow' ? 'oven-2' : 'aoi-1',
          product: u % 2 ? 'P-100' : 'P-200', ...(station === 'reflow' ? { attributes: { zone: String(u % 3) } } : {}) };
        rows.push({ source: 'SPC_SAMPLES', seq: ++seq, item: 0, sample });
      }
    }
    await store.writeSamples(rows);
    await store.writeSamples(rows.slice(0, 5)); // a redelivery: nothing twice
  });
  afterAll(async () => { await db.close(); await drop(); });

  it('a Phase I lock written twice (a retried batch, a replay that is not silent) is one limits version', async () => {
    const lock = { type: 'limits' as const, id: 'retry.x@v1', line: 'L1', station: 'reflow', characteristic: 'retry.x', version: 1, kind: 'phase1' as const, center: 245, sigma: 1.2, points: 25, excluded: [], ts: '2026-11-25T06:00:00Z' };
    await store.writeSignals([lock]);
    await store.writeSignals([lock]);
    expect((await db.query('SELECT id FROM limit_versions WHERE series = $1', ['retry.x'])).length).toBe(1);
  });

  it('migrations are versioned and applied once', async () => {
    expect(await migrate(db)).toEqual([]);
    expect((await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => Number(r.version))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("a unit's full history, in time order, with its holds", async () => {
    const book = new HoldBook();
    const point = (index: number, unit: string): PointRecord => ({ type: 'point', characteristic: 'reflow.peak_temp', index, phase: 'II', ts: '2026-11-25T06:00:21Z', statistic: 250, center: 245, ucl: 248, lcl: 242, violations: ['we1'], actions: ['hold'], units: [unit], lots: ['LOT3'] });
    await store.writeSignals(book.apply(point(21, 'SN21'), { line: 'L1', station: 'reflow' }));
    await store.writeSignals(book.apply(point(22, 'SN22'), { line: 'L1', station: 'reflow' }));
    const h = await store.unitHistory('SN21');
    expect(h.samples.map((s) => `${s.station}.${s.parameter}`)).toEqual(['reflow.peak_temp', 'aoi.defects']);
    expect(h.samples[0]).toMatchObject({ lot: 'LOT3', operator: 'op12', equipment: 'oven-2', value: 245 });
    expect(h.holds).toEqual([expect.objectContaining({ id: 'reflow.peak_temp#21', state: 'active', kind: 'hold' })]);
  });

  it("a lot's units and where each was seen last", async () => {
    const lot = await store.lotUnits('LOT2');
    expect(lot.units.map((u) => u.unit).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `SN${i + 11}`).sort());
    expect(lot.units.every((u) => u.station === 'aoi')).toBe(true);
  });

  it('units through a station in a time window', async () => {
    expect(await store.unitsThrough('reflow', '2026-11-25T06:00:05Z', '2026-11-25T06:00:08Z')).toEqual(['SN5', 'SN6', 'SN7']);
    expect(await store.unitsThrough('reflow', '2026-11-25T06:00:05Z', '2026-11-25T06:00:08Z', undefined, 'P-100')).toEqual(['SN5', 'SN7']);
    const h = await store.unitHistory('SN7');
    expect(h.samples[0]).toMatchObject({ station: 'reflow', product: 'P-100', attributes: { zone: '1' } });
  });

  it("a hold's suspect units and the lot, operator and equipment they share", async () => {
    const t = await store.holdTrace('reflow.peak_temp#21');
    expect(t!.units).toEqual(['SN21', 'SN22']);
    expect(t!.commonCauses.slice(0, 3)).toEqual([
      { kind: 'equipment', value: 'aoi-1', units: 2, share: 1 },
      { kind: 'equipment', value: 'oven-2', units: 2, share: 1 },
      { kind: 'lot', value: 'LOT3', units: 2, share: 1 },
    ]);
    expect(t!.commonCauses).toContainEqual({ kind: 'operator', value: 'op12', units: 2, share: 1 });
    expect(await store.holdTrace('nope')).toBeUndefined();
  });

  it('one batch of many revisions, a release among them, and a unit the store refuses: every unit once, the release after its revisions', async () => {
    const book = new HoldBook();
    const at = { line: 'L9', station: 'wave' };
    const point = (index: number, unit: string, value = 9): PointRecord => ({ type: 'point', characteristic: 'wave.temp', index, phase: 'II', ts: `2026-11-25T08:00:${String(index).padStart(2, '0')}Z`, statistic: value, center: 0, ucl: 3, lcl: -3, violations: ['we1'], actions: ['hold'], units: [unit], lots: [] });
    const batch = [];
    const changePoint = { index: 1, lower: 1, upper: 2, method: 'normal-mean-mle' as const, unit: 'W1', ts: '2026-11-25T08:00:01.000Z' };
    for (let i = 1; i <= 30; i++) batch.push(...book.apply({ ...point(i, `W${i}`, i), ...(i === 1 ? { changePoint } : {}) }, at));
    batch.push(book.release('wave.temp#1', 'qm-anna', 'nozzle cleaned', '2026-11-25T08:01:00Z')!);
    batch.push(...book.apply(point(40, 'W40'), at), ...book.apply(point(41, 'W\u0000bad'), at), ...book.apply(point(42, 'W42'), at));
    expect(batch.filter((s) => s.type === 'hold').length).toBe(33); // a revision per point
    const refused = await store.writeSignals(batch);
    const first = await store.holdTrace('wave.temp#1');
    expect(first!.units).toEqual(Array.from({ length: 30 }, (_, i) => `W${i + 1}`).sort());
    expect(first!.hold).toMatchObject({ state: 'released', release_reason: 'nozzle cleaned', statistic: 30, change_point: changePoint });
    // The second hold's revisions merge into one row; its text with NUL is refused (PostgreSQL
    // SQLSTATE 22021, PGlite the same) and comes back whole, not silently dropped.
    expect(await store.holdTrace('wave.temp#40')).toBeUndefined(); // nothing half written
    expect(refused.map((r) => r.row.id)).toEqual(['wave.temp#40']);
    expect((refused[0].row as { added: string[] }).added).toEqual(['W40', 'W\u0000bad', 'W42']);
  });

  it('a release is recorded, and the audit table cannot be edited or deleted', async () => {
    const book = new HoldBook();
    book.apply({ type: 'point', characteristic: 'reflow.peak_temp', index: 21, phase: 'II', ts: 'x', statistic: 0, center: 0, ucl: 0, lcl: 0, violations: ['we1'], actions: ['hold'], units: ['SN21'], lots: [] }, { line: 'L1', station: 'reflow' });
    const release = book.release('reflow.peak_temp#21', 'qm-anna', 'profile fixed', '2026-11-25T07:00:00Z')!;
    await store.writeSignals([release]);
    await store.audit({ actor: 'qm-anna', role: 'quality', action: 'release', target: release.id, reason: 'profile fixed', detail: { units: 2 } });
    expect((await store.holdTrace(release.id))!.hold).toMatchObject({ state: 'released', released_by: 'qm-anna', release_reason: 'profile fixed' });
    const [entry] = await store.auditLog(1);
    expect(entry).toMatchObject({ actor: 'qm-anna', role: 'quality', action: 'release', target: 'reflow.peak_temp#21', reason: 'profile fixed', detail: { units: 2 } });
    expect(await store.recordCause(release.id, 'oven zone 3 heater drift', 'heater replaced, profile re-qualified')).toBe(true);
    expect((await store.holdTrace(release.id))!.hold).toMatchObject({ assignable_cause: 'oven zone 3 heater drift', corrective_action: 'heater replaced, profile re-qualified' });
    expect(await store.recordCause('nope', 'x', undefined)).toBe(false);
    await expect(db.query('UPDATE audit SET reason = $1', ['nothing happened'])).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit')).rejects.toThrow(/append-only/);
    expect((await store.auditLog(10)).length).toBe(1);
  });
});
