import { KOfMBeyondZone } from './runs.js';
import type { RuleSpec } from './spec.js';

/** we2: two of three consecutive points beyond 2σ on the same side of the center line. */
export const spec = {
  key: 'we2',
  family: 'Western Electric',
  detects: 'two of three consecutive points beyond 2σ on the same side of the center line',
  window: 3,
  source: 'Western Electric Statistical Quality Control Handbook (1956); Montgomery, Introduction to SQC, 7th ed., §5.3.6; as R qcc 3.0 flags it',
  create: () => new KOfMBeyondZone('we2', 2, 3, 2),
  file: import.meta.url,
} as const satisfies RuleSpec;
