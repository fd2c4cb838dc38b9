import type { RuleName } from '../config.js';
import { ruleSpec } from './registry.js';
import type { SpcRule } from './rule.js';
import type { RuleKernel } from './runs.js';

export type { RulePoint, SpcRule } from './rule.js';

const shared = new Map<RuleName, SpcRule>();

/** The (stateless, shared) evaluator of a rule; its state lives with each characteristic. */
export function createRule(name: RuleName): SpcRule {
  let rule = shared.get(name);
  if (!rule) {
    const spec = ruleSpec(name);
    if (!spec) throw new RangeError(`unknown rule ${name}`);
    rule = spec.create();
    shared.set(name, rule);
  }
  return rule;
}

/** The layout of a rule list's state; shared by every characteristic with the same rules. */
export interface RuleLayout {
  readonly rules: readonly SpcRule[];
  /** Offset of each rule's state in the characteristic's Float64Array. */
  readonly offsets: Int32Array;
  readonly stateSize: number;
  /** Each rule's kernel, for the engine's per-point loop (kernel.ts: testRule). */
  readonly kernels: readonly RuleKernel[];
}

const layouts = new Map<string, RuleLayout>();

export function ruleLayout(names: readonly RuleName[]): RuleLayout {
  const key = names.join(',');
  let layout = layouts.get(key);
  if (!layout) {
    const rules = names.map(createRule);
    const offsets = new Int32Array(rules.length);
    let size = 0;
    rules.forEach((r, i) => { offsets[i] = size; size += r.stateSize; });
    layout = { rules, offsets, stateSize: size, kernels: rules.map((r) => r.kernel) };
    layouts.set(key, layout);
  }
  return layout;
}

/** A fresh state block for a rule list: every rule at the start of a run. */
export function newRuleState(layout: RuleLayout): Float64Array {
  const state = new Float64Array(layout.stateSize);
  layout.rules.forEach((r, i) => r.init(state, layout.offsets[i]));
  return state;
}
