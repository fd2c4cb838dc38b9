import type { Sample } from '../core/sample.js';

/** `station.parameter`: how a feature is named in models and cards. */
export const featureOf = (s: Pick<Sample, 'station' | 'parameter'>) => `${s.station}.${s.parameter}`;

/**
 * Rows of complete units from history, in the order each unit completed: for every unit with a
 * value of each feature (the latest value when a feature repeats), the values in `features`' order.
 */
export class HistoryRows {
  private readonly open = new Map<string, { values: (number | undefined)[]; missing: number; firstTs: string }>();
  readonly rows: number[][] = [];
  samples = 0;
  from = '';
  to = '';
  private readonly index: Map<string, number>;

  constructor(readonly features: readonly string[], private readonly line?: string) {
    this.index = new Map(features.map((f, i) => [f, i]));
  }

  add(s: Sample): void {
    if (this.line !== undefined && s.line !== this.line) return;
    const j = this.index.get(featureOf(s));
    if (j === undefined) return;
    this.samples++;
    if (!this.from || s.ts < this.from) this.from = s.ts;
    if (s.ts > this.to) this.to = s.ts;
    let u = this.open.get(s.unit);
    if (!u) { u = { values: new Array(this.features.length).fill(undefined), missing: this.features.length, firstTs: s.ts }; this.open.set(s.unit, u); }
    if (u.values[j] === undefined) u.missing--;
    u.values[j] = s.value;
    if (u.missing === 0) { this.rows.push(u.values as number[]); this.open.delete(s.unit); }
  }

  get incompleteUnits(): number { return this.open.size; }
}
