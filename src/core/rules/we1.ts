import { BeyondLimits } from './runs.js';
import type { RuleSpec } from './spec.js';

/** we1: one point beyond the 3σ control limits. */
export const spec = {
  key: 'we1',
  family: 'Western Electric',
  detects: 'one point beyond the 3σ control limits',
  window: 1,
  source: 'Western Electric Statistical Quality Control Handbook (1956); Montgomery, Introduction to SQC, 7th ed., §5.3.6; as R qcc 3.0 flags it',
  arl0: { value: 370.4, source: 'Montgomery §5.3.3: ARL₀ = 1/α with α = 0.0027 for 3σ limits on a normal statistic' },
  create: () => new BeyondLimits('we1'),
  file: import.meta.url,
} as const satisfies RuleSpec;
