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
});
