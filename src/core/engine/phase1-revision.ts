import type { ChartParameters, ControlChart, Observation, PlottedPoint } from '../charts/chart.js';

/** Most rounds of `revise: true` (each drops at least one point, so a window of N stops by N anyway). */
export const MAX_REVISION_ROUNDS = 10;

/** What the revision did: the rounds that dropped points, and the points (1-based) dropped. */
export interface Phase1Revision { rounds: number; dropped: number[]; stopped?: string }

/**
 * Montgomery's revision of trial control limits (Introduction to Statistical Quality Control,
 * 7th ed., §6.2.1 "Revision of control limits" and Example 7.1): points of the Phase I window that
 * plot beyond the trial limits are dropped and the limits estimated again from the rest; repeated
 * until no point is beyond, for at most `maxRounds` rounds. A point is beyond when its statistic
 * is outside its limits, or (X̄-R, X̄-S) its range or standard deviation is outside theirs.
 *
 * Judging uses a fresh chart from `newChart` each round (MR, EWMA and CUSUM carry state between
 * points, and a Z-MR chart keeps per-product estimates), estimated on the points still included,
 * and plots every point of the window in order, the dropped ones too, so moving ranges stay those
 * of consecutive points. `included` (the rule file's `exclude` already applied) is updated in
 * place; the caller estimates its own chart on it afterwards.
 * Stops rather than leave fewer than half the window: then the data are not a Phase I base.
 */
export function revisePhase1(points: readonly Observation[], included: boolean[], newChart: () => ControlChart, maxRounds: number): Phase1Revision {
  const revision: Phase1Revision = { rounds: 0, dropped: [] };
  const out: PlottedPoint = { statistic: 0, center: 0, ucl: 0, lcl: 0 };
  while (revision.rounds < maxRounds) {
    const chart = newChart();
    const params: ChartParameters = chart.estimate(points, included);
    const beyond: number[] = [];
    for (let i = 0; i < points.length; i++) {
      out.range = out.rangeUcl = out.rangeLcl = out.sd = out.sdUcl = out.sdLcl = undefined;
      chart.plot(points[i], params, out);
      if (included[i] && isBeyond(out)) beyond.push(i);
    }
    if (!beyond.length) break;
    const left = included.filter(Boolean).length - beyond.length;
    if (left < Math.max(2, Math.ceil(points.length / 2))) {
      revision.stopped = `dropping ${beyond.length} more point(s) would leave ${left} of ${points.length}: the Phase I data do not describe a stable process`;
      break;
    }
    for (const i of beyond) { included[i] = false; revision.dropped.push(i + 1); }
    revision.rounds++;
  }
  return revision;
}

function isBeyond(p: PlottedPoint): boolean {
  if (p.statistic > p.ucl || p.statistic < p.lcl) return true;
  if (p.range !== undefined && p.rangeUcl !== undefined && (p.range > p.rangeUcl || p.range < (p.rangeLcl ?? 0))) return true;
  if (p.sd !== undefined && p.sdUcl !== undefined && (p.sd > p.sdUcl || p.sd < (p.sdLcl ?? 0))) return true;
  return false;
}
