/**
 * Nelson rules (L. S. Nelson, "The Shewhart Control Chart — Tests for Special Causes",
 * Journal of Quality Technology 16(4), 1984), as R qcc 3.0 implements them.
 */
import type { SpcRule } from './rule.js';
import { Alternation, BeyondLimits, KOfMBeyondZone, MixtureRun, SameSideRun, Trend, WithinZoneRun } from './runs.js';

export type NelsonRule = 'nelson1' | 'nelson2' | 'nelson3' | 'nelson4' | 'nelson5' | 'nelson6' | 'nelson7' | 'nelson8';

export function nelsonRule(name: NelsonRule): SpcRule {
  switch (name) {
    /** One point beyond 3σ. */
    case 'nelson1': return new BeyondLimits(name);
    /** Nine points in a row on the same side of the center line. */
    case 'nelson2': return new SameSideRun(name, 9);
    /** Six points in a row steadily increasing or decreasing. */
    case 'nelson3': return new Trend(name, 6);
    /** Fourteen points in a row alternating up and down. */
    case 'nelson4': return new Alternation(name, 14);
    /** Two of three points in a row beyond 2σ on the same side. */
    case 'nelson5': return new KOfMBeyondZone(name, 2, 3, 2);
    /** Four of five points in a row beyond 1σ on the same side. */
    case 'nelson6': return new KOfMBeyondZone(name, 4, 5, 1);
    /** Fifteen points in a row within 1σ of the center line (stratification). */
    case 'nelson7': return new WithinZoneRun(name, 15, 1);
    /** Eight points in a row beyond 1σ, on both sides of the center line (mixture). */
    case 'nelson8': return new MixtureRun(name, 8, 1);
  }
}
