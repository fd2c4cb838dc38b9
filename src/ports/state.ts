import type { LimitsSignal } from '../core/index.js';
import type { AlarmLifecycleSnapshot, AnomalyModelSnapshot, CharacteristicSnapshot, HoldBookSnapshot, SplitSnapshot } from '../core/index.js';

/** One partition's state as it stood after stream message `seq` (every output up to it is durable). */
export interface PartitionSnapshot {
  version: 1;
  partition: number;
  partitions: number;
  seq: number;
  savedAt: string;
  /** By characteristic id; a split characteristic (`by`) keeps its splits' states under its id. */
  characteristics: Record<string, CharacteristicSnapshot | SplitSnapshot>;
  holds: HoldBookSnapshot;
  alarms: AlarmLifecycleSnapshot;
  /** By anomaly model id (absent in snapshots of earlier versions: the models start afresh). */
  anomalies?: Record<string, AnomalyModelSnapshot>;
}

/**
 * A quality release, kept with the stream position it happened at: a worker that replays the
 * partition applies it between the same two messages, so later points raise the same holds.
 */
export interface ReleaseRecord {
  id: string; by: string; reason: string; role: string; ts: string; seq: number;
  /** Codes and signature of the release, so a replay releases with the same record. */
  causeCode?: string; actionCode?: string; signature?: { signer: string; meaning: string; at: string };
  /**
   * `limits`: not a release but approved limits taking effect at `seq` (the same replay puts them
   * in effect at the same point); `id` is the version's.
   */
  kind?: 'release' | 'limits';
  /**
   * The release of an anomaly model's hold: how many of the model's verdicts had come in when it
   * was released. Verdicts come from a scoring thread behind their messages, further behind in a
   * replay: the replay releases only once as many are in, so the same verdicts precede it.
   */
  verdicts?: number;
  limits?: LimitsSignal;
}

/** Where partition state outlives a worker process (NATS KV and a snapshot stream in production). */
export interface StateStore {
  loadSnapshot(partition: number): Promise<PartitionSnapshot | undefined>;
  saveSnapshot(snapshot: PartitionSnapshot): Promise<void>;
  /** Last stream sequence of the partition whose outputs are durable; 0 when none. */
  committed(partition: number): Promise<number>;
  setCommitted(partition: number, seq: number): Promise<void>;
  releases(partition: number): Promise<ReleaseRecord[]>;
  addRelease(partition: number, release: ReleaseRecord): Promise<void>;
  /** Forgets releases a snapshot at `seq` already contains (those before it). */
  pruneReleases(partition: number, seq: number): Promise<void>;
}

/** Who is alive and who owns which partition: leases that lapse when a worker stops renewing them. */
export interface Membership {
  readonly workerId: string;
  /** How long a lease lasts without renewal, ms. */
  readonly ttlMs: number;
  /** Announces this worker; returns the ids of the live workers (this one included). */
  heartbeat(): Promise<string[]>;
  /** Takes the partition's lease if nobody holds it. */
  tryAcquire(partition: number): Promise<boolean>;
  /** Renews a lease this worker holds; false when another worker has it now. */
  renew(partition: number): Promise<boolean>;
  release(partition: number): Promise<void>;
  leave(): Promise<void>;
}
