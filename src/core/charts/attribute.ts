import type { PlottedPoint } from './chart.js';

/**
 * A Shewhart attribute point: center ± 3·zoneSigma with the LCL floored at 0, because a count
 * or a fraction cannot be negative (Montgomery §7.2.1: "if LCL < 0, set LCL = 0").
 */
export function attributePoint(statistic: number, center: number, zoneSigma: number): PlottedPoint {
  return { statistic, center, ucl: center + 3 * zoneSigma, lcl: Math.max(0, center - 3 * zoneSigma), zoneSigma };
}
