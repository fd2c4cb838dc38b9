import type { ConsumerMessages, JetStreamClient } from 'nats';
import type { StreamNames } from '../adapters/nats/jetstream.js';
import { InfluxWriteError, type InfluxLineWriter } from '../adapters/influx/writer.js';

export interface DrainCounters { messages: number; linesWritten: number; failedAttempts: number; linesLost: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Drains the JetStream outbox into InfluxDB. An outbox message is acknowledged only after
 * InfluxDB stored its lines; while InfluxDB is down the lines wait in JetStream (retried with
 * backoff, the message kept alive with `working()`), so an outage loses nothing. Lines InfluxDB
 * refuses for good (HTTP 4xx: a field type conflict) are counted in `linesLost` and logged as
 * errors, never dropped silently.
 */
export class InfluxDrain {
  readonly counters: DrainCounters = { messages: 0, linesWritten: 0, failedAttempts: 0, linesLost: 0 };
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
            await this.writer.write(lines);
            this.counters.linesWritten += lines.length;
            m.ack();
            break;
          } catch (err) {
            this.counters.failedAttempts++;
            if (err instanceof InfluxWriteError && !err.retriable) {
              this.counters.linesLost += lines.length;
              this.log('error', 'InfluxDB refused lines for good; they are lost', { lines: lines.length, err: err.message, first: lines[0] });
              m.term();
              break;
            }
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

  stop(): void {
    this.stopped = true;
    this.messages?.stop();
  }
}
