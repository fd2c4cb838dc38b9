/** Typed configuration the engine runs on; produced by `src/rules-file` from YAML. */

export const CHART_TYPES = ['i-mr', 'xbar-r', 'xbar-s', 'ewma', 'cusum', 'p', 'np', 'c', 'u'] as const;
export type ChartType = (typeof CHART_TYPES)[number];

export const VARIABLES_CHARTS: readonly ChartType[] = ['i-mr', 'xbar-r', 'xbar-s', 'ewma', 'cusum'];
export const ATTRIBUTE_CHARTS: readonly ChartType[] = ['p', 'np', 'c', 'u'];
/** Charts whose samples must carry `n`. */
export const CHARTS_NEEDING_N: readonly ChartType[] = ['p', 'np', 'u'];
/** EWMA and CUSUM statistics are autocorrelated by construction, so zone/run rules do not apply. */
export const CHARTS_WITHOUT_RUN_RULES: readonly ChartType[] = ['ewma', 'cusum'];

export const RULE_NAMES = [
  'we1', 'we2', 'we3', 'we4',
  'nelson1', 'nelson2', 'nelson3', 'nelson4', 'nelson5', 'nelson6', 'nelson7', 'nelson8',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];
/** What a point can violate: a chart rule, or a multivariate model's limit. */
export type ViolationName = RuleName | 'anomaly';
/** Rules that only look at the current point against the chart's limits. */
export const LIMIT_RULES: readonly RuleName[] = ['we1', 'nelson1'];

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
}

export type LimitsConfig =
  | { phase1: number; exclude?: number[] }
  | { center: number; sigma?: number };

export interface SpecConfig { lsl?: number; usl?: number; target?: number }

export interface MatchConfig { line?: string; station?: string; parameter?: string }

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
  rules: RuleName[];
  actions?: Partial<Record<Action, RuleName[]>>;
  /** Containment from the estimated change point (default from: lower, lookback: 500). */
  containment?: ContainmentConfig;
}

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

export interface RuleSetConfig {
  version: 1;
  characteristics: CharacteristicConfig[];
  anomaly?: AnomalyConfig[];
}
