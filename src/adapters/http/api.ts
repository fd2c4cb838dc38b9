import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AlarmRecord, AlarmStateSignal, HoldSignal, ReleaseSignal } from '../../core/index.js';
import { findToken, type TokenEntry } from '../../auth/tokens.js';

/** The trace queries the API serves (the genealogy store implements them). */
export interface TraceQueries {
  unitHistory(unit: string): Promise<unknown>;
  lotUnits(lot: string): Promise<unknown>;
  holdTrace(id: string): Promise<unknown | undefined>;
  unitsThrough(station: string, from: string, to: string): Promise<string[]>;
  auditLog(limit: number): Promise<unknown[]>;
  recordCause(id: string, assignableCause: string | undefined, correctiveAction: string | undefined): Promise<boolean>;
  audit(entry: { actor: string; role: string; action: string; target: string; reason: string | null; detail: unknown }): Promise<void>;
}

/** What the HTTP API needs from the running worker. */
export interface ApiState {
  tokens: readonly TokenEntry[];
  store?: TraceQueries;
  activeHolds(lines?: readonly string[]): HoldSignal[];
  /** Open alarms with their lifecycle state. */
  openAlarms(lines?: readonly string[]): AlarmRecord[];
  acknowledgeAlarm(id: string, by: string, role: string): AlarmStateSignal | string;
  shelveAlarm(id: string, by: string, role: string, minutes: number, reason: string): AlarmStateSignal | string;
  release(id: string, by: string, reason: string, role: string): ReleaseSignal | string;
  health(): unknown;
  /** Prometheus exposition, for GET /metrics. */
  metrics?(): Promise<{ type: string; body: string }>;
}

/** API rate limit per client address: a token bucket of this many requests, refilled per second. */
const RATE_BURST = 40;
const RATE_PER_SECOND = 20;

/** Token buckets per client address; refused requests get 429 with Retry-After. */
class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  allow(key: string, now = Date.now()): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 10_000) this.buckets.clear(); // bounded memory under a flood of addresses
      b = { tokens: RATE_BURST, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(RATE_BURST, b.tokens + ((now - b.at) / 1000) * RATE_PER_SECOND);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens--;
    return true;
  }
}

/** Largest request body accepted, bytes. */
const MAX_BODY = 16 * 1024;
const CONSOLE_DIR = fileURLToPath(new URL('./console/', import.meta.url));
const UPLOT_DIR = createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js').replace(/uPlot\.iife\.min\.js$/, '');
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: CONSOLE_DIR + 'index.html', type: 'text/html; charset=utf-8' },
  '/console.js': { file: CONSOLE_DIR + 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console.css': { file: CONSOLE_DIR + 'console.css', type: 'text/css; charset=utf-8' },
  '/uplot.js': { file: UPLOT_DIR + 'uPlot.iife.min.js', type: 'text/javascript; charset=utf-8' },
  '/uplot.css': { file: UPLOT_DIR + 'uPlot.min.css', type: 'text/css; charset=utf-8' },
};

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function tokenOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error(`request body over ${MAX_BODY} bytes`), { status: 413 });
    chunks.push(c as Buffer);
  }
  if (!size) return {};
  try { return JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { throw Object.assign(new Error('request body must be JSON'), { status: 400 }); }
}

/**
 * The console's page and its JSON API, served by `spc run` beside the signal WebSocket:
 *   GET  /api/holds, /api/alarms                     active holds and alarms in the token's lines
 *   GET  /api/trace/unit/:unit | lot/:lot | hold/:id  history, lot units, suspects and common causes
 *   GET  /api/trace/station/:station?from=&to=        units through a station in a time window
 *   POST /api/holds/:id/release {reason}              quality role only; recorded in the audit table
 *   POST /api/holds/:id/cause {assignableCause, correctiveAction}   operator or quality; audited
 *   POST /api/alarms/:id/ack                           operator or quality; audited
 *   POST /api/alarms/:id/shelve {minutes, reason}      quality only; audited
 *   GET  /api/audit                                   the latest audit entries
 * Every /api call needs `Authorization: Bearer <token>`; roles are those of the signal tokens.
 */
export function apiHandler(state: ApiState): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limiter = new RateLimiter();
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    try {
      if (req.method === 'GET' && STATIC[path]) {
        res.writeHead(200, { 'content-type': STATIC[path].type, 'cache-control': 'no-cache' });
        res.end(readFileSync(STATIC[path].file));
        return;
      }
      if (path === '/healthz') { send(res, 200, state.health()); return; }
      if (path === '/metrics' && state.metrics) { const m = await state.metrics(); res.writeHead(200, { 'content-type': m.type }); res.end(m.body); return; }
      if (!path.startsWith('/api/')) { send(res, 404, { error: `no such page: ${path}` }); return; }
      if (!limiter.allow(req.socket.remoteAddress ?? '?')) {
        res.setHeader('retry-after', '1');
        send(res, 429, { error: `too many requests: at most ${RATE_PER_SECOND}/s (bursts of ${RATE_BURST}) per client` });
        return;
      }
      const who = findToken(state.tokens, tokenOf(req));
      if (!who) { send(res, 401, { error: 'missing or unknown token: send Authorization: Bearer <token>' }); return; }
      const lines = who.lines;
      const parts = path.split('/').slice(2).map(decodeURIComponent);
      if (req.method === 'GET' && path === '/api/holds') { send(res, 200, state.activeHolds(lines)); return; }
      if (req.method === 'GET' && path === '/api/alarms') { send(res, 200, state.openAlarms(lines)); return; }
      if (req.method === 'POST' && parts[0] === 'alarms' && parts[2] === 'ack' && parts.length === 3) {
        const r = state.acknowledgeAlarm(parts[1], who.name ?? who.role, who.role);
        if (typeof r === 'string') send(res, 409, { error: r }); else send(res, 200, r);
        return;
      }
      if (req.method === 'POST' && parts[0] === 'alarms' && parts[2] === 'shelve' && parts.length === 3) {
        if (who.role !== 'quality') { send(res, 403, { error: `shelving an alarm needs the quality role (this token is ${who.role})` }); return; }
        const body = await readJson(req);
        const minutes = Number(body.minutes), reason = typeof body.reason === 'string' ? body.reason.trim() : '';
        if (!(minutes > 0 && minutes <= 24 * 60) || reason.length < 3) { send(res, 400, { error: 'shelve needs "minutes" (1..1440) and a "reason" of at least 3 characters' }); return; }
        const r = state.shelveAlarm(parts[1], who.name ?? who.role, who.role, minutes, reason);
        if (typeof r === 'string') send(res, 404, { error: r }); else send(res, 200, r);
        return;
      }
      if (req.method === 'POST' && parts[0] === 'holds' && parts[2] === 'release' && parts.length === 3) {
        if (who.role !== 'quality') { send(res, 403, { error: `releasing a hold needs the quality role (this token is ${who.role})` }); return; }
        const body = await readJson(req);
        const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
        if (reason.length < 3) { send(res, 400, { error: 'a release needs a "reason" of at least 3 characters' }); return; }
        const r = state.release(parts[1], who.name ?? who.role, reason, who.role);
        if (typeof r === 'string') send(res, 404, { error: r }); else send(res, 200, r);
        return;
      }
      if (req.method === 'POST' && parts[0] === 'holds' && parts[2] === 'cause' && parts.length === 3) {
        if (who.role === 'plc') { send(res, 403, { error: 'recording a cause needs the operator or quality role' }); return; }
        if (!state.store) { send(res, 503, { error: 'no genealogy store configured (spc run --store …)' }); return; }
        const body = await readJson(req);
        const text = (v: unknown) => (typeof v === 'string' && v.trim().length >= 3 ? v.trim() : undefined);
        const cause = text(body.assignableCause), action = text(body.correctiveAction);
        if (!cause && !action) { send(res, 400, { error: 'send "assignableCause" and/or "correctiveAction" (at least 3 characters each)' }); return; }
        if (!(await state.store.recordCause(parts[1], cause, action))) { send(res, 404, { error: `no hold ${parts[1]}` }); return; }
        await state.store.audit({ actor: who.name ?? who.role, role: who.role, action: 'cause', target: parts[1], reason: cause ?? null, detail: { assignableCause: cause, correctiveAction: action } });
        send(res, 200, { id: parts[1], assignableCause: cause, correctiveAction: action });
        return;
      }
      if (req.method !== 'GET') { send(res, 405, { error: `${req.method} ${path} is not allowed` }); return; }
      if (parts[0] === 'trace' || parts[0] === 'audit') {
        if (!state.store) { send(res, 503, { error: 'no genealogy store configured (spc run --store postgres://… or pglite:…)' }); return; }
        const store = state.store;
        if (parts[0] === 'audit') { send(res, 200, await store.auditLog(Math.min(1000, Number(url.searchParams.get('limit') ?? 100)))); return; }
        if (parts[1] === 'unit' && parts[2]) { send(res, 200, await store.unitHistory(parts[2])); return; }
        if (parts[1] === 'lot' && parts[2]) { send(res, 200, await store.lotUnits(parts[2])); return; }
        if (parts[1] === 'hold' && parts[2]) { const t = await store.holdTrace(parts[2]); if (t) send(res, 200, t); else send(res, 404, { error: `no hold ${parts[2]}` }); return; }
        if (parts[1] === 'station' && parts[2]) {
          const from = url.searchParams.get('from'), to = url.searchParams.get('to');
          if (!from || !to || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) { send(res, 400, { error: 'from and to must be ISO-8601 times' }); return; }
          send(res, 200, { station: parts[2], from, to, units: await store.unitsThrough(parts[2], from, to) });
          return;
        }
      }
      send(res, 404, { error: `no such API: ${path}` });
    } catch (err) {
      const status = (err as { status?: number }).status ?? 500;
      send(res, status, { error: (err as Error).message });
    }
  };
}
