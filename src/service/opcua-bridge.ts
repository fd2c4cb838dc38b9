import { OpcUaUnitAssembler, type OpcUaStationMap } from '../core/opcua/unit-assembler.js';
import type { Sample } from '../core/index.js';

export interface OpcUaBridgeCounters { changes: number; units: number; samples: number; noUnit: number }

/**
 * `spc bridge opcua`: monitored OPC UA values in, samples out. One unit assembler per station
 * (core/opcua/unit-assembler.ts); each closed unit's samples are published per parameter with an
 * id of station, unit and close time, so a republish after a restart is a duplicate the stream drops.
 */
export class OpcUaBridge {
  readonly counters: OpcUaBridgeCounters = { changes: 0, units: 0, samples: 0, noUnit: 0 };
  private readonly byNode = new Map<string, OpcUaUnitAssembler[]>();
  private queue: Promise<void> = Promise.resolve();

  constructor(stations: readonly OpcUaStationMap[], private readonly publish: (place: { line: string; station: string; parameter: string }, samples: Sample[], id: string) => Promise<void>, private readonly log: (msg: string) => void = () => {}) {
    for (const s of stations) {
      const a = new OpcUaUnitAssembler(s);
      for (const n of a.nodes()) (this.byNode.get(n) ?? this.byNode.set(n, []).get(n)!).push(a);
    }
  }

  /** The nodes to monitor, with their sampling intervals. */
  static nodes(stations: readonly OpcUaStationMap[]): { nodeId: string; samplingMs: number }[] {
    const out = new Map<string, number>();
    for (const s of stations) for (const n of new OpcUaUnitAssembler(s).nodes()) out.set(n, Math.min(out.get(n) ?? Infinity, s.samplingMs ?? 100));
    return [...out].map(([nodeId, samplingMs]) => ({ nodeId, samplingMs }));
  }

  change(nodeId: string, value: unknown, ts: number): void {
    this.counters.changes++;
    for (const a of this.byNode.get(nodeId) ?? []) {
      const closed = a.change(nodeId, value, ts);
      if (!closed) continue;
      if (closed.noUnit) { this.counters.noUnit += closed.noUnit; this.log(`a unit closed without a unit ID: ${closed.noUnit} value(s) not charted`); continue; }
      if (!closed.samples.length) continue;
      this.counters.units++;
      for (const s of closed.samples) {
        this.queue = this.queue.then(() => this.publish(s, [s], `opcua:${s.line}/${s.station}:${s.unit}:${s.ts}:${s.parameter}`)).then(() => { this.counters.samples++; }, (err: unknown) => this.log(`publish failed: ${String(err)}`));
      }
    }
  }

  /** Resolves when everything closed so far is published. */
  flushed(): Promise<void> { return this.queue; }
}
