/** The Adam plugin, registered through the same public API a user's plugin uses. */
import type { StepperPlugin } from '../../core/registry/registry.js';
import { adamHyperparameters } from './hyperparameters.js';
import { Adam } from './adam.js';

export const adamPlugin: StepperPlugin<typeof adamHyperparameters> = {
  name: 'adam',
  description: 'Adam with bias correction (Kingma & Ba 2015, Algorithm 1): θ ← θ − lr·m̂/(√v̂ + ε)',
  hyperparameters: adamHyperparameters,
  stepper: Adam,
};
