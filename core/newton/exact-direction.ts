/**
 * The Newton direction from the dense Hessian (solver 'exact'): p = −H⁺g from the
 * symmetric eigendecomposition, with eigenvalues |λ| ≤ max(rcond, n·eps)·‖H‖₂ treated as zero
 * (core/linalg/exact-newton.ts states the default cutoff and why). Its r and rH keep the
 * paper's definitions and names; the "solver's ‖A‖" is then the exact ‖H‖₂ (MINRES-QLP's
 * running estimate is a lower bound of it), so r_solverA is r with ‖H‖ = ‖H‖₂.
 */
import type { DenseKernels } from '../linalg/kernels.js';
import { denseMatVec, pseudoInverseSolve, spectralNormOf, type EigenDecomposition } from '../linalg/exact-newton.js';
import { norm2 } from '../linalg/vector.js';
import type { Oracle } from '../oracle/oracle.js';
import type { NewtonSolveMetrics } from '../stepper/stepper.js';
import { DENSE_MAX_DIM, denseHessian, frobeniusNorm } from '../oracle/dense-hessian.js';
import { UsageError } from '../io/errors.js';

/** Newton-direction solvers (the `solver` hyperparameter of newton-mr; probes take the first three). */
export const NEWTON_SOLVERS = ['minres-qlp', 'minres-qlp-reorth', 'exact', 'exact-lm'] as const;
export type NewtonSolver = (typeof NEWTON_SOLVERS)[number];
/** Solvers of a probe / final-point Newton solve: r is defined by Hp = −g, so no LM variant. */
export const PROBE_SOLVERS = ['minres-qlp', 'minres-qlp-reorth', 'exact'] as const;

export const isDenseSolver = (s: string | undefined): boolean => s === 'exact' || s === 'exact-lm';

/** The dense Hessian at θ with its full eigendecomposition. */
export interface HessianEigen extends EigenDecomposition {
  h: Float64Array;
  frobenius: number;
  spectralNorm: number;
}

/**
 * Throws a clear error when a dense solver cannot run on this oracle: n beyond the dense limit,
 * or no 'dense-hessian' capability. Both name the limit and the matrix-free alternative.
 */
export function requireDenseSolver(oracle: Oracle, solver: string, who: string, limit = DENSE_MAX_DIM): void {
  const alt = "Use solver 'minres-qlp-reorth' (MINRES-QLP with full reorthogonalisation, matrix-free) instead";
  if (oracle.dim > limit) {
    throw new UsageError(`${who}: solver '${solver}' builds the dense n×n Hessian and its eigendecomposition, but this problem has n = ${oracle.dim} ` +
      `parameters, beyond the dense limit n ≤ ${limit} (DENSE_MAX_DIM). ${alt}.`);
  }
  if (!oracle.capabilities.has('dense-hessian') || !oracle.hessian) {
    const has = [...oracle.capabilities].join(', ') || 'none';
    throw new UsageError(`${who}: solver '${solver}' needs the oracle capability 'dense-hessian' (n ≤ ${limit}), but this oracle declares only: ${has}. ` +
      `${alt}, or use a problem on the float64 MLP engine.`);
  }
}

export function hessianEigen(oracle: Oracle, theta: Float64Array, kernels: DenseKernels): HessianEigen {
  const n = oracle.dim;
  const h = denseHessian(oracle, theta);
  const { values, vectors } = kernels.symmetricEigen(h, n, true);
  return { n, h, values, vectors: vectors!, frobenius: frobeniusNorm(h), spectralNorm: spectralNormOf(values) };
}

/** p = −H⁺g and its metrics; r, rH and the residual use the dense H (no further HVPs). */
export function exactDirection(eig: HessianEigen, g: Float64Array, rcond: number): { p: Float64Array; metrics: NewtonSolveMetrics } {
  const n = eig.n;
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) b[i] = -g[i];
  const sol = pseudoInverseSolve(eig, b, rcond);
  return { p: sol.x, metrics: { ...denseResidualMetrics(eig, g, sol.x), exit: 'pseudo-inverse', Acond_solver: sol.spectralNorm / sol.minKept, pinvCutoff: sol.cutoff, rank: sol.rank } };
}

/** r, rH (‖H‖ = ‖H‖₂) and ‖Hp + g‖/‖g‖ of a direction p, from the dense H. */
export function denseResidualMetrics(eig: HessianEigen, g: Float64Array, p: Float64Array): NewtonSolveMetrics {
  const n = eig.n;
  const res = denseMatVec(eig.h, n, p);
  for (let i = 0; i < n; i++) res[i] += g[i];
  const resNorm = norm2(res);
  const hRes = denseMatVec(eig.h, n, res);
  const gNorm = norm2(g);
  const hNorm = eig.spectralNorm;
  const rDen = hNorm * norm2(p) + gNorm;
  return {
    exit: 'dense', iterations: 0,
    r_solverA: rDen > 0 ? resNorm / rDen : 0,
    rH_solverA: resNorm > 0 && hNorm > 0 ? norm2(hRes) / (hNorm * resNorm) : 0,
    Anorm_solver: hNorm, Acond_solver: NaN,
    solver: 'exact', residual: gNorm > 0 ? resNorm / gNorm : 0,
  };
}
