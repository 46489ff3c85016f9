/**
 * Saddle-free Newton (Dauphin et al. 2014), the optimiser form of damped Newton (docs/paper.md):
 * p_γ = −(|H| + γI)⁻¹g, with |H| = V|Λ|Vᵀ from the dense Hessian's eigendecomposition, one
 * candidate per γ of the ladder (candidates.ts), the LOSS as the merit: the candidate with the
 * lowest loss is taken (α = 1) if it is strictly below the current loss. Where H has negative
 * eigenvalues the step goes downhill along them, so saddles repel instead of attract as they do
 * under Newton's method.
 *
 * No improvement: θ stays and the step reports `halted` (never a zero vector; docs/paper.md).
 *
 * For small n only: each step builds the n×n Hessian (oracle capability 'dense-hessian') and
 * decomposes it, O(n³) time and O(n²) memory. Candidates cost one loss each; the chosen one
 * then one gradient (its loss is taken from that call). The eigensolver is the run's
 * (DENSE_KERNELS: LAPACK's dsyevd when loaded, else the TypeScript one).
 */
import { inject, injectable } from '../../core/di.js';
import type { DenseKernels } from '../../core/linalg/kernels.js';
import { typescriptKernels } from '../../core/linalg/kernels-typescript.js';
import { addScaled, allFinite, dot, equalArrays, norm2 } from '../../core/linalg/vector.js';
import { requireCapability, type Oracle } from '../../core/oracle/oracle.js';
import { DENSE_KERNELS, HYPERPARAMETERS, ORACLE } from '../../core/oracle/tokens.js';
import type { StepResult, Stepper, StepperState } from '../../core/stepper/stepper.js';
import { initialState } from '../../core/stepper/evaluate.js';
import { gammaLadder, pickBest, saddleFreeCandidates } from './candidates.js';
import { distance } from './damped-newton.js';
import type { HyperparametersOf } from '../../core/registry/hyperparameters.js';
import type { ladderHyperparameters } from './hyperparameters.js';

export type SaddleFreeNewtonHyperparameters = HyperparametersOf<typeof ladderHyperparameters>;

@injectable()
export class SaddleFreeNewton implements Stepper {
  private readonly gammas: readonly number[];

  constructor(
    @inject(ORACLE) private readonly oracle: Oracle,
    @inject(HYPERPARAMETERS) hp: SaddleFreeNewtonHyperparameters,
    @inject(DENSE_KERNELS) private readonly kernels: DenseKernels = typescriptKernels,
  ) {
    // The registry checks `requires` too; this covers a stepper built without it.
    requireCapability(oracle, 'dense-hessian', "stepper 'saddle-free-newton'");
    this.gammas = Object.freeze(gammaLadder(hp.gammaMax, hp.gammaMin, hp.ladderFactor));
  }

  init(theta0: Float64Array): StepperState {
    return initialState(this.oracle, theta0, {});
  }

  step(state: StepperState): StepResult {
    const { oracle } = this;
    const { theta, gradient: g, gradNormSq, loss } = state;
    const n = theta.length;
    const base = { iteration: state.iteration, loss, gradNormSq };
    if (gradNormSq === 0) {
      return { state, metrics: { ...base, alpha: 0, directionNorm: 0, stepNorm: 0 }, halted: 'converged: the gradient is exactly zero' };
    }

    const eig = this.kernels.symmetricEigen(oracle.hessian!(theta), n, true);
    const spectrum = { minEigenvalue: eig.values[0], maxEigenvalue: eig.values[n - 1] };
    const candidates = saddleFreeCandidates(eig, g, this.gammas);
    const points = candidates.map((c) => addScaled(theta, 1, c.p));
    // A non-finite point is skipped, one that does not move θ cannot lower the loss.
    const merits = points.map((x) => (!allFinite(x) ? Infinity : equalArrays(x, theta) ? loss : oracle.loss(x)));
    const best = pickBest(merits, loss);

    if (best < 0) {
      const finite = merits.filter(Number.isFinite);
      const lowest = finite.length ? Math.min(...finite).toExponential(6) : 'none finite';
      return {
        state,
        metrics: { ...base, alpha: 0, directionNorm: 0, stepNorm: 0, extra: { candidates: candidates.length, ...spectrum } },
        halted: `saddle-free-newton: no γ in [${this.gammas[this.gammas.length - 1]}, ${this.gammas[0]}] lowers the loss below ${loss.toExponential(6)} (lowest candidate loss: ${lowest})`,
      };
    }

    const theta1 = points[best];
    const next = oracle.gradient(theta1, new Float64Array(n));
    return {
      state: { iteration: state.iteration + 1, theta: theta1, loss: next.loss, gradient: next.gradient, gradNormSq: dot(next.gradient, next.gradient), extra: {} },
      metrics: {
        ...base, alpha: 1, directionNorm: norm2(candidates[best].p), stepNorm: distance(theta1, theta),
        extra: { gamma: candidates[best].gamma, candidates: candidates.length, ...spectrum },
      },
    };
  }
}
