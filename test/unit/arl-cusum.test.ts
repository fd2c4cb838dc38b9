import { describe, expect, it } from 'vitest';
import { cusumOneSidedArl, cusumTwoSidedArl } from '../../src/core/arl/cusum-markov.js';
import { exactInControlArl } from '../../src/core/arl/exact-arl.js';

// Montgomery, Introduction to Statistical Quality Control (6th/7th ed.), Table 9.3: ARL of the
// tabular CUSUM with k = 1/2 and h = 4 or 5, by mean shift in σ (the digits printed there).
const TABLE_9_3: Record<number, [number, number][]> = {
  4: [[0, 168], [0.25, 74.2], [0.5, 26.6], [0.75, 13.3], [1, 8.38], [1.5, 4.75], [2, 3.34], [2.5, 2.62], [3, 2.19], [4, 1.71]],
  5: [[0, 465], [0.25, 139], [0.5, 38.0], [0.75, 17.0], [1, 10.4], [1.5, 5.75], [2, 4.01], [2.5, 3.11], [3, 2.57], [4, 2.01]],
};

describe('CUSUM ARL by the Brook–Evans Markov chain', () => {
  for (const [h, rows] of Object.entries(TABLE_9_3)) {
    it(`reproduces Montgomery Table 9.3 for h = ${h} to the printed digits`, () => {
      for (const [delta, printed] of rows) {
        const arl = cusumTwoSidedArl(0.5, Number(h), delta);
        const digits = String(printed).replace('.', '').replace(/^0+/, '').length;
        expect(Number(arl.toPrecision(digits)), `δ = ${delta}`).toBe(printed);
      }
    });
  }
  it('a one-sided chart signals half as often in control (the two sides are symmetric)', () => {
    expect(cusumOneSidedArl(0.5, 5, 0)).toBeCloseTo(2 * cusumTwoSidedArl(0.5, 5, 0), 6);
  });
  it('is what spc rules check reports for a CUSUM characteristic', () => {
    const r = exactInControlArl({ id: 'x', match: {}, chart: { type: 'cusum', k: 0.5, h: 5 }, limits: { center: 0, sigma: 1 }, rules: ['we1'] });
    expect(r).toMatchObject({ exact: true, method: 'Markov chain of the sums, Brook & Evans' });
    expect(r.exact && Number(r.arl.toPrecision(3))).toBe(465);
  });
});
