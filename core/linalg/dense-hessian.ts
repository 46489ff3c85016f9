/** Dense Hessians from Hessian-vector products, shared by every oracle and the analysis code. */

/** (M + Mᵀ)/2 in place, for an n×n row-major M; returns M. */
export function symmetrize(m: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (m[i * n + j] + m[j * n + i]);
      m[i * n + j] = s;
      m[j * n + i] = s;
    }
  }
  return m;
}

/**
 * The n×n row-major Hessian from n products with the unit vectors, symmetrised as (H + Hᵀ)/2
 * (products agree with Hᵀ only to round-off). `hvpInto(e_j, out)` writes H·e_j into `out`: it
 * is stored as row j, which the symmetrisation makes immaterial.
 */
export function hessianFromHvps(n: number, hvpInto: (v: Float64Array, out: Float64Array) => void): Float64Array {
  const h = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e[j] = 1;
    hvpInto(e, h.subarray(j * n, (j + 1) * n));
    e[j] = 0;
  }
  return symmetrize(h, n);
}
