import { createServer, type Server } from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalServer } from '../../src/adapters/ws/signal-server.js';
import type { TokenEntry } from '../../src/auth/tokens.js';
import { startService, type RunningService } from '../../src/cli/service.js';
import { HoldBook, type PointRecord } from '../../src/core/index.js';
import { InProcessTransport } from '../../src/service/in-process-transport.js';
import { waitFor } from './servers.js';

// Budgets and back-pressure: failed authentication cannot lock out a valid token behind the same
// address, each token has its own budget, WebSocket upgrades are limited and capped per token,
// and a reader that stops reading is disconnected instead of growing the server's memory.
const tokens: TokenEntry[] = [
  { token: 'limits-quality-0123456789', role: 'quality', name: 'qa' },
  { token: 'limits-operator-0123456789', role: 'operator', name: 'op' },
  { token: 'limits-plc-0123456789', role: 'plc', name: 'plc' },
];
const [Q, OP, PLC] = tokens.map((t) => t.token);

describe('rate limits and connection caps', () => {
  let service: RunningService;
  let base = '';
  beforeAll(async () => {
    service = await startService({
      rulesPath: 'rules', rules: { version: 1, characteristics: [] }, tokens, transport: new InProcessTransport(), anomalies: [], unknown: 'count',
      flood: { maxAlarms: 10, windowMs: 1000 }, heartbeatMs: 250, host: '127.0.0.1', port: 0, log: () => {}, connectionsPerToken: 3,
    });
    base = `http://127.0.0.1:${service.port}`;
  });
  afterAll(async () => { await service.close(); });
  const get = (token: string | undefined, path = '/api/holds') => fetch(base + path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const upgrade = (token: string) => new Promise<number | 'open'>((resolve) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/signals`, { headers: { Authorization: `Bearer ${token}` } });
    ws.on('open', () => resolve('open'));
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode!));
    ws.on('error', () => undefined);
  });

  it('60 requests with bad tokens get 429 after a few, and never lock out a valid token from the same address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 60; i++) codes.push((await get(`wrong-token-${i}`)).status);
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(40);
    expect((await get(Q)).status).toBe(200);
    // WebSocket upgrades with bad tokens count against the same budget.
    expect(await upgrade('still-wrong-0123456789')).toBe(429);
  });

  it('each token has its own budget after authentication', async () => {
    const codes = await Promise.all(Array.from({ length: 80 }, () => get(OP).then((r) => r.status)));
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(20);
    expect((await get(Q)).status).toBe(200);
    const r = await get(OP);
    if (r.status === 429) expect(r.headers.get('retry-after')).toBe('1');
  });

  it('WebSocket connections are capped per token', async () => {
    const opened = [await upgrade(PLC), await upgrade(PLC), await upgrade(PLC)];
    expect(opened).toEqual(['open', 'open', 'open']);
    expect(await upgrade(PLC)).toBe(429);
  });

  it('/healthz is limited per address too', async () => {
    const codes = await Promise.all(Array.from({ length: 120 }, () => fetch(`${base}/healthz`).then((r) => r.status)));
    expect(codes).toContain(429);
  });
});

describe('slow readers', () => {
  const book = new HoldBook();
  let http: Server;
  let server: SignalServer;
  let port = 0;
  beforeAll(async () => {
    http = createServer();
    server = new SignalServer(http, { tokens, heartbeatMs: 100, state: { snapshot: () => ({ holds: [], alarms: [] }), holdLine: () => undefined, release: () => ({ refused: 'forbidden', message: 'n/a' }) } });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    port = (http.address() as { port: number }).port;
  });
  afterAll(async () => { await server.close(); await new Promise((r) => http.close(r)); });

  const client = async (token: string, read: boolean) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: `Bearer ${token}` } });
    let closed: number | undefined;
    let received = 0;
    ws.on('close', (code) => { closed = code; });
    ws.on('message', () => { received++; });
    await new Promise((r) => ws.once('open', r));
    // A reader that stops reading: its TCP window fills and the server's buffer grows.
    if (!read) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    return { ws, closed: () => closed, received: () => received };
  };

  it('a screen and a PLC that stop reading are disconnected, a reader that keeps up is not', async () => {
    const stalledScreen = await client(OP, false);
    const stalledPlc = await client(PLC, false);
    const reader = await client(Q, true);
    for (let burst = 0; burst < 30; burst++) {
      for (let i = 0; i < 200; i++) {
        // 200 new units per point: each revision names them all (a fast line with a latched hold).
        const units = Array.from({ length: 200 }, (_, k) => `SN-${burst}-${i}-${k}`);
        const p: PointRecord = { type: 'point', characteristic: `c${i}`, index: burst + 1, phase: 'II', ts: '2026-11-25T03:00:00Z', statistic: 9, center: 0, ucl: 3, lcl: -3, violations: ['we1'], actions: ['hold'], units, lots: ['LOT-1'] };
        for (const s of book.apply(p, { line: 'L1', station: 's' })) server.broadcast(s);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // A paused client cannot read its close frame: the server's side tells.
    await waitFor('the stalled clients disconnected', () => (server.slowDisconnects >= 2 ? true : undefined), 10_000, 50);
    expect(server.slowDisconnects).toBe(2);
    expect(server.clientCount).toBe(1);
    expect(reader.closed()).toBeUndefined();
    stalledScreen.ws.terminate(); stalledPlc.ws.terminate();
    expect(reader.received()).toBeGreaterThan(6000);
    reader.ws.close();
  });
});
