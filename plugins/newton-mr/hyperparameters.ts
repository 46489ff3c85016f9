/** The newton-mr plugin's hyperparameters, declared once: its TypeScript types come from this declaration. */
import { hyperparameterSchema } from '../../core/registry/hyperparameters.js';
import { REFERENCE_SOLVER_SETTINGS as REF } from '../../core/newton/direction.js';
import { NEWTON_SOLVERS } from '../../core/newton/exact-direction.js';
import { DEFAULT_PINV_RCOND } from '../../core/linalg/exact-newton.js';

/** The declaration, kept with its literal types: NewtonMrHyperparameters comes from it. */
export const newtonMrHyperparameters = hyperparameterSchema({
  rtol: { type: 'number', default: REF.rtol, min: 0, exclusiveMin: true, description: 'MINRES-QLP relative tolerance ([GF] Fig. 1: 1e-10; Figs. 3–5: 5e-4)' },
  maxit: { type: 'integer', default: null, min: 1, nullMeans: 'n, the number of parameters', description: 'MINRES-QLP iteration limit' },
  maxxnorm: { type: 'number', default: REF.maxxnorm, min: 0, exclusiveMin: true, description: 'MINRES-QLP bound on ‖p‖ (reference default)' },
  acondlim: { type: 'number', default: REF.acondlim, min: 1, description: 'MINRES-QLP bound on the cond(A) estimate (reference default)' },
  trancond: { type: 'number', default: REF.trancond, min: 1, description: 'MINRES-QLP condition estimate at which it switches to the QLP phase (reference default)' },
  unitStepFirst: { type: 'boolean', default: true, description: "try α = 1 first with the stricter ρ' ([GF]); the reference code's default is off" },
  rhoUnit: { type: 'number', default: 0.5, min: 0, max: 1, description: "ρ' for the unit-step Armijo test" },
  rho: { type: 'number', default: 0.1, min: 0, max: 1, description: 'Armijo ρ for backtracking ([GF]: 0.1; reference code default 1e-4)' },
  beta: { type: 'number', default: 0.5, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, description: 'backtracking shrink factor β' },
  alpha0: { type: 'number', default: 0.1, min: 0, max: 1, exclusiveMin: true, description: 'first backtracking α; after an accepted step α ← min(1, α/β)' },
  forcing: { type: 'choice', default: 'none', choices: ['none', 'sqrt-gradient', 'gradient'], description: "MINRES-QLP tolerance per step: 'none' = fixed rtol (paper); else min(forcingMax, ‖g‖^½ or ‖g‖), never below rtol (inexact Newton)" },
  forcingMax: { type: 'number', default: 0.1, min: 0, max: 1, exclusiveMin: true, description: 'largest per-step tolerance under a forcing rule' },
  minAlpha: { type: 'number', default: 1e-16, min: 0, exclusiveMin: true, description: 'α below which the line search gives up and θ stays put' },
  solver: {
    type: 'choice', default: 'minres-qlp', choices: NEWTON_SOLVERS,
    description: "direction of Hp = −g: 'minres-qlp' (paper); 'minres-qlp-reorth' (full Lanczos reorthogonalisation, O(n·maxit) memory); " +
      "'exact' (p = −H⁺g, dense eigendecomposition, n ≤ 2000); 'exact-lm' (Levenberg–Marquardt p = −(H² + μI)⁻¹Hg, μ adapted, no line search)",
  },
  pinvRcond: { type: 'number', default: DEFAULT_PINV_RCOND, min: 0, description: "exact, exact-lm: eigenvalues |λ| ≤ max(pinvRcond, n·eps)·‖H‖₂ count as zero (default 0: the eigensolver's noise floor n·eps only)" },
  lmMu0: { type: 'number', default: 1e-3, min: 0, exclusiveMin: true, description: 'exact-lm: first μ relative to ‖H‖₂² (μ = lmMu0·‖H‖₂²), then adapted by the LM rule' },
});
