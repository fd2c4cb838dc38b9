import { expect, it } from 'vitest';
import type { ScoringThread as Thread } from '../../src/anomaly/scoring-pool.js';

// The built module: the scoring thread is started from its compiled file beside it.
const built = '../../dist/src/anomaly/scoring-pool.js';
const { ScoringThread } = (await import(built)) as { ScoringThread: typeof Thread };

// A unit's messages are acknowledged only once its verdict is in: a scoring thread that dies must
// fail its rows (the unit goes unscored, counted and logged), never leave them waiting forever.
it('a scoring thread that cannot run fails its rows at once instead of leaving them unanswered', async () => {
  const thread = new ScoringThread(new Uint8Array([1, 2, 3, 4]), 2, { timeoutMs: 2000 }, 'broken');
  await expect(thread.ready).rejects.toThrow(/broken/);
  const verdict = thread.score([1, 2]);
  const outcome = await Promise.race([verdict.then(() => 'scored', (err: Error) => `failed: ${err.message}`), new Promise((r) => setTimeout(() => r('still waiting'), 5000))]);
  expect(outcome).toMatch(/^failed: anomaly model broken: the scoring thread (failed|exited)/);
  await thread.close();
}, 20_000);
