import type { PointRecord, Sample, Signal } from '../../core/index.js';

/**
 * InfluxDB line protocol for spc-guard's measurements. Tags are low-cardinality only (line,
 * station, parameter, characteristic, chart, rule, type); unit IDs and lots are string fields.
 *
 * Timestamps are nanoseconds: the sample's millisecond time followed by a 6-digit sequence
 * (point index, or stream sequence for raw samples), so two points of one series in the same
 * millisecond never overwrite each other, and writing the same point twice (a redelivery) is
 * idempotent.
 */

const escapeTag = (s: string) => s.replace(/[,= \\]/g, (c) => '\\' + c).replace(/\n/g, '\\n');
const quote = (s: string) => '"' + s.replace(/["\\]/g, (c) => '\\' + c).replace(/\n/g, '\\n') + '"';
const float = (n: number) => (Number.isFinite(n) ? String(n) : undefined);

function nanos(ts: string, sequence: number): string {
  const ms = Date.parse(ts);
  return String(ms) + String(sequence % 1_000_000).padStart(6, '0');
}

function fields(pairs: [string, string | undefined][]): string {
  return pairs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join(',');
}

export interface PlaceTags { line: string; station: string; parameter: string; chart: string }

/** `spc_point`: every plotted point with its limits and violations. */
export function pointLine(p: PointRecord, t: PlaceTags): string {
  const f = fields([
    ['statistic', float(p.statistic)], ['center', float(p.center)], ['ucl', float(p.ucl)], ['lcl', float(p.lcl)],
    ['index', `${p.index}i`], ['phase', quote(p.phase)],
    ['violations', quote(p.violations.join(','))], ['violation_count', `${p.violations.length}i`], ['actions', quote(p.actions.join(','))],
    ['units', quote(p.units.join(','))], ['lots', quote(p.lots.join(','))],
    ['mr', p.mr === undefined ? undefined : float(p.mr)], ['range', p.range === undefined ? undefined : float(p.range)],
    ['sd', p.sd === undefined ? undefined : float(p.sd)], ['cplus', p.cplus === undefined ? undefined : float(p.cplus)],
    ['cminus', p.cminus === undefined ? undefined : float(p.cminus)],
  ]);
  return `spc_point,characteristic=${escapeTag(p.characteristic)},line=${escapeTag(t.line)},station=${escapeTag(t.station)},parameter=${escapeTag(t.parameter)},chart=${t.chart} ${f} ${nanos(p.ts, p.index)}`;
}

/** `spc_violation`: one line per rule a point violated. */
export function violationLines(p: PointRecord, t: PlaceTags): string[] {
  return p.violations.map((rule) => `spc_violation,characteristic=${escapeTag(p.characteristic)},line=${escapeTag(t.line)},station=${escapeTag(t.station)},rule=${rule} ${fields([
    ['statistic', float(p.statistic)], ['ucl', float(p.ucl)], ['lcl', float(p.lcl)], ['index', `${p.index}i`],
    ['actions', quote(p.actions.join(','))], ['units', quote(p.units.join(','))], ['lots', quote(p.lots.join(','))],
  ])} ${nanos(p.ts, p.index)}`);
}

/** `spc_sample`: the raw sample, with its unit, lot, operator and equipment as fields. */
export function sampleLine(s: Sample, sequence: number): string {
  return `spc_sample,line=${escapeTag(s.line)},station=${escapeTag(s.station)},parameter=${escapeTag(s.parameter)} ${fields([
    ['value', float(s.value)], ['unit', quote(s.unit)], ['lot', s.lot === undefined ? undefined : quote(s.lot)],
    ['operator', s.operator === undefined ? undefined : quote(s.operator)], ['equipment', s.equipment === undefined ? undefined : quote(s.equipment)],
    ['n', s.n === undefined ? undefined : float(s.n)],
  ])} ${nanos(s.ts, sequence)}`;
}

/** `spc_signal`: holds, releases, alarms and alarm clears as sent to the line. */
export function signalLine(s: Signal, sequence: number): string {
  const units = 'units' in s ? s.units.join(',') : '';
  const extra: [string, string | undefined][] = s.type === 'hold' || s.type === 'alarm'
    ? [['rule', quote(s.rule)], ['statistic', float(s.statistic)], ['lots', quote(s.lots.join(','))], ['unit_count', `${s.units.length}i`]]
    : s.type === 'release' ? [['by', quote(s.by)], ['reason', quote(s.reason)]] : [];
  const ts = s.type === 'hold' || s.type === 'alarm' ? s.updated : s.ts;
  return `spc_signal,characteristic=${escapeTag(s.characteristic)},line=${escapeTag(s.line)},station=${escapeTag(s.station)},type=${s.type} ${fields([
    ['id', quote(s.id)], ['units', quote(units)], ...extra,
  ])} ${nanos(ts, sequence)}`;
}
