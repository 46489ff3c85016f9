/**
 * Armijo backtracking on the merit ‖g‖² ([GF] §2.2 and appendix A; Roosta et al. 2018):
 * accept α when ‖g(θ + αp)‖² ≤ ‖g(θ)‖² + 2ρα⟨Hp, g⟩.
 * (2⟨Hp, g⟩ is the directional derivative of ‖g‖² along p; it is ≤ 0 for MINRES directions.)
 *
 * The paper's schedule: first try the unit step with the stricter ρ' (needed for superlinear
 * convergence); otherwise start from the remembered α, shrink by β until accepted. The caller
 * grows the remembered α after an accepted step: α ← min(1, α/β).
 */

export interface LineSearchSettings {
  unitStepFirst: boolean;
  /** ρ' for the unit-step test. */
  rhoUnit: number;
  rho: number;
  beta: number;
  /** Below this α the search gives up ("α underflows"); θ then stays where it is. */
  minAlpha: number;
}

export interface MeritTrial {
  /** ‖g(θ + αp)‖² (may be NaN/∞: such a trial is rejected). */
  merit: number;
  /** True when θ + αp equals θ in float64: shrinking further cannot change anything. */
  unchanged: boolean;
}

export interface LineSearchOutcome {
  /** Accepted α, or 0 when no step was accepted. */
  alpha: number;
  accepted: 'unit' | 'backtracking' | 'none';
  tries: number;
  /** Why the search failed (only when accepted = 'none'). */
  failure?: 'alpha-underflow' | 'no-change' | 'not-a-descent-direction';
}

/**
 * `trial(α)` evaluates the merit at θ + αp (the caller keeps the evaluated point so an accepted
 * trial need not be recomputed). `slope` = ⟨Hp, g⟩.
 */
export function armijoBacktracking(
  merit0: number, slope: number, alphaStart: number, s: LineSearchSettings, trial: (alpha: number) => MeritTrial,
): LineSearchOutcome {
  let tries = 0;
  if (!(slope < 0)) return { alpha: 0, accepted: 'none', tries, failure: 'not-a-descent-direction' };
  const accepts = (t: MeritTrial, alpha: number, rho: number) => t.merit <= merit0 + 2 * rho * alpha * slope;
  if (s.unitStepFirst) {
    tries++;
    if (accepts(trial(1), 1, s.rhoUnit)) return { alpha: 1, accepted: 'unit', tries };
  }
  for (let alpha = alphaStart; alpha >= s.minAlpha; alpha *= s.beta) {
    tries++;
    const t = trial(alpha);
    if (t.unchanged) return { alpha: 0, accepted: 'none', tries, failure: 'no-change' };
    if (accepts(t, alpha, s.rho)) return { alpha, accepted: 'backtracking', tries };
  }
  return { alpha: 0, accepted: 'none', tries, failure: 'alpha-underflow' };
}
