import { Trend } from './runs.js';
import type { RuleSpec } from './spec.js';

/** nelson3: six points in a row steadily increasing or decreasing (a trend). */
export const spec = {
  key: 'nelson3',
  family: 'Nelson',
  detects: 'six points in a row steadily increasing or decreasing (a trend)',
  window: 6,
  source: 'Nelson, "The Shewhart Control Chart — Tests for Special Causes", JQT 16(4), 1984; as R qcc 3.0 flags it',
  create: () => new Trend('nelson3', 6),
  file: import.meta.url,
} as const satisfies RuleSpec;
