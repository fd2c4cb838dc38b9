import { parseSparkplugTopic, type SparkplugTopic } from '../core/sparkplug/topic.js';
import { SparkplugSessions, toNumber, type SparkplugMetric } from '../core/sparkplug/session.js';
import { SparkplugMapper, type SparkplugMap } from '../core/sparkplug/mapper.js';
import type { Sample } from '../core/index.js';

/** A Sparkplug payload as decoded (sparkplug-payload's shape). */
export interface DecodedPayload { timestamp?: number | { toNumber(): number } | null; seq?: number | { toNumber(): number } | null; metrics?: SparkplugMetric[] | null }

/** What the bridge needs around it: decoding, publishing to the samples stream, dead letters, rebirth requests. */
export interface SparkplugBridgeOptions {
  map: SparkplugMap;
  decode(payload: Uint8Array): DecodedPayload;
  /** Publishes samples of one line/station/parameter as one message; `id` makes a republish a duplicate the stream drops. */
  publish(place: { line: string; station: string; parameter: string }, samples: Sample[], id: string): Promise<void>;
  deadLetter(reason: string, detail: string, topic: string, payload: Uint8Array, id: string): Promise<void>;
  /** Asks an edge node for a rebirth (NCMD "Node Control/Rebirth"). */
  requestRebirth(group: string, node: string): Promise<void>;
  log?(level: 'info' | 'warn', msg: string, extra?: Record<string, unknown>): void;
}

export interface SparkplugBridgeCounters {
  messages: number; samples: number; births: number; deaths: number; undecodable: number; unmapped: number; refused: number;
  gaps: number; unknownAliases: number; rebirthsRequested: number; ignored: number;
}

/**
 * `spc bridge sparkplug`: Sparkplug B messages in, samples out. Keeps each edge node's alias table
 * and seq (core/sparkplug/session.ts), asks for a rebirth on a seq gap, an unknown alias or data
 * without a birth, maps metrics to samples (core/sparkplug/mapper.ts) and publishes them with an
 * id derived from the message (node, its bdSeq, seq and timestamp), so a bridge restarted while
 * the broker redelivers never duplicates a sample. Undecodable payloads and unmapped metrics are
 * counted and dead-lettered with the reason. Messages are handled one at a time, in arrival order.
 */
export class SparkplugBridge {
  readonly counters: SparkplugBridgeCounters = { messages: 0, samples: 0, births: 0, deaths: 0, undecodable: 0, unmapped: 0, refused: 0, gaps: 0, unknownAliases: 0, rebirthsRequested: 0, ignored: 0 };
  private readonly sessions = new SparkplugSessions();
  private readonly mapper: SparkplugMapper;
  /** bdSeq of each node's current session (from its NBIRTH): part of every sample message's id. */
  private readonly bdSeq = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly o: SparkplugBridgeOptions) { this.mapper = new SparkplugMapper(o.map); }

  /** Queues a message; resolves when it (and those before it) are handled. */
  message(topic: string, payload: Uint8Array): Promise<void> {
    this.queue = this.queue.then(() => this.handle(topic, payload)).catch((err: unknown) => this.o.log?.('warn', 'sparkplug message failed', { topic, error: String(err) }));
    return this.queue;
  }

  private async handle(topic: string, payload: Uint8Array): Promise<void> {
    this.counters.messages++;
    const t = parseSparkplugTopic(topic);
    if (!t || t.type === 'NCMD' || t.type === 'DCMD' || t.type === 'STATE') { this.counters.ignored++; return; }
    let p: DecodedPayload;
    try { p = this.o.decode(payload); } catch (err) {
      this.counters.undecodable++;
      await this.o.deadLetter('sparkplug-undecodable', `not a Sparkplug B payload: ${String(err).slice(0, 200)}`, topic, payload, `${topic}:${this.counters.messages}:${Date.now()}`);
      return;
    }
    const seq = toNumber(p.seq) ?? -1, ts = toNumber(p.timestamp), metrics = p.metrics ?? [];
    const nodeKey = `${t.group}/${t.node}`;
    if (t.type === 'NDEATH' || t.type === 'DDEATH') { this.counters.deaths++; this.sessions.death(t.group, t.node, t.device); return; }
    if (t.type === 'NBIRTH') {
      this.counters.births++;
      const named = this.sessions.nodeBirth(t.group, t.node, seq, metrics);
      const bd = named.find((m) => m.name === 'bdSeq');
      this.bdSeq.set(nodeKey, toNumber(bd?.value) ?? 0);
      await this.emit(t, named, ts, topic, payload, seq, true);
      return;
    }
    const outcome = t.type === 'DBIRTH' ? this.sessions.deviceBirth(t.group, t.node, t.device ?? '', seq, metrics) : this.sessions.data(t.group, t.node, t.device, seq, metrics);
    if (t.type === 'DBIRTH') this.counters.births++;
    if (outcome.gap) this.counters.gaps++;
    this.counters.unknownAliases += outcome.unknownAliases.length;
    await this.emit(t, outcome.metrics, ts, topic, payload, seq, t.type === 'DBIRTH');
    if (outcome.gap || outcome.unknownAliases.length || outcome.unborn) {
      // State was lost (a dropped message, a birth we never saw): forget the node and ask it to be born again.
      this.o.log?.('warn', 'sparkplug rebirth requested', { node: nodeKey, ...(outcome.gap ? { gap: outcome.gap } : {}), unknownAliases: outcome.unknownAliases.length, unborn: outcome.unborn ?? false });
      this.sessions.forget(t.group, t.node);
      this.counters.rebirthsRequested++;
      await this.o.requestRebirth(t.group, t.node);
    }
  }

  private async emit(t: SparkplugTopic, metrics: ReturnType<SparkplugSessions['nodeBirth']>, ts: number | undefined, topic: string, payload: Uint8Array, seq: number, birth = false): Promise<void> {
    const mapped = this.mapper.apply(t, metrics, ts, Date.now(), birth);
    const id = `sp:${t.group}/${t.node}/${t.device ?? ''}:${this.bdSeq.get(`${t.group}/${t.node}`) ?? 0}:${seq}:${ts ?? 0}`;
    const groups = new Map<string, Sample[]>();
    for (const s of mapped.samples) {
      const k = `${s.line}\u001f${s.station}\u001f${s.parameter}`;
      (groups.get(k) ?? groups.set(k, []).get(k)!).push(s);
    }
    for (const [k, samples] of groups) {
      const [line, station, parameter] = k.split('\u001f');
      await this.o.publish({ line, station, parameter }, samples, `${id}:${parameter}`);
      this.counters.samples += samples.length;
    }
    if (mapped.unmapped.length || mapped.refused.length) {
      this.counters.unmapped += mapped.unmapped.length;
      this.counters.refused += mapped.refused.length;
      const detail = [mapped.unmapped.length ? `unmapped metrics: ${mapped.unmapped.slice(0, 10).join(', ')}` : '', ...mapped.refused.slice(0, 10).map((r) => `${r.metric}: ${r.why}`)].filter(Boolean).join('; ');
      await this.o.deadLetter(mapped.unmapped.length ? 'sparkplug-unmapped' : 'sparkplug-refused', detail, topic, payload, `${id}:dlq`);
    }
  }
}
