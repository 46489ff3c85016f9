/**
 * Newton-MR's 'exact-lm' step: Levenberg–Marquardt on the merit ‖g‖².
 *
 * ‖g(θ + p)‖² ≈ ‖g + Hp‖² (Gauss–Newton model of the merit, since ∂g/∂θ = H). LM minimises
 * ‖g + Hp‖² + μ‖p‖², i.e. p = −(H² + μI)⁻¹Hg, from the eigendecomposition of H computed once per
 * step (a retry with another μ costs O(n²) plus one gradient). μ → 0 gives the exact step
 * p = −H⁺g; large μ gives a short step along −Hg = −½∇‖g‖², gradient descent on the merit. Why
 * this regularisation: the exact Newton-MR step crawls on the Fig. 1 linear AE (α ≈ 1e-2,
 * ‖p‖ ≈ 10–50), because near-null directions of H get huge weights 1/λ; LM bounds each weight by
 * 1/(2√μ) and adapts μ from the observed merit decrease, which is what a line search on a bad
 * direction cannot do.
 *
 * μ update (Nielsen 1999; Madsen, Nielsen & Tingleff 2004, "Methods for non-linear least squares
 * problems", §3.2): gain ratio ρ = (‖g‖² − ‖g(θ + p)‖²) / (‖g‖² − ‖g + Hp‖²). If ρ > 0 the step is
 * taken and μ ← μ·max(1/3, 1 − (2ρ − 1)³), ν ← 2; else μ ← μ·ν, ν ← 2ν and p is recomputed.
 * μ is stored relative to ‖H‖₂² (scale-free), never below the square of the relative cutoff
 * max(pinvRcond, n·eps) (no kept direction is damped by less than that anyway).
 */
import { exactDirection, hessianEigen } from './exact-direction.js';
import { denseMatVec, effectiveRcond, levenbergMarquardtSolve } from '../linalg/exact-newton.js';
import type { DenseKernels } from '../linalg/kernels.js';
import { addScaled, dot, equalArrays, norm2 } from '../linalg/vector.js';
import type { Oracle } from '../oracle/oracle.js';
import type { StepResult, StepperState } from '../stepper/stepper.js';

/** μ retries per step before the step gives up (μ grows by 2, 4, 8, …: 2^465 in all). */
export const LM_MAX_TRIES = 30;

export interface LmSettings {
  pinvRcond: number;
  lmMu0: number;
}

type LmState = StepperState & { readonly extra: { alpha: number; mu?: number } };

export function levenbergMarquardtStep(
  oracle: Oracle, kernels: DenseKernels, state: LmState, hp: LmSettings,
): StepResult<LmState> {
  const { theta, gradient: g, gradNormSq } = state;
  const n = oracle.dim;
  const base = { iteration: state.iteration, loss: state.loss, gradNormSq };
  const eig = hessianEigen(oracle, theta, kernels);
  // The paper's r of this point, from the exact Newton solve (what the observer reads).
  const newton = exactDirection(eig, g, hp.pinvRcond).metrics;
  const hNormSq = eig.spectralNorm * eig.spectralNorm;
  const muFloor = effectiveRcond(hp.pinvRcond, n) ** 2;
  let muRel = Math.max(state.extra.mu ?? hp.lmMu0, muFloor);
  let nu = 2;
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) b[i] = -g[i];
  const candidate = new Float64Array(n);
  const model = new Float64Array(n);
  let tries = 0;
  let failure = 'no decrease of ‖g‖² for any μ tried';
  let last: { p: Float64Array; rho: number; mu: number; residual: number } | undefined;
  while (tries < LM_MAX_TRIES) {
    tries++;
    const p = levenbergMarquardtSolve(eig, b, muRel * hNormSq, hp.pinvRcond).x;
    denseMatVec(eig.h, n, p, model);
    for (let i = 0; i < n; i++) model[i] += g[i];
    const predicted = gradNormSq - dot(model, model);
    const residual = Math.sqrt(dot(model, model) / gradNormSq);
    if (!(predicted > 0)) { failure = 'the model predicts no decrease (g ⟂ range H above the cutoff)'; break; }
    addScaled(theta, 1, p, candidate);
    if (equalArrays(candidate, theta)) { failure = 'θ + p equals θ in float64'; break; }
    const { loss, gradient } = oracle.gradient(candidate);
    const merit = dot(gradient, gradient);
    const rho = (gradNormSq - merit) / predicted;
    last = { p, rho, mu: muRel, residual };
    if (rho > 0 && Number.isFinite(merit)) {
      const directionNorm = norm2(p);
      const nextMu = Math.max(muFloor, muRel * Math.max(1 / 3, 1 - (2 * rho - 1) ** 3));
      const next: LmState = {
        iteration: state.iteration + 1, theta: Float64Array.from(candidate), loss, gradient: Float64Array.from(gradient),
        gradNormSq: merit, extra: { ...state.extra, mu: nextMu },
      };
      return {
        state: next,
        metrics: {
          ...base, alpha: 1, directionNorm, stepNorm: directionNorm, newton,
          extra: { lmMu: muRel, lmRho: rho, lmTries: tries, lmResidual: residual },
        },
      };
    }
    muRel *= nu;
    nu *= 2;
  }
  return {
    state: { ...state, extra: { ...state.extra, mu: muRel } },
    metrics: {
      ...base, alpha: 0, directionNorm: last ? norm2(last.p) : 0, stepNorm: 0, newton,
      extra: { lmMu: last?.mu ?? muRel, lmRho: last?.rho ?? NaN, lmTries: tries, lmResidual: last?.residual ?? NaN },
    },
    halted: `exact-lm: ${failure}`,
  };
}
