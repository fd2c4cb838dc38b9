import type { CapabilityIndices } from '../capability.js';
/**
 * The shapes of a state snapshot: what a worker writes so that, after a crash or a hand-over,
 * another process continues every characteristic exactly where it stood. Plain JSON.
 */

import type { PointHistorySnapshot } from '../engine/point-history.js';
import { fnv1a32 } from './partition.js';

/**
 * A short fingerprint of a characteristic's configuration (FNV-1a of its JSON, and the JSON's
 * length): a snapshot taken under another configuration is recognised without storing it.
 */
export function configFingerprint(config: unknown): string {
  const text = JSON.stringify(config, chartOnly);
  return `${fnv1a32(text).toString(16)}-${text.length.toString(16)}`;
}

/**
 * Keys of a characteristic that only route its alarms (off-delay, priority): changing them must
 * not restart its chart (Phase I, rule runs) on a hot reload or a restore.
 */
const ALARM_ROUTING_KEYS = new Set(['clearAfter', 'priority']);
/** JSON.stringify replacer: a characteristic without its alarm-routing keys (see ALARM_ROUTING_KEYS). */
export function chartOnly(this: unknown, key: string, value: unknown): unknown {
  return ALARM_ROUTING_KEYS.has(key) ? undefined : value;
}

/** JSON has no NaN or ±Infinity: numbers that are not finite travel as their string form. */
export type SnapNumber = number | string;
export const packNumbers = (a: ArrayLike<number>): SnapNumber[] => Array.from(a, (x) => (Number.isFinite(x) ? x : String(x)));
export const unpackNumbers = (a: readonly SnapNumber[]): number[] => a.map(Number);

/** A Phase I point waiting for the limits: its observation [x, n, range, sd] and identities. */
export interface GroupSnapshot { obs: SnapNumber[]; units: string[]; lots: string[]; ts: string; values: SnapNumber[]; product?: string }

/** An open X̄ subgroup. */
export interface SubgroupSnapshot { values: SnapNumber[]; units: string[]; lots: string[]; id: string | number | null; lastTs: string; dropped: number }

export interface CharacteristicSnapshot {
  /** Fingerprint of the configuration when saved: a changed one starts afresh, as on hot reload. */
  config: string;
  index: number;
  /** Locked [center, sigma], or absent while Phase I collects. */
  params?: SnapNumber[];
  phase1?: GroupSnapshot[];
  chart?: SnapNumber[];
  /** The approved limits version in effect (absent: the rule file's). */
  limitsVersion?: number;
  /** Phase I points with violations (the review). */
  phase1Flagged?: number[];
  /** Montgomery's revision of the trial limits: rounds and the Phase I points it dropped. */
  phase1Revision?: { rounds: number; dropped: number[]; stopped?: string };
  /** Box-Cox or percentile capability indices fitted at lock (finite numbers only). */
  fitted?: CapabilityIndices;
  /** Anderson–Darling test of the Phase I values: n, A², A*², p. */
  normality?: SnapNumber[];
  /** Short-run charts' per-product state (running means, estimated σ), by product. */
  products?: Record<string, SnapNumber[]>;
  rules: SnapNumber[];
  ruleHits: number[];
  holds: number;
  alarms: number;
  overallSigma: SnapNumber;
  subgroup?: SubgroupSnapshot;
  /** The change-point window: where it may start, what is latched, and the latest Phase II points. */
  containment?: { floor: number; holdLatched: boolean; alarmActive: boolean; history?: PointHistorySnapshot };
}

/** A unit an anomaly model is collecting features for: values so far (NaN where missing) in model order. */
export interface OpenUnitSnapshot { unit: string; values: SnapNumber[]; lots: string[]; line: string; station: string; deadline: number }

/** A unit whose features are complete, waiting for its verdict: the model point it becomes is number `index`. */
export interface JudgedUnitSnapshot { unit: string; values: SnapNumber[]; lots: string[]; line: string; station: string; ts: string; index: number; at: number; seq: number }

/**
 * Where an anomaly model stood: units judged so far (its points' index: hold ids are
 * `<model>#<index>`, so a restart that counted from 0 again re-used the ids of earlier holds), the
 * units still collecting features, and those complete but not yet judged when it was taken.
 */
export interface AnomalyModelSnapshot {
  /** The model's features in order: a snapshot of another model is not used. */
  features: string[];
  /** The model file's sha-256 (its card's): a replay with another model cannot decide as the first pass did. */
  model?: string;
  index: number; open: OpenUnitSnapshot[]; judging: JudgedUnitSnapshot[];
}
