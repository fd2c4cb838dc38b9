import type { ChangePointEstimate } from './profile.js';

/**
 * Page's estimator for a tabular CUSUM (Page 1954; Montgomery, Introduction to Statistical Quality
 * Control, 7th ed., §9.1.2): when the upper (lower) sum signals at T, the change is estimated to
 * have happened right after the last point at which that sum was zero, so the first changed point
 * is that point + 1. `sums` holds the signalling side's sum at the points s … T (the first is index
 * `first`); when it was never zero in the window, the estimate is the window's first point.
 * The confidence set comes from the normal-mean likelihood on the same window (estimate.ts).
 */
export function cusumPageChangePoint(sums: ArrayLike<number>, first: number): number {
  for (let j = sums.length - 2; j >= 0; j--) if (sums[j] === 0) return first + j + 1;
  return first;
}

/** The estimate with Page's point and a set from another estimator (the point kept inside the set). */
export function withPoint(set: ChangePointEstimate, index: number): ChangePointEstimate {
  return { index, lower: Math.min(set.lower, index), upper: Math.max(set.upper, index), method: 'cusum-page' };
}
