import { readFileSync } from 'node:fs';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { describe, expect, it } from 'vitest';
import { DeviationFromNominalChart } from '../../src/core/charts/dnom.js';
import { QChart } from '../../src/core/charts/q.js';
import { StandardizedChart } from '../../src/core/charts/zmr.js';
import type { Observation } from '../../src/core/charts/chart.js';
import { SpcEngine, type CharacteristicConfig, type PointRecord, type Sample } from '../../src/core/index.js';
import { SeededRandom } from '../../src/sim/random.js';
import { QUESENBERRY_EXAMPLE_1, QUESENBERRY_EXAMPLE_1_Q, SAS_DIAMETERS, SAS_NOMINALS, SAS_PRODUCT_SIGMA } from '../fixtures/independent.js';
import { plotPoint, runChart } from './run-chart.js';


const piece = (x: number, product?: string): Observation => ({ x, n: 1, range: 0, sd: 0, product });
const fixture = (name: string) => new URL(`../fixtures/reference/${name}/`, import.meta.url);
const imr = JSON.parse(readFileSync(new URL('expected.json', fixture('imr-nelson-demo')), 'utf8')) as { center: number; sigma: number; statistic: number[] };

describe('DNOM chart: deviations from each product\'s nominal on one I-MR chart', () => {
  // The I-MR reference series (R qcc 3.0, test/fixtures/reference/imr-nelson-demo) run as two
  // products in alternating batches of 7, P-50 at nominal 50 as measured and P-20 at nominal 20
  // measured 30 lower: every deviation is the reference value − 50, so the DNOM chart must give
  // qcc's I chart shifted by −50, σ included, moving ranges across each changeover included.
  const products = { 'P-50': { target: 50 }, 'P-20': { target: 20 } };
  const obs = imr.statistic.map((v, i) => (Math.floor(i / 7) % 2 ? piece(v - 30, 'P-20') : piece(v, 'P-50')));
  const { params, points } = runChart(new DeviationFromNominalChart(products), obs, 40);

  it('center and σ are qcc\'s for the deviations (σ = MR̄/1.128 across changeovers)', () => {
    expect(params.center).toBeCloseTo(imr.center - 50, 10);
    expect(params.sigma).toBeCloseTo(imr.sigma, 10);
  });
  it('each point plots x − T of its product against center ± 3σ', () => {
    points.forEach((p, i) => expect(p.statistic).toBeCloseTo(imr.statistic[i] - 50, 10));
    expect(points[5].ucl).toBeCloseTo(imr.center - 50 + 3 * imr.sigma, 10);
    expect(points[7].mr).toBeCloseTo(Math.abs(imr.statistic[7] - imr.statistic[6]), 10); // the changeover's moving range
  });
  it('refuses a sample without a product, or of a product without a nominal', () => {
    const chart = new DeviationFromNominalChart(products);
    expect(chart.refuse(undefined)).toMatch(/product is required/);
    expect(chart.refuse('P-99')).toMatch(/P-99 has no nominal: set products.P-99.spec.target/);
    expect(chart.refuse('P-20')).toBeUndefined();
  });
});

describe('Z-MR chart: each product standardized by its own nominal and σ', () => {
  it('known T and σ: z = (x − T)/σ, limits 0 ± 3, MR of z against 1.128 and 3.267', () => {
    const chart = new StandardizedChart({ A: { target: 10, sigma: 2 }, B: { target: 50, sigma: 5 } });
    const params = chart.fromStandard();
    const a = plotPoint(chart, piece(13, 'A'), params); // (13 − 10)/2 = 1.5
    const b = plotPoint(chart, piece(40, 'B'), params); // (40 − 50)/5 = −2
    expect([a.statistic, b.statistic]).toEqual([1.5, -2]);
    expect([b.center, b.ucl, b.lcl]).toEqual([0, 3, -3]);
    expect(b.mr).toBe(3.5);
    expect(b.mrCenter).toBeCloseTo(1.128, 10);
    expect(b.mrUcl).toBeCloseTo(1.128 + 3 * 0.853, 10); // d2 + 3d3 for n = 2 (Montgomery App. VI)
  });
  it('SAS\'s three-product diameters: each product standardized by its nominal and its own σ (as SAS\'s IR chart by product)', () => {
    const chart = new StandardizedChart(Object.fromEntries(Object.entries(SAS_NOMINALS).map(([p, target]) => [p, { target }])));
    const obs = SAS_DIAMETERS.map(([product, x]) => piece(x, product));
    chart.estimate(obs, obs.map(() => true));
    const z = obs.map((o) => plotPoint(chart, o, chart.fromStandard()).statistic);
    SAS_DIAMETERS.forEach(([product, x], i) => expect(z[i]).toBeCloseTo((x - SAS_NOMINALS[product]) / SAS_PRODUCT_SIGMA[product], 4));
  });

  it('estimated σ: each product\'s own MR̄/1.128 in Phase I, moving ranges never across products', () => {
    // A: 11, 13, 12, 14 → MRs 2, 1, 2 → MR̄ = 5/3, σ = 1.477541; T given 10.
    // B: 52, 49, 55 → MRs 3, 6 → MR̄ = 4.5, σ = 3.989362; no T given: T = mean = 52.
    const chart = new StandardizedChart({ A: { target: 10 } });
    const obs = [piece(11, 'A'), piece(52, 'B'), piece(13, 'A'), piece(49, 'B'), piece(12, 'A'), piece(55, 'B'), piece(14, 'A'), piece(7, 'C')];
    chart.estimate(obs, obs.map(() => true));
    const points = obs.slice(0, 7).map((o) => plotPoint(chart, o, chart.fromStandard()));
    expect(points[0].statistic).toBeCloseTo((11 - 10) / (5 / 3 / 1.128), 10);
    expect(points[1].statistic).toBeCloseTo((52 - 52) / (4.5 / 1.128), 10);
    expect(points[5].statistic).toBeCloseTo((55 - 52) / (4.5 / 1.128), 10);
    // C had one piece: no σ, no point in Phase I, refused after it.
    expect(chart.warmUp(piece(7, 'C'))).toBe(true);
    expect(chart.refuse('C', true)).toMatch(/product C has no σ/);
    expect(chart.refuse('C', false)).toBeUndefined();
  });
});

describe('Q chart (Quesenberry 1991): self-starting, per product', () => {
  // Quesenberry 1991, Example 1 (p. 219): the first pieces of a start-up, N(15, 0.02²), as given
  // in SAS/QC sample SHWQCHT1, which reproduces the paper's data.
  const EXAMPLE_1 = [14.984, 14.980, 15.008, 15.016, 15.024, 15.004, 15.044, 14.988, 15.012, 14.970];

  it('Q₃ and Q₄ equal the closed forms of Student\'s t for 1 and 2 degrees of freedom', () => {
    const chart = new QChart();
    const q = EXAMPLE_1.flatMap((x) => (chart.warmUp(piece(x)) ? [] : [plotPoint(chart, piece(x), chart.fromStandard()).statistic]));
    expect(q).toHaveLength(EXAMPLE_1.length - 2);
    // r = 3: x̄₂ = 14.982, s₂ = 0.004/√2; t = √(2/3)(15.008 − 14.982)/s₂; G₁ is the Cauchy
    // distribution function, ½ + atan(t)/π (Abramowitz & Stegun 26.7.3 with ν = 1).
    const s2 = 0.004 / Math.SQRT2;
    const t3 = Math.sqrt(2 / 3) * (15.008 - 14.982) / s2;
    expect(q[0]).toBeCloseTo(normalQuantile(0.5 + Math.atan(t3) / Math.PI, 0, 1), 8);
    // r = 4: x̄₃, s₃ of the first three; G₂(t) = ½ + t/(2√(2 + t²)) (ν = 2).
    const first3 = EXAMPLE_1.slice(0, 3), m3 = first3.reduce((a, b) => a + b) / 3;
    const s3 = Math.sqrt(first3.reduce((a, v) => a + (v - m3) ** 2, 0) / 2);
    const t4 = Math.sqrt(3 / 4) * (EXAMPLE_1[3] - m3) / s3;
    expect(q[1]).toBeCloseTo(normalQuantile(0.5 + t4 / (2 * Math.sqrt(2 + t4 * t4)), 0, 1), 8);
  });

  it('Q₃ … Q₅₀ of Example 1 equal SciPy\'s (t.cdf, norm.ppf) to 8 digits', () => {
    const chart = new QChart();
    const q = QUESENBERRY_EXAMPLE_1.flatMap((x) => (chart.warmUp(piece(x)) ? [] : [plotPoint(chart, piece(x), chart.fromStandard()).statistic]));
    expect(q).toHaveLength(QUESENBERRY_EXAMPLE_1_Q.length);
    q.forEach((v, i) => expect(v).toBeCloseTo(QUESENBERRY_EXAMPLE_1_Q[i], 8));
  });

  it('in control, the Q statistics are N(0, 1) whatever the product\'s mean and σ (Quesenberry\'s theorem)', () => {
    const rng = new SeededRandom(7);
    const chart = new QChart();
    const q: number[] = [];
    // Three products of very different scale, short runs of 25 pieces each, 800 runs.
    for (let run = 0; run < 800; run++) {
      const [product, mu, sigma] = [['A', 10, 0.01], ['B', 500, 20], ['C', -3, 1]][run % 3] as [string, number, number];
      const id = `${product}${run}`;
      for (let i = 0; i < 25; i++) {
        const o = piece(mu + sigma * rng.normal(), id);
        if (!chart.warmUp(o)) q.push(plotPoint(chart, o, chart.fromStandard()).statistic);
      }
    }
    const mean = q.reduce((a, b) => a + b) / q.length;
    const variance = q.reduce((a, v) => a + (v - mean) ** 2, 0) / (q.length - 1);
    expect(q.length).toBe(800 * 23);
    expect(Math.abs(mean)).toBeLessThan(0.03); // 4 standard errors of 1/√18,400
    expect(variance).toBeGreaterThan(0.95);
    expect(variance).toBeLessThan(1.05);
    // P(|Q| > 1.96) = 0.05: 920 expected, sd ≈ 30.
    const beyond = q.filter((v) => Math.abs(v) > 1.96).length;
    expect(beyond).toBeGreaterThan(800);
    expect(beyond).toBeLessThan(1040);
  });

  it('a step in the mean after 20 in-control pieces is flagged beyond 3', () => {
    const rng = new SeededRandom(3);
    const chart = new QChart();
    const values = [...Array.from({ length: 20 }, () => 15 + 0.02 * rng.normal()), 15.2];
    const last = values.map((x) => (chart.warmUp(piece(x)) ? undefined : plotPoint(chart, piece(x), chart.fromStandard()))).at(-1)!;
    expect(last.statistic).toBeGreaterThan(3);
  });
});

describe('short-run charts in the engine', () => {
  let seq = 0;
  const sample = (value: number, product?: string): Sample => ({ ts: new Date(Date.UTC(2026, 10, 30) + ++seq * 1000).toISOString(), line: 'L1', station: 'S1', parameter: 'bore', value, unit: `U${seq}`, ...(product ? { product } : {}) });
  const base = { id: 'bore', match: { parameter: 'bore' }, rules: ['nelson1' as const] };

  it('Q chart: a product\'s first two pieces plot nothing; a snapshot taken mid-run continues exactly', () => {
    const c: CharacteristicConfig = { ...base, chart: { type: 'q' }, limits: { center: 0, sigma: 1 } };
    const rng = new SeededRandom(11);
    const samples = Array.from({ length: 40 }, (_, i) => sample(100 + rng.normal(), i % 2 ? 'A' : 'B'));
    const whole: PointRecord[] = [];
    const engine = new SpcEngine({ version: 1, characteristics: [c] });
    samples.forEach((s) => engine.process(s, (p) => whole.push({ ...p })));
    expect(whole).toHaveLength(40 - 2 * 2);
    expect(whole[0].units).toEqual([samples[4].unit]); // A's and B's third pieces are the 5th and 6th samples

    const first = new SpcEngine({ version: 1, characteristics: [c] });
    samples.slice(0, 17).forEach((s) => first.process(s, () => {}));
    const resumed = new SpcEngine({ version: 1, characteristics: [c] });
    resumed.restoreStates(JSON.parse(JSON.stringify(first.saveStates())));
    const after: PointRecord[] = [];
    samples.slice(17).forEach((s) => resumed.process(s, (p) => after.push({ ...p })));
    expect(after.map((p) => p.statistic)).toEqual(whole.slice(-after.length).map((p) => p.statistic));
  });

  it('DNOM chart: a product without a nominal is rejected with a message naming the fix', () => {
    const c: CharacteristicConfig = { ...base, chart: { type: 'dnom' }, limits: { phase1: 5 }, products: { 'P-1': { spec: { target: 5 } } } };
    const engine = new SpcEngine({ version: 1, characteristics: [c] });
    expect(engine.process(sample(5.1, 'P-1'), () => {})).toMatchObject({ matched: 1 });
    expect(engine.process(sample(5.1, 'P-2'), () => {})).toMatchObject({ matched: 0, rejected: expect.stringMatching(/P-2 has no nominal/) });
    expect(engine.process(sample(5.1), () => {})).toMatchObject({ matched: 0, rejected: expect.stringMatching(/product is required/) });
  });
});
