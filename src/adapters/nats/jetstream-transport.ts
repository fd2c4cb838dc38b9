import type { JetStreamClient } from 'nats';
import type { WorkerTransport } from '../../service/transport.js';
import { outboxSubject, publishDeadLetter, type StreamNames } from './jetstream.js';

/** The worker's transport on NATS JetStream: durable pull consumer in, dead letters and outbox out. */
export function jetStreamTransport(js: JetStreamClient, streams: StreamNames): WorkerTransport {
  return {
    source: streams.samples,
    async consume() {
      const consumer = await js.consumers.get(streams.samples, streams.workerDurable);
      const messages = await consumer.consume({ max_messages: 2000 });
      return {
        stop: () => messages.stop(),
        async *[Symbol.asyncIterator]() {
          for await (const m of messages) {
            yield { data: m.data, subject: m.subject, seq: m.info.streamSequence, storedAtMs: m.info.timestampNanos / 1e6, ack: () => m.ack() };
          }
        },
      };
    },
    deadLetter: (info, payload) => publishDeadLetter(js, streams, info, payload),
    async outbox(lines, id) { await js.publish(outboxSubject(streams), lines, { msgID: id }); },
  };
}
