import { sampleStandardDeviation } from 'simple-statistics';
import { capabilityIndices } from '../capability.js';
import { createChart, type ChartParameters, type ControlChart, type Observation } from '../charts/index.js';
import { chartSpec } from '../charts/registry.js';
import type { Action, CharacteristicConfig, RuleName } from '../config.js';
import { newRuleState, ruleLayout, type RuleLayout, type RulePoint } from '../rules/index.js';
import { testRule } from '../rules/kernel.js';
import type { Sample } from '../sample.js';
import type { PointRecord, PointSink, SummaryRecord } from './records.js';
import { singleObservation, Subgrouper, type GroupedObservation } from './subgrouper.js';
import { configFingerprint, packNumbers, unpackNumbers, type CharacteristicSnapshot } from '../state/snapshot.js';
import { estimateChangePoint } from '../changepoint/estimate.js';
import { DEFAULT_LOOKBACK, type ContainmentFrom } from '../config.js';
import { PointHistory } from './point-history.js';
import { MAX_REVISION_ROUNDS, revisePhase1, type Phase1Revision } from './phase1-revision.js';
import { andersonDarling, type NormalityTest } from '../normality.js';
import { fittedCapability } from '../capability-fitted.js';
import type { CapabilityIndices } from '../capability.js';

const ACTION_BITS: Record<Action, number> = { hold: 1, alarm: 2 };
/** Shared empty lists for the common case of a point with no violation (frozen: never mutated). */
const NONE: readonly never[] = Object.freeze([]);
const NO_LOTS: readonly string[] = NONE;
/** Scratch input of the rules, shared: rules read it during `test` and keep nothing of it. */
const RULE_POINT: RulePoint = { statistic: 0, z: 0, beyond: false };
/**
 * Scratch observation of a one-sample chart's Phase II point, shared: charts read it during `plot`
 * and keep nothing of it (one object less per characteristic to fetch from memory per point).
 */
const SCRATCH: Observation = { x: 0, n: 1, range: 0, sd: 0 };

/**
 * The live state of one characteristic: subgrouping, Phase I collection, locked limits, rule
 * evaluators and counters. Memory is bounded by the Phase I window and one open subgroup.
 */
export class CharacteristicRunner {
  readonly id: string;
  private readonly chart: ControlChart;
  private readonly rules: RuleLayout;
  private readonly ruleState: Float64Array;
  private readonly ruleActions: number[];
  private subgrouper: Subgrouper | undefined;
  private readonly needsN: boolean;
  private readonly countChart: boolean;
  /** p or np: the count may not exceed n. */
  private readonly fractionChart: boolean;
  /** Short-run charts plot deviations or standardized values: no capability, and the change-point history keeps the statistic. */
  private readonly measurementScale: boolean;
  private readonly phase1Size: number;
  private readonly excluded: readonly number[];
  private params: ChartParameters | undefined;
  private phase1: GroupedObservation[] | undefined;
  private index = 0;
  /** Hits per rule, aligned with config.rules. */
  private readonly ruleHits: Uint32Array;
  private holds = 0;
  private alarms = 0;
  private overallSigma = NaN;
  /** Anderson–Darling test of the Phase I values, when the limits locked: whether capability's normal model holds. */
  private normality: NormalityTest | undefined;
  /** Box-Cox or percentile indices of the Phase I values (`capability.method`), fitted when the limits locked. */
  private fitted: CapabilityIndices | undefined;
  private fingerprintCache: string | undefined;
  /** A restore not applied yet: a snapshot, or null for "start afresh" (see restoreState). */
  private pendingRestore: CharacteristicSnapshot | null | undefined;
  private get fingerprint(): string { return (this.fingerprintCache ??= configFingerprint(this.config)); }
  /** The latest Phase II points, for the change-point estimate of a new hold or alarm. */
  private readonly history: PointHistory;
  private readonly containFrom: ContainmentFrom;
  /** The estimate's window never reaches back before this index (the point after the last release). */
  private floor = 0;
  /** Phase I points with violations, found when the limits locked (a review, not live signals). */
  private phase1Flagged: number[] = [];
  /** Montgomery's revision of the trial limits (`limits.revise`): the points it dropped. */
  private phase1Revision: Phase1Revision | undefined;
  /** The limits version in effect: 0 for the rule file's (Phase I lock or fixed), then each approved recalculation's. */
  private limitsVersion = 0;
  /** A hold raised and not released: its later points do not raise a new one. */
  private holdLatched = false;
  /** The previous point had an alarm action: an alarm is active (it clears on the next point without one). */
  private alarmActive = false;


  /** `split`: the values of a split characteristic's chart (`by`), on every point and summary. */
  constructor(readonly config: CharacteristicConfig, readonly split?: Readonly<Record<string, string>>, private readonly sequence?: { n: number }) {
    this.id = config.id;
    this.chart = createChart(config.chart, config.products);
    this.rules = ruleLayout(config.rules);
    this.ruleState = newRuleState(this.rules);

    this.ruleActions = config.rules.map((r) => {
      let bits = 0;
      for (const [action, rules] of Object.entries(config.actions ?? {}) as [Action, RuleName[]][]) if (rules.includes(r)) bits |= ACTION_BITS[action];
      return bits;
    });
    this.ruleHits = new Uint32Array(config.rules.length);
    const spec = chartSpec(config.chart.type);
    if (!spec) throw new RangeError(`unknown chart type ${String(config.chart.type)}`);
    this.history = new PointHistory(config.containment?.lookback ?? DEFAULT_LOOKBACK, {
      counts: spec.subgroups === 'subgroup' || spec.family === 'attributes', sums: spec.key === 'cusum',
    });
    this.containFrom = config.containment?.from ?? 'lower';
    if (spec.subgroups === 'subgroup') {
      // The rule file's check requires it; a configuration built in code gets the same message.
      if (config.chart.subgroupSize === undefined) throw new RangeError(`a ${spec.key} chart needs subgroupSize (characteristic ${config.id})`);
      this.subgrouper = new Subgrouper(config.chart.subgroupSize);
    }
    this.needsN = spec.needsN;
    this.countChart = spec.family === 'attributes';
    this.fractionChart = spec.countWithinN === true;
    this.measurementScale = spec.scale === undefined;
    const limits = config.limits;
    if ('phase1' in limits) {
      this.phase1Size = limits.phase1;
      this.excluded = limits.exclude ?? NONE;
      this.phase1 = [];
    } else {
      this.phase1Size = 0;
      this.excluded = NONE;
      this.params = this.chart.fromStandard(limits.center, limits.sigma);
    }
  }

  /** Why this characteristic cannot use the sample, or undefined when it can. */
  reject(sample: Sample): string | undefined {
    if (this.chart.refuse) {
      if (this.pendingRestore !== undefined) this.applyRestore();
      return this.chart.refuse(sample.product, this.params !== undefined);
    }
    if (!this.countChart) return undefined;
    const type = this.config.chart.type;
    if (this.needsN && !(typeof sample.n === 'number' && sample.n > 0)) return `n (sample size > 0) is required for a ${type} chart (characteristic ${this.id})`;
    if (sample.value < 0) return `value must be a count ≥ 0 for a ${type} chart (got ${sample.value})`;
    if (this.fractionChart && sample.value > (sample.n as number)) return `value (${sample.value} nonconforming) exceeds n (${sample.n}) for a ${type} chart`;
    return undefined;
  }

  /** Feed one sample (already checked with `reject`); emits zero or more points in order. */
  accept(sample: Sample, emit: PointSink): void {
    if (this.pendingRestore !== undefined) this.applyRestore();
    if (this.subgrouper) {
      const group = this.subgrouper.add(sample);
      if (group) this.acceptGroup(group, emit);
    } else if (this.params) {
      // Phase II of a one-sample chart, the hot path: no intermediate objects.
      const o = SCRATCH;
      o.x = sample.value;
      o.n = sample.n ?? 1;
      o.product = sample.product;
      this.plot(o, [sample.unit], sample.lot === undefined ? NO_LOTS : [sample.lot], sample.ts, 'II', emit);
    } else {
      this.acceptGroup(singleObservation(sample, sample.n ?? 1), emit);
    }
  }

  private acceptGroup(g: GroupedObservation, emit: PointSink): void {
    if (this.params) { this.plot(g.obs, g.units, g.lots, g.ts, 'II', emit); return; }
    this.phase1!.push(g);
    if (this.phase1!.length === this.phase1Size) this.lockLimits(emit);
  }

  private lockLimits(emit: PointSink): void {
    const points = this.phase1!;
    const included = points.map((_, i) => !this.excluded.includes(i + 1));
    const obs = points.map((g) => g.obs);
    const revise = (this.config.limits as { revise?: boolean | number }).revise;
    if (revise) this.phase1Revision = revisePhase1(obs, included, () => createChart(this.config.chart, this.config.products), revise === true ? MAX_REVISION_ROUNDS : revise);
    this.params = this.chart.estimate(obs, included);
    if (!this.countChart && this.measurementScale) {
      const values: number[] = [];
      points.forEach((g, i) => { if (included[i]) { if (g.values.length) values.push(...g.values); else values.push(g.obs.x); } });
      if (values.length >= 2) this.overallSigma = sampleStandardDeviation(values);
      this.normality = andersonDarling(values);
      const method = this.config.capability?.method ?? 'normal';
      if (method !== 'normal' && this.config.spec) this.fitted = fittedCapability(this.config.spec, values, this.config.capability!);
    }
    this.phase1 = undefined;
    for (const g of points) this.plot(g.obs, g.units, g.lots, g.ts, 'I', emit);
  }

  private plot(obs: Observation, units: readonly string[], lots: readonly string[], ts: string, phase: 'I' | 'II', emit: PointSink): void {
    if (this.chart.warmUp?.(obs)) return; // a self-starting chart's first pieces of a product
    // Every field is declared up front (companion values as undefined, which JSON omits), so all
    // records share one hidden class and need no second allocation when a chart fills its extras.
    const record: PointRecord = {
      type: 'point', characteristic: this.id, split: this.split, index: ++this.index, seq: this.sequence ? ++this.sequence.n : undefined, phase, ts,
      statistic: 0, center: 0, ucl: 0, lcl: 0, violations: NONE, actions: NONE, units, lots,
      mr: undefined, mrCenter: undefined, mrUcl: undefined,
      range: undefined, rangeCenter: undefined, rangeUcl: undefined, rangeLcl: undefined,
      sd: undefined, sdCenter: undefined, sdUcl: undefined, sdLcl: undefined,
      cplus: undefined, cminus: undefined,
    };

    const zoneSigma = this.chart.plot(obs, this.params as ChartParameters, record);
    const rp = RULE_POINT;
    rp.statistic = record.statistic;
    rp.z = (record.statistic - record.center) / zoneSigma;
    rp.beyond = record.statistic > record.ucl || record.statistic < record.lcl;
    let violations: RuleName[] | undefined;
    let actionBits = 0;
    let window = 1;
    const { rules, offsets, kernels } = this.rules;
    const state = this.ruleState;
    for (let i = 0; i < rules.length; i++) {
      if (testRule(kernels[i], rp, state, offsets[i])) {
        (violations ??= []).push(this.config.rules[i]); // the layout keeps the rule list's order
        this.ruleHits[i]++;
        // Phase I is a review, not a live alarm stream: its points are judged when the limits lock,
        // after the fact; their violations are reported (the summary's phase1Review) but raise no
        // hold or alarm (Montgomery §6.2: Phase I is retrospective analysis).
        if (phase === 'I') continue;
        actionBits |= this.ruleActions[i];
        if (this.ruleActions[i] && rules[i].window > window) window = rules[i].window;
      }
    }
    if (violations) {
      record.violations = violations;
      if (phase === 'I') this.phase1Flagged.push(record.index);
      if (actionBits) {
        const actions: Action[] = [];
        if (actionBits & ACTION_BITS.hold) { actions.push('hold'); this.holds++; }
        if (actionBits & ACTION_BITS.alarm) { actions.push('alarm'); this.alarms++; }
        record.actions = actions;
        // Set only on the rare points with an action, so ordinary points keep their shape.
        if (window > 1) record.runLength = Math.min(window, this.index);
      }
    }
    if (phase === 'II') this.history.add(record.index, this.measurementScale ? obs.x : record.statistic, obs.n, record.cplus ?? 0, record.cminus ?? 0, units, ts);
    const newHold = (actionBits & ACTION_BITS.hold) !== 0 && !this.holdLatched;
    const newAlarm = (actionBits & ACTION_BITS.alarm) !== 0 && !this.alarmActive;
    if ((newHold || newAlarm) && phase === 'II') this.estimate(record, newHold);
    if (newHold) this.holdLatched = true;
    this.alarmActive = (actionBits & ACTION_BITS.alarm) !== 0;
    emit(record);
  }

  /**
   * The change point of a new hold or alarm at `record` (see changepoint/estimate.ts) over the
   * points since the later of the first Phase II point kept and the point after the last release,
   * at most `lookback`; for a hold (`contain`), the suspect units from where containment starts
   * (never later than the violated pattern's first point).
   */
  private estimate(record: PointRecord, contain: boolean): void {
    const h = this.history;
    const to = record.index;
    const from = Math.max(h.first, this.floor);
    if (from > to) return;
    const e = estimateChangePoint(this.config.chart.type, h, from, to, (this.params as ChartParameters).center, (this.params as ChartParameters).sigma);
    if (!e) return;
    // Fields written out, not spread: a spread copy made a slower object on this per-signal path.
    record.changePoint = { index: e.index, lower: e.lower, upper: e.upper, method: e.method, unit: h.unitsOf(e.index)[0], ts: h.tsOf(e.index) };
    // Containment is a hold's: an alarm reports the estimate and names its pattern's units.
    if (!contain || this.containFrom === 'signal') return;
    const runStart = Math.max(from, to - (record.runLength ?? 1) + 1);
    const start = Math.min(this.containFrom === 'lower' ? e.lower : e.index, runStart);
    Object.defineProperty(record, 'suspectUnits', { value: h.unitsBetween(start, to), enumerable: false, writable: true, configurable: true });
  }

  /**
   * Approved limits (a limits version, see engine.applyLimits): later points plot against them,
   * a Phase I still collecting ends without plotting its points (they were charted against nothing
   * and stay in the genealogy store), and the summary reports the version.
   */
  applyLimits(params: ChartParameters, version: number): void {
    if (this.pendingRestore !== undefined) this.applyRestore();
    this.params = { center: params.center, sigma: params.sigma };
    this.phase1 = undefined;
    this.limitsVersion = version;
  }

  /** A hold of this characteristic was released: the next one starts a new window after this point. */
  released(): void {
    if (this.pendingRestore !== undefined) this.applyRestore();
    this.holdLatched = false;
    this.floor = this.index + 1;
  }

  /** Everything the next point depends on, as JSON (see state/snapshot.ts). */
  saveState(): CharacteristicSnapshot {
    if (this.pendingRestore) return this.pendingRestore; // not touched since it was restored
    if (this.pendingRestore === null) this.applyRestore();
    const s: CharacteristicSnapshot = {
      config: this.fingerprint, index: this.index,
      rules: packNumbers(this.ruleState), ruleHits: Array.from(this.ruleHits),
      holds: this.holds, alarms: this.alarms, overallSigma: packNumbers([this.overallSigma])[0],
    };
    if (this.fitted) s.fitted = this.fitted;
    if (this.limitsVersion) s.limitsVersion = this.limitsVersion;
    if (this.phase1Flagged.length) s.phase1Flagged = [...this.phase1Flagged];
    if (this.phase1Revision) s.phase1Revision = { ...this.phase1Revision, dropped: [...this.phase1Revision.dropped] };
    if (this.normality) s.normality = packNumbers([this.normality.n, this.normality.a2, this.normality.a2Adjusted, this.normality.pValue]);
    if (this.params) s.params = packNumbers([this.params.center, this.params.sigma]);
    if (this.phase1) s.phase1 = this.phase1.map((g) => ({ obs: packNumbers([g.obs.x, g.obs.n, g.obs.range, g.obs.sd]), units: g.units, lots: g.lots, ts: g.ts, values: packNumbers(g.values), ...(g.obs.product !== undefined ? { product: g.obs.product } : {}) }));
    const chart = this.chart.saveState?.();
    if (chart) s.chart = packNumbers(chart);
    const products = this.chart.saveProducts?.();
    if (products) s.products = Object.fromEntries(Object.entries(products).map(([k, v]) => [k, packNumbers(v)]));
    if (this.subgrouper) s.subgroup = this.subgrouper.saveState();
    const history = this.history.saveState();
    if (history || this.floor || this.holdLatched || this.alarmActive) s.containment = { floor: this.floor, holdLatched: this.holdLatched, alarmActive: this.alarmActive, ...(history ? { history } : {}) };
    return s;
  }

  /**
   * Puts this characteristic back where a snapshot left it, or back to its start when there is
   * none or the snapshot was taken under another configuration. Returns whether it was restored.
   * The work is done when the characteristic is next used: a worker taking over 100,000
   * characteristics is processing again at once, and each pays its own restore on its next sample.
   */
  restoreState(s: CharacteristicSnapshot | undefined): boolean {
    const usable = s !== undefined && s.config === this.fingerprint;
    this.pendingRestore = usable ? s : null;
    return usable;
  }

  private applyRestore(): void {
    const s = this.pendingRestore;
    this.pendingRestore = undefined;
    const from = s ?? new CharacteristicRunner(this.config).saveState();
    this.index = from.index;
    this.ruleState.set(unpackNumbers(from.rules));
    this.ruleHits.set(from.ruleHits);
    this.holds = from.holds; this.alarms = from.alarms;
    this.overallSigma = Number(from.overallSigma);
    this.fitted = from.fitted;
    this.limitsVersion = from.limitsVersion ?? 0;
    this.phase1Flagged = [...(from.phase1Flagged ?? [])];
    this.phase1Revision = from.phase1Revision && { ...from.phase1Revision, dropped: [...from.phase1Revision.dropped] };
    if (from.normality) { const [n, a2, a2Adjusted, pValue] = unpackNumbers(from.normality); this.normality = { n, a2, a2Adjusted, pValue }; } else this.normality = undefined;
    if (from.params) { const [center, sigma] = unpackNumbers(from.params); this.params = { center, sigma }; } else this.params = undefined;
    this.phase1 = from.phase1?.map((g) => {
      const [x, n, range, sd] = unpackNumbers(g.obs);
      return { obs: { x, n, range, sd, ...(g.product !== undefined ? { product: g.product } : {}) }, units: g.units, lots: g.lots, ts: g.ts, values: unpackNumbers(g.values) };
    });
    if (from.chart) this.chart.restoreState?.(unpackNumbers(from.chart));
    this.chart.restoreProducts?.(Object.fromEntries(Object.entries(from.products ?? {}).map(([k, v]) => [k, unpackNumbers(v)])));
    if (this.subgrouper) this.subgrouper = Subgrouper.fromState(this.config.chart.subgroupSize as number, from.subgroup);
    this.floor = from.containment?.floor ?? 0;
    this.holdLatched = from.containment?.holdLatched ?? false;
    this.alarmActive = from.containment?.alarmActive ?? false;
    this.history.restoreState(from.containment?.history);
  }

  summary(): SummaryRecord {
    if (this.pendingRestore !== undefined) this.applyRestore();
    const s: SummaryRecord = {
      type: 'summary', characteristic: this.id, ...(this.split ? { split: this.split } : {}), chart: this.config.chart.type, points: this.index,
      center: this.params ? this.params.center : null, sigma: this.params ? this.params.sigma : null,
      pendingSamples: this.subgrouper?.pending ?? 0, droppedSamples: this.subgrouper?.dropped ?? 0,
      violations: Object.fromEntries(this.config.rules.map((r, i) => [r, this.ruleHits[i]])),
      actions: {},
    };
    const actions = this.config.actions ?? {};
    if (actions.hold) s.actions.hold = this.holds;
    if (actions.alarm) s.actions.alarm = this.alarms;
    if (!this.params) s.phase1 = { needed: this.phase1Size, collected: this.phase1?.length ?? 0 };
    const spec = this.config.spec;
    if (spec && this.params && !this.countChart && this.measurementScale && (spec.lsl !== undefined || spec.usl !== undefined)) {
      const method = this.config.capability?.method ?? 'normal';
      // A non-normal method without a fit (a value ≤ 0) reports no indices rather than normal ones.
      const capability = method === 'normal' ? capabilityIndices(spec, this.params.center, this.params.sigma, this.overallSigma) : this.fitted;
      if (capability) s.capability = capability;
    }
    if (this.normality) s.normality = this.normality;
    if (this.limitsVersion) s.limitsVersion = this.limitsVersion;
    if (this.params && this.phase1Size) s.phase1Review = { points: this.phase1Size, flagged: [...this.phase1Flagged], ...(this.phase1Revision ? { revised: { ...this.phase1Revision, dropped: [...this.phase1Revision.dropped] } } : {}) };
    return s;
  }
}
