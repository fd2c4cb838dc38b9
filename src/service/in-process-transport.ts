import type { DeadLetter, MessageStream, SampleMessage, WorkerTransport } from '../ports/transport.js';
import { subjectToken } from '../core/index.js';

/** Most dead letters kept in memory for inspection. */
const MAX_DEAD_LETTERS = 1000;

/**
 * A transport inside the process, for the embedded demo and for trying spc-guard without a NATS
 * server: publishes go to a queue the worker consumes in order. Nothing is durable (a restart
 * forgets), which is why `spc run` uses JetStream.
 */
export class InProcessTransport implements WorkerTransport {
  readonly source = 'in-process';
  readonly deadLetters: { info: DeadLetter; payload: Uint8Array }[] = [];
  outboxLines = 0;
  private queue: SampleMessage[] = [];
  private wake: (() => void) | undefined;
  private seq = 0;
  private readonly encoder = new TextEncoder();

  publish(subject: string, payload: unknown): void {
    const data = this.encoder.encode(JSON.stringify(payload));
    // Subjects are <prefix>.samples.<line>.<station>.<parameter>, as on JetStream.
    this.queue.push({ data, subject, seq: ++this.seq, storedAtMs: Date.now(), line: subject.split('.')[2], ack: () => {} });
    this.wake?.();
  }

  async publishSample(p: { line: string; station: string; parameter: string }, payload: Uint8Array): Promise<void> {
    this.queue.push({ data: payload, subject: `spc.samples.${subjectToken(p.line)}.${subjectToken(p.station)}.${subjectToken(p.parameter)}`, seq: ++this.seq, storedAtMs: Date.now(), line: subjectToken(p.line), ack: () => {} });
    this.wake?.();
  }

  get pending(): number { return this.queue.length; }

  async consume(): Promise<MessageStream> {
    let stopped = false;
    const self = this;
    return {
      stop: () => { stopped = true; self.wake?.(); },
      async *[Symbol.asyncIterator]() {
        while (!stopped) {
          if (!self.queue.length) { await new Promise<void>((r) => { self.wake = r; }); self.wake = undefined; continue; }
          const batch = self.queue;
          self.queue = [];
          for (const m of batch) yield m;
        }
      },
    };
  }

  async deadLetter(info: DeadLetter, payload: Uint8Array): Promise<void> {
    if (this.deadLetters.length >= MAX_DEAD_LETTERS) this.deadLetters.shift();
    this.deadLetters.push({ info, payload });
  }

  async outbox(lines: Uint8Array): Promise<void> {
    for (const b of lines) if (b === 10) this.outboxLines++;
    this.outboxLines++;
  }
}
