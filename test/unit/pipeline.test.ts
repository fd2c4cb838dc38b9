import { describe, expect, it } from 'vitest';
import { influxLineEncoder } from '../../src/adapters/influx/line-protocol.js';
import type { RuleSetConfig } from '../../src/core/index.js';
import type { SampleMessage } from '../../src/ports/transport.js';
import { collectEffects, Pipeline } from '../../src/service/pipeline.js';

// The processor without a broker or a store, as Kafka Streams' TopologyTestDriver tests a
// topology: a message in, its effects out.
const rules: RuleSetConfig = { version: 1, characteristics: [{ id: 'torque', match: { line: 'L1', station: 'screw', parameter: 'torque' }, chart: { type: 'i-mr' }, limits: { center: 1.2, sigma: 0.02 }, rules: ['nelson1'], actions: { hold: ['nelson1'] } }] };
let seq = 0;
const message = (body: unknown, line = 'L1'): SampleMessage => ({ data: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)), subject: `spc.samples.${line}.screw.torque`, seq: ++seq, storedAtMs: 0, line, ack: () => {} });
const sample = (value: number, unit: string) => ({ ts: '2026-11-25T03:00:00Z', line: 'L1', station: 'screw', parameter: 'torque', value, unit, lot: 'LOT-1' });

describe('pipeline', () => {
  it('a violating sample: a point, a hold to send at once, time-series lines, a trace row and a stored signal', () => {
    const p = new Pipeline({ rules, encoder: influxLineEncoder, source: 'test', trace: true });
    const e = collectEffects();
    p.process(message(sample(1.5, 'SN1')), e.sink, false);
    expect(e.points.map((x) => [x.p.characteristic, x.p.violations])).toEqual([['torque', ['nelson1']]]);
    expect(e.signals).toEqual([expect.objectContaining({ type: 'hold', id: 'torque#1', rev: 1, added: ['SN1'], unitCount: 1 })]);
    expect(e.storeSignals).toHaveLength(1);
    expect(e.traceRows).toEqual([{ source: 'test', seq, item: 0, sample: sample(1.5, 'SN1') }]);
    expect(e.lines.map((l) => l.split(',')[0])).toEqual(['spc_point', 'spc_violation', 'spc_signal', 'spc_sample']);
    expect(e.deadLetters).toEqual([]);
  });

  it('a batch with bad items: the good ones processed, one dead letter naming the bad ones', () => {
    const p = new Pipeline({ rules, encoder: influxLineEncoder, source: 'test', unknownCharacteristics: 'dlq' });
    const e = collectEffects();
    p.process(message([sample(1.2, 'SN1'), { ...sample(1.2, 'SN2'), ts: 'yesterday' }, { ...sample(1.2, 'SN3'), station: 'press' }, { ...sample(1.2, 'SN4'), line: 'L2' }]), e.sink, false);
    expect(e.points).toHaveLength(1);
    expect(e.deadLetters).toHaveLength(1);
    expect(e.deadLetters[0].info).toMatchObject({ reason: 'invalid-sample', items: [1, 2, 3], counts: { 'invalid-sample': 1, 'unknown-characteristic': 1, rejected: 1 } });
    expect(p.counters.deadLetters).toEqual({ 'invalid-sample': 1, 'unknown-characteristic': 1, rejected: 1 });
  });

  it('silently (a replay of committed messages) it rebuilds state and emits nothing', () => {
    const p = new Pipeline({ rules, encoder: influxLineEncoder, source: 'test', trace: true });
    const quiet = collectEffects();
    p.process(message(sample(1.5, 'SN1')), quiet.sink, true);
    p.process(message('{oops'), quiet.sink, true);
    expect([quiet.signals, quiet.points, quiet.lines, quiet.traceRows, quiet.storeSignals, quiet.deadLetters].map((x) => x.length)).toEqual([0, 0, 0, 0, 0, 0]);
    // The hold exists (state), and the next message extends it as revision 2.
    const loud = collectEffects();
    p.process(message(sample(1.2, 'SN2')), loud.sink, false);
    expect(loud.signals).toEqual([expect.objectContaining({ type: 'hold', id: 'torque#1', rev: 2, added: ['SN2'], unitCount: 2 })]);
  });

  it('a replay runs on the stored times of its messages: alarm floods and their ids come out as in the first pass', () => {
    // Four alarms 40 s apart (never more than 2 within the 60 s window: no flood), then two more
    // a second apart, live: the second of those begins a flood, named by its time. A replay that
    // took its own clock saw the first four within a millisecond and began a flood of its own.
    const params = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
    const alarmRules: RuleSetConfig = { version: 1, characteristics: params.map((id) => ({ id, match: { line: 'L1', parameter: id }, chart: { type: 'i-mr' as const }, limits: { center: 1, sigma: 0.1 }, rules: ['nelson1' as const], actions: { alarm: ['nelson1' as const] } })) };
    const flood = { maxAlarms: 2, windowMs: 60_000 };
    const t0 = Date.UTC(2026, 10, 25, 3);
    const storedAt = [0, 40, 80, 120, 160, 161].map((s) => t0 + s * 1000);
    const at = (k: number): SampleMessage => ({
      data: new TextEncoder().encode(JSON.stringify({ ts: new Date(storedAt[k]).toISOString(), line: 'L1', station: 's', parameter: params[k], value: 2, unit: `SN${k}` })),
      subject: `spc.samples.L1.s.${params[k]}`, seq: k + 1, storedAtMs: storedAt[k], line: 'L1', ack: () => {},
    });
    const first = new Pipeline({ rules: alarmRules, encoder: influxLineEncoder, source: 'test', flood });
    const replayed = new Pipeline({ rules: alarmRules, encoder: influxLineEncoder, source: 'test', flood });
    for (let k = 0; k < 4; k++) { first.process(at(k), collectEffects().sink, false); replayed.process(at(k), collectEffects().sink, true); }
    const [a, b] = [collectEffects(), collectEffects()];
    for (const k of [4, 5]) { first.process(at(k), a.sink, false); replayed.process(at(k), b.sink, false); }
    expect(a.signals.map((s) => `${s.type} ${'id' in s ? s.id : ''}`)).toEqual(['alarm p5#1', 'alarm flood:L1#' + storedAt[5], 'alarm p6#1']);
    expect(b.signals).toEqual(a.signals);
  });

  it('a replayed manual check counts as done when it was done, not when it was replayed', () => {
    // Hourly check, done 30 min into the hour: due again at 90 min. A replay that took its own
    // clock (an hour later, here) had it due at 120 min and missed the overdue the first pass raised.
    const t0 = Date.now() - 3_600_000;
    const checked: RuleSetConfig = {
      ...rules,
      checks: [{ id: 'torque-audit', characteristic: 'torque', line: 'L1', station: 'screw', parameter: 'torque', everyMs: 3_600_000, sampleSize: 1, instructions: 'measure', graceMs: 0, graceUnits: 0, overdue: 'alarm' }],
    };
    const done: SampleMessage = { ...message({ ...sample(1.2, 'SN1'), attributes: { check: 'torque-audit' } }), storedAtMs: t0 + 1_800_000 };
    const next: SampleMessage = { ...message(sample(1.2, 'SN2')), storedAtMs: t0 + 1_860_000 }; // the first message after the replay
    const first = new Pipeline({ rules: checked, encoder: influxLineEncoder, source: 'test' });
    const replayed = new Pipeline({ rules: checked, encoder: influxLineEncoder, source: 'test' });
    first.process(done, collectEffects().sink, false);
    replayed.process(done, collectEffects().sink, true);
    for (const p of [first, replayed]) p.process(next, collectEffects().sink, false);
    const owns = () => true;
    const [a, b] = [collectEffects(), collectEffects()];
    // The timers tick on the stream's clock: 44 and 60 min after the last message, the stream's 75 and 91 min.
    const now = Date.now();
    for (const minutes of [44, 60]) { first.tickChecks(now + minutes * 60_000, a.sink, owns); replayed.tickChecks(now + minutes * 60_000, b.sink, owns); }
    const names = (e: typeof a) => e.signals.map((s) => `${s.type} ${'id' in s ? s.id.replace(/-\d+$/, '') : ''}`);
    expect(names(a)).toEqual(['alarm torque#check-torque-audit']);
    expect(names(b)).toEqual(names(a));
  });
});
