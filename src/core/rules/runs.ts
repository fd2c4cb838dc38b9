/**
 * The run patterns that Western Electric and Nelson rules are made of, each O(1) per point.
 * Comparisons are strict: a point exactly on the center line is on neither side, a zero
 * difference is neither up nor down, and a point exactly on a zone line is not beyond it.
 * State lives in the caller's Float64Array (see SpcRule); comments name each slot.
 *
 * Each pattern is a plain function (`…Step`) that its class's `test` calls and that the engine's
 * rule kernel (kernel.ts) calls directly: a characteristic with eight rules made eight calls
 * through seven classes per point, a call site V8 cannot inline.
 */
import type { RulePoint, SpcRule } from './rule.js';

/** Which step function a rule runs, and its parameters (kernel.ts switches on it). */
export const RuleKind = Object.freeze({ Beyond: 0, KOfM: 1, SameSide: 2, Trend: 3, Alternation: 4, WithinZone: 5, Mixture: 6 } as const);
export type RuleKind = (typeof RuleKind)[keyof typeof RuleKind];
export interface RuleKernel { readonly kind: RuleKind; readonly a: number; readonly b: number; readonly c: number }

/** One point beyond the control limits. */
export class BeyondLimits implements SpcRule {
  readonly stateSize = 0;
  readonly window = 1;
  constructor(readonly name: string) {}
  init(): void {}
  readonly kernel: RuleKernel = { kind: RuleKind.Beyond, a: 0, b: 0, c: 0 };
  test(p: RulePoint): boolean { return p.beyond; }
  canonical(): void {}
}

function popcount(bits: number): number {
  let c = 0;
  while (bits) { bits &= bits - 1; c++; }
  return c;
}

export function kOfMStep(p: RulePoint, s: Float64Array, at: number, k: number, mask: number, zone: number): boolean {
  const up = p.z > zone, down = p.z < -zone;
  const above = ((s[at] << 1) | (up ? 1 : 0)) & mask;
  const below = ((s[at + 1] << 1) | (down ? 1 : 0)) & mask;
  s[at] = above; s[at + 1] = below;
  return (up && popcount(above) >= k) || (down && popcount(below) >= k);
}

/** k of the last m points beyond `zone` σ on the same side, the current point being one of them. */
export class KOfMBeyondZone implements SpcRule {
  // [at] bit mask of the last m points above +zone, [at+1] the same below −zone.
  readonly stateSize = 2;
  private readonly mask: number;
  readonly window: number;

  readonly kernel: RuleKernel;

  constructor(readonly name: string, private readonly k: number, m: number, private readonly zone: number) {
    this.mask = (1 << m) - 1;
    this.window = m;
    this.kernel = { kind: RuleKind.KOfM, a: k, b: this.mask, c: zone };
  }

  init(s: Float64Array, at: number): void { s[at] = 0; s[at + 1] = 0; }

  test(p: RulePoint, s: Float64Array, at: number): boolean { return kOfMStep(p, s, at, this.k, this.mask, this.zone); }

  /** The oldest of the m bits is shifted out by the next point: only m − 1 bits matter. */
  canonical(s: Float64Array, at: number): void { s[at] = s[at] & (this.mask >> 1); s[at + 1] = s[at + 1] & (this.mask >> 1); }
}

export function sameSideStep(p: RulePoint, s: Float64Array, at: number, length: number): boolean {
  if (p.z > 0) { s[at]++; s[at + 1] = 0; }
  else if (p.z < 0) { s[at + 1]++; s[at] = 0; }
  else { s[at] = 0; s[at + 1] = 0; }
  return s[at] >= length || s[at + 1] >= length;
}

/** `length` points in a row on the same side of the center line. */
export class SameSideRun implements SpcRule {
  // [at] points in a row above center, [at+1] below.
  readonly stateSize = 2;
  readonly kernel: RuleKernel;
  constructor(readonly name: string, private readonly length: number) { this.kernel = { kind: RuleKind.SameSide, a: length, b: 0, c: 0 }; }
  get window(): number { return this.length; }

  init(s: Float64Array, at: number): void { s[at] = 0; s[at + 1] = 0; }

  test(p: RulePoint, s: Float64Array, at: number): boolean { return sameSideStep(p, s, at, this.length); }

  /** Counts below `length` (a run reaching it has signalled): already finite. */
  canonical(): void {}
}

export function trendStep(p: RulePoint, s: Float64Array, at: number, length: number): boolean {
  const d = p.statistic - s[at];
  s[at] = p.statistic;
  if (d > 0) { s[at + 1]++; s[at + 2] = 0; }
  else if (d < 0) { s[at + 2]++; s[at + 1] = 0; }
  else { s[at + 1] = 0; s[at + 2] = 0; }
  return s[at + 1] >= length - 1 || s[at + 2] >= length - 1;
}

/** `length` points in a row steadily increasing or decreasing (length − 1 differences). */
export class Trend implements SpcRule {
  // [at] previous statistic, [at+1] rising differences in a row, [at+2] falling.
  readonly stateSize = 3;
  readonly kernel: RuleKernel;
  constructor(readonly name: string, private readonly length: number) { this.kernel = { kind: RuleKind.Trend, a: length, b: 0, c: 0 }; }
  get window(): number { return this.length; }

  init(s: Float64Array, at: number): void { s[at] = NaN; s[at + 1] = 0; s[at + 2] = 0; }

  test(p: RulePoint, s: Float64Array, at: number): boolean { return trendStep(p, s, at, this.length); }
}

export function alternationStep(p: RulePoint, s: Float64Array, at: number, length: number): boolean {
  const d = p.statistic - s[at];
  s[at] = p.statistic;
  const sign = d > 0 ? 1 : d < 0 ? -1 : 0;
  if (sign === 0) s[at + 2] = 0;
  else if (sign === -s[at + 1]) s[at + 2]++;
  else s[at + 2] = 1;
  s[at + 1] = sign;
  return s[at + 2] >= length - 1;
}

/** `length` points in a row alternating up and down (length − 1 differences of alternating sign). */
export class Alternation implements SpcRule {
  // [at] previous statistic, [at+1] sign of the last difference, [at+2] alternating differences in a row.
  readonly stateSize = 3;
  readonly kernel: RuleKernel;
  constructor(readonly name: string, private readonly length: number) { this.kernel = { kind: RuleKind.Alternation, a: length, b: 0, c: 0 }; }
  get window(): number { return this.length; }

  init(s: Float64Array, at: number): void { s[at] = NaN; s[at + 1] = 0; s[at + 2] = 0; }

  test(p: RulePoint, s: Float64Array, at: number): boolean { return alternationStep(p, s, at, this.length); }
}

export function withinZoneStep(p: RulePoint, s: Float64Array, at: number, length: number, zone: number): boolean {
  s[at] = Math.abs(p.z) < zone ? s[at] + 1 : 0;
  return s[at] >= length;
}

/** `length` points in a row within `zone` σ of the center line (stratification). */
export class WithinZoneRun implements SpcRule {
  // [at] points in a row within the zone.
  readonly stateSize = 1;
  readonly kernel: RuleKernel;
  constructor(readonly name: string, private readonly length: number, private readonly zone: number) { this.kernel = { kind: RuleKind.WithinZone, a: length, b: zone, c: 0 }; }
  get window(): number { return this.length; }

  init(s: Float64Array, at: number): void { s[at] = 0; }

  test(p: RulePoint, s: Float64Array, at: number): boolean { return withinZoneStep(p, s, at, this.length, this.zone); }

  /** Counts below `length` (a run reaching it has signalled): already finite. */
  canonical(): void {}
}

export function mixtureStep(p: RulePoint, s: Float64Array, at: number, length: number, zone: number): boolean {
  s[at + 1]++; s[at + 2]++;
  if (p.z > zone) s[at + 1] = 0;
  else if (p.z < -zone) s[at + 2] = 0;
  else { s[at] = 0; return false; }
  s[at]++;
  return s[at] >= length && s[at + 1] < length && s[at + 2] < length;
}

/**
 * `length` points in a row beyond `zone` σ, with at least one above and one below among them
 * (mixture).
 */
export class MixtureRun implements SpcRule {
  // [at] points in a row beyond the zone, [at+1] points since the last one above, [at+2] since the last below.
  readonly stateSize = 3;
  readonly kernel: RuleKernel;
  constructor(readonly name: string, private readonly length: number, private readonly zone: number) { this.kernel = { kind: RuleKind.Mixture, a: length, b: zone, c: 0 }; }
  get window(): number { return this.length; }

  init(s: Float64Array, at: number): void { s[at] = 0; s[at + 1] = Infinity; s[at + 2] = Infinity; }

  test(p: RulePoint, s: Float64Array, at: number): boolean { return mixtureStep(p, s, at, this.length, this.zone); }

  /** Every slot is compared with `length` only and grows by one or resets: values ≥ length are alike. */
  canonical(s: Float64Array, at: number): void {
    for (let i = 0; i < 3; i++) s[at + i] = Math.min(s[at + i], this.length);
  }
}
