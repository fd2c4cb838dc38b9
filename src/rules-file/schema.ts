import Type from 'typebox';
import { MAX_REVISION_ROUNDS } from '../core/engine/phase1-revision.js';
import { CAPABILITY_METHODS, CHART_TYPES, CONTAINMENT_FROM, MAX_LOOKBACK, RULE_NAMES } from '../core/config.js';
import { ATTRIBUTE_KEY } from '../samples/schema.js';

/** Most splits one characteristic may declare (memory, and InfluxDB tag cardinality). */
const MAX_SPLITS = 100_000;
import { CHART_SPECS } from '../core/charts/registry.js';
import type { ChartSpec } from '../core/charts/spec.js';

/** Longest Phase I window, which bounds the memory held per characteristic before limits lock. */
export const MAX_PHASE1_POINTS = 10_000;

const RuleList = Type.Array(Type.Enum([...RULE_NAMES]), { uniqueItems: true });

const Match = Type.Object({
  line: Type.Optional(Type.String({ minLength: 1 })),
  station: Type.Optional(Type.String({ minLength: 1 })),
  parameter: Type.Optional(Type.String({ minLength: 1 })),
  product: Type.Optional(Type.String({ minLength: 1, description: 'only samples of this product (part number)' })),
  attributes: Type.Optional(Type.Record(Type.String({ pattern: ATTRIBUTE_KEY }), Type.String({ minLength: 1 }), { description: 'only samples whose attributes have these values, e.g. { cavity: "2" }' })),
}, { additionalProperties: false, minProperties: 1, description: 'A sample belongs to the characteristic when every given key equals the sample\'s.' });

/** The chart object: `type` from the chart specs, and each parameter any chart takes (the semantic check says which apply). */
function chartSchema() {
  const params: Record<string, ReturnType<typeof Type.Number>> = {};
  for (const spec of CHART_SPECS as readonly ChartSpec[]) {
    for (const p of spec.params) {
      if (params[p.key]) continue;
      const takers = (CHART_SPECS as readonly ChartSpec[]).filter((s) => s.params.some((q) => q.key === p.key)).map((s) => s.key);
      const description = `${takers.join(', ')}: ${p.doc}${p.unit ? `, in ${p.unit}` : ''}${p.default !== undefined ? `; default ${p.default}` : ''}`;
      const range = { ...(p.minimum !== undefined ? { minimum: p.minimum } : {}), ...(p.maximum !== undefined ? { maximum: p.maximum } : {}), ...(p.exclusiveMinimum !== undefined ? { exclusiveMinimum: p.exclusiveMinimum } : {}) };
      const schema = p.type === 'enum' ? Type.Enum([...(p.values ?? [])], { description }) : p.type === 'integer' ? Type.Integer({ ...range, description }) : Type.Number({ ...range, description });
      params[p.key] = Type.Optional(schema) as never;
    }
  }
  return Type.Object({
    type: Type.Enum([...CHART_TYPES], { description: CHART_TYPES.join(' | ') }),
    ...params,
  }, { additionalProperties: false });
}
const Chart = chartSchema();

const Limits = Type.Object({
  phase1: Type.Optional(Type.Integer({ minimum: 2, maximum: MAX_PHASE1_POINTS, description: 'estimate center and sigma from the first N plotted points, then lock them (Phase II)' })),
  exclude: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { uniqueItems: true, description: 'Phase I points (1-based) left out of the estimate: assignable causes' })),
  revise: Type.Optional(Type.Union([Type.Boolean(), Type.Integer({ minimum: 1, maximum: MAX_REVISION_ROUNDS })], { description: `Montgomery's revision of trial limits: drop the Phase I points beyond the limits and estimate again, until none is beyond (true: at most ${MAX_REVISION_ROUNDS} rounds) or for this many rounds; what was dropped is recorded` })),
  center: Type.Optional(Type.Number({ description: 'fixed center: mean (variables) or p̄ / c̄ / ū (attributes)' })),
  sigma: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'fixed sigma of individual values (variables charts); σz for Laney p′ and u′ charts' })),
}, { additionalProperties: false });

const Spec = Type.Object({
  lsl: Type.Optional(Type.Number({ description: 'lower specification limit' })),
  usl: Type.Optional(Type.Number({ description: 'upper specification limit' })),
  target: Type.Optional(Type.Number({ description: 'nominal value' })),
}, { additionalProperties: false, minProperties: 1 });

const Capability = Type.Object({
  method: Type.Enum([...CAPABILITY_METHODS], { description: 'normal (Cp, Cpk, Pp, Ppk, default) | boxcox (Pp, Ppk of the Box-Cox transformed values and spec limits) | percentile (Pp, Ppk from the 0.135 %, 50 % and 99.865 % quantiles of the Box-Cox fitted distribution)' }),
  lambda: Type.Optional(Type.Number({ minimum: -5, maximum: 5, description: 'a fixed Box-Cox λ (e.g. 0 for ln, 0.5, −1); estimated by maximum likelihood when absent' })),
}, { additionalProperties: false });

const CodeList = Type.Array(Type.Object({
  code: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$', description: 'short code as operators pick it, e.g. TOOL-WEAR' }),
  text: Type.String({ minLength: 1, maxLength: 200, description: 'what the code means' }),
}, { additionalProperties: false }), { maxItems: 200 });
const Codes = Type.Object({
  causes: Type.Optional(CodeList),
  actions: Type.Optional(CodeList),
}, { additionalProperties: false, description: 'assignable-cause codes (causes) and corrective-action codes (actions) a release or acknowledgement picks from' });
const PLAN_NAME = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
const Plan = Type.Object({
  steps: Type.Array(Type.Object({
    do: Type.String({ minLength: 3, maxLength: 500, description: 'what to do' }),
    who: Type.String({ minLength: 1, maxLength: 60, description: 'who does it: operator, quality, maintenance, …' }),
  }, { additionalProperties: false }), { minItems: 1, maxItems: 30, description: 'the out-of-control action plan, in order' }),
  acknowledge: Type.Optional(Type.Object({
    code: Type.Optional(Type.Boolean({ description: 'acknowledging an alarm needs an assignable-cause code (default false)' })),
  }, { additionalProperties: false })),
  release: Type.Optional(Type.Object({
    cause: Type.Optional(Type.Boolean({ description: 'a release needs an assignable-cause code (default: when cause codes are defined)' })),
    action: Type.Optional(Type.Boolean({ description: 'a release needs a corrective-action code (default: when action codes are defined)' })),
    comment: Type.Optional(Type.Boolean({ description: 'a release needs a comment (default true)' })),
    signature: Type.Optional(Type.Boolean({ description: 'a release needs the quality user\'s electronic signature (signing secret re-entered; default false)' })),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

const DURATION = '^\\d+(\\.\\d+)?(ms|s|m|h)$';
const Check = Type.Object({
  id: Type.String({ pattern: PLAN_NAME, description: 'name of the check, e.g. torque-audit' }),
  characteristic: Type.String({ description: 'the characteristic (of this file) its entries are samples of; its match must fix line, station and parameter' }),
  every: Type.Optional(Type.String({ pattern: DURATION, description: 'due this long after it was last done, e.g. 60m' })),
  everyUnits: Type.Optional(Type.Integer({ minimum: 1, description: 'due after this many units made at the station since it was last done' })),
  shiftStarts: Type.Optional(Type.Array(Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' }), { minItems: 1, maxItems: 6, uniqueItems: true, description: 'due at each shift start, UTC "HH:MM"' })),
  sampleSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'units measured per check (default 1)' })),
  gauge: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'the gauge to use (stored as the samples\' equipment)' })),
  instructions: Type.String({ minLength: 3, maxLength: 1000, description: 'what the operator does' }),
  plausible: Type.Optional(Type.Object({ min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()) }, { additionalProperties: false, description: 'entries outside are refused as typing errors (not charted)' })),
  grace: Type.Optional(Type.String({ pattern: DURATION, description: 'time checks: how late before overdue (default 10% of every, at least 1m; shift checks 15m)' })),
  graceUnits: Type.Optional(Type.Integer({ minimum: 0, description: 'unit checks: how many more units before overdue (default 10% of everyUnits)' })),
  overdue: Type.Optional(Type.Enum(['alarm', 'hold'], { description: 'a late check raises an overdue alarm (default) or holds the units made at the station since it was due' })),
}, { additionalProperties: false });

const Actions = Type.Object({
  hold: Type.Optional(RuleList),
  alarm: Type.Optional(RuleList),
}, { additionalProperties: false });

const Containment = Type.Object({
  from: Type.Optional(Type.Enum([...CONTAINMENT_FROM], { description: 'where a new hold\'s suspect units start: lower (the 95% set\'s earliest point, default), changepoint (the estimate), signal (only the violated pattern\'s points)' })),
  lookback: Type.Optional(Type.Integer({ minimum: 2, maximum: MAX_LOOKBACK, description: 'most points before the signal the change-point estimate considers (default 500)' })),
}, { additionalProperties: false });

const Characteristic = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$', maxLength: 200, description: 'unique id, e.g. reflow.peak_temp' }),
  description: Type.Optional(Type.String()),
  match: Match,
  chart: Chart,
  limits: Type.Optional(Limits),
  spec: Type.Optional(Spec),
  capability: Type.Optional(Capability),
  codes: Type.Optional(Codes),
  plan: Type.Optional(Type.String({ pattern: PLAN_NAME, description: 'the reaction plan (of this file\'s plans) of this characteristic\'s holds and alarms' })),
  planByRule: Type.Optional(Type.Record(Type.String(), Type.String({ pattern: PLAN_NAME }), { description: 'a plan per rule, e.g. { nelson1: stop-line }; other rules use plan' })),
  rules: Type.Array(Type.Enum([...RULE_NAMES]), { uniqueItems: true, minItems: 1, description: RULE_NAMES.join(', ') }),
  actions: Type.Optional(Actions),
  clearAfter: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'an alarm clears after this many consecutive points without an alarm action (default 1): an off-delay against chattering alarms (ISA-18.2), e.g. an EWMA or CUSUM hovering at its limit; violations in between extend the same alarm' })),
  priority: Type.Optional(Type.Object(Object.fromEntries(RULE_NAMES.map((r) => [r, Type.Optional(Type.Enum(['high', 'normal']))])), { additionalProperties: false, description: 'alarm priority per rule (ISA-18.2), e.g. { we1: high }: a high-priority rule\'s alarms always go out, even during an alarm flood; others default to normal' })),
  containment: Type.Optional(Containment),
  by: Type.Optional(Type.Array(Type.String({ pattern: ATTRIBUTE_KEY }), { minItems: 1, maxItems: 4, uniqueItems: true, description: 'one chart per distinct combination of these keys: product, or attribute names (e.g. [product, cavity])' })),
  lowCardinality: Type.Optional(Type.Array(Type.String({ pattern: ATTRIBUTE_KEY }), { minItems: 1, maxItems: 4, uniqueItems: true, description: 'split keys with few values: written to InfluxDB as tags (split_<key>), which dashboards group by; other split keys are string fields' })),
  maxSplits: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SPLITS, description: 'most charts this characteristic splits into (default 1,000); samples of further combinations are dead-lettered as too-many-splits' })),
  products: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Object({ spec: Type.Optional(Spec), limits: Type.Optional(Limits) }, { additionalProperties: false }), { description: 'per product: its own spec and limits (with by: [product]); for short-run charts (dnom, zmr) its nominal (spec.target) and known sigma (limits: { center, sigma })' })),
}, { additionalProperties: false });

const Anomaly = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$', maxLength: 200, description: 'name of the model\'s violations, e.g. reflow.multivariate' }),
  model: Type.String({ pattern: '\\.onnx$', description: 'ONNX model trained by spc train, relative to this rule file; its card (<name>.card.json) lists the features' }),
  match: Type.Optional(Type.Object({
    line: Type.Optional(Type.String({ minLength: 1 })),
    station: Type.Optional(Type.String({ minLength: 1 })),
  }, { additionalProperties: false, description: 'which samples feed the model (default: every line)' })),
  action: Type.Optional(Type.Enum(['alarm', 'hold', 'none'], { description: 'what an anomalous unit triggers; default alarm' })),
  wait: Type.Optional(Type.String({ pattern: '^\\d+(\\.\\d+)?(ms|s|m|h)$', description: 'how long to wait for all features of a unit, e.g. 30s (default)' })),
}, { additionalProperties: false });

/** The rule file, version 1. `rules/schema.json` is generated from this. */
export const RuleFileSchema = Type.Object({
  version: Type.Literal(1),
  characteristics: Type.Array(Characteristic, { minItems: 1 }),
  anomaly: Type.Optional(Type.Array(Anomaly, { description: 'multivariate models scoring each unit' })),
  codes: Type.Optional(Codes),
  plans: Type.Optional(Type.Record(Type.String({ pattern: PLAN_NAME }), Plan, { description: 'reaction plans (out-of-control action plans) by name' })),
  checks: Type.Optional(Type.Array(Check, { description: 'scheduled manual checks: measured by an operator, entered on the console or POST /api/checks' })),
}, { additionalProperties: false });
