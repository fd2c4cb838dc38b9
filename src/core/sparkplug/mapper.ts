import type { Sample } from '../sample.js';
import { toNumber, type NamedMetric } from './session.js';
import type { SparkplugTopic } from './topic.js';

/** Which Sparkplug metrics of which devices are samples (the bridge map file, `spc bridge sparkplug --map`). */
export interface SparkplugDeviceMap {
  /** Match keys; omitted = any. */
  group?: string; node?: string; device?: string;
  /** The sample's line (default: the group id) and station (default: the device id, else the node id). */
  line?: string; station?: string;
  /** Metrics holding the current unit ID (required), lot, operator, equipment and product. */
  unit: string; lot?: string; operator?: string; equipment?: string; product?: string;
  /** Metric name → the sample's parameter. */
  parameters: Readonly<Record<string, string>>;
}
export interface SparkplugMap { version: 1; devices: readonly SparkplugDeviceMap[] }

/** What one message's metrics became. */
export interface MappedMessage {
  samples: Sample[];
  /** Metrics no map entry names (neither an identity metric nor a parameter). */
  unmapped: string[];
  /** Parameter values that could not be charted (not a number) or came before any unit ID. */
  refused: { metric: string; why: 'not-a-number' | 'no-unit' }[];
}

type Identity = 'unit' | 'lot' | 'operator' | 'equipment' | 'product';
const IDENTITY: readonly Identity[] = ['unit', 'lot', 'operator', 'equipment', 'product'];
/** Metrics Sparkplug itself defines (the birth-death sequence, node controls, properties): not data. */
const CONTROL = /^(bdSeq$|Node Control\/|Device Control\/|Properties\/|Node Info\/)/;

/**
 * Turns a device's named metrics into samples, by the map: identity metrics (unit, lot, …) update
 * the device's current values, each parameter metric becomes a sample of the current unit. A value
 * without a unit is refused, never guessed.
 */
export class SparkplugMapper {
  private readonly current = new Map<string, Partial<Record<Identity, string>>>();

  constructor(private readonly map: SparkplugMap) {}

  entryFor(t: SparkplugTopic): SparkplugDeviceMap | undefined {
    return this.map.devices.find((d) => (d.group === undefined || d.group === t.group) && (d.node === undefined || d.node === t.node) && (d.device === undefined || d.device === t.device));
  }

  /**
   * `birth`: a BIRTH's metrics are the device's current state, not new measurements: they set the
   * identity values and produce no samples (a rebirth would otherwise chart the last value again).
   */
  apply(t: SparkplugTopic, metrics: readonly NamedMetric[], payloadTs: number | undefined, now: number, birth = false): MappedMessage {
    const out: MappedMessage = { samples: [], unmapped: [], refused: [] };
    const entry = this.entryFor(t);
    if (!entry) { out.unmapped.push(...metrics.map((m) => m.name).filter((n) => !CONTROL.test(n))); return out; }
    const key = `${t.group}/${t.node}/${t.device ?? ''}`;
    const ids = this.current.get(key) ?? {};
    this.current.set(key, ids);
    // Identity first: a message carrying a new unit ID and its values charts them for that unit.
    for (const m of metrics) {
      for (const k of IDENTITY) {
        if (entry[k] !== m.name) continue;
        const v = m.value === null || m.value === undefined ? '' : String(toNumber(m.value) ?? m.value);
        if (v === '') delete ids[k]; else ids[k] = v; // an empty unit ID means no unit (yet)
      }
    }
    if (birth) return out;
    for (const m of metrics) {
      if (IDENTITY.some((k) => entry[k] === m.name)) continue;
      const parameter = entry.parameters[m.name];
      if (parameter === undefined) { if (!CONTROL.test(m.name)) out.unmapped.push(m.name); continue; }
      const value = toNumber(m.value);
      if (value === undefined || !Number.isFinite(value)) { out.refused.push({ metric: m.name, why: 'not-a-number' }); continue; }
      if (ids.unit === undefined) { out.refused.push({ metric: m.name, why: 'no-unit' }); continue; }
      out.samples.push({
        ts: new Date(m.timestamp ?? payloadTs ?? now).toISOString(), line: entry.line ?? t.group, station: entry.station ?? t.device ?? t.node, parameter, value, unit: ids.unit,
        ...(ids.lot !== undefined ? { lot: ids.lot } : {}), ...(ids.operator !== undefined ? { operator: ids.operator } : {}),
        ...(ids.equipment !== undefined ? { equipment: ids.equipment } : {}), ...(ids.product !== undefined ? { product: ids.product } : {}),
      });
    }
    return out;
  }
}
