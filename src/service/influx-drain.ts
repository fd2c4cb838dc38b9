import { isRefusal, type LineWriter, type OutboxEntry, type OutboxReader } from '../ports/outbox.js';

export interface DrainCounters {
  messages: number; linesWritten: number; failedAttempts: number;
  /** Lines the database refused for their content, dead-lettered as `unstorable` (the rest of their batch is written). */
  linesQuarantined: number;
  /** Lines neither written nor dead-lettered: must stay 0. */
  linesLost: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const decoder = new TextDecoder();

/**
 * Drains the outbox into the time-series database (InfluxDB). An outbox entry is acknowledged
 * only after the database stored its lines; while it is down the lines wait in the outbox
 * (retried with backoff, the entry kept alive with `working()`), so an outage loses nothing. When
 * the database refuses a batch for its content (a field type conflict, a malformed line), the
 * batch is halved until the refused lines stand alone: the others are written (a rewrite is
 * idempotent) and each refused line is dead-lettered as `unstorable`, never dropped silently.
 */
export class InfluxDrain {
  readonly counters: DrainCounters = { messages: 0, linesWritten: 0, failedAttempts: 0, linesQuarantined: 0, linesLost: 0 };
  private entries: { stop(): void } | undefined;
  private stopped = false;

  constructor(
    private readonly outbox: OutboxReader,
    private readonly writer: LineWriter,
    private readonly log: (level: 'info' | 'warn' | 'error', msg: string, extra?: Record<string, unknown>) => void = () => {},
  ) {}

  async run(): Promise<void> {
    while (!this.stopped) {
      const entries = this.entries = await this.outbox.entries();
      for await (const m of entries) {
        await this.drain(m);
        this.counters.messages++;
        if (this.stopped) break;
      }
    }
  }

  private async drain(m: OutboxEntry): Promise<void> {
    const lines = decoder.decode(m.data).split('\n').filter(Boolean);
    for (let attempt = 0; !this.stopped || attempt === 0; attempt++) {
      try {
        const refused = await this.writeRefusing(lines, 0);
        for (const r of refused) await this.outbox.deadLetter(m, r.index, lines[r.index], r.error);
        if (refused.length) {
          this.counters.linesQuarantined += refused.length;
          this.log('error', 'the time-series database refused lines for their content; dead-lettered as unstorable, the rest written', { refused: refused.length, of: lines.length, first: refused[0].error });
        }
        this.counters.linesWritten += lines.length - refused.length;
        m.ack();
        return;
      } catch (err) {
        this.counters.failedAttempts++;
        if (attempt === 0 || attempt % 20 === 0) this.log('warn', 'time-series write failed; retrying, the lines wait in the outbox', { lines: lines.length, attempt, err: String((err as Error).message) });
        m.working();
        await sleep(Math.min(5000, 100 * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  /** Writes lines, halving a batch refused for its content; returns the refused lines' indices. */
  private async writeRefusing(lines: string[], offset: number, refused: { index: number; error: string }[] = []): Promise<{ index: number; error: string }[]> {
    try {
      await this.writer.write(lines);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      if (lines.length === 1) refused.push({ index: offset, error: String((err as Error).message).slice(0, 300) });
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
    this.entries?.stop();
  }
}
