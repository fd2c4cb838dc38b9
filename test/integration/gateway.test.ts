import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { SignalServer } from '../../src/adapters/ws/signal-server.js';
import { HoldBook } from '../../src/core/index.js';
import { waitFor } from './servers.js';

it('spc gateway applies holds, acknowledges them, and holds the line when the stream goes silent', async () => {
  const book = new HoldBook();
  let healthy = true;
  const http = createServer();
  const server = new SignalServer(http, {
    tokens: [{ token: 'gateway-plc-token-0123456789', role: 'plc', lines: ['L1'] }], heartbeatMs: 50, resendMs: 300,
    state: { snapshot: (lines) => ({ holds: book.activeHolds(lines), alarms: [] }), unitStatus: (unit, lines) => book.unitStatus(unit, lines), holdLine: (id) => book.hold(id)?.line, release: () => ({ refused: 'forbidden', message: 'n/a' }), health: () => ({ ok: healthy, problems: healthy ? [] : ['commits stalled: 20 processed messages not committed for 11 s'] }) },
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as { port: number }).port;
  const gw = spawn('node', ['dist/src/cli/main.js', 'gateway', '--line', 'L1', '--token', 'gateway-plc-token-0123456789', '--url', `ws://127.0.0.1:${port}/signals`, '--silence-ms', '300', '--check'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  gw.stdout!.on('data', (d) => { out += d; });
  try {
    await waitFor('the snapshot', () => (out.includes('snapshot: 0 active hold(s)') ? true : undefined));
    const [hold] = book.apply({ type: 'point', characteristic: 'torque', index: 3, phase: 'II', ts: '2026-11-25T03:00:00Z', statistic: 9, center: 0, ucl: 3, lcl: -3, violations: ['we1'], actions: ['hold'], units: ['SN-77'], lots: ['LOT-4'] }, { line: 'L1', station: 'screw' });
    server.broadcast(hold);
    await waitFor('the hold', () => (out.includes('HOLD units SN-77 lots LOT-4') ? true : undefined));
    // The unit-status interlock: units scanned at the next station, one per line.
    gw.stdin!.write('SN-77\nSN-78\n');
    await waitFor('both answers', () => (out.includes('STATUS SN-77: HELD by torque#3') && out.includes('STATUS SN-78: not held') ? true : undefined));
    await new Promise((r) => setTimeout(r, 700)); // longer than resendMs: an acknowledged hold is not re-sent
    expect(out).not.toContain('(re-sent)');
    expect(out).not.toContain('FAIL-SAFE');
    // A worker whose heartbeats say it is sick is as unsafe as a silent one.
    healthy = false;
    await waitFor('the fail-safe on an unhealthy worker', () => (out.includes('FAIL-SAFE: HOLD LINE L1 (worker unhealthy: commits stalled') ? true : undefined), 2000);
    healthy = true;
    await waitFor('the line back', () => (out.includes('worker healthy again') ? true : undefined), 2000);
    await server.close(); // heartbeats stop, the connection drops
    await waitFor('the fail-safe', () => (out.includes('FAIL-SAFE: HOLD LINE L1') ? true : undefined), 5000);
  } finally {
    gw.kill();
    await new Promise((r) => http.close(r));
  }
});

// Found by a review, each failing before: a reconnect's snapshot lifted the fail-safe while the
// worker still said it was unhealthy, a unit checked then was answered "not held", and a hold
// message without `added` (a re-sent snapshot view) crashed the gateway.
const PLC_TOKEN = 'gateway-plc-token-0123456789';
function startGateway(port: number) {
  const p = spawn('node', ['dist/src/cli/main.js', 'gateway', '--line', 'L1', '--token', PLC_TOKEN, '--url', `ws://127.0.0.1:${port}/signals`, '--silence-ms', '300', '--check'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const g = { p, out: '', code: null as number | null };
  p.stdout!.on('data', (d) => { g.out += d; });
  p.on('exit', (c) => { g.code = c; });
  return g;
}

it('spc gateway: a reconnect to a worker still unhealthy keeps the line held, and units checked meanwhile are answered held', async () => {
  const book = new HoldBook();
  let healthy = true;
  const http = createServer();
  const server = new SignalServer(http, {
    tokens: [{ token: PLC_TOKEN, role: 'plc', lines: ['L1'] }], heartbeatMs: 50, resendMs: 300,
    state: { snapshot: (l) => ({ holds: book.activeHolds(l), alarms: [] }), unitStatus: (u, l) => book.unitStatus(u, l), holdLine: (id) => book.hold(id)?.line, release: () => ({ refused: 'forbidden', message: 'n/a' }), health: () => ({ ok: healthy, problems: healthy ? [] : ['genealogy store unreachable'] }) },
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const g = startGateway((http.address() as { port: number }).port);
  try {
    await waitFor('the snapshot', () => (g.out.includes('snapshot: 0') ? true : undefined));
    healthy = false;
    await waitFor('the fail-safe', () => (g.out.includes('FAIL-SAFE: HOLD LINE L1 (worker unhealthy') ? true : undefined), 3000);
    g.p.stdin!.write('SN-1\n'); // scanned while the worker is sick
    await waitFor('the answer', () => (g.out.includes('STATUS SN-1') ? true : undefined), 3000);
    expect(g.out).toMatch(/STATUS SN-1: unknown \(genealogy store unreachable\) — treat as HELD/);
    const before = g.out.length;
    for (const c of (server as unknown as { clients: Set<{ ws: { terminate(): void } }> }).clients) c.ws.terminate(); // the connection drops; still unhealthy
    await waitFor('the reconnect\'s snapshot', () => (g.out.slice(before).includes('snapshot:') ? true : undefined), 5000);
    await new Promise((r) => setTimeout(r, 300));
    expect(g.out.slice(before)).not.toContain('follows signals again');
    healthy = true;
    await waitFor('the line back', () => (g.out.slice(before).includes('follows signals again') ? true : undefined), 3000);
  } finally {
    g.p.kill();
    await server.close();
    await new Promise((r) => http.close(r));
  }
});

it('spc gateway reads a hold message without `added` (a re-sent snapshot view of an older server) instead of crashing', async () => {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, path: '/signals' });
  const view = { id: 'a#1', line: 'L1', station: 's', characteristic: 'a', rule: 'we1', rules: ['we1'], action: 'hold', statistic: 1, center: 0, ucl: 1, lcl: -1, firstIndex: 1, lastIndex: 1, ts: 'x', updated: 'x', rev: 1, unitCount: 1500, units: ['A0'], unitsComplete: false, lots: ['L'] };
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'snapshot', role: 'plc', lines: ['L1'], holds: [view], alarms: [], heartbeatMs: 50, healthy: true, ts: 'x' }));
    setTimeout(() => { ws.send('not json'); ws.send(JSON.stringify({ ...view, type: 'hold', resent: true })); }, 100);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const g = startGateway((http.address() as { port: number }).port);
  try {
    await waitFor('the re-sent view', () => (g.out.includes('HOLD units A0 lots L') ? true : undefined), 3000);
    expect(g.code).toBeNull();
  } finally {
    g.p.kill();
    wss.close();
    await new Promise((r) => http.close(r));
  }
});
