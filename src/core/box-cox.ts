/**
 * The Box-Cox power transformation (G. E. P. Box and D. R. Cox, "An analysis of transformations",
 * J. Royal Statistical Society B 26(2), 1964, pp. 211–252): y(λ) = (y^λ − 1)/λ, ln y at λ = 0,
 * for y > 0. Increasing in y for every λ, so spec limits transform with the data and keep their
 * order.
 */
export function boxCox(y: number, lambda: number): number {
  return lambda === 0 ? Math.log(y) : (Math.pow(y, lambda) - 1) / lambda;
}

/** The inverse: the measurement whose transform is w (NaN where none exists). */
export function inverseBoxCox(w: number, lambda: number): number {
  if (lambda === 0) return Math.exp(w);
  const base = lambda * w + 1;
  return base > 0 ? Math.pow(base, 1 / lambda) : NaN;
}

/** The range λ is searched over (Minitab's, and wider than any transformation in practical use). */
export const LAMBDA_MIN = -5, LAMBDA_MAX = 5;

/**
 * The profile log-likelihood of λ for normal transformed data (Box & Cox 1964, §3):
 *   ℓ(λ) = −(n/2)·ln σ̂²(λ) + (λ − 1)·Σ ln yᵢ,   σ̂²(λ) = (1/n)·Σ (yᵢ(λ) − ȳ(λ))².
 * The second term is the Jacobian of the transformation.
 */
export function boxCoxLogLikelihood(y: readonly number[], lambda: number, sumLog = y.reduce((a, v) => a + Math.log(v), 0)): number {
  const n = y.length;
  let mean = 0;
  for (const v of y) mean += boxCox(v, lambda);
  mean /= n;
  let ss = 0;
  for (const v of y) ss += (boxCox(v, lambda) - mean) ** 2;
  return -(n / 2) * Math.log(ss / n) + (lambda - 1) * sumLog;
}

/**
 * The maximum-likelihood λ over [−5, 5]: the best of a grid of step 0.05, refined by golden-section
 * search between its neighbours (ℓ is smooth and, near its maximum, unimodal). Undefined when a
 * value is not positive or all values are equal.
 */
export function boxCoxLambda(y: readonly number[]): number | undefined {
  if (y.length < 2 || y.some((v) => !(v > 0)) || y.every((v) => v === y[0])) return undefined;
  const sumLog = y.reduce((a, v) => a + Math.log(v), 0);
  const l = (lambda: number) => boxCoxLogLikelihood(y, lambda, sumLog);
  const step = 0.05;
  let best = LAMBDA_MIN, bestL = -Infinity;
  for (let i = 0; LAMBDA_MIN + i * step <= LAMBDA_MAX + 1e-9; i++) {
    const lambda = LAMBDA_MIN + i * step, v = l(lambda);
    if (v > bestL) { bestL = v; best = lambda; }
  }
  let a = Math.max(LAMBDA_MIN, best - step), b = Math.min(LAMBDA_MAX, best + step);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a), d = a + g * (b - a), lc = l(c), ld = l(d);
  while (b - a > 1e-7) {
    if (lc > ld) { b = d; d = c; ld = lc; c = b - g * (b - a); lc = l(c); }
    else { a = c; c = d; lc = ld; d = a + g * (b - a); ld = l(d); }
  }
  return (a + b) / 2;
}
