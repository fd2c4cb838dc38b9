import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'nats';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/anomaly/card.js';
import { exportOnnx } from '../../src/anomaly/onnx-export.js';
import { trainModel } from '../../src/anomaly/train.js';
import { deleteStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freePort, NATS_URL, uniquePrefix, waitFor } from './servers.js';

const CLI = 'dist/src/cli/main.js';
const TOKEN = 'anomaly-operator-token-0123';
const dir = mkdtempSync(join(tmpdir(), 'spc-anomaly-'));
writeFileSync(join(dir, 'tokens.yaml'), `- { token: ${TOKEN}, role: operator }\n`);

describe('multivariate scoring in spc run', () => {
  const prefix = uniquePrefix('anom');
  let worker: ChildProcess;
  let port = 0;
  let log = '';
  beforeAll(async () => {
    port = await freePort();
    worker = spawn('node', [CLI, 'run', '--rules', 'rules/smt-line.yaml', '--tokens', join(dir, 'tokens.yaml'), '--ws-port', String(port), '--nats', NATS_URL, '--no-influx', '--prefix', prefix, '--alarm-flood', 'off'], { stdio: ['ignore', 'ignore', 'pipe'] });
    worker.stderr!.on('data', (d) => { log += d; });
    await waitFor('spc run to be ready', () => (log.includes('spc run: ready') ? true : undefined));
  });
  afterAll(async () => {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    const nc = await connect({ servers: NATS_URL });
    await deleteStreams(await nc.jetstreamManager(), streamNamesFor(prefix));
    await nc.close();
  });

  it('flags the units of a correlation break that no univariate rule sees, and stays quiet before it', async () => {
    const got: any[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    ws.on('message', (d) => got.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    const sim = spawnSync('node', [CLI, 'simulate', '--nats', NATS_URL, '--prefix', prefix, '--rate', '6000', '--units', '3000', '--fault', 'correlation', '--at', '1s', '--seed', '9'], { encoding: 'utf8' });
    expect(sim.status, sim.stderr).toBe(0);
    const faultUnit = Number(/from unit (\d+)/.exec(sim.stderr)![1]);
    const health = async () => (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as any;
    await waitFor('every board scored', async () => ((await health()).counters.anomalyScored === 3000 ? true : undefined));
    const flaggedUnits = new Set<number>();
    const collect = () => { for (const m of got) if (m.type === 'alarm' && m.characteristic === 'smt-l1.multivariate') for (const u of m.added) flaggedUnits.add(Number(u.slice(-7))); };
    const flagged = (await health()).counters.anomalyFlagged;
    await waitFor('every alarm on the socket', () => { collect(); return flaggedUnits.size >= flagged ? true : undefined; }, 5000);
    ws.close();
    const before = [...flaggedUnits].filter((u) => u < faultUnit).length / (faultUnit - 1);
    const after = [...flaggedUnits].filter((u) => u >= faultUnit).length / (3000 - faultUnit + 1);
    expect(before).toBeLessThan(0.02);            // calibrated for 1/370 per board
    expect(after).toBeGreaterThan(0.1);           // the break shows on many boards
    expect(after / Math.max(before, 1 / 3000)).toBeGreaterThan(10);
    const alarm = got.find((m) => m.type === 'alarm' && m.characteristic === 'smt-l1.multivariate' && Number(m.added[0].slice(-7)) >= faultUnit);
    expect(alarm).toMatchObject({ rule: 'anomaly', line: 'L1', action: 'alarm' });
    expect(alarm.statistic).toBeGreaterThan(alarm.ucl);
    // The contributions point at the two features whose relation broke.
    expect(alarm.topFeatures.slice(0, 2).map((f: any) => f.feature).sort()).toEqual(['reflow.peak_temp', 'reflow.tal']);
    expect(flagged).toBe(flaggedUnits.size);
  });
});

describe('model errors are startup errors naming the file', () => {
  function rulesWith(model: string): string {
    const path = join(dir, `rules-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(path, readFileSync('rules/smt-line.yaml', 'utf8').replace('../models/smt-l1.onnx', model));
    return path;
  }
  it('a missing model fails the rule check at its line', () => {
    const rules = rulesWith('nope.onnx');
    const r = spawnSync('node', [CLI, 'rules', 'check', rules], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${rules.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:12 anomaly\\[0\\]\\.model model file not found: .*nope\\.onnx`));
  });
  it('a model that does not match its card (corrupt or replaced) stops spc run', () => {
    copyFileSync('models/smt-l1.card.json', join(dir, 'broken.card.json'));
    writeFileSync(join(dir, 'broken.onnx'), Buffer.from('not a model'));
    const r = spawnSync('node', [CLI, 'run', '--rules', rulesWith(resolve(dir, 'broken.onnx')), '--tokens', join(dir, 'tokens.yaml'), '--no-influx', '--nats', NATS_URL], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`anomaly model ${resolve(dir, 'broken.onnx')} does not match its card`);
  });
  it('a model whose input width differs from its card stops spc run', () => {
    const trained = trainModel(['a.x', 'a.y'], Array.from({ length: 200 }, (_, i) => [Math.sin(i), Math.cos(i * 1.7)]), { kind: 'mahalanobis' });
    const bytes = exportOnnx(trained.model, 'two', '0');
    const card = JSON.parse(readFileSync('models/smt-l1.card.json', 'utf8'));
    card.onnx.sha256 = sha256(bytes);
    writeFileSync(join(dir, 'narrow.onnx'), bytes);
    writeFileSync(join(dir, 'narrow.card.json'), JSON.stringify(card));
    const r = spawnSync('node', [CLI, 'run', '--rules', rulesWith(resolve(dir, 'narrow.onnx')), '--tokens', join(dir, 'tokens.yaml'), '--no-influx', '--nats', NATS_URL], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`anomaly model ${resolve(dir, 'narrow.onnx')} could not be loaded`);
  });
});

describe('ONNX checker', () => {
  const hasOnnx = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasOnnx)('Debian python3-onnx accepts the shipped model and a PCA export (onnx.checker, full check)', () => {
    const pca = trainModel(['a.x', 'a.y', 'a.z'], Array.from({ length: 300 }, (_, i) => [Math.sin(i), Math.cos(i * 1.3), Math.sin(i * 0.7) + Math.cos(i)]), { kind: 'pca' });
    writeFileSync(join(dir, 'pca.onnx'), exportOnnx(pca.model, 'pca', '0'));
    for (const f of ['models/smt-l1.onnx', join(dir, 'pca.onnx')]) {
      const r = spawnSync('/usr/bin/python3', ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print("ok")', f], { encoding: 'utf8' });
      expect(r.stdout.trim(), r.stderr).toBe('ok');
    }
  });
});
