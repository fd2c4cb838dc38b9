import { afterAll, beforeAll, expect, it } from 'vitest';
import { PG_ADMIN_URL } from '../integration/servers.js';
import { hasChromium, login as loginAs, startConsoleRig, type ConsoleRig } from './harness.js';

// An operator screen must never look "all clear" while the worker cannot vouch for it. In real
// headless Chromium against `spc run` on real NATS and PostgreSQL: the genealogy store becomes
// unreachable (the database refuses connections), the heartbeats say unhealthy, and the page shows
// why; when the store is back the warning goes; when `spc run` dies the page says the stream is lost.
// Found after the interlock work: heartbeats carried `healthy: false` and the console ignored them.
const OPERATOR = 'health-operator-token-0123';
const RULES = 'version: 1\ncharacteristics:\n  - { id: torque, match: { parameter: torque }, chart: { type: i-mr }, limits: { center: 1.2, sigma: 0.02 }, rules: [we1], actions: { hold: [we1] } }\n';
let rig: ConsoleRig | undefined;

beforeAll(async () => {
  rig = await startConsoleRig('healthui', RULES, `- { token: ${OPERATOR}, role: operator, name: op-17 }\n`);
}, 60_000);

afterAll(async () => {
  try { await admin(true); } finally { await rig?.close(); }
});

/** Lets the store's database accept connections again (`allow`), or refuses them and ends the open ones. */
async function admin(allow: boolean): Promise<void> {
  if (!rig) return;
  const db = new URL(rig.storeUrl).pathname.slice(1);
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  await c.query(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS ${allow}`);
  if (!allow) await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db]);
  await c.end();
}

it.skipIf(!hasChromium)('the console warns while the worker reports itself unhealthy, clears when it recovers, and says when the stream is lost', async () => {
  const page = await loginAs(rig!.browser!, rig!.port, OPERATOR);
  await page.waitForSelector('#link.dot.on');
  expect(await page.isHidden('#health')).toBe(true);

  await admin(false);
  await page.waitForSelector('#health:has-text("genealogy store unreachable")', { timeout: 20_000 });
  expect(await page.textContent('#health')).toContain('does not vouch for this view');
  expect(await page.getAttribute('#link', 'class')).toBe('dot warn');

  await admin(true);
  await page.waitForSelector('#health', { state: 'hidden', timeout: 20_000 });
  expect(await page.getAttribute('#link', 'class')).toBe('dot on');

  rig!.run.proc.kill('SIGKILL');
  await page.waitForSelector('#health:has-text("signal stream is lost")', { timeout: 10_000 });
  expect(await page.getAttribute('#link', 'class')).toBe('dot off');
}, 60_000);
