import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDatabase, influxQuery } from '../../src/adapters/influx/influxql.js';
import { InfluxLineWriter } from '../../src/adapters/influx/writer.js';
import { deleteStreams, ensureStreams, outboxSubject, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { InfluxDrain } from '../../src/service/influx-drain.js';
import { jetStreamOutbox } from '../../src/adapters/nats/outbox-reader.js';
import { INFLUX_URL, NATS_URL, uniquePrefix, waitFor } from './servers.js';

// InfluxDB refuses a line for its content (a field type conflict): the drain writes the rest of
// the outbox message, dead-letters that line as `unstorable`, and goes on — not "the whole chunk lost".
const prefix = uniquePrefix('drain');
const streams = streamNamesFor(prefix);
const database = `spc_${prefix}`;
let nc: NatsConnection;
beforeAll(async () => {
  nc = await connect({ servers: NATS_URL });
  await ensureStreams(await nc.jetstreamManager(), streams);
  await createDatabase({ url: INFLUX_URL }, database);
});
afterAll(async () => { await deleteStreams(await nc.jetstreamManager(), streams); await nc.close(); });

it('a refused line is dead-lettered as unstorable; the other lines of its batch are written', async () => {
  const writer = new InfluxLineWriter({ url: INFLUX_URL, bucket: `${database}/autogen`, v1: true });
  const drain = new InfluxDrain(jetStreamOutbox(nc.jetstream(), streams), writer);
  const running = drain.run();
  const js = nc.jetstream();
  await js.publish(outboxSubject(streams), new TextEncoder().encode('m,k=a value=1 1000000000'));
  await waitFor('the first line', () => (drain.counters.linesWritten === 1 ? true : undefined));
  // Line 3 of 5 writes a string where `value` is a float: InfluxDB answers 400 for the batch.
  const lines = [1, 2, 3, 4, 5].map((i) => (i === 3 ? `m,k=a value="three" ${i + 1}000000000` : `m,k=a value=${i} ${i + 1}000000000`));
  await js.publish(outboxSubject(streams), new TextEncoder().encode(lines.join('\n')));
  await waitFor('the batch drained', () => (drain.counters.messages === 2 ? true : undefined));
  expect(drain.counters).toMatchObject({ linesWritten: 5, linesQuarantined: 1, linesLost: 0 });
  const rows = await influxQuery({ url: INFLUX_URL, database }, 'SELECT value FROM m');
  expect(rows[0].values.map((v) => v[1])).toEqual([1, 1, 2, 4, 5]);
  const jsm = await nc.jetstreamManager();
  const letter = await jsm.streams.getMessage(streams.deadLetters, { last_by_subj: `${prefix}.dlq.unstorable` });
  expect(new TextDecoder().decode(letter.data)).toBe(lines[2]);
  expect(letter.header.get('Spc-Detail')).toMatch(/^InfluxDB refused the line: .*HTTP 400/);
  // An entry the database takes: each of its lines stored and counted.
  await js.publish(outboxSubject(streams), new TextEncoder().encode([7, 8, 9].map((i) => `m,k=b value=${i} ${i}000000000`).join('\n')));
  await waitFor('the third entry drained', () => (drain.counters.messages === 3 ? true : undefined));
  expect(drain.counters).toMatchObject({ linesWritten: 8, linesQuarantined: 1, linesLost: 0 });
  expect((await influxQuery({ url: INFLUX_URL, database }, "SELECT value FROM m WHERE k = 'b'"))[0].values.map((v) => v[1])).toEqual([7, 8, 9]);
  drain.stop();
  await running;
  await writer.close();
});
