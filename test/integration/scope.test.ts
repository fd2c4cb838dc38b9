import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenealogyStore } from '../../src/adapters/store/genealogy.js';
import { openSql } from '../../src/adapters/store/sql.js';
import type { TokenEntry } from '../../src/auth/tokens.js';
import { startService, type RunningService } from '../../src/cli/service.js';
import type { CharacteristicConfig } from '../../src/core/index.js';
import { InProcessTransport } from '../../src/service/in-process-transport.js';
import { freshPostgres, waitFor } from './servers.js';

// The scope matrix: every API route and WebSocket action × role × a target on the token's line
// (L1) or on another (L2). Refusals must answer 403 with a reason and change nothing (holds,
// alarms, causes, audit); allowed actions answer 200.
const tokens: TokenEntry[] = [
  { token: 'scope-quality-L1-0123456789', role: 'quality', name: 'qa-L1', lines: ['L1'] },
  { token: 'scope-operator-L1-0123456789', role: 'operator', name: 'op-L1', lines: ['L1'] },
  { token: 'scope-plc-L1-0123456789', role: 'plc', name: 'plc-L1', lines: ['L1'] },
  { token: 'scope-quality-all-0123456789', role: 'quality', name: 'qa-all' },
];
const [Q, OP, PLC, QALL] = tokens.map((t) => t.token);
const characteristic = (line: string, station: string, action: 'hold' | 'alarm'): CharacteristicConfig => ({
  id: `${line}.${station}`, match: { line, station, parameter: 'p' }, chart: { type: 'i-mr' }, limits: { center: 10, sigma: 1 }, rules: ['nelson1'], actions: { [action]: ['nelson1'] },
});
const rules = { version: 1 as const, characteristics: [characteristic('L1', 'h', 'hold'), characteristic('L1', 'a1', 'alarm'), characteristic('L1', 'a2', 'alarm'), characteristic('L1', 'a3', 'alarm'), characteristic('L2', 'h', 'hold'), characteristic('L2', 'a1', 'alarm')] };

let service: RunningService;
let store: GenealogyStore;
let drop: () => Promise<void>;
let base = '';
const call = async (token: string, method: string, path: string, body?: unknown) => {
  const r = await fetch(base + path, { method, headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() as any };
};
/** What a refusal must leave as it was. */
const stateNow = async () => JSON.stringify({
  holds: service.worker.holds.activeHolds().map((h) => h.id).sort(),
  alarms: service.worker.alarms.open().map((a) => `${a.id}:${a.state}`).sort(),
  causes: await store.db.query("SELECT id, assignable_cause FROM holds WHERE assignable_cause IS NOT NULL ORDER BY id"),
  audit: (await store.db.query<{ n: string }>('SELECT count(*) AS n FROM audit'))[0].n,
});

beforeAll(async () => {
  const db = await freshPostgres('scope'); drop = db.drop;
  store = new GenealogyStore(await openSql(db.url));
  const transport = new InProcessTransport();
  service = await startService({
    rulesPath: 'rules', rules, tokens, transport, anomalies: [], store, unknown: 'count', flood: { maxAlarms: 1000, windowMs: 1000 },
    heartbeatMs: 250, host: '127.0.0.1', port: 0, log: () => {},
  });
  base = `http://127.0.0.1:${service.port}`;
  for (const c of rules.characteristics) {
    const [line, station] = c.id.split('.');
    transport.publish(`spc.samples.${line}.${station}.p`, { ts: '2026-11-25T03:00:00Z', line, station, parameter: 'p', value: 100, unit: `${line}-${station}-SN1`, lot: 'LOT-SHARED' });
  }
  await waitFor('two holds and four alarms', () => (service.worker.holds.activeHolds().length === 2 && service.worker.alarms.open().length === 4 ? true : undefined));
  await waitFor('the rows stored', async () => (Number((await store.db.query<{ n: string }>('SELECT count(*) AS n FROM holds'))[0].n) === 6 ? true : undefined));
});
afterAll(async () => { await service.close(); await store.db.close(); await drop(); });

/** The id of the active hold or open alarm of a characteristic, percent-encoded for a path ('#' is in every id). */
const id = (line: string, station: string, kind: 'hold' | 'alarm') => encodeURIComponent((kind === 'hold' ? service.worker.holds.activeHolds() : service.worker.alarms.open()).find((x) => x.id.startsWith(`${line}.${station}#`))!.id);

describe('scope matrix', () => {
  it('refusals: 403 with a reason, and nothing changes', async () => {
    const L1hold = id('L1', 'h', 'hold'), L2hold = id('L2', 'h', 'hold'), L1alarm = id('L1', 'a1', 'alarm'), L2alarm = id('L2', 'a1', 'alarm');
    const refused: [string, string, string, unknown?][] = [
      // out of scope: the token's role may do it, but not on L2
      [Q, 'POST', `/api/holds/${L2hold}/release`, { reason: 'not my line' }],
      [Q, 'POST', `/api/holds/${L2hold}/cause`, { assignableCause: 'nozzle wear' }],
      [OP, 'POST', `/api/holds/${L2hold}/cause`, { assignableCause: 'nozzle wear' }],
      [Q, 'POST', `/api/alarms/${L2alarm}/ack`],
      [OP, 'POST', `/api/alarms/${L2alarm}/ack`],
      [Q, 'POST', `/api/alarms/${L2alarm}/shelve`, { minutes: 5, reason: 'maintenance' }],
      [Q, 'GET', `/api/trace/hold/${L2hold}`],
      [OP, 'GET', `/api/trace/hold/${L2hold}`],
      [OP, 'GET', '/api/trace/unit/L2-h-SN1'],
      // the wrong role, even on its own line
      [OP, 'POST', `/api/holds/${L1hold}/release`, { reason: 'operators may not' }],
      [OP, 'POST', `/api/alarms/${L1alarm}/shelve`, { minutes: 5, reason: 'operators may not' }],
      [PLC, 'POST', `/api/holds/${L1hold}/release`, { reason: 'plc may not' }],
      [PLC, 'POST', `/api/holds/${L1hold}/cause`, { assignableCause: 'plc may not' }],
      [PLC, 'POST', `/api/alarms/${L1alarm}/ack`],
      [PLC, 'POST', `/api/alarms/${L1alarm}/shelve`, { minutes: 5, reason: 'plc may not' }],
      [PLC, 'GET', `/api/trace/hold/${L1hold}`],
      [PLC, 'GET', '/api/trace/unit/L1-h-SN1'],
      [PLC, 'GET', '/api/trace/lot/LOT-SHARED'],
      [PLC, 'GET', '/api/audit'],
    ];
    for (const [token, method, path, body] of refused) {
      const before = await stateNow();
      const r = await call(token, method, path, body);
      const who = tokens.find((t) => t.token === token)!.name;
      expect(r.status, `${who} ${method} ${path}: ${JSON.stringify(r.body)}`).toBe(403);
      expect(r.body.error).toMatch(/line\(s\) L1 only|needs the .* role/);
      expect(await stateNow(), `${who} ${method} ${path} changed something`).toBe(before);
    }
  });

  it('WebSocket: releases out of scope or by the wrong role, and acks of holds not sent, are refused', async () => {
    const L1hold = decodeURIComponent(id('L1', 'h', 'hold')), L2hold = decodeURIComponent(id('L2', 'h', 'hold'));
    const cases: [string, object, string][] = [
      [Q, { type: 'release', id: L2hold, reason: 'not my line' }, 'forbidden'],
      [OP, { type: 'release', id: L1hold, reason: 'operators may not' }, 'forbidden'],
      [PLC, { type: 'release', id: L1hold, reason: 'plc may not' }, 'forbidden'],
      [PLC, { type: 'ack', id: L2hold }, 'not-found'],
    ];
    for (const [token, msg, code] of cases) {
      const before = await stateNow();
      const got: any[] = [];
      const ws = new WebSocket(`${base.replace('http', 'ws')}/signals`, { headers: { Authorization: `Bearer ${token}` } });
      ws.on('message', (d) => got.push(JSON.parse(d.toString())));
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify(msg));
      const err = await waitFor('the error', () => got.find((m) => m.type === 'error'), 3000, 20);
      expect(err.code, JSON.stringify(msg)).toBe(code);
      ws.close();
      expect(await stateNow()).toBe(before);
    }
  });

  it('reads keep to the token\'s lines', async () => {
    const lot = await call(OP, 'GET', '/api/trace/lot/LOT-SHARED');
    expect(lot.status).toBe(200);
    expect(new Set(lot.body.units.map((u: any) => u.line))).toEqual(new Set(['L1']));
    expect((await call(QALL, 'GET', '/api/trace/lot/LOT-SHARED')).body.units.map((u: any) => u.line)).toContain('L2');
    const holds = await call(OP, 'GET', '/api/holds');
    expect(holds.body.map((h: any) => h.line)).toEqual(['L1']);
    expect((await call(OP, 'GET', '/api/alarms')).body.every((a: any) => a.line === 'L1')).toBe(true);
    expect((await call(OP, 'GET', '/api/trace/unit/L1-h-SN1')).status).toBe(200);
    // The unit-status interlock and a hold's units, within the lines.
    expect((await call(PLC, 'GET', '/api/units/L1-h-SN1/status')).body).toEqual({ unit: 'L1-h-SN1', held: true, holds: [decodeURIComponent(id('L1', 'h', 'hold'))] });
    expect((await call(PLC, 'GET', '/api/units/L2-h-SN1/status')).body).toEqual({ unit: 'L2-h-SN1', held: false, holds: [] });
    expect((await call(QALL, 'GET', '/api/units/L2-h-SN1/status')).body.held).toBe(true);
    expect((await call(OP, 'GET', `/api/holds/${id('L1', 'h', 'hold')}/units`)).body).toMatchObject({ units: ['L1-h-SN1'], unitCount: 1 });
    expect((await call(OP, 'GET', `/api/holds/${id('L2', 'h', 'hold')}/units`)).status).toBe(403);
  });

  it('allowed actions on the token\'s own line succeed and are audited with it; the audit reads keep to the lines', async () => {
    const L1hold = id('L1', 'h', 'hold');
    expect((await call(OP, 'POST', `/api/holds/${L1hold}/cause`, { assignableCause: 'nozzle wear' })).status).toBe(200);
    expect((await call(Q, 'POST', `/api/holds/${L1hold}/cause`, { correctiveAction: 'nozzle replaced' })).status).toBe(200);
    expect((await call(OP, 'POST', `/api/alarms/${id('L1', 'a1', 'alarm')}/ack`)).status).toBe(200);
    expect((await call(Q, 'POST', `/api/alarms/${id('L1', 'a2', 'alarm')}/ack`)).status).toBe(200);
    expect((await call(Q, 'POST', `/api/alarms/${id('L1', 'a3', 'alarm')}/shelve`, { minutes: 5, reason: 'sensor recalibration' })).status).toBe(200);
    expect((await call(Q, 'POST', `/api/holds/${L1hold}/release`, { reason: 'nozzle replaced, verified' })).status).toBe(200);
    expect((await call(QALL, 'POST', `/api/alarms/${id('L2', 'a1', 'alarm')}/ack`)).status).toBe(200);
    await waitFor('the audit rows', async () => (Number((await store.db.query<{ n: string }>('SELECT count(*) AS n FROM audit'))[0].n) === 7 ? true : undefined));
    const mine = (await call(OP, 'GET', '/api/audit')).body as any[];
    expect(mine).toHaveLength(6);
    expect(mine.every((a) => a.line === 'L1')).toBe(true);
    expect((await call(QALL, 'GET', '/api/audit')).body).toHaveLength(7);
  });

  it('bad parameters are 400 naming the parameter; a null body is 400; no raw database text', async () => {
    const limit = await call(Q, 'GET', '/api/audit?limit=-1');
    expect(limit).toMatchObject({ status: 400, body: { error: expect.stringContaining('"limit"') } });
    const from = await call(Q, 'GET', '/api/trace/station/h?from=2026-13-45T99:99Z&to=2026-11-26T00:00:00Z');
    expect(from).toMatchObject({ status: 400, body: { error: expect.stringContaining('"from"') } });
    const r = await fetch(`${base}/api/holds/x/release`, { method: 'POST', headers: { Authorization: `Bearer ${Q}` }, body: 'null' });
    expect(r.status).toBe(400);
  });

  it('the console is sent with CSP, frame-ancestors and nosniff', async () => {
    const r = await fetch(`${base}/`);
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
