import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';

it('spc demo catches a fault and raises a hold within a minute, with nothing installed but Node', async () => {
  const demo = spawn('node', ['dist/src/cli/main.js', 'demo', '--port', '0', '--at', '4s', '--duration', '25s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  demo.stdout!.on('data', (d) => { out += d; });
  let page = '';
  let holds: any[] = [];
  const poll = setInterval(async () => {
    const m = /console:\s+(http:\/\/[^#\s]+)#token=(\S+)/.exec(out);
    if (!m) return;
    try {
      page ||= await (await fetch(m[1])).text();
      holds = await (await fetch(`${m[1]}api/holds`, { headers: { Authorization: `Bearer ${m[2]}` } })).json() as any[];
    } catch { /* finished */ }
  }, 1000);
  const code = await new Promise((r) => demo.once('exit', r));
  clearInterval(poll);
  expect(code).toBe(0);
  expect(out).toMatch(/✔ HOLD reflow\.peak_temp#\d+: reflow\.peak_temp \w+ on L1\/reflow/);
  expect(out).toContain('the fault was caught');
  expect(page).toContain('<title>spc-guard console</title>');
  expect(holds.some((h) => h.characteristic === 'reflow.peak_temp' && h.units.length > 0)).toBe(true);
  // The store lives on disk in a temporary folder (memory stays flat), removed at exit.
  const folder = /store PGlite in (\S+), removed at exit/.exec(out)?.[1];
  expect(folder).toBeDefined();
  expect(existsSync(folder!)).toBe(false);
}, 60_000);
