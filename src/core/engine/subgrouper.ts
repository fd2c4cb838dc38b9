import type { Observation } from '../charts/chart.js';
import type { Sample } from '../sample.js';
import { packNumbers, unpackNumbers, type SubgroupSnapshot } from '../state/snapshot.js';

/** A plotted point's input with the samples' identities behind it. */
export interface GroupedObservation {
  obs: Observation;
  units: string[];
  lots: string[];
  ts: string;
  /** Individual values, kept for capability (overall σ) while in Phase I. */
  values: number[];
}

/** Distinct lots in arrival order (subgroups rarely span more than two). */
function pushLot(lots: string[], lot: string | undefined): void {
  if (lot !== undefined && !lots.includes(lot)) lots.push(lot);
}

/**
 * Forms rational subgroups for X̄ charts: consecutive samples in arrival order, or samples
 * sharing a `subgroup` id. A subgroup is complete at `size` samples; when a sample with a new id
 * arrives the open subgroup closes early and is plotted with its own n (≥ 2), or dropped and
 * counted when it holds a single sample (no range or deviation exists for n = 1).
 */
export class Subgrouper {
  private values: number[] = [];
  private units: string[] = [];
  private lots: string[] = [];
  private id: string | number | undefined;
  private lastTs = '';
  dropped = 0;

  constructor(private readonly size: number) {}

  get pending(): number { return this.values.length; }

  saveState(): SubgroupSnapshot {
    return { values: packNumbers(this.values), units: [...this.units], lots: [...this.lots], id: this.id ?? null, lastTs: this.lastTs, dropped: this.dropped };
  }

  static fromState(size: number, s: SubgroupSnapshot | undefined): Subgrouper {
    const g = new Subgrouper(size);
    if (!s) return g;
    g.values = unpackNumbers(s.values); g.units = [...s.units]; g.lots = [...s.lots];
    g.id = s.id ?? undefined; g.lastTs = s.lastTs; g.dropped = s.dropped;
    return g;
  }

  add(sample: Sample): GroupedObservation | undefined {
    let closed: GroupedObservation | undefined;
    if (sample.subgroup !== undefined && this.values.length > 0 && sample.subgroup !== this.id) {
      if (this.values.length >= 2) closed = this.close();
      else { this.dropped += this.values.length; this.reset(); }
    }
    this.id = sample.subgroup;
    this.values.push(sample.value);
    this.units.push(sample.unit);
    pushLot(this.lots, sample.lot);
    this.lastTs = sample.ts;
    if (this.values.length === this.size) return this.close();
    return closed;
  }

  private close(): GroupedObservation {
    const values = this.values;
    const n = values.length;
    let sum = 0, min = Infinity, max = -Infinity;
    for (const v of values) { sum += v; if (v < min) min = v; if (v > max) max = v; }
    const mean = sum / n;
    let ss = 0;
    for (const v of values) ss += (v - mean) * (v - mean);
    const group: GroupedObservation = {
      obs: { x: mean, n, range: max - min, sd: Math.sqrt(ss / (n - 1)) },
      units: this.units, lots: this.lots, ts: this.lastTs, values,
    };
    this.reset();
    return group;
  }

  private reset(): void {
    this.values = []; this.units = []; this.lots = [];
  }
}

/** One sample as one point (individuals and attribute charts). */
export function singleObservation(sample: Sample, n: number): GroupedObservation {
  return {
    obs: { x: sample.value, n, range: 0, sd: 0, product: sample.product },
    units: [sample.unit], lots: sample.lot === undefined ? [] : [sample.lot], ts: sample.ts, values: [],
  };
}
