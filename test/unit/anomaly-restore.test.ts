import { describe, expect, it } from 'vitest';
import { influxLineEncoder } from '../../src/adapters/influx/line-protocol.js';
import type { LifecycleSignal, RuleSetConfig } from '../../src/core/index.js';
import type { SampleMessage } from '../../src/ports/transport.js';
import { collectEffects, Pipeline } from '../../src/service/pipeline.js';
import { SpcWorker } from '../../src/service/worker.js';
import { MemoryState, model, ReplayableStream, rules, scoreOf, unitMessage } from './anomaly-replay.js';

// An anomaly model's holds across restarts and replays, and the timers' clock while a worker
// catches up. Found by a review of the change that put models in snapshots; each failed before.
const t0 = Date.UTC(2026, 10, 25, 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes a message and judges its units at once (the verdicts before the next message). */
function step(p: Pipeline, m: SampleMessage, silent = false) {
  const e = collectEffects();
  p.process(m, e.sink, silent);
  for (const { a, unit, silent: s } of e.toScore) p.scored(a, unit, scoreOf(unit.values), e.sink, s);
  return e;
}
const pipeline = (a = model()) => new Pipeline({ rules, encoder: influxLineEncoder, source: 't', anomalies: [a] });

describe('an anomaly model restored from a snapshot', () => {
  it('retrained with other features, it goes on numbering: its active hold keeps naming units', () => {
    const p1 = pipeline();
    step(p1, unitMessage(1, t0, 'U1', { a: 10, b: 0 })); // flagged: hold m#1
    step(p1, unitMessage(2, t0 + 1000, 'U2', { a: 1, b: 0 })); // joins it
    const holds = p1.holds.saveState(() => true), models = p1.saveAnomalies(() => true);
    const p2 = pipeline(model(['st.a', 'st.b', 'st.c']));
    p2.holds.restoreState(holds, () => true);
    p2.restoreAnomalies(models, () => true);
    step(p2, unitMessage(3, t0 + 2000, 'U3', { a: 1, b: 0, c: 0 }));
    expect(p2.holds.unitStatus('U3')).toMatchObject({ held: true, holds: ['m#1'] });
  });

  it('from a snapshot without models (an earlier version), it numbers past the ids the hold book has seen: a released id is not raised again', () => {
    const p1 = pipeline();
    step(p1, unitMessage(1, t0, 'U1', { a: 10, b: 0 })); // hold m#1
    p1.holds.release('m#1', 'q', 'fixed', new Date(t0).toISOString());
    const holds = p1.holds.saveState(() => true);
    const p2 = pipeline();
    p2.holds.restoreState(holds, () => true);
    p2.restoreAnomalies(undefined, () => true);
    const e = step(p2, unitMessage(2, t0 + 2000, 'U2', { a: 10, b: 0 })); // flagged
    expect(e.signals.filter((s) => s.type === 'hold').map((s) => 'id' in s && s.id)).toEqual(['m#2']);
  });

  it('a model file replaced since the snapshot is named (its replay decides with the new model: the worker warns)', () => {
    const withFile = (sha: string) => { const a = model(); (a.card as { onnx?: { sha256: string } }).onnx = { sha256: sha }; return a; };
    const snap = pipeline(withFile('aaa')).saveAnomalies(() => true);
    expect(pipeline(withFile('aaa')).restoreAnomalies(snap, () => true)).toEqual([]);
    expect(pipeline(withFile('bbb')).restoreAnomalies(snap, () => true)).toEqual(['m']);
  });

  it('units restored to be judged again are in a snapshot taken before they were sent to be scored', () => {
    const p1 = pipeline();
    p1.process(unitMessage(1, t0, 'U1', { a: 10, b: 0 }), collectEffects().sink, false); // its verdict still to come
    const snap = p1.saveAnomalies(() => true);
    expect(snap.m.judging.map((u) => u.unit)).toEqual(['U1']);
    const p2 = pipeline();
    p2.restoreAnomalies(snap, () => true);
    // e.g. a clean stop right after the take-over, before any message or timer tick
    expect(p2.saveAnomalies(() => true).m.judging.map((u) => u.unit)).toEqual(['U1']);
  });
});

it('a verdict arriving after later messages leaves their sequence to the lines that follow (two signal lines of one time collided in InfluxDB)', () => {
  const p = pipeline();
  const out = collectEffects();
  p.process(unitMessage(1, t0, 'U1', { a: 10, b: 0 }), out.sink, false); // flagged, scored later
  p.process(unitMessage(2, t0 + 1000, 'U2', { a: 1 }), out.sink, false); // a later message (U2 incomplete)
  const [{ a, unit }] = out.toScore;
  p.scored(a, unit, scoreOf(unit.values), out.sink);
  const release = p.holds.release('m#1', 'q', 'fixed', new Date(t0 + 5000).toISOString())!;
  const e = collectEffects();
  p.released(release, e.sink);
  expect(e.lines.find((l) => l.startsWith('spc_signal'))).toMatch(/ \d+002000$/); // message 2's sequence (2 × 1000 + item 0), not message 1's
});

it('a unit the model could not score, made while the model\'s hold is active, joins the hold (it was left out)', () => {
  const p = pipeline();
  step(p, unitMessage(1, t0, 'U1', { a: 10, b: 0 })); // hold m#1
  const e = collectEffects();
  p.process(unitMessage(2, t0 + 1000, 'U2', { a: 1, b: 0 }), e.sink, false);
  const [{ a, unit }] = e.toScore;
  p.notScored(a, unit, e.sink); // the scoring thread failed or timed out
  expect(p.holds.unitStatus('U2')).toMatchObject({ held: true, holds: ['m#1'] });
  expect(e.signals).toEqual([expect.objectContaining({ type: 'hold', id: 'm#1', rev: 2, added: ['U2'] })]);
});

it('a hold released in the first pass stays released after a restart whose replay scores behind its messages', async () => {
  const stream = new ReplayableStream(), state = new MemoryState();
  const start = Date.now() - 60_000;
  const append = (k: number, unit: string, a: number) => { const { seq: _s, ack: _a, ...m } = unitMessage(0, start + k * 1000, unit, { a, b: 0 }); stream.append(m); };
  const w1 = new SpcWorker({ transport: stream, rules, encoder: influxLineEncoder, onSignal: () => {}, anomalies: [model()], state, commitEvery: { messages: 1000, ms: 10 } });
  const run1 = w1.run();
  append(1, 'U1', 10); await sleep(100); // flagged: hold m#1
  append(2, 'U2', 1); await sleep(100); // joins m#1
  expect(w1.holds.unitStatus('U2').held).toBe(true);
  expect(w1.actions.release('m#1', { name: 'q', role: 'quality' }, { reason: 'fixed' })).toMatchObject({ type: 'release', id: 'm#1' });
  append(3, 'U3', 1); await sleep(200); // after the release: not held
  expect(w1.holds.activeHolds()).toEqual([]);
  expect(state.commits.get(0)).toBe(3);
  const crashed = state.copy(); // the worker dies here, before its next snapshot
  await w1.stop(); await run1;

  const w2 = new SpcWorker({ transport: stream, rules, encoder: influxLineEncoder, onSignal: () => {}, anomalies: [model()], state: crashed, commitEvery: { messages: 1000, ms: 10 } });
  const run2 = w2.run();
  await sleep(300);
  const held = w2.holds.activeHolds().map((h) => h.id);
  await w2.stop(); await run2;
  expect(held).toEqual([]);
});

describe('timers on the stream\'s clock', () => {
  const params = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
  const alarmRules: RuleSetConfig = { version: 1, characteristics: params.map((id) => ({ id, match: { line: 'L1', parameter: id }, chart: { type: 'i-mr' as const }, limits: { center: 1, sigma: 0.1 }, rules: ['nelson1' as const], actions: { alarm: ['nelson1' as const] } })) };
  const msg = (seq: number, storedAtMs: number, parameter: string, attributes?: Record<string, string>): SampleMessage => ({
    data: new TextEncoder().encode(JSON.stringify({ ts: new Date(storedAtMs).toISOString(), line: 'L1', station: 's', parameter, value: 2, unit: `SN${seq}`, ...(attributes ? { attributes } : {}) })),
    subject: `spc.samples.L1.s.${parameter}`, seq, storedAtMs, line: 'L1', ack: () => {},
  });
  const names = (e: ReturnType<typeof collectEffects>) => e.signals.map((s) => `${s.type} ${'id' in s ? s.id.replace(/#\d{6,}$/, '#t') : ''}`);

  /** Six alarms a second apart (a flood: more than 2 in 60 s), the worker's alarm tick 20 ms after each, `lagMs` behind the stream. */
  function floods(lagMs: number) {
    const p = new Pipeline({ rules: alarmRules, encoder: influxLineEncoder, source: 't', flood: { maxAlarms: 2, windowMs: 60_000 } });
    const e = collectEffects();
    const start = Date.now();
    for (let k = 0; k < 6; k++) {
      p.process(msg(k + 1, start + k * 1000 - lagMs, params[k]), e.sink, false);
      p.tickAlarms(Date.now() + 20, e.sink);
    }
    return names(e);
  }

  it('a worker catching up a backlog 15 min behind floods as a worker at pace does (its ticks ended floods over and over)', () => {
    const atPace = floods(0);
    expect(atPace.filter((s) => s.startsWith('alarm flood'))).toHaveLength(1);
    expect(floods(15 * 60_000)).toEqual(atPace);
  });

  it('an hourly check done on time is not overdue for a worker catching up two hours behind', () => {
    const checked: RuleSetConfig = { ...alarmRules, checks: [{ id: 'audit', characteristic: 'p1', line: 'L1', station: 's', parameter: 'p1', everyMs: 3_600_000, sampleSize: 1, instructions: 'measure', graceMs: 0, graceUnits: 0, overdue: 'hold' }] };
    const T = Date.now();
    const p = new Pipeline({ rules: checked, encoder: influxLineEncoder, source: 't' });
    const e = collectEffects();
    p.process(msg(1, T - 120 * 60_000, 'p1', { check: 'audit' }), e.sink, false);
    p.tickChecks(T, e.sink, () => true);
    p.process(msg(2, T - 61 * 60_000, 'p1', { check: 'audit' }), e.sink, false);
    p.tickChecks(T + 1000, e.sink, () => true);
    expect(names(e).filter((s) => s.includes('check-'))).toEqual([]);
  });

  it('an alarm tick during a silent replay sends nothing of the replayed flood (the first pass sent it)', () => {
    const p = new Pipeline({ rules: alarmRules, encoder: influxLineEncoder, source: 't', flood: { maxAlarms: 2, windowMs: 60_000 } });
    const t = Date.now() - 15 * 60_000;
    for (let k = 0; k < 4; k++) p.process(msg(k + 1, t + k * 1000, params[k]), collectEffects().sink, true);
    const e = collectEffects();
    p.tickAlarms(Date.now(), e.sink);
    expect(names(e)).toEqual([]);
  });
});

describe('a unit the model gave up waiting for (a station skipped, a sensor quiet)', () => {
  const unjudged = (lines: string[]) => lines.filter((l) => l.startsWith('spc_anomaly_unjudged'));
  const messages = [
    unitMessage(1, t0, 'U1', { a: 10, b: 0 }), // flagged: hold m#1
    unitMessage(2, t0 + 1000, 'U2', { a: 1 }), // U2's b never comes
    unitMessage(3, t0 + 62_000, 'U3', { a: 1, b: 0 }), // past U2's wait (60 s from its first sample)
  ];

  it('is named with the features it lacked, and joins the model\'s active hold (it was only counted)', () => {
    const p = new Pipeline({ rules, encoder: influxLineEncoder, source: 't', anomalies: [model()], trace: true });
    step(p, messages[0]);
    step(p, messages[1]);
    const e = step(p, messages[2]);
    // Given up at U2's deadline (t0 + 61 s), numbered by the message that found it overdue.
    expect(unjudged(e.lines)).toEqual([`spc_anomaly_unjudged,model=m,line=L1,station=st unit="U2",missing="st.b",missing_count=1i,lots="" ${t0 + 61_000}003000`]);
    expect(p.holds.unitStatus('U2')).toMatchObject({ held: true, holds: ['m#1'] });
    expect(e.signals).toContainEqual(expect.objectContaining({ type: 'hold', id: 'm#1', added: ['U2'] }));
    expect(e.storeSignals).toContainEqual(expect.objectContaining({ type: 'hold', id: 'm#1', added: ['U2'] }));
    expect(p.counters.anomalyIncomplete).toBe(1);
  });

  it('with no hold active it is named and counted, and holds nothing', () => {
    const p = pipeline();
    step(p, unitMessage(1, t0, 'U1', { a: 1, b: 0 })); // in control
    step(p, messages[1]);
    const e = step(p, messages[2]);
    expect(unjudged(e.lines)).toHaveLength(1);
    expect(p.holds.unitStatus('U2').held).toBe(false);
    expect(e.signals).toEqual([]);
  });

  it('on a quiet stream it is given up on time, not when the next message comes (the line\'s last boards waited for the next shift)', async () => {
    const stream = new ReplayableStream();
    const signals: LifecycleSignal[] = [];
    const w = new SpcWorker({ transport: stream, rules, encoder: influxLineEncoder, onSignal: (s) => signals.push(s), anomalies: [model(undefined, 'hold', 2, 200)], commitEvery: { messages: 1000, ms: 10 } });
    const run = w.run();
    const now = Date.now();
    for (const m of [unitMessage(0, now, 'U1', { a: 10, b: 0 }), unitMessage(0, now + 50, 'U2', { a: 1 })]) { const { seq: _s, ack: _a, ...rest } = m; stream.append(rest); }
    await sleep(200);
    expect(w.holds.unitStatus('U2').held).toBe(false); // still waiting for its b
    await sleep(1500); // U2's wait (200 ms) and the quiet second are over; no message came
    const joined = signals.find((s) => s.type === 'hold' && s.added.includes('U2'));
    await w.stop(); await run;
    expect(joined).toMatchObject({ id: 'm#1', rev: 2 });
    expect(w.counters.anomalyIncomplete).toBe(1);
  });

  it('a replay gives it up again silently: the rebuilt hold names it, nothing is sent or written twice', () => {
    const p = pipeline();
    const effects = messages.map((m) => step(p, m, true));
    expect(effects.flatMap((e) => [...unjudged(e.lines), ...e.signals])).toEqual([]);
    expect(p.holds.unitStatus('U2')).toMatchObject({ held: true, holds: ['m#1'] });
    expect(p.counters.anomalyIncomplete).toBe(0);
  });
});
