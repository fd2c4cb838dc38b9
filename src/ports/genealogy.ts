import type { Sample, Signal } from '../core/index.js';

/** A sample with its place in the stream, ready for the `samples` table. */
export interface TraceRow { source: string; seq: number; item: number; sample: Sample }

/** Which holds and audit entries a Pareto counts: lines (a token's), one characteristic, a period [from, to). */
export interface ParetoFilter { lines?: readonly string[]; characteristic?: string; from?: string; to?: string }

/** An audited action, as written (the store adds its id and time). */
export interface AuditRecord { actor: string; role: string; action: string; target: string; line?: string | null; reason: string | null; detail: unknown }

/** Where a characteristic's samples come from, for recalculating its limits over a window. */
export interface SampleWindow {
  line: string; station: string; parameter: string; product?: string; attributes?: Readonly<Record<string, string>>;
  from: string; to: string;
}

/** A limits version as the store keeps it (table limit_versions). */
export interface LimitVersionRow {
  id: number; characteristic: string; series: string; split: Record<string, string> | null; line: string;
  kind: 'phase1' | 'recalculation'; state: 'proposed' | 'approved' | 'rejected' | 'in-effect'; version: number | null;
  center: number; sigma: number; points: number; excluded: number[];
  window_from: string | null; window_to: string | null; before_center: number | null; before_sigma: number | null;
  reason: string | null; proposed_by: string; proposed_at: string; approved_by: string | null; approved_at: string | null; meaning: string | null;
}

/** Limits versions: proposals, and the samples a recalculation reads. */
export interface LimitsStore {
  samplesIn(w: SampleWindow, limit: number): Promise<Sample[]>;
  proposeLimits(row: Omit<LimitVersionRow, 'id' | 'state' | 'version' | 'proposed_at' | 'approved_by' | 'approved_at' | 'meaning' | 'kind'>): Promise<LimitVersionRow>;
  limitVersion(id: number): Promise<LimitVersionRow | undefined>;
  limitVersions(f: { lines?: readonly string[]; series?: string; characteristic?: string; state?: string }): Promise<LimitVersionRow[]>;
}

/** A row the store refused for what it contains; retrying it cannot help. */
export interface Refused<T> { row: T; error: string }

/**
 * The genealogy store as the worker writes it (PostgreSQL or PGlite in production). Each write
 * is idempotent, and returns the rows refused for their content (the rest are stored); a lost
 * connection is thrown, for the caller to retry.
 */
export interface GenealogyWriter {
  writeSamples(rows: readonly TraceRow[]): Promise<Refused<TraceRow>[]>;
  writeSignals(signals: readonly Signal[]): Promise<Refused<Signal>[]>;
  writeAudit(entries: readonly AuditRecord[]): Promise<Refused<AuditRecord>[]>;
}
