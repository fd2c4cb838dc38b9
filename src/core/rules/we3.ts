import { KOfMBeyondZone } from './runs.js';
import type { RuleSpec } from './spec.js';

/** we3: four of five consecutive points beyond 1σ on the same side of the center line. */
export const spec = {
  key: 'we3',
  family: 'Western Electric',
  detects: 'four of five consecutive points beyond 1σ on the same side of the center line',
  window: 5,
  source: 'Western Electric Statistical Quality Control Handbook (1956); Montgomery, Introduction to SQC, 7th ed., §5.3.6; as R qcc 3.0 flags it',
  create: () => new KOfMBeyondZone('we3', 4, 5, 1),
  file: import.meta.url,
} as const satisfies RuleSpec;
