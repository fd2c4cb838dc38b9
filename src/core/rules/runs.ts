/**
 * The run patterns that Western Electric and Nelson rules are made of, each O(1) per point.
 * Comparisons are strict: a point exactly on the center line is on neither side, a zero
 * difference is neither up nor down, and a point exactly on a zone line is not beyond it.
 * State lives in the caller's Float64Array (see SpcRule); comments name each slot.
 */
import type { RulePoint, SpcRule } from './rule.js';

/** One point beyond the control limits. */
export class BeyondLimits implements SpcRule {
  readonly stateSize = 0;
  readonly window = 1;
  constructor(readonly name: string) {}
  init(): void {}
  test(p: RulePoint): boolean { return p.beyond; }
  canonical(): void {}
}

function popcount(bits: number): number {
  let c = 0;
  while (bits) { bits &= bits - 1; c++; }
  return c;
}

/** k of the last m points beyond `zone` σ on the same side, the current point being one of them. */
export class KOfMBeyondZone implements SpcRule {
  // [at] bit mask of the last m points above +zone, [at+1] the same below −zone.
  readonly stateSize = 2;
  private readonly mask: number;
  readonly window: number;

  constructor(readonly name: string, private readonly k: number, m: number, private readonly zone: number) {
    this.mask = (1 << m) - 1;
    this.window = m;
  }

  init(s: Float64Array, at: number): void { s[at] = 0; s[at + 1] = 0; }

  test(p: RulePoint, s: Float64Array, at: number): boolean {
    const up = p.z > this.zone, down = p.z < -this.zone;
    const above = ((s[at] << 1) | (up ? 1 : 0)) & this.mask;
    const below = ((s[at + 1] << 1) | (down ? 1 : 0)) & this.mask;
    s[at] = above; s[at + 1] = below;
    return (up && popcount(above) >= this.k) || (down && popcount(below) >= this.k);
  }

  /** The oldest of the m bits is shifted out by the next point: only m − 1 bits matter. */
  canonical(s: Float64Array, at: number): void { s[at] = s[at] & (this.mask >> 1); s[at + 1] = s[at + 1] & (this.mask >> 1); }
}

/** `length` points in a row on the same side of the center line. */
export class SameSideRun implements SpcRule {
  // [at] points in a row above center, [at+1] below.
  readonly stateSize = 2;
  constructor(readonly name: string, private readonly length: number) {}
  get window(): number { return this.length; }

  init(s: Float64Array, at: number): void { s[at] = 0; s[at + 1] = 0; }

  test(p: RulePoint, s: Float64Array, at: number): boolean {
    if (p.z > 0) { s[at]++; s[at + 1] = 0; }
    else if (p.z < 0) { s[at + 1]++; s[at] = 0; }
    else { s[at] = 0; s[at + 1] = 0; }
    return s[at] >= this.length || s[at + 1] >= this.length;
  }

  /** Counts below `length` (a run reaching it has signalled): already finite. */
  canonical(): void {}
}

/** `length` points in a row steadily increasing or decreasing (length − 1 differences). */
export class Trend implements SpcRule {
  // [at] previous statistic, [at+1] rising differences in a row, [at+2] falling.
  readonly stateSize = 3;
  constructor(readonly name: string, private readonly length: number) {}
  get window(): number { return this.length; }

  init(s: Float64Array, at: number): void { s[at] = NaN; s[at + 1] = 0; s[at + 2] = 0; }

  test(p: RulePoint, s: Float64Array, at: number): boolean {
    const d = p.statistic - s[at];
    s[at] = p.statistic;
    if (d > 0) { s[at + 1]++; s[at + 2] = 0; }
    else if (d < 0) { s[at + 2]++; s[at + 1] = 0; }
    else { s[at + 1] = 0; s[at + 2] = 0; }
    return s[at + 1] >= this.length - 1 || s[at + 2] >= this.length - 1;
  }
}

/** `length` points in a row alternating up and down (length − 1 differences of alternating sign). */
export class Alternation implements SpcRule {
  // [at] previous statistic, [at+1] sign of the last difference, [at+2] alternating differences in a row.
  readonly stateSize = 3;
  constructor(readonly name: string, private readonly length: number) {}
  get window(): number { return this.length; }

  init(s: Float64Array, at: number): void { s[at] = NaN; s[at + 1] = 0; s[at + 2] = 0; }

  test(p: RulePoint, s: Float64Array, at: number): boolean {
    const d = p.statistic - s[at];
    s[at] = p.statistic;
    const sign = d > 0 ? 1 : d < 0 ? -1 : 0;
    if (sign === 0) s[at + 2] = 0;
    else if (sign === -s[at + 1]) s[at + 2]++;
    else s[at + 2] = 1;
    s[at + 1] = sign;
    return s[at + 2] >= this.length - 1;
  }
}

/** `length` points in a row within `zone` σ of the center line (stratification). */
export class WithinZoneRun implements SpcRule {
  // [at] points in a row within the zone.
  readonly stateSize = 1;
  constructor(readonly name: string, private readonly length: number, private readonly zone: number) {}
  get window(): number { return this.length; }

  init(s: Float64Array, at: number): void { s[at] = 0; }

  test(p: RulePoint, s: Float64Array, at: number): boolean {
    s[at] = Math.abs(p.z) < this.zone ? s[at] + 1 : 0;
    return s[at] >= this.length;
  }

  /** Counts below `length` (a run reaching it has signalled): already finite. */
  canonical(): void {}
}

/**
 * `length` points in a row beyond `zone` σ, with at least one above and one below among them
 * (mixture).
 */
export class MixtureRun implements SpcRule {
  // [at] points in a row beyond the zone, [at+1] points since the last one above, [at+2] since the last below.
  readonly stateSize = 3;
  constructor(readonly name: string, private readonly length: number, private readonly zone: number) {}
  get window(): number { return this.length; }

  init(s: Float64Array, at: number): void { s[at] = 0; s[at + 1] = Infinity; s[at + 2] = Infinity; }

  test(p: RulePoint, s: Float64Array, at: number): boolean {
    s[at + 1]++; s[at + 2]++;
    if (p.z > this.zone) s[at + 1] = 0;
    else if (p.z < -this.zone) s[at + 2] = 0;
    else { s[at] = 0; return false; }
    s[at]++;
    return s[at] >= this.length && s[at + 1] < this.length && s[at + 2] < this.length;
  }

  /** Every slot is compared with `length` only and grows by one or resets: values ≥ length are alike. */
  canonical(s: Float64Array, at: number): void {
    for (let i = 0; i < 3; i++) s[at + i] = Math.min(s[at + i], this.length);
  }
}
