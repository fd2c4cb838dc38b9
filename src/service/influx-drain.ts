import type { ConsumerMessages, JetStreamClient } from 'nats';
import { outboxSubject, publishDeadLetter, type StreamNames } from '../adapters/nats/jetstream.js';
import { InfluxWriteError, type InfluxLineWriter } from '../adapters/influx/writer.js';

export interface DrainCounters {
  messages: number; linesWritten: number; failedAttempts: number;
  /** Lines InfluxDB refused for their content, dead-lettered as `unstorable` (the rest of their batch is written). */
  linesQuarantined: number;
  /** Lines neither written nor dead-lettered: must stay 0. */
  linesLost: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Drains the JetStream outbox into InfluxDB. An outbox message is acknowledged only after
 * InfluxDB stored its lines; while InfluxDB is down the lines wait in JetStream (retried with
 * backoff, the message kept alive with `working()`), so an outage loses nothing. When InfluxDB
 * refuses a batch for its content (HTTP 4xx: a field type conflict, a malformed line), the batch
 * is halved until the refused lines stand alone: the others are written (a rewrite is idempotent)
 * and each refused line goes to the dead-letter stream as `unstorable`, never dropped silently.
 */
export class InfluxDrain {
  readonly counters: DrainCounters = { messages: 0, linesWritten: 0, failedAttempts: 0, linesQuarantined: 0, linesLost: 0 };
  private messages: ConsumerMessages | undefined;
  private stopped = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly streams: StreamNames,
    private readonly writer: InfluxLineWriter,
    private readonly log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void = () => {},
  ) {}

  async run(): Promise<void> {
    const consumer = await this.js.consumers.get(this.streams.outbox, this.streams.influxDurable);
    const decoder = new TextDecoder();
    while (!this.stopped) {
      this.messages = await consumer.consume({ max_messages: 16 });
      for await (const m of this.messages) {
        const lines = decoder.decode(m.data).split('\n').filter(Boolean);
        for (let attempt = 0; !this.stopped || attempt === 0; attempt++) {
          try {
            const refused = await this.writeRefusing(lines, 0);
            for (const r of refused) {
              await publishDeadLetter(this.js, this.streams, { reason: 'unstorable', detail: `InfluxDB refused the line: ${r.error}`, subject: outboxSubject(this.streams), streamSequence: m.info.streamSequence, kind: `influx-${r.index}` }, new TextEncoder().encode(lines[r.index]));
            }
            if (refused.length) {
              this.counters.linesQuarantined += refused.length;
              this.log('error', 'InfluxDB refused lines for their content; dead-lettered as unstorable, the rest written', { refused: refused.length, of: lines.length, first: refused[0].error });
            }
            this.counters.linesWritten += lines.length - refused.length;
            m.ack();
            break;
          } catch (err) {
            this.counters.failedAttempts++;
            if (attempt === 0 || attempt % 20 === 0) this.log('warn', 'InfluxDB write failed; retrying, the lines wait in JetStream', { lines: lines.length, attempt, err: String((err as Error).message) });
            m.working();
            await sleep(Math.min(5000, 100 * 2 ** Math.min(attempt, 6)));
          }
        }
        this.counters.messages++;
        if (this.stopped) break;
      }
    }
  }

  /** Writes lines, halving a batch InfluxDB refuses for its content; returns the refused lines' indices. */
  private async writeRefusing(lines: string[], offset: number, refused: { index: number; error: string }[] = []): Promise<{ index: number; error: string }[]> {
    try {
      await this.writer.write(lines);
    } catch (err) {
      if (!(err instanceof InfluxWriteError) || err.retriable) throw err;
      if (lines.length === 1) refused.push({ index: offset, error: err.message.slice(0, 300) });
      else {
        const mid = lines.length >> 1;
        await this.writeRefusing(lines.slice(0, mid), offset, refused);
        await this.writeRefusing(lines.slice(mid), offset + mid, refused);
      }
    }
    return refused;
  }

  stop(): void {
    this.stopped = true;
    this.messages?.stop();
  }
}
