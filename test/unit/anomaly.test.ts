import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { chiSquareLimit, hotellingT2Limit, qLimit } from '../../src/anomaly/limits.js';
import { ledoitWolfCovariance, columnMeans } from '../../src/anomaly/covariance.js';
import { scoreRow } from '../../src/anomaly/model.js';
import { exportOnnx } from '../../src/anomaly/onnx-export.js';
import { isAnomalous, trainModel } from '../../src/anomaly/train.js';
import { SeededRandom } from '../../src/sim/random.js';

/** n rows of x = μ + L·z with L a Cholesky factor (a known covariance). */
function correlatedRows(n: number, seed: number, mean: number[], L: number[][]): number[][] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, () => {
    const z = mean.map(() => rng.normal());
    return mean.map((m, i) => m + L[i].reduce((s, lij, j) => s + lij * z[j], 0));
  });
}
const L3 = [[1.2, 0, 0], [1.6, 1.2, 0], [0.2, -0.3, 4]]; // peak temp, TAL (ρ ≈ 0.8), paste thickness
const MEAN3 = [245, 60, 120];

describe('limits', () => {
  it('χ² with 1 degree of freedom at α = 0.0027 is 3² (the 3σ limit squared)', () => {
    expect(chiSquareLimit(1, 0.0026997960632601)).toBeCloseTo(9, 6);
  });
  it('Hotelling Phase II UCL p(m+1)(m−1)/(m²−mp)·F: p = 2, m = 30, α = 0.05 with F(0.95; 2, 28) = 3.34 (F table)', () => {
    expect(hotellingT2Limit(2, 30, 0.05)).toBeCloseTo(((2 * 31 * 29) / (900 - 60)) * 3.34, 1);
    expect(hotellingT2Limit(3, 100000, 0.01)).toBeCloseTo(chiSquareLimit(3, 0.01), 2); // large m → χ²
  });
  it('Jackson–Mudholkar Q limit agrees with Box\'s g·χ²(h) for equal residual eigenvalues (λ·χ²₁₀(0.99) = 0.5 × 23.209)', () => {
    expect(qLimit(Array(10).fill(0.5), 0.01)).toBeCloseTo(0.5 * 23.209, 0);
  });
});

describe('Ledoit–Wolf shrinkage', () => {
  it('shrinks little when n ≫ p and the correlation is strong, a lot when n is barely above p', () => {
    const big = correlatedRows(5000, 1, MEAN3, L3);
    expect(ledoitWolfCovariance(big, columnMeans(big)).shrinkage).toBeLessThan(0.02);
    const white = correlatedRows(8, 2, [0, 0, 0], [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(ledoitWolfCovariance(white, columnMeans(white)).shrinkage).toBeGreaterThan(0.5);
  });
  it('recovers the covariance it was sampled from', () => {
    const rows = correlatedRows(20000, 3, MEAN3, L3);
    const { covariance } = ledoitWolfCovariance(rows, columnMeans(rows));
    expect(covariance.get(0, 1)).toBeCloseTo(1.2 * 1.6, 1);  // L Lᵀ
    expect(covariance.get(1, 1)).toBeCloseTo(1.6 ** 2 + 1.2 ** 2, 1);
  });
});

describe.each(['mahalanobis', 'pca'] as const)('%s model', (kind) => {
  const features = ['reflow.peak_temp', 'reflow.tal', 'printer.paste_thickness'];
  const trained = trainModel(features, correlatedRows(4000, 4, MEAN3, L3), { kind, alpha: 1 / 370 });

  it('ONNX scores equal the TypeScript computation (float32 tolerance)', async () => {
    const session = await ort.InferenceSession.create(exportOnnx(trained.model, 'test', '0'), { intraOpNumThreads: 1 });
    const rows = correlatedRows(64, 5, MEAN3, L3).map((r, i) => (i % 8 === 0 ? [r[0], r[1] - 8, r[2]] : r));
    const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 3]);
    const out = await session.run({ features: input });
    rows.forEach((r, i) => {
      const ref = scoreRow(trained.model, Float32Array.from(r));
      expect(out.score.data[i] as number).toBeCloseTo(ref.score, 2);
      if (kind === 'pca') expect(out.q.data[i] as number).toBeCloseTo(ref.q!, 2);
      for (let j = 0; j < 3; j++) expect(out.contributions.data[i * 3 + j] as number).toBeCloseTo(ref.contributions[j], 2);
    });
    await session.release();
  });

  it('is quiet on in-control data at about the calibrated rate, and catches a broken correlation', () => {
    const inControl = correlatedRows(20000, 6, MEAN3, L3);
    const rate = inControl.filter((r) => isAnomalous(scoreRow(trained.model, r), trained.thresholds)).length / inControl.length;
    expect(rate).toBeGreaterThan(0.5 / 370);
    expect(rate).toBeLessThan(2 / 370);
    // TAL now falls as peak temperature rises: each variable keeps its own mean and spread.
    const broken = correlatedRows(2000, 7, MEAN3, [[1.2, 0, 0], [-1.6, 1.2, 0], [0.2, -0.3, 4]]);
    // Along the direction the break opens, the variance grows ~9×: theory says ~21% of units pass a
    // 3-feature χ² limit of 14.2 (P(9χ²₁ > 14.2)), i.e. ARL₁ ≈ 5 units instead of 370.
    const caught = broken.filter((r) => isAnomalous(scoreRow(trained.model, r), trained.thresholds)).length / broken.length;
    expect(caught).toBeGreaterThan(0.15);
    expect(caught / rate).toBeGreaterThan(40);
    expect(trained.calibration.holdoutFalseAlarmRate).toBeLessThan(0.02);
  });
});

it('Mahalanobis contributions sum to T² and point at the feature that moved', () => {
  const trained = trainModel(['a.x', 'a.y', 'a.z'], correlatedRows(3000, 8, MEAN3, L3), { kind: 'mahalanobis' });
  const s = scoreRow(trained.model, [245, 60, 150]);
  expect(s.contributions.reduce((a, b) => a + b, 0)).toBeCloseTo(s.score, 9);
  expect(s.contributions.indexOf(Math.max(...s.contributions))).toBe(2);
});
