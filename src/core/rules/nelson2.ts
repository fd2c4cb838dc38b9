import { SameSideRun } from './runs.js';
import type { RuleSpec } from './spec.js';

/** nelson2: nine points in a row on the same side of the center line. */
export const spec = {
  key: 'nelson2',
  family: 'Nelson',
  detects: 'nine points in a row on the same side of the center line',
  window: 9,
  source: 'Nelson, "The Shewhart Control Chart — Tests for Special Causes", JQT 16(4), 1984; as R qcc 3.0 flags it',
  create: () => new SameSideRun('nelson2', 9),
  file: import.meta.url,
} as const satisfies RuleSpec;
