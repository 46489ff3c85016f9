/**
 * Gradient-norm minimisation ([GF]): minimise φ(θ) = ½‖g(θ)‖², whose
 * gradient ∇φ = Hg costs one Hessian-vector product. Every critical point of f is a global
 * minimum of φ, but so is nothing else: φ also has local minima where g ≠ 0 and Hg = 0
 * (strict gradient-flat points, e.g. (√2, 0) on the quartic), where GNM stalls.
 *
 * Variants, as in the reference code (autocrit's GradientNormMinimizer):
 *   'gd'           θ ← θ − lr·Hg
 *   'momentum'     v ← μv − lr·Hg, θ ← θ + v   (heavy ball, the update of core/starts/training.ts)
 *   'backtracking' θ ← θ − α·Hg with α from Armijo backtracking on ‖g‖² (core/newton/line-search.ts).
 * When backtracking accepts no α, θ stays and the step reports `halted` (the reference code
 * returns a zero update there too, but never a zero θ).
 */
import { inject, injectable } from '../../core/di.js';
import { addScaled, allFinite, axpy, dot, equalArrays, norm2, scale } from '../../core/linalg/vector.js';
import { evaluateAt, type PointValues, initialState } from '../../core/stepper/evaluate.js';
import { type Oracle } from '../../core/oracle/oracle.js';
import { HYPERPARAMETERS, ORACLE } from '../../core/oracle/tokens.js';
import type { StepMetrics, StepResult, Stepper, StepperState } from '../../core/stepper/stepper.js';
import { backtrack, type MeritTrial } from './line-search.js';
import { UsageError } from '../../core/io/errors.js';
import type { HyperparametersOf } from '../../core/registry/hyperparameters.js';
import type { gnmHyperparameters } from './hyperparameters.js';

export type GnmVariant = GnmHyperparameters['variant'];

export type GnmHyperparameters = HyperparametersOf<typeof gnmHyperparameters>;

export interface GnmState extends StepperState {
  /** alpha: where the next backtracking search starts; velocity: the heavy-ball v. */
  readonly extra: { alpha?: number; velocity?: Float64Array };
}


@injectable()
export class Gnm implements Stepper<GnmState> {
  constructor(
    @inject(ORACLE) private readonly oracle: Oracle,
    @inject(HYPERPARAMETERS) private readonly hp: GnmHyperparameters,
  ) {
    if (hp.alpha0 > hp.alphaMax) throw new UsageError(`stepper 'gnm': alpha0 (${hp.alpha0}) must not exceed alphaMax (${hp.alphaMax})`);
  }

  init(theta0: Float64Array): GnmState {
    const extra = this.hp.variant === 'backtracking' ? { alpha: this.hp.alpha0 }
      : this.hp.variant === 'momentum' ? { velocity: new Float64Array(theta0.length) } : {};
    return initialState(this.oracle, theta0, extra);
  }

  step(state: GnmState): StepResult<GnmState> {
    const { oracle, hp } = this;
    const { theta, gradient: g } = state;
    const base = { iteration: state.iteration, loss: state.loss, gradNormSq: state.gradNormSq };
    const stay = (halted: string, more: Partial<StepMetrics> = {}): StepResult<GnmState> => ({
      state,
      metrics: { ...base, alpha: 0, directionNorm: 0, stepNorm: 0, ...more },
      halted,
    });
    // φ = 0 is φ's global minimum: momentum must not carry θ away from an exact critical point.
    if (state.gradNormSq === 0) return stay('converged: ‖g‖² is exactly zero in float64');

    const hg = oracle.hvp(theta, g, new Float64Array(theta.length)); // ∇φ = Hg
    const hgNormSq = dot(hg, hg);
    const hgNorm = norm2(hg);
    const extraMetrics = { hgNormSq };

    if (hp.variant === 'backtracking') {
      // Each trial evaluates the gradient at θ − αHg; the accepted (last) one becomes the next state.
      const candidate = new Float64Array(theta.length);
      let last: (PointValues & { alpha: number }) | undefined;
      const trial = (alpha: number): MeritTrial => {
        addScaled(theta, -alpha, hg, candidate);
        if (equalArrays(candidate, theta)) return { merit: state.gradNormSq, unchanged: true };
        if (!allFinite(candidate)) return { merit: Infinity, unchanged: false }; // rejected; the oracle would throw
        last = { alpha, ...evaluateAt(oracle, candidate) };
        return { merit: last.gradNormSq, unchanged: false };
      };
      const alphaStart = state.extra.alpha ?? hp.alpha0;
      // m'(0) for the merit ‖g‖² along p = −Hg is 2⟨Hg, p⟩ = −2‖Hg‖² (line-search.ts).
      const ls = backtrack(state.gradNormSq, -2 * hgNormSq, alphaStart, hp, trial);
      if (!ls.accepted || !last || last.alpha !== ls.alpha) {
        const why = ls.failure !== 'not-a-descent-direction' ? ls.failure ?? 'no accepted step'
          : Number.isFinite(hgNormSq) ? 'Hg = 0, so ½‖g‖² has no descent direction (a gradient-flat point)' : `‖Hg‖² = ${hgNormSq}`;
        return stay(`line-search: ${why}`, {
          directionNorm: hgNorm, lineSearch: { tries: ls.tries, accepted: 'none' }, extra: extraMetrics,
        });
      }
      const next = Float64Array.from(candidate);
      return {
        state: {
          iteration: state.iteration + 1, theta: next, loss: last.loss, gradient: last.gradient, gradNormSq: last.gradNormSq,
          extra: { alpha: Math.min(hp.alphaMax, ls.alpha / hp.beta) },
        },
        metrics: {
          ...base, alpha: ls.alpha, directionNorm: hgNorm, stepNorm: norm2(addScaled(next, -1, theta)), lineSearch: { tries: ls.tries, accepted: 'backtracking' }, extra: extraMetrics,
        },
      };
    }

    let update: Float64Array;
    let extra: GnmState['extra'];
    if (hp.variant === 'momentum') {
      // v ← μv − lr·Hg, θ ← θ + v (heavy ball, as core/starts/training.ts on f).
      const v = scale(hp.momentum, state.extra.velocity ?? new Float64Array(theta.length));
      axpy(-hp.learningRate, hg, v);
      if (norm2(v) === 0) return stay('Hg = 0 and no velocity left: θ cannot move (a gradient-flat point)', { extra: extraMetrics });
      update = v;
      extra = { velocity: v };
    } else {
      if (hgNorm === 0) return stay('Hg = 0, so ½‖g‖² has no descent direction (a gradient-flat point)', { extra: extraMetrics });
      update = scale(-hp.learningRate, hg); // θ + (−lr·Hg)
      extra = {};
    }
    const next = addScaled(theta, 1, update);
    const at = evaluateAt(oracle, next);
    return {
      state: { iteration: state.iteration + 1, theta: next, ...at, extra },
      metrics: {
        // The update before scaling by α = lr: Hg for 'gd', −v/lr for 'momentum'.
        ...base, alpha: hp.learningRate, directionNorm: hp.variant === 'gd' ? hgNorm : norm2(update) / hp.learningRate,
        stepNorm: norm2(addScaled(next, -1, theta)), extra: extraMetrics,
      },
    };
  }
}
