import { afterEach, expect, it } from 'vitest';
import type { RuleSetConfig } from '../../src/core/index.js';
import type { GenealogyWriter } from '../../src/ports/genealogy.js';
import type { StateStore } from '../../src/ports/state.js';
import type { SampleMessage } from '../../src/ports/transport.js';
import { Committer, MAX_BATCHES_IN_FLIGHT, OUTBOX_CHUNK_BYTES } from '../../src/service/committer.js';
import { OutboxBuffer } from '../../src/service/outbox-buffer.js';
import { InProcessTransport } from '../../src/service/in-process-transport.js';
import { SpcWorker } from '../../src/service/worker.js';
import { influxLineEncoder } from '../../src/adapters/influx/line-protocol.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let stop: (() => Promise<unknown>) | undefined;
afterEach(async () => { await stop?.(); stop = undefined; });

it('a unit verdict that fails (or whose handling throws) leaves its unit unscored and every later batch committed', async () => {
  const logged: string[] = [];
  const committer = new Committer({ transport: new InProcessTransport(), maxMessages: 1000, countDeadLetters: () => {}, log: (_level, msg) => logged.push(msg) });
  let acked = 0;
  const msg = (seq: number): SampleMessage => ({ data: new Uint8Array(), subject: 'spc.samples.L1.S1.p', seq, storedAtMs: 0, line: 'L1', ack: () => { acked++; } });
  committer.add(msg(1));
  committer.current.scoring.push(Promise.reject(new Error('verdict handler threw')));
  void committer.close();
  committer.add(msg(2));
  void committer.close();
  await committer.settled();
  expect(acked).toBe(2);
  expect(logged).toContain('anomaly verdict failed; the unit stays unscored');
});

/** An outbox that never answers (JetStream or its disk stuck): batches stay in flight. */
class StuckOutbox extends InProcessTransport {
  calls = 0;
  override outbox(): Promise<void> { this.calls++; return new Promise(() => {}); }
}

it('while commits cannot finish, processing goes on (holds keep flowing), each timer-closed batch holding only what it needs', async () => {
  const transport = new StuckOutbox();
  const rules: RuleSetConfig = { version: 1, characteristics: [{ id: 'torque', match: { line: 'L1', parameter: 'torque' }, chart: { type: 'i-mr' }, limits: { center: 1.2, sigma: 0.02 }, rules: ['we1'] }] };
  const worker = new SpcWorker({ transport, rules, encoder: influxLineEncoder, onSignal: () => {}, commitEvery: { messages: 1000, ms: 10 } });
  void worker.run();
  stop = () => worker.stop(200);
  for (let i = 0; i < 40; i++) {
    transport.publish('spc.samples.L1.S1.torque', { ts: new Date().toISOString(), line: 'L1', station: 'S1', parameter: 'torque', value: 1.2, unit: `SN${i}` });
    await sleep(15);
  }
  expect(worker.counters.samples).toBe(40);
  expect(worker.counters.acked).toBe(0);
  expect(transport.calls).toBeGreaterThan(MAX_BATCHES_IN_FLIGHT); // batches kept closing on the timer
});

it('a batch\'s outbox buffer starts small: a batch of one message does not hold 64 KiB while a store is down', () => {
  const b = new OutboxBuffer(OUTBOX_CHUNK_BYTES);
  b.add('spc_point,characteristic=torque value=1.2 1700000000000000000');
  const [entry] = b.all();
  expect(entry.buffer.byteLength).toBeLessThanOrEqual(8192);
  // A large batch still grows to its entry size (lines longer than the start).
  const big = new OutboxBuffer(OUTBOX_CHUNK_BYTES);
  for (let i = 0; i < 2000; i++) big.add('x'.repeat(100));
  expect(big.all()[0].length).toBe(2000 * 101 - 1);
});

it('a commit position the state store refuses is retried, and the batch acknowledged only once it is recorded', async () => {
  let refusals = 2;
  const positions: number[] = [];
  const state = { setCommitted: async (_p: number, seq: number) => { if (refusals-- > 0) throw new Error('KV unavailable'); positions.push(seq); } } as unknown as StateStore;
  const committer = new Committer({ transport: new InProcessTransport(), state, maxMessages: 1000, countDeadLetters: () => {}, log: () => {} });
  let acked = 0;
  committer.add({ data: new Uint8Array(), subject: 'spc.samples.L1.S1.p', seq: 7, storedAtMs: 0, line: 'L1', ack: () => { acked++; } }, 0);
  void committer.close();
  await committer.settled();
  expect(positions).toEqual([7]);
  expect(acked).toBe(1);
  expect(committer.counters.commitFailures).toBe(2);
});

it('audit entries written before a lost connection are not written again by the retry', async () => {
  const stored: string[] = [];
  let drops = 1;
  const trace: GenealogyWriter = {
    writeSamples: async () => [], writeSignals: async () => [],
    // Writes entries in order; the connection drops once, after the first entry is stored.
    writeAudit: async (entries) => { for (const e of entries) { if (stored.length === 1 && drops-- > 0) throw new Error('connection lost'); stored.push(e.target); } return []; },
  };
  const committer = new Committer({ transport: new InProcessTransport(), trace, maxMessages: 1000, countDeadLetters: () => {}, log: () => {} });
  for (const target of ['H1', 'H2', 'H3']) committer.current.audit.push({ actor: 'q', role: 'quality', action: 'release', target, line: 'L1', reason: 'checked', detail: {} });
  void committer.close();
  await committer.settled();
  expect(stored).toEqual(['H1', 'H2', 'H3']);
});

/** An outbox held until `open()`: the batches closed meanwhile stay in flight. */
class GatedOutbox extends InProcessTransport {
  private gate!: () => void;
  private readonly opened = new Promise<void>((r) => { this.gate = r; });
  override outbox(): Promise<void> { return this.opened; }
  open(): void { this.gate(); }
}

it('a partition given up moves its commit position no more, even from batches already in flight (found by a review)', async () => {
  const transport = new GatedOutbox();
  const positions: [number, number][] = [];
  const state = { setCommitted: async (p: number, seq: number) => { positions.push([p, seq]); } } as unknown as StateStore;
  const committer = new Committer({ transport, state, maxMessages: 1000, countDeadLetters: () => {}, log: () => {} });
  const msg = (seq: number): SampleMessage => ({ data: new Uint8Array(), subject: 'spc.samples.L1.S1.p', seq, storedAtMs: 0, line: 'L1', ack: () => {} });
  committer.add(msg(1), 0); committer.add(msg(2), 1);
  committer.line(committer.current, 'm v=1 1');
  void committer.close(); // in flight: its outbox write waits
  committer.add(msg(3), 0); // in the open batch
  committer.forget(0); // the lease of partition 0 was lost
  committer.line(committer.current, 'm v=2 2');
  void committer.close();
  transport.open();
  await committer.settled();
  expect(positions).toEqual([[1, 2]]);
});
