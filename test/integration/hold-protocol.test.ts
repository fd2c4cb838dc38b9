import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GenealogyStore } from '../../src/adapters/store/genealogy.js';
import { openSql } from '../../src/adapters/store/sql.js';
import type { TokenEntry } from '../../src/auth/tokens.js';
import { startService, type RunningService } from '../../src/cli/service.js';
import { InProcessTransport } from '../../src/service/in-process-transport.js';
import { freshPostgres, machineSlowdown, waitFor } from './servers.js';

// Signal protocol v2 through the running service and a real store: a hold latched for 5,000
// units (version 1 stopped listing at 2,000) names every unit exactly once across its
// revisions, a PLC acknowledging by rev gets no re-sends, the store keeps every unit, the API
// pages through all of them, and a reconnect's snapshot gives the count.
const tokens: TokenEntry[] = [{ token: 'proto-plc-token-0123456789', role: 'plc', name: 'gw', lines: ['L1'] }, { token: 'proto-quality-token-012345', role: 'quality', name: 'qa' }];
let service: RunningService;
let store: GenealogyStore;
let drop: () => Promise<void>;
const transport = new InProcessTransport();
// The client acknowledges every 50th revision as it reads them: on a slow machine it reads later.
const RESEND_MS = 1000 * machineSlowdown();
beforeAll(async () => {
  const db = await freshPostgres('proto'); drop = db.drop;
  store = new GenealogyStore(await openSql(db.url));
  service = await startService({
    rulesPath: 'rules', tokens, transport, anomalies: [], store, unknown: 'count', flood: { maxAlarms: 1000, windowMs: 1000 }, heartbeatMs: 250, resendMs: RESEND_MS, host: '127.0.0.1', port: 0, log: () => {},
    rules: { version: 1, characteristics: [{ id: 'torque', match: { line: 'L1', station: 'screw', parameter: 'torque' }, chart: { type: 'i-mr' }, limits: { center: 1.2, sigma: 0.02 }, rules: ['nelson1'], actions: { hold: ['nelson1'] } }] },
  });
});
afterAll(async () => { await service.close(); await store.db.close(); await drop(); });

it('a hold of 5,000 units: every unit named once across revisions, acks by rev, all stored and paged', async () => {
  const got: any[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${service.port}/signals`, { headers: { Authorization: 'Bearer proto-plc-token-0123456789' } });
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    got.push(m);
    if (m.type === 'hold' && m.rev % 50 === 0) ws.send(JSON.stringify({ type: 'ack', id: m.id, rev: m.rev })); // acks all revisions up to this one
  });
  await new Promise((r) => ws.once('open', r));
  const units = Array.from({ length: 5000 }, (_, i) => `SN${String(i).padStart(5, '0')}`);
  const sample = (unit: string, value: number) => ({ ts: '2026-11-25T03:00:00Z', line: 'L1', station: 'screw', parameter: 'torque', value, unit });
  transport.publish('spc.samples.L1.screw.torque', sample(units[0], 1.5)); // beyond the limits: the hold
  for (let i = 1; i < units.length; i += 100) transport.publish('spc.samples.L1.screw.torque', units.slice(i, i + 100).map((u) => sample(u, 1.2)));
  await waitFor('5,000 units held', () => (got.some((m) => m.type === 'hold' && m.unitCount === 5000) ? true : undefined));
  ws.send(JSON.stringify({ type: 'ack', id: 'torque#1', rev: got.filter((m) => m.type === 'hold').at(-1).rev }));
  await new Promise((r) => setTimeout(r, 1.5 * RESEND_MS)); // longer than the re-send period

  const revisions = got.filter((m) => m.type === 'hold' && !m.resent);
  const named = revisions.flatMap((m) => m.added);
  expect(named).toEqual(units); // every unit, once, in order
  expect(revisions.map((m) => m.rev)).toEqual(revisions.map((_, i) => i + 1));
  expect(revisions.slice(1).every((m) => m.units === undefined)).toBe(true);
  expect(got.filter((m) => m.resent)).toEqual([]); // every revision was acknowledged in time

  await waitFor('every unit stored', async () => (Number((await store.db.query<{ n: string }>("SELECT count(*) AS n FROM hold_units WHERE hold_id = 'torque#1'"))[0].n) === 5000 ? true : undefined));
  const paged: string[] = [];
  for (let after: string | undefined; ;) {
    const r = await (await fetch(`http://127.0.0.1:${service.port}/api/holds/torque%231/units?limit=1500${after ? `&after=${after}` : ''}`, { headers: { Authorization: 'Bearer proto-quality-token-012345' } })).json() as { units: string[]; next?: string };
    paged.push(...r.units);
    if (!r.next) break;
    after = r.next;
  }
  expect(paged).toEqual(units);

  const again = new WebSocket(`ws://127.0.0.1:${service.port}/signals`, { headers: { Authorization: 'Bearer proto-plc-token-0123456789' } });
  const snap = await new Promise<any>((resolve) => again.once('message', (d) => resolve(JSON.parse(d.toString()))));
  expect(snap.holds[0]).toMatchObject({ id: 'torque#1', unitCount: 5000, unitsComplete: false });
  expect(snap.holds[0].units).toEqual(units.slice(0, 1000));
  again.close();
  ws.close();
});
