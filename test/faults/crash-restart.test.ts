import { expect, it } from 'vitest';
import { ensureStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freshPostgres, NATS_URL, uniquePrefix, waitFor } from '../integration/servers.js';
import { comparedRuns, expectSameResults } from './compare.js';
import { readSamples, republish, sampleCount, simulate, startWorker, stopWorker, workspace, type Worker } from './harness.js';

// kill -9 of `spc run` at random moments while samples arrive; after each kill a new process
// takes over from the last snapshot. The result must be the uninterrupted run's, exactly.
const runs = comparedRuns();
const { prefixes, drops } = runs;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('kill -9 under load, three times: 0 samples lost, 0 holds lost or doubled, the same points as an uninterrupted run', async () => {
  const nc = runs.nc();
  // With the multivariate model raising holds: its verdicts come from a scoring thread, after the
  // messages that completed their units, and its hold ids count the units it judged.
  const ws = workspace(2, { anomaly: 'hold' });
  const [source, reference, crashed] = ['crashsrc', 'crashref', 'crash'].map(uniquePrefix);
  prefixes.push(source, reference, crashed);
  const messages = simulate(NATS_URL, source, 2, 800);
  const input = await readSamples(nc, source);
  expect(input.length).toBe(messages);

  // The reference: one worker, never interrupted.
  const refDb = await freshPostgres('crashref'); drops.push(refDb.drop);
  await ensureStreams(await nc.jetstreamManager(), streamNamesFor(reference));
  await republish(nc, reference, input, 1e9);
  const ref = await startWorker(ws, { nats: NATS_URL, prefix: reference, store: refDb.url });
  await waitFor('the reference run', async () => ((await sampleCount(refDb.url)) === messages ? true : undefined), 60_000, 250);
  await stopWorker(ref);

  // The same input at a steady 1,500 msg/s, and the worker killed with SIGKILL three times.
  const db = await freshPostgres('crash'); drops.push(db.drop);
  await ensureStreams(await nc.jetstreamManager(), streamNamesFor(crashed));
  let worker: Worker = await startWorker(ws, { nats: NATS_URL, prefix: crashed, store: db.url, snapshotEvery: '1s' });
  const publishing = republish(nc, crashed, input, 1500);
  const recoveries: number[] = [];
  for (let k = 0; k < 3; k++) {
    await sleep(800 + Math.random() * 1500);
    worker.proc.kill('SIGKILL');
    await worker.exited;
    const t0 = Date.now();
    worker = await startWorker(ws, { nats: NATS_URL, prefix: crashed, store: db.url, snapshotEvery: '1s' });
    await waitFor('the partition to be taken over', async () => ((await worker.health()).partitions.length ? true : undefined), 20_000);
    recoveries.push(Date.now() - t0);
  }
  await publishing;
  await waitFor('every sample stored', async () => ((await sampleCount(db.url)) === messages ? true : undefined), 60_000, 250);
  const last = await worker.health();
  await stopWorker(worker);
  console.log(`kill -9 ×3: restart → partition owned in ${recoveries.join(', ')} ms (lease TTL 2 s); last process replayed ${last.counters.replayed} messages silently`);

  // The last process started from a snapshot, not from the beginning of the stream.
  expect(last.counters.messages).toBeLessThan(messages);

  await expectSameResults(nc, messages, { prefix: reference, db: refDb.url }, { prefix: crashed, db: db.url });
}, 240_000);
