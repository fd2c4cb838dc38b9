import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { addBounded, LogThrottle, personText, type Actor, type AlarmRecord, type AlarmView, type HoldSignal, type HoldView, type LifecycleSignal, type PointRecord, type Refusal, type ReleaseRequest, type ReleaseSignal, type UnitStatus } from '../../core/index.js';
import { AccessLimits } from '../../auth/limits.js';
import { findToken, type TokenEntry } from '../../auth/tokens.js';

/** What the server asks of the worker: the active state, and releases requested by quality users. */
export interface SignalState {
  /** Active holds and alarms of the lines, each with its unit count and first units (views). */
  snapshot(lines: readonly string[] | undefined): { holds: HoldView[]; alarms: AlarmView[]; alarmStates?: AlarmRecord[] };
  /** The line of an active hold, or undefined. */
  holdLine(id: string): string | undefined;
  /** The unit-status interlock: is the unit held by an active hold of these lines (answered from memory). */
  unitStatus?(unit: string, lines: readonly string[] | undefined): UnitStatus;
  /** Releases a hold if the actor's role and lines allow it. */
  release(id: string, actor: Actor, request: ReleaseRequest): ReleaseSignal | Refusal;
  /** The worker's health, carried by every heartbeat: a gateway fails safe on a sick worker, not only a silent one. */
  health?(): { ok: boolean; problems?: string[] };
  /**
   * Why this worker cannot vouch for these lines' holds now (undefined when it can): it does not
   * own their partitions — not yet after a start or take-over, or another worker does. Such a
   * client's heartbeats say unhealthy and its unit checks answer held.
   */
  coverage?(lines: readonly string[] | undefined): string | undefined;
}

/**
 * Bytes a client may have waiting to be sent (a slow or stalled reader). Chart points are skipped
 * above BUFFER_SKIP_POINTS. A client whose backlog stays above its bound for SLOW_FOR_MS is
 * disconnected — a PLC at a lower bound (it fails safe on the close and gets a snapshot when it
 * reconnects) — so a hold is never silently skipped. A burst of signals sent in one turn of the
 * event loop fills every socket's buffer for a moment, hence the time condition; the hard bound
 * disconnects at once whatever the time, to bound memory.
 */
export const BUFFER_SKIP_POINTS = 256 * 1024;
export const BUFFER_SLOW_PLC = 1024 * 1024;
export const BUFFER_SLOW_SCREEN = 4 * 1024 * 1024;
export const BUFFER_HARD = 64 * 1024 * 1024;
export const SLOW_FOR_MS = 2000;
/**
 * Unacknowledged hold revisions kept per PLC client, at most: a client that reads but never
 * acknowledges is disconnected (1013) past it rather than grow the server's memory; it reconnects
 * and gets a snapshot, which names every active hold.
 */
export const MAX_UNACKED = 20_000;
/** Released hold ids remembered per client, so a late acknowledgement of one is not an error. */
const MAX_RELEASED_REMEMBERED = 1_000;

/** A revision sent to a PLC and not acknowledged yet (a snapshot's view counts as one), and when it was last sent. */
interface Pending { msg: HoldSignal | HoldView; sentAt: number; view: boolean }

export interface SignalServerOptions {
  tokens: readonly TokenEntry[];
  state: SignalState;
  /** Heartbeat period, ms; default 250. Gateways hold the line when heartbeats stop. */
  heartbeatMs?: number;
  /** How long a PLC has to acknowledge a hold before it is sent again, ms; default 1000. */
  resendMs?: number;
  /** Largest client message, bytes; default 64 KiB. */
  maxPayload?: number;
  /** Request budgets shared with the HTTP API (failed authentication per address, upgrades and connections per token). */
  limits?: AccessLimits;
  log?: (level: 'info' | 'warn', msg: string, extra?: Record<string, unknown>) => void;
}

interface Client {
  ws: WebSocket;
  entry: TokenEntry;
  /** Lines this client receives: its subscription within its token's lines; undefined = all. */
  lines: string[] | undefined;
  /**
   * PLC clients: per hold, the revisions sent and not yet acknowledged, in order (a snapshot's
   * view counts as one), each with when it was last sent. An ack of rev N clears every rev ≤ N.
   */
  unacked: Map<string, Pending[]>;
  /** How many revisions `unacked` holds (bounded by MAX_UNACKED). */
  unackedCount: number;
  /** Holds released since they were sent to this client (an ack may cross the release). */
  released: Set<string>;
  /** Screens that asked for chart points ({"type":"points","on":true}). */
  points: boolean;
  /** Since when the client's backlog has been above its bound, ms. */
  slowSince?: number;
}

export const SIGNALS_PATH = '/signals';

function tokenOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? undefined;
}

/**
 * The WebSocket endpoint `ws://HOST:PORT/signals` for PLC gateways and operator screens; the
 * protocol is in docs/signals.md. Authenticates at the handshake (401 otherwise), sends a
 * snapshot of the active holds first, then holds, releases, alarms and heartbeats for the
 * client's lines; re-sends holds a PLC has not acknowledged.
 */
export class SignalServer {
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private heartbeatSeq = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly heartbeatMs: number;
  private readonly resendMs: number;
  private readonly log: NonNullable<SignalServerOptions['log']>;
  private readonly limits: AccessLimits;
  private readonly logThrottle = new LogThrottle();
  private readonly corked = new Set<Duplex>();
  /** Open connections per token, for the cap. */
  private readonly connections = new Map<string, number>();
  /** Clients disconnected for reading too slowly (for /metrics and tests). */
  slowDisconnects = 0;

  constructor(server: Server, private readonly o: SignalServerOptions) {
    this.heartbeatMs = o.heartbeatMs ?? 250;
    this.resendMs = o.resendMs ?? 1000;
    this.log = o.log ?? (() => {});
    this.limits = o.limits ?? new AccessLimits();
    this.wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayload ?? 64 * 1024 });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.timers.push(setInterval(() => this.heartbeat(), this.heartbeatMs));
    this.timers.push(setInterval(() => this.resendUnacked(), Math.max(50, Math.floor(this.resendMs / 2))));
  }

  get clientCount(): number { return this.clients.size; }

  private refuse(socket: Duplex, status: string, text: string, extra?: string): void {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra ?? ''}\r\n${text}\n`);
  }

  /** One log line per kind of refusal and 10 s, with how many were held back. */
  private logRefusal(kind: string, extra: Record<string, unknown>): void {
    const held = this.logThrottle.admit(kind, Date.now());
    if (held !== undefined) this.log('warn', `signals: refused a connection (${kind})`, { ...extra, ...(held ? { heldBack: held } : {}) });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== SIGNALS_PATH) { socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n'); return; }
    const address = req.socket.remoteAddress ?? '?';
    const entry = findToken(this.o.tokens, tokenOf(req));
    if (!entry) {
      this.logRefusal('no valid token', { remote: address });
      if (!this.limits.failedAuth.take(address)) { this.refuse(socket, '429 Too Many Requests', 'too many failed authentications from this address', 'Retry-After: 1\r\n'); return; }
      this.refuse(socket, '401 Unauthorized', 'missing or unknown token');
      return;
    }
    if (!this.limits.upgradesPerToken.take(entry.token)) { this.logRefusal('upgrade rate', { token: entry.name ?? entry.role }); this.refuse(socket, '429 Too Many Requests', `at most ${this.limits.upgradesPerToken.describe()} connections opened per token`, 'Retry-After: 1\r\n'); return; }
    const open = this.connections.get(entry.token) ?? 0;
    if (open >= this.limits.connectionsPerToken) { this.logRefusal('connection cap', { token: entry.name ?? entry.role }); this.refuse(socket, '429 Too Many Requests', `this token already has ${open} open connections (at most ${this.limits.connectionsPerToken})`); return; }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, entry));
  }

  private connected(ws: WebSocket, entry: TokenEntry): void {
    const client: Client = { ws, entry, lines: entry.lines ? [...entry.lines] : undefined, unacked: new Map(), unackedCount: 0, released: new Set(), points: false };
    this.clients.add(client);
    this.connections.set(entry.token, (this.connections.get(entry.token) ?? 0) + 1);
    let gone = false;
    const leave = () => {
      if (gone) return;
      gone = true;
      this.clients.delete(client);
      const n = (this.connections.get(entry.token) ?? 1) - 1;
      if (n > 0) this.connections.set(entry.token, n); else this.connections.delete(entry.token);
    };
    ws.on('close', leave);
    ws.on('error', leave);
    ws.on('message', (data, isBinary) => this.onMessage(client, isBinary ? '' : data.toString()));
    this.sendSnapshot(client);
  }

  /** Sends to a client; one past the hard bound is disconnected at once (never left silently missing a hold). */
  private send(client: Client, msg: object | string): void {
    if (client.ws.readyState !== client.ws.OPEN) return;
    if (client.ws.bufferedAmount > BUFFER_HARD) { this.disconnectSlow(client); return; }
    this.cork(client);
    client.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /**
   * Frames sent in one turn of the event loop go out in one write per client: a busy line sends
   * a revision per point, and a system call per frame cost more than the processing itself
   * (measured: 29% of the worker's time at 13,000 msg/s). They are written before the next I/O.
   */
  private cork(client: Client): void {
    const socket = (client.ws as unknown as { _socket?: Duplex }) ._socket;
    if (!socket || this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    if (this.corked.size === 1) setImmediate(() => { for (const s of this.corked) s.uncork(); this.corked.clear(); });
  }

  /** Close code 1013 ("try again later"): the client reconnects and gets a snapshot. */
  private disconnectSlow(client: Client, why = 'reading too slowly'): void {
    this.slowDisconnects++;
    this.logRefusal(`${why}: disconnected`, { token: client.entry.name ?? client.entry.role, buffered: client.ws.bufferedAmount });
    client.ws.close(1013, `${why}: reconnect for a snapshot`);
    client.ws.terminate();
    this.clients.delete(client);
  }

  /** Disconnects clients whose backlog stayed above their bound for SLOW_FOR_MS. */
  private checkSlowReaders(now: number): void {
    for (const c of [...this.clients]) {
      const bound = c.entry.role === 'plc' ? BUFFER_SLOW_PLC : BUFFER_SLOW_SCREEN;
      if (c.ws.bufferedAmount <= bound) { c.slowSince = undefined; continue; }
      c.slowSince ??= now;
      if (now - c.slowSince >= SLOW_FOR_MS) this.disconnectSlow(c);
    }
  }

  /** The health a client's heartbeats carry: the worker's, and whether it vouches for the client's lines. */
  private healthFor(client: Client): { healthy: boolean; problems?: string[] } {
    const h = this.o.state.health?.() ?? { ok: true };
    const uncovered = this.o.state.coverage?.(client.lines);
    const problems = [...(h.ok ? [] : h.problems ?? []), ...(uncovered ? [uncovered] : [])];
    return problems.length || !h.ok ? { healthy: false, problems } : { healthy: true };
  }

  /**
   * A fresh snapshot to every client (the worker took or gave up a partition): what it vouches
   * for changed. A PLC's unacknowledged revisions are replaced by the snapshot's views.
   */
  resync(): void {
    for (const c of [...this.clients]) this.sendSnapshot(c);
  }

  private sendSnapshot(client: Client): void {
    const { holds, alarms, alarmStates } = this.o.state.snapshot(client.lines);
    // With the health: a gateway follows the snapshot only when it says healthy (or the next heartbeat does).
    this.send(client, { type: 'snapshot', role: client.entry.role, lines: client.lines ?? null, holds, alarms, ...(alarmStates ? { alarmStates } : {}), heartbeatMs: this.heartbeatMs, ...this.healthFor(client), ts: new Date().toISOString() });
    if (client.entry.role !== 'plc') return;
    // Holds sent before and not in this snapshot (released, or another worker's now): a late ack of one is no error.
    const listed = new Set(holds.map((h) => h.id));
    for (const id of client.unacked.keys()) if (!listed.has(id)) addBounded(client.released, id, MAX_RELEASED_REMEMBERED);
    client.unacked.clear();
    const now = Date.now();
    for (const h of holds) client.unacked.set(h.id, [{ msg: h, sentAt: now, view: true }]);
    client.unackedCount = holds.length;
  }

  private error(client: Client, code: string, message: string, id?: string): void {
    this.send(client, { type: 'error', code, message, ...(id ? { id } : {}) });
  }

  private onMessage(client: Client, text: string): void {
    let msg: { type?: unknown; lines?: unknown; id?: unknown; reason?: unknown; causeCode?: unknown; actionCode?: unknown };
    try { msg = JSON.parse(text); } catch { this.error(client, 'bad-message', 'messages must be JSON objects with a "type"'); return; }
    if (typeof msg !== 'object' || msg === null) { this.error(client, 'bad-message', 'messages must be JSON objects with a "type"'); return; }
    switch (msg.type) {
      case 'subscribe': {
        if (!Array.isArray(msg.lines) || !msg.lines.every((l) => typeof l === 'string')) { this.error(client, 'bad-message', 'subscribe needs "lines": an array of line names'); return; }
        const allowed = client.entry.lines;
        const refused = allowed ? (msg.lines as string[]).filter((l) => !allowed.includes(l)) : [];
        if (refused.length) { this.error(client, 'forbidden', `this token may not see line(s) ${refused.join(', ')}`); return; }
        client.lines = [...(msg.lines as string[])];
        this.sendSnapshot(client);
        return;
      }
      case 'points': {
        client.points = (msg as { on?: unknown }).on !== false;
        return;
      }
      case 'ack': {
        if (typeof msg.id !== 'string') { this.error(client, 'bad-message', 'ack needs the hold "id" (and its "rev")'); return; }
        const rev = (msg as { rev?: unknown }).rev;
        if (rev !== undefined && !(Number.isInteger(rev) && (rev as number) > 0)) { this.error(client, 'bad-message', '"rev" must be a positive whole number', msg.id); return; }
        const u = client.unacked.get(msg.id);
        // A client acknowledges only holds it was sent (its own lines): anything else is an error,
        // not a no-op; an acknowledgement that crossed the hold's release is neither.
        if (!u) {
          const line = this.o.state.holdLine(msg.id);
          if (client.entry.role === 'plc' && !client.released.has(msg.id) && (line === undefined || (client.lines && !client.lines.includes(line)))) this.error(client, 'not-found', `no hold ${msg.id} was sent to this client`, msg.id);
          return;
        }
        // Version 1 clients ack without rev: every revision sent so far.
        const left = rev === undefined ? [] : u.filter((p) => p.msg.rev > (rev as number));
        client.unackedCount -= u.length - left.length;
        if (left.length) client.unacked.set(msg.id, left); else client.unacked.delete(msg.id);
        return;
      }
      case 'check': {
        const m = msg as { unit?: unknown; ref?: unknown };
        if (typeof m.unit !== 'string' || !m.unit || m.unit.length > 200) { this.error(client, 'bad-message', 'check needs the "unit" (1 to 200 characters)'); return; }
        const status = this.o.state.unitStatus?.(m.unit, client.lines) ?? { unit: m.unit, held: false, holds: [] };
        // A worker that cannot vouch for the client's lines (or is sick) answers held, saying why: the station must not work on it.
        const h = this.healthFor(client);
        this.send(client, { type: 'status', ...(m.ref !== undefined ? { ref: m.ref } : {}), ...status, ...(h.healthy ? {} : { held: true, unsure: h.problems }) });
        return;
      }
      case 'release': {
        const reason = personText(msg.reason);
        if (typeof msg.id !== 'string' || reason === undefined) { this.error(client, 'bad-message', 'release needs the hold "id" and a "reason" (3 to 500 characters, no control characters)'); return; }
        const e = client.entry;
        // Codes travel as given; the reaction plan checks them (a signature needs the HTTP API).
        const code = (v: unknown) => (typeof v === 'string' && v.length <= 32 ? v : undefined);
        const result = this.o.state.release(msg.id, { name: e.name ?? e.role, role: e.role, lines: e.lines }, { reason, causeCode: code(msg.causeCode), actionCode: code(msg.actionCode) });
        if ('refused' in result) this.error(client, result.refused, result.message, msg.id);
        return; // the release itself reaches everyone through broadcast()
      }
      default:
        this.error(client, 'bad-message', `unknown message type ${JSON.stringify(msg.type)}; expected subscribe, ack, check, release or points`);
    }
  }

  /** Sends a signal to every client whose lines include the signal's line. */
  broadcast(signal: LifecycleSignal): void {
    const now = Date.now();
    let text: string | undefined;
    for (const c of this.clients) {
      if (c.lines && !c.lines.includes(signal.line)) continue;
      if (c.ws.readyState !== c.ws.OPEN) continue; // closing: nothing is sent, so nothing is waited for
      text ??= JSON.stringify(signal);
      this.send(c, text);
      if (c.entry.role !== 'plc') continue;
      if (signal.type === 'hold') {
        const u = c.unacked.get(signal.id);
        const p: Pending = { msg: signal, sentAt: now, view: false };
        if (u) u.push(p); else c.unacked.set(signal.id, [p]);
        if (++c.unackedCount > MAX_UNACKED) this.disconnectSlow(c, `more than ${MAX_UNACKED} hold revisions unacknowledged`);
      } else if (signal.type === 'release') {
        c.unackedCount -= c.unacked.get(signal.id)?.length ?? 0;
        c.unacked.delete(signal.id);
        addBounded(c.released, signal.id, MAX_RELEASED_REMEMBERED);
      }
    }
  }

  /** Chart points for the screens that asked for them (the console), as `point` messages. */
  broadcastPoint(p: PointRecord, line: string, station: string): void {
    let text: string | undefined;
    for (const c of this.clients) {
      if (!c.points || (c.lines && !c.lines.includes(line))) continue;
      if (c.ws.bufferedAmount > BUFFER_SKIP_POINTS) continue; // points are for the eye: a slow screen skips some
      text ??= JSON.stringify({ ...p, line, station });
      this.send(c, text);
    }
  }

  private heartbeat(): void {
    this.checkSlowReaders(Date.now());
    const seq = ++this.heartbeatSeq, ts = new Date().toISOString();
    // Per client: whether the worker vouches for its lines differs from client to client.
    const texts = new Map<string, string>();
    for (const c of [...this.clients]) {
      const h = this.healthFor(c);
      const key = JSON.stringify(h);
      let text = texts.get(key);
      if (text === undefined) texts.set(key, text = JSON.stringify({ type: 'heartbeat', seq, ts, ...h }));
      this.send(c, text);
    }
  }

  /**
   * Revisions unacknowledged for `resendMs` since they were last sent, again, in order: each names
   * only its own units, so all are needed. Not while a client's earlier frames still wait in its
   * socket (a slow reader): re-sending then only piled up copies until it was cut off as slow.
   */
  private resendUnacked(): void {
    const now = Date.now();
    for (const c of [...this.clients]) {
      if (c.ws.bufferedAmount > 0) continue;
      for (const pending of c.unacked.values()) {
        for (const p of pending) {
          if (now - p.sentAt < this.resendMs) continue;
          p.sentAt = now;
          // A snapshot's view is re-sent as a hold carrying it: its first units in `added` too (page for the rest).
          this.send(c, p.view ? { ...p.msg, type: 'hold', added: (p.msg as HoldView).units, resent: true } : { ...p.msg, resent: true });
        }
        if (!this.clients.has(c)) break; // disconnected as too slow
      }
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const c of this.clients) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
