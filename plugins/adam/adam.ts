/**
 * Adam (Kingma & Ba 2015, Algorithm 1), with bias correction:
 *   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   t ← t + 1
 *   m̂ = m/(1 − β₁ᵗ),   v̂ = v/(1 − β₂ᵗ),   θ ← θ − lr·m̂/(√v̂ + ε)
 * (ε outside the root, as in Algorithm 1 — not the ε̂ variant of their §2).
 * State m, v (Float64Array) and t live in StepperState.extra.
 */
import { inject, injectable } from '../../core/di.js';
import { addScaled, axpy, norm2, scale } from '../../core/linalg/vector.js';
import { evaluateAt, initialState } from '../../core/stepper/evaluate.js';
import { type Oracle } from '../../core/oracle/oracle.js';
import { HYPERPARAMETERS, ORACLE } from '../../core/oracle/tokens.js';
import type { StepResult, Stepper, StepperState } from '../../core/stepper/stepper.js';
import type { HyperparametersOf } from '../../core/registry/hyperparameters.js';
import type { adamHyperparameters } from './hyperparameters.js';

export type AdamHyperparameters = HyperparametersOf<typeof adamHyperparameters>;

export interface AdamState extends StepperState {
  /** First and second moment estimates and the number of updates t they hold. */
  readonly extra: { m: Float64Array; v: Float64Array; t: number };
}


@injectable()
export class Adam implements Stepper<AdamState> {
  constructor(
    @inject(ORACLE) private readonly oracle: Oracle,
    @inject(HYPERPARAMETERS) private readonly hp: AdamHyperparameters,
  ) {}

  init(theta0: Float64Array): AdamState {
    const n = theta0.length;
    return initialState(this.oracle, theta0, { m: new Float64Array(n), v: new Float64Array(n), t: 0 });
  }

  step(state: AdamState): StepResult<AdamState> {
    const { oracle, hp } = this;
    const { theta, gradient: g } = state;
    const n = theta.length;
    const base = { iteration: state.iteration, loss: state.loss, gradNormSq: state.gradNormSq };
    if (norm2(g) === 0 && norm2(state.extra.m) === 0) {
      // g = 0 and m = 0 (an exact critical point as the start): every later update would be 0.
      return {
        state,
        metrics: { ...base, alpha: 0, directionNorm: 0, stepNorm: 0 },
        halted: 'converged: the gradient and the first moment are exactly zero',
      };
    }

    const t = state.extra.t + 1;
    const m = axpy(1 - hp.beta1, g, scale(hp.beta1, state.extra.m));
    const v = scale(hp.beta2, state.extra.v);
    // 1 − βᵗ = −expm1(t·ln β): the plain form cancels catastrophically at small t (1 − 0.999² loses 3 digits).
    const bc1 = -Math.expm1(t * Math.log1p(hp.beta1 - 1));
    const bc2 = -Math.expm1(t * Math.log1p(hp.beta2 - 1));
    const direction = new Float64Array(n); // m̂/(√v̂ + ε): the update before α = lr
    for (let i = 0; i < n; i++) {
      v[i] += (1 - hp.beta2) * g[i] * g[i];
      direction[i] = (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + hp.epsilon);
    }
    const next = addScaled(theta, -hp.learningRate, direction);

    const at = evaluateAt(oracle, next);
    return {
      state: { iteration: state.iteration + 1, theta: next, ...at, extra: { m, v, t } },
      metrics: {
        ...base, alpha: hp.learningRate, directionNorm: norm2(direction), stepNorm: norm2(addScaled(next, -1, theta)),
      },
    };
  }
}
