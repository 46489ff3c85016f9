/** Damped Newton and saddle-free Newton, registered through the same public API a user's plugin uses. */
import type { StepperPlugin } from '../../core/registry/registry.js';
import { ladderHyperparameters, dampedNewtonHyperparameters } from './hyperparameters.js';
import { DampedNewton } from './damped-newton.js';
import { SaddleFreeNewton } from './saddle-free-newton.js';

export const dampedNewtonPlugin: StepperPlugin<typeof dampedNewtonHyperparameters> = {
  name: 'damped-newton',
  description: 'damped Newton: p_γ = −(H+γI)⁺g by MINRES-QLP for each γ of a ladder, keep the lowest ‖g(θ+p_γ)‖²; halts when none lowers it ([GF] §2.2, [LA]; Dauphin et al. 2014)',
  hyperparameters: dampedNewtonHyperparameters,
  stepper: DampedNewton,
  // No probeSolver: a final point's r is the paper's r (undamped Hp = −g) at the reference settings.
};

export const saddleFreeNewtonPlugin: StepperPlugin<typeof ladderHyperparameters> = {
  name: 'saddle-free-newton',
  description: 'saddle-free Newton: p_γ = −(|H|+γI)⁻¹g from the dense Hessian eigendecomposition, keep the lowest loss; O(n³) per step, for small n (Dauphin et al. 2014)',
  hyperparameters: ladderHyperparameters,
  requires: ['dense-hessian'],
  stepper: SaddleFreeNewton,
};

export const dampedNewtonPlugins: readonly StepperPlugin[] = [dampedNewtonPlugin, saddleFreeNewtonPlugin];
