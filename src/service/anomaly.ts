import { loadModelFiles, type ModelCard } from '../anomaly/card.js';
import type { AnomalyScore } from '../anomaly/model.js';
import { ScoringThread } from '../anomaly/scoring-pool.js';
import { isAnomalous } from '../anomaly/train.js';
import { UnitAssembler, type AssembledUnit } from '../anomaly/unit-assembler.js';
import type { AnomalyConfig, PointRecord, Sample } from '../core/index.js';

/** One rule-file `anomaly:` entry at run time: its model, card, unit assembler and scoring thread. */
export interface AnomalyRuntime {
  config: AnomalyConfig;
  card: ModelCard;
  assembler: UnitAssembler;
  thread: ScoringThread;
  /** Units complete so far: the index of the model's points (hold ids are `<model>#<index>`). */
  index: number;
  /** Complete units waiting for their verdict, oldest first (a snapshot keeps them; see Pipeline.saveAnomalies). */
  judging: AssembledUnit[];
}

/** Loads every model of the rule set (checked against its card) and waits until each can score. */
export async function openAnomalyModels(configs: readonly AnomalyConfig[]): Promise<AnomalyRuntime[]> {
  const runtimes: AnomalyRuntime[] = [];
  for (const config of configs) {
    const { bytes, card } = loadModelFiles(config.model);
    const thread = new ScoringThread(bytes, card.features.length, {}, config.model);
    await thread.ready;
    runtimes.push({ config, card, assembler: new UnitAssembler(card.features, config.waitMs), thread, index: 0, judging: [] });
  }
  return runtimes;
}

export function feedsModel(a: AnomalyRuntime, s: Sample): boolean {
  const m = a.config.match;
  return (!m?.line || m.line === s.line) && (!m?.station || m.station === s.station) && a.assembler.wants(s);
}

/** The point a scored unit becomes: T² against its limit, flagged as `anomaly` beyond it. */
export function anomalyPoint(a: AnomalyRuntime, unit: AssembledUnit, s: AnomalyScore): PointRecord {
  const flagged = isAnomalous(s, a.card.thresholds);
  const topFeatures = s.contributions
    .map((contribution, j) => ({ feature: a.card.features[j], contribution: Number(contribution.toPrecision(4)) }))
    .sort((x, y) => y.contribution - x.contribution)
    .slice(0, 3);
  return {
    type: 'point', characteristic: a.config.id, index: unit.index, phase: 'II', ts: unit.ts,
    statistic: s.score, center: 0, ucl: a.card.thresholds.score, lcl: 0,
    violations: flagged ? ['anomaly'] : [], actions: flagged && a.config.action !== 'none' ? [a.config.action] : [],
    units: [unit.unit], lots: unit.lots, topFeatures,
  };
}
