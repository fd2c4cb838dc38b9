import { parentPort, workerData } from 'node:worker_threads';
import { InvalidFileError } from './diagnostics.js';
import { loadRules } from './load.js';

// Runs loadRules off the main thread (see load-off-thread.ts) and posts the result back.
try {
  parentPort!.postMessage({ ok: true, config: loadRules((workerData as { path: string }).path) });
} catch (err) {
  parentPort!.postMessage(err instanceof InvalidFileError ? { ok: false, diagnostics: err.diagnostics.map((d) => ({ ...d })) } : { ok: false, error: String((err as Error)?.message ?? err) });
}
