import { spec as we1 } from './we1.js';
import { spec as we2 } from './we2.js';
import { spec as we3 } from './we3.js';
import { spec as we4 } from './we4.js';
import { spec as nelson1 } from './nelson1.js';
import { spec as nelson2 } from './nelson2.js';
import { spec as nelson3 } from './nelson3.js';
import { spec as nelson4 } from './nelson4.js';
import { spec as nelson5 } from './nelson5.js';
import { spec as nelson6 } from './nelson6.js';
import { spec as nelson7 } from './nelson7.js';
import { spec as nelson8 } from './nelson8.js';
import type { RuleSpec } from './spec.js';

/**
 * Every rule, in the order the docs list them: the only list. A new rule is one file exporting a
 * `spec` (spec.ts; its detector in runs.ts) and one line here.
 */
export const RULE_SPECS = [we1, we2, we3, we4, nelson1, nelson2, nelson3, nelson4, nelson5, nelson6, nelson7, nelson8] as const satisfies readonly RuleSpec[];

export type RuleName = (typeof RULE_SPECS)[number]['key'];

const byKey = new Map<string, RuleSpec>(RULE_SPECS.map((s) => [s.key, s]));

/** The spec of a rule (undefined for an unknown key). */
export function ruleSpec(key: string): RuleSpec | undefined { return byKey.get(key); }
