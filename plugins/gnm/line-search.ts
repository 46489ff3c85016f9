/**
 * GNM's line search: Armijo backtracking on the merit m(θ) = ‖g(θ)‖² along p = −Hg, in the shared
 * implementation (core/newton/line-search.ts) with the slope given as m'(0) = 2⟨Hg, p⟩ = −2‖Hg‖²
 * (its 'merit' form) and no unit step:
 *   accept α when m(θ + αp) ≤ m(θ) + ρ·α·m'(0).
 * The factor 2 is there because ∇(½‖g‖²) = Hg, so ∇‖g‖² = 2Hg; stated on φ = ½‖g‖² the same
 * test reads φ(θ + αp) ≤ φ(θ) − ρα‖Hg‖². The caller grows α after an accepted step
 * (α ← min(αmax, α/β)) so it does not stay small.
 */
import { armijoBacktracking, type LineSearchFailure, type MeritTrial } from '../../core/newton/line-search.js';

export type { MeritTrial } from '../../core/newton/line-search.js';

export interface BacktrackingSettings {
  rho: number;
  beta: number;
  /** Below this α the search gives up; θ then stays where it is. */
  minAlpha: number;
}

export interface BacktrackingOutcome {
  /** Accepted α, or 0 when none was accepted. */
  alpha: number;
  accepted: boolean;
  /** Trials evaluated (each one costs the caller one gradient). */
  tries: number;
  failure?: LineSearchFailure;
}

/** `slope` = m'(0), the directional derivative of ‖g‖² along p (−2‖Hg‖² for p = −Hg). */
export function backtrack(
  merit0: number, slope: number, alphaStart: number, s: BacktrackingSettings, trial: (alpha: number) => MeritTrial,
): BacktrackingOutcome {
  const o = armijoBacktracking(merit0, slope, alphaStart, { rho: s.rho, beta: s.beta, minAlpha: s.minAlpha, slope: 'merit' }, trial);
  return { alpha: o.alpha, accepted: o.accepted !== 'none', tries: o.tries, ...(o.failure !== undefined && { failure: o.failure }) };
}
