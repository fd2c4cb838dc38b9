import { describe, expect, it } from 'vitest';
import { SparkplugMapper } from '../../src/core/sparkplug/mapper.js';
import { SparkplugSessions } from '../../src/core/sparkplug/session.js';
import { parseSparkplugTopic } from '../../src/core/sparkplug/topic.js';

describe('Sparkplug B topics (Sparkplug 3.0 §4.1)', () => {
  it('reads group, type, edge node and device; anything else is not Sparkplug', () => {
    expect(parseSparkplugTopic('spBv1.0/plant1/DDATA/edge1/oven1')).toEqual({ group: 'plant1', type: 'DDATA', node: 'edge1', device: 'oven1' });
    expect(parseSparkplugTopic('spBv1.0/plant1/NBIRTH/edge1')).toEqual({ group: 'plant1', type: 'NBIRTH', node: 'edge1' });
    for (const t of ['spBv1.0/plant1/XDATA/edge1', 'spAv1.0/p/NDATA/e', 'spBv1.0/p/NDATA', 'spBv1.0/p/DDATA/e/d/x']) expect(parseSparkplugTopic(t)).toBeUndefined();
  });
});

describe('edge node sessions: aliases and seq (Sparkplug 3.0 §6.4)', () => {
  const birth = [{ name: 'bdSeq', value: 3 }, { name: 'Temp', alias: 7, value: 20 }];
  it('resolves aliases from the births; the next seq follows, wrapping at 256', () => {
    const s = new SparkplugSessions();
    s.nodeBirth('g', 'n', 254, birth);
    expect(s.deviceBirth('g', 'n', 'd', 255, [{ name: 'Serial', alias: 8, value: '' }]).gap).toBeUndefined();
    const r = s.data('g', 'n', 'd', 0, [{ alias: 7, value: 21 }, { alias: 8, value: 'SN-1' }]);
    expect(r).toEqual({ metrics: [{ name: 'Temp', value: 21 }, { name: 'Serial', value: 'SN-1' }], unknownAliases: [] });
  });
  it('a seq gap, an unknown alias, or data without a birth are reported (the caller asks for a rebirth)', () => {
    const s = new SparkplugSessions();
    s.nodeBirth('g', 'n', 0, birth);
    s.deviceBirth('g', 'n', 'd', 1, []);
    expect(s.data('g', 'n', 'd', 3, [{ alias: 7, value: 1 }]).gap).toEqual({ expected: 2, got: 3 });
    expect(s.data('g', 'n', 'd', 4, [{ alias: 99, value: 1 }]).unknownAliases).toEqual([99]);
    expect(s.data('g', 'n', 'other', 5, [{ name: 'Temp', value: 1 }])).toMatchObject({ unborn: true, metrics: [{ name: 'Temp', value: 1 }] });
    s.death('g', 'n');
    expect(s.data('g', 'n', 'd', 6, [{ alias: 7, value: 1 }])).toMatchObject({ unborn: true, metrics: [], unknownAliases: [7] });
  });
});

describe('metrics to samples', () => {
  const mapper = () => new SparkplugMapper({ version: 1, devices: [{ group: 'g', device: 'oven1', line: 'L1', station: 'reflow', unit: 'Serial', lot: 'Lot', parameters: { Temp: 'peak_temp' } }] });
  const t = { group: 'g', type: 'DDATA' as const, node: 'n', device: 'oven1' };
  it('identity metrics set the current unit; parameters become its samples; births chart nothing', () => {
    const m = mapper();
    expect(m.apply({ ...t, type: 'DBIRTH' }, [{ name: 'Serial', value: 'SN-0' }, { name: 'Temp', value: 245 }], 1000, 0, true).samples).toEqual([]);
    const r = m.apply(t, [{ name: 'Serial', value: 'SN-1' }, { name: 'Lot', value: 'LOT-7' }, { name: 'Temp', value: { toNumber: () => 246 }, timestamp: 2000 }], 1000, 0);
    expect(r.samples).toEqual([{ ts: new Date(2000).toISOString(), line: 'L1', station: 'reflow', parameter: 'peak_temp', value: 246, unit: 'SN-1', lot: 'LOT-7' }]);
  });
  it('values without a unit, non-numbers and unmapped metrics are reported, never guessed', () => {
    const m = mapper();
    expect(m.apply(t, [{ name: 'Temp', value: 245 }], 0, 0).refused).toEqual([{ metric: 'Temp', why: 'no-unit' }]);
    const r = m.apply(t, [{ name: 'Serial', value: 'SN-2' }, { name: 'Temp', value: 'hot' }, { name: 'Fan', value: 3 }, { name: 'Node Control/Rebirth', value: false }], 0, 0);
    expect([r.refused, r.unmapped]).toEqual([[{ metric: 'Temp', why: 'not-a-number' }], ['Fan']]);
    expect(m.apply({ ...t, device: 'press9' }, [{ name: 'X', value: 1 }], 0, 0).unmapped).toEqual(['X']);
  });
});

describe('the bridge map file', () => {
  it('the example loads; a map without unit is refused at its line', async () => {
    const { loadSparkplugMap } = await import('../../src/rules-file/sparkplug-map.js');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    expect(loadSparkplugMap('examples/sparkplug-map.yaml').devices[0]).toMatchObject({ group: 'plant1', unit: 'Board/Serial', parameters: { 'Oven/PeakTemp': 'peak_temp' } });
    const bad = join(mkdtempSync(join(tmpdir(), 'spc-map-')), 'map.yaml');
    writeFileSync(bad, 'version: 1\ndevices:\n  - device: oven1\n    parameters: { T: t }\n');
    expect(() => loadSparkplugMap(bad)).toThrow(/map\.yaml:3:\d+ devices\[0\] is missing required key "unit"/);
  });
});
