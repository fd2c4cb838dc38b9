import type { ControlChart } from './chart.js';

/** A chart's parameters as the rule file gives them (ChartConfig without its type). */
export interface ChartParamValues {
  subgroupSize?: number; lambda?: number; L?: number; k?: number; h?: number;
  /** p, np, u: the typical sample size (items, or inspection units for u), for the exact ARL. */
  n?: number;
  /** p, np, c, u: where the limits are; default `3sigma`. */
  limits?: LimitKind;
}

/**
 * How an attribute chart's limits are set: center ± 3σ of the normal approximation (Montgomery
 * §7.2.1, §7.3.1), or the binomial / Poisson quantiles with 0.00135 in each tail (probability
 * limits, probability-limits.ts).
 */
export const LIMIT_KINDS = ['3sigma', 'probability'] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];

/** A product's nominal and known σ from the rule file (`products: { P-100: { spec: { target }, limits: { sigma } } }`). */
export interface ProductStandard { target?: number; sigma?: number }
export type ProductStandards = Readonly<Record<string, ProductStandard>>;

/** One parameter of a chart in the rule file (`chart: { type: …, <key>: … }`). */
export interface ChartParamSpec {
  key: 'subgroupSize' | 'lambda' | 'L' | 'k' | 'h' | 'n' | 'limits';
  /** A number, or one word of `values` (enum). */
  type: 'integer' | 'number' | 'enum';
  /** The words an enum parameter takes. */
  values?: readonly string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  /** Used when the rule file leaves it out; absent = required (unless `optional`). */
  default?: number | string;
  /** May be left out and has no default: a hint some tools use (the typical sample size for the ARL). */
  optional?: boolean;
  /** What the number is measured in ("σ", "samples"). */
  unit?: string;
  doc: string;
}

/**
 * Everything the rest of spc-guard needs to know about a chart type, in the chart's own file:
 * the rule-file schema, the semantic checks, the engine, the ARL tool, the change-point estimate,
 * `spc explain` and README's chart table are all built from these (charts/registry.ts).
 */
export interface ChartSpec {
  /** The rule-file key, `chart: { type: <key> }`. */
  key: string;
  title: string;
  /** Variables charts plot measurements; attribute charts counts (and take a center without sigma). */
  family: 'variables' | 'attributes';
  /** What the plotted values are assumed to follow: drives the ARL simulation and the change-point estimator. */
  distribution: 'normal' | 'binomial' | 'poisson';
  params: readonly ChartParamSpec[];
  /**
   * Whether zone and run rules apply. EWMA and CUSUM points are autocorrelated by construction,
   * so only the limit rules (we1, nelson1) may be used on them.
   */
  runRules: boolean;
  /** One point per sample, or per subgroup of `subgroupSize` samples. */
  subgroups: 'individual' | 'subgroup';
  /** Samples must carry `n` (the sample size, or inspection units). */
  needsN: boolean;
  /** The count may not exceed n (p, np). */
  countWithinN?: boolean;
  /** Extra check of a fixed center (attribute charts): a message when it cannot be used. */
  checkCenter?: (center: number, chart: string) => string | undefined;
  /**
   * Attribute charts whose fixed limits take a sigma too, and what it means there (Laney's σz);
   * other attribute charts derive σ from the center.
   */
  standardSigma?: string;
  /**
   * What the plotted statistic measures: the measurement itself (absent), its deviation from the
   * product's nominal (DNOM), or a standardized value (Z, Q). Capability applies to measurements
   * only; short-run charts take their nominals from `products` instead of splitting by them.
   */
  scale?: 'deviation' | 'standardized';
  /** Starts from each product's first pieces: no Phase I and no limits in the rule file (Q chart). */
  selfStarting?: boolean;
  /** A fresh (stateful) chart for one characteristic; short-run charts read the products' standards. */
  create: (config: ChartParamValues, products: ProductStandards) => ControlChart;
  /** Where the formulas come from (book, section, equations). */
  source: string;
  /** The file this spec lives in (set from import.meta.url; `spc explain` shows it). */
  file: string;
}

/** A chart parameter's value: the rule file's, or the spec's default. */
export function paramOf(spec: ChartSpec, config: ChartParamValues, key: Exclude<ChartParamSpec['key'], 'limits'>): number | undefined {
  const d = spec.params.find((p) => p.key === key)?.default;
  return config[key] ?? (typeof d === 'number' ? d : undefined);
}
