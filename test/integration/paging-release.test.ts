import { createServer } from 'node:http';
import { expect, it } from 'vitest';
import { apiHandler } from '../../src/adapters/http/api.js';
import { AccessLimits } from '../../src/auth/limits.js';
import { HoldBook, type PointRecord } from '../../src/core/index.js';

// GET /api/holds/:id/units pages an active hold in suspect order (a numeric cursor) and a released
// one from the store in unit order: a hold released between two pages must not restart silently.
it('a hold released while a client pages through it: the next page is refused (409), not the first page again', async () => {
  const book = new HoldBook();
  const units = Array.from({ length: 2500 }, (_, i) => `SN${String(2500 - i).padStart(5, '0')}`); // suspect order is not unit order
  const p: PointRecord = { type: 'point', characteristic: 'peak', index: 1, phase: 'II', ts: '2026-11-25T03:00:00Z', statistic: 9, center: 0, ucl: 3, lcl: -3, violations: ['we1'], actions: ['hold'], units, lots: [] };
  book.apply(p, { line: 'L1', station: 's' });
  const stored = [...units].sort();
  const store = { holdLine: async () => 'L1', holdUnits: async (_id: string, after: string | undefined, limit: number) => stored.filter((u) => after === undefined || u > after).slice(0, limit) };
  const refuse = () => ({ refused: 'forbidden' as const, message: 'n/a' });
  const http = createServer(apiHandler({
    tokens: [{ token: 'quality-token-0123456789', role: 'quality' }], limits: new AccessLimits(), store: store as never, activeHolds: () => [], openAlarms: () => [],
    unitsOf: (id, a, l) => book.unitsOf(id, a, l), unitStatus: (u, l) => book.unitStatus(u, l), lineOf: (id) => book.hold(id)?.line,
    acknowledgeAlarm: refuse, shelveAlarm: refuse, release: refuse, health: () => ({ ok: true }),
  }));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const get = (q: string) => fetch(`http://127.0.0.1:${(http.address() as { port: number }).port}/api/holds/peak%231/units?${q}`, { headers: { Authorization: 'Bearer quality-token-0123456789' } });
  try {
    const first = (await (await get('limit=1000')).json()) as { units: string[]; next: string };
    expect(first.units).toEqual(units.slice(0, 1000));
    book.release('peak#1', 'qa', 'fine', '2026-11-25T04:00:00Z');
    const next = await get(`limit=1000&after=${first.next}`);
    expect(next.status).toBe(409);
    expect(((await next.json()) as { error: string }).error).toMatch(/released while being paged/);
    // From the start again: every unit once, from the store.
    const paged: string[] = [];
    for (let q = 'limit=1000'; ;) { const r = (await (await get(q)).json()) as { units: string[]; next?: string }; paged.push(...r.units); if (!r.next) break; q = `limit=1000&after=${r.next}`; }
    expect(paged.length).toBe(2500);
    expect(new Set(paged).size).toBe(2500);
  } finally { http.close(); }
});
