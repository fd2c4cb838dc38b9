import type { LineEncoder, PointTags, UnjudgedUnit } from '../../ports/line-encoder.js';
import type { LimitsSignal, PointRecord, Sample, Signal, SummaryRecord } from '../../core/index.js';

/**
 * InfluxDB line protocol for spc-guard's measurements. Tags are low-cardinality only (line,
 * station, parameter, characteristic, chart, rule, type); unit IDs and lots are string fields.
 *
 * Timestamps are nanoseconds: the sample's millisecond time followed by a 6-digit sequence
 * (point index, or stream sequence for raw samples), so two points of one series in the same
 * millisecond never overwrite each other, and writing the same point twice (a redelivery) is
 * idempotent.
 */

const NEEDS_TAG_ESCAPE = /[,= \\\n]/;
const NEEDS_QUOTE_ESCAPE = /["\\\n]/;
const escapeTag = (s: string) => (NEEDS_TAG_ESCAPE.test(s) ? s.replace(/[,= \\]/g, (c) => '\\' + c).replace(/\n/g, '\\n') : s);
const quote = (s: string) => '"' + (NEEDS_QUOTE_ESCAPE.test(s) ? s.replace(/["\\]/g, (c) => '\\' + c).replace(/\n/g, '\\n') : s) + '"';
const float = (n: number) => (Number.isFinite(n) ? String(n) : undefined);
/** `,key=value` for a float field, or nothing when the value is absent or not finite. */
const floatField = (key: string, n: number | undefined) => (n !== undefined && Number.isFinite(n) ? ',' + key + '=' + n : '');
/**
 * The text of limits (center, control and spec limits): the same few numbers on every point of a
 * characteristic, so their text is remembered instead of formatted again (formatting a double was
 * 3% of the worker's CPU). Bounded: past LIMIT_TEXTS numbers it starts over — room for the five
 * limits of ~13,000 characteristics (a few MB); limits that move on every point (an EWMA's first
 * points, a p chart's varying n) only make it start over sooner.
 */
const LIMIT_TEXTS = 65_536;
const limitTexts = new Map<number, string>();
const limitField = (key: string, n: number | undefined) => {
  if (n === undefined || !Number.isFinite(n)) return '';
  let text = limitTexts.get(n); // SameValueZero: 0 and -0 share an entry, and String() writes both as "0"
  if (text === undefined) {
    if (limitTexts.size >= LIMIT_TEXTS) limitTexts.clear();
    limitTexts.set(n, text = String(n));
  }
  return ',' + key + '=' + text;
};
const stringField = (key: string, v: string | undefined) => (v === undefined ? '' : ',' + key + '=' + quote(v));
const joinList = (list: readonly string[]) => (list.length === 1 ? list[0] : list.join(','));

// A sample's lines (sample, point, violations, signal) share its time: parse it once.
let lastTs = '', lastMs = '';
function nanos(ts: string, sequence: number): string {
  if (ts !== lastTs) { lastTs = ts; lastMs = String(Date.parse(ts)); }
  return lastMs + String(sequence % 1_000_000).padStart(6, '0');
}

function fields(pairs: [string, string | undefined][]): string {
  return pairs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join(',');
}

export type PlaceTags = PointTags;

/**
 * A split's keys: those declared low-cardinality as tags (`split_product=P-100`), which
 * dashboards group by; the others as string fields (`split_serial="A-4471"`), which add no series.
 * Points of two splits at the same instant (two cavities of one shot) stay distinct either way:
 * their timestamps end in the point's `seq`, numbered across the characteristic's splits.
 * `maxSplits` bounds the series the tags add.
 */
function splitTags(split: Readonly<Record<string, string>> | undefined, tags: ReadonlySet<string> | undefined): string {
  if (!split || !tags) return '';
  let out = '';
  for (const k in split) if (tags.has(k)) out += ',split_' + escapeTag(k) + '=' + escapeTag(split[k]);
  return out;
}

function splitFields(split: Readonly<Record<string, string>> | undefined, tags: ReadonlySet<string> | undefined): string {
  if (!split) return '';
  let out = '';
  for (const k in split) if (!tags?.has(k)) out += ',split_' + escapeTag(k) + '=' + quote(split[k]);
  return out;
}

/** `spc_point`: every plotted point with its limits and violations. Built by concatenation: it runs once per point. */
export function pointLine(p: PointRecord, t: PlaceTags): string {
  return 'spc_point,characteristic=' + escapeTag(p.characteristic) + ',line=' + escapeTag(t.line) + ',station=' + escapeTag(t.station)
    + ',parameter=' + escapeTag(t.parameter) + ',chart=' + t.chart + splitTags(p.split, t.splitTags)
    + ' index=' + p.index + 'i,phase="' + p.phase + '"'
    + floatField('statistic', p.statistic) + limitField('center', p.center) + limitField('ucl', p.ucl) + limitField('lcl', p.lcl)
    + ',violations=' + quote(p.violations.join(',')) + ',violation_count=' + p.violations.length + 'i,actions=' + quote(p.actions.join(','))
    + ',units=' + quote(joinList(p.units)) + ',lots=' + quote(joinList(p.lots))
    + limitField('lsl', t.lsl) + limitField('usl', t.usl)
    + floatField('mr', p.mr) + floatField('range', p.range) + floatField('sd', p.sd) + floatField('cplus', p.cplus) + floatField('cminus', p.cminus)
    + splitFields(p.split, t.splitTags)
    + ' ' + nanos(p.ts, p.seq ?? p.index);
}

/** `spc_violation`: one line per rule a point violated. */
export function violationLines(p: PointRecord, t: PlaceTags): string[] {
  return p.violations.map((rule) => `spc_violation,characteristic=${escapeTag(p.characteristic)},line=${escapeTag(t.line)},station=${escapeTag(t.station)},rule=${rule}${splitTags(p.split, t.splitTags)} ${fields([
    ['statistic', float(p.statistic)], ['ucl', float(p.ucl)], ['lcl', float(p.lcl)], ['index', `${p.index}i`],
    ['actions', quote(p.actions.join(','))], ['units', quote(p.units.join(','))], ['lots', quote(p.lots.join(','))],
  ])}${splitFields(p.split, t.splitTags)} ${nanos(p.ts, p.seq ?? p.index)}`);
}

/** `spc_sample`: the raw sample, with its unit, lot, operator and equipment as fields. */
export function sampleLine(s: Sample, sequence: number): string {
  return 'spc_sample,line=' + escapeTag(s.line) + ',station=' + escapeTag(s.station) + ',parameter=' + escapeTag(s.parameter)
    + ' unit=' + quote(s.unit) + floatField('value', s.value) + stringField('lot', s.lot) + stringField('operator', s.operator)
    + stringField('equipment', s.equipment) + floatField('n', s.n) + stringField('product', s.product) + ' ' + nanos(s.ts, sequence);
}

/** `spc_capability`: the indices of a characteristic when its Phase I limits lock. */
export function capabilityLine(characteristic: string, t: Pick<PlaceTags, 'line' | 'station' | 'splitTags'>, s: SummaryRecord, ts: string, sequence: number): string | undefined {
  const c = s.capability;
  if (!c || s.center === null || s.sigma === null) return undefined;
  const f = floatField('cp', c.cp) + floatField('cpk', c.cpk) + floatField('pp', c.pp) + floatField('ppk', c.ppk) + floatField('center', s.center) + floatField('sigma', s.sigma)
    + stringField('method', c.method) + floatField('lambda', c.lambda) + splitFields(s.split, t.splitTags);
  return 'spc_capability,characteristic=' + escapeTag(characteristic) + ',line=' + escapeTag(t.line) + ',station=' + escapeTag(t.station) + splitTags(s.split, t.splitTags) + ' ' + f.slice(1) + ' ' + nanos(ts, sequence);
}

/** `spc_signal`: holds, releases, alarms and alarm clears as sent to the line. */
export function signalLine(s: Signal, sequence: number): string {
  if (s.type === 'limits') return limitsLine(s, sequence);
  // Holds and alarms: the units this update added (all of them on the first), so a latched hold
  // growing by a unit per point writes O(1) per point, not its whole list again; unit_count totals.
  const units = s.type === 'hold' || s.type === 'alarm' ? s.added.join(',') : '';
  const extra: [string, string | undefined][] = s.type === 'hold' || s.type === 'alarm'
    ? [['rule', quote(s.rule)], ['statistic', float(s.statistic)], ['lots', quote(s.lots.join(','))], ['unit_count', `${s.unitCount}i`], ['rev', `${s.rev}i`]]
    : s.type === 'release' ? [['by', quote(s.by)], ['reason', quote(s.reason)], ['unit_count', `${s.unitCount}i`],
      ['action_code', s.actionCode === undefined ? undefined : quote(s.actionCode)], ['signed_by', s.signature ? quote(s.signature.signer) : undefined]] : [];
  const ts = s.type === 'hold' || s.type === 'alarm' ? s.updated : s.ts;
  // A release's cause code is a tag: the rule file's short list, which Grafana's Pareto groups by.
  const cause = s.type === 'release' && s.causeCode ? ',cause=' + escapeTag(s.causeCode) : '';
  return `spc_signal,characteristic=${escapeTag(s.characteristic)},line=${escapeTag(s.line)},station=${escapeTag(s.station)},type=${s.type}${cause} ${fields([
    ['id', quote(s.id)], ['units', quote(units)], ...extra,
  ])} ${nanos(ts, sequence)}`;
}

/** `spc_limits`: a limits version taking effect (Grafana draws the steps of center and limits over time). */
function limitsLine(s: LimitsSignal, sequence: number): string {
  // The split is a tag here (a version is rare; maxSplits bounds the series), so Grafana draws one step line per split.
  const split = s.split ? ',split=' + escapeTag(Object.entries(s.split).map(([k, v]) => `${k}=${v}`).join(';')) : '';
  return 'spc_limits,characteristic=' + escapeTag(s.characteristic) + ',line=' + escapeTag(s.line) + ',station=' + escapeTag(s.station) + ',kind=' + s.kind + split
    + ' version=' + s.version + 'i' + floatField('center', s.center) + floatField('sigma', s.sigma) + ',points=' + s.points + 'i'
    + (s.approval ? stringField('approved_by', s.approval.signer) : '')
    + (s.review ? ',phase1_flagged=' + s.review.flagged.length + 'i' + stringField('phase1_flagged_points', s.review.flagged.join(' '))
      + ',phase1_dropped=' + (s.review.revised?.dropped.length ?? 0) + 'i' + (s.excluded.length ? stringField('excluded_points', s.excluded.join(' ')) : '') : '')
    + ' ' + nanos(s.ts, sequence);
}

/**
 * `spc_anomaly_unjudged`: a unit an anomaly model gave up waiting for, with the features it lacked
 * (a unit that skipped a station, or a sensor that went quiet, is named instead of only counted).
 */
export function unjudgedLine(model: string, u: UnjudgedUnit, ts: string, sequence: number): string {
  return 'spc_anomaly_unjudged,model=' + escapeTag(model) + ',line=' + escapeTag(u.line) + ',station=' + escapeTag(u.station)
    + ' unit=' + quote(u.unit) + ',missing=' + quote(u.missing.join(',')) + ',missing_count=' + u.missing.length + 'i' + ',lots=' + quote(u.lots.join(','))
    + ' ' + nanos(ts, sequence);
}

/** These encoders as the worker's LineEncoder port. */
export const influxLineEncoder: LineEncoder = { sample: sampleLine, point: pointLine, violations: violationLines, capability: capabilityLine, signal: signalLine, unjudged: unjudgedLine };
