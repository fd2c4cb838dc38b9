import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { connect } from 'nats';
import { createGenerator } from 'ts-json-schema-generator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxQuery } from '../../src/adapters/influx/influxql.js';
import { deleteStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freePort, INFLUX_URL, NATS_URL, uniquePrefix, waitFor } from './servers.js';

const files = readdirSync('dashboards').filter((f) => f.endsWith('.json'));
const dashboards = files.map((f) => ({ file: f, json: JSON.parse(readFileSync(join('dashboards', f), 'utf8')) }));

describe('Grafana dashboards', () => {
  it('validate against the JSON Schema generated from @grafana/schema\'s Dashboard type', () => {
    const schema = createGenerator({ path: 'node_modules/@grafana/schema/dist/types/raw/dashboard/x/types.gen.d.ts', type: 'Dashboard', skipTypeCheck: true, additionalProperties: true }).createSchema('Dashboard');
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(files.sort()).toEqual(['anomaly.json', 'control-chart.json', 'line-overview.json']);
    for (const d of dashboards) {
      const ok = validate(d.json);
      expect(ok, `${d.file}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
    // And the schema does catch a broken dashboard.
    expect(validate({ ...dashboards[0].json, panels: [{ type: 'timeseries', gridPos: { x: 'left' } }] })).toBe(false);
  });
});

describe('every dashboard query returns rows from a simulated run', () => {
  const prefix = uniquePrefix('dash');
  const database = `spc_${prefix}`;
  let worker: ChildProcess;
  let log = '';
  let port = 0;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spc-dash-'));
    writeFileSync(join(dir, 'tokens.yaml'), '- { token: dashboard-test-token-0123, role: quality }\n');
    port = await freePort();
    worker = spawn('node', ['dist/src/cli/main.js', 'run', '--rules', 'rules', '--tokens', join(dir, 'tokens.yaml'), '--ws-port', String(port), '--nats', NATS_URL,
      '--influx-url', INFLUX_URL, '--influx-db', database, '--prefix', prefix], { stdio: ['ignore', 'ignore', 'pipe'] });
    worker.stderr!.on('data', (d) => { log += d; });
    await waitFor('spc run to be ready', () => (log.includes('spc run: ready') ? true : undefined));
    // A shift (holds, alarms, violations) and then a correlation break (anomaly scores and flags).
    for (const [fault, seed] of [['shift', '3'], ['correlation', '4']]) {
      const sim = spawnSync('node', ['dist/src/cli/main.js', 'simulate', '--nats', NATS_URL, '--prefix', prefix, '--rate', '6000', '--units', '1200', '--fault', fault, '--at', '0.5s', '--seed', seed], { encoding: 'utf8' });
      expect(sim.status, sim.stderr).toBe(0);
    }
    // And the mixed-model molding line: its split tags feed the product variable.
    const mixed = spawnSync('node', ['dist/src/cli/main.js', 'simulate', '--mixed', '--nats', NATS_URL, '--prefix', prefix, '--rate', '2000', '--units', '200', '--at', '0.05s', '--seed', '3'], { encoding: 'utf8' });
    expect(mixed.status, mixed.stderr).toBe(0);
    // A release with the rule file's codes: the release-cause Pareto groups by its cause tag.
    const auth = { Authorization: 'Bearer dashboard-test-token-0123', 'content-type': 'application/json' };
    const hold = await waitFor('the reflow hold', async () => ((await (await fetch(`http://127.0.0.1:${port}/api/holds`, { headers: auth })).json()) as any[]).find((h) => h.characteristic === 'reflow.peak_temp'));
    const released = await fetch(`http://127.0.0.1:${port}/api/holds/${encodeURIComponent(hold.id)}/release`, { method: 'POST', headers: auth, body: JSON.stringify({ causeCode: 'PROFILE', actionCode: 'PROFILE-RESTORED', reason: 'zone 5 setpoint restored' }) });
    expect(released.status, await released.clone().text()).toBe(200);
    const health = async () => (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as any;
    await waitFor('the worker and the InfluxDB drain to finish', async () => {
      const h = await health();
      return h.counters.acked >= 2 * 1200 * 6 + 400 && h.counters.anomalyScored >= 2400 && h.influx.messages >= h.counters.outboxMessages ? true : undefined;
    }, 60_000);
  }, 120_000);
  afterAll(async () => {
    worker?.kill('SIGTERM');
    await new Promise((r) => worker?.once('exit', r));
    const nc = await connect({ servers: NATS_URL });
    await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
    await nc.close();
  });

  const substitute = (q: string) => q
    .replace(/\$timeFilter/g, 'time > now() - 7d')
    .replace(/\$__interval/g, '1m')
    .replace(/\$line/g, 'L1').replace(/\$station/g, 'reflow').replace(/\$characteristic/g, '(reflow.peak_temp|reflow.peak_temp.individuals)').replace(/\$product/g, '.*');

  it('line overview counts each hold and alarm once, not each revision of it', async () => {
    // A latched hold or alarm sends a revision for every later point (docs/signals.md): the stat
    // panels must count distinct ids. Counted here from the rows themselves, and for holds also
    // from the worker's own counter.
    const overview = dashboards.find((d) => d.file === 'line-overview.json')!.json;
    const panel = (title: string) => substitute(overview.panels.find((p: any) => p.title === title).targets[0].query);
    const rows = async (q: string) => (await influxQuery({ url: INFLUX_URL, database }, q)).flatMap((s) => s.values);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const raised = [...metrics.matchAll(/^spc_holds_raised_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    for (const [title, type] of [['Holds raised', 'hold'], ['Alarms raised', 'alarm']]) {
      const revisions = await rows(`SELECT "id" FROM "spc_signal" WHERE "type" = '${type}' AND "line" = 'L1' AND time > now() - 7d`);
      const ids = new Set(revisions.map((r) => r[1])).size;
      expect(revisions.length, `${type}: the run must extend one, or this test shows nothing`).toBeGreaterThan(ids);
      expect((await rows(panel(title)))[0][1], title).toBe(ids);
      if (type !== 'hold') continue;
      // Every line's holds (the counter is by characteristic, across lines) against the worker's count.
      const all = await rows(`SELECT "id" FROM "spc_signal" WHERE "type" = 'hold' AND time > now() - 7d`);
      expect(new Set(all.map((r) => r[1])).size).toBe(raised);
    }
  });

  for (const d of dashboards) {
    const queries: { where: string; query: string }[] = [
      ...d.json.templating.list.map((v: any) => ({ where: `variable ${v.name}`, query: v.query })),
      ...d.json.panels.flatMap((p: any) => p.targets.map((t: any) => ({ where: `panel "${p.title}" ${t.refId}`, query: t.query }))),
      ...(d.json.annotations?.list ?? []).filter((a: any) => a.target?.query).map((a: any) => ({ where: `annotation ${a.name}`, query: a.target.query })),
    ];
    it(`${d.file}: ${queries.length} queries`, async () => {
      for (const { where, query } of queries) {
        const series = await influxQuery({ url: INFLUX_URL, database }, substitute(query));
        const rows = series.reduce((n, s) => n + s.values.length, 0);
        expect(rows, `${d.file} ${where} returned no rows: ${substitute(query)}`).toBeGreaterThan(0);
      }
    });
  }
});
