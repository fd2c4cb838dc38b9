import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { GenealogyStore } from '../../src/adapters/store/genealogy.js';
import { openSql } from '../../src/adapters/store/sql.js';
import { freePort, freshPostgres, NATS_URL, uniquePrefix, waitFor } from '../integration/servers.js';
import { apiAs, hasChromium, launchChromium, login as loginAs, startSpcRunProcess, tearDown, type SpcRunProcess } from './harness.js';

// The operator console in real headless Chromium, against `spc run` on real NATS and PostgreSQL.
const QUALITY = 'console-quality-token-01234';
const OPERATOR = 'console-operator-token-0123';
const prefix = uniquePrefix('console');
let run: SpcRunProcess | undefined;
let browser: Browser | undefined;
let port = 0;
let pg: Awaited<ReturnType<typeof freshPostgres>>;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spc-console-'));
  writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${QUALITY}, role: quality, name: qm-anna }\n- { token: ${OPERATOR}, role: operator, name: op-17 }\n`);
  pg = await freshPostgres('console');
  port = await freePort();
  run = await startSpcRunProcess({ rules: 'rules', tokens: join(dir, 'tokens.yaml'), port, prefix, store: pg.url });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await tearDown(browser, run, prefix);
  await pg?.drop();
});

const login = (token: string) => loginAs(browser!, port, token);

it.skipIf(!hasChromium)('a fault raises a hold on the page; an operator cannot release it, a quality user can, with a reason, and the audit shows it', async () => {
  const quality = await login(QUALITY);
  const operator = await login(OPERATOR);
  expect(await quality.textContent('#who')).toContain('quality');

  // A board 25σ above the oven's peak temperature: the CUSUM's sum passes h = 12 at once → hold.
  const nc = await connect({ servers: NATS_URL });
  await nc.jetstream().publish(sampleSubject(streamNamesFor(prefix), 'L1', 'reflow', 'peak_temp'),
    new TextEncoder().encode(JSON.stringify({ ts: new Date().toISOString(), line: 'L1', station: 'reflow', parameter: 'peak_temp', value: 275, unit: 'BATCH-0042', lot: 'LOT-9', operator: 'op11', equipment: 'oven-2' })));
  await nc.close();

  const HOLD = 'reflow.peak_temp#1';
  const row = `tr.hold[data-id="${HOLD}"]`;
  await quality.waitForSelector(row);
  await operator.waitForSelector(row);
  expect(await quality.textContent(row)).toContain('BATCH-0042');
  expect(await quality.textContent(row)).toContain('LOT-9');
  // Page's change-point estimate on the CUSUM's only point: suspect since that board.
  expect(await quality.textContent(`${row} td.since`)).toMatch(/^suspect since .+ \(point 1, BATCH-0042; set 1–1\)$/);
  await quality.screenshot({ path: join(tmpdir(), 'spc-console-hold.png'), fullPage: true });

  // The operator sees the hold but gets no release control, and the API refuses the action.
  expect(await operator.$(`${row} form.release`)).toBeNull();
  const refused = await operator.evaluate(async ([p, token]) => (await fetch(`/api/holds/${encodeURIComponent(p)}/release`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'I think it is fine' }) })).status, [HOLD, OPERATOR]);
  expect(refused).toBe(403);

  // Quality releases with the reaction plan's codes and a comment; the hold leaves both screens.
  await quality.selectOption(`${row} select[name=causeCode]`, 'TC-FAULT');
  await quality.selectOption(`${row} select[name=actionCode]`, 'SENSOR-REPLACED');
  await quality.fill(`${row} input[name=reason]`, 'tester recalibrated, batch re-tested OK');
  await quality.click(`${row} button`);
  await quality.waitForSelector(row, { state: 'detached' });
  await operator.waitForSelector(row, { state: 'detached' });

  // The audit table, on the page and in the database, shows who released it and why.
  await quality.click('#audit-refresh');
  await quality.waitForSelector('#audit tbody tr:has-text("release")');
  expect(await quality.textContent('#audit tbody tr')).toContain('tester recalibrated, batch re-tested OK');
  const store = new GenealogyStore(await openSql(pg.url));
  await waitFor('the audit row', async () => ((await store.auditLog(5)).length ? true : undefined));
  expect((await store.auditLog(5))[0]).toMatchObject({ actor: 'qm-anna', role: 'quality', action: 'release', target: HOLD, reason: 'tester recalibrated, batch re-tested OK' });
  expect((await store.holdTrace(HOLD))!).toMatchObject({ units: ['BATCH-0042'], hold: { state: 'released', released_by: 'qm-anna' } });
  await quality.screenshot({ path: join(tmpdir(), 'spc-console-released.png'), fullPage: true });
  // Closing the loop: the operator records the cause and the corrective action; it is audited.
  const cause = await operator.evaluate(async ([id, token]) => (await fetch(`/api/holds/${encodeURIComponent(id)}/cause`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ assignableCause: 'tester probe worn', correctiveAction: 'probe replaced' }) })).status, [HOLD, OPERATOR]);
  expect(cause).toBe(200);
  expect((await store.holdTrace(HOLD))!.hold).toMatchObject({ assignable_cause: 'tester probe worn', corrective_action: 'probe replaced' });
  expect((await store.auditLog(1))[0]).toMatchObject({ action: 'cause', actor: 'op-17', role: 'operator' });
  await store.db.close();
}, 60_000);

it('alarms: operators acknowledge, only quality shelves, and both are audited', async () => {
  const api = (token: string, path: string, body?: unknown) => apiAs(port, token)(path, body);
  expect((await api('no-such-token-000000000', '/api/alarms')).status).toBe(401);
  // Rate limit: a burst far above 20/s gets 429s, and the API answers again a second later.
  const burst = await Promise.all(Array.from({ length: 80 }, () => api(OPERATOR, '/api/holds')));
  expect(burst.filter((r) => r.status === 429).length).toBeGreaterThan(20);
  expect(burst.filter((r) => r.status === 200).length).toBeGreaterThan(20);
  await new Promise((r) => setTimeout(r, 2500));
  // A 15σ torque: the CUSUM passes h at once; screw.torque alarms on we1.
  const nc = await connect({ servers: NATS_URL });
  await nc.jetstream().publish(sampleSubject(streamNamesFor(prefix), 'L1', 'screw', 'torque'),
    new TextEncoder().encode(JSON.stringify({ ts: new Date().toISOString(), line: 'L1', station: 'screw', parameter: 'torque', value: 1.5, unit: 'SN-T1' })));
  await nc.close();
  const alarm = await waitFor('the alarm', async () => (await api(OPERATOR, '/api/alarms')).body.find((a: any) => a.characteristic === 'screw.torque'));
  expect(alarm.state).toBe('active-unacknowledged');
  expect((await api(OPERATOR, `/api/alarms/${encodeURIComponent(alarm.id)}/ack`, {})).body.state).toBe('active-acknowledged');
  expect((await api(OPERATOR, `/api/alarms/${encodeURIComponent(alarm.id)}/shelve`, { minutes: 30, reason: 'driver being replaced' })).status).toBe(403);
  expect((await api(QUALITY, `/api/alarms/${encodeURIComponent(alarm.id)}/shelve`, { minutes: 30, reason: '' })).status).toBe(400);
  expect((await api(QUALITY, `/api/alarms/${encodeURIComponent(alarm.id)}/shelve`, { minutes: 30, reason: 'driver being replaced' })).body.state).toBe('shelved');
  const audit = await waitFor('the audit rows', async () => { const rows = (await api(QUALITY, '/api/audit')).body; return rows.some((r: any) => r.action === 'shelve') ? rows : undefined; });
  expect(audit.filter((r: any) => r.target === alarm.id).map((r: any) => [r.action, r.actor])).toEqual([['shelve', 'qm-anna'], ['acknowledge', 'op-17']]);
}, 60_000);

it.skipIf(!hasChromium)('a split characteristic: one chart per product and cavity in the selector, the hold names its split', async () => {
  const page = await login(QUALITY);
  const nc = await connect({ servers: NATS_URL });
  const js = nc.jetstream();
  // rules/molding-line.yaml: by [product, cavity], 20 Phase I points each; then a heavy P-200 part in cavity 2.
  for (let i = 0; i < 21; i++) {
    for (const [product, nominal] of [['P-100', 50], ['P-200', 75]] as const) {
      for (const cavity of ['1', '2']) {
        const value = i === 20 && product === 'P-200' && cavity === '2' ? nominal + 0.6 : nominal + 0.1 * Math.sin(i * 2.1);
        await js.publish(sampleSubject(streamNamesFor(prefix), 'L2', 'molding', 'shot_weight'),
          new TextEncoder().encode(JSON.stringify({ ts: new Date().toISOString(), line: 'L2', station: 'molding', parameter: 'shot_weight', value, unit: `${product}-${cavity}-${i}`, product, attributes: { cavity } })));
      }
    }
  }
  await nc.close();
  const row = 'tr.hold[data-id="molding.shot_weight[product=P-200,cavity=2]#21"]';
  await page.waitForSelector(row);
  await page.waitForFunction("document.querySelectorAll('#characteristic option').length >= 6");
  const options = await page.$$eval('#characteristic option', (o) => o.map((x) => (x as unknown as { value: string }).value));
  // One chart per product and cavity, and the self-starting Q chart per cavity with both products on it.
  expect(options.filter((o) => o.startsWith('molding.')).sort()).toEqual([
    'molding.shot_weight.startup[cavity=1]', 'molding.shot_weight.startup[cavity=2]',
    'molding.shot_weight[product=P-100,cavity=1]', 'molding.shot_weight[product=P-100,cavity=2]', 'molding.shot_weight[product=P-200,cavity=1]', 'molding.shot_weight[product=P-200,cavity=2]',
  ]);
  expect(await page.textContent(row)).toContain('P-200-2-20');
}, 60_000);
