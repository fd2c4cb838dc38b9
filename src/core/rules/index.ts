import type { RuleName } from '../config.js';
import { nelsonRule, type NelsonRule } from './nelson.js';
import type { SpcRule } from './rule.js';
import { westernElectricRule, type WesternElectricRule } from './western-electric.js';

export type { RulePoint, SpcRule } from './rule.js';

/** A fresh (stateful) rule evaluator for one characteristic. */
export function createRule(name: RuleName): SpcRule {
  return name.startsWith('we') ? westernElectricRule(name as WesternElectricRule) : nelsonRule(name as NelsonRule);
}
