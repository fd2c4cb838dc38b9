import { WithinZoneRun } from './runs.js';
import type { RuleSpec } from './spec.js';

/** nelson7: fifteen points in a row within 1σ of the center line (stratification: limits too wide). */
export const spec = {
  key: 'nelson7',
  family: 'Nelson',
  detects: 'fifteen points in a row within 1σ of the center line (stratification: limits too wide)',
  window: 15,
  source: 'Nelson, "The Shewhart Control Chart — Tests for Special Causes", JQT 16(4), 1984; as R qcc 3.0 flags it',
  create: () => new WithinZoneRun('nelson7', 15, 1),
  file: import.meta.url,
} as const satisfies RuleSpec;
