import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { openSql, type SqlClient } from '../../src/adapters/store/sql.js';
import { hashSigningSecret } from '../../src/auth/signature.js';
import { freePort, freshPostgres, NATS_URL, uniquePrefix, waitFor } from '../integration/servers.js';
import { apiAs, hasChromium, launchChromium, login as loginAs, startSpcRunProcess, tearDown, type SpcRunProcess } from './harness.js';

// Controlled limits in real headless Chromium against `spc run` on real NATS and PostgreSQL: a
// recalculation proposed from stored samples shows before and after, takes effect only when a
// quality user approves it with an electronic signature, at that stream position, and a worker
// killed and restarted (replaying from its state) keeps it.
const QUALITY = 'limits-quality-token-01234';
const SECRET = 'the oven is my witness';
const RULES = `version: 1
characteristics:
  - id: lathe.bore
    match: { line: L1, station: lathe, parameter: bore }
    chart: { type: i-mr }
    limits: { phase1: 20 }
    rules: [nelson1]
    actions: { alarm: [nelson1] }
`;
const prefix = uniquePrefix('limits');
const dir = mkdtempSync(join(tmpdir(), 'spc-limits-'));
let run: SpcRunProcess | undefined;
let browser: Browser | undefined;
let port = 0;
let pg: Awaited<ReturnType<typeof freshPostgres>>;
let db: SqlClient;
let nc: NatsConnection;
let unit = 0;
const points: { unit: string; center: number; ucl: number }[] = [];

async function startWorker(): Promise<void> {
  run = await startSpcRunProcess({ rules: join(dir, 'rules.yaml'), tokens: join(dir, 'tokens.yaml'), port, prefix, store: pg.url });
  // Points as the line sees them, to check which limits each sample was charted against.
  const ws = new WebSocket(`ws://127.0.0.1:${port}/signals?token=${QUALITY}`);
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'points', on: true }));
  ws.on('message', (d) => { const m = JSON.parse(String(d)); if (m.type === 'point') points.push({ unit: m.units[0], center: m.center, ucl: m.ucl }); });
}

beforeAll(async () => {
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${QUALITY}, role: quality, name: qm-anna, signing: "${await hashSigningSecret(SECRET)}" }\n`);
  pg = await freshPostgres('limits');
  port = await freePort();
  nc = await connect({ servers: NATS_URL });
  await startWorker();
  db = await openSql(pg.url);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await tearDown(browser, run, prefix);
  await db?.close();
  await nc.close();
  await pg?.drop();
});

/** Publishes bores; returns their unit ids. A fixed wobble of ±0.05 around `mean`. */
async function publish(mean: number, count: number): Promise<string[]> {
  const units: string[] = [];
  for (let i = 0; i < count; i++) {
    const u = `B-${String(++unit).padStart(4, '0')}`;
    units.push(u);
    await nc.jetstream().publish(sampleSubject(streamNamesFor(prefix), 'L1', 'lathe', 'bore'),
      new TextEncoder().encode(JSON.stringify({ ts: new Date(Date.UTC(2026, 10, 30, 8, 0, unit)).toISOString(), line: 'L1', station: 'lathe', parameter: 'bore', value: mean + 0.05 * Math.sin(unit * 1.7), unit: u })));
  }
  return units;
}
const pointOf = (u: string) => waitFor(`the point of ${u}`, () => points.find((p) => p.unit === u));
const api = (path: string, body?: unknown) => apiAs(port, QUALITY)(path, body);

const login = () => loginAs(browser!, port, QUALITY);

it.skipIf(!hasChromium)('a recalculation shows before and after, takes effect only once signed, at that point of the stream, and survives a kill -9', async () => {
  // Phase I at 10.0: limits version 1.
  await publish(10.0, 20);
  const phase1 = await pointOf('B-0020');
  expect(phase1.center).toBeCloseTo(10.0, 1);
  const v1 = await waitFor('the Phase I version', async () => (await api('/api/limits')).body.find((v: any) => v.kind === 'phase1'));
  expect(v1).toMatchObject({ series: 'lathe.bore', state: 'in-effect', points: 20, version: 1 });

  // A new tool: the process now runs at 10.5 on purpose. Its first 20 bores are the new Phase I window.
  const newTool = await publish(10.5, 20);
  await pointOf(newTool[19]);
  const from = new Date(Date.UTC(2026, 10, 30, 8, 0, 21)).toISOString(), to = new Date(Date.UTC(2026, 10, 30, 8, 0, 40)).toISOString();

  const page = await login();
  await publish(10.5, 1); // the console charts the points it sees live
  await page.waitForSelector('#characteristic option[value="lathe.bore"]', { state: 'attached' });
  await page.selectOption('#characteristic', 'lathe.bore');
  await page.fill('#propose input[name=from]', from);
  await page.fill('#propose input[name=to]', to);
  await page.fill('#propose input[name=reason]', 'new boring tool T-17, process re-centred on purpose');
  await page.click('#propose button');
  const row = 'tr.limits.proposed';
  await page.waitForSelector(row);
  // Before → after, as the chart would draw them.
  const change = await page.textContent(`${row} td.change`);
  expect(change).toMatch(/^center 10\.0\d*, UCL [\d.]+, LCL [\d.]+ → center 10\.(49|50)\d*, UCL [\d.]+, LCL [\d.]+$/);
  const [proposal] = (await api('/api/limits?state=proposed')).body;
  expect(proposal).toMatchObject({ points: 20, proposed_by: 'qm-anna', before: { center: expect.closeTo(10.0, 1) }, after: { center: expect.closeTo(10.5, 1) } });
  // The proposed center and limits are drawn on the chart beside the ones in effect.
  await page.waitForFunction("[...document.querySelectorAll('.u-legend .u-series')].some((e) => e.textContent.includes('proposed center'))");

  // Not approved yet: a bore is still charted against the old limits.
  const [before] = await publish(10.5, 1);
  expect((await pointOf(before)).center).toBeCloseTo(10.0, 1);

  // A wrong secret is refused; the right one puts the limits in effect for the next bore.
  await page.fill(`${row} input[name=secret]`, 'guess');
  await page.click(`${row} button`);
  await page.waitForSelector('#toast.show:has-text("approval refused")');
  const [stillOld] = await publish(10.5, 1);
  expect((await pointOf(stillOld)).center).toBeCloseTo(10.0, 1);
  await page.fill(`${row} input[name=secret]`, SECRET);
  await page.click(`${row} button`);
  await page.waitForSelector('tr.limits.in-effect[data-id]:has-text("approved by qm-anna")');
  const [after] = await publish(10.5, 1);
  expect((await pointOf(after)).center).toBeCloseTo(proposal.center, 9);
  const audit = await db.query<{ action: string; detail: any }>("SELECT action, detail FROM audit WHERE action IN ('approve-limits', 'signature-refused') ORDER BY id");
  expect(audit.map((a) => a.action)).toEqual(['signature-refused', 'approve-limits']);
  expect(audit[1].detail).toMatchObject({ version: 2, proposal: proposal.id, signature: { signer: 'qm-anna', meaning: 'approved' } });
  expect((await api('/api/limits/proposals/' + proposal.id + '/approve', { signature: { secret: SECRET } })).status).toBe(409);
  await page.screenshot({ path: join(tmpdir(), 'spc-console-limits.png'), fullPage: true });

  // kill -9 and restart: the worker rebuilds its state from snapshot, commits and the approval kept
  // with its stream position, and charts the next bore against the approved limits.
  run!.proc.kill('SIGKILL');
  await new Promise((r) => run!.proc.once('exit', r));
  await startWorker();
  const [restarted] = await publish(10.5, 1);
  expect((await pointOf(restarted)).center).toBeCloseTo(proposal.center, 9);

  // The same history from the command line: the client of the API, and the store's trace.
  const cli = (...args: string[]) => spawnSync('node', ['dist/src/cli/main.js', ...args], { encoding: 'utf8' });
  const listed = cli('limits', 'list', '--url', `http://127.0.0.1:${port}`, '--token', QUALITY);
  expect(listed.stdout).toMatch(/lathe\.bore recalculation in-effect v2: center 10\.0\d*, UCL [\d.]+, LCL [\d.]+ → center 10\.\d+, UCL [\d.]+, LCL [\d.]+; qm-anna, approved by qm-anna/);
  const traced = cli('trace', 'limits', 'lathe.bore', '--store', pg.url);
  expect(traced.stdout).toContain('lathe.bore phase1 in-effect v1');
  expect(traced.stdout).toMatch(/lathe\.bore recalculation in-effect v2: .* approved by qm-anna .* — new boring tool T-17/);
}, 120_000);

it('proposals are refused with the field to fix', async () => {
  const propose = (body: object) => api('/api/limits/proposals', { characteristic: 'lathe.bore', from: '2026-11-30T08:00:00Z', to: '2026-11-30T09:00:00Z', reason: 'check', ...body });
  expect((await propose({ characteristic: 'nope' })).body).toMatchObject({ field: 'characteristic' });
  expect((await propose({ from: '2026-13-01T00:00:00Z' })).body).toMatchObject({ field: 'from' });
  expect((await propose({ to: '2026-11-30T07:00:00Z' })).body).toMatchObject({ field: 'to' });
  expect((await propose({ exclude: [0] })).body).toMatchObject({ field: 'exclude' });
  expect((await propose({ from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' })).body).toMatchObject({ field: 'from', error: expect.stringContaining('0 sample(s)') });
  expect((await api('/api/limits/proposals/999/approve', { signature: { secret: SECRET } })).status).toBe(404);
});
