/** The Newton-MR plugin, registered through the same public API a user's plugin uses. */
import type { StepperPlugin } from '../../core/registry/registry.js';
import { newtonMrHyperparameters } from './hyperparameters.js';
import { NewtonMr } from './newton-mr.js';

export const newtonMrPlugin: StepperPlugin<typeof newtonMrHyperparameters> = {
  name: 'newton-mr',
  description: 'Newton-MR: MINRES-QLP direction on Hp = −g, Armijo backtracking on ‖g‖² ([GF] §2.2)',
  hyperparameters: newtonMrHyperparameters,
  stepper: NewtonMr,
  reportsFlatness: true,
  // Probes use the fixed floor rtol even under a forcing rule: a final point is judged tightly.
  // exact-lm's points are judged with the exact Newton solve: r is defined by Hp = −g.
  probeSolver: (hp) => ({
    rtol: hp.rtol, maxxnorm: hp.maxxnorm, acondlim: hp.acondlim, trancond: hp.trancond,
    ...(hp.maxit !== null && { maxit: hp.maxit }),
    ...(hp.solver !== 'minres-qlp' && { solver: hp.solver === 'exact-lm' ? 'exact' : hp.solver, pinvRcond: hp.pinvRcond }),
  }),
};

export { newtonMrHyperparameters };
