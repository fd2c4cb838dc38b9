import { describe, expect, it } from 'vitest';
import { capabilityLine, pointLine, sampleLine, signalLine, violationLines } from '../../src/adapters/influx/line-protocol.js';
import type { PointRecord } from '../../src/core/index.js';

const point: PointRecord = {
  type: 'point', characteristic: 'reflow.peak_temp', index: 12, phase: 'II', ts: '2026-11-25T03:00:00.123Z',
  statistic: 249.5, center: 245, ucl: 248.6, lcl: 241.4, violations: ['we1'], actions: ['hold'], units: ['SN 1'], lots: ['LOT,7'], mr: 1.5,
};
const tags = { line: 'L1', station: 'reflow oven', parameter: 'peak_temp', chart: 'i-mr' };

describe('InfluxDB line protocol', () => {
  it('spc_point: low-cardinality tags, units and lots as string fields, ns time = ms + point index', () => {
    expect(pointLine(point, tags)).toBe(
      'spc_point,characteristic=reflow.peak_temp,line=L1,station=reflow\\ oven,parameter=peak_temp,chart=i-mr index=12i,phase="II",statistic=249.5,center=245,ucl=248.6,lcl=241.4,violations="we1",violation_count=1i,actions="hold",units="SN 1",lots="LOT,7",mr=1.5 1795575600123000012',
    );
  });
  it('limits are written as String() writes them, also after their remembered texts start over (-0, tiny, huge)', () => {
    const fields = (line: string) => line.slice(line.indexOf(' index='));
    const odd = [-0, 5e-324, 1e21, -1.7976931348623157e308, 0.1 + 0.2, 1 / 3];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 25_000; i++) { // more distinct limits (5 a point) than are remembered
        const c = i * 1.37 + round, u = c + 3 * 0.0123, l = c - 3 * 0.0123;
        expect(fields(pointLine({ ...point, center: c, ucl: u, lcl: l }, { ...tags, lsl: l - 1, usl: u + 1 })))
          .toContain(`,center=${String(c)},ucl=${String(u)},lcl=${String(l)},`);
      }
      for (const n of odd) expect(fields(pointLine({ ...point, center: n, ucl: n, lcl: n }, { ...tags, lsl: n, usl: n }))).toContain(`,center=${String(n)},ucl=${String(n)},lcl=${String(n)},`);
    }
    expect(pointLine({ ...point, center: NaN, ucl: Infinity }, tags)).not.toMatch(/center=|ucl=/);
  });
  it('spc_violation: one line per rule', () => {
    expect(violationLines({ ...point, violations: ['we1', 'we2'] }, tags)).toHaveLength(2);
    expect(violationLines(point, tags)[0]).toMatch(/^spc_violation,characteristic=reflow\.peak_temp,line=L1,station=reflow\\ oven,rule=we1 statistic=249\.5,/);
  });
  it('spc_sample: escapes quotes in string fields and leaves out absent ones', () => {
    expect(sampleLine({ ts: '2026-11-25T03:00:00Z', line: 'L1', station: 's', parameter: 'p', value: 1.5, unit: 'SN"2', lot: 'L\\1' }, 7))
      .toBe('spc_sample,line=L1,station=s,parameter=p unit="SN\\"2",value=1.5,lot="L\\\\1" 1795575600000000007');
  });
  it('spc_signal: a hold with its id, rule and units', () => {
    const line = signalLine({ type: 'hold', id: 'c#1', line: 'L1', station: 's', characteristic: 'c', rule: 'we1', rules: ['we1'], action: 'hold', statistic: 3, center: 0, ucl: 1, lcl: -1, rev: 1, unitCount: 2, units: ['A', 'B'], added: ['A', 'B'], lots: [], firstIndex: 1, lastIndex: 1, ts: '2026-11-25T03:00:00Z', updated: '2026-11-25T03:00:00Z' }, 5);
    expect(line).toBe('spc_signal,characteristic=c,line=L1,station=s,type=hold id="c#1",units="A,B",rule="we1",statistic=3,lots="",unit_count=2i,rev=1i 1795575600000000005');
  });
  it('a split\'s low-cardinality keys are tags, the others string fields; its seq keeps two splits at one time apart', () => {
    const split = { product: 'P 100', cavity: '2' };
    const both = { ...tags, splitTags: new Set(['product', 'cavity']) };
    expect(pointLine({ ...point, split, seq: 40 }, both)).toMatch(/^spc_point,characteristic=reflow\.peak_temp,line=L1,station=reflow\\ oven,parameter=peak_temp,chart=i-mr,split_product=P\\ 100,split_cavity=2 index=12i,.* \d{13}000040$/);
    expect(violationLines({ ...point, split, seq: 40 }, both)[0]).toMatch(/,rule=we1,split_product=P\\ 100,split_cavity=2 statistic=.* \d{13}000040$/);
    // Only product declared: cavity becomes a string field, and two cavities' points of one
    // instant (same series now) differ by their seq.
    const productOnly = { ...tags, splitTags: new Set(['product']) };
    const cavity2 = pointLine({ ...point, split, seq: 40 }, productOnly), cavity1 = pointLine({ ...point, split: { product: 'P 100', cavity: '1' }, seq: 41 }, productOnly);
    expect(cavity2).toMatch(/,chart=i-mr,split_product=P\\ 100 index=12i,.*,split_cavity="2" \d{13}000040$/);
    expect(cavity1.split(' ').slice(0, 1)).toEqual(cavity2.split(' ').slice(0, 1)); // the same series
    expect(cavity1.split(' ').at(-1)).not.toBe(cavity2.split(' ').at(-1)); // at distinct timestamps
    // Nothing declared: every split key is a field.
    expect(pointLine({ ...point, split, seq: 40 }, tags)).toMatch(/,chart=i-mr index=12i,.*,split_product="P 100",split_cavity="2" \d+$/);
    const summary = { type: 'summary' as const, characteristic: 'reflow.peak_temp', split, chart: 'i-mr' as const, points: 25, center: 245, sigma: 1, pendingSamples: 0, droppedSamples: 0, violations: {}, actions: {}, capability: { cp: 1.5, cpk: 1.4, pp: 1.45, ppk: 1.35 } };
    expect(capabilityLine('reflow.peak_temp', both, summary, '2026-11-25T03:00:00Z', 40)).toMatch(/^spc_capability,characteristic=reflow\.peak_temp,line=L1,station=reflow\\ oven,split_product=P\\ 100,split_cavity=2 cp=1\.5,.* \d{13}000040$/);
    expect(capabilityLine('reflow.peak_temp', productOnly, { ...summary, capability: { ppk: 1.2, method: 'boxcox' as const, lambda: 0.5 } }, '2026-11-25T03:00:00Z', 41))
      .toMatch(/ ppk=1\.2,center=245,sigma=1,method="boxcox",lambda=0\.5,split_cavity="2" \d{13}000041$/);
  });
  it('spc_limits: a limits version with its split as a tag, and who approved it', () => {
    const line = signalLine({ type: 'limits', id: 'bore[cavity=2]@v2', line: 'L1', station: 'lathe', characteristic: 'bore', split: { cavity: '2' }, version: 2, kind: 'recalculation', center: 10.5, sigma: 0.04, points: 20, excluded: [], proposal: 7, approval: { signer: 'qm anna', meaning: 'approved', at: '2026-11-25T03:00:00Z' }, ts: '2026-11-25T03:00:00Z' }, 9);
    expect(line).toBe('spc_limits,characteristic=bore,line=L1,station=lathe,kind=recalculation,split=cavity\\=2 version=2i,center=10.5,sigma=0.04,points=20i,approved_by="qm anna" 1795575600000000009');
  });
});
