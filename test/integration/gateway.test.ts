import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { expect, it } from 'vitest';
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
