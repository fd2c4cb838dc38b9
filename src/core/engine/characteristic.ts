import { sampleStandardDeviation } from 'simple-statistics';
import { capabilityIndices } from '../capability.js';
import { createChart, type ChartParameters, type ControlChart } from '../charts/index.js';
import {
  ATTRIBUTE_CHARTS, CHARTS_NEEDING_N, type Action, type CharacteristicConfig, type RuleName,
} from '../config.js';
import { createRule, type RulePoint, type SpcRule } from '../rules/index.js';
import type { Sample } from '../sample.js';
import type { PointRecord, PointSink, SummaryRecord } from './records.js';
import { singleObservation, Subgrouper, type GroupedObservation } from './subgrouper.js';

const ACTION_BITS: Record<Action, number> = { hold: 1, alarm: 2 };

/**
 * The live state of one characteristic: subgrouping, Phase I collection, locked limits, rule
 * evaluators and counters. Memory is bounded by the Phase I window and one open subgroup.
 */
export class CharacteristicRunner {
  readonly id: string;
  private readonly chart: ControlChart;
  private readonly rules: SpcRule[];
  private readonly ruleActions: number[];
  private readonly subgrouper: Subgrouper | undefined;
  private readonly needsN: boolean;
  private readonly countChart: boolean;
  private readonly phase1Size: number;
  private readonly excluded: ReadonlySet<number>;
  private params: ChartParameters | undefined;
  private phase1: GroupedObservation[] = [];
  private index = 0;
  private readonly violationCounts: Partial<Record<RuleName, number>> = {};
  private readonly actionCounts: Partial<Record<Action, number>> = {};
  private readonly rulePoint: RulePoint = { statistic: 0, z: 0, beyond: false };
  private overallSigma = NaN;

  constructor(readonly config: CharacteristicConfig) {
    this.id = config.id;
    this.chart = createChart(config.chart);
    this.rules = config.rules.map(createRule);
    this.ruleActions = config.rules.map((r) => {
      let bits = 0;
      for (const [action, rules] of Object.entries(config.actions ?? {}) as [Action, RuleName[]][]) if (rules.includes(r)) bits |= ACTION_BITS[action];
      return bits;
    });
    for (const r of config.rules) this.violationCounts[r] = 0;
    for (const a of Object.keys(config.actions ?? {}) as Action[]) this.actionCounts[a] = 0;
    const type = config.chart.type;
    this.subgrouper = type === 'xbar-r' || type === 'xbar-s' ? new Subgrouper(config.chart.subgroupSize ?? 5) : undefined;
    this.needsN = CHARTS_NEEDING_N.includes(type);
    this.countChart = ATTRIBUTE_CHARTS.includes(type);
    const limits = config.limits;
    if ('phase1' in limits) {
      this.phase1Size = limits.phase1;
      this.excluded = new Set(limits.exclude ?? []);
    } else {
      this.phase1Size = 0;
      this.excluded = new Set();
      this.params = this.chart.fromStandard(limits.center, limits.sigma);
    }
  }

  /** Why this characteristic cannot use the sample, or undefined when it can. */
  reject(sample: Sample): string | undefined {
    const type = this.config.chart.type;
    if (this.needsN && !(typeof sample.n === 'number' && sample.n > 0)) return `n (sample size > 0) is required for a ${type} chart (characteristic ${this.id})`;
    if (this.countChart && sample.value < 0) return `value must be a count ≥ 0 for a ${type} chart (got ${sample.value})`;
    if ((type === 'p' || type === 'np') && sample.value > (sample.n as number)) return `value (${sample.value} nonconforming) exceeds n (${sample.n}) for a ${type} chart`;
    return undefined;
  }

  /** Feed one sample (already checked with `reject`); emits zero or more points in order. */
  accept(sample: Sample, emit: PointSink): void {
    const group = this.subgrouper ? this.subgrouper.add(sample) : singleObservation(sample, sample.n ?? 1);
    if (group === undefined) return;
    if (this.params) { this.plot(group, 'II', emit); return; }
    this.phase1.push(group);
    if (this.phase1.length === this.phase1Size) this.lockLimits(emit);
  }

  private lockLimits(emit: PointSink): void {
    const points = this.phase1;
    const included = points.map((_, i) => !this.excluded.has(i + 1));
    this.params = this.chart.estimate(points.map((g) => g.obs), included);
    if (!this.countChart) {
      const values: number[] = [];
      points.forEach((g, i) => { if (included[i]) { if (g.values.length) values.push(...g.values); else values.push(g.obs.x); } });
      if (values.length >= 2) this.overallSigma = sampleStandardDeviation(values);
    }
    this.phase1 = [];
    for (const g of points) this.plot(g, 'I', emit);
  }

  private plot(group: GroupedObservation, phase: 'I' | 'II', emit: PointSink): void {
    const plotted = this.chart.plot(group.obs, this.params as ChartParameters);
    const rp = this.rulePoint;
    rp.statistic = plotted.statistic;
    rp.z = (plotted.statistic - plotted.center) / plotted.zoneSigma;
    rp.beyond = plotted.statistic > plotted.ucl || plotted.statistic < plotted.lcl;
    const violations: RuleName[] = [];
    let actionBits = 0;
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i];
      if (rule.test(rp)) {
        violations.push(rule.name);
        this.violationCounts[rule.name]!++;
        actionBits |= this.ruleActions[i];
      }
    }
    const actions: Action[] = [];
    if (actionBits & ACTION_BITS.hold) { actions.push('hold'); this.actionCounts.hold!++; }
    if (actionBits & ACTION_BITS.alarm) { actions.push('alarm'); this.actionCounts.alarm!++; }
    const record: PointRecord = {
      type: 'point', characteristic: this.id, index: ++this.index, phase, ts: group.ts,
      statistic: plotted.statistic, center: plotted.center, ucl: plotted.ucl, lcl: plotted.lcl,
      violations, actions, units: group.units, lots: group.lots,
    };
    if (plotted.extras) Object.assign(record, plotted.extras);
    emit(record);
  }

  summary(): SummaryRecord {
    const s: SummaryRecord = {
      type: 'summary', characteristic: this.id, chart: this.config.chart.type, points: this.index,
      center: this.params ? this.params.center : null, sigma: this.params ? this.params.sigma : null,
      pendingSamples: this.subgrouper?.pending ?? 0, droppedSamples: this.subgrouper?.dropped ?? 0,
      violations: { ...this.violationCounts }, actions: { ...this.actionCounts },
    };
    if (!this.params) s.phase1 = { needed: this.phase1Size, collected: this.phase1.length };
    const spec = this.config.spec;
    if (spec && this.params && !this.countChart && (spec.lsl !== undefined || spec.usl !== undefined)) {
      s.capability = capabilityIndices(spec, this.params.center, this.params.sigma, this.overallSigma);
    }
    return s;
  }
}
