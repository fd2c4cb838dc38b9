import { Worker } from 'node:worker_threads';
import type { AnomalyScore } from './model.js';

export interface ScoringOptions {
  /** Most rows scored together; default 256. */
  maxBatch?: number;
  /** Longest a row waits for its batch to fill, ms; default 2. */
  maxWaitMs?: number;
  /**
   * Longest a posted batch may go unanswered before its rows fail, ms; default 10,000. Its units'
   * messages wait for their verdicts before they are acknowledged: a thread that hangs must not
   * hold every later commit.
   */
  timeoutMs?: number;
}

interface Waiting { resolve: (s: AnomalyScore) => void; reject: (e: Error) => void }

/**
 * Scores rows with an ONNX model in a worker thread (onnxruntime-node's `run` blocks the thread
 * it runs on, so it must not run where holds are sent). Rows are gathered into micro-batches of
 * up to `maxBatch` rows or `maxWaitMs`, whichever comes first, and answered in order.
 */
export class ScoringThread {
  private readonly worker: Worker;
  private rows: number[] = [];
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private nextId = 0;
  /** Batches posted to the thread, with when they were posted. */
  private readonly inFlight = new Map<number, { waiting: Waiting[]; sentAt: number; timer: NodeJS.Timeout }>();
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly timeoutMs: number;
  /** Why the thread can score no more (it exited or failed): later rows fail at once. */
  private dead: Error | undefined;
  readonly ready: Promise<void>;
  /** Batches sent and rows scored, and batch latencies (ms) for the benchmark. */
  readonly stats = { batches: 0, rows: 0, latenciesMs: [] as number[] };

  constructor(model: Uint8Array, private readonly features: number, o: ScoringOptions = {}, private readonly label = 'model') {
    this.maxBatch = o.maxBatch ?? 256;
    this.maxWaitMs = o.maxWaitMs ?? 2;
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.worker = new Worker(new URL('./scoring-thread.js', import.meta.url), { workerData: { model, features } });
    this.ready = new Promise((resolve, reject) => {
      const fail = (err: Error) => reject(new Error(`anomaly model ${label} could not be loaded: ${err.message}`));
      this.worker.once('error', fail);
      this.worker.once('message', (m) => { if (m.type === 'ready') { this.worker.off('error', fail); resolve(); } });
    });
    this.worker.on('message', (m) => this.onMessage(m));
    this.worker.on('error', (err) => this.fail(new Error(`anomaly model ${label}: the scoring thread failed: ${err.message}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`anomaly model ${label}: the scoring thread exited (code ${code})`)));
  }

  /** Every row waiting or posted fails with `err`, and so will later ones. */
  private fail(err: Error): void {
    this.dead ??= err;
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    for (const b of this.inFlight.values()) { clearTimeout(b.timer); for (const w of b.waiting) w.reject(err); }
    this.inFlight.clear();
    for (const w of this.waiting) w.reject(err);
    this.waiting = []; this.rows = [];
  }

  score(values: ArrayLike<number>): Promise<AnomalyScore> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      for (let j = 0; j < this.features; j++) this.rows.push(values[j]);
      this.waiting.push({ resolve, reject });
      if (this.waiting.length >= this.maxBatch) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  private flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (!this.waiting.length) return;
    const id = this.nextId++;
    const rows = Float32Array.from(this.rows);
    const timer = setTimeout(() => {
      const b = this.inFlight.get(id);
      if (!b) return;
      this.inFlight.delete(id);
      for (const w of b.waiting) w.reject(new Error(`anomaly model ${this.label}: no verdict from the scoring thread in ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    timer.unref();
    this.inFlight.set(id, { waiting: this.waiting, sentAt: performance.now(), timer });
    this.worker.postMessage({ id, rows, n: this.waiting.length }, [rows.buffer]);
    this.rows = []; this.waiting = [];
  }

  private onMessage(m: { type: string; id: number; score: Float32Array; contributions: Float32Array; q?: Float32Array; message?: string }): void {
    const posted = this.inFlight.get(m.id);
    if (!posted) return;
    const batch = posted.waiting;
    clearTimeout(posted.timer);
    this.inFlight.delete(m.id);
    if (m.type === 'error') { for (const w of batch) w.reject(new Error(`anomaly model ${this.label}: ${m.message}`)); return; }
    this.stats.batches++; this.stats.rows += batch.length;
    if (this.stats.latenciesMs.length < 100_000) this.stats.latenciesMs.push(performance.now() - posted.sentAt);
    const p = this.features;
    batch.forEach((w, i) => w.resolve({
      score: m.score[i], q: m.q ? m.q[i] : undefined, contributions: Array.from(m.contributions.subarray(i * p, (i + 1) * p)),
    }));
  }

  async close(): Promise<void> {
    this.flush();
    await this.worker.terminate();
  }
}
