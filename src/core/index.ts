/** The pure SPC core: numbers in, events out. Nothing here performs I/O. */
export * from './config.js';
export type { Sample } from './sample.js';
export { createChart } from './charts/index.js';
export type { ChartParameters, ControlChart, Observation, PlottedPoint } from './charts/index.js';
export { createRule } from './rules/index.js';
export type { RulePoint, SpcRule } from './rules/index.js';
export { capabilityIndices, type CapabilityIndices } from './capability.js';
export { SpcEngine, type EngineCounters, type SampleOutcome } from './engine/engine.js';
export { CharacteristicRunner } from './engine/characteristic.js';
export { characteristicOfSeries, seriesId, SplitCharacteristic, type SplitSnapshot, type SplitValues } from './engine/split.js';
export type { PointRecord, PointSink, SummaryRecord } from './engine/records.js';
export { HoldBook, MAX_UNITS_PER_VIEW, type HoldBookSnapshot, type LatchedSnapshot, type PointPlace } from './signals/hold-book.js';
export * from './state/snapshot.js';
export { desiredPartitions, partitionOf, subjectToken } from './state/partition.js';
export type { AlarmClearSignal, AlarmSignal, AlarmView, HoldSignal, HoldView, LatchedHead, LatchedView, ReleaseSignal, Signal, UnitStatus } from './signals/signal.js';
export { AlarmLifecycle, type AlarmLifecycleSnapshot, type AlarmRecord, type AlarmState, type AlarmStateSignal, type FloodOptions, type LifecycleSignal } from './signals/alarm-lifecycle.js';
export { LogThrottle } from './log-throttle.js';
export { inScope, isRefusal, outOfScope, personText, roleRefusal, type Actor, type Refusal } from './signals/scope.js';
