/** The GNM plugin, registered through the same public API a user's plugin uses. */
import type { StepperPlugin } from '../../core/registry/registry.js';
import { gnmHyperparameters } from './hyperparameters.js';
import { Gnm } from './gnm.js';

export const gnmPlugin: StepperPlugin<typeof gnmHyperparameters> = {
  name: 'gnm',
  description: 'Gradient-norm minimisation: descend ½‖g‖² along −Hg (one HVP a step) by GD, heavy-ball momentum or Armijo backtracking on ‖g‖² ([GF])',
  hyperparameters: gnmHyperparameters,
  stepper: Gnm,
};
