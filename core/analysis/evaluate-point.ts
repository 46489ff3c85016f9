/**
 * Everything gradflat reports about a point (usually a run's final iterate): loss, ‖g‖²,
 * a fresh Newton solve's r and rH (solver-‖A‖ normalisation, as the paper's figures), and —
 * when the dense Hessian is affordable — the exact-Frobenius r and rH, the spectrum, the
 * Morse index with its cutoff, and the Rayleigh-quotient index. Beyond that (or on request)
 * HVPs only: extremal Ritz values and the lanczos-slq index with its interval
 * (index-estimate.ts). At every n the spectral flatness of g (spectral-flatness.ts: exact from the
 * eigendecomposition when dense, else a certified Lanczos bracket from HVPs) and the two classes:
 * `class` from it (certified), `classPaper` from r_solverA ([GF] Table 1).
 */
import type { DenseKernels } from '../linalg/kernels.js';
import { dot } from '../linalg/vector.js';
import type { Oracle } from '../oracle/oracle.js';
import type { NewtonSolveExit } from '../stepper/stepper.js';
import { classifyPaper, classifyPoint, DEFAULT_THRESHOLDS, flatnessCriterionOf, rayleighIndices, residualsOf, type ClassThresholds, type PaperClass, type PointClass } from './flatness.js';
import { hessianEigen, isDenseSolver } from '../newton/exact-direction.js';
import { newtonDirection, NewtonSolveWorkspace, REFERENCE_SOLVER_SETTINGS, type NewtonSolveOptions } from '../newton/direction.js';
import { estimatedCurvature, estimateIndex, hvpOperator, usesDenseIndex, type EstimatedCurvature, type IndexEstimateOptions, type IndexMethod } from './index-estimate.js';
import { lanczosSpectralFlatness, spectralFlatness, type LanczosFlatnessOptions, type SpectralFlatness } from './spectral-flatness.js';
import { DEFAULT_INDEX_CUTOFF, morseIndex, spectrumOf } from './spectrum.js';
import { DENSE_MAX_DIM, denseHessian } from '../oracle/dense-hessian.js';

/** Beyond DENSE_MAX_DIM, the probe solve's default iteration limit (not n: 10⁵ HVPs per point). */
export const LARGE_N_SOLVE_MAXIT = 200;

export interface EvaluateOptions {
  /** Solver and MINRES-QLP settings of the probe solve (default: MINRES-QLP, reference settings, maxit n; beyond the dense limit LARGE_N_SOLVE_MAXIT). */
  solve?: NewtonSolveOptions;
  /** Build the dense Hessian when n ≤ this (default DENSE_MAX_DIM). */
  denseMaxDim?: number;
  indexCutoff?: number;
  thresholds?: ClassThresholds;
  /** 'auto' (default): dense up to denseMaxDim, else the lanczos-slq estimate (HVPs only). */
  indexMethod?: IndexMethod;
  estimate?: IndexEstimateOptions;
  /** Budget of the Lanczos flatness bracket beyond the dense limit (defaults: spectral-flatness.ts). */
  flatness?: FlatnessBudget;
  /** Buffers for the MINRES-QLP solve, from a caller that evaluates many points (replaced if of another order). */
  workspace?: NewtonSolveWorkspace;
}

/** What a config may set of the Lanczos flatness bracket (`evaluation.flatness`, run config `flatness`). */
export type FlatnessBudget = Pick<LanczosFlatnessOptions, 'maxSteps' | 'normSteps' | 'memoryBytes'>;

export interface PointReport {
  loss: number;
  gradNormSq: number;
  /** r, rH of the Newton direction with the solver's ‖A‖ estimate (the figures' convention). */
  r_solverA: number;
  rH_solverA: number;
  solverExit: NewtonSolveExit;
  solverIterations: number;
  Anorm_solver: number;
  /** Which solver computed p, and its true relative residual ‖Hp + g‖/‖g‖. */
  solver: string;
  newtonResidual: number;
  /** 'exact' only: the absolute pseudo-inverse cutoff (rcond·‖H‖₂) and the rank kept. */
  pinvCutoff?: number;
  pinvRank?: number;
  /** Share of ‖g‖² in eigen-directions with |λ| ≤ τ‖H‖₂ with its certified bracket (spectral-flatness.ts); every n. Optional only in records written before it existed. */
  spectralFlatness?: SpectralFlatness;
  /** The same residuals normalised by the exact ‖H‖_F (the paper's text), when dense. */
  r_frobenius?: number;
  rH_frobenius?: number;
  hessianFrobenius?: number;
  hessianSpectralNorm?: number;
  /** Morse index: fraction of eigenvalues < −indexCutoff (a point estimate unless indexMethod is 'dense'). */
  index?: number;
  /** 'dense', or the estimator's name ('lanczos-slq') with the interval fields below. */
  indexMethod?: string;
  indexInterval?: [number, number];
  negativeEigenvaluesInterval?: [number, number];
  /** Estimates: residual bounds of min/maxEigenvalue (Ritz values), and the estimator's details. */
  eigenvalueResiduals?: [number, number];
  indexEstimate?: EstimatedCurvature['indexEstimate'];
  negativeEigenvalues?: number;
  indexCutoff: number;
  minEigenvalue?: number;
  maxEigenvalue?: number;
  /** gᵀHg / (‖g‖²‖H‖_F) and ‖Hg‖ / (‖H‖_F‖g‖) (‖H‖ = solver estimate when not dense). */
  rayleigh: number;
  hgRatio: number;
  /** Certified: by ‖g‖² and the spectral share bracket at thresholds.flatTau (classifyPoint). */
  class: PointClass;
  /** The paper's criterion: by ‖g‖² and r_solverA (and rH_solverA if a co-kernel threshold is set; classifyPaper). Absent in records written before it existed (their `class` was this). */
  classPaper?: PaperClass;
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
  // Dense: one eigendecomposition (with vectors) serves the spectrum, the spectral flatness
  // and, for solver 'exact', the direction itself.
  const withinLimit = n <= (opts.denseMaxDim ?? DENSE_MAX_DIM);
  const dense = usesDenseIndex(opts.indexMethod ?? 'auto', n, opts.denseMaxDim ?? DENSE_MAX_DIM);
  const eig = dense ? hessianEigen(oracle, theta, kernels) : undefined;
  const settings: NewtonSolveOptions = { ...REFERENCE_SOLVER_SETTINGS, maxit: withinLimit ? n : Math.min(n, LARGE_N_SOLVE_MAXIT), ...opts.solve };
  if (isDenseSolver(settings.solver)) Object.assign(settings, { kernels, ...(eig && { eigen: eig }) });
  if (opts.workspace) settings.workspace = NewtonSolveWorkspace.ofOrder(opts.workspace, n);
  const dir = newtonDirection(oracle, theta, g, settings);
  const m = dir.metrics;
  const report: PointReport = {
    loss, gradNormSq,
    r_solverA: m.r_solverA, rH_solverA: m.rH_solverA,
    solverExit: m.exit, solverIterations: m.iterations, Anorm_solver: m.Anorm_solver,
    solver: m.solver ?? 'minres-qlp', newtonResidual: m.residual ?? NaN,
    ...(m.pinvCutoff !== undefined && { pinvCutoff: m.pinvCutoff, pinvRank: m.rank }),
    indexCutoff: cutoff, rayleigh: NaN, hgRatio: NaN, class: 'neither',
  };
  let hNorm = m.Anorm_solver;
  const thresholds = opts.thresholds ?? DEFAULT_THRESHOLDS;
  if (!eig) {
    const op = hvpOperator(oracle, theta);
    Object.assign(report, estimatedCurvature(estimateIndex(op, n, cutoff, opts.estimate, kernels)));
    report.spectralFlatness = lanczosSpectralFlatness(op, n, g, { ...opts.flatness, criterion: flatnessCriterionOf(thresholds), kernels });
  } else {
    // The index and extreme eigenvalues from the values-only decomposition, as before the
    // eigenvectors were needed (LAPACK's two paths differ in round-off).
    const spec = spectrumOf(eig.h, n, kernels);
    const mi = morseIndex(spec.eigenvalues, cutoff);
    const exact = residualsOf(oracle, theta, g, dir.p, spec.frobenius);
    hNorm = spec.frobenius;
    Object.assign(report, {
      r_frobenius: exact.r, rH_frobenius: exact.rH,
      hessianFrobenius: spec.frobenius, hessianSpectralNorm: spec.spectralNorm,
      index: mi.index, negativeEigenvalues: mi.negativeCount, indexMethod: 'dense',
      minEigenvalue: spec.eigenvalues[0], maxEigenvalue: spec.eigenvalues[n - 1],
      spectralFlatness: spectralFlatness(eig, g),
    });
  }
  const ray = rayleighIndices(oracle, theta, g, hNorm);
  report.rayleigh = ray.rayleigh;
  report.hgRatio = ray.hgRatio;
  report.class = classifyPoint(gradNormSq, report.spectralFlatness!, thresholds, loss);
  report.classPaper = classifyPaper(gradNormSq, report.r_solverA, report.rH_solverA, thresholds, loss);
  return report;
}
