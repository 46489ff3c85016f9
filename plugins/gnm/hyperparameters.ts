/** The gnm plugin's hyperparameters, declared once: its TypeScript types come from this declaration. */
import { hyperparameterSchema } from '../../core/registry/hyperparameters.js';

/** The declaration, kept with its literal types: GnmHyperparameters comes from it. */
export const gnmHyperparameters = hyperparameterSchema({
  variant: {
    type: 'choice', default: 'backtracking', choices: ['gd', 'momentum', 'backtracking'],
    description: "how to descend φ = ½‖g‖² ([GF]; reference code: gd, momentum, btls): 'gd' θ ← θ − lr·Hg; 'momentum' v ← μv − lr·Hg, θ ← θ + v; 'backtracking' θ ← θ − α·Hg with Armijo α",
  },
  learningRate: {
    type: 'number', default: 0.1, min: 0, exclusiveMin: true,
    description: "step size lr of 'gd' and 'momentum' (reference code default 0.1); 'gd' is stable only for lr < 2/λmax(H)² (heavy ball: 2(1 + μ)/λmax(H)²), e.g. below 4.5e-3 near the quartic's (−3, 0)",
  },
  momentum: { type: 'number', default: 0.9, min: 0, max: 1, exclusiveMax: true, description: "heavy-ball μ of 'momentum' (reference code default 0.9)" },
  alpha0: { type: 'number', default: 0.1, min: 0, exclusiveMin: true, description: "'backtracking': first α tried (reference code default 0.1)" },
  alphaMax: {
    type: 'number', default: 1e8, min: 0, exclusiveMin: true,
    description: "'backtracking': cap on α, which grows α ← min(alphaMax, α/β) after each accepted step; GNM's natural α ∝ 1/λ(H)² is huge in flat regions, so the cap only stops runaway growth",
  },
  beta: { type: 'number', default: 0.5, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, description: "'backtracking': shrink factor β (reference code default 0.5)" },
  rho: {
    type: 'number', default: 0.1, min: 0, max: 1, exclusiveMax: true,
    description: "'backtracking': Armijo ρ in ‖g(θ − αHg)‖² ≤ ‖g‖² − 2ρα‖Hg‖² ([GF]'s ρ for Newton-MR on the same merit; the reference code's 1e-4 lets steep first steps jump from the quartic's left basin across x = −√2 into the right one)",
  },
  minAlpha: {
    type: 'number', default: 1e-20, min: 0, exclusiveMin: true,
    description: "'backtracking': α below which the search gives up and θ stays put (usually θ − αHg = θ in float64 stops it first)",
  },
});
