/** The gd plugin's hyperparameters, declared once: its TypeScript types come from this declaration. */
import { hyperparameterSchema } from '../../core/registry/hyperparameters.js';

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
