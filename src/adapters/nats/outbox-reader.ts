import type { JetStreamClient } from 'nats';
import type { OutboxReader } from '../../ports/outbox.js';
import { outboxSubject, publishDeadLetter, type StreamNames } from './jetstream.js';

/** The JetStream outbox (a work queue with a durable consumer) as the drain's OutboxReader. */
export function jetStreamOutbox(js: JetStreamClient, streams: StreamNames): OutboxReader {
  return {
    async entries() {
      const consumer = await js.consumers.get(streams.outbox, streams.influxDurable);
      const messages = await consumer.consume({ max_messages: 16 });
      return {
        stop: () => messages.stop(),
        async *[Symbol.asyncIterator]() {
          for await (const m of messages) yield { data: m.data, seq: m.info.streamSequence, ack: () => m.ack(), working: () => m.working() };
        },
      };
    },
    deadLetter: (entry, index, line, error) => publishDeadLetter(js, streams, { reason: 'unstorable', detail: `InfluxDB refused the line: ${error}`, subject: outboxSubject(streams), streamSequence: entry.seq, kind: `influx-${index}` }, new TextEncoder().encode(line)),
  };
}
