import type { PointRecord, Sample, Signal, SummaryRecord } from '../core/index.js';

/** A unit an anomaly model gave up waiting for (see anomaly/unit-assembler.ts): never judged. */
export interface UnjudgedUnit { unit: string; lots: readonly string[]; line: string; station: string; missing: readonly string[] }

/** Tags a point's lines carry besides its own fields. */
export interface PointTags {
  line: string; station: string; parameter: string; chart: string; lsl?: number; usl?: number;
  /** Split keys written as tags (the rule file's `lowCardinality`); other split keys are fields. */
  splitTags?: ReadonlySet<string>;
}

/**
 * How samples, points and signals become time-series lines (InfluxDB line protocol in
 * production). `sequence` makes lines of the same millisecond distinct and rewrites idempotent.
 */
export interface LineEncoder {
  sample(s: Sample, sequence: number): string;
  point(p: PointRecord, tags: PointTags): string;
  violations(p: PointRecord, tags: PointTags): string[];
  capability(characteristic: string, place: { line: string; station: string; splitTags?: ReadonlySet<string> }, summary: SummaryRecord, ts: string, sequence: number): string | undefined;
  signal(s: Signal, sequence: number): string;
  /** A unit anomaly model `model` gave up at `ts` without every feature. */
  unjudged(model: string, u: UnjudgedUnit, ts: string, sequence: number): string;
}
