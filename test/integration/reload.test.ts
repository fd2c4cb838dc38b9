import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'nats';
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
  const worker = spawn('node', ['dist/src/cli/main.js', 'run', '--rules', rulesDir, '--tokens', join(dir, 'tokens.yaml'), '--ws-port', String(await freePort()), '--nats', NATS_URL, '--no-influx', '--prefix', prefix], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  worker.stderr!.on('data', (d) => { log += d; });
  try {
    await waitFor('spc run to be ready', () => (log.includes('spc run: ready') ? true : undefined));
    writeFileSync(join(rulesDir, 'smt-line.yaml'), original.replace('rules: [we1, we2]', 'rules: [we1, we9]'));
    await waitFor('the refusal', () => (log.includes('rules NOT reloaded') ? true : undefined));
    expect(log).toMatch(new RegExp(`smt-line\\.yaml:\\d+:\\d+ characteristics\\[4\\]\\.rules\\[1\\] must be one of we1\\.\\.we4, nelson1\\.\\.nelson8 \\(got "we9"\\)`));
    writeFileSync(join(rulesDir, 'smt-line.yaml'), original.replace('rules: [we1, we2]', 'rules: [we1, we2, we3]'));
    await waitFor('the reload', () => (log.includes('spc: rules reloaded') ? true : undefined));
    expect(log).toContain('rules reloaded (6 kept, 1 started, 0 removed)');
    expect(worker.exitCode).toBeNull();
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    const nc = await connect({ servers: NATS_URL });
    await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
    await nc.close();
  }
});
