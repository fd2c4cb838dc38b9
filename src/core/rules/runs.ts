/**
 * The run patterns that Western Electric and Nelson rules are made of, each O(1) per point.
 * Comparisons are strict: a point exactly on the center line is on neither side, a zero
 * difference is neither up nor down, and a point exactly on a zone line is not beyond it.
 */
import type { RuleName } from '../config.js';
import type { RulePoint, SpcRule } from './rule.js';

/** One point beyond the control limits. */
export class BeyondLimits implements SpcRule {
  constructor(readonly name: RuleName) {}
  test(p: RulePoint): boolean { return p.beyond; }
}

function popcount(bits: number): number {
  let c = 0;
  while (bits) { bits &= bits - 1; c++; }
  return c;
}

/** k of the last m points beyond `zone` σ on the same side, the current point being one of them. */
export class KOfMBeyondZone implements SpcRule {
  private above = 0;
  private below = 0;
  private readonly mask: number;

  constructor(readonly name: RuleName, private readonly k: number, m: number, private readonly zone: number) {
    this.mask = (1 << m) - 1;
  }

  test(p: RulePoint): boolean {
    const up = p.z > this.zone, down = p.z < -this.zone;
    this.above = ((this.above << 1) | (up ? 1 : 0)) & this.mask;
    this.below = ((this.below << 1) | (down ? 1 : 0)) & this.mask;
    return (up && popcount(this.above) >= this.k) || (down && popcount(this.below) >= this.k);
  }
}

/** `length` points in a row on the same side of the center line. */
export class SameSideRun implements SpcRule {
  private above = 0;
  private below = 0;

  constructor(readonly name: RuleName, private readonly length: number) {}

  test(p: RulePoint): boolean {
    if (p.z > 0) { this.above++; this.below = 0; }
    else if (p.z < 0) { this.below++; this.above = 0; }
    else { this.above = 0; this.below = 0; }
    return this.above >= this.length || this.below >= this.length;
  }
}

/** `length` points in a row steadily increasing or decreasing (length − 1 differences). */
export class Trend implements SpcRule {
  private previous = NaN;
  private rising = 0;
  private falling = 0;

  constructor(readonly name: RuleName, private readonly length: number) {}

  test(p: RulePoint): boolean {
    const d = p.statistic - this.previous;
    this.previous = p.statistic;
    if (d > 0) { this.rising++; this.falling = 0; }
    else if (d < 0) { this.falling++; this.rising = 0; }
    else { this.rising = 0; this.falling = 0; }
    return this.rising >= this.length - 1 || this.falling >= this.length - 1;
  }
}

/** `length` points in a row alternating up and down (length − 1 differences of alternating sign). */
export class Alternation implements SpcRule {
  private previous = NaN;
  private lastSign = 0;
  private streak = 0;

  constructor(readonly name: RuleName, private readonly length: number) {}

  test(p: RulePoint): boolean {
    const d = p.statistic - this.previous;
    this.previous = p.statistic;
    const sign = d > 0 ? 1 : d < 0 ? -1 : 0;
    if (sign === 0) this.streak = 0;
    else if (sign === -this.lastSign) this.streak++;
    else this.streak = 1;
    this.lastSign = sign;
    return this.streak >= this.length - 1;
  }
}

/** `length` points in a row within `zone` σ of the center line (stratification). */
export class WithinZoneRun implements SpcRule {
  private run = 0;

  constructor(readonly name: RuleName, private readonly length: number, private readonly zone: number) {}

  test(p: RulePoint): boolean {
    this.run = Math.abs(p.z) < this.zone ? this.run + 1 : 0;
    return this.run >= this.length;
  }
}

/**
 * `length` points in a row beyond `zone` σ, with at least one above and one below among them
 * (mixture).
 */
export class MixtureRun implements SpcRule {
  private run = 0;
  private sinceAbove = Infinity;
  private sinceBelow = Infinity;

  constructor(readonly name: RuleName, private readonly length: number, private readonly zone: number) {}

  test(p: RulePoint): boolean {
    this.sinceAbove++; this.sinceBelow++;
    if (p.z > this.zone) this.sinceAbove = 0;
    else if (p.z < -this.zone) this.sinceBelow = 0;
    else { this.run = 0; return false; }
    this.run++;
    return this.run >= this.length && this.sinceAbove < this.length && this.sinceBelow < this.length;
  }
}
