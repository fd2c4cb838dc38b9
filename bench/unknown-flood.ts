/**
 * A flood of unknown characteristics must not slow the known ones (goal: a normal sample costs
 * at most 2× what it costs without the flood). Both are timed in this run, on the same engine
 * configuration: normal samples alone, then the same samples after 40,000 distinct unknown
 * stations of the same parameter were seen, and interleaved 1:1 with fresh unknown ones.
 *   Run: npm run bench:unknown
 */
import { cpus } from 'node:os';
import { SpcEngine, type CharacteristicConfig, type Sample } from '../src/core/index.js';
import { SeededRandom } from '../src/sim/random.js';
import { describeParseRate, jsonParseRate } from './machine.js';

const NORMAL = 400_000;
const UNKNOWN_STATIONS = 40_000;
const characteristics: CharacteristicConfig[] = Array.from({ length: 20 }, (_, i) => ({
  id: `c${i}`, match: { line: 'L1', station: `S${i}`, parameter: 'temp' }, chart: { type: 'i-mr' }, limits: { phase1: 25 },
  rules: ['nelson1', 'nelson2', 'nelson3', 'nelson4', 'nelson5', 'nelson6', 'nelson7', 'nelson8'],
}));
const rng = new SeededRandom(7);
const normal: Sample[] = Array.from({ length: NORMAL }, (_, k) => ({ ts: '2026-11-25T06:00:00.000Z', line: 'L1', station: `S${k % 20}`, parameter: 'temp', value: 50 + rng.normal(), unit: `SN${k}` }));
const unknown = (k: number): Sample => ({ ts: '2026-11-25T06:00:00.000Z', line: 'L1', station: `X${k}`, parameter: 'temp', value: 1, unit: `U${k}` });
const sink = () => {};

function timeNormal(engine: SpcEngine): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < normal.length; i++) engine.process(normal[i], sink);
  return Number(process.hrtime.bigint() - t) / normal.length;
}

const rows: [string, number][] = [];
for (let round = 0; round < 3; round++) {
  const clean = timeNormal(new SpcEngine({ version: 1, characteristics }));
  const flooded = new SpcEngine({ version: 1, characteristics });
  for (let k = 0; k < UNKNOWN_STATIONS; k++) flooded.process(unknown(k), sink);
  const after = timeNormal(flooded);
  // Interleaved: each normal sample follows a never-seen unknown one; time both, subtract the unknown-only cost.
  const mixed = new SpcEngine({ version: 1, characteristics });
  const unknowns = Array.from({ length: NORMAL }, (_, k) => unknown(UNKNOWN_STATIONS + k));
  let t = process.hrtime.bigint();
  for (let i = 0; i < NORMAL; i++) { mixed.process(unknowns[i], sink); mixed.process(normal[i], sink); }
  const both = Number(process.hrtime.bigint() - t) / NORMAL;
  const alone = new SpcEngine({ version: 1, characteristics });
  t = process.hrtime.bigint();
  for (let i = 0; i < NORMAL; i++) alone.process(unknowns[i], sink);
  const unknownOnly = Number(process.hrtime.bigint() - t) / NORMAL;
  rows.push([`round ${round + 1}: normal alone ns`, clean], [`round ${round + 1}: after ${UNKNOWN_STATIONS.toLocaleString('en-US')} unknown stations ns`, after], [`round ${round + 1}: interleaved with unknown (net) ns`, both - unknownOnly], [`round ${round + 1}: ratio after/alone`, after / clean], [`round ${round + 1}: ratio interleaved/alone`, (both - unknownOnly) / clean]);
}
console.log(`bench/unknown-flood — ${cpus()[0].model}, Node ${process.version}; ${describeParseRate(jsonParseRate())}`);
console.log('| measure | value |\n|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v.toFixed(k.includes('ratio') ? 2 : 0)} |`);
