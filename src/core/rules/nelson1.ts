import { BeyondLimits } from './runs.js';
import type { RuleSpec } from './spec.js';

/** nelson1: one point beyond 3σ. */
export const spec = {
  key: 'nelson1',
  family: 'Nelson',
  detects: 'one point beyond 3σ',
  window: 1,
  source: 'Nelson, "The Shewhart Control Chart — Tests for Special Causes", JQT 16(4), 1984; as R qcc 3.0 flags it',
  arl0: { value: 370.4, source: 'Montgomery §5.3.3: ARL₀ = 1/α with α = 0.0027 for 3σ limits on a normal statistic' },
  create: () => new BeyondLimits('nelson1'),
  file: import.meta.url,
} as const satisfies RuleSpec;
