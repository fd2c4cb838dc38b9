import type { ViolationName } from '../config.js';
import type { ChangePoint } from '../engine/records.js';
import type { ReactionPlanView } from '../closed-loop/plan.js';

/** What every revision of a hold or alarm says about it (version 1 fields, unchanged). */
export interface LatchedHead {
  /** Stable id: `<characteristic>#<index of the first violating point>`. */
  id: string;
  line: string;
  station: string;
  characteristic: string;
  /** The split of the characteristic (`by`), e.g. { product: "P-100", cavity: "2" }; the id names it too. */
  split?: Readonly<Record<string, string>>;
  /** The rule that raised the hold (first hold rule of the first point). */
  rule: ViolationName;
  /** Every rule seen on the hold's points. */
  rules: ViolationName[];
  /** Anomaly holds and alarms: the features that contributed most to the latest score. */
  topFeatures?: { feature: string; contribution: number }[];
  statistic: number;
  center: number;
  ucl: number;
  lcl: number;
  /** Index of the first and last point of the characteristic behind this hold. */
  firstIndex: number;
  lastIndex: number;
  /**
   * Where the process is estimated to have changed (point index, 95% set, method, and the unit and
   * time of that point): the suspect window starts there (docs/containment.md). Sent with rev 1
   * and in snapshots; absent when no estimate could be made (Phase I, or an anomaly signal).
   */
  changePoint?: ChangePoint;
  /**
   * The reaction plan (out-of-control action plan) for it, with the codes its forms offer: what to
   * do, who does it, and what acknowledging or releasing needs. Sent with rev 1 and in snapshots.
   */
  plan?: ReactionPlanView;
  /** Timestamp of the sample that raised it; `updated` of the latest point that added to it. */
  ts: string;
  updated: string;
}

/**
 * One revision of a hold, as it travels (signal protocol version 2, docs/signals.md): rev 1 names
 * the initial suspect units; every later revision names only the units it adds, so a message's
 * size does not depend on how large the hold has grown, and every unit is named exactly once.
 */
export interface HoldSignal extends LatchedHead {
  type: 'hold';
  action: 'hold';
  /** 1 when raised, then 2, 3, … per update of the same id. */
  rev: number;
  /** The units this revision adds (rev 1: the initial suspect units). Never repeated. */
  added: string[];
  /** Every unit of the hold so far. */
  unitCount: number;
  /** Rev 1 only: the initial suspect units (equal to `added`), as version 1 clients read them. */
  units?: string[];
  /** The lots this revision adds (rev 1: the initial units' lots). */
  lots: string[];
}

export interface AlarmSignal extends Omit<HoldSignal, 'type' | 'action'> {
  type: 'alarm';
  action: 'alarm';
  /**
   * A flood alarm (`flood:<line>`): `alarms` new alarms arrived within `windowMs`; it clears when
   * fewer than `endBelow` do (alarm-lifecycle.ts).
   */
  flood?: { alarms: number; windowMs: number; endBelow?: number };
  /** `high` when the rule file marks the rule so (never suppressed in a flood). */
  priority?: 'high';
}

/**
 * An active hold or alarm as a whole, as a snapshot, the console and the API show it: its latest
 * revision, its unit count, its first units (at most a bound; the API pages through the rest)
 * and all its lots.
 */
export type LatchedView = (Omit<HoldSignal, 'added' | 'units'> | Omit<AlarmSignal, 'added' | 'units'>) & {
  units: string[];
  /** False when `units` lists only the first ones (page through GET /api/holds/:id/units). */
  unitsComplete: boolean;
};
export type HoldView = Extract<LatchedView, { type: 'hold' }>;
export type AlarmView = Extract<LatchedView, { type: 'alarm' }>;

export interface ReleaseSignal {
  type: 'release';
  id: string;
  line: string;
  station: string;
  characteristic: string;
  split?: Readonly<Record<string, string>>;
  /** How many units the hold had when released (they are in the genealogy store). */
  unitCount: number;
  by: string;
  /** The comment (may be empty where the reaction plan does not ask for one). */
  reason: string;
  /** The rule file's codes the release named (its reaction plan says which are required). */
  causeCode?: string;
  actionCode?: string;
  /** The electronic signature it was released under (21 CFR Part 11 §11.50: signer, meaning, time). */
  signature?: { signer: string; meaning: string; at: string };
  ts: string;
}

export interface AlarmClearSignal {
  type: 'alarm-clear';
  id: string;
  line: string;
  station: string;
  characteristic: string;
  split?: Readonly<Record<string, string>>;
  ts: string;
  /** A flood alarm's clear: what the flood amounted to and why it ended (its rate fell). */
  flood?: { alarms: number; suppressed: number; windowMs: number; ended: string };
}

/**
 * A limits version took effect: a Phase I lock, or a recalculation a quality user approved with an
 * electronic signature (at a stream position, so a replay reproduces it).
 */
export interface LimitsSignal {
  type: 'limits';
  /** `<series>@v<version>`. */
  id: string;
  line: string;
  station: string;
  characteristic: string;
  split?: Readonly<Record<string, string>>;
  version: number;
  kind: 'phase1' | 'recalculation';
  center: number;
  sigma: number;
  /** Points the estimate used, and those left out (1-based within its window). */
  points: number;
  excluded: number[];
  /**
   * A Phase I lock's review: the points it was estimated from, those (1-based) that violated a rule
   * — judged after the fact, so they raised no hold or alarm — and what `limits.revise` dropped.
   */
  review?: { points: number; flagged: number[]; revised?: { rounds: number; dropped: number[]; stopped?: string } };
  /** Recalculations: the proposal (its id in the genealogy store), who proposed it and the approval. */
  proposal?: number;
  approval?: { signer: string; meaning: string; at: string };
  ts: string;
}

export type Signal = HoldSignal | AlarmSignal | ReleaseSignal | AlarmClearSignal | LimitsSignal;

/** The unit-status interlock's answer: is this unit held, and by which holds. */
/**
 * The interlock's answer. `unsure`: why the worker cannot vouch for it (it does not own the
 * line's partition, or is unhealthy); `held` is then true, whatever the holds it knows of.
 */
export interface UnitStatus { unit: string; held: boolean; holds: string[]; unsure?: string[] }
