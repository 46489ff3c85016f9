/**
 * Armijo backtracking for gradient-norm minimisation ([GF]; Nocedal & Wright 2006, Alg. 3.1)
 * on the merit m(θ) = ‖g(θ)‖² along p = −Hg:
 *   accept α when m(θ + αp) ≤ m(θ) + ρ·α·m'(0),   m'(0) = 2⟨Hg, p⟩ = −2‖Hg‖².
 * The factor 2 is there because ∇(½‖g‖²) = Hg, so ∇‖g‖² = 2Hg; stated on φ = ½‖g‖² the same
 * test reads φ(θ + αp) ≤ φ(θ) − ρα‖Hg‖². The search starts from the remembered α and shrinks by
 * β; the caller grows α after an accepted step (α ← min(αmax, α/β)) so it does not stay small.
 */

export interface BacktrackingSettings {
  rho: number;
  beta: number;
  /** Below this α the search gives up; θ then stays where it is. */
  minAlpha: number;
}

export interface MeritTrial {
  /** ‖g(θ + αp)‖² (NaN/∞ is rejected, never accepted). */
  merit: number;
  /** True when θ + αp equals θ in float64: shrinking further cannot change anything. */
  unchanged: boolean;
}

export interface BacktrackingOutcome {
  /** Accepted α, or 0 when none was accepted. */
  alpha: number;
  accepted: boolean;
  /** Trials evaluated (each one costs the caller one gradient). */
  tries: number;
  failure?: 'alpha-underflow' | 'no-change' | 'not-a-descent-direction';
}

/** `slope` = m'(0), the directional derivative of ‖g‖² along p (−2‖Hg‖² for p = −Hg). */
export function backtrack(
  merit0: number, slope: number, alphaStart: number, s: BacktrackingSettings, trial: (alpha: number) => MeritTrial,
): BacktrackingOutcome {
  let tries = 0;
  if (!(slope < 0)) return { alpha: 0, accepted: false, tries, failure: 'not-a-descent-direction' };
  for (let alpha = alphaStart; alpha >= s.minAlpha; alpha *= s.beta) {
    tries++;
    const t = trial(alpha);
    if (t.unchanged) return { alpha: 0, accepted: false, tries, failure: 'no-change' };
    if (t.merit <= merit0 + s.rho * alpha * slope) return { alpha, accepted: true, tries };
  }
  return { alpha: 0, accepted: false, tries, failure: 'alpha-underflow' };
}
