import {
  AckPolicy, DeliverPolicy, headers, nanos, RetentionPolicy, StorageType,
  type JetStreamClient, type JetStreamManager, type StreamConfig,
} from 'nats';
import { subjectToken } from '../../core/index.js';

/** Names of spc-guard's streams and durable consumers (configurable per deployment). */
export interface StreamNames {
  /** First token of every subject: <prefix>.samples.…, <prefix>.dlq.…, <prefix>.outbox.influx; default "spc". */
  prefix: string;
  /** Samples in: subjects spc.samples.<line>.<station>.<parameter>. */
  samples: string;
  /** Dead letters: spc.dlq.<reason>. */
  deadLetters: string;
  /** InfluxDB lines waiting to be written: spc.outbox.influx. */
  outbox: string;
  /** The InfluxDB writer's durable pull consumer on the outbox. */
  influxDurable: string;
}

export const DEFAULT_STREAMS: StreamNames = {
  prefix: 'spc', samples: 'SPC_SAMPLES', deadLetters: 'SPC_DLQ', outbox: 'SPC_OUTBOX', influxDurable: 'spc-influx',
};

/** Stream and consumer names and subjects for a prefix other than "spc" (tests, several plants on one NATS). */
export function streamNamesFor(prefix: string): StreamNames {
  if (prefix === 'spc') return DEFAULT_STREAMS;
  const up = prefix.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return { prefix, samples: `${up}_SAMPLES`, deadLetters: `${up}_DLQ`, outbox: `${up}_OUTBOX`, influxDurable: `${prefix}-influx` };
}

/** Buckets of the partition state: derived from the samples stream's name, so prefixes never mix. */
export function stateBuckets(n: StreamNames): { state: string; leases: string; snapshots: string } {
  const base = n.samples.replace(/_SAMPLES$/, '');
  return { state: `${base}_STATE`, leases: `${base}_LEASES`, snapshots: `${base}_SNAPSHOTS` };
}

export const sampleSubjects = (n: StreamNames) => `${n.prefix}.samples.>`;
export const deadLetterSubject = (n: StreamNames, reason: string) => `${n.prefix}.dlq.${reason}`;
export const outboxSubject = (n: StreamNames) => `${n.prefix}.outbox.influx`;

/** Subject a sample is published on. Tokens may not contain '.', '*', '>' or spaces, so those become '_'. */
export function sampleSubject(n: StreamNames, line: string, station: string, parameter: string): string {
  return `${n.prefix}.samples.${subjectToken(line)}.${subjectToken(station)}.${subjectToken(parameter)}`;
}

export interface StreamLimits {
  /** How long samples are kept, ms; default 7 days. */
  samplesMaxAgeMs?: number;
  /** How long dead letters are kept, ms; default 30 days. */
  deadLetterMaxAgeMs?: number;
}

async function ensureStream(jsm: JetStreamManager, cfg: Partial<StreamConfig> & { name: string; subjects: string[] }): Promise<void> {
  try {
    const info = await jsm.streams.info(cfg.name);
    const missing = cfg.subjects.filter((s) => !info.config.subjects?.includes(s));
    if (missing.length) await jsm.streams.update(cfg.name, { ...info.config, subjects: [...(info.config.subjects ?? []), ...missing] });
  } catch (err) {
    if (!/stream not found/i.test(String((err as Error).message))) throw err;
    await jsm.streams.add(cfg);
  }
}

/**
 * Creates or verifies the streams and durable pull consumers. Samples are kept by age (limits
 * retention) so history can be replayed; the outbox is a work queue drained by the InfluxDB writer.
 */
export async function ensureStreams(jsm: JetStreamManager, names: StreamNames, limits: StreamLimits = {}): Promise<void> {
  await ensureStream(jsm, {
    name: names.samples, subjects: [sampleSubjects(names)], storage: StorageType.File, retention: RetentionPolicy.Limits,
    max_age: nanos(limits.samplesMaxAgeMs ?? 7 * 24 * 3600_000), duplicate_window: nanos(120_000),
  });
  await ensureStream(jsm, {
    name: names.deadLetters, subjects: [deadLetterSubject(names, '>')], storage: StorageType.File, retention: RetentionPolicy.Limits,
    max_age: nanos(limits.deadLetterMaxAgeMs ?? 30 * 24 * 3600_000),
  });
  await ensureStream(jsm, {
    name: names.outbox, subjects: [outboxSubject(names)], storage: StorageType.File, retention: RetentionPolicy.Workqueue,
    duplicate_window: nanos(120_000),
  });
  await ensureDurable(jsm, names.outbox, names.influxDurable, 60_000, 1_000);
}

async function ensureDurable(jsm: JetStreamManager, stream: string, durable: string, ackWaitMs: number, maxAckPending: number): Promise<void> {
  try {
    await jsm.consumers.info(stream, durable);
  } catch (err) {
    if (!/consumer not found/i.test(String((err as Error).message))) throw err;
    await jsm.consumers.add(stream, {
      durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ackWaitMs), max_ack_pending: maxAckPending, max_deliver: -1,
    });
  }
}

/** What a dead letter says about itself, in headers beside the original payload. */
export interface DeadLetterInfo {
  reason: string; detail: string; subject: string; streamSequence: number;
  item?: number; items?: number[]; counts?: Record<string, number>; kind?: string;
}

/** Longest header value we write: details come from input, and must not bloat the stream. */
const MAX_HEADER = 500;

/**
 * A header value from text that may come from input: NATS refuses CR/LF (and the client throws),
 * so control characters become `\uXXXX` escapes, and the value is cut at MAX_HEADER characters.
 */
export function headerValue(text: string, max = MAX_HEADER): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return clean.length > max ? clean.slice(0, max - 1) + '…' : clean;
}

/** Deletes the streams (and so their consumers) of a prefix; for tests and `spc` clean-ups. */
export async function deleteStreams(jsm: JetStreamManager, names: StreamNames): Promise<void> {
  const b = stateBuckets(names);
  // With the partition state: its KV buckets (streams KV_<bucket>) and the snapshot stream.
  for (const s of [names.samples, names.deadLetters, names.outbox, `KV_${b.state}`, `KV_${b.leases}`, b.snapshots]) await jsm.streams.delete(s).catch(() => false);
}

/** Publishes a bad message to spc.dlq.<reason> (one letter per message) and waits for JetStream to store it. */
export async function publishDeadLetter(js: JetStreamClient, names: StreamNames, info: DeadLetterInfo, payload: Uint8Array): Promise<void> {
  const h = headers();
  h.set('Spc-Reason', headerValue(info.reason, 64));
  h.set('Spc-Detail', headerValue(info.detail));
  h.set('Spc-Subject', headerValue(info.subject));
  h.set('Spc-Stream-Sequence', String(info.streamSequence));
  const items = info.items ?? (info.item !== undefined ? [info.item] : []);
  if (items.length === 1) h.set('Spc-Item', String(items[0]));
  if (items.length) h.set('Spc-Items', items.join(','));
  if (info.counts) h.set('Spc-Counts', headerValue(Object.entries(info.counts).map(([r, n]) => `${r}=${n}`).join(',')));
  // The id makes a retried dead letter a duplicate JetStream drops, not a second copy.
  await js.publish(deadLetterSubject(names, subjectToken(info.reason)), payload, { headers: h, msgID: `dlq-${info.streamSequence}-${info.kind ?? 'm'}` });
}
