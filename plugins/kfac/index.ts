/** The K-FAC plugin, registered through the same public API a user's plugin uses. */
import type { StepperPlugin } from '../../core/registry/registry.js';
import { kfacHyperparameters } from './hyperparameters.js';
import { Kfac } from './kfac.js';

export const kfacPlugin: StepperPlugin<typeof kfacHyperparameters> = {
  name: 'kfac',
  description: 'K-FAC (Martens & Grosse 2015): block-diagonal Kronecker-factored Gauss-Newton/Fisher preconditioner, factored Tikhonov damping, quadratic-model step scale, Levenberg-Marquardt damping',
  requires: ['layer-statistics'],
  hyperparameters: kfacHyperparameters,
  stepper: Kfac,
};
