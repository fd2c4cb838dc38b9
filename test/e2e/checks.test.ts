import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../integration/servers.js';
import { apiAs, hasChromium, login as loginAs, startConsoleRig, type ConsoleRig } from './harness.js';

// Scheduled manual checks end to end, in real headless Chromium against `spc run` on real NATS
// and PostgreSQL: a check not done in time raises an overdue alarm; an operator enters it on the
// console; the entries go through the stream and the pipeline like a station's samples, and one
// out of limits raises a hold; the on-time rate counts it as late.
const OPERATOR = 'checks-operator-token-0123';
const RULES = `version: 1
characteristics:
  - id: screw.torque
    match: { line: L1, station: screw, parameter: torque }
    chart: { type: i-mr }
    limits: { center: 1.2, sigma: 0.02 }
    rules: [nelson1]
    actions: { hold: [nelson1] }
checks:
  - id: torque-audit
    characteristic: screw.torque
    every: 3s
    grace: 1s
    sampleSize: 2
    gauge: TW-12 torque wrench
    instructions: Measure two screws of the latest board with the torque wrench
    plausible: { min: 0.5, max: 2 }
`;
let rig: ConsoleRig | undefined;

beforeAll(async () => {
  rig = await startConsoleRig('checks', RULES, `- { token: ${OPERATOR}, role: operator, name: op-17 }\n`);
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

const api = (path: string, body?: unknown) => apiAs(rig!.port, OPERATOR)(path, body);
const login = () => loginAs(rig!.browser!, rig!.port, OPERATOR);

it('entries are validated with the field to fix', async () => {
  expect((await api('/api/checks', { check: 'torque-audit', entries: [{ unit: 'SN-1', value: 1.2 }] })).body).toMatchObject({ field: 'entries', error: expect.stringContaining('measures 2 unit(s)') });
  expect((await api('/api/checks', { check: 'torque-audit', entries: [{ unit: 'SN-1', value: 12 }, { unit: 'SN-2', value: 1.2 }] })).body).toMatchObject({ field: 'entries[0].value', error: expect.stringContaining('plausible range 0.5 … 2') });
  expect((await api('/api/checks', { check: 'torque-audit', entries: [{ unit: 'SN-1', value: 'abc' }, { unit: 'SN-2', value: 1.2 }] })).body).toMatchObject({ field: 'entries[0].value' });
  expect((await api('/api/checks', { check: 'nope', entries: [{ unit: 'SN-1', value: 1.2 }] })).status).toBe(404);
});

it.skipIf(!hasChromium)('a missed check raises an overdue alarm; the entered check clears it, and its out-of-limits value raises a hold', async () => {
  const page = await login();
  await page.waitForSelector('#checks .check[data-id="torque-audit"]');
  expect(await page.textContent('#checks .check')).toContain('Measure two screws of the latest board with the torque wrench [TW-12 torque wrench]');
  // Due after 3 s, overdue 1 s later: the alarm comes through the alarm lifecycle.
  await page.waitForSelector('li.alarm:has-text("overdue")', { timeout: 15_000 });
  const [alarm] = (await api('/api/alarms')).body;
  expect(alarm).toMatchObject({ characteristic: 'screw.torque', station: 'screw', state: 'active-unacknowledged' });
  await page.waitForSelector('#checks .check.overdue');

  // The operator scans two screws and types their torques; 1.5 is 15σ above the center.
  await page.fill('#checks .check[data-id="torque-audit"] input[name=unit0]', 'SN-0001');
  await page.fill('#checks .check[data-id="torque-audit"] input[name=value0]', '1.21');
  await page.fill('#checks .check[data-id="torque-audit"] input[name=unit1]', 'SN-0002');
  await page.fill('#checks .check[data-id="torque-audit"] input[name=value1]', '1.5');
  await page.click('#checks .check[data-id="torque-audit"] button');
  await page.waitForSelector('#toast.show:has-text("entered (late)")');
  // Through the stream and the pipeline: a hold naming the unit, on the page; the overdue alarm clears.
  await page.waitForSelector('tr.hold:has-text("SN-0002")');
  await page.waitForSelector('li.alarm:has-text("overdue")', { state: 'detached' });
  const holds = (await api('/api/holds')).body;
  expect(holds.map((h: any) => [h.characteristic, h.rule, h.units])).toEqual([['screw.torque', 'nelson1', ['SN-0002']]]);
  const trace = await waitFor('the stored entry', async () => { const r = await api('/api/trace/unit/SN-0002'); return r.body.samples?.length ? r.body : undefined; });
  expect(trace.samples[0]).toMatchObject({ station: 'screw', parameter: 'torque', value: 1.5, operator: 'op-17', equipment: 'TW-12 torque wrench' });
  // Late, so the station's on-time rate is 0 of 1 (from the audit trail).
  const onTime = await waitFor('the on-time rate', async () => { const r = (await api('/api/checks/on-time')).body; return r.length ? r : undefined; });
  expect(onTime).toEqual([{ line: 'L1', station: 'screw', done: 1, onTime: 0, rate: 0 }]);
  await page.screenshot({ path: join(tmpdir(), 'spc-console-checks.png'), fullPage: true });
}, 60_000);
