/**
 * Test matrices with a known eigendecomposition: A = Q·diag(λ)·Qᵀ with Q a seeded random
 * orthogonal matrix, so A⁺b = Σ_{λ_i ≠ 0} q_i (q_iᵀb)/λ_i is a closed form that never shares
 * the code path of a solver under test.
 */
import { Rng } from '../random/rng.js';

/** Columns of a random orthogonal n×n matrix (Gram–Schmidt twice on Gaussian vectors). */
export function randomOrthogonal(n: number, rng: Rng): Float64Array[] {
  const q: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal();
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        let d = 0;
        for (let i = 0; i < n; i++) d += u[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= d * u[i];
      }
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i] * v[i];
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < n; i++) v[i] *= inv;
    q.push(v);
  }
  return q;
}

export interface SpectralMatrix {
  n: number;
  /** n×n row-major A = Q diag(λ) Qᵀ. */
  a: Float64Array;
  q: Float64Array[];
  lambda: number[];
}

export function spectralMatrix(lambda: number[], seed: number): SpectralMatrix {
  const n = lambda.length;
  const q = randomOrthogonal(n, new Rng(seed));
  const a = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const qk = q[k], l = lambda[k];
    if (l === 0) continue;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += l * qk[i] * qk[j];
  }
  // Exact symmetry (round-off in the sum above is not symmetric in i, j).
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) { const s = 0.5 * (a[i * n + j] + a[j * n + i]); a[i * n + j] = s; a[j * n + i] = s; }
  return { n, a, q, lambda };
}

/** Σ_{λ_i ≠ 0} q_i f(λ_i) (q_iᵀb): the pseudo-inverse for f = 1/λ. */
export function spectralApply(m: SpectralMatrix, b: Float64Array, f: (l: number) => number): Float64Array {
  const x = new Float64Array(m.n);
  m.q.forEach((qk, k) => {
    if (m.lambda[k] === 0) return;
    let c = 0;
    for (let i = 0; i < m.n; i++) c += qk[i] * b[i];
    const s = f(m.lambda[k]) * c;
    for (let i = 0; i < m.n; i++) x[i] += s * qk[i];
  });
  return x;
}

/** Column-combination b = Σ coeff_k q_k (a right-hand side in a chosen span). */
export function combination(m: SpectralMatrix, coeff: (k: number) => number): Float64Array {
  const b = new Float64Array(m.n);
  m.q.forEach((qk, k) => { const c = coeff(k); for (let i = 0; i < m.n; i++) b[i] += c * qk[i]; });
  return b;
}
