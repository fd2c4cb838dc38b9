/**
 * Solves A·x = b in place by Gaussian elimination with partial pivoting, for the Markov-chain
 * ARLs ((I − Q)·L = 1, Brook & Evans 1972): `a` holds n rows of n + 1 columns, b in the last.
 * Dense and O(n³): the chains here have at most a few hundred states.
 */
export function solveAugmented(a: Float64Array[]): Float64Array {
  const n = a.length;
  for (let c = 0; c < n; c++) {
    let best = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[best][c])) best = r;
    if (best !== c) [a[c], a[best]] = [a[best], a[c]];
    const pivot = a[c];
    for (let r = c + 1; r < n; r++) {
      const row = a[r], f = row[c] / pivot[c];
      if (f === 0) continue;
      for (let k = c; k <= n; k++) row[k] -= f * pivot[k];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r][n];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x;
}
