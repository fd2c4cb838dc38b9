/**
 * ISO-8601 date-time with a zone, e.g. 2026-11-25T03:00:00.123Z or …+01:00. The pattern only
 * gives the shape; `calendarProblem` checks that the date exists.
 */
export const ISO_TIMESTAMP = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})$';

/**
 * Years a sample's time may fall in. The lower bound is the Unix epoch (a clock reset to 0 is a
 * fault, not history); the upper one keeps InfluxDB's nanosecond timestamps (which end in 2262)
 * and our ms × 10⁶ + point-index encoding in range. PostgreSQL's timestamptz accepts all of it.
 */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2199;

const SHAPE = new RegExp(ISO_TIMESTAMP);
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number) => (m === 2 ? (isLeap(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);
/** Two decimal digits at position i (the shape is checked first). */
const two = (t: string, i: number) => (t.charCodeAt(i) - 48) * 10 + t.charCodeAt(i + 1) - 48;

/**
 * Why an ISO-8601 time with the right shape is still not a real time (month 13, 31 April, hour
 * 24, an offset beyond ±14:00, a year outside MIN_YEAR..MAX_YEAR), or undefined when it is.
 * `Date.parse` is not enough: it rolls 2026-02-30 over into March. Read digit by digit, without
 * allocating: it runs for every sample.
 */
export function calendarProblem(ts: string): string | undefined {
  if (!SHAPE.test(ts)) return 'is not an ISO-8601 time';
  const y = two(ts, 0) * 100 + two(ts, 2), mo = two(ts, 5), d = two(ts, 8), h = two(ts, 11), mi = two(ts, 14);
  let i = 16, s = 0;
  if (ts.charCodeAt(i) === 58 /* : */) {
    s = two(ts, 17);
    i = 19;
    if (ts.charCodeAt(i) === 46 /* . */) do i++; while (ts.charCodeAt(i) >= 48 && ts.charCodeAt(i) <= 57);
  }
  let oh = 0, om = 0;
  if (ts.charCodeAt(i) !== 90 /* Z */) { oh = two(ts, i + 1); om = two(ts, ts.charCodeAt(i + 3) === 58 ? i + 4 : i + 3); }
  if (y < MIN_YEAR || y > MAX_YEAR) return `has year ${y}, outside ${MIN_YEAR}..${MAX_YEAR}`;
  if (mo < 1 || mo > 12) return `has month ${mo}`;
  if (d < 1 || d > daysIn(y, mo)) return `has day ${d}, and month ${mo} of ${y} has ${daysIn(y, mo)}`;
  if (h > 23 || mi > 59 || s > 59) return 'has a time of day past 23:59:59';
  if (oh > 14 || om > 59) return 'has a zone offset beyond ±14:00';
  return undefined;
}
