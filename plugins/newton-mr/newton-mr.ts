/**
 * Newton-MR ([GF] §2.2; Roosta, Liu, Xu & Mahoney 2018): p = MINRES-QLP solution of Hp = −g,
 * then Armijo backtracking on ‖g‖² (core/newton/line-search.ts). When the line search cannot accept any α,
 * θ stays where it is and the step reports `halted` — unlike the paper's reference code, which
 * returns the zero vector as the new point (itself a critical point for bias-free networks).
 *
 * `solver`: 'minres-qlp-reorth' and 'exact' (p = −H⁺g) change only the direction;
 * 'exact-lm' replaces direction and line search by Levenberg–Marquardt on the merit ‖g‖²
 * (core/newton/lm-step.ts). Step metrics always carry the paper's r of the step's Newton solve.
 */
import { inject, injectable } from '../../core/di.js';
import { isDenseSolver, requireDenseSolver } from '../../core/newton/exact-direction.js';
import { newtonDirection, NewtonSolveWorkspace } from '../../core/newton/direction.js';
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { addScaled, dot, equalArrays, norm2 } from '../../core/linalg/vector.js';
import { type Oracle } from '../../core/oracle/oracle.js';
import { DENSE_KERNELS, HYPERPARAMETERS, ORACLE } from '../../core/oracle/tokens.js';
import type { StepResult, Stepper, StepperState } from '../../core/stepper/stepper.js';
import { initialState } from '../../core/stepper/evaluate.js';
import { armijoBacktracking, type MeritTrial } from '../../core/newton/line-search.js';
import { levenbergMarquardtStep } from '../../core/newton/lm-step.js';
import type { HyperparametersOf } from '../../core/registry/hyperparameters.js';
import type { newtonMrHyperparameters } from './hyperparameters.js';

export type NewtonMrHyperparameters = HyperparametersOf<typeof newtonMrHyperparameters>;

/**
 * MINRES-QLP tolerance for this step. 'none' is the paper's fixed rtol. The forcing rules are
 * an option of gradflat's (Eisenstat & Walker 1996 style inexact Newton): solve loosely far from
 * a critical point, tightly near one — η = min(ηmax, ‖g‖^{1/2}) or min(ηmax, ‖g‖), never below rtol.
 */
export function stepTolerance(hp: Pick<NewtonMrHyperparameters, 'rtol' | 'forcing' | 'forcingMax'>, gradNormSq: number): number {
  if (hp.forcing === 'none') return hp.rtol;
  const gNorm = Math.sqrt(gradNormSq);
  const eta = hp.forcing === 'gradient' ? gNorm : Math.sqrt(gNorm);
  return Math.max(hp.rtol, Math.min(hp.forcingMax, eta));
}

export interface NewtonMrState extends StepperState {
  /** extra.alpha: where the next backtracking search starts; extra.mu: exact-lm's μ/‖H‖₂². */
  readonly extra: { alpha: number; mu?: number };
}

@injectable()
export class NewtonMr implements Stepper<NewtonMrState> {
  /** MINRES-QLP's buffers, reused by every step (scratch, not state: p lives only within a step). */
  private workspace?: NewtonSolveWorkspace;

  constructor(
    @inject(ORACLE) private readonly oracle: Oracle,
    @inject(HYPERPARAMETERS) private readonly hp: NewtonMrHyperparameters,
    /** The run's dense kernels (LAPACK when loaded), used by the exact solvers. */
    @inject(DENSE_KERNELS) private readonly kernels: DenseKernels,
  ) {
    const solver = hp.solver;
    if (isDenseSolver(solver)) requireDenseSolver(oracle, solver, "stepper 'newton-mr'");
  }

  init(theta0: Float64Array): NewtonMrState {
    return initialState(this.oracle, theta0, { alpha: this.hp.alpha0, ...(this.hp.solver === 'exact-lm' && { mu: this.hp.lmMu0 }) });
  }

  step(state: NewtonMrState): StepResult<NewtonMrState> {
    const { oracle, hp } = this;
    const { theta, gradient: g, gradNormSq } = state;
    const base = { iteration: state.iteration, loss: state.loss, gradNormSq };
    if (gradNormSq === 0) {
      return { state, metrics: { ...base, alpha: 0, directionNorm: 0, stepNorm: 0 }, halted: 'converged: the gradient is exactly zero' };
    }

    if (hp.solver === 'exact-lm') return levenbergMarquardtStep(oracle, this.kernels, state, hp);
    const solver = hp.solver;
    if (!isDenseSolver(solver)) this.workspace = NewtonSolveWorkspace.ofOrder(this.workspace, theta.length);
    const dir = newtonDirection(oracle, theta, g, {
      rtol: stepTolerance(hp, gradNormSq), maxit: hp.maxit ?? oracle.dim, maxxnorm: hp.maxxnorm, acondlim: hp.acondlim, trancond: hp.trancond,
      ...(solver !== 'minres-qlp' && { solver, pinvRcond: hp.pinvRcond, kernels: this.kernels }),
      ...(this.workspace && { workspace: this.workspace }),
    });
    const p = dir.p;
    const directionNorm = norm2(p);
    const slope = dot(oracle.hvp(theta, p), g); // ⟨Hp, g⟩

    // Each trial evaluates the gradient at θ + αp; keep the latest so acceptance costs nothing more.
    const candidate = new Float64Array(theta.length);
    let last: { alpha: number; loss: number; gradient: Float64Array; merit: number } | undefined;
    const trial = (alpha: number): MeritTrial => {
      if (last && last.alpha === alpha) return { merit: last.merit, unchanged: false }; // α = 1 retried after the unit test
      addScaled(theta, alpha, p, candidate);
      if (equalArrays(candidate, theta)) return { merit: gradNormSq, unchanged: true };
      const { loss, gradient } = oracle.gradient(candidate);
      const merit = dot(gradient, gradient);
      last = { alpha, loss, gradient, merit };
      return { merit, unchanged: false };
    };
    const ls = armijoBacktracking(gradNormSq, slope, state.extra.alpha, hp, trial);
    const metricsBase = { ...base, directionNorm, newton: dir.metrics, lineSearch: { tries: ls.tries, accepted: ls.accepted } };

    if (ls.accepted === 'none' || !last || last.alpha !== ls.alpha) {
      return {
        state,
        metrics: { ...metricsBase, alpha: 0, stepNorm: 0 },
        halted: `line-search: ${ls.failure ?? 'no accepted step'}`,
      };
    }
    const nextAlpha = ls.accepted === 'backtracking' ? Math.min(1, ls.alpha / hp.beta) : state.extra.alpha;
    const next: NewtonMrState = {
      iteration: state.iteration + 1,
      theta: Float64Array.from(candidate),
      loss: last.loss,
      gradient: Float64Array.from(last.gradient),
      gradNormSq: last.merit,
      extra: { ...state.extra, alpha: nextAlpha },
    };
    return {
      state: next,
      metrics: { ...metricsBase, alpha: ls.alpha, stepNorm: ls.alpha * directionNorm },
    };
  }
}
