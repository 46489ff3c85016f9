/** The adam plugin's hyperparameters, declared once: its TypeScript types come from this declaration. */
import { hyperparameterSchema } from '../../core/registry/hyperparameters.js';

/** The declaration, kept with its literal types: AdamHyperparameters comes from it. */
export const adamHyperparameters = hyperparameterSchema({
  learningRate: { type: 'number', default: 1e-3, min: 0, exclusiveMin: true, description: 'step size α (Kingma & Ba 2015 default 0.001); each coordinate moves by roughly at most lr a step (their §2.1)' },
  beta1: { type: 'number', default: 0.9, min: 0, max: 1, exclusiveMax: true, description: 'decay β₁ of the first-moment (mean) estimate m (Kingma & Ba 2015 default 0.9)' },
  beta2: { type: 'number', default: 0.999, min: 0, max: 1, exclusiveMax: true, description: 'decay β₂ of the second-moment estimate v (Kingma & Ba 2015 default 0.999)' },
  epsilon: { type: 'number', default: 1e-8, min: 0, exclusiveMin: true, description: 'ε added to √v̂ in the denominator, against division by zero (Kingma & Ba 2015 default 1e-8)' },
});
