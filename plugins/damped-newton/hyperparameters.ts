/** The damped-newton plugin's hyperparameters, declared once: its TypeScript types come from this declaration. */
import { hyperparameterSchema } from '../../core/registry/hyperparameters.js';
import { REFERENCE_SOLVER_SETTINGS as REF } from '../../core/newton/direction.js';

/** The γ ladder {gammaMax, gammaMax/f, …} down to gammaMin; defaults give {1e-1, …, 1e-6} ([GF]/[LA]). */
export const ladderHyperparameters = hyperparameterSchema({
  gammaMax: { type: 'number', default: 0.1, min: 0, exclusiveMin: true, description: 'largest damping γ of the ladder (tried first)' },
  gammaMin: { type: 'number', default: 1e-6, min: 0, exclusiveMin: true, description: 'smallest damping γ of the ladder (must be ≤ gammaMax)' },
  ladderFactor: { type: 'number', default: 10, min: 1, exclusiveMin: true, description: 'ratio between successive γ of the ladder' },
});

/** Damped Newton's declaration: DampedNewtonHyperparameters comes from it. */
export const dampedNewtonHyperparameters = hyperparameterSchema({
  ...ladderHyperparameters,
  rtol: { type: 'number', default: REF.rtol, min: 0, exclusiveMin: true, description: 'MINRES-QLP relative tolerance for each damped solve' },
  maxit: { type: 'integer', default: null, min: 1, nullMeans: 'n, the number of parameters', description: 'MINRES-QLP iteration limit per damped solve' },
  maxxnorm: { type: 'number', default: REF.maxxnorm, min: 0, exclusiveMin: true, description: 'MINRES-QLP bound on ‖p_γ‖ (reference default)' },
  acondlim: { type: 'number', default: REF.acondlim, min: 1, description: 'MINRES-QLP bound on the cond(H+γI) estimate (reference default)' },
  trancond: { type: 'number', default: REF.trancond, min: 1, description: 'MINRES-QLP condition estimate at which it switches to the QLP phase (reference default)' },
});
