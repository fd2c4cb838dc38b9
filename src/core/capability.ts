import type { SpecConfig } from './config.js';

/** Process capability and performance indices; an index is absent when its spec limit is. */
export interface CapabilityIndices {
  cp?: number; cpk?: number; cpu?: number; cpl?: number;
  pp?: number; ppk?: number; ppu?: number; ppl?: number;
  /** Non-normal methods (capability-fitted.ts): which, and the Box-Cox λ used. */
  method?: 'boxcox' | 'percentile';
  lambda?: number;
}

/**
 * Cp = (USL − LSL)/6σ, Cpu = (USL − μ)/3σ, Cpl = (μ − LSL)/3σ, Cpk = min(Cpu, Cpl)
 * (Montgomery §8.3, eqs. 8.5–8.8) with the within-subgroup σ of the chart; Pp, Ppk are the same
 * with the overall sample standard deviation (AIAG SPC Reference Manual, 2nd ed., ch. IV).
 * With one spec limit only Cpu/Cpk (USL) or Cpl/Cpk (LSL) exist, and Pp likewise.
 */
export function capabilityIndices(spec: SpecConfig, mean: number, sigmaWithin: number, sigmaOverall: number): CapabilityIndices {
  const out: CapabilityIndices = {};
  const { lsl, usl } = spec;
  const fill = (sigma: number, both: 'cp' | 'pp', upper: 'cpu' | 'ppu', lower: 'cpl' | 'ppl', worst: 'cpk' | 'ppk') => {
    if (!(sigma > 0)) return;
    if (usl !== undefined) out[upper] = (usl - mean) / (3 * sigma);
    if (lsl !== undefined) out[lower] = (mean - lsl) / (3 * sigma);
    if (usl !== undefined && lsl !== undefined) out[both] = (usl - lsl) / (6 * sigma);
    const sides = [out[upper], out[lower]].filter((v): v is number => v !== undefined);
    if (sides.length) out[worst] = Math.min(...sides);
  };
  fill(sigmaWithin, 'cp', 'cpu', 'cpl', 'cpk');
  fill(sigmaOverall, 'pp', 'ppu', 'ppl', 'ppk');
  return out;
}
