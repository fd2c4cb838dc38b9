import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { chromium, type Browser, type Page } from 'playwright-core';
import { deleteStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freePort, freshPostgres, NATS_URL, uniquePrefix, waitFor } from '../integration/servers.js';

// What the console's end-to-end tests share: Debian's Chromium, a logged-in page, `spc run` as a
// process on the real servers, and the JSON API with a token.
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export async function launchChromium(): Promise<Browser | undefined> {
  if (!hasChromium) return undefined;
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
}

/** A fresh browser context on the console, connected with `token`. */
export async function login(browser: Browser, port: number, token: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.fill('#token', token);
  await page.click('#login button');
  await page.waitForSelector('#who:has-text("connected as")');
  return page;
}

/** GET (no body) or POST (a body) to the API as `token`: the status and the JSON answer. */
export function apiAs(port: number, token: string) {
  return async (path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: body ? 'POST' : 'GET', headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: await res.json() };
  };
}

export interface SpcRunProcess { proc: ChildProcess; log(): string }

/** `spc run` (dist build) on the real NATS with these rules, tokens and store, until it says it is ready. */
export async function startSpcRunProcess(o: { rules: string; tokens: string; port: number; prefix: string; store: string }): Promise<SpcRunProcess> {
  let log = '';
  const proc = spawn('node', ['dist/src/cli/main.js', 'run', '--rules', o.rules, '--tokens', o.tokens, '--ws-port', String(o.port), '--nats', NATS_URL, '--no-influx', '--prefix', o.prefix, '--store', o.store], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr!.on('data', (d) => { log += d; });
  await waitFor('spc run to be ready', () => (log.includes('spc run: ready') ? true : undefined));
  return { proc, log: () => log };
}

/** `spc gateway` for line L1 with a plc token and PLC options (--opcua or --sparkplug, --plc-map), until it has its first snapshot. */
export async function startGatewayProcess(port: number, token: string, plcArgs: string[]): Promise<{ proc: ChildProcess; log(): string }> {
  let log = '';
  const proc = spawn('node', ['dist/src/cli/main.js', 'gateway', '--line', 'L1', '--token', token, '--url', `ws://127.0.0.1:${port}/signals`, '--silence-ms', '1000', ...plcArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => { log += d; });
  proc.stderr!.on('data', (d) => { log += d; });
  await waitFor('the gateway to follow the signals', () => (log.includes('snapshot:') ? true : undefined), 30_000);
  return { proc, log: () => log };
}

/** Stops the browser and `spc run`, and deletes the prefix's streams. */
export async function tearDown(browser: Browser | undefined, run: SpcRunProcess | undefined, prefix: string): Promise<void> {
  await browser?.close();
  run?.proc.kill('SIGTERM');
  await new Promise((r) => (run && run.proc.exitCode === null && run.proc.signalCode === null ? run.proc.once('exit', r) : r(undefined)));
  const nc = await connect({ servers: NATS_URL });
  await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
  await nc.close();
}

/** What a console test runs against: `spc run` with its own rules, tokens and fresh PostgreSQL, and Chromium. */
export interface ConsoleRig { port: number; prefix: string; storeUrl: string; run: SpcRunProcess; browser: Browser | undefined; close(): Promise<void> }

/**
 * A folder with `rules` and `tokens` (YAML text), a fresh PostgreSQL database, `spc run` on a free
 * port under a prefix of its own, and Chromium (undefined where it is not installed). `close()`
 * undoes all of it.
 */
export async function startConsoleRig(name: string, rules: string, tokens: string): Promise<ConsoleRig> {
  const dir = mkdtempSync(join(tmpdir(), `spc-${name}-`));
  writeFileSync(join(dir, 'rules.yaml'), rules);
  writeFileSync(join(dir, 'tokens.yaml'), tokens);
  const prefix = uniquePrefix(name);
  const pg = await freshPostgres(name);
  const port = await freePort();
  const run = await startSpcRunProcess({ rules: join(dir, 'rules.yaml'), tokens: join(dir, 'tokens.yaml'), port, prefix, store: pg.url });
  const browser = await launchChromium();
  return { port, prefix, storeUrl: pg.url, run, browser, close: async () => { await tearDown(browser, run, prefix); await pg.drop(); } };
}

