import { exactInControlArl, nominalArl, type ExactArl } from '../core/arl/exact-arl.js';
import type { CharacteristicConfig } from '../core/config.js';
import { chartSpec } from '../core/charts/index.js';
import { inControlArl, type ArlEstimate } from './arl.js';

/**
 * A rule set is flagged when its in-control ARL is below half of what the same rules give on
 * normal data with 3σ limits (370.4 for we1 alone): at least twice the false alarms users plan
 * for. Small departures are the discreteness every count has (c̄ = 4: 352 instead of 370) and
 * would only train people to ignore the warning.
 */
export const WARN_BELOW_FRACTION = 0.5;

export interface ArlCheck {
  characteristic: string;
  /** Undefined when no value can be given (attribute chart without fixed center or n). */
  estimate?: ArlEstimate;
  /** Why the value is not exact (then it is Monte Carlo, or missing). */
  reason?: string;
  /** What the same rules give on normal data. */
  nominal?: number;
  /** One line naming the cause and the fix, when the ARL is far below the nominal. */
  warning?: string;
  /** When the Phase I window is too short for the estimated limits to keep the ARL (see phase1Advice). */
  phase1Warning?: string;
}

/**
 * Phase I windows below Quesenberry's recommendation (J. Quality Technology 25(4), 1993): at least
 * 400/(n − 1) subgroups for an X̄ chart and 300 points for an individuals chart. Below them the
 * estimated σ̂ and center spread so widely that charts built from them false-alarm far more (or
 * less) often than their ARL₀ says — bench/false-alarms measured an EWMA with σ̂ 15% low from 100
 * points at ARL₀ 89 instead of 536. Attribute charts and self-starting ones are left out.
 */
export function phase1Advice(c: CharacteristicConfig): string | undefined {
  if (!('phase1' in c.limits)) return undefined;
  const spec = chartSpec(c.chart.type);
  if (!spec || spec.family !== 'variables' || spec.selfStarting) return undefined;
  const m = c.limits.phase1 - (c.limits.exclude?.length ?? 0);
  const n = spec.subgroups === 'subgroup' ? c.chart.subgroupSize ?? 1 : 1;
  const needed = n > 1 ? Math.ceil(400 / (n - 1)) : 300;
  if (m >= needed) return undefined;
  const what = n > 1 ? `${m} subgroups of ${n}` : `${m} points`;
  return `phase1 estimates the limits from ${what}; below ${needed} (Quesenberry 1993: ${n > 1 ? '400/(n − 1) subgroups' : '300 individual points'}) the estimates vary so much that this chart's real false-alarm rate can be several times its ARL₀ (or a fraction of it); use phase1: ${needed + (c.limits.exclude?.length ?? 0)}${spec.subgroups === 'individual' ? ', fixed limits from a capability study, or a self-starting q chart for short runs' : ' or fixed limits from a capability study'}`;
}

const round = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(3));

/** The in-control ARL of one characteristic, with a warning when it is far below what its rules promise. */
export function checkArl(c: CharacteristicConfig, runs?: number): ArlCheck {
  const { estimate, exact } = inControlArl(c, runs !== undefined ? { runs } : {});
  const nominal = nominalArl(c.rules);
  const advice = phase1Advice(c);
  const out: ArlCheck = { characteristic: c.id, ...(estimate ? { estimate } : {}), ...(!exact.exact ? { reason: exact.reason } : {}), ...(nominal !== undefined ? { nominal } : {}), ...(advice ? { phase1Warning: advice } : {}) };
  // Only attribute charts depart from the normal model exactly; a variables chart's exact value is the nominal one.
  if (!exact.exact || !exact.attribute || nominal === undefined || !(exact.arl < WARN_BELOW_FRACTION * nominal)) return out;
  return { ...out, warning: attributeWarning(c, exact, nominal) };
}

/** "np̄ = 1 (n = 50, p̄ = 0.02): a 3σ p chart with we1 false-alarms every 56 samples instead of 370 (…); use …". */
function attributeWarning(c: CharacteristicConfig, e: Extract<ExactArl, { exact: true }>, nominal: number): string {
  const d = e.attribute!;
  const type = c.chart.type, n = c.chart.n;
  const center = 'center' in c.limits ? c.limits.center : NaN;
  const probability = c.chart.limits === 'probability';
  const what = type === 'c' ? `c̄ = ${round(d.mean)}`
    : d.distribution === 'binomial' ? `np̄ = ${round(d.mean)} (n = ${n}, p̄ = ${center})` : `nū = ${round(d.mean)} (n = ${n}, ū = ${center})`;
  const counted = d.distribution === 'binomial' ? 'nonconforming' : 'defects';
  const limitOnly = e.method.endsWith('tail');
  const cause = limitOnly && d.firstCountAbove !== undefined
    ? ` (${d.firstCountAbove} or more ${counted}${d.distribution === 'binomial' ? ` in ${Math.round(n!)}` : ''} plot beyond the UCL; P = ${d.beyondProbability.toPrecision(3)} per sample beyond the limits)`
    : limitOnly ? '' : ' (the zone rules judge a skewed count by normal zones)';
  const fixes: string[] = [];
  if (!probability) {
    const alt = exactInControlArl({ ...c, chart: { ...c.chart, limits: 'probability' } });
    fixes.push(`chart: { limits: probability }${alt.exact ? ` (ARL₀ ${round(alt.arl)} here)` : ''}`);
  }
  if (!limitOnly) fixes.push('the limit rule alone (we1)');
  fixes.push(type === 'c' ? 'a larger inspection unit' : 'larger samples');
  const rules = c.rules.join(', ');
  return `${what}: a ${probability ? 'probability-limit' : '3σ'} ${type} chart with ${rules} false-alarms every ${round(e.arl)} samples instead of ${round(nominal)}${cause}; use ${fixes.join(', or ')}`;
}

/** "91.75 (exact: Markov chain, 555 states)" / "≈ 180 ± 9 (Monte Carlo, 400 runs)" / "— (reason)". */
export function formatArl(a: ArlCheck): string {
  const e = a.estimate;
  if (!e) return `— (${a.reason})`;
  if (e.exact) return `${round(e.arl)} (exact: ${e.exact})`;
  return `≈ ${round(e.arl)} ± ${round(e.standardError)} (Monte Carlo, ${e.runs} runs${e.censored ? `, ${e.censored} cut at the run limit` : ''}${a.reason ? `: ${a.reason}` : ''})`;
}

