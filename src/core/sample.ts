/**
 * One process-parameter measurement, the message shape used everywhere (files, NATS, tests).
 * For attribute charts `value` is the count of nonconforming items (p, np) or of defects (c, u)
 * and `n` the items inspected (p, np) or inspection units (u, may be fractional).
 */
export interface Sample {
  /** ISO-8601 timestamp of the measurement. */
  ts: string;
  line: string;
  station: string;
  parameter: string;
  value: number;
  /** Serial / unit ID the measurement belongs to. */
  unit: string;
  lot?: string;
  operator?: string;
  equipment?: string;
  /** Sample size for p / np / u charts. */
  n?: number;
  /** Rational subgroup id for X̄ charts; consecutive samples form subgroups when absent. */
  subgroup?: string | number;
  /** Product / part number: characteristics can match it and keep one chart per product (`by`). */
  product?: string;
  /** Where on the station, e.g. { cavity: "2", spindle: "B" }: matched and split like product. */
  attributes?: Readonly<Record<string, string>>;
}
