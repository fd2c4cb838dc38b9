import { KOfMBeyondZone } from './runs.js';
import type { RuleSpec } from './spec.js';

/** nelson5: two of three points in a row beyond 2σ on the same side. */
export const spec = {
  key: 'nelson5',
  family: 'Nelson',
  detects: 'two of three points in a row beyond 2σ on the same side',
  window: 3,
  source: 'Nelson, "The Shewhart Control Chart — Tests for Special Causes", JQT 16(4), 1984; as R qcc 3.0 flags it',
  create: () => new KOfMBeyondZone('nelson5', 2, 3, 2),
  file: import.meta.url,
} as const satisfies RuleSpec;
