import type { RuleKernel } from './runs.js';


/** What a rule sees of one plotted point. */
export interface RulePoint {
  statistic: number;
  /** (statistic − center) / zoneSigma: the point's distance from center in σ of the statistic. */
  z: number;
  /** Strictly above the UCL or below the LCL. */
  beyond: boolean;
}

/**
 * A rule evaluated point by point in O(1) time and memory. Following R qcc 3.0, a point is flagged
 * when its run reaches the required length, and so is every further point while the run lasts.
 *
 * Rules are stateless and shared; each characteristic keeps their state in one Float64Array
 * (`stateSize` slots from `at`). With thousands of characteristics served round-robin, state in
 * one contiguous block instead of eight small objects is what keeps the engine out of cache misses.
 */
export interface SpcRule {
  /** The step function and parameters the engine's per-point loop runs (kernel.ts); `test` runs the same. */
  readonly kernel: RuleKernel;
  /** The rule-file key (its spec's `key`). */
  readonly name: string;
  /** Points the pattern spans (1 for beyond-limits, 3 for 2-of-3, 9 for nine in a row …): its suspects. */
  readonly window: number;
  readonly stateSize: number;
  /** Writes the state of a fresh run. */
  init(state: Float64Array, at: number): void;
  test(p: RulePoint, state: Float64Array, at: number): boolean;
  /**
   * Rules whose next state depends only on the point's zone (z against the zone lines, `beyond`)
   * are Markov chains in the zones (Champ & Woodall 1987). They reduce their state to one
   * representative of the states that behave alike from here on, so the exact ARL
   * (core/arl/zone-markov.ts) enumerates a finite chain. Trend and alternation compare
   * statistics with each other, not with zones, and leave this out.
   */
  canonical?(state: Float64Array, at: number): void;
}
