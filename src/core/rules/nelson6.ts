import { KOfMBeyondZone } from './runs.js';
import type { RuleSpec } from './spec.js';

/** nelson6: four of five points in a row beyond 1σ on the same side. */
export const spec = {
  key: 'nelson6',
  family: 'Nelson',
  detects: 'four of five points in a row beyond 1σ on the same side',
  window: 5,
  source: 'Nelson, "The Shewhart Control Chart — Tests for Special Causes", JQT 16(4), 1984; as R qcc 3.0 flags it',
  create: () => new KOfMBeyondZone('nelson6', 4, 5, 1),
  file: import.meta.url,
} as const satisfies RuleSpec;
