import { DEFAULT_MAX_SPLITS, type CharacteristicConfig } from '../config.js';
import type { Sample } from '../sample.js';
import type { CharacteristicSnapshot } from '../state/snapshot.js';
import { CharacteristicRunner } from './characteristic.js';
import type { PointSink, SummaryRecord } from './records.js';
import { seriesId, type SplitValues } from './series.js';

export { characteristicOfSeries, seriesId, type SplitValues } from './series.js';

/** What a snapshot keeps of a split characteristic: each split's values and state. */
export interface SplitSnapshot { splits: { values: SplitValues; state: CharacteristicSnapshot }[]; seq?: number }

/** The value of a split key on a sample: `product`, or an attribute. */
const valueOf = (s: Sample, key: string): string | undefined => (key === 'product' ? s.product : s.attributes?.[key]);

/**
 * A characteristic with `by`: one chart per distinct combination of the split keys' values, each
 * a CharacteristicRunner of its own (Phase I, limits, rule state, change-point history), created on
 * its first sample, at most `maxSplits`. Per-product overrides (`products`) give a split its own
 * spec and limits.
 */
export class SplitCharacteristic {
  readonly id: string;
  private readonly splits = new Map<string, CharacteristicRunner>();
  private readonly maxSplits: number;
  /** Restored splits not asked for yet: created when their first sample comes. */
  private pending = new Map<string, { values: SplitValues; state: CharacteristicSnapshot }>();
  /** Points of all splits so far: each point's `seq`. */
  private readonly sequence = { n: 0 };

  constructor(readonly config: CharacteristicConfig) {
    this.id = config.id;
    this.maxSplits = config.maxSplits ?? DEFAULT_MAX_SPLITS;
  }

  /** The map key of a split's values (in `by` order, joined by the unit separator ids never contain). */
  private keyOfValues(values: SplitValues): string { return this.config.by!.map((k) => values[k]).join('\u001f'); }

  private keyOf(s: Sample): { key: string; values: SplitValues } | { missing: string } {
    const values: Record<string, string> = {};
    for (const k of this.config.by!) {
      const v = valueOf(s, k);
      if (v === undefined) return { missing: k };
      values[k] = v;
    }
    return { key: this.keyOfValues(values), values: Object.freeze(values) };
  }

  private runnerFor(key: string, values: SplitValues): CharacteristicRunner {
    let r = this.splits.get(key);
    if (r) return r;
    const o = values.product !== undefined ? this.config.products?.[values.product] : undefined;
    const config: CharacteristicConfig = o ? { ...this.config, ...(o.spec ? { spec: o.spec } : {}), ...(o.limits ? { limits: o.limits } : {}) } : this.config;
    r = new CharacteristicRunner(config, values, this.sequence);
    const restored = this.pending.get(key);
    if (restored) { r.restoreState(restored.state); this.pending.delete(key); }
    this.splits.set(key, r);
    return r;
  }

  /** Why this characteristic cannot use the sample (and a dead-letter reason when not `rejected`). */
  reject(sample: Sample): { reason: 'rejected' | 'too-many-splits'; message: string } | undefined {
    const k = this.keyOf(sample);
    if ('missing' in k) return { reason: 'rejected', message: `${k.missing === 'product' ? 'product' : `attributes.${k.missing}`} is required by characteristic ${this.id} (by: [${this.config.by!.join(', ')}])` };
    if (!this.splits.has(k.key) && this.splits.size >= this.maxSplits) {
      return { reason: 'too-many-splits', message: `characteristic ${this.id} already has ${this.maxSplits} splits (maxSplits); ${seriesId(this.id, k.values)} would be one more` };
    }
    const why = this.runnerFor(k.key, k.values).reject(sample);
    return why === undefined ? undefined : { reason: 'rejected', message: why };
  }

  /** Feeds a sample (already checked with `reject`) to its split's chart. */
  accept(sample: Sample, emit: PointSink): void {
    const k = this.keyOf(sample) as { key: string; values: SplitValues };
    this.runnerFor(k.key, k.values).accept(sample, emit);
  }

  /** The chart of one split (created if its values are new, as a sample of it would). */
  runnerOf(split: SplitValues | undefined): CharacteristicRunner | undefined {
    if (!split) return undefined;
    return this.runnerFor(this.keyOfValues(split), Object.freeze({ ...split }));
  }

  /** A hold of one split was released. */
  released(split: SplitValues | undefined): void {
    if (!split) return;
    this.splits.get(this.keyOfValues(split))?.released();
  }

  saveState(): SplitSnapshot {
    const splits = [...this.pending.values()];
    for (const r of this.splits.values()) splits.push({ values: r.split!, state: r.saveState() });
    return { splits, seq: this.sequence.n };
  }

  /** Puts the splits back as the snapshot left them (each restored on its first sample). */
  restoreState(s: SplitSnapshot | undefined): boolean {
    this.splits.clear();
    this.sequence.n = s?.seq ?? 0;
    this.pending = new Map((s?.splits ?? []).map((x) => [this.keyOfValues(x.values), x]));
    return s !== undefined;
  }

  /** The summary of one split (the first split's without one). */
  summaryOf(split: SplitValues | undefined): SummaryRecord | undefined {
    if (!split) return this.summaries()[0];
    return this.splits.get(this.keyOfValues(split))?.summary();
  }

  /** One summary per split, in the order the splits appeared. */
  summaries(): SummaryRecord[] {
    return [...this.splits.values()].map((r) => r.summary());
  }
}
