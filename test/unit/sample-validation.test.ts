import { describe, expect, it } from 'vitest';
import { validateSample } from '../../src/samples/validate.js';
import { calendarProblem } from '../../src/samples/timestamp.js';

const good = { ts: '2026-11-25T03:00:00.123Z', line: 'L1', station: 's', parameter: 'p', value: 1, unit: 'SN1' };
const reason = (patch: Record<string, unknown>) => { const r = validateSample({ ...good, ...patch }); return r.ok ? 'ok' : r.reason; };

describe('sample validation matches what the stores accept', () => {
  it('accepts a normal sample, offsets and leap days', () => {
    expect(reason({})).toBe('ok');
    expect(reason({ ts: '2028-02-29T23:59:59+14:00' })).toBe('ok');
    expect(reason({ ts: '2026-11-25T03:00-0530' })).toBe('ok');
  });
  it('refuses dates that do not exist, with the reason', () => {
    expect(reason({ ts: '2026-13-45T99:99Z' })).toBe('ts has month 13 (got string "2026-13-45T99:99Z")');
    expect(reason({ ts: '0000-01-01T00:00:00Z' })).toBe('ts has year 0, outside 1970..2199 (got string "0000-01-01T00:00:00Z")');
    expect(reason({ ts: '2026-02-29T00:00:00Z' })).toMatch(/^ts has day 29, and month 2 of 2026 has 28/);
    expect(reason({ ts: '2026-04-31T00:00:00Z' })).toMatch(/^ts has day 31/);
    expect(reason({ ts: '2026-01-01T24:00:00Z' })).toMatch(/past 23:59:59/);
    expect(reason({ ts: '2026-01-01T00:00:00+15:00' })).toMatch(/beyond ±14:00/);
    expect(calendarProblem('2100-02-29T00:00:00Z')).toMatch(/day 29/); // 2100 is not a leap year
    expect(calendarProblem('2000-02-29T00:00:00Z')).toBeUndefined(); // 2000 is
  });
  it('refuses control characters in text fields (PostgreSQL refuses NUL; a newline breaks headers and logs)', () => {
    expect(reason({ unit: 'SN\u00001' })).toBe('unit must not contain control characters (got string "SN\\u00001")');
    expect(reason({ lot: 'LOT\n7' })).toMatch(/^lot must not contain control characters/);
    expect(reason({ station: 'st\nX' })).toMatch(/^station must not contain control characters or a backslash/);
    expect(reason({ subgroup: 'g\u0007' })).toMatch(/^subgroup must not contain control characters/);
  });
  it('refuses a backslash in names that become InfluxDB tags, not in unit ids', () => {
    expect(reason({ line: 'L1\\' })).toMatch(/^line must not contain control characters or a backslash/);
    expect(reason({ unit: 'SN\\1' })).toBe('ok');
  });
});
