import { DeliverPolicy, type JetStreamClient } from 'nats';
import type { WorkerTransport } from '../../ports/transport.js';
import { outboxSubject, publishDeadLetter, sampleSubject, sampleSubjects, type StreamNames } from './jetstream.js';

/**
 * The worker's transport on NATS JetStream: an ordered consumer reads the samples stream from the
 * position the worker asks for (its restored state decides, not a server-side cursor), and
 * re-creates itself after a reconnect; dead letters and outbox lines go out acknowledged.
 */
export function jetStreamTransport(js: JetStreamClient, streams: StreamNames): WorkerTransport {
  // Subjects are <prefix>.samples.<line>.<station>.<parameter>: the line token starts at a fixed
  // offset (read with indexOf, not split: this runs for every message).
  const lineAt = `${streams.prefix}.samples.`.length;
  const lineOf = (subject: string) => { const end = subject.indexOf('.', lineAt); return end < 0 ? subject.slice(lineAt) : subject.slice(lineAt, end); };
  return {
    source: streams.samples,
    async consume(from: number) {
      const consumer = await js.consumers.get(streams.samples, {
        filterSubjects: sampleSubjects(streams), deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, from),
      });
      const messages = await consumer.consume({ max_messages: 2000 });
      return {
        stop: () => messages.stop(),
        async *[Symbol.asyncIterator]() {
          for await (const m of messages) {
            yield { data: m.data, subject: m.subject, seq: m.info.streamSequence, storedAtMs: m.info.timestampNanos / 1e6, line: lineOf(m.subject), ack: () => {} };
          }
        },
      };
    },
    deadLetter: (info, payload) => publishDeadLetter(js, streams, info, payload),
    async outbox(lines, id) { await js.publish(outboxSubject(streams), lines, { msgID: id }); },
    async publishSample(p, payload, id) { await js.publish(sampleSubject(streams, p.line, p.station, p.parameter), payload, { msgID: id }); },
  };
}
