/**
 * What a snapshot of a partition with one large latched hold costs on the event loop: the hold
 * book's capture (`saveState`), its serialization (`JSON.stringify`, as the state store does) and,
 * at a take-over, parsing and restoring it. A latched hold names every later unit of its
 * characteristic, so a busy line's hold reaches hundreds of thousands of units; the worker
 * snapshots every `--snapshot-every` (30 s) while it keeps sending holds.
 *   Run: npm run bench:snapshot-hold   (SPC_BENCH_UNITS, default 1,000,000; five rounds, medians)
 */
import { cpus } from 'node:os';
import { HoldBook, type PointRecord } from '../src/core/index.js';
import { describeParseRate, jsonParseRate } from './machine.js';

const UNITS = Number(process.env.SPC_BENCH_UNITS ?? 1_000_000);
const ROUNDS = 5;
const place = { line: 'L1', station: 'S1' };
const point = (index: number, unit: string, hold: boolean): PointRecord => ({
  type: 'point', characteristic: 'c', index, phase: 'II', ts: '2026-12-01T00:00:00.000Z', statistic: hold ? 9 : 0, center: 0, ucl: 3, lcl: -3,
  violations: hold ? ['nelson1'] : [], actions: hold ? ['hold'] : [], units: [unit], lots: ['LOT-1'],
});

const book = new HoldBook();
book.apply(point(1, 'SN0000000', true), place);
const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;
const rows: { capture: number; serialize: number; bytes: number; parse: number; restore: number; extend: number }[] = [];
let units = 1;
for (let round = 0; round < ROUNDS; round++) {
  // Grow the hold to its size (first round), then by 1% between snapshots, as a running line does.
  const target = round === 0 ? UNITS : units + UNITS / 100;
  let t = process.hrtime.bigint();
  for (; units < target; units++) book.apply(point(units + 1, `SN${String(units).padStart(7, '0')}`, false), place);
  const extend = ms(t);
  t = process.hrtime.bigint();
  const snap = book.saveState(() => true);
  const capture = ms(t);
  t = process.hrtime.bigint();
  const text = JSON.stringify(snap);
  const serialize = ms(t);
  t = process.hrtime.bigint();
  const parsed = JSON.parse(text);
  const parse = ms(t);
  t = process.hrtime.bigint();
  const restored = new HoldBook();
  restored.restoreState(parsed, () => true);
  const restore = ms(t);
  if (restored.hold(book.activeHolds()[0].id)?.unitCount !== units) throw new Error('restored hold lost units');
  rows.push({ capture, serialize, bytes: text.length, parse, restore, extend });
}
const median = (k: keyof (typeof rows)[0]) => rows.slice(1).map((r) => r[k]).sort((a, b) => a - b)[Math.floor((rows.length - 1) / 2)];
console.log(`bench/snapshot-hold — one latched hold of ${units.toLocaleString('en-US')} units; medians of rounds 2–${ROUNDS} (each after 1% more units)`);
console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}; ${describeParseRate(jsonParseRate())}`);
console.log('| step | ms |');
console.log('|---|---|');
console.log(`| capture (saveState) | ${median('capture').toFixed(1)} |`);
console.log(`| serialize (JSON.stringify, ${(median('bytes') / 1e6).toFixed(1)} MB) | ${median('serialize').toFixed(1)} |`);
console.log(`| on the event loop per snapshot (capture + serialize) | ${(median('capture') + median('serialize')).toFixed(1)} |`);
console.log(`| take-over: parse + restore | ${(median('parse') + median('restore')).toFixed(1)} |`);
