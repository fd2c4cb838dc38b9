import type { Phase1Revision } from './phase1-revision.js';
import type { CapabilityIndices } from '../capability.js';
import type { NormalityTest } from '../normality.js';
import type { PlottedPoint } from '../charts/chart.js';
import type { ChangePointEstimate } from '../changepoint/profile.js';
import type { Action, ChartType, RuleName, ViolationName } from '../config.js';

/** The change-point estimate of a new hold or alarm, with the unit and time of the first changed point. */
export interface ChangePoint extends ChangePointEstimate { unit?: string; ts: string }

/** One plotted point with its limits and the rules it violated: the engine's main output. */
export interface PointRecord extends PlottedPoint {
  type: 'point';
  characteristic: string;
  /** The split's values (`by: [product, cavity]` → { product, cavity }); absent without `by`. */
  split?: Readonly<Record<string, string>>;
  /** 1-based per characteristic (per split). */
  index: number;
  /**
   * Split characteristics: the point's number across all its splits (1-based), so points of two
   * splits at the same instant stay distinct where split keys are not part of a series (InfluxDB
   * fields); absent without `by`.
   */
  seq?: number;
  /** "I" for points of the limit-estimation window, "II" once limits are locked. */
  phase: 'I' | 'II';
  /** Timestamp of the last sample behind the point. */
  ts: string;
  violations: readonly ViolationName[];
  actions: readonly Action[];
  /** Unit IDs of the samples behind the point. */
  units: readonly string[];
  /** Distinct lots of those samples. */
  lots: readonly string[];
  /**
   * On points with an action whose rule spans several points: how many points the violated
   * pattern covers, this one included (9 for a nelson2 run, 3 for a 2-of-3 we2). The units of
   * those points are the suspects; the hold book keeps the recent units to name them.
   */
  runLength?: number;
  /** Set by the hold book: the units of the `runLength` latest points. */
  runUnits?: readonly string[];
  /**
   * On the point that raises a new hold or alarm (Phase II): where the process is estimated to
   * have changed, with the confidence set's bounds (point indices).
   */
  changePoint?: ChangePoint;
  /**
   * With changePoint, the units of every point from where containment starts through this one
   * (see the characteristic's `containment`). Not enumerable: it reaches the hold book, not the
   * NDJSON or the screens (the hold lists them).
   */
  suspectUnits?: readonly string[];
  /** Anomaly points: the features that contributed most to the score, largest first. */
  topFeatures?: readonly { feature: string; contribution: number }[];
}

/** State of one characteristic at the end of a run (backtest) or on request (worker). */
export interface SummaryRecord {
  type: 'summary';
  characteristic: string;
  /** The split this summary is of (with `by`). */
  split?: Readonly<Record<string, string>>;
  chart: ChartType;
  points: number;
  /** Locked center (μ, p̄, c̄, ū); null while Phase I is still collecting. */
  center: number | null;
  /** σ of individual values (variables) or per-unit σ (attributes); null while Phase I collects. */
  sigma: number | null;
  /** Samples of an incomplete trailing subgroup, not plotted. */
  pendingSamples: number;
  /** Samples of a subgroup closed with a single sample (a new subgroup id arrived), not plotted. */
  droppedSamples: number;
  /** Present while Phase I has not collected enough points to lock limits. */
  phase1?: { needed: number; collected: number };
  violations: Partial<Record<RuleName, number>>;
  actions: Partial<Record<Action, number>>;
  capability?: CapabilityIndices;
  /**
   * Anderson–Darling test of the Phase I values (variables charts of measurements, n ≥ 8): a small
   * p-value says the capability indices' normal model does not fit.
   */
  normality?: NormalityTest;
  /** The approved limits version in effect, when limits were recalculated and approved (absent: the rule file's). */
  limitsVersion?: number;
  /**
   * Phase I as a review: how many points the limits were estimated from and which of them (1-based
   * indices) violated a rule. They raised no hold or alarm: they were judged after the fact.
   * `revised`: what Montgomery's revision (`limits.revise`) dropped before the limits locked.
   */
  phase1Review?: { points: number; flagged: number[]; revised?: Phase1Revision };
}

export type PointSink = (point: PointRecord) => void;
