/**
 * The one interface shared by critical-point finders (Newton-MR, GNM, damped Newton) and
 * optimizers (Adam, K-FAC, GD). A stepper is built with its hyperparameters and an injected
 * `Oracle`; `init` turns θ₀ into a state, `step` returns the next state plus a metrics record
 * describing the point it stepped FROM and the step it took. The harness, not the stepper,
 * writes logs and decides when to stop (besides a stepper saying it cannot go on).
 */
import type { MinresQlpExit } from '../linalg/minres-qlp.js';
import type { OracleCounters } from '../oracle/oracle.js';

/**
 * Plain data (numbers, strings, Float64Arrays): a state can be written out and read back. A
 * stepper keeps here everything its next step depends on: runs resume from saved states
 * (docs/checkpoints.md).
 */
export interface StepperState {
  /** Number of steps taken to reach this state. */
  readonly iteration: number;
  /** The parameters θ_k (length n = oracle.dim). */
  readonly theta: Float64Array;
  /** f(θ_k), as the oracle computed it. */
  readonly loss: number;
  /** ∇f(θ_k): kept so that a step need not recompute it, and so that ‖g‖² is logged from the same vector. */
  readonly gradient: Float64Array;
  /** ‖∇f(θ_k)‖², the quantity the stopping rules and the paper's figures use. */
  readonly gradNormSq: number;
  /** Method-specific state (momentum buffers, current α, ...), JSON-able or Float64Array. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/**
 * Why a Newton solve stopped: MINRES-QLP's exit (core/linalg/minres-qlp.ts, MINRES_QLP_EXITS
 * says which mean solved / inconsistent), 'pseudo-inverse' for the exact solver's p = −H⁺g, or
 * 'dense' for metrics of a direction taken from the dense H (exact-lm).
 */
export type NewtonSolveExit = MinresQlpExit | 'pseudo-inverse' | 'dense';

/** A Newton-type direction solve, as MINRES-QLP reports it. */
export interface NewtonSolveMetrics {
  /** Why the solver stopped; logged as this string. */
  exit: NewtonSolveExit;
  iterations: number;
  /** Paper's r = ‖Hp+g‖ / (‖H‖‖p‖ + ‖g‖) with ‖H‖ = the solver's running estimate of ‖A‖ (as in the paper's figures). */
  r_solverA: number;
  /** Paper's rH = ‖H(Hp+g)‖ / (‖H‖‖Hp+g‖) with the same ‖A‖ estimate. */
  rH_solverA: number;
  /** The solver's estimates of ‖A‖ (≤ ‖H‖₂) and cond(A). */
  Anorm_solver: number;
  Acond_solver: number;
  /** What applied H (core/newton/hessian-operator.ts): 'hvp', 'dense-hessian-batched' or 'hvp-then-dense-hessian-batched'. */
  operator?: string;
  /** Which solver produced p ('minres-qlp', 'minres-qlp-reorth', 'exact'; see core/newton/exact-direction.ts). */
  solver?: string;
  /** True relative residual ‖Hp + g‖ / ‖g‖ (recomputed after the solve, not a recurrence). */
  residual?: number;
  /** 'exact' only: the absolute pseudo-inverse cutoff rcond·‖H‖₂ and the number of eigen-directions kept. */
  pinvCutoff?: number;
  rank?: number;
}

/**
 * What one step logs: the point θ_k it stepped from and the step it took. One record per step
 * goes into the run's trace; scalars only, so that a trace is a table.
 */
export interface StepMetrics {
  /** k: the metrics describe θ_k and the step θ_k → θ_{k+1}. */
  iteration: number;
  /** f(θ_k). */
  loss: number;
  /** ‖∇f(θ_k)‖². */
  gradNormSq: number;
  /** Step length α actually used (0 when no step was taken). */
  alpha: number;
  /** ‖p‖ of the search direction / update direction before scaling by α. */
  directionNorm: number;
  /** ‖θ_{k+1} − θ_k‖. */
  stepNorm: number;
  /**
   * Oracle calls spent by this step. Steppers need not report it: the harness measures every
   * step's work itself (core/run/run-loop.ts) and its number replaces whatever is given here.
   */
  work?: OracleCounters;
  /** The direction solve of a Newton-type method (absent for first-order methods). */
  newton?: NewtonSolveMetrics;
  /** The line search on α, for methods that search. */
  lineSearch?: {
    /** Trial step lengths evaluated, the accepted one included. */
    tries: number;
    /** What was accepted: the unit step α = 1, a backtracked α < 1, or no step. */
    accepted: 'unit' | 'backtracking' | 'none';
  };
  /** Anything else a method wants logged (scalars only). */
  extra?: Record<string, number | string | boolean>;
}

/** Step metrics as the harness hands them on: `work` measured by the harness. */
export type MeasuredStepMetrics = StepMetrics & { work: OracleCounters };

/** What `step` returns: the next state and the metrics of the step that reached it. */
export interface StepResult<S extends StepperState = StepperState> {
  /** θ_{k+1} and whatever the method carries to its next step. */
  state: S;
  /** The point θ_k stepped from and the step θ_k → θ_{k+1}. */
  metrics: StepMetrics;
  /** Set when the stepper cannot make progress any more (θ unchanged); the reason says why. */
  halted?: string;
}

/**
 * A method: a critical-point finder or an optimizer. Its state is plain data, so the harness can
 * save it and resume a run from it (docs/checkpoints.md); `step` must not mutate its argument.
 */
export interface Stepper<S extends StepperState = StepperState> {
  /** The state at θ₀ (iteration 0): evaluates the loss and gradient there. */
  init(theta0: Float64Array): S;
  /** One step from `state`: returns θ_{k+1}'s state and the metrics of θ_k and the step. */
  step(state: S): StepResult<S>;
}
