import type { PointRecord, SummaryRecord } from './records.js';
import { seriesId } from './series.js';
import type { Phase1Revision } from './phase1-revision.js';

/**
 * The review of a Phase I window when its limits lock (Montgomery §6.2: Phase I is retrospective
 * analysis): which points violated which rules — judged after the fact, so they raised nothing —
 * and what the revision dropped. A record of its own in `spc backtest`'s output.
 */
export interface Phase1ReviewRecord {
  type: 'phase1-review';
  characteristic: string;
  split?: Readonly<Record<string, string>>;
  /** When the limits locked (the sample that completed Phase I). */
  ts: string;
  points: number;
  center: number | null;
  sigma: number | null;
  flagged: { index: number; units: readonly string[]; violations: readonly string[] }[];
  revised?: Phase1Revision;
}

/** Collects Phase I points as they are plotted; after each sample, `take` gives the reviews of the limits that locked. */
export class Phase1ReviewCollector {
  private locked: PointRecord[] = [];
  private readonly flagged = new Map<string, Phase1ReviewRecord['flagged']>();

  /** Whether limits locked since the last `take`. */
  get pending(): boolean { return this.locked.length > 0; }

  onPoint(p: PointRecord): void {
    if (p.phase !== 'I') return;
    const series = seriesId(p.characteristic, p.split);
    if (p.index === 1) { this.locked.push(p); this.flagged.set(series, []); }
    if (p.violations.length) this.flagged.get(series)?.push({ index: p.index, units: p.units, violations: p.violations });
  }

  take(summaryOf: (characteristic: string, split?: Readonly<Record<string, string>>) => SummaryRecord | undefined, ts: string): Phase1ReviewRecord[] {
    if (!this.locked.length) return [];
    const out: Phase1ReviewRecord[] = [];
    for (const p of this.locked) {
      const series = seriesId(p.characteristic, p.split);
      const s = summaryOf(p.characteristic, p.split);
      const review = s?.phase1Review;
      out.push({
        type: 'phase1-review', characteristic: p.characteristic, ...(p.split ? { split: p.split } : {}), ts,
        points: review?.points ?? 0, center: s?.center ?? null, sigma: s?.sigma ?? null,
        flagged: this.flagged.get(series) ?? [], ...(review?.revised ? { revised: review.revised } : {}),
      });
      this.flagged.delete(series);
    }
    this.locked = [];
    return out;
  }
}
