import type { Sample, Signal } from '../core/index.js';

/** A sample with its place in the stream, ready for the `samples` table. */
export interface TraceRow { source: string; seq: number; item: number; sample: Sample }

/** An audited action, as written (the store adds its id and time). */
/** Which holds and audit entries a Pareto counts: lines (a token's), one characteristic, a period [from, to). */
export interface ParetoFilter { lines?: readonly string[]; characteristic?: string; from?: string; to?: string }

export interface AuditRecord { actor: string; role: string; action: string; target: string; line?: string | null; reason: string | null; detail: unknown }

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
