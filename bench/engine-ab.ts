/**
 * Two builds of the engine in one process, on the same parsed samples, rounds alternated (A B, then
 * B A, so neither always runs after the other's garbage): the speed ratio B/A per round. Machines
 * here drift 2–3× within minutes; a ratio measured round by round in one process does not.
 *
 *   git worktree add /tmp/before <rev> && (cd /tmp/before && npm ci && npm run build)
 *   npm run build && npx tsx bench/engine-ab.ts /tmp/before .
 *
 * SPC_BENCH_CHARACTERISTICS (default 10,000) and SPC_BENCH_ROUNDS (default 8); the workload is
 * bench/engine-workload.ts's, as bench/engine.ts's (I-MR, nelson1–8, 2,000,000 samples a round).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CharacteristicConfig, Sample, SpcEngine } from '../src/core/index.js';
import { engineWorkload } from './engine-workload.js';

const [dirA, dirB] = process.argv.slice(2);
if (!dirA || !dirB) { console.error('usage: tsx bench/engine-ab.ts <checkout A> <checkout B>   (each built: dist/)'); process.exit(2); }
type Core = { SpcEngine: new (r: { version: 1; characteristics: CharacteristicConfig[] }) => SpcEngine };
const load = async (dir: string) => (await import(pathToFileURL(resolve(dir, 'dist/src/core/index.js')).href)) as Core;
const [A, B] = [await load(dirA), await load(dirB)];

const C = Number(process.env.SPC_BENCH_CHARACTERISTICS ?? 10_000);
const ROUNDS = Number(process.env.SPC_BENCH_ROUNDS ?? 8);
const { characteristics, texts, samples } = engineWorkload(C);

const seconds = (f: () => void) => { const t0 = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t0) / 1e9; };
const run = (M: Core) => seconds(() => { const e = new M.SpcEngine({ version: 1, characteristics }); for (const s of samples) e.process(s, () => {}); });
let sink = 0;
const parse = () => seconds(() => { for (const t of texts) sink += (JSON.parse(t) as Sample).value; });
const vsParse: [number[], number[]] = [[], []];
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const p = parse();
  let a: number, b: number;
  if (r % 2 === 0) { a = run(A); b = run(B); } else { b = run(B); a = run(A); }
  vsParse[0].push(p / a); vsParse[1].push(p / b); ratios.push(a / b);
}
const median = (l: number[]) => [...l].sort((x, y) => x - y)[Math.floor(l.length / 2)];
console.log(`bench/engine-ab — ${C.toLocaleString('en-US')} characteristics, ${samples.length.toLocaleString('en-US')} samples a round, ${ROUNDS} rounds${sink === -1 ? '' : ''}`);
console.log(`A ${dirA}: ${median(vsParse[0]).toFixed(2)}× JSON.parse; B ${dirB}: ${median(vsParse[1]).toFixed(2)}× JSON.parse (medians)`);
console.log(`speed B/A per round: ${ratios.map((x) => x.toFixed(2)).join(' ')}; median ${median(ratios).toFixed(2)}`);
