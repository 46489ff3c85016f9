/**
 * Everything gradflat reports about a point (usually a run's final iterate): loss, ‖g‖²,
 * a fresh Newton solve's r and rH (solver-‖A‖ normalisation, as the paper's figures), and —
 * when the dense Hessian is affordable — the exact-Frobenius r and rH, the spectrum, the
 * Morse index with its cutoff, and the Rayleigh-quotient index. Then the Table-1 class.
 */
import type { DenseKernels } from '../linalg/kernels.js';
import type { MinresQlpOptions } from '../linalg/minres-qlp.js';
import { dot } from '../linalg/vector.js';
import type { Oracle } from '../oracle/oracle.js';
import { classifyPoint, DEFAULT_THRESHOLDS, rayleighIndices, residualsOf, type ClassThresholds, type PointClass } from './flatness.js';
import { newtonDirection, REFERENCE_SOLVER_SETTINGS } from './newton-direction.js';
import { DEFAULT_INDEX_CUTOFF, denseHessian, morseIndex, spectrumOf } from './spectrum.js';

/** Largest n for which the dense Hessian (n HVPs, n² memory) is built by default. */
export const DENSE_MAX_DIM = 2000;

export interface EvaluateOptions {
  /** MINRES-QLP settings of the probe solve (default: the reference settings, maxit n). */
  solve?: MinresQlpOptions;
  /** Build the dense Hessian when n ≤ this (default DENSE_MAX_DIM). */
  denseMaxDim?: number;
  indexCutoff?: number;
  thresholds?: ClassThresholds;
}

export interface PointReport {
  loss: number;
  gradNormSq: number;
  /** r, rH of the Newton direction with the solver's ‖A‖ estimate (the figures' convention). */
  r_solverA: number;
  rH_solverA: number;
  solverExit: string;
  solverIterations: number;
  Anorm_solver: number;
  /** The same residuals normalised by the exact ‖H‖_F (the paper's text), when dense. */
  r_frobenius?: number;
  rH_frobenius?: number;
  hessianFrobenius?: number;
  hessianSpectralNorm?: number;
  /** Morse index: fraction of eigenvalues < −indexCutoff. */
  index?: number;
  negativeEigenvalues?: number;
  indexCutoff: number;
  minEigenvalue?: number;
  maxEigenvalue?: number;
  /** gᵀHg / (‖g‖²‖H‖_F) and ‖Hg‖ / (‖H‖_F‖g‖) (‖H‖ = solver estimate when not dense). */
  rayleigh: number;
  hgRatio: number;
  /** Classified by ‖g‖² and r_solverA (and rH_solverA if a co-kernel threshold is set). */
  class: PointClass;
}

/** Loss, ‖g‖² and Morse index at θ (dense Hessian; no Newton solve). */
export function lossAndIndex(oracle: Oracle, theta: Float64Array, kernels: DenseKernels, cutoff = DEFAULT_INDEX_CUTOFF) {
  const { loss, gradient } = oracle.gradient(theta);
  const mi = morseIndex(spectrumOf(denseHessian(oracle, theta), oracle.dim, kernels).eigenvalues, cutoff);
  return { loss, gradNormSq: dot(gradient, gradient), index: mi.index, negativeEigenvalues: mi.negativeCount };
}

export function evaluatePoint(oracle: Oracle, theta: Float64Array, kernels: DenseKernels, opts: EvaluateOptions = {}): PointReport {
  const n = oracle.dim;
  const cutoff = opts.indexCutoff ?? DEFAULT_INDEX_CUTOFF;
  const { loss, gradient: g } = oracle.gradient(theta);
  const gradNormSq = dot(g, g);
  const dir = newtonDirection(oracle, theta, g, { ...REFERENCE_SOLVER_SETTINGS, maxit: n, ...opts.solve });
  const report: PointReport = {
    loss, gradNormSq,
    r_solverA: dir.solve.relres, rH_solverA: dir.solve.relAres,
    solverExit: dir.solve.exit, solverIterations: dir.solve.iterations, Anorm_solver: dir.solve.Anorm,
    indexCutoff: cutoff, rayleigh: NaN, hgRatio: NaN, class: 'neither',
  };
  let hNorm = dir.solve.Anorm;
  if (n <= (opts.denseMaxDim ?? DENSE_MAX_DIM)) {
    const h = denseHessian(oracle, theta);
    const spec = spectrumOf(h, n, kernels);
    const mi = morseIndex(spec.eigenvalues, cutoff);
    const exact = residualsOf(oracle, theta, g, dir.p, spec.frobenius);
    hNorm = spec.frobenius;
    Object.assign(report, {
      r_frobenius: exact.r, rH_frobenius: exact.rH,
      hessianFrobenius: spec.frobenius, hessianSpectralNorm: spec.spectralNorm,
      index: mi.index, negativeEigenvalues: mi.negativeCount,
      minEigenvalue: spec.eigenvalues[0], maxEigenvalue: spec.eigenvalues[n - 1],
    });
  }
  const ray = rayleighIndices(oracle, theta, g, hNorm);
  report.rayleigh = ray.rayleigh;
  report.hgRatio = ray.hgRatio;
  report.class = classifyPoint(gradNormSq, report.r_solverA, report.rH_solverA, opts.thresholds ?? DEFAULT_THRESHOLDS, loss);
  return report;
}
