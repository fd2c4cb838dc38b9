import { MixtureRun } from './runs.js';
import type { RuleSpec } from './spec.js';

/** nelson8: eight points in a row beyond 1σ, on both sides of the center line (a mixture). */
export const spec = {
  key: 'nelson8',
  family: 'Nelson',
  detects: 'eight points in a row beyond 1σ, on both sides of the center line (a mixture)',
  window: 8,
  source: 'Nelson, "The Shewhart Control Chart — Tests for Special Causes", JQT 16(4), 1984; as R qcc 3.0 flags it',
  create: () => new MixtureRun('nelson8', 8, 1),
  file: import.meta.url,
} as const satisfies RuleSpec;
