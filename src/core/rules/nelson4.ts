import { Alternation } from './runs.js';
import type { RuleSpec } from './spec.js';

/** nelson4: fourteen points in a row alternating up and down (two alternating streams). */
export const spec = {
  key: 'nelson4',
  family: 'Nelson',
  detects: 'fourteen points in a row alternating up and down (two alternating streams)',
  window: 14,
  source: 'Nelson, "The Shewhart Control Chart — Tests for Special Causes", JQT 16(4), 1984; as R qcc 3.0 flags it',
  create: () => new Alternation('nelson4', 14),
  file: import.meta.url,
} as const satisfies RuleSpec;
