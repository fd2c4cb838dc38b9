/**
 * Trace query latency on PostgreSQL with 10 million samples of 1 million units (10 samples per
 * unit: 5 stations × 2 parameters), 2,000 lots of 500 units, 20 operators, 40 pieces of
 * equipment, and 1,000 holds of 20 units. Data are generated inside PostgreSQL (generate_series),
 * then each of the four trace queries runs 500 times with random ids.
 * Run: npm run bench:trace   (SPC_BENCH_PG to point elsewhere; SPC_BENCH_UNITS to scale)
 */
import { cpus } from 'node:os';
import pg from 'pg';
import { GenealogyStore } from '../src/adapters/store/genealogy.js';
import { openSql } from '../src/adapters/store/sql.js';

const ADMIN = process.env.SPC_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const UNITS = Number(process.env.SPC_BENCH_UNITS ?? 1_000_000);
const RUNS = 500;
const db = `spc_bench_trace_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE ${db}`);
const url = ADMIN.replace(/\/[^/]*$/, `/${db}`);
const sql = await openSql(url);
const store = new GenealogyStore(sql);
const t0 = performance.now();
// Units flow through 5 stations in order, 2 parameters each, one unit every 100 ms.
await sql.exec(`
  INSERT INTO samples (source, stream_seq, item, ts, unit, lot, line, station, parameter, value, operator, equipment)
  SELECT 'BENCH', u * 10 + k, 0,
         timestamptz '2026-01-01' + (u * interval '100 milliseconds') + (k * interval '1 second'),
         'SN' || lpad(u::text, 7, '0'), 'LOT-' || (u / 500), 'L' || (1 + u % 4),
         'st' || (k / 2), 'p' || (k % 2), 240 + random() * 10,
         'op' || ((u / 5000) % 20), 'eq' || ((k / 2) * 8 + u % 8)
  FROM generate_series(0, ${UNITS - 1}) AS u, generate_series(0, 9) AS k;
  INSERT INTO holds (id, kind, line, station, characteristic, rule, state, raised_at, updated_at)
  SELECT 'c#' || h, 'hold', 'L1', 'st2', 'st2.p0', 'we1', 'active', now(), now() FROM generate_series(1, 1000) AS h;
  INSERT INTO hold_units (hold_id, unit)
  SELECT 'c#' || h, 'SN' || lpad(((h * 997 + i) % ${UNITS})::text, 7, '0') FROM generate_series(1, 1000) AS h, generate_series(0, 19) AS i;
  ANALYZE samples; ANALYZE holds; ANALYZE hold_units;`);
const loadSeconds = (performance.now() - t0) / 1000;
const [{ count }] = await sql.query<{ count: string }>('SELECT count(*) FROM samples');

const pick = (n: number) => Math.floor(Math.random() * n);
const unitId = () => 'SN' + String(pick(UNITS)).padStart(7, '0');
async function time(label: string, q: () => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await q(); // warm the cache
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) { const s = performance.now(); await q(); ms.push(performance.now() - s); }
  ms.sort((a, b) => a - b);
  return `| ${label} | ${ms[Math.floor(RUNS / 2)].toFixed(2)} ms | ${ms[Math.floor(RUNS * 0.99)].toFixed(2)} ms |`;
}
const rows = [
  await time("unit's full history (10 samples + its holds)", () => store.unitHistory(unitId())),
  await time("lot's units and where each is now (500 units)", () => store.lotUnits(`LOT-${pick(UNITS / 500)}`)),
  await time('units through a station in a 1-minute window (~600)', () => {
    const start = new Date(Date.UTC(2026, 0, 1) + pick(UNITS / 10) * 1000);
    return store.unitsThrough('st2', start.toISOString(), new Date(start.getTime() + 60_000).toISOString());
  }),
  await time("hold's suspects and their common lots/operators/equipment (20 units)", () => store.holdTrace(`c#${1 + pick(1000)}`)),
];
console.log(`bench/trace — PostgreSQL ${(await sql.query<{ server_version: string }>('SHOW server_version'))[0].server_version}, ${Number(count).toLocaleString('en-US')} samples of ${UNITS.toLocaleString('en-US')} units (loaded in ${loadSeconds.toFixed(0)} s); ${cpus()[0].model}, ${cpus().length} cores, Node ${process.version}`);
console.log(`| query (${RUNS} runs, random ids) | p50 | p99 |`);
console.log('|---|---|---|');
for (const r of rows) console.log(r);
console.log('goal: p99 < 50 ms');
await sql.close();
await admin.query(`DROP DATABASE ${db} WITH (FORCE)`);
await admin.end();
