/** The gradient-descent plugin, registered through the same public API a user's plugin uses. */
import type { StepperPlugin } from '../../core/registry/registry.js';
import { hyperparameterSchema } from '../../core/registry/hyperparameters.js';
import { GradientDescent } from './gd.js';

/** The declaration, kept with its literal types: GdHyperparameters comes from it. */
export const gdHyperparameters = hyperparameterSchema({
  learningRate: { type: 'number', default: 0.1, min: 0, exclusiveMin: true, description: 'step size lr ([GF] appendix A training runs: 0.1)' },
  momentum: {
    type: 'number', default: 0, min: 0, max: 1, exclusiveMax: true,
    description: 'heavy-ball μ (Polyak 1964); 0 = plain gradient descent ([GF] Fig. 1 training), 0.9 for Figs. 3–5',
  },
  nesterov: {
    type: 'boolean', default: false,
    description: 'Nesterov momentum in the form θ ← θ + μv − lr·g after v ← μv − lr·g (Sutskever et al. 2013; Bengio et al. 2013); off = heavy ball',
  },
});

export const gdPlugin: StepperPlugin<typeof gdHyperparameters> = {
  name: 'gd',
  description: 'Gradient descent with optional heavy-ball or Nesterov momentum: v ← μv − lr·g, θ ← θ + v (the update of the training runs that supply starts, [GF] appendix A)',
  hyperparameters: gdHyperparameters,
  stepper: GradientDescent,
};
