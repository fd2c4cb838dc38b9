/** What the worker needs from a message system; JetStream in production, a queue in the demo. */
export interface SampleMessage {
  data: Uint8Array;
  subject: string;
  /** Position in the stream: increasing, so a redelivery is recognised. */
  seq: number;
  /** When the stream stored the message, ms since epoch. */
  storedAtMs: number;
  /** The line token of the subject: the partition key when several workers share the stream. */
  line?: string;
  ack(): void;
}

export interface MessageStream extends AsyncIterable<SampleMessage> {
  stop(): void;
}

/**
 * One dead letter per bad message: the reason of its first bad item, the first few details, bad
 * items per reason and the first indices (batches). `kind` tells a message's first dead letter
 * from a later quarantine of the same message (e.g. `unstorable`), so each has its own id.
 */
export interface DeadLetter {
  reason: string; detail: string; subject: string; streamSequence: number;
  item?: number; items?: number[]; counts?: Record<string, number>; kind?: string;
}

export interface WorkerTransport {
  /** Name of the sample source, stored with trace rows (the JetStream stream name). */
  readonly source: string;
  /** Messages in stream order, starting at stream sequence `from` (a queue without positions ignores it). */
  consume(from: number): Promise<MessageStream>;
  /** Stores a bad message (or batch item) with its reason; resolves once it is durable. */
  deadLetter(info: DeadLetter, payload: Uint8Array): Promise<void>;
  /** Stores InfluxDB lines for the drain; resolves once durable. `id` deduplicates retries. */
  outbox(lines: Uint8Array, id: string): Promise<void>;
  /**
   * Publishes a sample as stations do (manual check entries), so it goes through the same stream
   * and pipeline; resolves once stored. `id` deduplicates a retried publish.
   */
  publishSample(place: { line: string; station: string; parameter: string }, payload: Uint8Array, id: string): Promise<void>;
}
