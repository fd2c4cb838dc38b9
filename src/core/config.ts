/** Typed configuration the engine runs on; produced by `src/rules-file` from YAML. */
import { CHART_SPECS, type ChartType } from './charts/registry.js';
import type { LimitKind } from './charts/spec.js';
import { RULE_SPECS, type RuleName } from './rules/registry.js';
import type { CharacteristicLoop } from './closed-loop/plan.js';

// The lists below are built from the chart and rule specs (charts/registry.ts, rules/registry.ts):
// each chart and rule describes itself in its own file.
export type { ChartType };
export type { RuleName };
export const CHART_TYPES: readonly ChartType[] = CHART_SPECS.map((s) => s.key);
export const VARIABLES_CHARTS: readonly ChartType[] = CHART_SPECS.filter((s) => s.family === 'variables').map((s) => s.key);
export const ATTRIBUTE_CHARTS: readonly ChartType[] = CHART_SPECS.filter((s) => s.family === 'attributes').map((s) => s.key);
/** Charts whose samples must carry `n`. */
export const CHARTS_NEEDING_N: readonly ChartType[] = CHART_SPECS.filter((s) => s.needsN).map((s) => s.key);
/** EWMA and CUSUM statistics are autocorrelated by construction, so zone/run rules do not apply. */
export const CHARTS_WITHOUT_RUN_RULES: readonly ChartType[] = CHART_SPECS.filter((s) => !s.runRules).map((s) => s.key);

export const RULE_NAMES: readonly RuleName[] = RULE_SPECS.map((r) => r.key);
/** What a point can violate: a chart rule, or a multivariate model's limit. */
export type ViolationName = RuleName | 'anomaly' | 'overdue';
/** Rules that only look at the current point against the chart's limits. */
export const LIMIT_RULES: readonly RuleName[] = RULE_SPECS.filter((r) => r.window === 1).map((r) => r.key);

export const ACTIONS = ['hold', 'alarm'] as const;
export type Action = (typeof ACTIONS)[number];

export interface ChartConfig {
  type: ChartType;
  /** X̄ charts: samples per subgroup, 2..25. */
  subgroupSize?: number;
  /** EWMA smoothing constant λ in (0, 1]; default 0.2 (qcc default). */
  lambda?: number;
  /** EWMA limit width in σ; default 3. */
  L?: number;
  /** CUSUM reference value k in σ units; default 0.5 (detects a 1σ shift). */
  k?: number;
  /** CUSUM decision interval h in σ units; default 5 (Montgomery §9.1.3). */
  h?: number;
  /** p, np, u: the typical sample size (items, or inspection units for u); used for the exact ARL. */
  n?: number;
  /** p, np, c, u: 3σ limits (default) or probability limits (charts/probability-limits.ts). */
  limits?: LimitKind;
}

export type LimitsConfig =
  | { phase1: number; exclude?: number[]; revise?: boolean | number }
  | { center: number; sigma?: number };

export interface SpecConfig { lsl?: number; usl?: number; target?: number }

/** How capability is computed: the normal indices (default), or for non-normal data the Box-Cox or percentile method. */
export const CAPABILITY_METHODS = ['normal', 'boxcox', 'percentile'] as const;
export interface CapabilityConfig {
  method: (typeof CAPABILITY_METHODS)[number];
  /** A fixed Box-Cox λ (e.g. Minitab's rounded 0, 0.5, −1); estimated by maximum likelihood when absent. */
  lambda?: number;
}

export interface MatchConfig {
  line?: string; station?: string; parameter?: string;
  /** Only samples of this product (part number). */
  product?: string;
  /** Only samples whose attributes have these values, e.g. { cavity: "2" }. */
  attributes?: Readonly<Record<string, string>>;
}

/** Most charts one characteristic may split into (`maxSplits` default): bounds memory and tag cardinality. */
export const DEFAULT_MAX_SPLITS = 1_000;

/** Where a new hold's suspect window starts: the confidence set's lower end, the estimate itself, or the signal's own pattern. */
export const CONTAINMENT_FROM = ['lower', 'changepoint', 'signal'] as const;
export type ContainmentFrom = (typeof CONTAINMENT_FROM)[number];
/** Points the change-point estimate looks back over (and the history kept per characteristic). */
export const DEFAULT_LOOKBACK = 500;
export const MAX_LOOKBACK = 10_000;
export interface ContainmentConfig { from?: ContainmentFrom; lookback?: number }

export interface CharacteristicConfig {
  id: string;
  match: MatchConfig;
  chart: ChartConfig;
  limits: LimitsConfig;
  spec?: SpecConfig;
  /** Capability method (default normal). */
  capability?: CapabilityConfig;
  rules: RuleName[];
  actions?: Partial<Record<Action, RuleName[]>>;
  /** Consecutive points without an alarm action that clear an alarm (off-delay against chattering; default 1). */
  clearAfter?: number;
  /** Alarm priority per rule (ISA-18.2): `high` alarms are never suppressed by flood control. */
  priority?: Partial<Record<RuleName, 'high' | 'normal'>>;
  /** Containment from the estimated change point (default from: lower, lookback: 500). */
  containment?: ContainmentConfig;
  /**
   * One chart per distinct combination of these keys (`product`, or attribute names), each with its
   * own Phase I, limits, rule state, holds and capability, created on its first sample.
   */
  by?: readonly string[];
  /** Most splits (default 1,000); samples of further combinations are dead-lettered (too-many-splits). */
  maxSplits?: number;
  /**
   * Split keys with few values (a handful of products or cavities): InfluxDB tags, so dashboards
   * group by them. The other split keys are string fields: a key with thousands of values would
   * otherwise add that many series.
   */
  lowCardinality?: readonly string[];
  /** Per-product overrides of spec and limits (with `by: [product, …]`). */
  products?: Readonly<Record<string, SplitOverride>>;
}

/** What one split value may change: its spec limits and its limits (a product's own nominal). */
export interface SplitOverride { spec?: SpecConfig; limits?: LimitsConfig }

/** A multivariate model scoring each unit (rule file `anomaly:` entries). */
export interface AnomalyConfig {
  id: string;
  /** Path of the .onnx model, resolved against the rule file's folder. */
  model: string;
  /** Which samples feed the model's features; the features themselves come from the model card. */
  match?: { line?: string; station?: string };
  action: Action | 'none';
  /** How long to wait for all features of a unit, ms. */
  waitMs: number;
}

/**
 * A scheduled manual check (rule file `checks:`): an operator measures `sampleSize` units with a
 * gauge every `everyMs`, every `everyUnits` units made at the station, or at each shift start; the
 * entries become samples of `characteristic`. Late past the grace: an `overdue` alarm (or hold).
 */
export interface CheckConfig {
  id: string;
  characteristic: string;
  line: string; station: string; parameter: string;
  everyMs?: number;
  everyUnits?: number;
  /** UTC times of day, "HH:MM". */
  shiftStarts?: readonly string[];
  sampleSize: number;
  gauge?: string;
  instructions: string;
  plausible?: { min?: number; max?: number };
  /** How late a check may be before it is overdue: ms for time and shift checks, units for unit checks. */
  graceMs: number;
  graceUnits: number;
  overdue: 'alarm' | 'hold';
}

export interface RuleSetConfig {
  version: 1;
  characteristics: CharacteristicConfig[];
  anomaly?: AnomalyConfig[];
  /**
   * Codes and reaction plans by characteristic id, resolved from each rule file's `codes`,
   * `reactionPlans` and the characteristic's `reactionPlan` (kept out of the characteristic's own
   * config, so editing a plan does not restart its chart on hot reload).
   */
  closedLoop?: Record<string, CharacteristicLoop>;
  checks?: CheckConfig[];
}
