/**
 * Test fixtures: symmetric matrices with known eigenpairs, H = Q diag(λ) Qᵀ with Q a fixed
 * Householder reflector (so H is not diagonal and the solvers see a general matrix), and the
 * closed forms that candidates are checked against.
 */

/** Q = I − 2vvᵀ/‖v‖² for v = (1, 2, …, n): symmetric and orthogonal; column k is the k-th eigenvector. */
export function householder(n: number): Float64Array {
  const v = Array.from({ length: n }, (_, i) => i + 1);
  const vv = v.reduce((s, x) => s + x * x, 0);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) q[i * n + j] = (i === j ? 1 : 0) - (2 * v[i] * v[j]) / vv;
  return q;
}

/** Q diag(d) Qᵀ, symmetrised exactly. */
export function withEigenvalues(d: readonly number[]): Float64Array {
  const n = d.length;
  const q = householder(n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * d[k] * q[j * n + k];
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

/** Q·c: the vector with coordinates c in the eigenbasis. */
export function fromEigenCoordinates(c: readonly number[]): Float64Array {
  const n = c.length;
  const q = householder(n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) out[i] += q[i * n + k] * c[k];
  return out;
}

/**
 * −(Q diag(λ) Qᵀ + γI)⁺ g for g = Q c, via the eigenbasis: component k is −c_k/(λ_k + γ), or 0
 * where λ_k + γ = 0 (the pseudo-inverse). With `absolute`, |λ_k| replaces λ_k (saddle-free Newton).
 */
export function closedFormStep(lambda: readonly number[], c: readonly number[], gamma: number, absolute = false): Float64Array {
  return fromEigenCoordinates(c.map((ck, k) => {
    const den = (absolute ? Math.abs(lambda[k]) : lambda[k]) + gamma;
    return den === 0 ? 0 : -ck / den;
  }));
}

/** ‖g(θ + p)‖² on the quadratic after the step p_γ: the new gradient is γ(H + γI)⁻¹g, so Σ (γc_k/(λ_k + γ))². */
export function quadraticMeritAfter(lambda: readonly number[], c: readonly number[], gamma: number): number {
  return c.reduce((s, ck, k) => s + ((gamma * ck) / (lambda[k] + gamma)) ** 2, 0);
}

export function matVec(a: Float64Array, x: Float64Array, out: Float64Array): void {
  const n = x.length;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
    out[i] = s;
  }
}
