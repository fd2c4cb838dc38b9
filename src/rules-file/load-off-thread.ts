import { Worker } from 'node:worker_threads';
import type { RuleSetConfig } from '../core/config.js';
import { FileDiagnostic, InvalidFileError } from './diagnostics.js';

type Outcome = { ok: true; config: RuleSetConfig } | { ok: false; diagnostics?: FileDiagnostic[]; error?: string };

/**
 * loadRules in a worker thread: parsing and checking a large rule file takes about a second per
 * megabyte, which on the main thread would hold back signals and heartbeats (a gateway would
 * fail safe). Hot reload uses this; start-up, with nothing to hold back, reads in place.
 * Rejects with InvalidFileError (every diagnostic, with file:line:col) like loadRules.
 */
export async function loadRulesOffThread(path: string): Promise<RuleSetConfig> {
  const worker = new Worker(new URL('./load-thread.js', import.meta.url), { workerData: { path } });
  try {
    const outcome = await new Promise<Outcome>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`rule loader thread exited with code ${code}`)));
    });
    if (outcome.ok) return outcome.config;
    if (outcome.diagnostics) throw new InvalidFileError(outcome.diagnostics.map((d) => new FileDiagnostic(d.file, d.line, d.col, d.path, d.message)));
    throw new Error(outcome.error);
  } finally {
    await worker.terminate();
  }
}
