/**
 * Damped Newton ([GF] §2.2 and [LA]; Dauphin et al. 2014): at θ with gradient g, one candidate
 * p_γ = −(H + γI)⁺g per γ of a ladder (MINRES-QLP on Hessian-vector products, candidates.ts),
 * ‖g(θ + p_γ)‖² at every candidate, and the candidate with the smallest ‖g‖² is taken (α = 1).
 *
 * No improvement: when no candidate has ‖g‖² strictly below ‖g(θ)‖², θ stays where it is and
 * the step reports `halted`. The reference code returns the zero vector on failure instead
 * (docs/paper.md), which is itself a critical point for bias-free networks. There is no line
 * search: where every p_γ overshoots (curvature ≫ gammaMax, e.g. the quartic just left of
 * x = −√2) the method halts; a larger gammaMax widens its reach.
 *
 * Residuals: MINRES-QLP's relres/relAres here belong to the DAMPED system (H + γI)p = −g, not
 * to Hp = −g, so they are not the paper's r and rH and are not put in `metrics.newton` (the
 * harness reads that as the paper's r, e.g. for a run's max r). They are logged in `extra` as
 * dampedRelres / dampedRelAres for the chosen γ; the paper's r at a final point comes from the
 * harness's own probe.
 *
 * Cost per step: one MINRES-QLP solve per γ (≤ maxit + 2 HVPs each) and one gradient per
 * candidate that moves θ.
 */
import { inject, injectable } from '../../core/di.js';
import { allFinite, addScaled, dot, equalArrays, norm2 } from '../../core/linalg/vector.js';
import { MinresQlpWorkspace } from '../../core/linalg/minres-qlp.js';
import { type Oracle } from '../../core/oracle/oracle.js';
import { HYPERPARAMETERS, ORACLE } from '../../core/oracle/tokens.js';
import type { StepResult, Stepper, StepperState } from '../../core/stepper/stepper.js';
import { initialState, type PointValues } from '../../core/stepper/evaluate.js';
import { dampedNewtonCandidates, gammaLadder, pickBest } from './candidates.js';
import type { HyperparametersOf } from '../../core/registry/hyperparameters.js';
import type { dampedNewtonHyperparameters } from './hyperparameters.js';

export type DampedNewtonHyperparameters = HyperparametersOf<typeof dampedNewtonHyperparameters>;

/** A candidate's position, loss and gradient, kept so the accepted one need not be re-evaluated. */
export interface EvaluatedPoint extends PointValues {
  theta: Float64Array;
}

@injectable()
export class DampedNewton implements Stepper {
  private readonly gammas: readonly number[];
  /** MINRES-QLP's buffers, shared by every γ of every step (scratch, not state). */
  private workspace?: MinresQlpWorkspace;

  constructor(
    @inject(ORACLE) private readonly oracle: Oracle,
    @inject(HYPERPARAMETERS) private readonly hp: DampedNewtonHyperparameters,
  ) {
    this.gammas = Object.freeze(gammaLadder(hp.gammaMax, hp.gammaMin, hp.ladderFactor));
  }

  init(theta0: Float64Array): StepperState {
    return initialState(this.oracle, theta0, {});
  }

  step(state: StepperState): StepResult {
    const { oracle, hp } = this;
    const { theta, gradient: g, gradNormSq } = state;
    const base = { iteration: state.iteration, loss: state.loss, gradNormSq };
    if (gradNormSq === 0) {
      return { state, metrics: { ...base, alpha: 0, directionNorm: 0, stepNorm: 0 }, halted: 'converged: the gradient is exactly zero' };
    }

    this.workspace = MinresQlpWorkspace.ofOrder(this.workspace, g.length);
    const candidates = dampedNewtonCandidates((v, out) => { oracle.hvp(theta, v, out); }, g, this.gammas, {
      rtol: hp.rtol, maxit: hp.maxit ?? oracle.dim, maxxnorm: hp.maxxnorm, acondlim: hp.acondlim, trancond: hp.trancond,
    }, this.workspace);
    const evaluated = candidates.map((c) => evaluateGradient(oracle, theta, c.p, gradNormSq));
    const merits = evaluated.map((e) => (e ? e.gradNormSq : Infinity));
    const best = pickBest(merits, gradNormSq);

    if (best < 0) {
      const finite = merits.filter(Number.isFinite);
      const lowest = finite.length ? Math.min(...finite).toExponential(3) : 'none finite';
      return {
        state,
        metrics: { ...base, alpha: 0, directionNorm: 0, stepNorm: 0, extra: { candidates: candidates.length } },
        halted: `damped-newton: no γ in [${this.gammas[this.gammas.length - 1]}, ${this.gammas[0]}] lowers ‖g‖² below ${gradNormSq.toExponential(3)} (lowest candidate ‖g‖²: ${lowest})`,
      };
    }

    const chosen = candidates[best];
    const point = evaluated[best]!;
    const directionNorm = norm2(chosen.p);
    const next: StepperState = {
      iteration: state.iteration + 1, theta: point.theta, loss: point.loss, gradient: point.gradient, gradNormSq: point.gradNormSq, extra: {},
    };
    return {
      state: next,
      metrics: {
        ...base, alpha: 1, directionNorm, stepNorm: distance(point.theta, theta),
        extra: {
          gamma: chosen.gamma, candidates: candidates.length, improving: merits.filter((m) => m < gradNormSq).length,
          dampedExit: chosen.solve.exit, dampedIterations: chosen.solve.iterations,
          dampedRelres: chosen.solve.relres, dampedRelAres: chosen.solve.relAres, dampedAnorm: chosen.solve.Anorm,
        },
      },
    };
  }
}

/**
 * Loss and gradient at θ + p, or undefined when θ + p is not finite (an overflowing candidate is
 * skipped rather than sent to the oracle). A candidate too small to move θ costs no oracle call
 * and reports the current ‖g‖², so it can never be chosen.
 */
export function evaluateGradient(oracle: Oracle, theta: Float64Array, p: Float64Array, currentGradNormSq: number): EvaluatedPoint | undefined {
  const x = addScaled(theta, 1, p);
  if (!allFinite(x)) return undefined;
  if (equalArrays(x, theta)) return { theta: x, loss: NaN, gradient: new Float64Array(0), gradNormSq: currentGradNormSq };
  // Own output buffer per candidate: an oracle may reuse its internal one between calls.
  const { loss, gradient } = oracle.gradient(x, new Float64Array(theta.length));
  // A non-finite loss would end the run as a non-finite state: such a candidate never wins.
  return { theta: x, loss, gradient, gradNormSq: Number.isFinite(loss) ? dot(gradient, gradient) : Infinity };
}

export function distance(a: Float64Array, b: Float64Array): number {
  return norm2(addScaled(a, -1, b));
}
