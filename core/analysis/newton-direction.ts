/**
 * The Newton direction of Newton-MR ([GF] §2.2; Roosta et al. 2018): p ≈ the minimum-norm
 * least-squares solution of (H − shift·I)p = −g, from MINRES-QLP driven by Hessian-vector
 * products at θ. Its relres/relAres are the paper's r and rH (with the solver's ‖A‖ estimate).
 */
import { minresQlp, type MinresQlpOptions, type MinresQlpResult } from '../linalg/minres-qlp.js';
import type { Oracle } from '../oracle/oracle.js';
import type { NewtonSolveMetrics } from '../stepper/stepper.js';

/**
 * MINRES-QLP settings of the paper's reference code (docs/paper.md: "maxxnorm and acondlim did
 * not affect stopping"): the defaults of Newton-MR and of every flatness probe, so that a
 * probe's r means the same as a Newton-MR step's r. maxit defaults to n where used.
 */
export const REFERENCE_SOLVER_SETTINGS = Object.freeze({ rtol: 1e-10, maxxnorm: 1e4, acondlim: 1e7, trancond: 1e4 });

export interface NewtonDirection {
  p: Float64Array;
  solve: MinresQlpResult;
  metrics: NewtonSolveMetrics;
}

export function newtonDirection(oracle: Oracle, theta: Float64Array, g: Float64Array, options: MinresQlpOptions): NewtonDirection {
  const b = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) b[i] = -g[i];
  const solve = minresQlp((v, out) => { oracle.hvp(theta, v, out); }, b, options);
  return { p: solve.x, solve, metrics: solveMetrics(solve) };
}

export function solveMetrics(s: MinresQlpResult): NewtonSolveMetrics {
  return {
    exit: s.exit,
    iterations: s.iterations,
    r_solverA: s.relres,
    rH_solverA: s.relAres,
    Anorm_solver: s.Anorm,
    Acond_solver: s.Acond,
  };
}
