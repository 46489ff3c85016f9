/**
 * Ground truth for the deep linear autoencoder x ↦ W₂W₁x ([LA]; Baldi & Hornik 1989).
 * With Σ = XᵀX/N having distinct eigenvalues λ₁ > … > λ_d and eigenvectors u_i, the critical
 * points are (up to an invertible mixing in the hidden layer) W₂ = U_I, W₁ = U_Iᵀ for every
 * subset I of at most p eigenvectors (unused hidden units get zero weights). Under the
 * mean-over-units MSE the loss there is (tr Σ − Σ_{i∈I} λ_i)/d.
 *
 * The loss depends on the data only through Σ, so any Y with YᵀY/m = Σ gives the same loss,
 * gradient and Hessian. We use the d-row Y = √d·diag(√λ)Uᵀ: the index of each of the 2517
 * points (d = 16, p = 4) then costs an HVP on 16 samples instead of 10,000.
 */
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { covarianceEigen, type CovarianceEigen } from '../common/covariance.js';
import { morseIndex, spectrumOf, DEFAULT_INDEX_CUTOFF } from '../../core/analysis/spectrum.js';
import { denseHessian } from '../../core/oracle/dense-hessian.js';
import { MlpOracle } from '../../engines/mlp/mlp-oracle.js';
import type { MlpSpec } from '../../engines/mlp/architecture.js';
import type { AnalyticCriticalPoint } from '../../core/analysis/truth.js';

/** subset: 0-based eigenvector indices, eigenvalues sorted descending (0 = largest). */
export type LinearAeCriticalPoint = AnalyticCriticalPoint & { theta: Float64Array };

export function linearAeSpec(d: number, p: number): MlpSpec {
  return { layers: [d, p, d], hiddenActivation: 'identity', outputActivation: 'identity', biases: false, loss: 'mse', l2: 0 };
}

/** θ of the critical point for subset I (layout: W₁ p×d, then W₂ d×p; no biases). */
export function linearAePoint(eig: CovarianceEigen, p: number, subset: readonly number[]): Float64Array {
  const d = eig.d;
  if (subset.length > p) throw new RangeError(`subset of ${subset.length} eigenvectors exceeds the hidden width ${p}`);
  const theta = new Float64Array(2 * d * p);
  const w2 = p * d;
  subset.forEach((i, j) => {
    for (let k = 0; k < d; k++) {
      const u = eig.vectors[i * d + k];
      theta[j * d + k] = u; // W₁ row j = u_iᵀ
      theta[w2 + k * p + j] = u; // W₂ column j = u_i
    }
  });
  return theta;
}

/** All subsets of {0..d−1} of size ≤ p, in order of size then lexicographic. */
export function subsetsUpTo(d: number, p: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, cur: number[], size: number) => {
    if (cur.length === size) { out.push([...cur]); return; }
    for (let i = start; i < d; i++) { cur.push(i); rec(i + 1, cur, size); cur.pop(); }
  };
  for (let k = 0; k <= Math.min(p, d); k++) rec(0, [], k);
  return out;
}

/** The d-sample data with the same Σ (see file comment). */
export function equivalentData(eig: CovarianceEigen): Float64Array {
  const d = eig.d;
  const y = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const s = Math.sqrt(d * Math.max(eig.values[i], 0));
    for (let k = 0; k < d; k++) y[i * d + k] = s * eig.vectors[i * d + k];
  }
  return y;
}

export function linearAeCriticalPoints(
  x: Float64Array, n: number, d: number, p: number, kernels: DenseKernels, cutoff = DEFAULT_INDEX_CUTOFF,
): LinearAeCriticalPoint[] {
  const eig = covarianceEigen(x, n, d, kernels);
  const y = equivalentData(eig);
  const oracle = new MlpOracle(linearAeSpec(d, p), { inputs: y, targets: y, N: d }, kernels);
  let trace = 0;
  for (let i = 0; i < d; i++) trace += eig.values[i];
  return subsetsUpTo(d, p).map((subset) => {
    const theta = linearAePoint(eig, p, subset);
    const h = denseHessian(oracle, theta);
    const mi = morseIndex(spectrumOf(h, oracle.dim, kernels).eigenvalues, cutoff);
    const kept = subset.reduce((s, i) => s + eig.values[i], 0);
    return { subset, loss: (trace - kept) / d, theta, index: mi.index, negativeEigenvalues: mi.negativeCount, indexCutoff: cutoff };
  });
}
