/**
 * The synthetic data of [GF] Fig. 1: N Gaussian d-vectors, mean 0, diagonal covariance with
 * variances linearly spaced from 1 to d (so the covariance has distinct eigenvalues, as the
 * Baldi–Hornik analysis needs), then mean-centred. Samples are rows of an N×d matrix.
 */
import type { Rng } from '../random/rng.js';

export function linearlySpacedVariances(d: number, lo = 1, hi = d): Float64Array {
  const v = new Float64Array(d);
  for (let i = 0; i < d; i++) v[i] = d === 1 ? lo : lo + ((hi - lo) * i) / (d - 1);
  return v;
}

export function gaussianData(n: number, variances: Float64Array, rng: Rng): Float64Array {
  const d = variances.length;
  const x = new Float64Array(n * d);
  for (let s = 0; s < n; s++) for (let j = 0; j < d; j++) x[s * d + j] = rng.normal() * Math.sqrt(variances[j]);
  return meanCentre(x, n, d);
}

/** Subtracts each column's mean, in place. */
export function meanCentre(x: Float64Array, n: number, d: number): Float64Array {
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let s = 0; s < n; s++) m += x[s * d + j];
    m /= n;
    for (let s = 0; s < n; s++) x[s * d + j] -= m;
  }
  return x;
}

/** Σ = XᵀX / N (d×d row-major) for row-sample data; equals the covariance when X is centred. */
export function secondMoment(x: Float64Array, n: number, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let s = 0; s < n; s++) {
    const r = s * d;
    for (let i = 0; i < d; i++) {
      const xi = x[r + i];
      for (let j = 0; j <= i; j++) c[i * d + j] += xi * x[r + j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) {
    c[i * d + j] /= n;
    c[j * d + i] = c[i * d + j];
  }
  return c;
}
