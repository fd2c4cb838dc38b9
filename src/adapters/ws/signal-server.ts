import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AlarmRecord, AlarmSignal, HoldSignal, LifecycleSignal, PointRecord, ReleaseSignal } from '../../core/index.js';
import { findToken, type TokenEntry } from '../../auth/tokens.js';

/** What the server asks of the worker: the active state, and releases requested by quality users. */
export interface SignalState {
  snapshot(lines: readonly string[] | undefined): { holds: HoldSignal[]; alarms: AlarmSignal[]; alarmStates?: AlarmRecord[] };
  /** Releases a hold; the server has already checked the role. A string is an error for the client. */
  release(id: string, by: string, reason: string): ReleaseSignal | string;
}

export interface SignalServerOptions {
  tokens: readonly TokenEntry[];
  state: SignalState;
  /** Heartbeat period, ms; default 250. Gateways hold the line when heartbeats stop. */
  heartbeatMs?: number;
  /** How long a PLC has to acknowledge a hold before it is sent again, ms; default 1000. */
  resendMs?: number;
  /** Largest client message, bytes; default 64 KiB. */
  maxPayload?: number;
  log?: (level: 'info' | 'warn', msg: string, extra?: Record<string, unknown>) => void;
}

interface Client {
  ws: WebSocket;
  entry: TokenEntry;
  /** Lines this client receives: its subscription within its token's lines; undefined = all. */
  lines: string[] | undefined;
  /** PLC clients: holds sent and not yet acknowledged, with when they were last sent. */
  unacked: Map<string, { hold: HoldSignal; sentAt: number }>;
  /** Screens that asked for chart points ({"type":"points","on":true}). */
  points: boolean;
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

  constructor(server: Server, private readonly o: SignalServerOptions) {
    this.heartbeatMs = o.heartbeatMs ?? 250;
    this.resendMs = o.resendMs ?? 1000;
    this.log = o.log ?? (() => {});
    this.wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayload ?? 64 * 1024 });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.timers.push(setInterval(() => this.heartbeat(), this.heartbeatMs));
    this.timers.push(setInterval(() => this.resendUnacked(), Math.max(50, Math.floor(this.resendMs / 2))));
  }

  get clientCount(): number { return this.clients.size; }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== SIGNALS_PATH) { socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n'); return; }
    const entry = findToken(this.o.tokens, tokenOf(req));
    if (!entry) {
      this.log('warn', 'signals: refused a connection without a valid token', { remote: req.socket.remoteAddress });
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nmissing or unknown token\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, entry));
  }

  private connected(ws: WebSocket, entry: TokenEntry): void {
    const client: Client = { ws, entry, lines: entry.lines ? [...entry.lines] : undefined, unacked: new Map(), points: false };
    this.clients.add(client);
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => this.clients.delete(client));
    ws.on('message', (data, isBinary) => this.onMessage(client, isBinary ? '' : data.toString()));
    this.sendSnapshot(client);
  }

  private send(client: Client, msg: object): void {
    if (client.ws.readyState === client.ws.OPEN) client.ws.send(JSON.stringify(msg));
  }

  private sendSnapshot(client: Client): void {
    const { holds, alarms, alarmStates } = this.o.state.snapshot(client.lines);
    this.send(client, { type: 'snapshot', role: client.entry.role, lines: client.lines ?? null, holds, alarms, ...(alarmStates ? { alarmStates } : {}), heartbeatMs: this.heartbeatMs, ts: new Date().toISOString() });
    if (client.entry.role === 'plc') for (const h of holds) client.unacked.set(h.id, { hold: h, sentAt: Date.now() });
  }

  private error(client: Client, code: string, message: string, id?: string): void {
    this.send(client, { type: 'error', code, message, ...(id ? { id } : {}) });
  }

  private onMessage(client: Client, text: string): void {
    let msg: { type?: unknown; lines?: unknown; id?: unknown; reason?: unknown };
    try { msg = JSON.parse(text); } catch { this.error(client, 'bad-message', 'messages must be JSON objects with a "type"'); return; }
    if (typeof msg !== 'object' || msg === null) { this.error(client, 'bad-message', 'messages must be JSON objects with a "type"'); return; }
    switch (msg.type) {
      case 'subscribe': {
        if (!Array.isArray(msg.lines) || !msg.lines.every((l) => typeof l === 'string')) { this.error(client, 'bad-message', 'subscribe needs "lines": an array of line names'); return; }
        const allowed = client.entry.lines;
        const refused = allowed ? (msg.lines as string[]).filter((l) => !allowed.includes(l)) : [];
        if (refused.length) { this.error(client, 'forbidden', `this token may not see line(s) ${refused.join(', ')}`); return; }
        client.lines = [...(msg.lines as string[])];
        client.unacked.clear();
        this.sendSnapshot(client);
        return;
      }
      case 'points': {
        client.points = (msg as { on?: unknown }).on !== false;
        return;
      }
      case 'ack': {
        if (typeof msg.id !== 'string') { this.error(client, 'bad-message', 'ack needs the hold "id"'); return; }
        client.unacked.delete(msg.id);
        return;
      }
      case 'release': {
        if (client.entry.role !== 'quality') { this.error(client, 'forbidden', `releasing a hold needs the quality role (this token is ${client.entry.role})`, typeof msg.id === 'string' ? msg.id : undefined); return; }
        if (typeof msg.id !== 'string' || typeof msg.reason !== 'string' || msg.reason.trim().length < 3) { this.error(client, 'bad-message', 'release needs the hold "id" and a "reason" (at least 3 characters)'); return; }
        const result = this.o.state.release(msg.id, client.entry.name ?? client.entry.role, msg.reason.trim());
        if (typeof result === 'string') this.error(client, 'not-found', result, msg.id);
        return; // the release itself reaches everyone through broadcast()
      }
      default:
        this.error(client, 'bad-message', `unknown message type ${JSON.stringify(msg.type)}; expected subscribe, ack, release or points`);
    }
  }

  /** Sends a signal to every client whose lines include the signal's line. */
  broadcast(signal: LifecycleSignal): void {
    const now = Date.now();
    for (const c of this.clients) {
      if (c.lines && !c.lines.includes(signal.line)) continue;
      this.send(c, signal);
      if (c.entry.role !== 'plc') continue;
      if (signal.type === 'hold') c.unacked.set(signal.id, { hold: signal, sentAt: now });
      else if (signal.type === 'release') c.unacked.delete(signal.id);
    }
  }

  /** Chart points for the screens that asked for them (the console), as `point` messages. */
  broadcastPoint(p: PointRecord, line: string, station: string): void {
    let text: string | undefined;
    for (const c of this.clients) {
      if (!c.points || (c.lines && !c.lines.includes(line))) continue;
      text ??= JSON.stringify({ ...p, line, station });
      if (c.ws.readyState === c.ws.OPEN) c.ws.send(text);
    }
  }

  private heartbeat(): void {
    const msg = JSON.stringify({ type: 'heartbeat', seq: ++this.heartbeatSeq, ts: new Date().toISOString() });
    for (const c of this.clients) if (c.ws.readyState === c.ws.OPEN) c.ws.send(msg);
  }

  private resendUnacked(): void {
    const now = Date.now();
    for (const c of this.clients) {
      for (const u of c.unacked.values()) {
        if (now - u.sentAt < this.resendMs) continue;
        u.sentAt = now;
        this.send(c, { ...u.hold, resent: true });
      }
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const c of this.clients) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
