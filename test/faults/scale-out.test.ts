import { expect, it } from 'vitest';
import { partitionOf } from '../../src/core/index.js';
import { ensureStreams, streamNamesFor } from '../../src/adapters/nats/jetstream.js';
import { freshPostgres, machineSlowdown, NATS_URL, uniquePrefix, waitFor } from '../integration/servers.js';
import { comparedRuns, expectSameResults } from './compare.js';
import { readSamples, republish, sampleCount, simulate, startWorker, stopWorker, workspace, type Worker } from './harness.js';

// Three `spc run` processes share one stream by partition (line); one is killed with SIGKILL
// mid-run and the others take its partitions over. The union must equal a single worker's run.
const runs = comparedRuns();
const { prefixes, drops } = runs;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PARTITIONS = 6;
const LINES = 4;

it('3 workers, one killed mid-run: one owner per partition, and the union equals a single worker', async () => {
  const nc = runs.nc();
  const ws = workspace(LINES);
  const [source, single, shared] = ['scalesrc', 'scaleone', 'scalethree'].map(uniquePrefix);
  prefixes.push(source, single, shared);
  const messages = simulate(NATS_URL, source, LINES, 500);
  const input = await readSamples(nc, source);

  const oneDb = await freshPostgres('scaleone'); drops.push(oneDb.drop);
  await ensureStreams(await nc.jetstreamManager(), streamNamesFor(single));
  await republish(nc, single, input, 1e9);
  const one = await startWorker(ws, { nats: NATS_URL, prefix: single, store: oneDb.url, partitions: PARTITIONS, id: 'solo' });
  await waitFor('the single worker', async () => ((await sampleCount(oneDb.url)) === messages ? true : undefined), 90_000, 250);
  expect((await one.health()).partitions).toEqual([0, 1, 2, 3, 4, 5]);
  await stopWorker(one);

  const db = await freshPostgres('scalethree'); drops.push(db.drop);
  await ensureStreams(await nc.jetstreamManager(), streamNamesFor(shared));
  const workers: Worker[] = [];
  for (const id of ['w1', 'w2', 'w3']) workers.push(await startWorker(ws, { nats: NATS_URL, prefix: shared, store: db.url, partitions: PARTITIONS, id }));
  const publishing = republish(nc, shared, input, 2000);
  // Every partition has exactly one owner once the three have balanced.
  const owners = await waitFor('the partitions to be spread over three workers', async () => {
    const owned = await Promise.all(workers.map(async (w) => (await w.health()).partitions as number[]));
    // Each worker's /healthz is answered at its own moment: a partition handed over between two
    // answers shows twice (or not at all). Only a reading with each partition exactly once counts.
    return owned.every((p) => p.length > 0) && new Set(owned.flat()).size === PARTITIONS && owned.flat().length === PARTITIONS ? owned : undefined;
  }, 20_000 * machineSlowdown(), 100);
  expect(owners.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);

  await sleep(1500);
  // The victim: the worker whose partitions carry the most lines (so its death matters).
  const lineParts = Array.from({ length: LINES }, (_, i) => partitionOf(`L${i + 1}`, PARTITIONS));
  const load = (parts: number[]) => lineParts.filter((p) => parts.includes(p)).length;
  const v = owners.reduce((best, parts, i) => (load(parts) > load(owners[best]) ? i : best), 0);
  const victim = workers[v];
  const theirs = (await victim.health()).partitions as number[];
  expect(load(theirs)).toBeGreaterThan(0);
  victim.proc.kill('SIGKILL');
  await victim.exited;
  const t0 = Date.now();
  const survivors = workers.filter((w) => w !== victim);
  await waitFor('the dead worker\'s partitions to be taken over', async () => {
    const owned = (await Promise.all(survivors.map(async (w) => (await w.health()).partitions as number[]))).flat();
    return theirs.every((p) => owned.includes(p)) && new Set(owned).size === PARTITIONS && owned.length === PARTITIONS ? true : undefined;
  }, 20_000 * machineSlowdown(), 100);
  console.log(`worker w${v + 1} (partitions ${theirs.join(', ')}) killed; taken over in ${Date.now() - t0} ms (lease TTL 2 s)`);

  await publishing;
  await waitFor('every sample stored', async () => ((await sampleCount(db.url)) === messages ? true : undefined), 90_000, 250);
  for (const w of survivors) await stopWorker(w);

  await expectSameResults(nc, messages, { prefix: single, db: oneDb.url }, { prefix: shared, db: db.url });
}, 240_000);
