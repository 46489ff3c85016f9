/** The kfac plugin's hyperparameters, declared once: its TypeScript types come from this declaration. */
import { hyperparameterSchema } from '../../core/registry/hyperparameters.js';

/** The declaration, kept with its literal types: KfacHyperparameters comes from it. */
export const kfacHyperparameters = hyperparameterSchema({
  damping: { type: 'number', default: 1e-3, min: 0, description: "initial Tikhonov damping λ: the factors get π·√λ and √λ/π added ([MG] §6.3), the quadratic model λI ([MG] §6.4); 0 = none (the factors must then be nonsingular)" },
  adaptDamping: { type: 'boolean', default: true, description: 'Levenberg-Marquardt rule on λ from the reduction ratio ρ ([MG] §6.5): ρ > 3/4 → λ·19/20, ρ < 1/4 → λ·20/19, every step; needs quadraticModel' },
  minDamping: { type: 'number', default: 1e-8, min: 0, description: 'floor of the adapted λ (keeps the damped factors invertible)' },
  quadraticModel: { type: 'boolean', default: true, description: 'scale the step by α* = −gᵀΔ/(Δᵀ(G+λI)Δ) with one exact Gauss-Newton product ([MG] §6.4); off: α = learningRate' },
  learningRate: { type: 'number', default: 1, min: 0, exclusiveMin: true, description: 'α with quadraticModel off; with it on, a cap on α* (default 1: at most the full damped K-FAC step)' },
  maxStepNorm: { type: 'number', default: 0, min: 0, description: 'clip ‖αΔ‖ to this length (0 = no clipping)' },
  ema: { type: 'number', default: 0.95, min: 0, max: 1, exclusiveMax: true, description: 'decay ε of the moving averages of A and G; step k uses min(1 − 1/k, ema) ([MG] §5: 0.95), so the first estimate is taken as is' },
  statsEvery: { type: 'integer', default: 1, min: 1, description: 'recompute the factors every this many steps (each pass ≈ 2.5 HVPs on the 16→16→4→16 AE)' },
  inverseEvery: { type: 'integer', default: 1, min: 1, description: "re-decompose the averaged factors every this many steps ([MG] §8's T₃ = 20 for large layers; here the factors are ≤ ~33×33, so their eigendecompositions cost far less than a statistics pass)" },
});
