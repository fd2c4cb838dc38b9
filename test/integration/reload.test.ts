import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'nats';
import WebSocket from 'ws';
import { expect, it } from 'vitest';
import { deleteStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freePort, NATS_URL, uniquePrefix, waitFor } from './servers.js';

it('spc run reloads an edited rules folder, and keeps the last good rules when an edit is invalid', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spc-reload-'));
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  const original = readFileSync('rules/smt-line.yaml', 'utf8').replace('../models/smt-l1.onnx', resolve('models/smt-l1.onnx'));
  writeFileSync(join(rulesDir, 'smt-line.yaml'), original);
  writeFileSync(join(dir, 'tokens.yaml'), '- { token: reload-test-token-012345, role: operator }\n');
  const prefix = uniquePrefix('reload');
  const port = await freePort();
  const worker = spawn('node', ['dist/src/cli/main.js', 'run', '--rules', rulesDir, '--tokens', join(dir, 'tokens.yaml'), '--ws-port', String(port), '--nats', NATS_URL, '--no-influx', '--prefix', prefix], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  worker.stderr!.on('data', (d) => { log += d; });
  try {
    await waitFor('spc run to be ready', () => (log.includes('spc run: ready') ? true : undefined));
    writeFileSync(join(rulesDir, 'smt-line.yaml'), original.replace('rules: [we1, we2]', 'rules: [we1, we9]'));
    await waitFor('the refusal', () => (log.includes('rules NOT reloaded') ? true : undefined));
    expect(log).toMatch(new RegExp(`smt-line\\.yaml:\\d+:\\d+ characteristics\\[0\\]\\.rules\\[1\\] must be one of we1\\.\\.we4, nelson1\\.\\.nelson8 \\(got "we9"\\)`));
    writeFileSync(join(rulesDir, 'smt-line.yaml'), original.replace('rules: [we1, we2]', 'rules: [we1, we2, we3]'));
    await waitFor('the reload', () => (log.includes('spc: rules reloaded') ? true : undefined));
    expect(log).toContain('rules reloaded (7 kept, 1 started, 0 removed)');
    expect(worker.exitCode).toBeNull();

    // A large rule file (just under the 1 MB limit, ~5,000 characteristics) is parsed off the
    // main thread: heartbeats keep their pace while it loads.
    const beats: number[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: 'Bearer reload-test-token-012345' } });
    ws.on('message', (d) => { if (JSON.parse(d.toString()).type === 'heartbeat') beats.push(Date.now()); });
    await new Promise((r) => ws.once('open', r));
    const big = ['version: 1', 'characteristics:'];
    for (let i = 0; big.join('\n').length < 1_000_000; i++) big.push(`  - id: big${i}\n    match: { line: L9, station: s${i}, parameter: p }\n    chart: { type: i-mr }\n    limits: { phase1: 25 }\n    rules: [we1, we2, we3, we4]\n    actions: { hold: [we1], alarm: [we2] }`);
    const t0 = Date.now();
    writeFileSync(join(rulesDir, 'big.yaml'), big.join('\n') + '\n');
    await waitFor('the big reload', () => (/rules reloaded \(8 kept, \d{4} started/.test(log) ? true : undefined), 30_000);
    const during = beats.filter((b) => b >= t0);
    const gaps = during.slice(1).map((b, i) => b - during[i]);
    expect(Math.max(...gaps)).toBeLessThan(750);
    // Over the limit: refused with a clear error, the last good rules stay.
    writeFileSync(join(rulesDir, 'big.yaml'), big.join('\n') + '\n' + '#'.repeat(100_000) + '\n');
    await waitFor('the size refusal', () => (/big\.yaml:1:1 is \d+ bytes; rule and tokens files may be at most 1048576 bytes/.test(log) ? true : undefined));
    ws.close();
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    const nc = await connect({ servers: NATS_URL });
    await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
    await nc.close();
  }
});
