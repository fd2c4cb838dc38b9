import { SameSideRun } from './runs.js';
import type { RuleSpec } from './spec.js';

/** we4: eight consecutive points on the same side of the center line. */
export const spec = {
  key: 'we4',
  family: 'Western Electric',
  detects: 'eight consecutive points on the same side of the center line',
  window: 8,
  source: 'Western Electric Statistical Quality Control Handbook (1956); Montgomery, Introduction to SQC, 7th ed., §5.3.6; as R qcc 3.0 flags it',
  create: () => new SameSideRun('we4', 8),
  file: import.meta.url,
} as const satisfies RuleSpec;
