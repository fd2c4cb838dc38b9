import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { inScope, isRefusal, outOfScope, personText, roleRefusal, type Actor, type AlarmRecord, type AlarmStateSignal, type HoldView, type Refusal, type ReleaseRequest, type ReleaseSignal, type UnitStatus } from '../../core/index.js';
import type { AccessLimits } from '../../auth/limits.js';
import { findToken, type TokenEntry } from '../../auth/tokens.js';
import { verifySigningSecret } from '../../auth/signature.js';
import { calendarProblem } from '../../samples/timestamp.js';

/** The trace queries the API serves (the genealogy store implements them), each kept to a token's lines. */
export interface TraceQueries {
  unitHistory(unit: string, lines?: readonly string[]): Promise<{ samples: unknown[]; holds: unknown[] }>;
  unitLines(unit: string): Promise<string[]>;
  lotUnits(lot: string, lines?: readonly string[]): Promise<unknown>;
  holdTrace(id: string): Promise<{ hold: Record<string, unknown> } | undefined>;
  holdLine(id: string): Promise<string | undefined>;
  /** A released (or any stored) hold's units in unit order after `afterUnit`. */
  holdUnits(id: string, afterUnit: string | undefined, limit: number): Promise<string[]>;
  unitsThrough(station: string, from: string, to: string, lines?: readonly string[], product?: string): Promise<string[]>;
  auditLog(limit: number, lines?: readonly string[]): Promise<unknown[]>;
  recordCause(id: string, assignableCause: string | undefined, correctiveAction: string | undefined): Promise<boolean>;
  audit(entry: { actor: string; role: string; action: string; target: string; line: string; reason: string | null; detail: unknown }): Promise<void>;
  /** Counts per cause code or per rule, most frequent first (see GenealogyStore.pareto). */
  pareto(of: 'cause' | 'rule', f: { lines?: readonly string[]; characteristic?: string; from?: string; to?: string }): Promise<{ key: string; count: number }[]>;
}

/** What the HTTP API needs from the running worker. Actions check the actor's role and lines. */
export interface ApiState {
  tokens: readonly TokenEntry[];
  limits: AccessLimits;
  store?: TraceQueries;
  activeHolds(lines?: readonly string[]): HoldView[];
  /** A page of an active hold's units, in the order they became suspect (`after` = units already read). */
  unitsOf(id: string, after: number, limit: number): { units: string[]; unitCount: number; next?: number } | undefined;
  unitStatus(unit: string, lines?: readonly string[]): UnitStatus;
  /** Open alarms with their lifecycle state. */
  openAlarms(lines?: readonly string[]): AlarmRecord[];
  /** The line of an active hold or alarm, if there is one with this id. */
  lineOf(id: string): string | undefined;
  acknowledgeAlarm(id: string, actor: Actor, causeCode?: string): AlarmStateSignal | Refusal;
  shelveAlarm(id: string, actor: Actor, minutes: number, reason: string): AlarmStateSignal | Refusal;
  release(id: string, actor: Actor, request: ReleaseRequest): ReleaseSignal | Refusal;
  /** Scheduled manual checks (absent when the rules have none). */
  checks?: {
    status(lines?: readonly string[]): object[];
    submit(actor: Actor, check: string, entries: { unit: string; value: number }[]): Promise<object | Refusal>;
    onTime(lines?: readonly string[]): Promise<object[]>;
  };
  /** Controlled limits (absent without a genealogy store): a recalculation proposed, and approved with a signature. */
  controlledLimits?: {
    propose(actor: Actor, input: { characteristic: string; split?: Record<string, string>; line?: string; station?: string; from: string; to: string; exclude?: number[]; reason: string }): Promise<object | Refusal>;
    approve(id: number, actor: Actor, signature: { signer: string; meaning: string }): Promise<object | Refusal>;
    versions(f: { lines?: readonly string[]; characteristic?: string; series?: string; state?: string }): Promise<object[]>;
  };
  /** `ok: false` (with `problems`) answers 503. */
  health(): { ok: boolean };
  /** Prometheus exposition, for GET /metrics. */
  metrics?(): Promise<{ type: string; body: string }>;
  log?: (level: 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void;
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

/**
 * Sent with every response: the console runs only its own scripts and talks only to its own
 * server, may not be framed (clickjacking of the release button), and types are not sniffed.
 */
function securityHeaders(req: IncomingMessage): Record<string, string> {
  const host = (req.headers.host ?? '').replace(/[^A-Za-z0-9.:[\]-]/g, '');
  return {
    'content-security-policy': `default-src 'self'; connect-src 'self'${host ? ` ws://${host} wss://${host}` : ''}; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** A client error the caller can act on (400 naming the parameter, 413 …). */
class ClientError extends Error {
  /** `field`: the request field to fix, sent beside the message. */
  constructor(readonly status: number, message: string, readonly field?: string) { super(message); }
}

const STATUS_OF_REFUSAL: Record<Refusal['refused'], number> = { forbidden: 403, 'not-found': 404, conflict: 409, invalid: 400 };

function reply(res: ServerResponse, r: object): void {
  if (isRefusal(r)) send(res, STATUS_OF_REFUSAL[r.refused], { error: r.message, ...(r.field ? { field: r.field } : {}) });
  else send(res, 200, r);
}

/** Free text from a person (reasons, causes): trimmed, 3..500 characters, no control characters. */
function bodyText(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  if (body[field] === undefined && !required) return undefined;
  const text = personText(body[field]);
  if (text === undefined) throw new ClientError(400, `"${field}" must be text of 3 to 500 characters without control characters`, field);
  return text;
}

/** A code of the rule file's lists (checked against them by the action); its shape is checked here. */
function codeField(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(v)) throw new ClientError(400, `"${field}" must be a code of the rule file (letters, digits, _ . -; at most 32)`, field);
  return v;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An ISO-8601 time query parameter that names a real date. */
function timeParam(url: URL, name: string): string {
  const v = url.searchParams.get(name);
  if (!v || calendarProblem(v)) throw new ClientError(400, `query parameter "${name}" must be an ISO-8601 time such as 2026-11-25T03:00:00Z (got ${v === null ? 'nothing' : JSON.stringify(v.slice(0, 40))})`);
  return v;
}

function intParam(url: URL, name: string, min: number, max: number, fallback: number): number {
  const v = url.searchParams.get(name);
  if (v === null) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new ClientError(400, `query parameter "${name}" must be a whole number from ${min} to ${max} (got ${JSON.stringify(v.slice(0, 20))})`);
  return n;
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
    if (size > MAX_BODY) throw new ClientError(413, `request body over ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  if (!size) return {};
  let body: unknown;
  try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { throw new ClientError(400, 'request body must be JSON'); }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ClientError(400, 'request body must be a JSON object');
  return body as Record<string, unknown>;
}

/**
 * The console's page and its JSON API, served by `spc run` beside the signal WebSocket:
 *   GET  /api/holds, /api/alarms                     active holds and alarms in the token's lines
 *   GET  /api/trace/unit/:unit | lot/:lot | hold/:id  history, lot units, suspects and common causes
 *   GET  /api/trace/station/:station?from=&to=[&product=] units through a station in a time window (of one product)
 *   POST /api/holds/:id/release {reason}              quality role only; recorded in the audit table
 *   POST /api/holds/:id/cause {assignableCause, correctiveAction}   operator or quality; audited
 *   POST /api/alarms/:id/ack                           operator or quality; audited
 *   POST /api/alarms/:id/shelve {minutes, reason}      quality only; audited
 *   GET  /api/audit?limit=                             the latest audit entries of the token's lines
 *   GET  /api/pareto?of=cause|rule[&line=&characteristic=&from=&to=]   counts, most frequent first
 *   GET  /api/checks                                   manual checks of the token's lines: due, overdue, what to do
 *   POST /api/checks {check, entries: [{unit, value}]}  operator or quality: published as samples, charted and ruled
 *   GET  /api/checks/on-time                           on-time rate of manual checks per station
 *   GET  /api/limits[?characteristic=&series=&state=]                  limits versions (Phase I locks, proposals, approvals)
 *   POST /api/limits/proposals {characteristic, split?, from, to, exclude?, reason}   quality: a recalculation from stored samples
 *   POST /api/limits/proposals/:id/approve {signature: {secret}}       quality, signed: takes effect now
 *   GET  /api/holds/:id/units?after=&limit=            every unit of a hold, a page at a time
 *   GET  /api/units/:unit/status                       the unit-status interlock: held, and by which holds
 * Every /api call needs `Authorization: Bearer <token>`; roles and lines are those of the signal
 * tokens, and every action and read keeps to the token's lines (403 otherwise; nothing changes).
 * `plc` tokens read holds and alarms only.
 */
export function apiHandler(state: ApiState): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limits = state.limits;
  /**
   * Every unit of a hold, a page at a time. Active holds are paged from memory in the order the
   * units became suspect (cursor: how many were read); released ones from the store in unit order
   * (cursor: `u:` and the last unit). Pass a page's `next` as `after` until there is none.
   */
  const holdUnits = async (id: string, url: URL, actor: Actor, res: ServerResponse) => {
    const limit = intParam(url, 'limit', 1, 10_000, 1000);
    const after = url.searchParams.get('after') ?? undefined;
    const line = state.lineOf(id) ?? await state.store?.holdLine(id);
    if (line === undefined) { send(res, 404, { error: `no hold ${id}` }); return; }
    if (!inScope(actor, line)) { reply(res, outOfScope(actor, `hold ${id}`, line)); return; }
    if (after === undefined || /^\d+$/.test(after)) {
      const page = state.unitsOf(id, Number(after ?? 0), limit);
      if (page) { send(res, 200, { id, ...page, ...(page.next !== undefined ? { next: String(page.next) } : {}) }); return; }
      // A cursor into the active hold's order, and the hold released since: the store's pages are
      // in another order, so going on from the first unit would repeat some and skip none only by luck.
      if (after !== undefined && Number(after) > 0) { send(res, 409, { error: `hold ${id} was released while being paged: page again from the start (without "after"); its units now come from the genealogy store` }); return; }
    }
    if (after !== undefined && !after.startsWith('u:') && !/^\d+$/.test(after)) throw new ClientError(400, 'query parameter "after" must be the "next" of the previous page');
    if (!state.store) { send(res, 404, { error: `hold ${id} is not active and no genealogy store is configured` }); return; }
    const units = await state.store.holdUnits(id, after?.startsWith('u:') ? after.slice(2) : undefined, limit);
    send(res, 200, { id, units, ...(units.length === limit ? { next: `u:${units[units.length - 1]}` } : {}) });
  };
  /**
   * An electronic signature (21 CFR Part 11 §11.200): the signer's secret checked against the
   * tokens file's scrypt hash. A wrong one is refused (403), audited, and counted like a failed
   * authentication (no guessing at speed); undefined then, with the response sent.
   */
  const sign = async (body: Record<string, unknown>, who: TokenEntry, actor: Actor, target: string, line: string, meaning: string, address: string, res: ServerResponse) => {
    const secret = isObject(body.signature) && typeof body.signature.secret === 'string' ? body.signature.secret : undefined;
    if (!secret || secret.length > 1024) throw new ClientError(400, '"signature" must be { "secret": "<your signing secret>" }', 'signature');
    if (who.signing && await verifySigningSecret(secret, who.signing)) return { signer: actor.name, meaning };
    const why = who.signing ? 'the signing secret does not match' : `${actor.name} has no signing secret in the tokens file`;
    await state.store?.audit({ actor: actor.name, role: who.role, action: 'signature-refused', target, line, reason: why, detail: { meaning } });
    if (!limits.failedAuth.take(address)) { tooMany(res, 'too many failed signatures from this address'); return undefined; }
    send(res, 403, { error: `signature refused: ${why}`, field: 'signature' });
    return undefined;
  };
  const tooMany = (res: ServerResponse, what: string) => {
    res.setHeader('retry-after', '1');
    send(res, 429, { error: `too many requests: ${what}` });
  };
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const address = req.socket.remoteAddress ?? '?';
    for (const [k, v] of Object.entries(securityHeaders(req))) res.setHeader(k, v);
    try {
      if (!path.startsWith('/api/')) {
        if (!limits.publicPages.take(address)) { tooMany(res, `at most ${limits.publicPages.describe()} per address for pages without a token`); return; }
        if (req.method === 'GET' && STATIC[path]) {
          res.writeHead(200, { 'content-type': STATIC[path].type, 'cache-control': 'no-cache' });
          res.end(readFileSync(STATIC[path].file));
          return;
        }
        if (path === '/healthz') { const h = state.health(); send(res, h.ok ? 200 : 503, h); return; }
        if (path === '/metrics' && state.metrics) { const m = await state.metrics(); res.writeHead(200, { 'content-type': m.type }); res.end(m.body); return; }
        send(res, 404, { error: `no such page: ${path}` });
        return;
      }
      const who = findToken(state.tokens, tokenOf(req));
      if (!who) {
        if (!limits.failedAuth.take(address)) { tooMany(res, `too many failed authentications from this address (${limits.failedAuth.describe()})`); return; }
        send(res, 401, { error: 'missing or unknown token: send Authorization: Bearer <token>' });
        return;
      }
      if (!limits.perToken.take(who.token)) { tooMany(res, `at most ${limits.perToken.describe()} per token`); return; }
      const actor: Actor = { name: who.name ?? who.role, role: who.role, lines: who.lines };
      const lines = who.lines;
      let parts: string[];
      try { parts = path.split('/').slice(2).map(decodeURIComponent); } catch { throw new ClientError(400, 'the path is not valid percent-encoding'); }
      if (req.method === 'GET' && path === '/api/holds') { send(res, 200, state.activeHolds(lines)); return; }
      if (req.method === 'GET' && path === '/api/alarms') { send(res, 200, state.openAlarms(lines)); return; }
      if (req.method === 'GET' && parts[0] === 'units' && parts[2] === 'status' && parts.length === 3) { send(res, 200, state.unitStatus(parts[1], lines)); return; }
      if (req.method === 'GET' && parts[0] === 'holds' && parts[2] === 'units' && parts.length === 3) { await holdUnits(parts[1], url, actor, res); return; }
      if (req.method === 'POST' && parts[0] === 'alarms' && parts[2] === 'ack' && parts.length === 3) {
        const body = await readJson(req);
        reply(res, state.acknowledgeAlarm(parts[1], actor, codeField(body, 'causeCode')));
        return;
      }
      if (req.method === 'POST' && parts[0] === 'alarms' && parts[2] === 'shelve' && parts.length === 3) {
        if (who.role !== 'quality') { reply(res, roleRefusal(actor, 'shelving an alarm', 'quality')); return; }
        const body = await readJson(req);
        const minutes = Number(body.minutes);
        if (!(Number.isFinite(minutes) && minutes > 0 && minutes <= 24 * 60)) throw new ClientError(400, '"minutes" must be a number from 1 to 1440');
        reply(res, state.shelveAlarm(parts[1], actor, minutes, bodyText(body, 'reason', true)!));
        return;
      }
      if (req.method === 'POST' && parts[0] === 'holds' && parts[2] === 'release' && parts.length === 3) {
        if (who.role !== 'quality') { reply(res, roleRefusal(actor, 'releasing a hold', 'quality')); return; }
        const body = await readJson(req);
        const request: ReleaseRequest = { reason: bodyText(body, 'reason', false), causeCode: codeField(body, 'causeCode'), actionCode: codeField(body, 'actionCode') };
        if (body.signature !== undefined) {
          const signature = await sign(body, who, actor, parts[1], state.lineOf(parts[1]) ?? '', 'released', address, res);
          if (!signature) return;
          request.signature = signature;
        }
        reply(res, state.release(parts[1], actor, request));
        return;
      }
      if (parts[0] === 'checks') {
        if (!state.checks) { send(res, 404, { error: 'the rules in use declare no manual checks (checks: in a rule file)' }); return; }
        if (who.role === 'plc') { reply(res, roleRefusal(actor, 'manual checks', 'operator or quality')); return; }
        if (req.method === 'GET' && parts.length === 1) { send(res, 200, state.checks.status(lines)); return; }
        if (req.method === 'GET' && parts[1] === 'on-time' && parts.length === 2) { send(res, 200, await state.checks.onTime(lines)); return; }
        if (req.method === 'POST' && parts.length === 1) {
          const body = await readJson(req);
          if (typeof body.check !== 'string') throw new ClientError(400, '"check" (the id of a rule file check) is required', 'check');
          if (!Array.isArray(body.entries) || body.entries.length === 0 || body.entries.length > 50) throw new ClientError(400, '"entries" must be a list of 1 to 50 { "unit", "value" }', 'entries');
          const entries = body.entries.map((e: unknown, i: number) => {
            const unit = isObject(e) && typeof e.unit === 'string' ? e.unit.trim() : '';
            if (!/^[^\u0000-\u001f\u007f\\]{1,128}$/.test(unit)) throw new ClientError(400, `"entries[${i}].unit" must be the unit ID as scanned (1 to 128 characters, no control characters)`, `entries[${i}].unit`);
            const value = isObject(e) ? (typeof e.value === 'string' && e.value.trim() !== '' ? Number(e.value) : e.value) : undefined;
            if (typeof value !== 'number' || !Number.isFinite(value)) throw new ClientError(400, `"entries[${i}].value" must be a number`, `entries[${i}].value`);
            return { unit, value };
          });
          reply(res, await state.checks.submit(actor, body.check, entries));
          return;
        }
      }
      if (parts[0] === 'limits' && state.controlledLimits) {
        const workflow = state.controlledLimits;
        if (who.role === 'plc') { reply(res, roleRefusal(actor, 'reading limits', 'operator or quality')); return; }
        if (req.method === 'GET' && parts.length === 1) {
          const q = (k: string) => url.searchParams.get(k) ?? undefined;
          send(res, 200, await workflow.versions({ lines, characteristic: q('characteristic'), series: q('series'), state: q('state') }));
          return;
        }
        if (req.method === 'POST' && parts[1] === 'proposals' && parts.length === 2) {
          const body = await readJson(req);
          const text = (k: string) => (typeof body[k] === 'string' ? body[k] as string : undefined);
          const characteristic = text('characteristic');
          if (!characteristic) throw new ClientError(400, '"characteristic" (its id in the rule file) is required', 'characteristic');
          const from = text('from'), to = text('to');
          if (!from || calendarProblem(from)) throw new ClientError(400, '"from" must be an ISO-8601 time', 'from');
          if (!to || calendarProblem(to)) throw new ClientError(400, '"to" must be an ISO-8601 time', 'to');
          const exclude = body.exclude === undefined ? [] : body.exclude;
          if (!Array.isArray(exclude) || !exclude.every((e) => Number.isInteger(e) && e >= 1)) throw new ClientError(400, '"exclude" must be a list of point numbers (1-based within the window)', 'exclude');
          const split = body.split === undefined ? undefined : body.split;
          if (split !== undefined && (!isObject(split) || !Object.values(split).every((v) => typeof v === 'string'))) throw new ClientError(400, '"split" must be an object of strings, e.g. { "product": "P-100" }', 'split');
          reply(res, await workflow.propose(actor, { characteristic, split: split as Record<string, string> | undefined, line: text('line'), station: text('station'), from, to, exclude: exclude as number[], reason: bodyText(body, 'reason', true)! }));
          return;
        }
        if (req.method === 'POST' && parts[1] === 'proposals' && parts[3] === 'approve' && parts.length === 4) {
          if (who.role !== 'quality') { reply(res, roleRefusal(actor, 'approving limits', 'quality')); return; }
          const id = Number(parts[2]);
          if (!Number.isInteger(id) || id < 1) throw new ClientError(404, `no limits proposal ${parts[2]}`);
          const body = await readJson(req);
          if (body.signature === undefined) throw new ClientError(400, '"signature" is required: limits change only with an electronic signature ({ "secret": … })', 'signature');
          const signature = await sign(body, who, actor, `limits proposal ${id}`, '', 'approved', address, res);
          if (!signature) return;
          reply(res, await workflow.approve(id, actor, signature));
          return;
        }
      }
      if (req.method === 'POST' && parts[0] === 'holds' && parts[2] === 'cause' && parts.length === 3) {
        if (who.role === 'plc') { reply(res, roleRefusal(actor, 'recording a cause', 'operator or quality')); return; }
        if (!state.store) { send(res, 503, { error: 'no genealogy store configured (spc run --store …)' }); return; }
        const body = await readJson(req);
        const cause = bodyText(body, 'assignableCause', false), action = bodyText(body, 'correctiveAction', false);
        if (!cause && !action) throw new ClientError(400, 'send "assignableCause" and/or "correctiveAction" (at least 3 characters each)');
        const line = state.lineOf(parts[1]) ?? await state.store.holdLine(parts[1]);
        if (line === undefined) { send(res, 404, { error: `no hold ${parts[1]}` }); return; }
        if (!inScope(actor, line)) { reply(res, outOfScope(actor, `hold ${parts[1]}`, line)); return; }
        if (!(await state.store.recordCause(parts[1], cause, action))) { send(res, 404, { error: `no hold ${parts[1]}` }); return; }
        await state.store.audit({ actor: actor.name, role: who.role, action: 'cause', target: parts[1], line, reason: cause ?? null, detail: { assignableCause: cause, correctiveAction: action } });
        send(res, 200, { id: parts[1], assignableCause: cause, correctiveAction: action });
        return;
      }
      if (req.method !== 'GET') { send(res, 405, { error: `${req.method} ${path} is not allowed` }); return; }
      if (parts[0] === 'pareto' && parts.length === 1) {
        if (who.role === 'plc') { reply(res, roleRefusal(actor, 'reading a Pareto', 'operator or quality')); return; }
        if (!state.store) { send(res, 503, { error: 'no genealogy store configured (spc run --store postgres://… or pglite:…)' }); return; }
        const of = url.searchParams.get('of') ?? 'cause';
        if (of !== 'cause' && of !== 'rule') throw new ClientError(400, 'query parameter "of" must be cause or rule', 'of');
        const line = url.searchParams.get('line') ?? undefined;
        if (line !== undefined && lines && !lines.includes(line)) { reply(res, outOfScope(actor, 'this Pareto', line)); return; }
        const characteristic = url.searchParams.get('characteristic') ?? undefined;
        const from = url.searchParams.has('from') ? timeParam(url, 'from') : undefined, to = url.searchParams.has('to') ? timeParam(url, 'to') : undefined;
        const rows = await state.store.pareto(of, { lines: line ? [line] : lines, characteristic, from, to });
        const total = rows.reduce((a, r) => a + r.count, 0);
        let cumulative = 0;
        send(res, 200, { of, total, rows: rows.map((r) => ({ ...r, cumulative: total ? (cumulative += r.count) / total : 0 })) });
        return;
      }
      if (parts[0] === 'trace' || parts[0] === 'audit') {
        if (who.role === 'plc') { reply(res, roleRefusal(actor, parts[0] === 'audit' ? 'reading the audit trail' : 'tracing', 'operator or quality')); return; }
        if (!state.store) { send(res, 503, { error: 'no genealogy store configured (spc run --store postgres://… or pglite:…)' }); return; }
        const store = state.store;
        if (parts[0] === 'audit' && parts.length === 1) { send(res, 200, await store.auditLog(intParam(url, 'limit', 1, 1000, 100), lines)); return; }
        if (parts[1] === 'unit' && parts[2]) {
          const history = await store.unitHistory(parts[2], lines);
          if (lines && !history.samples.length && !history.holds.length) {
            const elsewhere = await store.unitLines(parts[2]);
            if (elsewhere.length) { send(res, 403, { error: `unit ${parts[2]} was made on line(s) ${elsewhere.join(', ')}; this token may read line(s) ${lines.join(', ')} only` }); return; }
          }
          send(res, 200, history);
          return;
        }
        if (parts[1] === 'lot' && parts[2]) { send(res, 200, await store.lotUnits(parts[2], lines)); return; }
        if (parts[1] === 'hold' && parts[2]) {
          const t = await store.holdTrace(parts[2]);
          if (!t) { send(res, 404, { error: `no hold ${parts[2]}` }); return; }
          if (!inScope(actor, String(t.hold.line))) { reply(res, outOfScope(actor, `hold ${parts[2]}`, String(t.hold.line))); return; }
          send(res, 200, t);
          return;
        }
        if (parts[1] === 'station' && parts[2]) {
          const from = timeParam(url, 'from'), to = timeParam(url, 'to');
          const product = url.searchParams.get('product') ?? undefined;
          send(res, 200, { station: parts[2], from, to, ...(product ? { product } : {}), units: await store.unitsThrough(parts[2], from, to, lines, product) });
          return;
        }
      }
      send(res, 404, { error: `no such API: ${path}` });
    } catch (err) {
      if (err instanceof ClientError) { send(res, err.status, { error: err.message, ...(err.field ? { field: err.field } : {}) }); return; }
      // Raw database or runtime text stays in the log; the client gets a reference to it.
      const ref = Math.random().toString(36).slice(2, 10);
      state.log?.('error', 'API request failed', { ref, method: req.method, path, err: String(err) });
      send(res, 500, { error: `internal error (reference ${ref} in the service log)` });
    }
  };
}
