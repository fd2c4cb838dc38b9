import type { ModelCard } from '../../src/anomaly/card.js';
import type { AnomalyScore } from '../../src/anomaly/model.js';
import type { ScoringThread } from '../../src/anomaly/scoring-pool.js';
import { UnitAssembler } from '../../src/anomaly/unit-assembler.js';
import type { RuleSetConfig } from '../../src/core/index.js';
import type { AnomalyRuntime } from '../../src/service/anomaly.js';
import type { PartitionSnapshot, ReleaseRecord, StateStore } from '../../src/ports/state.js';
import type { DeadLetter, MessageStream, SampleMessage, WorkerTransport } from '../../src/ports/transport.js';

// Test parts for an anomaly model across restarts, without a broker (as Kafka Streams'
// TopologyTestDriver): a model that scores a unit by its first feature (flagged above 5), answered
// a few ms later as the scoring thread would be; a stream that can be read again from any
// position; a state store in memory. The same parts run against NATS in test/faults/crash-restart.

export const scoreOf = (v: ArrayLike<number>): AnomalyScore => ({ score: v[0], contributions: Array.from(v) });

/** A model `m` of line L1 with these features (`st.<parameter>`), scoring off the main turn after `delayMs`, waiting `waitMs` for a unit's features. */
export function model(features = ['st.a', 'st.b'], action: 'hold' | 'alarm' = 'hold', delayMs = 2, waitMs = 60_000): AnomalyRuntime {
  const thread = { score: (v: ArrayLike<number>) => new Promise<AnomalyScore>((r) => setTimeout(() => r(scoreOf(Float64Array.from(v))), delayMs)), close: async () => {}, ready: Promise.resolve() } as unknown as ScoringThread;
  const card = { features, thresholds: { score: 5 } } as unknown as ModelCard;
  return { config: { id: 'm', model: 'm.onnx', match: { line: 'L1' }, action, waitMs }, card, assembler: new UnitAssembler(features, waitMs), thread, index: 0, judging: [] };
}

export const rules: RuleSetConfig = { version: 1, characteristics: [{ id: 'torque', match: { line: 'L1', station: 'screw', parameter: 'torque' }, chart: { type: 'i-mr' }, limits: { center: 1.2, sigma: 0.02 }, rules: ['nelson1'], actions: { alarm: ['nelson1'] } }] };

/** One message with a unit's feature values (station `st`, one sample per parameter). */
export function unitMessage(seq: number, storedAtMs: number, unit: string, values: Record<string, number>): SampleMessage {
  const samples = Object.entries(values).map(([parameter, value]) => ({ ts: new Date(storedAtMs).toISOString(), line: 'L1', station: 'st', parameter, value, unit }));
  return { data: new TextEncoder().encode(JSON.stringify(samples)), subject: 'spc.samples.L1.st.x', seq, storedAtMs, line: 'L1', ack: () => {} };
}

/** A stream kept whole and read from any position, as JetStream's. */
export class ReplayableStream implements WorkerTransport {
  readonly source = 'memory';
  readonly log: SampleMessage[] = [];
  private readonly wakers = new Set<() => void>();
  append(m: Omit<SampleMessage, 'seq' | 'ack'>): void {
    this.log.push({ ...m, seq: this.log.length + 1, ack: () => {} });
    for (const w of this.wakers) w();
  }
  async consume(from = 1): Promise<MessageStream> {
    let stopped = false;
    const wakers = this.wakers, log = this.log;
    let wake: (() => void) | undefined;
    return {
      stop: () => { stopped = true; wake?.(); },
      async *[Symbol.asyncIterator]() {
        for (let next = Math.max(1, from); !stopped;) {
          if (next > log.length) { await new Promise<void>((r) => { wake = r; wakers.add(r); }); wakers.delete(wake!); continue; }
          yield log[next++ - 1];
        }
      },
    };
  }
  async deadLetter(_i: DeadLetter, _p: Uint8Array): Promise<void> {}
  async outbox(): Promise<void> {}
  async publishSample(): Promise<void> {}
}

/** Snapshots, commit positions and releases in memory; `copy()` is what survives a crash at that moment. */
export class MemoryState implements StateStore {
  snaps = new Map<number, PartitionSnapshot>();
  commits = new Map<number, number>();
  rel = new Map<number, ReleaseRecord[]>();
  async loadSnapshot(p: number) { const s = this.snaps.get(p); return s && structuredClone(s); }
  async saveSnapshot(s: PartitionSnapshot) { this.snaps.set(s.partition, structuredClone(s)); }
  async committed(p: number) { return this.commits.get(p) ?? 0; }
  async setCommitted(p: number, seq: number) { this.commits.set(p, seq); }
  async releases(p: number) { return [...(this.rel.get(p) ?? [])]; }
  async addRelease(p: number, r: ReleaseRecord) { this.rel.set(p, [...(this.rel.get(p) ?? []), structuredClone(r)]); }
  async pruneReleases(p: number, seq: number) { this.rel.set(p, (this.rel.get(p) ?? []).filter((r) => r.seq >= seq)); }
  copy(): MemoryState {
    const c = new MemoryState();
    c.snaps = new Map([...this.snaps].map(([k, v]) => [k, structuredClone(v)]));
    c.commits = new Map(this.commits);
    c.rel = new Map([...this.rel].map(([k, v]) => [k, structuredClone(v)]));
    return c;
  }
}
