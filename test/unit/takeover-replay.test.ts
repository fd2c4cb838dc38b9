import { expect, it } from 'vitest';
import { influxLineEncoder } from '../../src/adapters/influx/line-protocol.js';
import type { HoldSignal, LifecycleSignal, RuleSetConfig } from '../../src/core/index.js';
import type { SampleMessage } from '../../src/ports/transport.js';
import { collectEffects, Pipeline } from '../../src/service/pipeline.js';
import { SpcWorker } from '../../src/service/worker.js';
import type { ScoringThread } from '../../src/anomaly/scoring-pool.js';
import { MemoryState, model, ReplayableStream, scoreOf, unitMessage } from './anomaly-replay.js';

// Take-overs, replays and the timers: found by a review of the changes that made workers vouch
// only for the partitions they own and put anomaly models in snapshots. Each failed before.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rules: RuleSetConfig = { version: 1, characteristics: [{ id: 'torque', match: { line: 'L1', parameter: 'torque' }, chart: { type: 'i-mr' }, limits: { center: 1.2, sigma: 0.02 }, rules: ['nelson1'], actions: { hold: ['nelson1'] } }] };
const torque = (storedAtMs: number, unit: string, value: number, attributes?: Record<string, string>) => ({
  data: new TextEncoder().encode(JSON.stringify({ ts: new Date(storedAtMs).toISOString(), line: 'L1', station: 'screw', parameter: 'torque', value, unit, ...(attributes ? { attributes } : {}) })),
  subject: 'spc.samples.L1.screw.torque', storedAtMs, line: 'L1',
});
const unit = (storedAtMs: number, id: string, a: number) => { const { seq: _s, ack: _a, ...m } = unitMessage(0, storedAtMs, id, { a, b: 0 }); return m; };
const quality = { name: 'q', role: 'quality' as const };
/** Lets a worker run `ms`, reads what the test needs of it, then stops it. */
async function readThenStop<T>(h: { w: SpcWorker; running: Promise<void> }, ms: number, read: (w: SpcWorker) => T): Promise<T> {
  await sleep(ms);
  const value = read(h.w);
  await h.w.stop(); await h.running;
  return value;
}
function worker(stream: ReplayableStream, state: MemoryState, o: { anomalies?: ReturnType<typeof model>[]; onSignal?: (s: LifecycleSignal) => void } = {}) {
  const w = new SpcWorker({ transport: stream, rules, encoder: influxLineEncoder, onSignal: o.onSignal ?? (() => {}), anomalies: o.anomalies, state, commitEvery: { messages: 1000, ms: 10 } });
  return { w, running: w.run() };
}

it('a worker vouches for a partition (and resyncs its clients) only once its replay is done: the holds rebuilt silently are in that snapshot', async () => {
  const stream = new ReplayableStream(), state = new MemoryState();
  const t = Date.now() - 60_000;
  const first = worker(stream, state);
  await sleep(50);
  stream.append(torque(t, 'SN1', 1.2)); stream.append(torque(t + 1000, 'SN2', 1.5)); // SN2: a hold
  await sleep(200);
  const crashed = state.copy(); // committed, no snapshot yet
  await first.w.stop(); await first.running;

  const stream2 = stream; // the same stream
  const w2 = new SpcWorker({ transport: stream2, rules, encoder: influxLineEncoder, onSignal: () => {}, state: crashed, commitEvery: { messages: 1000, ms: 10 } });
  const resyncs: { vouched: boolean; holds: string[] }[] = [];
  w2.ownership.changed = () => resyncs.push({ vouched: w2.ownership.ownsAll(['L1']), holds: w2.holds.activeHolds().map((h) => h.id) });
  const running = w2.run();
  await sleep(300);
  await w2.stop(); await running;
  const vouched = resyncs.filter((r) => r.vouched);
  expect(vouched.length).toBeGreaterThan(0);
  expect(vouched[0].holds).toEqual(['torque#2']); // the first snapshot it vouches for has the replayed hold
});

it('a replayed release of an anomaly hold waiting for its verdict does not hold back the partition\'s other releases', async () => {
  const stream = new ReplayableStream(), state = new MemoryState();
  const t = Date.now() - 60_000;
  const first = worker(stream, state, { anomalies: [model()] });
  await sleep(50);
  stream.append(unit(t, 'U1', 10)); await sleep(100); // hold m#1
  expect(first.w.actions.release('m#1', quality, { reason: 'fixed' })).toMatchObject({ type: 'release' });
  stream.append(torque(t + 1000, 'SN2', 1.5)); await sleep(100); // a torque hold
  const torqueHold = first.w.holds.activeHolds()[0].id;
  expect(first.w.actions.release(torqueHold, quality, { reason: 'fixed' })).toMatchObject({ type: 'release' });
  stream.append(torque(t + 2000, 'SN3', 1.5)); await sleep(150); // a new torque hold
  expect(first.w.holds.unitStatus('SN3').held).toBe(true);
  const holdsThen = first.w.holds.activeHolds().map((h) => h.id);
  const crashed = state.copy();
  await first.w.stop(); await first.running;

  const second = worker(stream, crashed, { anomalies: [model()] });
  const [sn3, active] = await readThenStop(second, 300, (w) => [w.holds.unitStatus('SN3'), w.holds.activeHolds().map((h) => h.id).sort()] as const);
  expect(sn3.held).toBe(true);
  expect(active).toEqual(holdsThen);
});

it('a replayed release whose verdicts never come (the model retrained with other features) applies once none is awaited', async () => {
  const stream = new ReplayableStream(), state = new MemoryState();
  const t = Date.now() - 60_000;
  const first = worker(stream, state, { anomalies: [model()] });
  await sleep(50);
  stream.append(unit(t, 'U1', 10)); await sleep(100);
  first.w.actions.release('m#1', quality, { reason: 'fixed' });
  stream.append(torque(t + 1000, 'SN2', 1.5)); await sleep(100);
  first.w.actions.release(first.w.holds.activeHolds()[0].id, quality, { reason: 'fixed' });
  stream.append(torque(t + 2000, 'SN3', 1.2)); await sleep(150);
  expect(first.w.holds.activeHolds()).toEqual([]);
  const crashed = state.copy();
  await first.w.stop(); await first.running;

  const second = worker(stream, crashed, { anomalies: [model(['st.a', 'st.b', 'st.c'])] });
  await sleep(400);
  stream.append(torque(t + 3000, 'SN4', 1.2)); // the next live message
  const active = await readThenStop(second, 200, (w) => w.holds.activeHolds().map((h) => h.id));
  expect(active).toEqual([]);
});

it('a hand-over while a unit is being scored: the old owner still sends its verdict (the new one judges it again silently)', async () => {
  const stream = new ReplayableStream(), state = new MemoryState();
  const t = Date.now() - 60_000;
  const sent: LifecycleSignal[] = [];
  const first = worker(stream, state, { anomalies: [model(['st.a', 'st.b'], 'hold', 150)], onSignal: (s) => sent.push(s) });
  await sleep(50);
  stream.append(unit(t, 'U1', 10)); await sleep(30); // flagged; its verdict comes in 150 ms
  await (first.w.ownership as unknown as { handOver(p: number): Promise<void> }).handOver(0);
  await sleep(300);
  await first.w.stop(); await first.running;
  const second = worker(stream, state, { anomalies: [model()], onSignal: (s) => sent.push(s) });
  const held = await readThenStop(second, 300, (w) => w.holds.unitStatus('U1'));
  expect(held).toMatchObject({ held: true, holds: ['m#1'] });
  expect(sent.filter((s): s is HoldSignal => s.type === 'hold').map((s) => s.id)).toContain('m#1');
});

it('timers go on after a replay whose last message was silent, when the line then stays quiet', () => {
  const checked: RuleSetConfig = { ...rules, checks: [{ id: 'audit', characteristic: 'torque', line: 'L1', station: 'screw', parameter: 'torque', everyMs: 3_600_000, sampleSize: 1, instructions: 'measure', graceMs: 0, graceUnits: 0, overdue: 'hold' }] };
  const T = Date.now();
  const p = new Pipeline({ rules: checked, encoder: influxLineEncoder, source: 't' });
  const m: SampleMessage = { ...torque(T - 600_000, 'SN1', 1.2, { check: 'audit' }), seq: 1, ack: () => {} };
  p.process(m, collectEffects().sink, true); // the replay's last message
  const e = collectEffects();
  p.tickChecks(T + 3 * 3_600_000, e.sink, () => true); // 3 h later the hourly check is overdue
  expect(e.signals.map((s) => s.type)).toContain('hold');
});

it('a message far behind (another partition, just taken over) does not set the stream clock back for every line', () => {
  const two: RuleSetConfig = {
    version: 1, characteristics: ['L1', 'L2'].map((line) => ({ id: `torque-${line}`, match: { line, parameter: 'torque' }, chart: { type: 'i-mr' as const }, limits: { center: 1.2, sigma: 0.02 }, rules: ['nelson1' as const], actions: { alarm: ['nelson1' as const] } })),
    checks: [{ id: 'audit', characteristic: 'torque-L1', line: 'L1', station: 'screw', parameter: 'torque', everyMs: 3_600_000, sampleSize: 1, instructions: 'measure', graceMs: 0, graceUnits: 0, overdue: 'hold' }],
  };
  const T = Date.now();
  const msg = (seq: number, at: number, line: string, attributes?: object): SampleMessage => ({ data: new TextEncoder().encode(JSON.stringify({ ts: new Date(at).toISOString(), line, station: 'screw', parameter: 'torque', value: 1.2, unit: `${line}-${seq}`, ...(attributes ? { attributes } : {}) })), subject: 'x', seq, storedAtMs: at, line, ack: () => {} });
  const p = new Pipeline({ rules: two, encoder: influxLineEncoder, source: 't' });
  p.process(msg(1, T - 59 * 60_000, 'L1', { check: 'audit' }), collectEffects().sink, false); // done 59 min ago: due in 1 min
  p.process(msg(2, T, 'L1'), collectEffects().sink, false);
  p.process(msg(3, T - 20 * 60_000, 'L2'), collectEffects().sink, false); // 20 min behind
  const e = collectEffects();
  p.tickChecks(Date.now() + 2 * 60_000, e.sink, () => true); // overdue by a minute
  expect(e.signals.map((s) => s.type)).toContain('hold');
});

// A fourth review (of the fixes above), each failing before.
const slow = (ms: number) => ({ score: (v: ArrayLike<number>) => new Promise((r) => setTimeout(() => r(scoreOf(Float64Array.from(v))), ms)), close: async () => {}, ready: Promise.resolve() }) as unknown as ScoringThread;
const handOver = (w: SpcWorker) => (w.ownership as unknown as { handOver(p: number): Promise<void> }).handOver(0);

it('a worker vouches for a partition only once the verdicts of the units it replayed are in: the anomaly hold is in that snapshot', async () => {
  const stream = new ReplayableStream(), state = new MemoryState();
  const t = Date.now() - 60_000;
  const first = worker(stream, state, { anomalies: [model()] });
  await sleep(50);
  stream.append(unit(t, 'U1', 10)); await sleep(150); // hold m#1, committed, no snapshot
  const crashed = state.copy();
  await first.w.stop(); await first.running;
  const w2 = new SpcWorker({ transport: stream, rules, encoder: influxLineEncoder, onSignal: () => {}, anomalies: [model(['st.a', 'st.b'], 'hold', 150)], state: crashed, commitEvery: { messages: 1000, ms: 10 } });
  const resyncs: { vouched: boolean; holds: string[] }[] = [];
  w2.ownership.changed = () => resyncs.push({ vouched: w2.ownership.ownsAll(['L1']), holds: w2.holds.activeHolds().map((h) => h.id) });
  const running = w2.run();
  await sleep(400);
  await w2.stop(); await running;
  expect(resyncs.filter((r) => r.vouched)[0]?.holds).toEqual(['m#1']);
});

it('a released anomaly hold stays released when a live message passes the replay before the verdict that rebuilds it', async () => {
  const stream = new ReplayableStream(), state = new MemoryState();
  const t = Date.now() - 60_000;
  const first = worker(stream, state, { anomalies: [model()] });
  await sleep(50);
  stream.append(unit(t, 'U1', 10)); await sleep(150);
  expect(first.w.actions.release('m#1', quality, { reason: 'fixed' })).toMatchObject({ type: 'release' });
  await sleep(100);
  const crashed = state.copy();
  await first.w.stop(); await first.running;
  stream.append(torque(t + 1000, 'SN2', 1.2)); // the next live message, already waiting
  const second = worker(stream, crashed, { anomalies: [model(['st.a', 'st.b'], 'hold', 150)] });
  const active = await readThenStop(second, 400, (w) => w.holds.activeHolds().map((h) => h.id));
  expect(active).toEqual([]);
});

it('nothing to replay and a restored unit still to judge: a hold released after the snapshot stays released', async () => {
  const stream = new ReplayableStream(), state = new MemoryState();
  const t = Date.now() - 60_000;
  const first = worker(stream, state, { anomalies: [model(['st.a', 'st.b'], 'hold', 150)] });
  await sleep(50);
  stream.append(unit(t, 'U1', 10)); await sleep(30);
  const saved = first.w.ownership.snapshot(0); // captured with U1 awaiting its verdict
  await sleep(250); await saved;
  expect(first.w.actions.release('m#1', quality, { reason: 'fixed' })).toMatchObject({ type: 'release' });
  await sleep(100);
  const crashed = state.copy();
  await first.w.stop(); await first.running;
  const second = worker(stream, crashed, { anomalies: [model()] });
  const active = await readThenStop(second, 300, (w) => w.holds.activeHolds().map((h) => h.id));
  expect(active).toEqual([]);
});

it('a hand-over while a unit of a held model is scored: the old owner extends the hold (no bogus new hold, nothing left in its book), flagged or not', async () => {
  for (const value of [10, 0]) {
    const stream = new ReplayableStream(), state = new MemoryState();
    const t = Date.now() - 60_000;
    const sent: LifecycleSignal[] = [];
    const a = model();
    const first = worker(stream, state, { anomalies: [a], onSignal: (s) => sent.push(s) });
    await sleep(50);
    stream.append(unit(t, 'U1', 10)); await sleep(100); // m#1
    a.thread = slow(150);
    stream.append(unit(t + 1000, 'U2', value)); await sleep(30); // joins m#1 when judged
    await handOver(first.w);
    await sleep(300);
    const oldBook = first.w.holds.activeHolds().map((h) => h.id);
    await first.w.stop(); await first.running;
    const second = worker(stream, state, { anomalies: [model()], onSignal: (s) => sent.push(s) });
    const held = await readThenStop(second, 300, (w) => w.holds.unitStatus('U2'));
    const holds = sent.filter((s): s is HoldSignal => s.type === 'hold');
    expect(holds.map((s) => s.id).filter((id) => id !== 'm#1')).toEqual([]);
    expect(holds.flatMap((s) => s.added)).toEqual(['U1', 'U2']);
    expect(oldBook).toEqual([]);
    expect(held).toMatchObject({ held: true, holds: ['m#1'] });
  }
});
