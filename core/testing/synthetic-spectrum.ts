/** Test matrices with a chosen spectrum: Vᵀ diag(λ) V with V a random orthogonal matrix. */
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import type { LinearOperator } from '../linalg/lanczos.js';
import { Rng } from '../random/rng.js';

/** A random n×n orthogonal matrix (rows): the eigenvectors of a Gaussian symmetric matrix. */
export function randomOrthogonal(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const g = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) g[i] = rng.normal();
  return symmetricEigen(g, n, true).vectors!;
}

/** Dense row-major A = Vᵀ diag(λ) V, its product as an operator, and V (row k ↔ λ_k). */
export function matrixWithSpectrum(eigenvalues: readonly number[], seed: number): { a: Float64Array; op: LinearOperator; n: number; vectors: Float64Array } {
  const n = eigenvalues.length;
  const v = randomOrthogonal(n, seed);
  const a = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const lam = eigenvalues[k];
    const row = v.subarray(k * n, (k + 1) * n);
    for (let i = 0; i < n; i++) {
      const c = lam * row[i];
      if (c !== 0) for (let j = 0; j < n; j++) a[i * n + j] += c * row[j];
    }
  }
  const op: LinearOperator = (x, out) => {
    for (let i = 0; i < n; i++) { let s = 0; const r = i * n; for (let j = 0; j < n; j++) s += a[r + j] * x[j]; out[i] = s; }
  };
  return { a, op, n, vectors: v };
}
