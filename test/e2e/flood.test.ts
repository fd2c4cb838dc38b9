import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { NATS_URL } from '../integration/servers.js';
import { hasChromium, login as loginAs, startConsoleRig, type ConsoleRig } from './harness.js';

// An alarm flood on the console, in real headless Chromium against `spc run` on real NATS and
// PostgreSQL: the flood alarm says what is going on, and the repeats flood control suppressed
// are listed (ISA-18.2: suppressed alarms stay visible to those who look).
const OPERATOR = 'flood-operator-token-0123';
const N = 12;
const RULES = `version: 1\ncharacteristics:\n${Array.from({ length: N }, (_, i) =>
  `  - { id: c${i}, match: { parameter: p${i} }, chart: { type: i-mr }, limits: { center: 0, sigma: 1 }, rules: [we1], actions: { alarm: [we1] } }`).join('\n')}\n`;
let rig: ConsoleRig | undefined;

beforeAll(async () => {
  rig = await startConsoleRig('floodui', RULES, `- { token: ${OPERATOR}, role: operator, name: op-17 }\n`);
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

it.skipIf(!hasChromium)('a flood shows its alarm and lists the suppressed repeats on the console', async () => {
  const page = await loginAs(rig!.browser!, rig!.port, OPERATOR);
  const nc = await connect({ servers: NATS_URL });
  const js = nc.jetstream();
  let n = 0;
  const send = async (i: number, value: number) => {
    n++;
    await js.publish(sampleSubject(streamNamesFor(rig!.prefix), 'L1', `s${i}`, `p${i}`), new TextEncoder().encode(JSON.stringify({ ts: new Date(Date.UTC(2026, 11, 1, 9) + n * 1000).toISOString(), line: 'L1', station: `s${i}`, parameter: `p${i}`, value, unit: `U${n}` })));
  };
  for (let i = 0; i <= 10; i++) { await send(i, 5); await send(i, 0); } // the 11th begins a flood
  await send(3, 5); await send(3, 0); await send(3, 5); // c3: its first alarm in the flood goes out, the repeat is suppressed
  await nc.close();

  await page.waitForSelector('li.alarm.flood');
  expect(await page.textContent('li.alarm.flood')).toMatch(/^ALARM FLOOD on L1: 11 new alarms within 10 min; repeat alarms are suppressed until fewer than 5 arrive in that time/);
  await page.waitForSelector('#suppressed li.suppressed');
  expect(await page.isVisible('#suppressed-panel')).toBe(true);
  expect(await page.textContent('#suppressed-count')).toBe('1');
  expect(await page.textContent('#suppressed li.suppressed')).toMatch(/^c3 we1 since /);
  await page.screenshot({ path: join(tmpdir(), 'spc-console-flood.png'), fullPage: true });
}, 60_000);
