/**
 * Gradient descent and heavy-ball momentum (Polyak 1964), exactly the update of
 * core/starts/training.ts ([GF] appendix A's training runs):
 *   v ← μv − lr·g,  θ ← θ + v          (μ = 0: plain gradient descent)
 * written with the same operations in the same order, so a run reproduces trainTrajectory's
 * iterates bit for bit. With `nesterov`, the look-ahead form of Sutskever et al. 2013 as
 * reparametrised by Bengio, Boulanger-Lewandowski & Pascanu 2013 (one gradient a step):
 *   v ← μv − lr·g,  θ ← θ + μv − lr·g
 * whose θ is Sutskever's θ + μv.
 */
import { inject, injectable } from '../../core/di.js';
import { addScaled, axpy, norm2, scale } from '../../core/linalg/vector.js';
import { evaluateAt, initialState } from '../../core/stepper/evaluate.js';
import { type Oracle } from '../../core/oracle/oracle.js';
import { HYPERPARAMETERS, ORACLE } from '../../core/oracle/tokens.js';
import type { StepResult, Stepper, StepperState } from '../../core/stepper/stepper.js';
import type { HyperparametersOf } from '../../core/registry/hyperparameters.js';
import type { gdHyperparameters } from './hyperparameters.js';

export type GdHyperparameters = HyperparametersOf<typeof gdHyperparameters>;

export interface GdState extends StepperState {
  /** The heavy-ball velocity v (kept even for μ = 0, as training.ts does). */
  readonly extra: { velocity: Float64Array };
}


@injectable()
export class GradientDescent implements Stepper<GdState> {
  constructor(
    @inject(ORACLE) private readonly oracle: Oracle,
    @inject(HYPERPARAMETERS) private readonly hp: GdHyperparameters,
  ) {}

  init(theta0: Float64Array): GdState {
    return initialState(this.oracle, theta0, { velocity: new Float64Array(theta0.length) });
  }

  step(state: GdState): StepResult<GdState> {
    const { oracle, hp } = this;
    const { theta, gradient: g } = state;
    const base = { iteration: state.iteration, loss: state.loss, gradNormSq: state.gradNormSq };
    const lr = hp.learningRate;

    // v ← μv − lr·g: μv_i + (−lr)·g_i rounds exactly as training.ts's μ*v[i] − lr*g[i].
    const v = axpy(-lr, g, scale(hp.momentum, state.extra.velocity));
    let update = v;
    if (hp.nesterov) update = axpy(-lr, g, scale(hp.momentum, v)); // μv − lr·g with the new v
    if (norm2(update) === 0) {
      // g = 0 and nothing left in v (or lr·g below float64's range): θ would never change again.
      return {
        state,
        metrics: { ...base, alpha: 0, directionNorm: 0, stepNorm: 0 },
        halted: 'converged: the update μv − lr·g is exactly zero, so θ would never change',
      };
    }
    const next = addScaled(theta, 1, update); // θ_i + v_i, as training.ts
    const at = evaluateAt(oracle, next);
    return {
      state: { iteration: state.iteration + 1, theta: next, ...at, extra: { velocity: v } },
      metrics: {
        // The update direction before α = lr is (θ_{k+1} − θ_k)/lr: −g for plain GD.
        ...base, alpha: lr, directionNorm: norm2(update) / lr, stepNorm: norm2(addScaled(next, -1, theta)),
      },
    };
  }
}
