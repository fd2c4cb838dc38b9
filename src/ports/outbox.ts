/** One stored outbox entry: lines waiting for the time-series database. */
export interface OutboxEntry {
  data: Uint8Array;
  /** Position in the outbox, for dead letters. */
  seq: number;
  ack(): void;
  /** Still being worked on (a long retry): keep it from being delivered again meanwhile. */
  working(): void;
}

/** The outbox as the drain reads it (a JetStream work queue in production). */
export interface OutboxReader {
  entries(): Promise<AsyncIterable<OutboxEntry> & { stop(): void }>;
  /** Keeps a line the database refused for good, with why (reason `unstorable`). */
  deadLetter(entry: OutboxEntry, index: number, line: string, error: string): Promise<void>;
}

/**
 * Where lines are written (InfluxDB in production). A failure is thrown; `retriable: false` on
 * the error means the database refused the lines for their content (retrying cannot help).
 */
export interface LineWriter {
  write(lines: readonly string[]): Promise<void>;
}

/** Whether a write error says the lines themselves were refused (not a lost connection). */
export const isRefusal = (err: unknown): boolean => (err as { retriable?: unknown } | null)?.retriable === false;
