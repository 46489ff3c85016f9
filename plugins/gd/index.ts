/** The gradient-descent plugin, registered through the same public API a user's plugin uses. */
import type { StepperPlugin } from '../../core/registry/registry.js';
import { gdHyperparameters } from './hyperparameters.js';
import { GradientDescent } from './gd.js';

export const gdPlugin: StepperPlugin<typeof gdHyperparameters> = {
  name: 'gd',
  description: 'Gradient descent with optional heavy-ball or Nesterov momentum: v ← μv − lr·g, θ ← θ + v (the update of the training runs that supply starts, [GF] appendix A)',
  hyperparameters: gdHyperparameters,
  stepper: GradientDescent,
};
