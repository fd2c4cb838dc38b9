import type { Sample } from '../sample.js';

/** One station of the OPC UA bridge map: which nodes close a unit and which become samples. */
export interface OpcUaStationMap {
  line: string;
  station: string;
  /** The node that closes a unit: a part-done bit (its rising edge) or the serial number itself (its change). */
  trigger: string;
  triggerKind?: 'rising' | 'change';
  /** The node holding the current unit ID (serial number). */
  unit: string;
  lot?: string; operator?: string; equipment?: string; product?: string;
  /** Node id → the sample's parameter. */
  parameters: Readonly<Record<string, string>>;
  samplingMs?: number;
}

/** A unit closed by its trigger: its samples, or why none could be made. */
export interface ClosedUnit { samples: Sample[]; noUnit?: number }

type Identity = 'unit' | 'lot' | 'operator' | 'equipment' | 'product';
const IDENTITY: readonly Identity[] = ['unit', 'lot', 'operator', 'equipment', 'product'];

/**
 * Turns monitored-item value changes of one station into samples, unit by unit. Parameter values
 * collect while a unit is in work; its trigger closes it: on a part-done bit's rising edge the unit
 * is the serial number now; when the trigger is the serial number itself, a change closes the unit
 * it had before. Each parameter that changed since the last close becomes one sample of the unit
 * (a value not renewed is not charted twice). Values closed without a unit ID are counted, never
 * given a guessed unit. Pure: the caller passes each change with its time.
 */
export class OpcUaUnitAssembler {
  private readonly ids: Partial<Record<Identity, string>> = {};
  private values = new Map<string, { value: number; ts: number }>();
  private lastTrigger: unknown = undefined;
  private readonly kind: 'rising' | 'change';

  constructor(private readonly map: OpcUaStationMap) {
    this.kind = map.triggerKind ?? (map.trigger === map.unit ? 'change' : 'rising');
  }

  /** A monitored node's new value; returns the unit it closed, if any. */
  change(nodeId: string, value: unknown, ts: number): ClosedUnit | undefined {
    let closed: ClosedUnit | undefined;
    if (nodeId === this.map.trigger) {
      const before = this.lastTrigger;
      this.lastTrigger = value;
      if (this.kind === 'rising' ? value === true && before !== true : before !== undefined && value !== before) {
        // A serial number that changes closes the unit it named before the change.
        closed = this.close(this.kind === 'change' ? String(before ?? '') : this.ids.unit, ts);
      }
    }
    for (const k of IDENTITY) if (this.map[k] === nodeId) { const v = value === null || value === undefined ? '' : String(value); if (v === '') delete this.ids[k]; else this.ids[k] = v; }
    const parameter = this.map.parameters[nodeId];
    if (parameter !== undefined && typeof value === 'number' && Number.isFinite(value)) this.values.set(nodeId, { value, ts });
    return closed;
  }

  private close(unit: string | undefined, ts: number): ClosedUnit {
    const values = this.values;
    this.values = new Map();
    if (!unit) return { samples: [], noUnit: values.size };
    const samples: Sample[] = [];
    for (const [nodeId, v] of values) {
      samples.push({
        ts: new Date(ts).toISOString(), line: this.map.line, station: this.map.station, parameter: this.map.parameters[nodeId], value: v.value, unit,
        ...(this.ids.lot !== undefined ? { lot: this.ids.lot } : {}), ...(this.ids.operator !== undefined ? { operator: this.ids.operator } : {}),
        ...(this.ids.equipment !== undefined ? { equipment: this.ids.equipment } : {}), ...(this.ids.product !== undefined ? { product: this.ids.product } : {}),
      });
    }
    return { samples };
  }

  /** Every node the station needs monitored. */
  nodes(): string[] {
    return [...new Set([this.map.trigger, this.map.unit, ...IDENTITY.map((k) => this.map[k]).filter((n): n is string => !!n), ...Object.keys(this.map.parameters)])];
  }
}
