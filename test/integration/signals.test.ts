import { createServer, type Server } from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalServer } from '../../src/adapters/ws/signal-server.js';
import type { TokenEntry } from '../../src/auth/tokens.js';
import { HoldBook, type PointRecord } from '../../src/core/index.js';
import { waitFor } from './servers.js';

// The signal protocol of docs/signals.md over a real socket, with the real HoldBook behind it.
const tokens: TokenEntry[] = [
  { token: 'plc-L1-token-0123456789', role: 'plc', name: 'gw-L1', lines: ['L1'] },
  { token: 'operator-token-0123456789', role: 'operator', name: 'op-17' },
  { token: 'quality-token-0123456789', role: 'quality', name: 'qm-anna' },
];
const book = new HoldBook();
let http: Server;
let server: SignalServer;
let port = 0;

const point = (index: number, line: string): PointRecord => ({
  type: 'point', characteristic: `${line}.peak`, index, phase: 'II', ts: '2026-11-25T03:00:00Z', statistic: 250, center: 245, ucl: 248, lcl: 242,
  violations: ['we1'], actions: ['hold'], units: [`${line}-SN${index}`], lots: ['LOT-1'],
});
function raise(index: number, line: string) { for (const s of book.apply(point(index, line), { line, station: 'reflow' })) server.broadcast(s); }

function connectAs(token: string, query = false): Promise<{ ws: WebSocket; got: any[] }> {
  return new Promise((resolve, reject) => {
    const got: any[] = [];
    const ws = query
      ? new WebSocket(`ws://127.0.0.1:${port}/signals?token=${token}`)
      : new WebSocket(`ws://127.0.0.1:${port}/signals`, { headers: { Authorization: `Bearer ${token}` } });
    ws.on('message', (d) => got.push(JSON.parse(d.toString())));
    ws.on('open', () => resolve({ ws, got }));
    ws.on('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}
const of = (got: any[], type: string) => got.filter((m) => m.type === type);

beforeAll(async () => {
  http = createServer();
  server = new SignalServer(http, {
    tokens, heartbeatMs: 50, resendMs: 200,
    state: {
      snapshot: (lines) => ({ holds: book.activeHolds(lines), alarms: book.activeAlarms(lines) }),
      unitStatus: (unit, lines) => book.unitStatus(unit, lines),
      holdLine: (id) => book.hold(id)?.line,
      release: (id, actor, { reason }) => {
        if (actor.role !== 'quality') return { refused: 'forbidden', message: `releasing a hold needs the quality role (this token is ${actor.role})` };
        const r = book.release(id, actor.name, reason ?? "", new Date().toISOString());
        if (!r) return { refused: 'not-found', message: `no active hold ${id}` };
        server.broadcast(r);
        return r;
      },
    },
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  port = (http.address() as { port: number }).port;
});
afterAll(async () => { await server.close(); await new Promise((r) => http.close(r)); });

describe('signal server', () => {
  it('refuses missing and wrong tokens at the handshake, accepts ?token=', async () => {
    await expect(connectAs('nope')).rejects.toThrow('HTTP 401');
    const ok = await connectAs('operator-token-0123456789', true);
    await waitFor('snapshot', () => (ok.got[0]?.type === 'snapshot' ? true : undefined));
    ok.ws.close();
  });

  it('first sends a snapshot of active holds in scope, then heartbeats with a growing sequence', async () => {
    raise(1, 'L1');
    raise(1, 'L2');
    const plc = await connectAs('plc-L1-token-0123456789');
    await waitFor('two heartbeats', () => (of(plc.got, 'heartbeat').length >= 2 ? true : undefined));
    expect(plc.got[0]).toMatchObject({ type: 'snapshot', role: 'plc', lines: ['L1'] });
    expect(plc.got[0].holds.map((h: any) => h.id)).toEqual(['L1.peak#1']); // L2 is out of this token's scope
    const [a, b] = of(plc.got, 'heartbeat');
    expect(b.seq).toBeGreaterThan(a.seq);
    plc.ws.close();
  });

  it('re-sends a hold until the PLC acknowledges it', async () => {
    const plc = await connectAs('plc-L1-token-0123456789');
    await waitFor('snapshot', () => (plc.got[0]?.type === 'snapshot' ? true : undefined));
    for (const h of plc.got[0].holds) plc.ws.send(JSON.stringify({ type: 'ack', id: h.id }));
    raise(5, 'L1b'); // another line: not for this client
    book.release('L1.peak#1', 'test', 'reset', 'x');
    raise(7, 'L1');
    await waitFor('a re-send', () => (of(plc.got, 'hold').some((m) => m.resent) ? true : undefined), 3000);
    const sent = of(plc.got, 'hold');
    expect(sent.every((m) => m.id === 'L1.peak#7' && m.units.includes('L1-SN7'))).toBe(true);
    plc.ws.send(JSON.stringify({ type: 'ack', id: 'L1.peak#7' }));
    await new Promise((r) => setTimeout(r, 150));
    const count = of(plc.got, 'hold').length;
    await new Promise((r) => setTimeout(r, 500));
    expect(of(plc.got, 'hold').length).toBe(count); // no more re-sends after the ack
    plc.ws.close();
  });

  it('protocol v2: revisions acknowledged by rev; unacknowledged revisions re-sent in order, each unit named once', async () => {
    const plc = await connectAs('plc-L1-token-0123456789');
    await waitFor('snapshot', () => (plc.got[0]?.type === 'snapshot' ? true : undefined));
    for (const h of plc.got[0].holds) plc.ws.send(JSON.stringify({ type: 'ack', id: h.id, rev: h.rev }));
    // The latched hold L1.peak#7 grows by a unit per point: revisions 2, 3, 4.
    for (const i of [8, 9, 10]) for (const s of book.apply({ ...point(i, 'L1'), violations: [], actions: [] }, { line: 'L1', station: 'reflow' })) server.broadcast(s);
    await waitFor('three revisions', () => (of(plc.got, 'hold').filter((m) => !m.resent).length >= 3 ? true : undefined));
    const revs = of(plc.got, 'hold').filter((m) => !m.resent);
    expect(revs.map((m) => [m.rev, m.added, m.unitCount])).toEqual([[2, ['L1-SN8'], 2], [3, ['L1-SN9'], 3], [4, ['L1-SN10'], 4]]);
    expect(revs.every((m) => m.units === undefined)).toBe(true); // later revisions do not repeat units
    plc.ws.send(JSON.stringify({ type: 'ack', id: 'L1.peak#7', rev: 3 })); // revs 2 and 3 applied, 4 not yet
    await new Promise((r) => setTimeout(r, 50));
    const before = of(plc.got, 'hold').length;
    await waitFor('a re-send of rev 4', () => (of(plc.got, 'hold').slice(before).some((m) => m.resent) ? true : undefined), 3000);
    expect(of(plc.got, 'hold').slice(before).map((m) => m.rev)).toEqual([4]);
    plc.ws.send(JSON.stringify({ type: 'ack', id: 'L1.peak#7', rev: 4 }));
    await new Promise((r) => setTimeout(r, 150));
    const count = of(plc.got, 'hold').length;
    await new Promise((r) => setTimeout(r, 500));
    expect(of(plc.got, 'hold').length).toBe(count);
    // A reconnect's snapshot gives the hold's unit count and its units.
    const again = await connectAs('plc-L1-token-0123456789');
    await waitFor('snapshot', () => (again.got[0]?.type === 'snapshot' ? true : undefined));
    expect(again.got[0].holds.find((h: any) => h.id === 'L1.peak#7')).toMatchObject({ rev: 4, unitCount: 4, units: ['L1-SN7', 'L1-SN8', 'L1-SN9', 'L1-SN10'], unitsComplete: true });
    again.ws.close();
    plc.ws.close();
  });

  it('unit-status interlock over the WebSocket: held or not, by which holds, within the token\'s lines', async () => {
    const plc = await connectAs('plc-L1-token-0123456789');
    await waitFor('snapshot', () => (plc.got[0]?.type === 'snapshot' ? true : undefined));
    plc.ws.send(JSON.stringify({ type: 'check', unit: 'L1-SN9', ref: 42 }));
    plc.ws.send(JSON.stringify({ type: 'check', unit: 'L1-SN999', ref: 'x' }));
    plc.ws.send(JSON.stringify({ type: 'check', unit: 'L2-SN1', ref: 'other line' }));
    await waitFor('three answers', () => (of(plc.got, 'status').length === 3 ? true : undefined));
    expect(of(plc.got, 'status')).toEqual([
      { type: 'status', ref: 42, unit: 'L1-SN9', held: true, holds: ['L1.peak#7'] },
      { type: 'status', ref: 'x', unit: 'L1-SN999', held: false, holds: [] },
      { type: 'status', ref: 'other line', unit: 'L2-SN1', held: false, holds: [] }, // held on L2, which this token may not see
    ]);
    plc.ws.close();
  });

  it('lets only the quality role release a hold, with a reason, and tells everyone in scope', async () => {
    const op = await connectAs('operator-token-0123456789');
    const qm = await connectAs('quality-token-0123456789');
    await waitFor('snapshots', () => (op.got[0] && qm.got[0] ? true : undefined));
    op.ws.send(JSON.stringify({ type: 'release', id: 'L1.peak#7', reason: 'looks fine' }));
    await waitFor('the refusal', () => (of(op.got, 'error').length ? true : undefined));
    expect(of(op.got, 'error')[0]).toMatchObject({ code: 'forbidden', id: 'L1.peak#7' });
    qm.ws.send(JSON.stringify({ type: 'release', id: 'L1.peak#7', reason: '' }));
    await waitFor('bad release refused', () => (of(qm.got, 'error').length ? true : undefined));
    expect(of(qm.got, 'error')[0].code).toBe('bad-message');
    qm.ws.send(JSON.stringify({ type: 'release', id: 'L1.peak#7', reason: 'oven profile corrected, units re-inspected' }));
    await waitFor('the release', () => (of(op.got, 'release').length ? true : undefined));
    expect(of(op.got, 'release')[0]).toMatchObject({ id: 'L1.peak#7', by: 'qm-anna', reason: 'oven profile corrected, units re-inspected', unitCount: 4 });
    expect(book.activeHolds(['L1'])).toEqual([]);
    op.ws.close(); qm.ws.close();
  });

  it('refuses a subscription to lines outside the token, and unknown messages', async () => {
    const plc = await connectAs('plc-L1-token-0123456789');
    plc.ws.send(JSON.stringify({ type: 'subscribe', lines: ['L2'] }));
    plc.ws.send('not json');
    await waitFor('two errors', () => (of(plc.got, 'error').length >= 2 ? true : undefined));
    expect(of(plc.got, 'error').map((e) => e.code)).toEqual(['forbidden', 'bad-message']);
    plc.ws.close();
  });
});
