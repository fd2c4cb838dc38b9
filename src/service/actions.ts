import { characteristicOfSeries, checkAcknowledge, seriesOfId, checkRelease, inScope, outOfScope, roleRefusal, type Actor, type AlarmStateSignal, type LifecycleSignal, type LimitsSignal, type Refusal, type ReleaseRequest, type ReleaseSignal } from '../core/index.js';
import type { AuditRecord, LimitVersionRow } from '../ports/genealogy.js';
import type { StateStore } from '../ports/state.js';
import type { Committer } from './committer.js';
import type { Ownership } from './ownership.js';
import type { EffectSink, Pipeline } from './pipeline.js';


/**
 * An action on a line whose partition this worker does not own (handed over, or its lease lost):
 * recorded here it would be at no stream position the owner replays, and lost at its restore.
 */
const notOwned = (what: string, line: string): Refusal => ({ refused: 'conflict', message: `${what} is on line ${line}, which this worker no longer processes (its partition moved to another worker): act on the worker that owns it now` });

export interface ActionsOptions {
  pipeline: Pipeline;
  committer: Committer;
  ownership: Ownership;
  state?: StateStore;
  /** Sent to the line at once (the signal WebSocket). */
  onSignal(s: LifecycleSignal): void;
  /** Where a release's durable effects go (the current batch). */
  sink(): EffectSink;
}

/**
 * What operators and quality users do to holds and alarms: acknowledge, shelve, release. Each
 * checks the actor's role and lines first (a refusal changes nothing), tells the line at once,
 * and records an audit entry (and a release in the state store, at its stream position, so a
 * replay releases at the same point) with the next commit.
 */
export class OperatorActions {
  constructor(private readonly o: ActionsOptions) {}

  /** Operator or quality acknowledges an alarm of their lines. */
  acknowledgeAlarm(id: string, actor: Actor, causeCode?: string): AlarmStateSignal | Refusal {
    if (actor.role === 'plc') return roleRefusal(actor, 'acknowledging an alarm', 'operator or quality');
    const alarms = this.o.pipeline.alarms;
    const a = alarms.get(id);
    if (!a) return { refused: 'not-found', message: `no alarm ${id}` };
    if (!inScope(actor, a.line)) return outOfScope(actor, `alarm ${id}`, a.line);
    if (!this.o.ownership.ownsLine(a.line)) return notOwned(`alarm ${id}`, a.line);
    const problem = checkAcknowledge(this.o.pipeline.closedLoop.planFor(a.characteristic, a.rule ?? ''), causeCode);
    if (problem) return { refused: 'invalid', field: problem.field, message: problem.message };
    const r = alarms.acknowledge(id, actor.name, new Date().toISOString());
    if (typeof r === 'string') return { refused: 'conflict', message: r };
    this.o.onSignal(r);
    this.audit({ actor: actor.name, role: actor.role, action: 'acknowledge', target: id, line: a.line, reason: null, detail: { state: r.state, characteristic: a.characteristic, rule: a.rule, ...(causeCode ? { causeCode } : {}) } });
    return r;
  }

  /** Quality shelves an alarm of their lines for a while, with a reason. */
  shelveAlarm(id: string, actor: Actor, minutes: number, reason: string): AlarmStateSignal | Refusal {
    if (actor.role !== 'quality') return roleRefusal(actor, 'shelving an alarm', 'quality');
    const alarms = this.o.pipeline.alarms;
    const a = alarms.get(id);
    if (!a || a.state === 'closed') return { refused: 'not-found', message: `no open alarm ${id}` };
    if (!inScope(actor, a.line)) return outOfScope(actor, `alarm ${id}`, a.line);
    if (!this.o.ownership.ownsLine(a.line)) return notOwned(`alarm ${id}`, a.line);
    const r = alarms.shelve(id, actor.name, Date.now() + minutes * 60_000, new Date().toISOString());
    if (typeof r === 'string') return { refused: 'conflict', message: r };
    this.o.onSignal(r);
    this.audit({ actor: actor.name, role: actor.role, action: 'shelve', target: id, line: a.line, reason, detail: { minutes } });
    return r;
  }

  /** A quality user's release of a hold on their lines. */
  release(id: string, actor: Actor, request: ReleaseRequest): ReleaseSignal | Refusal {
    if (actor.role !== 'quality') return roleRefusal(actor, 'releasing a hold', 'quality');
    const holds = this.o.pipeline.holds;
    const hold = holds.hold(id);
    if (!hold) {
      // Not here: maybe on a line whose partition moved away (its holds are forgotten here, live there).
      const line = this.o.pipeline.lineOf(characteristicOfSeries(seriesOfId(id)));
      if (line !== undefined && inScope(actor, line) && !this.o.ownership.ownsLine(line)) return notOwned(`hold ${id}`, line);
      return { refused: 'not-found', message: `no active hold ${id}` };
    }
    if (!inScope(actor, hold.line)) return outOfScope(actor, `hold ${id}`, hold.line);
    if (!this.o.ownership.ownsLine(hold.line)) return notOwned(`hold ${id}`, hold.line);
    // The plan the hold was raised with (what the console showed), else the current rule set's.
    const plan = hold.plan ?? this.o.pipeline.closedLoop.planFor(hold.characteristic, hold.rule);
    const problem = checkRelease(plan, { ...request, signed: request.signature !== undefined });
    if (problem) return { refused: 'invalid', field: problem.field, message: problem.message };
    const ts = new Date().toISOString();
    const reason = request.reason ?? '';
    const extra = {
      ...(request.causeCode ? { causeCode: request.causeCode } : {}), ...(request.actionCode ? { actionCode: request.actionCode } : {}),
      ...(request.signature ? { signature: { ...request.signature, at: ts } } : {}),
    };
    const r = holds.release(id, actor.name, reason, ts, extra)!;
    const st = this.o.state;
    if (st) {
      // Kept with the stream position, so a replay of this partition releases at the same point.
      const { partition, seq } = this.o.ownership.positionOf(r.characteristic);
      // An anomaly model's hold: also how many of its verdicts were in (a replay scores behind its messages).
      const verdicts = this.o.pipeline.verdictsIn(r.characteristic);
      const rec = { id, by: actor.name, reason, role: actor.role, ts, seq, ...extra, ...(verdicts !== undefined ? { verdicts } : {}) };
      this.o.committer.release(() => st.addRelease(partition, rec));
    }
    this.o.pipeline.released(r, this.o.sink());
    this.audit({ actor: actor.name, role: actor.role, action: 'release', target: id, line: r.line, reason: reason || null, detail: { units: r.unitCount, characteristic: r.characteristic, rule: hold.rule, ...extra } });
    return r;
  }

  /**
   * A quality user's approved recalculation takes effect now, at this stream position: kept with
   * the position (a replay applies it at the same point), sent to the line, stored, and audited
   * with the signature. The caller has checked the signature and that the proposal is open.
   */
  applyLimits(p: LimitVersionRow, station: string, actor: Actor, signature: { signer: string; meaning: string }): LimitsSignal | Refusal {
    if (actor.role !== 'quality') return roleRefusal(actor, 'approving limits', 'quality');
    if (!inScope(actor, p.line)) return outOfScope(actor, `limits of ${p.series}`, p.line);
    if (!this.o.ownership.ownsLine(p.line)) return notOwned(`limits of ${p.series}`, p.line);
    const split = p.split ?? undefined;
    const current = this.o.pipeline.engine.summaryOf(p.characteristic, split)?.limitsVersion ?? 1;
    const version = Math.max(1, current) + 1;
    const ts = new Date().toISOString();
    const sig: LimitsSignal = {
      type: 'limits', id: `${p.series}@v${version}`, line: p.line, station, characteristic: p.characteristic, ...(split ? { split } : {}),
      version, kind: 'recalculation', center: p.center, sigma: p.sigma, points: p.points, excluded: p.excluded, proposal: p.id,
      approval: { ...signature, at: ts }, ts,
    };
    const st = this.o.state;
    if (st) {
      const { partition, seq } = this.o.ownership.positionOf(p.characteristic);
      const rec = { kind: 'limits' as const, id: sig.id, by: actor.name, reason: p.reason ?? '', role: actor.role, ts, seq, limits: sig };
      this.o.committer.release(() => st.addRelease(partition, rec));
    }
    this.o.pipeline.limitsApplied(sig, this.o.sink());
    this.audit({ actor: actor.name, role: actor.role, action: 'approve-limits', target: p.series, line: p.line, reason: p.reason, detail: {
      proposal: p.id, version, center: p.center, sigma: p.sigma, before: { center: p.before_center, sigma: p.before_sigma }, points: p.points, excluded: p.excluded,
      window: { from: p.window_from, to: p.window_to }, signature: sig.approval,
    } });
    return sig;
  }

  /** Time passes for the manual checks of this worker's lines (called every second). */
  tickChecks(now: number): void {
    // On the stream's clock, and not while replaying: a check done on time in a stream the worker
    // is hours behind is not overdue (Pipeline.streamTime).
    if (this.o.ownership.replaying) return;
    this.o.pipeline.tickChecks(now, this.o.sink(), (line) => this.o.ownership.ownsLine(line));
  }

  /** A manual check's entries were published: audited with whether they came on time. */
  checkEntered(actor: Actor, check: { id: string; line: string; station: string; characteristic: string }, onTime: boolean, entries: { unit: string; value: number }[]): void {
    this.audit({ actor: actor.name, role: actor.role, action: 'check', target: check.id, line: check.line, reason: null, detail: { station: check.station, characteristic: check.characteristic, onTime, entries } });
  }

  private audit(entry: AuditRecord): void { this.o.committer.audit(entry); }
}
