import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freePort, freshPostgres, NATS_URL, uniquePrefix } from '../integration/servers.js';
import { hasChromium, launchChromium, login as loginAs, startSpcRunProcess, tearDown, type SpcRunProcess } from './harness.js';

// An alarm flood on the console, in real headless Chromium against `spc run` on real NATS and
// PostgreSQL: the flood alarm says what is going on, and the repeats flood control suppressed
// are listed (ISA-18.2: suppressed alarms stay visible to those who look).
const OPERATOR = 'flood-operator-token-0123';
const N = 12;
const RULES = `version: 1\ncharacteristics:\n${Array.from({ length: N }, (_, i) =>
  `  - { id: c${i}, match: { parameter: p${i} }, chart: { type: i-mr }, limits: { center: 0, sigma: 1 }, rules: [we1], actions: { alarm: [we1] } }`).join('\n')}\n`;
const prefix = uniquePrefix('floodui');
let run: SpcRunProcess | undefined;
let browser: Browser | undefined;
let port = 0;
let pg: Awaited<ReturnType<typeof freshPostgres>>;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spc-flood-'));
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${OPERATOR}, role: operator, name: op-17 }\n`);
  pg = await freshPostgres('floodui');
  port = await freePort();
  run = await startSpcRunProcess({ rules: join(dir, 'rules.yaml'), tokens: join(dir, 'tokens.yaml'), port, prefix, store: pg.url });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await tearDown(browser, run, prefix);
  await pg?.drop();
});

it.skipIf(!hasChromium)('a flood shows its alarm and lists the suppressed repeats on the console', async () => {
  const page = await loginAs(browser!, port, OPERATOR);
  const nc = await connect({ servers: NATS_URL });
  const js = nc.jetstream();
  let n = 0;
  const send = async (i: number, value: number) => {
    n++;
    await js.publish(sampleSubject(streamNamesFor(prefix), 'L1', `s${i}`, `p${i}`), new TextEncoder().encode(JSON.stringify({ ts: new Date(Date.UTC(2026, 11, 1, 9) + n * 1000).toISOString(), line: 'L1', station: `s${i}`, parameter: `p${i}`, value, unit: `U${n}` })));
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
