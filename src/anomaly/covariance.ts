import { Matrix } from 'ml-matrix';

/** Column means of rows (n × p). */
export function columnMeans(rows: readonly Float64Array[] | readonly number[][]): number[] {
  const p = rows[0].length, mean = new Array<number>(p).fill(0);
  for (const r of rows) for (let j = 0; j < p; j++) mean[j] += r[j];
  return mean.map((s) => s / rows.length);
}

/**
 * Ledoit–Wolf shrinkage of the sample covariance towards a scaled identity (Ledoit & Wolf,
 * "A well-conditioned estimator for large-dimensional covariance matrices", J. Multivariate
 * Analysis 88, 2004, Lemma 3.2–3.4): Σ* = δ·m·I + (1 − δ)·S with S the covariance (1/n), m = tr(S)/p,
 * d² = ‖S − mI‖²/p, b² = min(d², (1/n²) Σk ‖xk xkᵀ − S‖²/p), δ = b²/d².
 * The shrunk matrix is always invertible, so a feature that barely varies in training cannot
 * blow up T² in production. Returns Σ* rescaled to the unbiased n − 1 denominator, and δ.
 */
export function ledoitWolfCovariance(rows: readonly number[][], mean: readonly number[]): { covariance: Matrix; shrinkage: number } {
  const n = rows.length, p = mean.length;
  const X = new Matrix(rows.map((r) => r.map((v, j) => v - mean[j])));
  const S = X.transpose().mmul(X).div(n);
  const m = S.trace() / p;
  const frob2 = (A: Matrix) => { let s = 0; for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.columns; j++) s += A.get(i, j) ** 2; return s; };
  const d2 = frob2(Matrix.sub(S, Matrix.eye(p).mul(m))) / p;
  let bBar2 = 0;
  for (let k = 0; k < n; k++) {
    const x = X.getRowVector(k);
    bBar2 += frob2(Matrix.sub(x.transpose().mmul(x), S)) / p;
  }
  bBar2 /= n * n;
  const b2 = Math.min(bBar2, d2);
  const shrinkage = d2 > 0 ? b2 / d2 : 1;
  const shrunk = Matrix.add(Matrix.eye(p).mul(shrinkage * m), S.clone().mul(1 - shrinkage));
  return { covariance: shrunk.mul(n / (n - 1)), shrinkage };
}
