import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { boxCox, boxCoxLambda, inverseBoxCox } from './box-cox.js';
import type { CapabilityIndices } from './capability.js';
import type { CapabilityConfig, SpecConfig } from './config.js';

/** The normal quantile of the 0.135 % tail: X₀.₁₃₅ % and X₉₉.₈₆₅ % lie z = ∓3.0 from the median. */
const Z_TAIL = -normalQuantile(0.00135, 0, 1);

/**
 * Performance indices of non-normal Phase I values, from the Box-Cox transformation (box-cox.ts)
 * with λ from the rule file or estimated by maximum likelihood, and m, s the mean and standard
 * deviation (n − 1) of the transformed values:
 *  - `boxcox`: the normal indices on the transformed scale, spec limits transformed with the data:
 *    Pp = (T(USL) − T(LSL))/6s, Ppu = (T(USL) − m)/3s, Ppl = (m − T(LSL))/3s, Ppk = min.
 *  - `percentile`: the percentile method (Clements, "Process capability calculations for
 *    non-normal distributions", Quality Progress 22(9), 1989; ISO 22514-2): with X_q the quantiles
 *    of the fitted distribution, X_q = T⁻¹(m + z_q·s),
 *    Pp = (USL − LSL)/(X₉₉.₈₆₅ − X₀.₁₃₅), Ppu = (USL − X₅₀)/(X₉₉.₈₆₅ − X₅₀),
 *    Ppl = (X₅₀ − LSL)/(X₅₀ − X₀.₁₃₅). Phase I rarely holds enough points for empirical 0.135 %
 *    quantiles, so the quantiles come from the fitted distribution, not from the sample.
 * Only the overall (performance) indices: the chart's within-subgroup σ belongs to the
 * untransformed scale. A limit ≤ 0, where the transformation is not defined, gives no index on
 * its side. Undefined when a value is not positive (no Box-Cox transformation exists).
 */
export function fittedCapability(spec: SpecConfig, values: readonly number[], config: CapabilityConfig): CapabilityIndices | undefined {
  const lambda = config.lambda ?? boxCoxLambda(values);
  if (lambda === undefined || values.length < 2 || values.some((v) => !(v > 0))) return undefined;
  const w = values.map((v) => boxCox(v, lambda));
  const m = w.reduce((a, v) => a + v, 0) / w.length;
  const s = Math.sqrt(w.reduce((a, v) => a + (v - m) ** 2, 0) / (w.length - 1));
  if (!(s > 0)) return undefined;
  const usl = spec.usl !== undefined && spec.usl > 0 ? spec.usl : undefined;
  const lsl = spec.lsl !== undefined && spec.lsl > 0 ? spec.lsl : undefined;
  const out: CapabilityIndices = { method: config.method as 'boxcox' | 'percentile', lambda };
  if (config.method === 'boxcox') {
    if (usl !== undefined) out.ppu = (boxCox(usl, lambda) - m) / (3 * s);
    if (lsl !== undefined) out.ppl = (m - boxCox(lsl, lambda)) / (3 * s);
    if (usl !== undefined && lsl !== undefined) out.pp = (boxCox(usl, lambda) - boxCox(lsl, lambda)) / (6 * s);
  } else {
    const median = inverseBoxCox(m, lambda), upper = inverseBoxCox(m + Z_TAIL * s, lambda), lower = inverseBoxCox(m - Z_TAIL * s, lambda);
    if (usl !== undefined && Number.isFinite(upper)) out.ppu = (usl - median) / (upper - median);
    if (lsl !== undefined && Number.isFinite(lower)) out.ppl = (median - lsl) / (median - lower);
    if (usl !== undefined && lsl !== undefined && Number.isFinite(upper) && Number.isFinite(lower)) out.pp = (usl - lsl) / (upper - lower);
  }
  const sides = [out.ppu, out.ppl].filter((v): v is number => v !== undefined);
  if (sides.length) out.ppk = Math.min(...sides);
  return out;
}
