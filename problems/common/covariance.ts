/**
 * The eigen-decomposition of a data set's second moment Σ = XᵀX/N, eigenvalues descending, refused
 * when two are too close to tell apart: the deep linear autoencoder's critical points ([LA];
 * Baldi & Hornik 1989) are isolated only for distinct eigenvalues.
 */
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { secondMoment } from '../../core/data/gaussian.js';
import { UsageError } from '../../core/io/errors.js';

export interface CovarianceEigen {
  /** Descending eigenvalues of Σ. */
  values: Float64Array;
  /** Row i is the eigenvector of values[i]. */
  vectors: Float64Array;
  d: number;
}

/** Covariance eigenvalues closer than this times the largest count as repeated. */
export const EIGENVALUE_GAP = 1e-10;

export function covarianceEigen(x: Float64Array, n: number, d: number, kernels: DenseKernels): CovarianceEigen {
  const sigma = secondMoment(x, n, d);
  const { values, vectors } = kernels.symmetricEigen(sigma, d, true);
  const desc = new Float64Array(d);
  const vec = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    desc[i] = values[d - 1 - i];
    vec.set(vectors!.subarray((d - 1 - i) * d, (d - i) * d), i * d);
  }
  // Relative gap, not exact order: eigenvalues equal in exact arithmetic differ by round-off
  // (~d·ε·λ₁), and an exact test let 200 identical rows through.
  for (let i = 1; i < d; i++) {
    if (!(desc[i - 1] - desc[i] > EIGENVALUE_GAP * Math.abs(desc[0]))) {
      throw new UsageError(`the data covariance has a repeated eigenvalue (λ${i} = ${desc[i - 1].toPrecision(6)}, λ${i + 1} = ${desc[i].toPrecision(6)}, ` +
        `closer than ${EIGENVALUE_GAP}·λ₁); the Baldi–Hornik critical points are then not isolated`);
    }
  }
  return { values: desc, vectors: vec, d };
}

