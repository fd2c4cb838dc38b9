import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_UNACKED, SignalServer } from '../../src/adapters/ws/signal-server.js';
import { HoldBook, type PointRecord } from '../../src/core/index.js';
import { waitFor } from './servers.js';

// Re-sending unacknowledged revisions to a PLC (docs/signals.md): what it re-sends, when, and
// what a client that never acknowledges costs the server. Found by a review; each failed before.
const TOKEN = 'plc-L1-token-0123456789';
const book = new HoldBook();
let http: Server; let server: SignalServer; let port = 0;
const point = (characteristic: string, index: number, units: string[], hold = false): PointRecord => ({
  type: 'point', characteristic, index, phase: 'II', ts: '2026-11-25T03:00:00Z', statistic: hold ? 250 : 245, center: 245, ucl: 248, lcl: 242,
  violations: hold ? ['we1'] : [], actions: hold ? ['hold'] : [], units, lots: ['LOT-1'],
});
/** A point through the book, its signals to `to` (the shared server by default). */
const feed = (p: PointRecord, to: SignalServer = server) => { for (const s of book.apply(p, { line: 'L1', station: 'reflow' })) to.broadcast(s); };
const release = (id: string, to: SignalServer = server) => { const r = book.release(id, 'qa', 'fixed', '2026-11-25T04:00:00Z'); if (r) to.broadcast(r); };
/** A signal server over the shared book, for one PLC token of line L1. */
const signalServer = (on: Server) => new SignalServer(on, {
  tokens: [{ token: TOKEN, role: 'plc', lines: ['L1'] }], heartbeatMs: 50, resendMs: 300,
  state: { snapshot: (l) => ({ holds: book.activeHolds(l), alarms: [] }), unitStatus: (u, l) => book.unitStatus(u, l), holdLine: (id) => book.hold(id)?.line, release: () => ({ refused: 'forbidden', message: 'n/a' }) },
});
async function plc(): Promise<{ ws: WebSocket; got: any[] }> {
  const got: any[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  ws.on('message', (d) => got.push(JSON.parse(d.toString())));
  await new Promise((r) => ws.once('open', r));
  await waitFor('the snapshot', () => got.find((m) => m.type === 'snapshot'));
  return { ws, got };
}

beforeAll(async () => {
  http = createServer();
  server = signalServer(http);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  port = (http.address() as { port: number }).port;
});
afterAll(async () => { await server.close(); await new Promise((r) => http.close(r)); });

it('a snapshot\'s hold not acknowledged in time is re-sent as a hold a client can read: its first units in added, with unitCount', async () => {
  feed(point('a', 1, Array.from({ length: 1500 }, (_, i) => `A${i}`), true));
  const c = await plc();
  const again = await waitFor('the re-send', () => c.got.find((m) => m.type === 'hold' && m.resent));
  expect(again).toMatchObject({ id: 'a#1', rev: 1, unitCount: 1500 });
  expect(again.added).toEqual(c.got[0].holds[0].units); // the view's first 1,000 (the rest by paging)
  c.ws.close(); release('a#1');
});

it('an acknowledgement that crosses the hold\'s release is not an error', async () => {
  feed(point('c', 1, ['C1'], true));
  const c = await plc();
  release('c#1');
  c.ws.send(JSON.stringify({ type: 'ack', id: 'c#1', rev: 1 }));
  await waitFor('the release', () => c.got.find((m) => m.type === 'release'));
  await new Promise((r) => setTimeout(r, 150));
  expect(c.got.filter((m) => m.type === 'error')).toEqual([]);
  c.ws.close();
});

it('a revision is re-sent only resendMs after it was itself sent, not with an older one still waiting', async () => {
  feed(point('d', 1, ['D0'], true));
  const c = await plc();
  c.ws.send(JSON.stringify({ type: 'ack', id: 'd#1', rev: 1 }));
  const firstSent = new Map<number, number>();
  const early: number[] = [];
  c.ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    if (m.type !== 'hold') return;
    if (!m.resent) { firstSent.set(m.rev, Date.now()); setTimeout(() => c.ws.send(JSON.stringify({ type: 'ack', id: m.id, rev: m.rev })), 60); } // each acked 60 ms later
    else if (Date.now() - (firstSent.get(m.rev) ?? 0) < 250) early.push(m.rev);
  });
  for (let i = 2; i <= 60; i++) { feed(point('d', i, [`D${i}`])); await new Promise((r) => setTimeout(r, 20)); }
  await new Promise((r) => setTimeout(r, 300));
  expect(early).toEqual([]);
  c.ws.close(); release('d#1');
});

it('a PLC that stops reading for 3 s is not cut off by the server\'s own re-sends piling up behind its unread frames', async () => {
  // Over a Unix socket: its kernel buffer (~200 KB) is small and fixed, so what the PLC does not
  // read stays in the server's own buffer, where the re-sends would pile up. Over TCP on loopback
  // the kernel absorbs megabytes and the test passed with or without the rule it checks.
  const dir = mkdtempSync(join(tmpdir(), 'spc-resend-'));
  const path = join(dir, 'signals.sock');
  const unixHttp = createServer();
  const unixServer = signalServer(unixHttp);
  await new Promise<void>((r) => unixHttp.listen(path, r));
  let ws: WebSocket | undefined;
  try {
    feed(point('e', 1, ['E0'], true), unixServer);
    const got: any[] = [];
    const client = ws = new WebSocket(`ws+unix://${path}:/signals`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    client.on('message', (d) => { const m = JSON.parse(d.toString()); got.push(m); if (m.type === 'hold') client.send(JSON.stringify({ type: 'ack', id: m.id, rev: m.rev })); });
    await new Promise((r) => client.once('open', r));
    await waitFor('the snapshot', () => got.find((m) => m.type === 'snapshot'));
    ws.send(JSON.stringify({ type: 'ack', id: 'e#1', rev: 1 }));
    await new Promise((r) => setTimeout(r, 50));
    const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause(); // busy, a GC pause, the network: the originals alone (~0.6 MB) stay under the 1 MiB bound
    const big = 'X'.repeat(2000);
    for (let i = 2; i <= 300; i++) feed(point('e', i, [`E${i}-${big}`]), unixServer);
    await new Promise((r) => setTimeout(r, 3000)); // past the 2 s a slow reader is given, even counted from the first re-send
    socket.resume();
    await waitFor('every revision read', () => (got.filter((m) => m.type === 'hold' && !m.resent).length >= 299 ? true : undefined), 5000);
    expect(unixServer.slowDisconnects).toBe(0);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  } finally { // also when it fails: the shared book must not keep e#1 for the tests after it
    ws?.close();
    release('e#1', unixServer);
    await unixServer.close(); await new Promise((r) => unixHttp.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

it(`a client that reads but never acknowledges is disconnected past ${MAX_UNACKED} revisions, not kept without bound`, async () => {
  feed(point('b', 1, ['B0'], true));
  const c = await plc();
  const closed = new Promise<void>((r) => c.ws.once('close', () => r()));
  const before = server.slowDisconnects;
  for (let i = 2; i <= MAX_UNACKED + 1; i++) feed(point('b', i, [`B${i}`]));
  await closed; // close 1013 "try again later", then terminated: it reconnects for a snapshot
  expect(server.slowDisconnects).toBe(before + 1);
  expect(server.clientCount).toBe(0);
  release('b#1');
});
