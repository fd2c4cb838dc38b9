import { HttpError, InfluxDB, type WriteApi } from '@influxdata/influxdb-client';
import type { LineWriter } from '../../ports/outbox.js';
import { v1Transport } from './v1-transport.js';

/** Where points go. InfluxDB 2.x/3.x: url, token, org, bucket. InfluxDB 1.x: url, database (+ rp). */
export interface InfluxTarget {
  url: string;
  /** v2 API token, or "user:password" for 1.x with auth. */
  token?: string;
  org?: string;
  /** v2 bucket; for 1.x `database/retention-policy`. */
  bucket: string;
  /** Write through 1.x's `/write` (InfluxDB < 1.8 has no v2 write endpoint). */
  v1?: boolean;
  /** Request timeout, ms; default 10,000. */
  timeoutMs?: number;
}

/** A write InfluxDB refused; `retriable` says whether trying again can help (network, 5xx, 429). */
export class InfluxWriteError extends Error {
  constructor(message: string, readonly retriable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfluxWriteError';
  }
}

/**
 * Writes line-protocol batches and tells the caller, for each batch, whether InfluxDB stored it.
 * The client's WriteApi does the HTTP work (gzip above 1 kB) but its own background retries are
 * off: a failure rejects `write` and the caller decides (our outbox keeps the lines in JetStream
 * until they are written, so nothing is lost when InfluxDB is down).
 */
export class InfluxLineWriter implements LineWriter {
  private readonly api: WriteApi;

  constructor(readonly target: InfluxTarget) {
    const client = new InfluxDB({ url: target.url, token: target.token, timeout: target.timeoutMs ?? 10_000 });
    const transport = target.v1 ? v1Transport(client.transport) : undefined;
    const db = transport ? new InfluxDB({ url: target.url, token: target.token, timeout: target.timeoutMs ?? 10_000, transport }) : client;
    this.api = db.getWriteApi(target.org ?? '', target.bucket, 'ns', {
      batchSize: 10_000, flushInterval: 0, maxRetries: 0, gzipThreshold: 1000, maxBufferLines: 1_000_000,
      // Returning a rejected promise makes the failure the result of flush() instead of a log line.
      writeFailed: (error: Error) => Promise.reject(error),
    });
  }

  async write(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    this.api.writeRecords(lines as string[]);
    try {
      await this.api.flush();
    } catch (err) {
      const status = err instanceof HttpError ? err.statusCode : undefined;
      const retriable = status === undefined || status >= 500 || status === 429;
      throw new InfluxWriteError(`InfluxDB write of ${lines.length} lines failed${status ? ` (HTTP ${status})` : ''}: ${(err as Error).message}`, retriable, { cause: err });
    }
  }

  async close(): Promise<void> {
    await this.api.close().catch(() => undefined);
  }
}
