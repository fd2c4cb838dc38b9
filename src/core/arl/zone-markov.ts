import { solveAugmented } from './linear-solve.js';
import type { RuleName } from '../config.js';
import { newRuleState, ruleLayout, type RulePoint } from '../rules/index.js';

/** One class of plotted points and its in-control probability. */
export interface PointOutcome { probability: number; point: RulePoint }

export interface MarkovArl {
  /** Expected points until the first signal, from a fresh chart (zero-state ARL). */
  arl: number;
  /** Transient states of the chain (one per distinct rule state reachable without a signal). */
  states: number;
}

/** Most transient states solved exactly; larger chains (many long-window rules together) are left to Monte Carlo. */
export const MAX_MARKOV_STATES = 3000;

/**
 * Zero-state ARL of a rule set on independent, identically distributed points, by the Markov
 * chain of Champ & Woodall, "Exact results for Shewhart control charts with supplementary runs
 * rules", Technometrics 29(4), 1987, pp. 393–399: the chain's state is everything the rules
 * remember, each point moves it by the point's zone, a signal absorbs. With Q the transient
 * transition matrix, the ARL vector solves (I − Q)·L = 1 (Brook & Evans 1972; C&W eq. 2.1),
 * and the ARL of a fresh chart is L at the start state.
 *
 * The states are not written out by hand: they are the rules' own state (rules/runs.ts),
 * explored from a fresh state by running the engine's rule code on one representative point of
 * each zone class, and reduced by each rule's `canonical`. The chain therefore signals exactly
 * when the engine does, points on a zone line included. Returns undefined when a rule is not
 * Markov in zones (nelson3, nelson4) or the chain exceeds MAX_MARKOV_STATES.
 *
 * On normal data this gives we1 370.40, we1+we2 225.44, we1+we3 166.05, we1+we4 152.73 and
 * we1–we4 91.75; 91.75 is the figure quoted from Champ & Woodall for rules 1–4, but we could
 * not retrieve the paper or a textbook page to verify its table, so the tests check the chain against
 * hand-built chains and seeded Monte Carlo of the engine's rules (test/unit/arl-markov.test.ts).
 */
export function zoneMarkovArl(rules: readonly RuleName[], outcomes: readonly PointOutcome[]): MarkovArl | undefined {
  const layout = ruleLayout(rules);
  if (layout.rules.some((r) => !r.canonical)) return undefined;
  const classes = zoneClasses(outcomes);
  const canonical = (s: Float64Array) => { layout.rules.forEach((r, i) => r.canonical!(s, layout.offsets[i])); return s; };
  const states: Float64Array[] = [canonical(newRuleState(layout))];
  const index = new Map<string, number>([[states[0].join(','), 0]]);
  // Sparse rows of Q: to[i][k] with probability p[i][k].
  const to: number[][] = [], p: number[][] = [];
  for (let i = 0; i < states.length; i++) {
    const row = new Map<number, number>();
    for (const c of classes) {
      const s = states[i].slice();
      let fired = false;
      for (let r = 0; r < layout.rules.length; r++) if (layout.rules[r].test(c.point, s, layout.offsets[r])) fired = true;
      if (fired) continue;
      const key = canonical(s).join(',');
      let j = index.get(key);
      if (j === undefined) {
        if (states.length >= MAX_MARKOV_STATES) return undefined;
        j = states.length; states.push(s); index.set(key, j);
      }
      row.set(j, (row.get(j) ?? 0) + c.probability);
    }
    to.push([...row.keys()]); p.push([...row.values()]);
  }
  const arl = states.length <= DENSE_STATES ? solveDense(to, p)[0] : solveIterative(to, p);
  return arl === undefined ? undefined : { arl, states: states.length };
}

/** Up to this many states the dense solve is fast (n³/3 operations); larger chains are solved iteratively. */
const DENSE_STATES = 400;

/**
 * Outcomes merged by what the rules can see of a point: its side of each zone line (center,
 * ±1σ, ±2σ, ±3σ; equality kept apart, since rules compare strictly) and whether it is beyond
 * the limits. Sums probabilities, keeps the first point of each class as its representative.
 */
function zoneClasses(outcomes: readonly PointOutcome[]): PointOutcome[] {
  const classes = new Map<string, PointOutcome>();
  for (const o of outcomes) {
    if (!(o.probability > 0)) continue;
    const key = [-3, -2, -1, 0, 1, 2, 3].map((b) => Math.sign(o.point.z - b)).join('') + (o.point.beyond ? 'B' : '');
    const c = classes.get(key);
    if (c) c.probability += o.probability;
    else classes.set(key, { probability: o.probability, point: { ...o.point } });
  }
  return [...classes.values()];
}

/**
 * Solves L = 1 + Q·L by Gauss–Seidel sweeps on the sparse rows. The error shrinks by about the
 * chain's largest eigenvalue, 1 − 1/ARL, per sweep, so it stops when a sweep changes no entry by
 * more than 1e-13 of the largest (relative error ≲ 1e-13·ARL), or gives up (undefined) when the
 * work would exceed about 10⁹ operations.
 */
function solveIterative(to: readonly number[][], p: readonly number[][]): number | undefined {
  const n = to.length;
  const x = new Float64Array(n).fill(1);
  const nonzeros = to.reduce((s, r) => s + r.length, 0);
  for (let sweep = 0; sweep * nonzeros < 1e9; sweep++) {
    let change = 0, largest = 0;
    for (let i = 0; i < n; i++) {
      const row = to[i], pr = p[i];
      let diagonal = 0, s = 1;
      for (let k = 0; k < row.length; k++) {
        if (row[k] === i) diagonal += pr[k];
        else s += pr[k] * x[row[k]];
      }
      const v = s / (1 - diagonal);
      change = Math.max(change, Math.abs(v - x[i]));
      largest = Math.max(largest, v);
      x[i] = v;
    }
    if (change <= 1e-13 * largest) return x[0];
  }
  return undefined;
}

/** Solves (I − Q)·L = 1 on the dense matrix (linear-solve.ts). */
function solveDense(to: readonly number[][], p: readonly number[][]): Float64Array {
  const n = to.length;
  const a = Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n + 1);
    row[i] = 1;
    to[i].forEach((j, k) => { row[j] -= p[i][k]; });
    row[n] = 1;
    return row;
  });
  return solveAugmented(a);
}
