import type { RuleName } from '../config.js';

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
 */
export interface SpcRule {
  readonly name: RuleName;
  test(p: RulePoint): boolean;
}
