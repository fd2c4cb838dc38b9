import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deleteStreams, ensureStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { NatsMembership } from '../../src/adapters/nats/state-store.js';
import { NATS_URL, uniquePrefix } from './servers.js';

// Partition leases on the real NATS KV bucket, as two workers see them.
const prefix = uniquePrefix('leases');
const streams = streamNamesFor(prefix);
let nc: NatsConnection;
beforeAll(async () => { nc = await connect({ servers: NATS_URL }); await ensureStreams(await nc.jetstreamManager(), streams); });
afterAll(async () => { await deleteStreams(await nc.jetstreamManager(), streams); await nc.close(); });

const TTL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a lease that lapsed, was taken by another worker and released by it is lost to the late worker, not silently taken back', async () => {
  const js = nc.jetstream();
  const w1 = await NatsMembership.open(js, streams, 2, 'w1', TTL_MS);
  const w2 = await NatsMembership.open(js, streams, 2, 'w2', TTL_MS);
  expect(await w1.tryAcquire(0)).toBe(true);
  expect(await w2.tryAcquire(0)).toBe(false); // held
  expect(await w1.renew(0)).toBe(true);

  await sleep(TTL_MS + 800); // w1 is late: its lease expires in the bucket
  expect(await w2.tryAcquire(0)).toBe(true); // w2 takes the partition (and processes it)
  await w2.release(0); // then hands it back: the key now holds a delete marker
  // w1's state is older than what w2 did meanwhile: it must restore, not carry on.
  expect(await w1.renew(0)).toBe(false);
  expect(await w1.tryAcquire(0)).toBe(true); // taken again the normal way (the caller restores)

  // A lease that merely lapsed, with nobody taking it, is renewed: no one acted on it since.
  expect(await w1.tryAcquire(1)).toBe(true);
  await sleep(TTL_MS + 800);
  expect(await w1.renew(1)).toBe(true);
  expect(await w2.tryAcquire(1)).toBe(false);
}, 20_000);
