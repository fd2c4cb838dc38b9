import type { ViolationName } from '../config.js';

/** What a point's violation asks of the line: the signals PLC gateways and screens act on. */
export interface HoldSignal {
  type: 'hold';
  /** Stable id: `<characteristic>#<index of the first violating point>`. */
  id: string;
  line: string;
  station: string;
  characteristic: string;
  /** The rule that raised the hold (first hold rule of the first point). */
  rule: ViolationName;
  /** Every rule seen on the hold's points. */
  rules: ViolationName[];
  /** Anomaly holds and alarms: the features that contributed most to the latest score. */
  topFeatures?: { feature: string; contribution: number }[];
  action: 'hold';
  statistic: number;
  center: number;
  ucl: number;
  lcl: number;
  /** Unit IDs of the samples behind the violating point(s): the units to hold. */
  units: string[];
  /** The units this message adds to the hold (all of them when the hold is raised). */
  added: string[];
  lots: string[];
  /** Index of the first and last violating point of the characteristic behind this hold. */
  firstIndex: number;
  lastIndex: number;
  /** Timestamp of the sample that raised it; `updated` of the latest point that added units. */
  ts: string;
  updated: string;
}

export interface AlarmSignal extends Omit<HoldSignal, 'type' | 'action'> {
  type: 'alarm';
  action: 'alarm';
  /** A flood alarm standing for the alarms suppressed on its line. */
  flood?: { alarms: number; windowMs: number };
}

export interface ReleaseSignal {
  type: 'release';
  id: string;
  line: string;
  station: string;
  characteristic: string;
  units: string[];
  by: string;
  reason: string;
  ts: string;
}

export interface AlarmClearSignal {
  type: 'alarm-clear';
  id: string;
  line: string;
  station: string;
  characteristic: string;
  ts: string;
}

export type Signal = HoldSignal | AlarmSignal | ReleaseSignal | AlarmClearSignal;
