import { EigenvalueDecomposition, inverse, Matrix } from 'ml-matrix';
import { columnMeans, ledoitWolfCovariance } from './covariance.js';
import { chiSquareLimit, hotellingT2Limit, qLimit } from './limits.js';
import { scoreRow, type AnomalyModel, type AnomalyScore, type MahalanobisModel, type PcaModel } from './model.js';

/** A unit is anomalous when its T² or (PCA) its Q is beyond the limit. */
export function isAnomalous(s: AnomalyScore, t: { score: number; q?: number }): boolean {
  return s.score > t.score || (t.q !== undefined && s.q !== undefined && s.q > t.q);
}

export interface TrainOptions {
  kind: 'mahalanobis' | 'pca';
  /** In-control false-alarm probability per unit; default 1/370 (ARL₀ = 370, as a 3σ Shewhart chart). */
  alpha?: number;
  /** PCA: fraction of variance the retained components explain; default 0.9. */
  variance?: number;
  /** Fraction of rows held out to check the false-alarm rate; default 0.3. */
  holdout?: number;
}

export interface TrainedModel {
  model: AnomalyModel;
  /** Limits the worker flags against: `score` (T²) and, for PCA, `q`. */
  thresholds: { score: number; q?: number };
  calibration: {
    alpha: number;
    expectedArl0: number;
    method: string;
    trainingRows: number;
    holdoutRows: number;
    /** Share of held-out in-control rows beyond the limits: should be near alpha. */
    holdoutFalseAlarmRate: number;
    shrinkage?: number;
    components?: number;
    explainedVariance?: number;
  };
}

function fitMahalanobis(features: string[], rows: number[][], alpha: number) {
  const mean = columnMeans(rows);
  const { covariance, shrinkage } = ledoitWolfCovariance(rows, mean);
  const precision = inverse(covariance).to2DArray();
  const model: MahalanobisModel = { kind: 'mahalanobis', features, mean, precision };
  const p = features.length, m = rows.length;
  const limit = m > p + 1 ? hotellingT2Limit(p, m, alpha) : chiSquareLimit(p, alpha);
  return { model, thresholds: { score: limit }, extra: { shrinkage, method: `Hotelling T² Phase II limit p(m+1)(m−1)/(m²−mp)·F(1−α; p, m−p), Ledoit–Wolf shrunk covariance` } };
}

function fitPca(features: string[], rows: number[][], alpha: number, varianceWanted: number) {
  const p = features.length, m = rows.length;
  const mean = columnMeans(rows);
  const scale = mean.map((mu, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - mu) ** 2, 0) / (m - 1)) || 1);
  const Z = new Matrix(rows.map((r) => r.map((v, j) => (v - mean[j]) / scale[j])));
  const R = Z.transpose().mmul(Z).div(m - 1);
  const evd = new EigenvalueDecomposition(R, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((l, i) => [l, i] as const).sort((a, b) => b[0] - a[0]);
  const total = order.reduce((s, [l]) => s + Math.max(0, l), 0);
  let k = 0, explained = 0;
  while (k < p - 1 && explained / total < varianceWanted) explained += Math.max(0, order[k++][0]);
  if (k === 0) { k = 1; explained = order[0][0]; }
  const V = evd.eigenvectorMatrix;
  const loadings = Array.from({ length: p }, (_, j) => order.slice(0, k).map(([, i]) => V.get(j, i)));
  const eigenvalues = order.slice(0, k).map(([l]) => l);
  const residual = order.slice(k).map(([l]) => Math.max(0, l));
  const model: PcaModel = { kind: 'pca', features, mean, scale, loadings, eigenvalues };
  return {
    model, thresholds: { score: hotellingT2Limit(k, m, alpha), q: qLimit(residual, alpha) },
    extra: { components: k, explainedVariance: explained / total, method: 'PCA on the correlation matrix: T² of retained components (F limit), Q by Jackson–Mudholkar' },
  };
}

/**
 * Fits a model on in-control rows (units × features, in the features' order) and calibrates its
 * limits to the chosen false-alarm probability: theoretically (F / χ² / Jackson–Mudholkar), then
 * checked on held-out rows the fit never saw. With PCA the two limits share α (each α/2,
 * Bonferroni), so a unit is flagged at about the same rate as with one limit.
 */
export function trainModel(features: string[], rows: number[][], o: TrainOptions): TrainedModel {
  const alpha = o.alpha ?? 1 / 370;
  const holdoutShare = o.holdout ?? 0.3;
  const p = features.length;
  if (p < 2) throw new RangeError('a multivariate model needs at least 2 features');
  const nTrain = Math.floor(rows.length * (1 - holdoutShare));
  if (nTrain < 5 * p + 10) throw new RangeError(`too little history: ${rows.length} complete units for ${p} features (need at least ${Math.ceil((5 * p + 10) / (1 - holdoutShare))})`);
  const train = rows.slice(0, nTrain), holdout = rows.slice(nTrain);
  const fitted = o.kind === 'pca' ? fitPca(features, train, alpha / 2, o.variance ?? 0.9) : fitMahalanobis(features, train, alpha);
  const thresholds: TrainedModel['thresholds'] = fitted.thresholds;
  const flagged = holdout.filter((r) => isAnomalous(scoreRow(fitted.model, r), thresholds)).length;
  return {
    model: fitted.model,
    thresholds,
    calibration: {
      alpha, expectedArl0: 1 / alpha, method: fitted.extra.method, trainingRows: train.length, holdoutRows: holdout.length,
      holdoutFalseAlarmRate: holdout.length ? flagged / holdout.length : NaN,
      ...('shrinkage' in fitted.extra ? { shrinkage: fitted.extra.shrinkage } : {}),
      ...('components' in fitted.extra ? { components: fitted.extra.components, explainedVariance: fitted.extra.explainedVariance } : {}),
    },
  };
}
