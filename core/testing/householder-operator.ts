/**
 * Operators of known spectrum at any n: H = P·diag(d)·Pᵀ with P a product of a few seeded
 * Householder reflections (orthogonal, O(n) to apply), so the eigenvectors are dense, not the axes,
 * and a vector P·c has spectral coefficients c (closed forms for spectral measures).
 */
import type { LinearOperator } from '../linalg/lanczos.js';
import { Rng } from '../random/rng.js';

export interface RotatedDiagonal {
  n: number;
  op: LinearOperator;
  /** x ↦ P x (eigen-coordinates to the original basis). */
  rotate: (c: Float64Array) => Float64Array;
}

export function rotatedDiagonal(d: ArrayLike<number>, seed: number, reflections = 3): RotatedDiagonal {
  const n = d.length;
  const rng = new Rng(seed);
  const us = Array.from({ length: reflections }, () => {
    const u = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) { u[i] = rng.normal(); s += u[i] * u[i]; }
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < n; i++) u[i] *= inv;
    return u;
  });
  // (I − 2uuᵀ) x in place.
  const reflect = (u: Float64Array, x: Float64Array) => {
    let t = 0;
    for (let i = 0; i < n; i++) t += u[i] * x[i];
    t *= 2;
    for (let i = 0; i < n; i++) x[i] -= t * u[i];
  };
  // P = R₁R₂…R_m: P x applies R_m first; Pᵀ x applies R₁ first.
  const rotate = (c: Float64Array) => {
    const x = Float64Array.from(c);
    for (let r = us.length - 1; r >= 0; r--) reflect(us[r], x);
    return x;
  };
  const op: LinearOperator = (v, out) => {
    out.set(v);
    for (const u of us) reflect(u, out);
    for (let i = 0; i < n; i++) out[i] *= d[i];
    for (let r = us.length - 1; r >= 0; r--) reflect(us[r], out);
  };
  return { n, op, rotate };
}

/** Σ_{|d_i| ≤ τ·max|d|} c_i² / ‖c‖²: the exact share of a vector with spectral coefficients c. */
export function exactShare(d: ArrayLike<number>, c: ArrayLike<number>, tau: number): number {
  let norm = 0;
  for (let i = 0; i < d.length; i++) norm = Math.max(norm, Math.abs(d[i]));
  let s = 0;
  let total = 0;
  for (let i = 0; i < d.length; i++) {
    total += c[i] * c[i];
    if (Math.abs(d[i]) <= tau * norm) s += c[i] * c[i];
  }
  return total === 0 ? 0 : s / total;
}
