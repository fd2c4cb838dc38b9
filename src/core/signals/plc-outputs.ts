/** Where a PLC takes a station's hold: its node ids (OPC UA) or metric names (Sparkplug). */
export interface PlcStationMap {
  line: string;
  /** Omitted: every station of the line drives these outputs. */
  station?: string;
  hold: string;
  reason?: string;
  units?: string;
}

/** One value to write to the PLC. */
export interface PlcWrite { target: string; value: boolean | string | number }

interface ActiveHold { id: string; line: string; station: string; rule: string; unitCount: number }

/** The reason a fail-safe hold reports: the PLC cannot tell it from a real hold by the bit alone. */
export const FAIL_SAFE_REASON = 'FAIL-SAFE';

/**
 * What a line's PLC outputs should be, from the signals: per mapped station, the hold bit (any
 * active hold), the reason (the rule of the latest hold raised) and the suspect unit count (all its
 * active holds). Holds clear only on release. When the signal stream goes silent or the worker
 * reports itself unhealthy the outputs go to their fail-safe values (every hold bit set, reason
 * FAIL-SAFE) until a healthy snapshot comes. Pure: signals in, the writes that changed out.
 */
export class PlcOutputs {
  private readonly holds = new Map<string, ActiveHold>();
  private failSafe = false;
  private readonly last = new Map<string, PlcWrite['value']>();

  constructor(private readonly map: readonly PlcStationMap[]) {}

  /**
   * A snapshot (on connect): the active holds as they stand. It does not leave fail-safe: the
   * gateway calls `resume()` once the worker says it is healthy and vouches for the line.
   */
  snapshot(holds: readonly { id: string; line: string; station: string; rule: string; unitCount: number }[]): PlcWrite[] {
    this.holds.clear();
    for (const h of holds) this.holds.set(h.id, { id: h.id, line: h.line, station: h.station, rule: h.rule, unitCount: h.unitCount });
    return this.changes();
  }

  /** A hold revision: raised, or grown. */
  hold(h: { id: string; line: string; station: string; rule: string; unitCount: number }): PlcWrite[] {
    this.holds.set(h.id, { id: h.id, line: h.line, station: h.station, rule: h.rule, unitCount: h.unitCount });
    return this.changes();
  }

  release(id: string): PlcWrite[] {
    this.holds.delete(id);
    return this.changes();
  }

  /** Silence or an unhealthy worker: every hold bit to its fail-safe value. */
  enterFailSafe(): PlcWrite[] {
    this.failSafe = true;
    return this.changes();
  }

  /** The worker is healthy again (its heartbeat says so): back to the holds as they stand. */
  resume(): PlcWrite[] {
    this.failSafe = false;
    return this.changes();
  }

  get inFailSafe(): boolean { return this.failSafe; }

  /** Every output's value now (after a PLC reconnect, write them all again). */
  all(): PlcWrite[] {
    this.last.clear();
    return this.changes();
  }

  private changes(): PlcWrite[] {
    const out: PlcWrite[] = [];
    const set = (target: string | undefined, value: PlcWrite['value']) => {
      if (target === undefined || this.last.get(target) === value) return;
      this.last.set(target, value);
      out.push({ target, value });
    };
    for (const m of this.map) {
      const mine = [...this.holds.values()].filter((h) => h.line === m.line && (m.station === undefined || h.station === m.station));
      if (this.failSafe) { set(m.hold, true); set(m.reason, FAIL_SAFE_REASON); set(m.units, mine.reduce((a, h) => a + h.unitCount, 0)); continue; }
      set(m.hold, mine.length > 0);
      set(m.reason, mine.length ? mine[mine.length - 1].rule : '');
      set(m.units, mine.reduce((a, h) => a + h.unitCount, 0));
    }
    return out;
  }
}
