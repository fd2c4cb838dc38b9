import { chartSpec } from '../core/charts/registry.js';
import { createChart, inScope, outOfScope, recalculateLimits, roleRefusal, seriesId, type Actor, type CharacteristicConfig, type LimitsSignal, type Refusal } from '../core/index.js';
import type { LimitsStore, LimitVersionRow } from '../ports/genealogy.js';
import type { OperatorActions } from './actions.js';
import type { Pipeline } from './pipeline.js';

/** Most samples a recalculation reads (a Phase I is at most 10,000 points). */
const MAX_SAMPLES = 250_000;

/** A recalculation as a quality user asks for it (API, console, `spc limits propose`). */
export interface LimitsProposalInput {
  characteristic: string;
  split?: Record<string, string>;
  /** Where the samples were made, when the characteristic's `match` does not fix it. */
  line?: string;
  station?: string;
  from: string;
  to: string;
  exclude?: number[];
  reason: string;
}

/** Limits as drawn on the chart. */
interface Drawn { center: number; ucl: number; lcl: number; sigma: number }

type Invalid = Refusal & { refused: 'invalid' };
const invalid = (field: string, message: string): Invalid => ({ refused: 'invalid', field, message });

/**
 * Controlled limits: a recalculation is computed from the stored samples of a window, exactly as
 * the characteristic's Phase I would estimate it, and kept as a proposal (before and after); it
 * takes effect only when a quality user approves it with an electronic signature, at the stream
 * position of that moment (OperatorActions.applyLimits).
 */
export class LimitsWorkflow {
  /** Proposals approved by this worker whose stored state may not say so yet (the store is written with the next commit). */
  private readonly approved = new Map<number, LimitsSignal>();

  constructor(private readonly o: { pipeline: Pipeline; actions: OperatorActions; store: LimitsStore }) {}

  async propose(actor: Actor, input: LimitsProposalInput): Promise<LimitVersionRow | Refusal> {
    if (actor.role !== 'quality') return roleRefusal(actor, 'proposing limits', 'quality');
    const config = this.o.pipeline.configs.get(input.characteristic);
    if (!config) return invalid('characteristic', `no characteristic ${input.characteristic} in the rules in use`);
    const spec = chartSpec(config.chart.type);
    if (spec?.scale || spec?.selfStarting) return invalid('characteristic', `a ${config.chart.type} chart takes its per-product standards from the rule file's products; its limits are not recalculated`);
    const by = config.by ?? [];
    if (by.length && (!input.split || by.some((k) => input.split![k] === undefined))) return invalid('split', `characteristic ${config.id} is split by ${by.join(', ')}: name the split, e.g. { "${by[0]}": "…" }`);
    const line = config.match.line ?? input.line, station = config.match.station ?? input.station, parameter = config.match.parameter;
    if (!line) return invalid('line', `characteristic ${config.id} does not fix its line: give "line"`);
    if (!station) return invalid('station', `characteristic ${config.id} does not fix its station: give "station"`);
    if (!parameter) return invalid('characteristic', `characteristic ${config.id} does not fix its parameter; its samples cannot be read back`);
    if (!inScope(actor, line)) return outOfScope(actor, `characteristic ${config.id}`, line);
    if (!(input.from < input.to)) return invalid('to', '"to" must be after "from"');
    const split = by.length ? Object.fromEntries(by.map((k) => [k, input.split![k]])) : undefined;
    const attributes = { ...config.match.attributes, ...Object.fromEntries(by.filter((k) => k !== 'product').map((k) => [k, split![k]])) };
    const product = split?.product ?? config.match.product;
    const samples = await this.o.store.samplesIn({ line, station, parameter, ...(product ? { product } : {}), ...(Object.keys(attributes).length ? { attributes } : {}), from: input.from, to: input.to }, MAX_SAMPLES);
    const override = product !== undefined ? config.products?.[product] : undefined;
    const effective: CharacteristicConfig = override?.spec ? { ...config, spec: override.spec } : config;
    const r = recalculateLimits(effective, samples, input.exclude ?? []);
    if (!r) return invalid('from', `the window ${input.from} … ${input.to} holds ${samples.length} sample(s) of ${seriesId(config.id, split)}: too few to estimate limits (at least 2 points)`);
    const before = this.o.pipeline.engine.summaryOf(config.id, split);
    return this.o.store.proposeLimits({
      characteristic: config.id, series: seriesId(config.id, split), split: split ?? null, line, center: r.center, sigma: r.sigma, points: r.points, excluded: r.excluded,
      window_from: input.from, window_to: input.to, before_center: before?.center ?? null, before_sigma: before?.sigma ?? null, reason: input.reason, proposed_by: actor.name,
    });
  }

  /**
   * Versions with the limits they draw, for people: center, UCL and LCL before and after (a point
   * of the chart's subgroup size; attribute charts at the average n the window had is not known, so
   * at n = 1), computed by the characteristic's own chart.
   */
  display(rows: readonly LimitVersionRow[]): (LimitVersionRow & { after?: Drawn; before?: Drawn })[] {
    return rows.map((stored) => {
      // An approval this worker made is in effect already, though the store hears of it with the next commit.
      const a = stored.state === 'proposed' ? this.approved.get(stored.id) : undefined;
      const r: LimitVersionRow = a ? { ...stored, state: 'in-effect', version: a.version, approved_by: a.approval!.signer, approved_at: a.approval!.at, meaning: a.approval!.meaning } : stored;
      const config = this.o.pipeline.configs.get(r.characteristic);
      if (!config) return r;
      const draw = (center: number | null, sigma: number | null): Drawn | undefined => {
        if (center === null || sigma === null) return undefined;
        const out = { statistic: 0, center: 0, ucl: 0, lcl: 0 };
        createChart(config.chart, config.products).plot({ x: center, n: config.chart.subgroupSize ?? 1, range: 0, sd: 0 }, { center, sigma }, out);
        return { center: out.center, ucl: out.ucl, lcl: out.lcl, sigma };
      };
      const after = draw(r.center, r.sigma), before = draw(r.before_center, r.before_sigma);
      return { ...r, ...(after ? { after } : {}), ...(before ? { before } : {}) };
    });
  }

  /** Approval with a verified signature: the proposal takes effect now (see OperatorActions.applyLimits). */
  async approve(id: number, actor: Actor, signature: { signer: string; meaning: string }): Promise<LimitsSignal | Refusal> {
    if (actor.role !== 'quality') return roleRefusal(actor, 'approving limits', 'quality');
    const p = await this.o.store.limitVersion(id);
    if (!p) return { refused: 'not-found', message: `no limits proposal ${id}` };
    if (!inScope(actor, p.line)) return outOfScope(actor, `limits of ${p.series}`, p.line);
    if (p.state !== 'proposed' || this.approved.has(id)) return { refused: 'conflict', message: `limits proposal ${id} is ${this.approved.has(id) ? 'in-effect' : p.state}, not proposed` };
    if (!this.o.pipeline.configs.has(p.characteristic)) return { refused: 'conflict', message: `characteristic ${p.characteristic} is no longer in the rules in use` };
    const station = this.o.pipeline.configs.get(p.characteristic)!.match.station ?? '*';
    const r = this.o.actions.applyLimits(p, station, actor, signature);
    if (!('refused' in r)) this.approved.set(id, r);
    return r;
  }
}
