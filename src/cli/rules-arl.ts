import { loadRules } from '../rules-file/load.js';
import { estimateArl, type ArlEstimate } from '../quality/arl.js';
import { Progress } from './progress.js';
import { textTable } from './table.js';

export interface ArlCliOptions { runs: string; seed: string; shift: string; json?: boolean }

/** `spc rules arl FILE`: in-control and shifted ARL of every characteristic's rule set. */
export function rulesArl(file: string, o: ArlCliOptions): number {
  const rules = loadRules(file);
  const runs = Number(o.runs), seed = Number(o.seed), shift = Number(o.shift);
  if (!(runs >= 100)) throw new RangeError(`--runs must be at least 100 (got ${o.runs})`);
  const results = rules.characteristics.map((c, i) => {
    const progress = new Progress(`ARL ${i + 1}/${rules.characteristics.length} ${c.id}`);
    const r = estimateArl(c, { runs, seed: seed + i, shift, onProgress: (d, t) => progress.update(d, t, d, 'runs') });
    progress.done();
    return r;
  });
  if (o.json) { process.stdout.write(JSON.stringify(results, null, 2) + '\n'); return 0; }
  const fmt = (e: ArlEstimate) => (e.exact ? `${e.arl.toFixed(2)} exact (${e.exact})` : `${e.arl.toFixed(1)} ± ${e.standardError.toFixed(1)}`);
  const rows = results.map((r) => [r.characteristic, r.chart, r.rules.join(','), fmt(r.inControl), fmt(r.shifted), r.note ?? '']);
  const header = ['characteristic', 'chart', 'rules', 'ARL₀ (false-alarm interval)', `ARL₁ (${shift}σ shift)`, 'note'];
  process.stdout.write([...textTable(header, rows), '',
    `ARL₀ is exact where it can be computed (attribute charts at a fixed center and n: binomial / Poisson tails; Shewhart charts with zone rules: Markov chain, Champ & Woodall 1987).`,
    `Other values: ${runs} Monte Carlo runs each (seed ${seed}); ± is one standard error. Points, not samples: an X̄ point is a subgroup.`, ''].join('\n'));
  return 0;
}
