import { seriesId, type AlarmSignal, type HoldSignal, type Sample, type Signal } from '../../core/index.js';

/** A limit_versions row with numbers as numbers and times as ISO strings (pg returns bigint as text, timestamptz as Date). */
function limitRow(r: LimitVersionRow): LimitVersionRow {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v as string | null));
  return { ...r, id: Number(r.id), center: Number(r.center), sigma: Number(r.sigma), points: Number(r.points), excluded: (r.excluded ?? []).map(Number),
    before_center: r.before_center === null ? null : Number(r.before_center), before_sigma: r.before_sigma === null ? null : Number(r.before_sigma),
    window_from: iso(r.window_from), window_to: iso(r.window_to), proposed_at: iso(r.proposed_at)!, approved_at: iso(r.approved_at) };
}
import type { AuditRecord, GenealogyWriter, LimitsStore, LimitVersionRow, ParetoFilter, Refused, SampleWindow, TraceRow } from '../../ports/genealogy.js';
import type { SqlClient } from './sql.js';

export type { TraceRow };

export interface UnitHistory {
  unit: string;
  samples: { ts: string; line: string; station: string; parameter: string; value: number; lot: string | null; operator: string | null; equipment: string | null; product: string | null; attributes: Record<string, string> | null }[];
  holds: { id: string; kind: string; characteristic: string; rule: string; state: string; raised_at: string }[];
}

export interface LotUnits { lot: string; units: { unit: string; line: string; station: string; last_seen: string }[] }

/** What units share: the likely cause of a hold. `share` = units with that value / units asked about. */
export interface CommonCause { kind: 'lot' | 'operator' | 'equipment'; value: string; units: number; share: number }

export interface HoldTrace {
  hold: Record<string, unknown>;
  units: string[];
  commonCauses: CommonCause[];
}

export interface AuditEntry { [key: string]: unknown; id: number; at: string; actor: string; role: string; action: string; target: string; line?: string | null; reason: string | null; detail: unknown }

/** Lines a reader may see; undefined = every line. Trace and audit queries keep to them. */
export type LineScope = readonly string[] | undefined;

/**
 * Whether an error is the store refusing the data itself (SQLSTATE class 22 data exception,
 * 23 integrity constraint violation, 54 program limit exceeded; PostgreSQL manual, Appendix A),
 * as opposed to a lost connection or a server going down, which a retry can cure.
 */
export function isRowError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

/**
 * Runs `write` on all rows; when the store refuses the data (isRowError), halves the rows until
 * the refused ones stand alone, writes the rest, and returns the refused rows with the error.
 * k bad rows among n cost O(k log n) statements. Other errors are thrown (the caller retries).
 */
async function writeRefusing<T>(rows: readonly T[], write: (rows: readonly T[]) => Promise<void>, refused: Refused<T>[] = []): Promise<Refused<T>[]> {
  if (!rows.length) return refused;
  try {
    await write(rows);
  } catch (err) {
    if (!isRowError(err)) throw err;
    if (rows.length === 1) refused.push({ row: rows[0], error: (err as Error).message });
    else {
      const mid = rows.length >> 1;
      await writeRefusing(rows.slice(0, mid), write, refused);
      await writeRefusing(rows.slice(mid), write, refused);
    }
  }
  return refused;
}

/** Rows per INSERT: large enough to amortize round trips, small enough for PGlite's memory. */
const INSERT_CHUNK = 5000;

/**
 * Genealogy and hold records on PostgreSQL or PGlite, with the trace queries. Writes are batched
 * (one INSERT … SELECT FROM unnest(…) per chunk) and idempotent, so a redelivered message is harmless.
 */
export class GenealogyStore implements GenealogyWriter, LimitsStore {
  constructor(readonly db: SqlClient) {}

  /** Stores samples; returns those the store refused for their content (the rest are stored). */
  async writeSamples(rows: readonly TraceRow[]): Promise<Refused<TraceRow>[]> {
    const refused: Refused<TraceRow>[] = [];
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) await writeRefusing(rows.slice(i, i + INSERT_CHUNK), (chunk) => this.insertSamples(chunk), refused);
    return refused;
  }

  private async insertSamples(chunk: readonly TraceRow[]): Promise<void> {
    const col = <T>(f: (r: TraceRow) => T) => chunk.map(f);
    await this.db.query(
      `INSERT INTO samples (source, stream_seq, item, ts, unit, lot, line, station, parameter, value, operator, equipment, product, attributes, n)
       SELECT source, seq, item, ts, unit, lot, line, station, parameter, value, operator, equipment, product, attributes::jsonb, n
       FROM unnest($1::text[], $2::bigint[], $3::int[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::float8[], $11::text[], $12::text[], $13::text[], $14::text[], $15::float8[])
         AS t (source, seq, item, ts, unit, lot, line, station, parameter, value, operator, equipment, product, attributes, n)
       ON CONFLICT DO NOTHING`,
      [col((r) => r.source), col((r) => r.seq), col((r) => r.item), col((r) => r.sample.ts), col((r) => r.sample.unit), col((r) => r.sample.lot ?? null),
        col((r) => r.sample.line), col((r) => r.sample.station), col((r) => r.sample.parameter), col((r) => r.sample.value),
        col((r) => r.sample.operator ?? null), col((r) => r.sample.equipment ?? null),
        col((r) => r.sample.product ?? null), col((r) => (r.sample.attributes ? JSON.stringify(r.sample.attributes) : null)), col((r) => r.sample.n ?? null)],
    );
  }

  /**
   * Records holds and alarms (raised, extended, released, cleared) with their units; returns those
   * the store refused. A latched hold sends a revision per point: the revisions of one hold in a
   * batch are merged (the latest values, every unit added) and all holds are written by two
   * set-based statements, not two round trips per revision (which bound a latched line to a few
   * thousand points per second). A release or clear is written in its place in the order, after
   * the revisions before it.
   */
  async writeSignals(signals: readonly Signal[]): Promise<Refused<Signal>[]> {
    const refused: Refused<Signal>[] = [];
    let pending = new Map<string, HoldSignal | AlarmSignal>();
    const flush = async () => {
      if (!pending.size) return;
      const rows = [...pending.values()];
      pending = new Map();
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) refused.push(...await writeRefusing(rows.slice(i, i + INSERT_CHUNK), (chunk) => this.upsertHolds(chunk)));
    };
    for (const s of signals) {
      if (s.type === 'hold' || s.type === 'alarm') {
        const before = pending.get(s.id);
        // The latest values, every unit, and rev 1's change point (later revisions do not repeat it).
        pending.set(s.id, before ? { ...s, added: before.added.concat(s.added), changePoint: before.changePoint ?? s.changePoint } : s);
        continue;
      }
      await flush();
      await writeRefusing([s], ([one]) => this.writeLifecycle(one), refused);
    }
    await flush();
    return refused;
  }

  private async writeLifecycle(s: Signal): Promise<void> {
    if (s.type === 'release') {
      await this.db.query(`UPDATE holds SET state = 'released', released_at = $2, released_by = $3, release_reason = $4, updated_at = $2, cause_code = $5, action_code = $6, signed_by = $7 WHERE id = $1`,
        [s.id, s.ts, s.by, s.reason, s.causeCode ?? null, s.actionCode ?? null, s.signature?.signer ?? null]);
    } else if (s.type === 'limits') {
      const series = seriesId(s.characteristic, s.split);
      if (s.kind === 'phase1') {
        // Once per series: a retried batch (or a replay that is not silent) must not add a second version 1.
        await this.db.query(`INSERT INTO limit_versions (characteristic, series, split, line, kind, state, version, center, sigma, points, excluded, proposed_by, proposed_at, reason)
          SELECT $1::text, $2::text, $3::jsonb, $4::text, 'phase1', 'in-effect', $10::int, $5::float8, $6::float8, $7::int, $8::int[], 'phase1', $9::timestamptz, 'Phase I limits locked'
          WHERE NOT EXISTS (SELECT 1 FROM limit_versions WHERE series = $2::text AND kind = 'phase1' AND version = $10::int)`,
        [s.characteristic, series, s.split ? JSON.stringify(s.split) : null, s.line, s.center, s.sigma, s.points, s.excluded, s.ts, s.version]);
      } else {
        // The approved proposal takes effect; the version it replaces is superseded by it.
        await this.db.query(`UPDATE limit_versions SET state = 'in-effect', version = $5, approved_by = $2, approved_at = $3, meaning = $4 WHERE id = $1`,
          [s.proposal, s.approval?.signer ?? null, s.approval?.at ?? s.ts, s.approval?.meaning ?? null, s.version]);
      }
    } else if (s.type === 'alarm-clear') {
      await this.db.query(`UPDATE holds SET state = 'cleared', updated_at = $2 WHERE id = $1 AND kind = 'alarm'`, [s.id, s.ts]);
    }
  }

  /**
   * One row per hold (ids distinct: ON CONFLICT may touch a row once per statement) and their new
   * units, in one statement (a data-modifying WITH): a unit the store refuses refuses its hold's
   * row with it, so a quarantined revision leaves nothing half written.
   */
  private async upsertHolds(rows: readonly (HoldSignal | AlarmSignal)[]): Promise<void> {
    const col = <T>(f: (r: HoldSignal | AlarmSignal) => T) => rows.map(f);
    const ids: string[] = [], units: string[] = [];
    for (const s of rows) for (const u of s.added) { ids.push(s.id); units.push(u); }
    await this.db.query(
      `WITH h AS (
         INSERT INTO holds (id, kind, line, station, characteristic, rule, state, raised_at, updated_at, statistic, ucl, lcl, change_point)
         SELECT id, kind, line, station, characteristic, rule, 'active', raised_at, updated_at, statistic, ucl, lcl, change_point::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::float8[], $10::float8[], $11::float8[], $14::text[])
           AS t (id, kind, line, station, characteristic, rule, raised_at, updated_at, statistic, ucl, lcl, change_point)
         ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, statistic = excluded.statistic, ucl = excluded.ucl, lcl = excluded.lcl
         RETURNING 1)
       INSERT INTO hold_units (hold_id, unit) SELECT * FROM unnest($12::text[], $13::text[]) ON CONFLICT DO NOTHING`,
      [col((s) => s.id), col((s) => s.type), col((s) => s.line), col((s) => s.station), col((s) => s.characteristic), col((s) => s.rule),
        col((s) => s.ts), col((s) => s.updated), col((s) => s.statistic), col((s) => s.ucl), col((s) => s.lcl), ids, units,
        col((s) => (s.changePoint ? JSON.stringify(s.changePoint) : null))],
    );
  }

  /** A unit's samples and holds on the given lines. */
  async unitHistory(unit: string, lines?: LineScope): Promise<UnitHistory> {
    const samples = await this.db.query<UnitHistory['samples'][number]>(
      'SELECT ts, line, station, parameter, value, lot, operator, equipment, product, attributes FROM samples WHERE unit = $1 AND ($2::text[] IS NULL OR line = ANY($2)) ORDER BY ts, station, parameter', [unit, lines ?? null]);
    const holds = await this.db.query<UnitHistory['holds'][number]>(
      'SELECT h.id, h.kind, h.line, h.characteristic, h.rule, h.state, h.raised_at FROM hold_units hu JOIN holds h ON h.id = hu.hold_id WHERE hu.unit = $1 AND ($2::text[] IS NULL OR h.line = ANY($2)) ORDER BY h.raised_at', [unit, lines ?? null]);
    return { unit, samples: samples.map(isoTimes), holds: holds.map(isoTimes) };
  }

  /** Lines a unit was measured on (to tell "not yours" from "unknown"). */
  async unitLines(unit: string): Promise<string[]> {
    return (await this.db.query<{ line: string }>('SELECT DISTINCT line FROM samples WHERE unit = $1 ORDER BY line', [unit])).map((r) => r.line);
  }

  /** Every unit of a lot on the given lines and where it was seen last (the station of its latest sample). */
  async lotUnits(lot: string, lines?: LineScope): Promise<LotUnits> {
    const units = await this.db.query<LotUnits['units'][number]>(
      'SELECT DISTINCT ON (unit) unit, line, station, ts AS last_seen FROM samples WHERE lot = $1 AND ($2::text[] IS NULL OR line = ANY($2)) ORDER BY unit, ts DESC', [lot, lines ?? null]);
    return { lot, units: units.map(isoTimes) };
  }

  /** Units measured at a station of the given lines in [from, to), of one product when given. */
  async unitsThrough(station: string, from: string, to: string, lines?: LineScope, product?: string): Promise<string[]> {
    return (await this.db.query<{ unit: string }>('SELECT DISTINCT unit FROM samples WHERE station = $1 AND ts >= $2 AND ts < $3 AND ($4::text[] IS NULL OR line = ANY($4)) AND ($5::text IS NULL OR product = $5) ORDER BY unit', [station, from, to, lines ?? null, product ?? null])).map((r) => r.unit);
  }

  /** A hold's units in unit order, after `afterUnit` (a page of at most `limit`). */
  async holdUnits(id: string, afterUnit: string | undefined, limit: number): Promise<string[]> {
    return (await this.db.query<{ unit: string }>('SELECT unit FROM hold_units WHERE hold_id = $1 AND ($2::text IS NULL OR unit > $2) ORDER BY unit LIMIT $3', [id, afterUnit ?? null, limit])).map((r) => r.unit);
  }

  /** The line of a hold or alarm ever recorded, or undefined. */
  async holdLine(id: string): Promise<string | undefined> {
    return (await this.db.query<{ line: string }>('SELECT line FROM holds WHERE id = $1', [id]))[0]?.line;
  }

  /** Lots, operators and equipment that the given units have in common, most shared first. */
  async commonCauses(units: readonly string[]): Promise<CommonCause[]> {
    if (!units.length) return [];
    const rows = await this.db.query<{ kind: CommonCause['kind']; value: string; units: string }>(
      `WITH s AS (SELECT DISTINCT unit, lot, operator, equipment FROM samples WHERE unit = ANY($1::text[]))
       SELECT 'lot' AS kind, lot AS value, count(DISTINCT unit) AS units FROM s WHERE lot IS NOT NULL GROUP BY lot
       UNION ALL SELECT 'operator', operator, count(DISTINCT unit) FROM s WHERE operator IS NOT NULL GROUP BY operator
       UNION ALL SELECT 'equipment', equipment, count(DISTINCT unit) FROM s WHERE equipment IS NOT NULL GROUP BY equipment
       ORDER BY units DESC, kind, value LIMIT 20`, [units]);
    return rows.map((r) => ({ kind: r.kind, value: r.value, units: Number(r.units), share: Number(r.units) / units.length }));
  }

  /** A hold, its suspect units and what they have in common. */
  async holdTrace(id: string): Promise<HoldTrace | undefined> {
    const [hold] = await this.db.query<Record<string, unknown>>('SELECT * FROM holds WHERE id = $1', [id]);
    if (!hold) return undefined;
    const units = (await this.db.query<{ unit: string }>('SELECT unit FROM hold_units WHERE hold_id = $1 ORDER BY unit', [id])).map((r) => r.unit);
    return { hold: isoTimes(hold), units, commonCauses: await this.commonCauses(units) };
  }

  /** Records the assignable cause and the corrective action of a hold (either may be left as it is). */
  async recordCause(id: string, assignableCause: string | undefined, correctiveAction: string | undefined): Promise<boolean> {
    const rows = await this.db.query('UPDATE holds SET assignable_cause = COALESCE($2, assignable_cause), corrective_action = COALESCE($3, corrective_action) WHERE id = $1 RETURNING id',
      [id, assignableCause ?? null, correctiveAction ?? null]);
    return rows.length === 1;
  }

  /** Audit entries in order; returns those the store refused for their content. */
  async writeAudit(entries: readonly AuditRecord[]): Promise<Refused<AuditRecord>[]> {
    const refused: Refused<AuditRecord>[] = [];
    for (const e of entries) await writeRefusing([e], ([one]) => this.audit(one), refused);
    return refused;
  }

  async audit(entry: AuditRecord): Promise<void> {
    await this.db.query('INSERT INTO audit (actor, role, action, target, line, reason, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [entry.actor, entry.role, entry.action, entry.target, entry.line ?? null, entry.reason, entry.detail === undefined ? null : JSON.stringify(entry.detail)]);
  }

  /** The latest audit entries about the given lines (all, for a reader without a line scope). */
  async auditLog(limit = 100, lines?: LineScope): Promise<AuditEntry[]> {
    return (await this.db.query<AuditEntry>('SELECT id, at, actor, role, action, target, line, reason, detail FROM audit WHERE $2::text[] IS NULL OR line = ANY($2) ORDER BY id DESC LIMIT $1', [limit, lines ?? null])).map((r) => ({ ...isoTimes(r), id: Number(r.id) }));
  }

  /**
   * A Pareto: counts per assignable-cause code (releases and acknowledgements in the audit trail)
   * or per rule (holds and alarms raised), most frequent first, within lines, a characteristic and
   * a period.
   */
  async pareto(of: 'cause' | 'rule', f: ParetoFilter): Promise<{ key: string; count: number }[]> {
    const params = [f.lines ?? null, f.characteristic ?? null, f.from ?? null, f.to ?? null];
    const sql = of === 'cause'
      ? `SELECT detail->>'causeCode' AS key, count(*)::int AS count FROM audit
         WHERE action IN ('release', 'acknowledge') AND detail->>'causeCode' IS NOT NULL
           AND ($1::text[] IS NULL OR line = ANY($1)) AND ($2::text IS NULL OR detail->>'characteristic' = $2)
           AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
         GROUP BY 1 ORDER BY 2 DESC, 1`
      : `SELECT rule AS key, count(*)::int AS count FROM holds
         WHERE ($1::text[] IS NULL OR line = ANY($1)) AND ($2::text IS NULL OR characteristic = $2)
           AND ($3::timestamptz IS NULL OR raised_at >= $3) AND ($4::timestamptz IS NULL OR raised_at < $4)
         GROUP BY 1 ORDER BY 2 DESC, 1`;
    return (await this.db.query<{ key: string; count: number }>(sql, params)).map((r) => ({ key: r.key, count: Number(r.count) }));
  }

  /** On-time rate of manual checks per line and station, from the audit trail (entries are audited with onTime). */
  async checkOnTime(lines?: readonly string[]): Promise<{ line: string; station: string; done: number; onTime: number; rate: number }[]> {
    const rows = await this.db.query<{ line: string; station: string; done: number; on_time: number }>(
      `SELECT line, detail->>'station' AS station, count(*)::int AS done, count(*) FILTER (WHERE (detail->>'onTime')::boolean)::int AS on_time
       FROM audit WHERE action = 'check' AND ($1::text[] IS NULL OR line = ANY($1)) GROUP BY 1, 2 ORDER BY 1, 2`, [lines ?? null]);
    return rows.map((r) => ({ line: r.line, station: r.station, done: Number(r.done), onTime: Number(r.on_time), rate: Number(r.on_time) / Number(r.done) }));
  }

  /** A characteristic's samples in a time window [from, to], in stream order, at most `limit`. */
  async samplesIn(w: SampleWindow, limit: number): Promise<Sample[]> {
    const rows = await this.db.query<{ ts: Date | string; unit: string; lot: string | null; value: number; n: number | null; product: string | null; attributes: Record<string, string> | null }>(
      `SELECT ts, unit, lot, value, n, product, attributes FROM samples
       WHERE line = $1 AND station = $2 AND parameter = $3 AND ts >= $4 AND ts <= $5
         AND ($6::text IS NULL OR product = $6) AND ($7::jsonb IS NULL OR attributes @> $7::jsonb)
       ORDER BY ts, source, stream_seq, item LIMIT $8`,
      [w.line, w.station, w.parameter, w.from, w.to, w.product ?? null, w.attributes ? JSON.stringify(w.attributes) : null, limit]);
    return rows.map((r) => ({
      ts: r.ts instanceof Date ? r.ts.toISOString() : r.ts, line: w.line, station: w.station, parameter: w.parameter, value: Number(r.value), unit: r.unit,
      ...(r.lot !== null ? { lot: r.lot } : {}), ...(r.n !== null ? { n: Number(r.n) } : {}), ...(r.product !== null ? { product: r.product } : {}), ...(r.attributes ? { attributes: r.attributes } : {}),
    }));
  }

  async proposeLimits(row: Parameters<LimitsStore['proposeLimits']>[0]): Promise<LimitVersionRow> {
    const [r] = await this.db.query<LimitVersionRow>(
      `INSERT INTO limit_versions (characteristic, series, split, line, kind, state, center, sigma, points, excluded, window_from, window_to, before_center, before_sigma, reason, proposed_by)
       VALUES ($1, $2, $3::jsonb, $4, 'recalculation', 'proposed', $5, $6, $7, $8::int[], $9, $10, $11, $12, $13, $14) RETURNING *`,
      [row.characteristic, row.series, row.split ? JSON.stringify(row.split) : null, row.line, row.center, row.sigma, row.points, row.excluded, row.window_from, row.window_to, row.before_center, row.before_sigma, row.reason, row.proposed_by]);
    return limitRow(r);
  }

  async limitVersion(id: number): Promise<LimitVersionRow | undefined> {
    const [r] = await this.db.query<LimitVersionRow>('SELECT * FROM limit_versions WHERE id = $1', [id]);
    return r && limitRow(r);
  }

  /** Limits versions, oldest first, of some lines, one series or characteristic, or one state. */
  async limitVersions(f: { lines?: readonly string[]; series?: string; characteristic?: string; state?: string }): Promise<LimitVersionRow[]> {
    return (await this.db.query<LimitVersionRow>(
      `SELECT * FROM limit_versions WHERE ($1::text[] IS NULL OR line = ANY($1)) AND ($2::text IS NULL OR series = $2)
         AND ($3::text IS NULL OR characteristic = $3) AND ($4::text IS NULL OR state = $4) ORDER BY id LIMIT 1000`,
      [f.lines ?? null, f.series ?? null, f.characteristic ?? null, f.state ?? null])).map(limitRow);
  }

  /** Holds still active, e.g. to restore them after a restart. */
  async activeHoldIds(): Promise<string[]> {
    return (await this.db.query<{ id: string }>("SELECT id FROM holds WHERE state = 'active' AND kind = 'hold' ORDER BY raised_at")).map((r) => r.id);
  }
}

/** Dates as ISO strings, the same from pg (Date) and PGlite (Date). */
function isoTimes<T extends Record<string, unknown>>(row: T): T {
  const out: Record<string, unknown> = { ...row };
  for (const [k, v] of Object.entries(out)) if (v instanceof Date) out[k] = v.toISOString();
  return out as T;
}
