import { chartSpec } from '../charts/index.js';
import { LIMIT_RULES, type CharacteristicConfig } from '../config.js';
import { attributeDistribution, attributeLimitArl, type AttributeDistribution } from './attribute-exact.js';
import { normalZoneOutcomes } from './normal-zones.js';
import { zoneMarkovArl } from './zone-markov.js';
import { cusumTwoSidedArl } from './cusum-markov.js';
import { paramOf } from '../charts/spec.js';

export type ExactArl =
  | {
    exact: true;
    arl: number;
    /** How it was computed, for a label: "binomial tail", "Markov chain, 555 states" … */
    method: string;
    /** Attribute charts: the count distribution behind it (tails, first signalling count). */
    attribute?: AttributeDistribution;
  }
  | { exact: false; reason: string };

/**
 * The exact in-control ARL of a characteristic's whole rule set, where one can be computed:
 * - attribute charts (p, np, c, u) at a fixed center and a known sample size: from the exact
 *   binomial or Poisson distribution of the count (attribute-exact.ts); the limit rule alone is
 *   1/P(beyond), run rules add the Markov chain over the counts' zones;
 * - Shewhart charts of normal data (I-MR, X̄-R, X̄-S, DNOM, Z-MR, Q), with zone rules: the Markov
 *   chain of Champ & Woodall (1987) over the N(0, 1) zones (zone-markov.ts). Phase I limits are
 *   taken at the true parameters, as the published figures are (estimated limits make the
 *   false-alarm rate vary from chart to chart).
 * - the tabular CUSUM (its only rule is the limit rule): the Markov chain of its sums (Brook &
 *   Evans 1972, cusum-markov.ts), two-sided as Montgomery §9.1.3 combines them.
 * Otherwise the reason, for a Monte Carlo fallback: EWMA carries state between points,
 * nelson3 and nelson4 compare points with each other, Laney charts assume overdispersion.
 */
export function exactInControlArl(c: CharacteristicConfig): ExactArl {
  const spec = chartSpec(c.chart.type);
  if (!spec) return { exact: false, reason: `unknown chart ${c.chart.type}` };
  const notMarkov = c.rules.filter((r) => r === 'nelson3' || r === 'nelson4');
  if (spec.key === 'cusum') {
    // The tabular CUSUM's sums are a Markov chain of their own (Brook & Evans 1972): cusum-markov.ts.
    const k = paramOf(spec, c.chart, 'k')!, h = paramOf(spec, c.chart, 'h')!;
    return { exact: true, arl: cusumTwoSidedArl(k, h, 0), method: 'Markov chain of the sums, Brook & Evans' };
  }
  if (!spec.runRules) return { exact: false, reason: `${spec.key} points depend on the points before them` };
  if (spec.family === 'variables') {
    const m = normalMarkovArl(c.rules);
    if (m) return { exact: true, arl: m.arl, method: m.states === 1 ? 'normal tail' : `Markov chain, ${m.states} states` };
    return { exact: false, reason: notMarkov.length ? `${notMarkov.join(' and ')} compare${notMarkov.length === 1 ? 's' : ''} points with each other, not with zones` : 'too many rule states for the Markov chain' };
  }
  if (spec.standardSigma) return { exact: false, reason: `a ${spec.key} chart's points are not binomial or Poisson by design (overdispersion)` };
  const center = 'center' in c.limits ? c.limits.center : undefined;
  if (center === undefined) return { exact: false, reason: `Phase I limits: the ARL depends on the ${spec.distribution === 'binomial' ? 'p̄' : spec.key === 'c' ? 'c̄' : 'ū'} they lock at; give limits: { center } to compute it` };
  const n = spec.needsN ? c.chart.n : 1;
  if (n === undefined) return { exact: false, reason: `declare the typical sample size, chart: { type: ${spec.key}, n: … }, to compute it` };
  const d = attributeDistribution(c.chart, center, n);
  const limitOnly = c.rules.every((r) => LIMIT_RULES.includes(r));
  if (limitOnly) return { exact: true, arl: attributeLimitArl(d), method: `${d.distribution === 'binomial' ? 'binomial' : 'Poisson'} tail`, attribute: d };
  const m = zoneMarkovArl(c.rules, d.outcomes);
  if (m) return { exact: true, arl: m.arl, method: `Markov chain on ${d.distribution} counts, ${m.states} states`, attribute: d };
  return { exact: false, reason: notMarkov.length ? `${notMarkov.join(' and ')} compare${notMarkov.length === 1 ? 's' : ''} points with each other, not with zones` : 'too many rule states for the Markov chain' };
}

/**
 * What the rule set promises: its in-control ARL on normal data with 3σ limits (370.4 for the
 * limit rule alone, Montgomery §5.3.3; 91.75 with we1–we4, Champ & Woodall 1987), which users
 * read into any chart carrying these rules. Undefined when the rules are not Markov in zones.
 */
export function nominalArl(rules: CharacteristicConfig['rules']): number | undefined {
  return normalMarkovArl(rules)?.arl;
}

/** Rule sets recur across a plant's characteristics; on normal data their chain depends on the rules alone. */
const normalChains = new Map<string, ReturnType<typeof zoneMarkovArl>>();
function normalMarkovArl(rules: CharacteristicConfig['rules']) {
  const key = rules.join(',');
  if (!normalChains.has(key)) normalChains.set(key, zoneMarkovArl(rules, normalZoneOutcomes()));
  return normalChains.get(key);
}
