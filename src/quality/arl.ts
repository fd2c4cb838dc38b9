import { exactInControlArl, type ExactArl } from '../core/arl/exact-arl.js';
import { chartSpec, createChart, type ChartParameters, type Observation, type PlottedPoint } from '../core/charts/index.js';
import type { CharacteristicConfig } from '../core/config.js';
import { newRuleState, ruleLayout, type RulePoint } from '../core/rules/index.js';
import { SeededRandom } from '../sim/random.js';

export interface ArlOptions {
  /** Monte Carlo runs per estimate; default 5,000. */
  runs?: number;
  seed?: number;
  /** Shift of the process mean for the out-of-control ARL, in σ of individual values; default 1. */
  shift?: number;
  /** A run that has not signalled after this many points is cut (and counted at this length). */
  maxPoints?: number;
  onProgress?: (done: number, total: number) => void;
  /** false: simulate the in-control ARL even where it can be computed exactly (to cross-check the two). */
  exact?: boolean;
}

export interface ArlEstimate {
  arl: number;
  /** 0 for an exact value. */
  standardError: number;
  /** Monte Carlo runs; 0 for an exact value. */
  runs: number;
  censored: number;
  /** Set when the value is exact: how it was computed (core/arl/exact-arl.ts), e.g. "binomial tail". */
  exact?: string;
}

export interface ArlResult {
  characteristic: string;
  chart: string;
  rules: string[];
  inControl: ArlEstimate;
  shifted: ArlEstimate;
  shift: number;
  note?: string;
}

/**
 * Average run length of a characteristic's whole rule set: the in-control ARL exact where it can
 * be computed (core/arl/exact-arl.ts), by Monte Carlo otherwise, the shifted ARL by Monte Carlo.
 */
export function estimateArl(c: CharacteristicConfig, o: ArlOptions = {}): ArlResult {
  const exact: ExactArl = o.exact === false ? { exact: false, reason: 'simulated on request' } : exactInControlArl(c);
  const sim = simulation(c, o);
  const total = exact.exact ? sim.runs : sim.runs * 2;
  const inControl = exact.exact ? exactEstimate(exact) : sim.estimate(false, 0, total);
  const shifted = sim.estimate(true, exact.exact ? 0 : sim.runs, total);
  o.onProgress?.(total, total);
  return { characteristic: c.id, chart: c.chart.type, rules: [...c.rules], inControl, shifted, shift: sim.shift, ...(sim.note ? { note: sim.note } : {}) };
}

/**
 * The in-control ARL alone, as `spc rules check` shows it: exact where it can be computed,
 * otherwise by Monte Carlo with `runs` runs (default 400: a standard error of about 5 %).
 * Attribute charts without a fixed center or a declared n have no value (the reason says why).
 */
export function inControlArl(c: CharacteristicConfig, o: ArlOptions = {}): { estimate?: ArlEstimate; exact: ExactArl } {
  const exact = exactInControlArl(c);
  if (exact.exact) return { estimate: exactEstimate(exact), exact };
  const spec = chartSpec(c.chart.type);
  // Simulating an attribute chart at a made-up center or n would print a number that means nothing.
  if (spec?.family === 'attributes' && !spec.standardSigma) return { exact };
  const sim = simulation(c, { runs: 400, maxPoints: 20_000, ...o });
  return { estimate: sim.estimate(false, 0, sim.runs), exact };
}

function exactEstimate(e: Extract<ExactArl, { exact: true }>): ArlEstimate {
  return { arl: e.arl, standardError: 0, runs: 0, censored: 0, exact: e.method };
}

/**
 * Run lengths by Monte Carlo: the number of points
 * until any of its rules first fires, from a fresh chart (EWMA and CUSUM start at their target),
 * on in-control data (ARL₀: the mean interval between false alarms) and with the mean shifted by
 * `shift` σ (ARL₁: how fast a real shift is caught). Known values to check against: a 3σ Shewhart
 * chart ARL₀ = 1/0.0027 = 370.4; EWMA λ = 0.2, L = 2.962 ≈ 500 (Lucas & Saccucci 1990, asymptotic
 * limits); CUSUM k = 0.5, h = 5 ≈ 465 (Montgomery Table 9.3).
 * Variables charts run in σ units (μ = 0, σ = 1); attribute charts at their fixed center.
 */
function simulation(c: CharacteristicConfig, o: ArlOptions) {
  const runs = o.runs ?? 5000, shift = o.shift ?? 1, maxPoints = o.maxPoints ?? 100_000;
  const rng = new SeededRandom(o.seed ?? 1);
  const type = c.chart.type;
  const n = c.chart.subgroupSize ?? 1;
  const attributeCenter = 'center' in c.limits ? c.limits.center : undefined;
  let note: string | undefined;
  let draw: (shifted: boolean) => Observation;
  let params: ChartParameters;
  // Short-run charts simulate one product at nominal 0 and σ 1 (their statistic is then the value).
  const SIM = 'simulated';
  const products = { [SIM]: { spec: { target: 0 }, limits: { center: 0, sigma: 1 } } };
  const proto = createChart(c.chart, products);
  const distribution = chartSpec(type)?.distribution ?? 'normal';
  // A shift present from a product's first piece is its mean, not a change: Q detects changes after the start.
  if (chartSpec(type)?.selfStarting) note = 'self-starting: the shift is simulated from the first piece, which the chart takes as the product\'s mean; it detects shifts after the start';
  if (distribution !== 'normal') {
    const binomial = distribution === 'binomial';
    const center = attributeCenter ?? (binomial ? 0.02 : 4);
    if (attributeCenter === undefined) note = `Phase I limits: simulated at ${binomial ? 'p̄' : 'c̄'} = ${center}`;
    params = proto.fromStandard(center, undefined);
    // The chart's declared typical n (whole items for a binomial), else 50 items or 1 unit.
    const size = c.chart.n !== undefined ? (binomial ? Math.max(1, Math.round(c.chart.n)) : c.chart.n) : binomial ? 50 : 1;
    if (c.chart.n === undefined && chartSpec(type)?.needsN) note = `${note ? note + '; ' : ''}simulated at n = ${size} (declare chart n)`;
    // A shift of `shift` per-item σ in the rate, as a fraction of the rate's own σ.
    draw = (shifted) => {
      const rate = shifted ? center + shift * Math.sqrt(binomial ? center * (1 - center) / size : center) : center;
      const x = binomial ? rng.binomial(size, Math.min(1, rate)) : rng.poisson(rate * size);
      return { x, n: size, range: 0, sd: 0 };
    };
  } else {
    params = proto.fromStandard(0, 1);
    draw = (shifted) => {
      const mu = shifted ? shift : 0;
      if (n === 1) return { x: mu + rng.normal(), n: 1, range: 0, sd: 0, product: SIM };
      let sum = 0, min = Infinity, max = -Infinity, ss = 0;
      const values: number[] = [];
      for (let i = 0; i < n; i++) { const v = mu + rng.normal(); values.push(v); sum += v; if (v < min) min = v; if (v > max) max = v; }
      const mean = sum / n;
      for (const v of values) ss += (v - mean) ** 2;
      return { x: mean, n, range: max - min, sd: Math.sqrt(ss / (n - 1)) };
    };
  }
  const layout = ruleLayout(c.rules);
  const point: PlottedPoint = { statistic: 0, center: 0, ucl: 0, lcl: 0 };
  const rp: RulePoint = { statistic: 0, z: 0, beyond: false };
  const estimate = (shifted: boolean, done: number, total: number): ArlEstimate => {
    let sum = 0, sumSq = 0, censored = 0;
    for (let r = 0; r < runs; r++) {
      const chart = createChart(c.chart, products);
      const state = newRuleState(layout);
      let len = 0, fired = false;
      while (!fired && len < maxPoints) {
        const obs = draw(shifted);
        if (chart.warmUp?.(obs)) continue; // a self-starting chart's first pieces plot nothing
        len++;
        const zoneSigma = chart.plot(obs, params, point);
        rp.statistic = point.statistic;
        rp.z = (point.statistic - point.center) / zoneSigma;
        rp.beyond = point.statistic > point.ucl || point.statistic < point.lcl;
        for (let i = 0; i < layout.rules.length; i++) if (layout.rules[i].test(rp, state, layout.offsets[i])) fired = true;
      }
      if (!fired) censored++;
      sum += len; sumSq += len * len;
      if (++done % 100 === 0) o.onProgress?.(done, total);
    }
    const mean = sum / runs;
    return { arl: mean, standardError: Math.sqrt((sumSq / runs - mean * mean) / runs), runs, censored };
  };
  return { estimate, runs, shift, note };
}
