/**
 * At most one log line per key (e.g. a dead-letter reason) per window; the next line that gets
 * through says how many were held back. A flood of bad input (200,000 bad items) then costs a
 * few log lines with counts, not 200,000 lines. The caller passes the time: the core has no clock.
 */
export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly windowMs = 10_000, private readonly maxKeys = 1000) {}

  /** Undefined: stay quiet. A number: log now, and mention this many held back since the last line. */
  admit(key: string, nowMs: number): number | undefined {
    const e = this.last.get(key);
    if (e && nowMs - e.at < this.windowMs) { e.suppressed++; return undefined; }
    if (!e && this.last.size >= this.maxKeys) this.last.clear(); // bounded, whatever the keys
    const suppressed = e?.suppressed ?? 0;
    this.last.set(key, { at: nowMs, suppressed: 0 });
    return suppressed;
  }
}
