import type { RulePoint } from './rule.js';
import { alternationStep, kOfMStep, mixtureStep, RuleKind, sameSideStep, trendStep, withinZoneStep, type RuleKernel } from './runs.js';

/**
 * A rule evaluated from its kernel (kind and parameters) by one switch over direct calls V8 can
 * inline: the engine's per-point loop. Calling `rule.test` through the rule objects dispatched over
 * seven classes per point (a megamorphic call site); with all eight Nelson rules that was ~0.3 µs a
 * point, as much as JSON.parse of the sample. Every kernel is a plain object of one shape, so the
 * loop reads them monomorphically. Same results as the rules' own `test` (the same step functions).
 */
export function testRule(k: RuleKernel, p: RulePoint, s: Float64Array, at: number): boolean {
  switch (k.kind) {
    case RuleKind.Beyond: return p.beyond;
    case RuleKind.KOfM: return kOfMStep(p, s, at, k.a, k.b, k.c);
    case RuleKind.SameSide: return sameSideStep(p, s, at, k.a);
    case RuleKind.Trend: return trendStep(p, s, at, k.a);
    case RuleKind.Alternation: return alternationStep(p, s, at, k.a);
    case RuleKind.WithinZone: return withinZoneStep(p, s, at, k.a, k.b);
    case RuleKind.Mixture: return mixtureStep(p, s, at, k.a, k.b);
    default: throw new RangeError(`unknown rule kind ${String(k.kind)}`);
  }
}
