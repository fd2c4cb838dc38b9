import type { SpcRule } from './rule.js';

/**
 * Everything the rest of spc-guard needs to know about a rule, in the rule's own file: the
 * rule-file schema, the checks, the engine, `spc explain` and README's rule table are built from
 * these (rules/registry.ts). The algorithm is one of the shared run detectors in runs.ts.
 */
export interface RuleSpec {
  /** The rule-file key, in `rules:` and `actions:`. */
  key: string;
  family: 'Western Electric' | 'Nelson';
  /** What it detects, in one sentence. */
  detects: string;
  /** Points the pattern spans (its suspect units); 1 = the point against the limits only. */
  window: number;
  source: string;
  /** The published in-control ARL of the rule used alone, where one exists, with its source. */
  arl0?: { value: number; source: string };
  create: () => SpcRule;
  /** The file this spec lives in (set from import.meta.url; `spc explain` shows it). */
  file: string;
}
