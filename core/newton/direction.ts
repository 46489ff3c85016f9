/**
 * The Newton direction of Newton-MR ([GF] §2.2; Roosta et al. 2018): p ≈ the minimum-norm
 * least-squares solution of (H − shift·I)p = −g, from MINRES-QLP driven by Hessian-vector
 * products at θ. Its relres/relAres are the paper's r and rH (with the solver's ‖A‖ estimate).
 * `solver` picks how: 'minres-qlp' (default, the paper's algorithm),
 * 'minres-qlp-reorth' (full Lanczos reorthogonalisation) or 'exact' (p = −H⁺g from the dense
 * eigendecomposition, exact-direction.ts; 'exact-lm' counts as 'exact' here, since r is
 * defined by Hp = −g). Every solve reports its true relative residual ‖Hp + g‖/‖g‖.
 */
import type { DenseKernels } from '../linalg/kernels.js';
import { DEFAULT_PINV_RCOND } from '../linalg/exact-newton.js';
import { minresQlp, MinresQlpWorkspace, type MinresQlpOptions, type MinresQlpResult } from '../linalg/minres-qlp.js';
import { selectKernels } from '../linalg/select-kernels.js';
import { norm2 } from '../linalg/vector.js';
import type { Oracle } from '../oracle/oracle.js';
import type { NewtonSolveMetrics } from '../stepper/stepper.js';
import { exactDirection, hessianEigen, isDenseSolver, requireDenseSolver, type HessianEigen, type NewtonSolver } from './exact-direction.js';
import { hessianOperator } from './hessian-operator.js';

/**
 * MINRES-QLP settings of the paper's reference code (docs/paper.md: "maxxnorm and acondlim did
 * not affect stopping"): the defaults of Newton-MR and of every flatness probe, so that a
 * probe's r means the same as a Newton-MR step's r. maxit defaults to n where used.
 */
export const REFERENCE_SOLVER_SETTINGS = Object.freeze({ rtol: 1e-10, maxxnorm: 1e4, acondlim: 1e7, trancond: 1e4 });

/** MINRES-QLP settings plus the choice of solver (the MINRES-QLP fields are ignored by 'exact'). */
export interface NewtonSolveOptions extends MinresQlpOptions {
  solver?: NewtonSolver;
  /** 'exact': eigenvalues |λ| ≤ max(pinvRcond, n·eps)·‖H‖₂ count as zero (default DEFAULT_PINV_RCOND = 0). */
  pinvRcond?: number;
  /** 'exact': kernels of the eigendecomposition (default: the process's, quietly). */
  kernels?: DenseKernels;
  /** 'exact': the eigendecomposition at θ when the caller already has it. */
  eigen?: HessianEigen;
  /** MINRES-QLP solvers: buffers to solve in (default: fresh ones); see NewtonSolveWorkspace. */
  workspace?: NewtonSolveWorkspace;
}

/**
 * The n-vectors of a MINRES-QLP Newton solve — the solver's (MinresQlpWorkspace), the right-hand
 * side −g and the operator's copy of θ — kept by a caller that solves repeatedly (a stepper, the
 * probes of a run) so that a solve allocates none. The direction p returned through it is the
 * workspace's buffer: the next solve overwrites it.
 */
export class NewtonSolveWorkspace {
  readonly minres: MinresQlpWorkspace;
  readonly rhs: Float64Array;
  readonly theta: Float64Array;

  constructor(readonly n: number) {
    this.minres = new MinresQlpWorkspace(n);
    this.rhs = new Float64Array(n);
    this.theta = new Float64Array(n);
  }

  /** `ws` when it has order n, else a new workspace of order n (for callers whose n may change). */
  static ofOrder(ws: NewtonSolveWorkspace | undefined, n: number): NewtonSolveWorkspace {
    return ws !== undefined && ws.n === n ? ws : new NewtonSolveWorkspace(n);
  }
}

export interface NewtonDirection {
  /** The direction; with a workspace, its buffer (overwritten by the workspace's next solve). */
  p: Float64Array;
  /** The MINRES-QLP result (absent for 'exact'). */
  solve?: MinresQlpResult;
  metrics: NewtonSolveMetrics;
}

export function newtonDirection(oracle: Oracle, theta: Float64Array, g: Float64Array, options: NewtonSolveOptions = {}): NewtonDirection {
  const solver = options.solver ?? 'minres-qlp';
  if (isDenseSolver(solver)) {
    requireDenseSolver(oracle, solver, 'Newton direction');
    const eig = options.eigen ?? hessianEigen(oracle, theta, options.kernels ?? selectKernels(undefined, () => {}));
    return exactDirection(eig, g, options.pinvRcond ?? DEFAULT_PINV_RCOND);
  }
  const { workspace, ...minresOptions } = options;
  if (workspace !== undefined && workspace.n !== g.length) {
    throw new RangeError(`newtonDirection: workspace of order ${workspace.n} cannot solve a system of order ${g.length} (NewtonSolveWorkspace.ofOrder makes one that fits)`);
  }
  const b = workspace?.rhs ?? new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) b[i] = -g[i];
  // HVPs, or a dense Hessian from batched products when the solve is long enough to pay (hessian-operator.ts).
  const op = hessianOperator(oracle, theta, { rtol: options.rtol, maxit: options.maxit, ...(workspace && { thetaBuffer: workspace.theta }) });
  const solve = minresQlp(op.apply, b, { ...minresOptions, reorthogonalize: solver === 'minres-qlp-reorth' }, workspace?.minres);
  return { p: solve.x, solve, metrics: { ...solveMetrics(solve, norm2(g), solver), operator: op.provenance } };
}

/** r, rH with the solver's ‖A‖ estimate, and the true residual ‖b − Ax‖/‖b‖ (MINRES-QLP recomputes b − Ax after its loop). */
export function solveMetrics(s: MinresQlpResult, bNorm: number, solver = 'minres-qlp'): NewtonSolveMetrics {
  return {
    exit: s.exit,
    iterations: s.iterations,
    r_solverA: s.relres,
    rH_solverA: s.relAres,
    Anorm_solver: s.Anorm,
    Acond_solver: s.Acond,
    solver,
    residual: bNorm > 0 ? s.rnorm / bNorm : 0,
  };
}
