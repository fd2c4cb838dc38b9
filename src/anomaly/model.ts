/** A fitted multivariate in-control model, as trained by `spc train` and stored in its card. */
export interface MahalanobisModel {
  kind: 'mahalanobis';
  features: string[];
  mean: number[];
  /** Inverse of the (shrunk) covariance, row-major p × p. */
  precision: number[][];
}

export interface PcaModel {
  kind: 'pca';
  features: string[];
  mean: number[];
  /** Standard deviation of each feature; the model works on standardized values. */
  scale: number[];
  /** Retained principal directions, p × k (columns are unit eigenvectors of the correlation matrix). */
  loadings: number[][];
  /** Eigenvalues of the retained components. */
  eigenvalues: number[];
}

export type AnomalyModel = MahalanobisModel | PcaModel;

/** A model's verdict on one unit. */
export interface AnomalyScore {
  /** Hotelling T² (Mahalanobis) or the PCA T² of the retained components. */
  score: number;
  /** PCA only: the residual Q (squared prediction error). */
  q?: number;
  /** Per-feature contributions: to T² (Mahalanobis: dⱼ·(S⁻¹d)ⱼ, summing to T²), or to Q (PCA: squared residuals). */
  contributions: number[];
}

/**
 * Reference scoring in plain TypeScript (float64): the ONNX graphs must agree with this.
 * Mahalanobis: d = x − μ, T² = dᵀS⁻¹d, contribution j = dⱼ(S⁻¹d)ⱼ (Runger, Alt & Montgomery 1996).
 * PCA: z = (x − μ)/s, t = zP, T² = Σ tᵢ²/λᵢ, residual r = z − tPᵀ, Q = Σ rⱼ² (Jackson 1991).
 */
export function scoreRow(model: AnomalyModel, x: ArrayLike<number>): AnomalyScore {
  const p = model.features.length;
  if (model.kind === 'mahalanobis') {
    const d = Array.from({ length: p }, (_, j) => x[j] - model.mean[j]);
    const contributions = d.map((dj, j) => { let v = 0; for (let i = 0; i < p; i++) v += model.precision[j][i] * d[i]; return dj * v; });
    return { score: contributions.reduce((a, b) => a + b, 0), contributions };
  }
  const z = Array.from({ length: p }, (_, j) => (x[j] - model.mean[j]) / model.scale[j]);
  const k = model.eigenvalues.length;
  const t = Array.from({ length: k }, (_, c) => { let v = 0; for (let j = 0; j < p; j++) v += z[j] * model.loadings[j][c]; return v; });
  const score = t.reduce((s, tc, c) => s + (tc * tc) / model.eigenvalues[c], 0);
  const residual = z.map((zj, j) => { let v = 0; for (let c = 0; c < k; c++) v += t[c] * model.loadings[j][c]; return zj - v; });
  const contributions = residual.map((r) => r * r);
  return { score, q: contributions.reduce((a, b) => a + b, 0), contributions };
}
