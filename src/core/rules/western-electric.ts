/**
 * Western Electric rules (Western Electric Statistical Quality Control Handbook, 1956;
 * Montgomery §5.3.6), as R qcc 3.0 implements them.
 */
import type { SpcRule } from './rule.js';
import { BeyondLimits, KOfMBeyondZone, SameSideRun } from './runs.js';

export type WesternElectricRule = 'we1' | 'we2' | 'we3' | 'we4';

export function westernElectricRule(name: WesternElectricRule): SpcRule {
  switch (name) {
    /** One point beyond the 3σ control limits. */
    case 'we1': return new BeyondLimits(name);
    /** Two of three consecutive points beyond 2σ on the same side. */
    case 'we2': return new KOfMBeyondZone(name, 2, 3, 2);
    /** Four of five consecutive points beyond 1σ on the same side. */
    case 'we3': return new KOfMBeyondZone(name, 4, 5, 1);
    /** Eight consecutive points on the same side of the center line. */
    case 'we4': return new SameSideRun(name, 8);
  }
}
