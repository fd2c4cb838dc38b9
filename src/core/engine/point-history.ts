import type { SnapNumber } from '../state/snapshot.js';
import { packNumbers, unpackNumbers } from '../state/snapshot.js';

/** Separators of packed unit lists: ASCII unit and record separators, which ids never contain. */
const UNIT_SEP = '\u001f', POINT_SEP = '\u001e';

/**
 * What a snapshot keeps of a history: the points oldest first, packed into few strings. `n` and
 * `side` are left out when every point has n = 1 and no CUSUM sums (most charts); each timestamp
 * is kept as the characters that differ from the one before (see packTimes).
 */
export interface PointHistorySnapshot { first: number; x: SnapNumber[]; n?: SnapNumber[]; side?: SnapNumber[]; units: string; ts: string }

/**
 * Timestamps of consecutive points share most of their text (2026-11-30T08:00:01.000Z, …:02.000Z):
 * each is written as one character giving the length of the prefix it shares with the one before
 * (code 48 + length) and the rest; about 9 characters instead of 24.
 */
export function packTimes(ts: readonly string[]): string {
  const out: string[] = [];
  let prev = '';
  for (const t of ts) {
    let k = 0;
    const max = Math.min(t.length, prev.length, 70);
    while (k < max && t.charCodeAt(k) === prev.charCodeAt(k)) k++;
    out.push(String.fromCharCode(48 + k) + t.slice(k));
    prev = t;
  }
  return out.join(POINT_SEP);
}

export function unpackTimes(packed: string): string[] {
  if (!packed) return [];
  const out: string[] = [];
  let prev = '';
  for (const p of packed.split(POINT_SEP)) { prev = prev.slice(0, p.charCodeAt(0) - 48) + p.slice(1); out.push(prev); }
  return out;
}

/**
 * The latest Phase II points of one characteristic, at most `capacity` (the containment lookback):
 * what the change-point estimate reads when a signal fires, and the units a hold then names.
 * Index arithmetic: the point with index i sits at slot (i − 1) mod capacity.
 *
 * Layout, because `add` runs for every point of every characteristic: numbers in arrays that grow
 * with the points up to `capacity` (a characteristic with few points costs little; plain arrays,
 * because growing a typed array allocates a new buffer outside the heap each time, which cost
 * more than it saved), each point's unit and time side by side in one array (one cache line
 * written per point instead of two), and the next slot kept as a cursor (no division per point).
 */
export class PointHistory {
  private readonly x: number[] = [];
  /** Subgroup or sample sizes, only for charts whose points have them (`counts`). */
  private readonly n: number[] | undefined;
  /** CUSUM: the upper and lower sums after each point, interleaved (Page's estimator reads the signalling side). */
  private readonly sums: number[] | undefined;
  /**
   * Slot s's units at 2s (the unit itself when there is one, else the list: with thousands of
   * characteristics × `capacity` points kept, an array per point was a third of the objects the
   * garbage collector marks) and its time at 2s + 1.
   */
  private refs: (string | readonly string[])[] = [];
  /** Index of the oldest point kept, and of the latest (0 when empty). */
  private oldest = 0;
  private latest = 0;
  /** The slot of point latest + 1. */
  private next = 0;

  /** `counts`: keep each point's n; `sums`: keep CUSUM sums. */
  constructor(readonly capacity: number, o: { counts?: boolean; sums?: boolean } = { counts: true, sums: true }) {
    // The write cursor wraps at `capacity` exactly: a fraction would never wrap (the rule file
    // requires a whole lookback ≥ 2; a configuration built in code gets the same check).
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`a point history needs a whole capacity ≥ 1 (got ${capacity})`);
    if (o.counts) this.n = [];
    if (o.sums) this.sums = [];
  }

  get size(): number { return this.latest === 0 ? 0 : this.latest - this.oldest + 1; }
  get first(): number { return this.oldest; }
  get last(): number { return this.latest; }

  add(index: number, x: number, n: number, cplus: number, cminus: number, units: readonly string[], ts: string): void {
    if (this.latest !== 0 && index !== this.latest + 1) this.clear(); // a gap (restore of another config): start over
    const slot = this.latest === 0 ? (index - 1) % this.capacity : this.next;
    this.x[slot] = x;
    if (this.n) this.n[slot] = n;
    if (this.sums) { this.sums[2 * slot] = cplus; this.sums[2 * slot + 1] = cminus; }
    this.refs[2 * slot] = units.length === 1 ? units[0] : units;
    this.refs[2 * slot + 1] = ts;
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.latest === 0) this.oldest = index;
    this.latest = index;
    if (this.latest - this.oldest + 1 > this.capacity) this.oldest = this.latest - this.capacity + 1;
  }

  /** Forgets every point (a new rule set, or limits re-estimated). */
  clear(): void {
    this.x.length = 0; this.refs.length = 0;
    if (this.n) this.n.length = 0;
    if (this.sums) this.sums.length = 0;
    this.oldest = 0; this.latest = 0; this.next = 0;
  }

  private slot(index: number): number { return (index - 1) % this.capacity; }

  private read(what: 'x' | 'n' | 'cplus' | 'cminus', slot: number): number {
    if (what === 'x') return this.x[slot];
    if (what === 'n') return this.n ? this.n[slot] : 1;
    return this.sums ? this.sums[2 * slot + (what === 'cplus' ? 0 : 1)] : 0;
  }

  /** Values of points `from` … `to` (both kept), oldest first; n = 1 and sums = 0 where not kept. */
  values(from: number, to: number, what: 'x' | 'n' | 'cplus' | 'cminus'): Float64Array {
    return this.copy(from, to, what, new Float64Array(to - from + 1));
  }

  /**
   * The same into `into` (at least to − from + 1 long, e.g. a buffer the caller reuses): returns
   * the part of it written. A signal's estimate reads hundreds of points; no allocation for them.
   */
  copy(from: number, to: number, what: 'x' | 'n' | 'cplus' | 'cminus', into: Float64Array): Float64Array {
    const m = to - from + 1;
    const out = into.length === m ? into : into.subarray(0, m);
    let slot = this.slot(from);
    if (what === 'x') { // what every estimate reads: no per-point dispatch
      const x = this.x;
      for (let k = 0; k < m; k++) { out[k] = x[slot]; if (++slot === this.capacity) slot = 0; }
      return out;
    }
    for (let k = 0; k < m; k++) {
      out[k] = this.read(what, slot);
      if (++slot === this.capacity) slot = 0;
    }
    return out;
  }

  private unitList(index: number): readonly string[] { const u = this.refs[2 * this.slot(index)]; return typeof u === 'string' ? [u] : u; }
  unitsOf(index: number): readonly string[] { return this.unitList(index); }
  tsOf(index: number): string { return this.refs[2 * this.slot(index) + 1] as string; }

  /** Every unit of points `from` … `to`, in point order, each once. */
  unitsBetween(from: number, to: number): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (let i = from; i <= to; i++) for (const u of this.unitList(i)) if (!seen.has(u)) { seen.add(u); out.push(u); }
    return out;
  }

  saveState(): PointHistorySnapshot | undefined {
    if (this.latest === 0) return undefined;
    const order = Array.from({ length: this.size }, (_, k) => this.slot(this.oldest + k));
    const snap: PointHistorySnapshot = {
      first: this.oldest, x: packNumbers(order.map((s) => this.x[s])),
      units: order.map((s) => { const u = this.refs[2 * s]; return typeof u === 'string' ? u : u.join(UNIT_SEP); }).join(POINT_SEP),
      ts: packTimes(order.map((s) => this.refs[2 * s + 1] as string)),
    };
    if (this.n && order.some((s) => this.read('n', s) !== 1)) snap.n = packNumbers(order.map((s) => this.read('n', s)));
    if (this.sums && order.some((s) => this.read('cplus', s) !== 0 || this.read('cminus', s) !== 0)) snap.side = packNumbers(order.flatMap((s) => [this.read('cplus', s), this.read('cminus', s)]));
    return snap;
  }

  restoreState(s: PointHistorySnapshot | undefined): void {
    this.clear();
    if (!s) return;
    const x = unpackNumbers(s.x), n = s.n ? unpackNumbers(s.n) : undefined, side = s.side ? unpackNumbers(s.side) : undefined;
    const units = s.units.split(POINT_SEP), ts = unpackTimes(s.ts);
    for (let k = 0; k < x.length; k++) this.add(s.first + k, x[k], n ? n[k] : 1, side ? side[2 * k] : 0, side ? side[2 * k + 1] : 0, units[k] ? units[k].split(UNIT_SEP) : [], ts[k]);
  }
}
