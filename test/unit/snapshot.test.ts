import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AlarmLifecycle, desiredPartitions, HoldBook, SpcEngine, partitionOf, type PointRecord, type RuleSetConfig, type Sample, type Signal } from '../../src/core/index.js';
import { loadRules } from '../../src/rules-file/load.js';

// The bundled SMT example: X̄-R, X̄-S, I-MR, EWMA, CUSUM, c and p charts, Phase I then II, and a
// +1.5σ shift that raises holds. Every chart keeps different state between points.
const rules: RuleSetConfig = { ...loadRules('rules/smt-line.yaml'), anomaly: [] };
const samples: Sample[] = readFileSync('examples/smt-line.ndjson', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Sample);

interface Run { engine: SpcEngine; holds: HoldBook; points: string[]; signals: string[] }
const newRun = (): Run => ({ engine: new SpcEngine(rules), holds: new HoldBook(), points: [], signals: [] });
function feed(run: Run, from: Sample[]): void {
  for (const s of from) {
    run.engine.process(s, (p: PointRecord) => {
      for (const sig of run.holds.apply(p, { line: s.line, station: s.station })) run.signals.push(JSON.stringify(sig));
      run.points.push(JSON.stringify(p));
    });
  }
}

describe('state snapshots', () => {
  const reference = newRun();
  feed(reference, samples);

  it('the reference run has holds and every chart type (so the comparison means something)', () => {
    expect(reference.signals.filter((s) => s.includes('"type":"hold"')).length).toBeGreaterThan(0);
    expect(new Set(reference.engine.summaries().map((s) => s.chart)).size).toBe(7);
  });

  // Cut points: inside Phase I, inside an open subgroup, just after limits lock, in the shift.
  for (const cut of [1, 37, 101, 333, 801, 2013, 2437, 3600]) {
    it(`stopping after sample ${cut} and resuming from a JSON snapshot gives the uninterrupted run's points and signals`, () => {
      const first = newRun();
      feed(first, samples.slice(0, cut));
      const json = JSON.stringify({ engine: first.engine.saveStates(), holds: first.holds.saveState(() => true) });

      const second = newRun();
      const snap = JSON.parse(json);
      expect(second.engine.restoreStates(snap.engine)).toEqual({ restored: rules.characteristics.length, fresh: 0 });
      second.holds.restoreState(snap.holds, () => true);
      feed(second, samples.slice(cut));

      expect([...first.points, ...second.points]).toEqual(reference.points);
      expect([...first.signals, ...second.signals]).toEqual(reference.signals);
      expect(second.engine.summaries()).toEqual(reference.engine.summaries());
    });
  }

  it('restoring without a snapshot starts a characteristic afresh, and a changed configuration is not restored', () => {
    const run = newRun();
    feed(run, samples.slice(0, 1000));
    const states = run.engine.saveStates();
    const changed: RuleSetConfig = { ...rules, characteristics: rules.characteristics.map((c) => (c.id === 'reflow.peak_temp.individuals' ? { ...c, rules: ['nelson1'], priority: undefined } : c)) };
    const other = new SpcEngine(changed);
    expect(other.restoreStates(states)).toEqual({ restored: rules.characteristics.length - 1, fresh: 1 });
    expect(other.summaryOf('reflow.peak_temp.individuals')).toMatchObject({ points: 0, phase1: { collected: 0 } });
    // And a restore with nothing to restore resets a characteristic that had run.
    run.engine.restoreStates({}, (id) => id === 'screw.torque');
    expect(run.engine.summaryOf('screw.torque')!.points).toBe(0);
    expect(run.engine.summaryOf('reflow.peak_temp')!.points).toBeGreaterThan(0);
  });

  it('hold book and alarm lifecycle snapshots replace only the selected part', () => {
    const book = new HoldBook();
    const point = (characteristic: string, index: number, actions: ('hold' | 'alarm')[]): PointRecord => ({ type: 'point', characteristic, index, phase: 'II', ts: 't', statistic: 9, center: 0, ucl: 3, lcl: -3, violations: ['we1'], actions, units: [`U${index}`], lots: ['LOT'] });
    book.apply(point('a', 1, ['hold']), { line: 'L1', station: 's' });
    book.apply(point('b', 1, ['hold', 'alarm']), { line: 'L2', station: 's' });
    const onlyA = book.saveState((c) => c === 'a');
    expect(onlyA.holds.map((h) => h.head.id)).toEqual(['a#1']);
    const other = new HoldBook();
    other.apply(point('a', 5, ['hold']), { line: 'L1', station: 's' });
    other.restoreState(onlyA, (c) => c === 'a');
    expect(other.activeHolds().map((h) => h.id)).toEqual(['a#1']);
    // After a restored release the id is remembered: the same point replayed raises nothing.
    other.release('a#1', 'q', 'checked', 't');
    const released = other.saveState(() => true);
    const third = new HoldBook();
    third.restoreState(released, () => true);
    expect(third.apply(point('a', 1, ['hold']), { line: 'L1', station: 's' }) as Signal[]).toEqual([]);

    const life = new AlarmLifecycle();
    life.onSignal(book.apply(point('c', 2, ['alarm']), { line: 'L2', station: 's' })[0] as Signal, 0);
    life.acknowledge('c#2', 'op', 't');
    const lifeSnap = JSON.parse(JSON.stringify(life.saveState((l) => l === 'L2')));
    const life2 = new AlarmLifecycle();
    life2.restoreState(lifeSnap, (l) => l === 'L2');
    expect(life2.open().map((a) => [a.id, a.state])).toEqual([['c#2', 'active-acknowledged']]);
  });
});

describe('partitioning', () => {
  it('is deterministic, in range and spreads lines (FNV-1a)', () => {
    // FNV-1a 32 of "a" is 0xe40c292c (the published test vector).
    expect(partitionOf('a', 2 ** 31)).toBe(0xe40c292c % 2 ** 31);
    const counts = new Array(4).fill(0);
    for (let i = 0; i < 400; i++) counts[partitionOf(`L${i}`, 4)]++;
    for (const c of counts) expect(c).toBeGreaterThan(60);
    expect(partitionOf('L1', 1)).toBe(0);
    expect(partitionOf('L7', 8)).toBe(partitionOf('L7', 8));
  });

  it('gives every partition exactly one owner, balanced, the same on every worker', () => {
    for (const [workers, partitions] of [[['w1', 'w2', 'w3'], 6], [['a'], 4], [['vm-1', 'vm-2'], 5], [['x', 'y', 'z', 'q'], 16]] as const) {
      const owned = workers.map((w) => desiredPartitions(workers, partitions, w));
      expect(owned.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: partitions }, (_, i) => i));
      for (const o of owned) expect(o.length).toBeLessThanOrEqual(Math.ceil(partitions / workers.length));
      // Order of the member list does not matter.
      expect(desiredPartitions([...workers].reverse(), partitions, workers[0])).toEqual(owned[0]);
    }
    expect(desiredPartitions(['w1'], 3, 'w2')).toEqual([]);
  });
});
