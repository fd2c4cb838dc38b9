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

export interface CharacteristicConfig {
  id: string;
  match: MatchConfig;
  chart: ChartConfig;
  limits: LimitsConfig;
  spec?: SpecConfig;
  rules: RuleName[];
  actions?: Partial<Record<Action, RuleName[]>>;
}

export interface RuleSetConfig {
  version: 1;
  characteristics: CharacteristicConfig[];
}
